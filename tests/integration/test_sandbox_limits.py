"""The emulator rehearses Marketplace's limits the client checks in pre-flight (issue
16): release notes over ``sandbox --max-release-notes`` and listing images of a type
with a known size in other dimensions (``sandbox --image-sizes strict``). A client
limit raised above the emulator's (or ``on-size-mismatch: warn``) gets Marketplace's
kind of answer after the upload; the client's defaults refuse before any request."""

from __future__ import annotations

import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher.limits import MAX_NOTES_CHARS
from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_plugin_jar, png_bytes, version_body, write_png
from tests.unit.hosts.runner_files import parse_github_output

from .conftest import TOKEN, USER, Workspace, config_text
from .helpers import CLI, api_requests, clean_env, uploads

pytestmark = pytest.mark.integration

KEY = "com.example.hello"
RERUN = "to finish, run the same release again"
BANNER = "  - {type: banner, file: marketing/banner.png}\n"


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[SandboxServer]:
    """An emulator that rehearses both limits: notes at the client's default
    (:data:`~release_publisher.limits.MAX_NOTES_CHARS`), image sizes strict."""
    with start_sandbox(
        data_dir=tmp_path / "sandbox-data",
        user=USER,
        token=TOKEN,
        max_release_notes=MAX_NOTES_CHARS,
        image_sizes="strict",
    ) as server:
        yield server


def seed_app(server: SandboxServer) -> None:
    previous = {
        "buildNumber": 100,
        "versionNumber": "1.4.1",
        "compatibilities": [
            {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}
        ],
        "supportedPaymentModel": "free",
    }
    body = {"appKey": KEY, "hostings": ["datacenter"], "versions": {"datacenter": [previous]}}
    response = requests.post(f"{server.base_url}/_sandbox/apps", json=body, timeout=5)
    assert response.status_code == 201, response.text


def release_with_notes(workspace: Workspace, server: SandboxServer, notes: str, extra: str) -> None:
    """A release of 1.4.2 whose CHANGELOG section is ``notes``; ``extra``: more lines
    of the ``release:`` section."""
    changelog = f"# Changelog\n\n## [1.4.2] - 2026-11-30\n{notes}\n\n## [1.4.1] - 2026-10-01\n- x\n"
    (workspace.root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    workspace.config(
        config_text(server.base_url)
        + "release:\n  artifact: server\n  hosting: datacenter\n  build-number: auto\n"
        "  notes: {file: CHANGELOG.md}\n" + extra
    )


def long_notes(chars: int) -> str:
    """Markdown list lines totalling at least ``chars`` characters."""
    line = "- Fixed one more thing that was broken in the previous release.\n"
    return line * (chars // len(line) + 1)


def posts(server: SandboxServer) -> list[dict[str, Any]]:
    return [r for r in api_requests(server) if r["method"] == "POST"]


def created(server: SandboxServer) -> list[dict[str, Any]]:
    response = requests.get(f"{server.base_url}/_sandbox/apps", timeout=5)
    response.raise_for_status()
    return [
        version
        for app in response.json()["apps"]
        for software in app.get("software", [])
        for version in software.get("versions", [])
        if version.get("createdAt")
    ]


def test_notes_over_the_emulators_limit_are_refused_at_create_version_with_a_fix_hint(
    workspace: Workspace, rehearsal: SandboxServer
) -> None:
    """The client's limit raised above Marketplace's: pre-flight lets the notes through,
    the artifact is uploaded, create-version answers 400 naming the field and both
    lengths, and the hint says to fix the field (a re-run fails the same way)."""
    seed_app(rehearsal)
    notes = long_notes(MAX_NOTES_CHARS + 2_000)
    release_with_notes(workspace, rehearsal, notes, "  max-length: {notes: 20000}\n")
    run = workspace.run("publish")
    assert run.code == 4, run.output  # Marketplace refused the request
    assert uploads(rehearsal) == 1  # the artifact went up before the refusal
    [create] = [r for r in posts(rehearsal) if r["endpoint"] == "create_version"]
    assert create["status"] == 400
    assert created(rehearsal) == []  # nothing stored
    assert "changelog.releaseNotes" in run.stderr
    sent = len(notes.strip())
    assert f"{sent} characters" in run.stderr and f"at most {MAX_NOTES_CHARS}" in run.stderr
    assert "fix the field" in run.stderr
    assert RERUN not in run.output
    assert run.result is not None
    assert run.result["artifacts"][0]["id"]  # kept for a --resume after the fix


def test_notes_over_the_default_client_limit_are_refused_before_any_post(
    workspace: Workspace, rehearsal: SandboxServer
) -> None:
    """The same kind of notes with the client's default limit stop in pre-flight: the
    emulator sees no POST. Raising only the client's limit gets the emulator's 400 at
    create-version: the default keeps the run from costing an upload."""
    seed_app(rehearsal)
    notes = long_notes(12_599)
    release_with_notes(workspace, rehearsal, notes, "")
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert "release.notes.file" in run.stderr and f"at most {MAX_NOTES_CHARS}" in run.stderr
    assert posts(rehearsal) == []
    release_with_notes(workspace, rehearsal, notes, "  max-length: {notes: 20000}\n")
    raised = workspace.run("publish")
    assert raised.code == 4 and uploads(rehearsal) == 1, raised.output
    assert "changelog.releaseNotes" in raised.stderr


def test_a_banner_one_pixel_short_with_warn_is_refused_at_the_image_upload(
    workspace: Workspace, rehearsal: SandboxServer, tmp_path: Path
) -> None:
    """``on-size-mismatch: warn`` lets a 1120x547 banner through pre-flight; a strict
    emulator refuses its upload (400 naming both sizes), the run fails with a clear
    error, and the artifact ID uploaded before stays in the result JSON and the step
    outputs."""
    write_png(workspace.root / "marketing" / "banner.png", 1120, 547)
    images = "  - {type: banner, file: marketing/banner.png, on-size-mismatch: warn}\n"
    workspace.config(config_text(rehearsal.base_url, images=images))
    out_file = tmp_path / "github-output"
    run = workspace.run("publish", env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out_file)})
    assert run.code == 4, run.output
    [image] = [r for r in posts(rehearsal) if r["path"] == "/rest/3/assets/images/banner"]
    assert image["status"] == 400
    assert "POST /rest/3/assets/images/banner failed: HTTP 400" in run.stderr
    assert "expected 1120x548, got 1120x547" in run.stderr
    assert "uploaded before the failure: server=" in run.stderr
    assert "export it in the size and format the message names" in run.stderr
    assert "Traceback" not in run.output and RERUN not in run.output
    assert uploads(rehearsal) == 1
    assert run.result is not None
    artifact_id = run.result["artifacts"][0]["id"]
    assert artifact_id
    assert parse_github_output(out_file.read_text())["artifact-id"] == artifact_id


