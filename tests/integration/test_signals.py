"""Stdout is a pipe and polling lasts long: log lines arrive as they happen, and a
SIGTERM mid-run still leaves the result JSON with what finished."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from release_publisher.sandbox.server import start_sandbox
from release_publisher.testing import build_plugin_jar

from .conftest import CLI, TOKEN, USER, Workspace, config_text
from .helpers import clean_env, inject, terminate_when_seen

pytestmark = pytest.mark.integration


def test_lines_arrive_live_and_sigterm_keeps_result(workspace: Workspace, tmp_path: Path) -> None:
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, processing_delay=120
    ) as server:
        workspace.config(config_text(server.base_url, timeout=300))
        result_file = workspace.root / "result.json"
        env = clean_env(
            {"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN},
            without=["PYTHONUNBUFFERED"],  # the tool must not depend on it
        )
        proc = subprocess.Popen(
            [*CLI, "publish", "--result-json", str(result_file)],
            cwd=workspace.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seen, out, err = terminate_when_seen(proc, b"Waiting for Marketplace to process")
    assert proc.returncode == 130, (seen + out + err).decode(errors="replace")
    assert b"Interrupted" in err
    result = json.loads(result_file.read_text())
    assert result["status"] == "failed"
    assert result["error"]["kind"] == "Interrupted"
    assert result["artifacts"][0]["id"]
    assert result["artifacts"][0]["state"] == "uploaded"


def test_sigterm_during_an_upload_keeps_what_finished(workspace: Workspace, tmp_path: Path) -> None:
    """Two artifacts: the first is published, the emulator holds the second upload
    (a 60 s delay fault); SIGTERM then ends the run with exit 130 and the result JSON
    keeps the first artifact, verified, with its ID."""
    build_plugin_jar(workspace.root / "dc" / "hello-dc-1.4.2.jar")
    artifacts = (
        "  - name: server\n    file: target/hello-1.4.2.jar\n"
        "  - name: dc\n    file: dc/hello-dc-1.4.2.jar\n"
    )
    result_file = workspace.root / "result.json"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=TOKEN) as server:
        inject(server, {"endpoint": "upload", "delay": 0.01}, {"endpoint": "upload", "delay": 60})
        # spacing 3 s: the second upload starts once the first is published (the
        # artifacts run concurrently, the spacing holds the second back)
        workspace.config(config_text(server.base_url, artifacts=artifacts, spacing=3))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN})
        proc = subprocess.Popen(
            [*CLI, "publish", "--result-json", str(result_file)],
            cwd=workspace.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # settle: let the request reach the emulator (held there by the delay)
        seen, out, err = terminate_when_seen(
            proc, b"Uploading dc/hello-dc-1.4.2.jar", within=20, settle=0.3
        )
    assert proc.returncode == 130, (seen + out + err).decode(errors="replace")
    assert b"Interrupted: stopped by SIGTERM" in err
    result = json.loads(result_file.read_text())
    assert result["status"] == "failed" and result["error"]["kind"] == "Interrupted"
    first, second = result["artifacts"]
    assert first["state"] == "verified" and first["id"]
    assert second["state"] == "planned" and second["id"] is None
