"""Issue 18 end to end: ``publish --trace`` against the emulator records every exchange
without a secret or a file byte; ``sandbox --replay`` of that trace reproduces the run's
outcome and outputs exactly; an edited answer (a 400 with field errors) makes the
replayed run fail with that message."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests

from release_publisher.sandbox.replay import ReplayApp, load_trace
from release_publisher.sandbox.server import SandboxServer, start_sandbox
from tests.unit.hosts.runner_files import parse_github_output

from .conftest import Workspace, config_text
from .helpers import CLI, api_requests, clean_env, inject, run_cli, terminate_when_seen

ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"

pytestmark = pytest.mark.integration

USER = "tracer@example.com"
#: characters that change under base64, URL-encoding and JSON escaping
TOKEN = "tr/ace+tok=en-51f0&x"
KEY = "com.example.hello"
COMPAT = [{"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}]
IMAGES = "  - {type: screenshot, file: 'marketing/shots/*.png'}\n"
RELEASE = """release:
  artifact: server
  hosting: datacenter
  build-number: auto
  summary: "Fixes a crash on start"
  listing: {state: public, screenshots: screenshot}
"""
FIELD_ERROR = "must be a known build number of the parent software"


def secret_forms() -> set[str]:
    """The token raw, base64 of user:token (standard and URL-safe), URL-encoded."""
    raw = f"{USER}:{TOKEN}".encode()
    forms = {
        TOKEN,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        quote(f"{USER}:{TOKEN}", safe=""),
        json.dumps(TOKEN)[1:-1],
    }
    return forms


@dataclass
class Recording:
    """A traced run against the emulator."""

    code: int
    result: dict[str, Any]
    outputs: dict[str, str]
    trace: Path
    base_url: str
    log: list[dict[str, Any]]
    stderr: str


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[SandboxServer]:
    with start_sandbox(data_dir=tmp_path / "sandbox-data", user=USER, token=TOKEN) as server:
        body = {
            "appKey": KEY,
            "hostings": ["datacenter"],
            "versions": {
                "datacenter": [
                    {
                        "buildNumber": 100,
                        "versionNumber": "1.4.1",
                        "compatibilities": COMPAT,
                        "supportedPaymentModel": "free",
                        "licenseType": {"id": "COMMERCIAL"},
                        "frameworkDetails": {
                            "frameworkId": "plugin",
                            "attributes": {"pluginFrameworkType": "P2"},
                        },
                    }
                ]
            },
        }
        response = requests.post(f"{server.base_url}/_sandbox/apps", json=body, timeout=5)
        assert response.status_code == 201, response.text
        yield server


def publish(workspace: Workspace, base_url: str, name: str, *extra: str) -> Recording:
    """``publish`` against ``base_url`` as a GitHub step (outputs in a file)."""
    workspace.config(config_text(base_url, images=IMAGES) + RELEASE)
    outputs = workspace.root / f"{name}.out"
    result = workspace.root / f"{name}.json"
    env = clean_env(
        {
            "MARKETPLACE_USER": USER,
            "MARKETPLACE_TOKEN": TOKEN,
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(workspace.root / f"{name}.md"),
            "GITHUB_WORKSPACE": str(workspace.root),
        }
    )
    run = run_cli(
        workspace.root,
        "publish",
        "--result-json",
        str(result),
        *extra,
        env=env,
        result_file=result,
    )
    assert run.result is not None, run.stderr
    return Recording(
        run.code,
        run.result,
        parse_github_output(outputs.read_text(encoding="utf-8")),
        workspace.root / f"{name}.trace",
        base_url,
        [],
        run.stderr,
    )


def record(workspace: Workspace, emulator: SandboxServer) -> Recording:
    """A traced release with one retried call (a 503 on the app software read)."""
    inject(emulator, endpoint="app-software", status=503, times=1)
    trace = workspace.root / "record.trace"
    recording = publish(workspace, emulator.base_url, "record", "--trace", str(trace))
    assert recording.code == 0, recording.stderr
    recording.log = api_requests(emulator)
    return recording


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_endpoint(items: list[Any]) -> dict[tuple[str, str], list[Any]]:
    """``items`` (tuples starting with method and path) grouped by (method, path),
    in order within each group: the order replay keeps."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for item in items:
        groups.setdefault((item[0], item[1]), []).append(item)
    return groups


def comparable(value: Any, base_url: str) -> Any:
    """``value`` (result JSON or outputs) without timings and with the base URL
    written as ``BASE``."""
    text = json.dumps(value).replace(base_url, "BASE")
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop("timings", None)
        data.pop("result-file", None)
        data.pop("trace-file", None)
    return data


