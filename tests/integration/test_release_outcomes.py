"""Re-runs and outcomes on the emulator: the status words of a second run, a rebuilt
artifact for an existing version (fail, or if-exists: skip), what Marketplace stored
read back, a lost or duplicate create answer reconciled, two runs of one release, a
failed listing reported as such."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher.sandbox.server import SandboxServer
from release_publisher.testing import build_plugin_jar
from tests.unit.hosts.runner_files import parse_github_output

from .conftest import Workspace
from .helpers import inject, uploads
from .test_release_version import (
    KEY,
    created_versions,
    previous_version,
    release_config,
    seed,
)

pytestmark = pytest.mark.integration


def quirks(server: SandboxServer, **body: Any) -> None:
    response = requests.post(f"{server.base_url}/_sandbox/versions/quirks", json=body, timeout=5)
    assert response.status_code == 200, response.text


def rebuild(workspace: Workspace) -> None:
    """The same version built again: other bytes (a timestamp), other SHA-512."""
    build_plugin_jar(
        workspace.root / "target" / "hello-1.4.2.jar",
        KEY,
        "1.4.2",
        extra={"META-INF/build-time.txt": b"2026-12-01T10:00:00Z"},
    )


def github_env(workspace: Workspace) -> tuple[dict[str, str], Path, Path]:
    out = workspace.root / "gh-output"
    summary = workspace.root / "gh-summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(out),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    return env, out, summary


def outputs(path: Path) -> dict[str, str]:
    return parse_github_output(path.read_text(encoding="utf-8"))


def test_a_second_run_of_the_same_release_is_unchanged(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    env, out, summary = github_env(workspace)
    first = workspace.run("publish", env=env)
    assert first.code == 0, first.output
    assert first.result is not None and first.result["status"] == "published"
    first_outputs = outputs(out)
    assert first_outputs["listing-state"] == "public"
    assert first_outputs["listing-url"].endswith("/versions/101/listing")
    out.unlink()
    again = workspace.run("publish", env=env)
    assert again.code == 0, again.output
    assert again.result is not None and again.result["status"] == "unchanged"
    assert outputs(out)["status"] == "unchanged"
    assert outputs(out)["listing-state"] == "not-published"
    card = summary.read_text(encoding="utf-8")
    assert "1.4.2 was already on Data Center as build 101: nothing was sent" in card
    assert f"https://marketplace.atlassian.com/plugins/{KEY}" in card
    assert uploads(sandbox) == 1


def test_a_rebuilt_artifact_clash_names_both_checksums_and_the_ways_out(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    first = workspace.run("publish")
    assert first.code == 0, first.output
    assert first.result is not None
    theirs = first.result["artifacts"][0]["checksum"]
    rebuild(workspace)
    clash = workspace.run("publish")
    assert clash.code == 5, clash.output
    assert theirs in clash.stderr  # the SHA-512 Marketplace has
    assert "project.build.outputTimestamp" in clash.stderr
    assert "if-exists: skip" in clash.stderr and "new version number" in clash.stderr
    assert uploads(sandbox) == 1

    skipped = workspace.run("publish", "--if-exists", "skip")
    assert skipped.code == 0, skipped.output
    assert skipped.result is not None and skipped.result["status"] == "skipped"
    (warning,) = [w for w in skipped.result["warnings"] if "if-exists is skip" in w]
    assert theirs in warning
    assert skipped.result["release"]["buildNumber"] == 101
    assert uploads(sandbox) == 1 and len(created_versions(sandbox)) == 1


def test_if_exists_skip_in_the_config(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.2", 100)])  # 1.4.2 without this artifact
    release_config(workspace, sandbox)
    text = (workspace.root / "marketplace-release.yml").read_text(encoding="utf-8")
    workspace.config(text + "  if-exists: skip\n")
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "skipped"
    assert uploads(sandbox) == 0


def test_a_version_stored_with_other_fields_is_a_verification_failure(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    quirks(sandbox, storeAs={"beta": True})
    run = workspace.run("publish")
    assert run.code == 5, run.output
    assert "beta: sent false, stored true" in run.stderr
    assert run.result is not None and run.result["status"] == "failed"


def test_a_create_whose_answer_was_lost_after_it_was_stored_goes_on(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    quirks(sandbox, answerAfterStore=504)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "published"
    assert run.result["release"]["status"] == "created"
    assert run.result["release"]["listing"]["state"] == "PUBLIC"
    assert len(created_versions(sandbox)) == 1


def test_a_duplicate_answer_for_this_runs_own_version_is_reconciled(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """The version holds this run's artifact ID but a stale versions list hid it: the
    409 DUPLICATE_VERSION is read back and taken as created."""
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    quirks(sandbox, answerAfterStore=504)
    inject(sandbox, endpoint="get-version", status=400, body={"message": "no"}, times=1)
    first = workspace.run("publish")
    assert first.code == 4, first.output
    assert first.result is not None
    previous = workspace.root / "previous.json"
    previous.write_text(json.dumps(first.result))
    quirks(sandbox, staleList=1)
    second = workspace.run("publish", "--resume", str(previous))
    assert second.code == 0, second.output
    assert second.result is not None and second.result["status"] == "published"
    assert second.result["release"]["status"] == "created"
    assert second.result["release"]["listing"]["state"] == "PUBLIC"
    assert uploads(sandbox) == 1 and len(created_versions(sandbox)) == 1


def test_two_runs_of_the_same_release_do_not_report_a_live_release_as_failed(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    first = workspace.run("publish")
    assert first.code == 0, first.output
    quirks(sandbox, staleList=1)  # the second run planned before the first created
    second = workspace.run("publish")
    assert second.code == 0, second.output
    assert second.result is not None and second.result["status"] == "published"
    assert second.result["release"]["status"] == "already-published"
    assert any("another run of this same release" in w for w in second.result["warnings"])
    assert len(created_versions(sandbox)) == 1


def test_a_failed_listing_is_reported_as_not_published(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    env, out, summary = github_env(workspace)
    inject(sandbox, endpoint="listing", status=500, body={"message": "listing store down"})
    run = workspace.run("publish", env=env)
    assert run.code == 4, run.output
    assert run.result is not None
    assert run.result["release"]["listingNotPublished"].startswith("failed:")
    assert outputs(out)["listing-state"] == "not-published"
    assert "Listing | not published — failed:" in summary.read_text(encoding="utf-8")


def test_a_dry_run_with_credentials_prints_the_plan_once(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    run = workspace.run("publish", "--dry-run")
    assert run.code == 0, run.output
    assert "with credentials shows them" not in run.stdout
    assert run.stdout.count("Request: POST /rest/3/app-software/") == 2  # version, listing
    assert run.stdout.count("App version (datacenter), from artifact server:") == 1


def test_the_pre_flight_group_says_what_it_checked(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    release_config(workspace, sandbox)
    run = workspace.run("check")
    assert run.code == 0, run.output
    group = run.stdout.split("== Pre-flight checks\n", 1)[1]
    assert group.startswith("Artifact server: target/hello-1.4.2.jar (")
    assert "Pre-flight checked 1 artifact and 2 listing images; no warnings" in group


def test_captions_from_the_config_and_a_file_beside_the_image_are_sent_and_shown(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    release_config(workspace, sandbox)
    text = (workspace.root / "marketplace-release.yml").read_text(encoding="utf-8")
    text = text.replace(
        "listing: {state: public, screenshots: screenshot}",
        'listing: {state: public, screenshots: screenshot, captions: {a.png: "The start"}}',
    )
    workspace.config(text)
    (workspace.root / "marketing" / "shots" / "b.png.txt").write_text("Settings page\n")
    check = workspace.run("check")
    assert check.code == 0, check.output
    assert "caption of a.png: 'The start' (config)" in check.stdout
    assert "caption of b.png: 'Settings page' (b.png.txt)" in check.stdout
    assert "release notes (25 characters, from CHANGELOG.md):" in check.stdout
    assert "       | - Fixed a crash on start." in check.stdout
    assert "release summary (22 characters): Fixes a crash on start" in check.stdout
    env, _, summary = github_env(workspace)
    run = workspace.run("publish", env=env)
    assert run.code == 0, run.output
    (created,) = created_versions(sandbox)
    assert [s["caption"] for s in created["listing"]["screenshots"]] == [
        "The start",
        "Settings page",
    ]
    card = summary.read_text(encoding="utf-8")
    assert "Release notes sent (25 characters)" in card
    assert "| Caption of `b.png` | Settings page |" in card