def test_a_banner_one_pixel_short_fails_preflight_as_the_strict_emulator_would(
    workspace: Workspace, rehearsal: SandboxServer
) -> None:
    """With the default ``on-size-mismatch: fail`` the banner stops in pre-flight (exit
    3, no request at all); the strict emulator refuses the very same file with the
    same sizes, so pre-flight stops exactly what it would refuse."""
    banner = write_png(workspace.root / "marketing" / "banner.png", 1120, 547)
    workspace.config(config_text(rehearsal.base_url, images=BANNER))
    run = workspace.run("publish")
    assert run.code == 3, run.output
    assert "expected 1120x548 pixels for image type 'banner'" in run.stderr
    assert api_requests(rehearsal) == []
    direct = requests.post(
        f"{rehearsal.base_url}/rest/3/assets/images/banner",
        files={"file": ("banner.png", io.BytesIO(banner.read_bytes()), "image/png")},
        auth=(USER, TOKEN),
        timeout=10,
    )
    assert direct.status_code == 400
    assert "expected 1120x548, got 1120x547" in direct.json()["message"]
    ok = requests.post(
        f"{rehearsal.base_url}/rest/3/assets/images/banner",
        files={"file": ("banner.png", io.BytesIO(png_bytes(1120, 548)), "image/png")},
        auth=(USER, TOKEN),
        timeout=10,
    )
    assert ok.status_code == 200, ok.text


def test_the_sandbox_command_takes_both_limits(tmp_path: Path) -> None:
    """``release-publisher sandbox --max-release-notes 20 --image-sizes strict``: the
    options reach the emulator (create-version refuses 21 characters of notes, the
    banner endpoint a 1120x547 banner) and its start-up lines say so."""
    ready = tmp_path / "url"
    jar = build_plugin_jar(tmp_path / "hello.jar", KEY, "1.4.2")
    argv = [*CLI, "sandbox", "--max-release-notes", "20", "--image-sizes", "strict"]
    proc = subprocess.Popen(
        [*argv, "--app", KEY, "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env({"PYTHONUNBUFFERED": "1"}),
    )
    auth = ("sandbox@example.com", "sandbox-token")
    try:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        base = ready.read_text().strip()
        banner = requests.post(
            f"{base}/rest/3/assets/images/banner",
            files={"file": ("b.png", io.BytesIO(png_bytes(1120, 547)), "image/png")},
            auth=auth,
            timeout=10,
        )
        assert banner.status_code == 400, banner.text
        uploaded = requests.post(
            f"{base}/rest/3/artifacts",
            files={"file": ("hello.jar", io.BytesIO(jar.read_bytes()))},
            auth=auth,
            timeout=10,
        )
        artifact_id = uploaded.json()["_links"]["self"]["href"].rsplit("/", 1)[1]
        [software] = requests.get(
            f"{base}/rest/3/app-software/app-key/{KEY}", auth=auth, timeout=10
        ).json()
        body = version_body(artifact_id)
        body["changelog"]["releaseNotes"] = "x" * 21
        versions = f"{base}/rest/3/app-software/{software['appSoftwareId']}/versions"
        refused = requests.post(versions, json=body, auth=auth, timeout=10)
        assert refused.status_code == 400, refused.text
        assert [e["path"] for e in refused.json()["errors"]] == ["changelog.releaseNotes"]
        body["changelog"]["releaseNotes"] = "x" * 20
        assert requests.post(versions, json=body, auth=auth, timeout=10).status_code == 201
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    assert "release notes: at most 20 characters, listing image sizes: strict" in err