def test_trace_has_every_exchange_and_no_secret_or_file_byte(
    workspace: Workspace, emulator: SandboxServer
) -> None:
    recording = record(workspace, emulator)
    records = lines(recording.trace)
    # every exchange the emulator saw, one line each, in order per endpoint (independent
    # calls run concurrently, so lines of different endpoints may interleave differently)
    assert by_endpoint([(r["method"], r["path"]) for r in records]) == by_endpoint(
        [(e["method"], e["path"]) for e in recording.log]
    )
    assert os.stat(recording.trace).st_mode & 0o777 == 0o644
    # the retried call: its 503, then the second attempt
    reads = [r for r in records if "/app-key/" in r["path"]]
    assert [(r["response"]["status"], r["attempt"]) for r in reads] == [(503, 1), (200, 2)]
    assert [r["attempt"] for r in records if r not in reads] == [1] * (len(records) - 2)
    for r in records:
        assert r["request"]["headers"]["Authorization"] == "Basic"
        assert isinstance(r["elapsed"], float) and r["elapsed"] >= 0
    # uploads: part headers, file name, size and SHA-512; never the bytes
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    (upload,) = [r for r in records if r["path"] == "/rest/3/artifacts"]
    part = upload["request"]["multipart"]
    assert part["filename"] == "hello-1.4.2.jar" and part["size"] == jar.stat().st_size
    assert part["sha512"] == hashlib.sha512(jar.read_bytes()).hexdigest()
    assert "application/java-archive" in part["headers"]["Content-Type"]
    images = [r for r in records if r["path"].startswith("/rest/3/assets/images/")]
    assert len(images) == 2 and all(r["request"]["multipart"]["size"] > 0 for r in images)

    text = recording.trace.read_bytes()
    found = [form for form in secret_forms() if form.encode() in text]
    assert found == []
    for path in [jar, *sorted((workspace.root / "marketing").rglob("*.png"))]:
        data = path.read_bytes()
        chunks = [data[i : i + 32] for i in range(0, len(data) - 32, 16)]
        assert not [c for c in chunks if c in text], path
        assert base64.b64encode(data[:48]).decode().encode() not in text
    assert b"\x89PNG" not in text and b"PK\x03\x04" not in text


def test_replay_reproduces_the_outcome_and_outputs(
    workspace: Workspace, emulator: SandboxServer
) -> None:
    recording = record(workspace, emulator)
    emulator.stop()
    replay = ReplayApp(load_trace(recording.trace))
    with start_sandbox(replay=replay) as server:
        retrace = workspace.root / "replay.trace"
        again = publish(workspace, server.base_url, "replay", "--trace", str(retrace))
    assert again.code == recording.code == 0, again.stderr
    assert comparable(again.result, server.base_url) == comparable(
        recording.result, recording.base_url
    )
    assert comparable(again.outputs, server.base_url) == comparable(
        recording.outputs, recording.base_url
    )
    assert again.outputs["status"] == "published"
    assert again.outputs["trace-file"] == str(retrace)
    # the same conversation: every request and answer as recorded, retry included

    def said(path: Path) -> dict[tuple[str, str], list[Any]]:
        """Per endpoint (and uploaded file: concurrent uploads to one path finish in
        any order), what was asked and answered, in order."""
        return by_endpoint(
            [(r["method"], r["path"] + "#" + r["request"].get("multipart", {}).get("filename", ""),
              r["query"], r["attempt"], r["response"]["status"],
              r["response"].get("json"), r["request"].get("json"))
             for r in lines(path)]
        )  # fmt: skip

    assert said(retrace) == said(recording.trace)
    assert replay.unmatched == 0 and replay.unused() == []


