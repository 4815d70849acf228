"""The `release:` section end to end: from tag to app version and listing on the
emulator, with the duplicate, first-of-a-major-line and resume cases."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher.sandbox.server import SandboxServer
from release_publisher.testing import build_plugin_jar

from .conftest import Workspace, config_text
from .helpers import inject, request_log, uploads

pytestmark = pytest.mark.integration

KEY = "com.example.hello"
COMPAT = [{"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 1000000}]
IMAGES = "  - {type: screenshot, file: 'marketing/shots/*.png'}\n"
RELEASE = """release:
  artifact: server
  hosting: datacenter
  build-number: auto
  summary: "Fixes a crash on start"
  notes: {file: CHANGELOG.md}
  listing: {state: public, screenshots: screenshot}
"""
CHANGELOG = """# Changelog

## [1.4.2] - 2026-11-30
- Fixed a crash on start.

## [1.4.1] - 2026-10-01
- Earlier things.
"""


def seed(server: SandboxServer, versions: list[dict[str, Any]]) -> None:
    body = {
        "appKey": KEY,
        "hostings": ["datacenter", "server"],
        "versions": {"datacenter": versions},
    }
    response = requests.post(f"{server.base_url}/_sandbox/apps", json=body, timeout=5)
    assert response.status_code == 201, response.text


def previous_version(version: str, build: int, **extra: Any) -> dict[str, Any]:
    return {
        "buildNumber": build,
        "versionNumber": version,
        "compatibilities": COMPAT,
        "supportedPaymentModel": "free",
        "licenseType": {"id": "COMMERCIAL"},
        "frameworkDetails": {"frameworkId": "plugin", "attributes": {"pluginFrameworkType": "P2"}},
        **extra,
    }


def state(server: SandboxServer) -> dict[str, Any]:
    response = requests.get(f"{server.base_url}/_sandbox/state", timeout=5)
    response.raise_for_status()
    return dict(response.json())


def created_versions(server: SandboxServer) -> list[dict[str, Any]]:
    apps = state(server)["apps"]
    out: list[dict[str, Any]] = []
    for app in apps:
        for software in app.get("software", []):
            out += [v for v in software.get("versions", []) if v.get("createdAt")]
    return out


def release_config(workspace: Workspace, server: SandboxServer, release: str = RELEASE) -> None:
    (workspace.root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    workspace.config(config_text(server.base_url, images=IMAGES) + release)


def test_release_creates_version_and_listing(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.1", 100), previous_version("0.9.0", 50)])
    release_config(workspace, sandbox)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    release = run.result["release"]
    assert release["status"] == "created"
    assert release["buildNumber"] == 101  # auto: 1 + the highest existing build number
    assert release["copiedFrom"] == {"buildNumber": 100, "versionNumber": "1.4.1"}
    assert release["listing"]["state"] == "PUBLIC"
    assert release["url"].startswith(sandbox.base_url)
    (created,) = created_versions(sandbox)
    artifact_id = run.result["artifacts"][0]["id"]
    assert created["versionNumber"] == "1.4.2" and created["buildNumber"] == 101
    assert created["frameworkDetails"]["attributes"]["artifactId"] == artifact_id
    assert created["compatibilities"] == COMPAT  # copied from 1.4.1
    assert created["supportedPaymentModel"] == "free"
    assert created["changelog"]["releaseNotes"].strip() == "- Fixed a crash on start."
    assert created["changelog"]["releaseSummary"] == "Fixes a crash on start"
    screenshot_ids = [i["id"] for i in run.result["images"]]
    assert [s["imageId"] for s in created["listing"]["screenshots"]] == screenshot_ids
    assert "Created version 1.4.2" in run.stdout


def test_dry_run_prints_the_plan_and_creates_nothing(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    run = workspace.run("publish", "--dry-run")
    assert run.code == 0, run.output
    assert "1.4.1" in run.stdout and "copied" in run.stdout
    assert '"buildNumber": 101' in run.stdout
    assert "<artifact ID of 'server' after upload>" in run.stdout
    assert uploads(sandbox) == 0 and created_versions(sandbox) == []


def test_existing_version_number_is_refused_before_upload(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.2", 100)])
    release_config(workspace, sandbox)
    run = workspace.run("publish")
    assert run.code == 5, run.output
    assert "1.4.2" in run.stderr and "100" in run.stderr
    assert uploads(sandbox) == 0


def test_explicit_build_number_that_exists_is_refused(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox, RELEASE.replace("build-number: auto", "build-number: 100"))
    run = workspace.run("publish")
    assert run.code == 5, run.output
    assert "100" in run.stderr and "1.4.1" in run.stderr
    assert uploads(sandbox) == 0


def test_same_release_again_is_reported_as_already_published(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    first = workspace.run("publish")
    assert first.code == 0, first.output
    assert first.result is not None
    again = workspace.run("publish")
    assert again.code == 0, again.output
    assert again.result is not None
    assert again.result["release"]["status"] == "already-published"
    assert again.result["release"]["buildNumber"] == 101
    # the outputs still name the artifact that became the version
    assert again.result["artifacts"][0]["id"] == first.result["artifacts"][0]["id"]
    assert again.result["artifacts"][0]["reused"] is True
    assert uploads(sandbox) == 1  # the second run uploaded nothing
    assert len(created_versions(sandbox)) == 1


def test_first_release_of_a_major_line_needs_compatibility(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    build_plugin_jar(workspace.root / "target" / "hello-1.4.2.jar", KEY, "2.0.0")
    (workspace.root / "CHANGELOG.md").write_text("## 2.0.0\n- New major.\n", encoding="utf-8")
    text = config_text(sandbox.base_url, version="2.0.0", images=IMAGES) + RELEASE
    workspace.config(text)
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert "release.compatibility" in run.stderr
    assert uploads(sandbox) == 0

    stated = RELEASE + (
        "  compatibility:\n"
        "    - {parent-software-id: jira, min-build: 950000, max-build: 1100000}\n"
        "  payment-model: free\n"
    )
    workspace.config(config_text(sandbox.base_url, version="2.0.0", images=IMAGES) + stated)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    (created,) = created_versions(sandbox)
    assert created["versionNumber"] == "2.0.0"
    assert created["compatibilities"][0]["minBuildNumber"] == 950000


def test_resume_after_version_creation_failed(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    fault = {"endpoint": "create-version", "status": 503, "body": {"message": "maintenance"}}
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json=fault, timeout=5).raise_for_status()
    first = workspace.run("publish")
    assert first.code == 4, first.output
    assert first.result is not None
    assert first.result["artifacts"][0]["state"] == "verified"
    assert all(i["id"] for i in first.result["images"])
    previous = workspace.root / "previous.json"
    previous.write_text(json.dumps(first.result))

    second = workspace.run("publish", "--resume", str(previous))
    assert second.code == 0, second.output
    assert second.result is not None
    assert second.result["release"]["status"] == "created"
    assert second.result["artifacts"][0]["reused"] is True
    assert all(i["reused"] for i in second.result["images"])
    assert uploads(sandbox) == 1  # the artifact was not uploaded again
    (created,) = created_versions(sandbox)
    assert (
        created["frameworkDetails"]["attributes"]["artifactId"]
        == first.result["artifacts"][0]["id"]
    )


def test_a_failed_listing_is_finished_by_a_plain_rerun(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """The listing failed after the version was created: the same release run again
    finds the version with this artifact and no listing, publishes the listing only."""
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    inject(sandbox, endpoint="listing", status=500, body={"message": "listing store down"})
    first = workspace.run("publish")
    assert first.code == 4, first.output
    assert "--resume" in first.stderr  # the hint says how to finish
    again = workspace.run("publish")
    assert again.code == 0, again.output
    assert again.result is not None
    assert again.result["release"]["status"] == "created"
    assert again.result["release"]["listing"]["state"] == "PUBLIC"
    assert uploads(sandbox) == 1  # the artifact was not uploaded again
    (created,) = created_versions(sandbox)
    assert created["listing"]["state"] == "PUBLIC"
    third = workspace.run("publish")
    assert third.code == 0 and third.result is not None
    assert third.result["release"]["status"] == "already-published"


def test_resume_finishes_a_url_release_without_sha512(
    workspace: Workspace, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A fetched artifact has no local file to hash: the checksum the previous run
    verified for that very artifact ID proves the version is this release."""
    seed(sandbox, [previous_version("1.4.1", 100)])
    dist = tmp_path / "dist"
    jar = build_plugin_jar(dist / "hello-1.4.2.jar", KEY, "1.4.2")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(dist))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{files.server_address[1]}/{jar.name}"
        artifacts = f"  - name: server\n    url: {url}\n"
        (workspace.root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
        workspace.config(
            config_text(sandbox.base_url, artifacts=artifacts, images=IMAGES) + RELEASE
        )
        inject(sandbox, endpoint="listing", status=500)
        first = workspace.run("publish")
        assert first.code == 4, first.output
        previous = workspace.root / "previous.json"
        previous.write_text(json.dumps(first.result))
        second = workspace.run("publish", "--resume", str(previous))
    finally:
        files.shutdown()
    assert second.code == 0, second.output
    assert second.result is not None
    assert second.result["release"]["listing"]["state"] == "PUBLIC"
    assert len(created_versions(sandbox)) == 1


def test_resume_into_the_same_file_keeps_what_is_reusable(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """--resume and --result-json on one path: a resumed run that fails before it
    re-checks anything still leaves the IDs for the next resume."""
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    inject(sandbox, endpoint="create-version", status=503)
    first = workspace.run("publish", "--result-json", "r.json")
    assert first.code == 4, first.output
    kept = json.loads((workspace.root / "r.json").read_text())
    inject(sandbox, endpoint="app-software", status=404, times=1)
    failed = workspace.run("publish", "--resume", "r.json", "--result-json", "r.json")
    assert failed.code == 4, failed.output
    after = json.loads((workspace.root / "r.json").read_text())
    assert after["artifacts"][0]["id"] == kept["artifacts"][0]["id"]
    assert [i["id"] for i in after["images"]] == [i["id"] for i in kept["images"]]
    done = workspace.run("publish", "--resume", "r.json", "--result-json", "r.json")
    assert done.code == 0, done.output
    assert uploads(sandbox) == 1
    assert len(created_versions(sandbox)) == 1


def test_dry_run_shows_the_plan_before_refusing_what_is_missing(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    build_plugin_jar(workspace.root / "target" / "hello-1.4.2.jar", KEY, "2.0.0")
    (workspace.root / "CHANGELOG.md").write_text("## 2.0.0\n- New major.\n", encoding="utf-8")
    workspace.config(config_text(sandbox.base_url, version="2.0.0", images=IMAGES) + RELEASE)
    run = workspace.run("publish", "--dry-run")
    assert run.code == 2, run.output
    assert '"versionNumber": "2.0.0"' in run.stdout  # the body was shown
    assert "release.compatibility" in run.output


def test_check_refuses_a_changelog_without_this_version(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    (workspace.root / "CHANGELOG.md").write_text("## 1.4.1\n- old\n", encoding="utf-8")
    workspace.config(config_text(sandbox.base_url, images=IMAGES) + RELEASE)
    run = workspace.run("check")
    assert run.code == 2, run.output
    assert "CHANGELOG.md" in run.stderr and "1.4.2" in run.stderr
    assert request_log(sandbox) == []


def test_cloud_hosting_for_a_plugin_jar_is_warned_about(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    release_config(workspace, sandbox, RELEASE.replace("hosting: datacenter", "hosting: cloud"))
    run = workspace.run("check")
    assert run.code == 0, run.output
    assert "warning: release.hosting is cloud but artifact 'server' is a JAR" in run.stdout