def _edit_create_version(trace: Path, edited: Path) -> None:
    out = []
    for line in lines(trace):
        if line["method"] == "POST" and line["path"].endswith("/versions"):
            line["response"] = {
                "status": 400,
                "headers": {"Content-Type": "application/json"},
                "json": {
                    "message": "Invalid version",
                    "errors": [
                        {"field": "compatibilities[0].maxBuildNumber", "message": FIELD_ERROR}
                    ],
                },
            }
        out.append(json.dumps(line))
    edited.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_an_edited_trace_makes_the_replayed_run_fail_with_its_message(
    workspace: Workspace, emulator: SandboxServer, tmp_path: Path
) -> None:
    recording = record(workspace, emulator)
    emulator.stop()
    edited = tmp_path / "edited.trace"
    _edit_create_version(recording.trace, edited)
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [*CLI, "sandbox", "--replay", str(edited), "--ready-file", str(ready)],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the replay server did not start"
            time.sleep(0.05)
        base_url = ready.read_text(encoding="utf-8").strip()
        failed = publish(workspace, base_url, "edited", "--trace", str(tmp_path / "failed.trace"))
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert failed.code == 4, failed.stderr
    assert "field errors (1)" in failed.stderr and FIELD_ERROR in failed.stderr
    assert FIELD_ERROR in failed.result["error"]["message"]
    assert failed.outputs["status"] == "failed"
    # the failed run's own trace holds the refused answer
    refused = [r for r in lines(tmp_path / "failed.trace") if r["path"].endswith("/versions")]
    assert [r["response"]["status"] for r in refused if r["method"] == "POST"] == [400]
    assert b"0 requests unmatched" in err


def test_a_diverging_run_gets_599_naming_the_expected_exchange(
    workspace: Workspace, emulator: SandboxServer
) -> None:
    recording = record(workspace, emulator)
    emulator.stop()
    kept = [r for r in lines(recording.trace) if "/assets/images/" not in r["path"]]
    recording.trace.write_text("\n".join(json.dumps(r) for r in kept) + "\n", encoding="utf-8")
    with start_sandbox(replay=ReplayApp(load_trace(recording.trace))) as server:
        diverged = publish(workspace, server.base_url, "diverged")
    assert diverged.code == 4, diverged.stderr
    assert "599" in diverged.stderr
    assert "matches no unused recorded exchange" in diverged.stderr
    assert "POST /rest/3/assets/images/screenshot matches no unused" in diverged.stderr
    # calls run concurrently: the next unused exchange is whichever the run had not reached
    assert re.search(r"expected next: (GET|POST) /rest/3/\S+ \(trace line \d+\)", diverged.stderr)


def test_a_trace_path_that_cannot_be_written_stops_before_any_request(
    workspace: Workspace, emulator: SandboxServer
) -> None:
    (workspace.root / "a-directory").mkdir()
    run = publish(workspace, emulator.base_url, "refused", "--trace", "a-directory")
    assert run.code == 2
    assert "cannot write the trace file" in run.stderr and "nothing was sent" in run.stderr
    assert run.outputs["trace-file"] == ""
    assert api_requests(emulator) == []


def test_the_action_trace_input_writes_the_trace_named_by_the_trace_file_output(
    workspace: Workspace, emulator: SandboxServer, tmp_path: Path
) -> None:
    temp, outputs = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    workspace.config(config_text(emulator.base_url))
    env = clean_env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_WORKSPACE": str(workspace.root),
            "INPUT_USER": USER,
            "INPUT_TOKEN": TOKEN,
            "INPUT_TRACE": "true",
            "TMPDIR": str(temp),
        }
    )
    run = run_cli(workspace.root, env=env, argv0=[sys.executable, str(ENTRYPOINT)])
    assert run.code == 0, run.output
    named = parse_github_output(outputs.read_text(encoding="utf-8"))
    trace = Path(named["trace-file"])
    assert trace == temp / "release-publisher-trace.jsonl"
    assert Path(named["result-file"]).parent == trace.parent
    assert [r["method"] for r in lines(trace)] == [e["method"] for e in api_requests(emulator)]


def test_an_interrupted_run_leaves_every_finished_exchange(
    workspace: Workspace, tmp_path: Path
) -> None:
    trace = tmp_path / "stopped.trace"
    with start_sandbox(
        data_dir=tmp_path / "slow", user=USER, token=TOKEN, processing_delay=120
    ) as server:
        workspace.config(config_text(server.base_url, timeout=300))
        proc = subprocess.Popen(
            [*CLI, "publish", "--trace", str(trace)],
            cwd=workspace.root,
            env=clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seen, out, err = terminate_when_seen(
            proc, b"Waiting for Marketplace to process", settle=0.5
        )
        log = api_requests(server)
    assert proc.returncode == 130, (seen + out + err).decode(errors="replace")
    records = lines(trace)  # every line whole JSON
    # the upload was answered before the log line that preceded the stop
    assert records[0]["method"] == "POST" and records[0]["response"]["status"] == 200
    # the trace is what the emulator answered, in order (an exchange cut by the stop
    # may be missing at the end, never one in the middle)
    answered = [(e["method"], e["path"]) for e in log]
    traced = [(r["method"], r["path"]) for r in records]
    assert all(traced.count(item) <= answered.count(item) for item in traced)
    assert 0 <= len(answered) - len(records) <= 1
