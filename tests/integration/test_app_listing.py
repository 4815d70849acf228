"""Issue 13 end to end on the emulator, through the CLI: the app listing's images set
by read-modify-write (and a stale revision not overwritten), and compatibility by
product version resolved to build numbers before anything is uploaded."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from release_publisher.sandbox.server import SandboxServer

from .conftest import Workspace, config_text
from .helpers import uploads
from .test_release_version import CHANGELOG, created_versions, previous_version, seed

pytestmark = pytest.mark.integration

KEY = "com.example.hello"
DEVELOPER = "0b5c1e2a-7f3d-4e55-9a0b-3c2d1e0f4a5b"
IMAGES = (
    "  - {type: icon, file: marketing/icon.png}\n"
    "  - {type: screenshot, file: 'marketing/shots/*.png'}\n"
)
APP_LISTING = f"app-listing:\n  developer-id: {DEVELOPER}\n  images: {{icon: icon}}\n"
RELEASE = """release:
  artifact: server
  hosting: datacenter
  notes: {file: CHANGELOG.md}
  listing: {state: public, screenshots: screenshot}
"""
BY_VERSION = """  compatibility:
    - {product: jira, min: "9.12.0", max: "10.3.1"}
"""


def seed_listing(server: SandboxServer, **extra: Any) -> dict[str, Any]:
    body = {"developerId": DEVELOPER, "appKey": KEY, "appName": "Hello", **extra}
    others = [{"developerId": DEVELOPER, "appKey": f"com.example.other{i}"} for i in range(12)]
    response = requests.post(
        f"{server.base_url}/_sandbox/product-listings", json=[*others, body], timeout=5
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["productListings"][-1])


def listing_now(server: SandboxServer, product_id: str) -> dict[str, Any]:
    response = requests.get(f"{server.base_url}/_sandbox/product-listings", timeout=5)
    return next(x for x in response.json()["productListings"] if x["productId"] == product_id)


def write_config(workspace: Workspace, server: SandboxServer, tail: str) -> None:
    (workspace.root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    workspace.config(config_text(server.base_url, images=IMAGES) + tail)


def test_publish_sets_the_icon_and_keeps_every_other_field(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    before = seed_listing(sandbox)
    write_config(workspace, sandbox, APP_LISTING + RELEASE)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    icon_id = next(i["id"] for i in run.result["images"] if i["type"] == "icon")
    after = listing_now(sandbox, before["productId"])
    assert after["images"]["iconFileId"] == icon_id
    assert after["revision"] == before["revision"] + 1
    for name in before:  # everything else exactly as read (found past page 1)
        if name not in ("images", "revision"):
            assert after[name] == before[name], name
    assert {k: v for k, v in after["images"].items() if k != "iconFileId"} == {
        k: v for k, v in before["images"].items() if k != "iconFileId"
    }
    info = run.result["appListing"]
    assert info["status"] == "updated" and info["productId"] == before["productId"]
    assert info["changes"] == {"images.iconFileId": {"old": None, "new": icon_id}}

    again = workspace.run("publish", "--version", "1.4.2")  # already published: no PUT
    assert again.code == 0, again.output
    assert again.result is not None and again.result["status"] == "unchanged"
    # nothing was sent: the app listing is reported as left alone, not as a change planned
    assert again.result["appListing"]["status"] == "unchanged"
    assert again.result["appListing"]["changes"] == {}
    # and a dry run says so: no version body, no app listing change planned
    dry = workspace.run("publish", "--dry-run", "--version", "1.4.2")
    assert dry.code == 0, dry.output
    assert "Nothing would be sent: the release is already there" in dry.stdout
    assert "Request: POST /rest/3/app-software" not in dry.stdout
    assert dry.result is not None and dry.result["appListing"]["status"] == "unchanged"


def test_dry_run_shows_state_and_old_to_new(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    before = seed_listing(sandbox, images={"iconFileId": "old-icon"})
    write_config(workspace, sandbox, APP_LISTING + RELEASE)
    run = workspace.run("publish", "--dry-run")
    assert run.code == 0, run.output
    assert "state public, approval approved, revision 1" in run.stdout
    assert "images.iconFileId: old-icon -> <image ID of icon.png after upload>" in run.stdout
    assert listing_now(sandbox, before["productId"]) == before
    assert uploads(sandbox) == 0


def test_stale_revision_is_not_overwritten(workspace: Workspace, sandbox: SandboxServer) -> None:
    before = seed_listing(sandbox, editAfterReads=5)  # someone edits after every read
    write_config(workspace, sandbox, APP_LISTING)
    run = workspace.run("publish")
    assert run.code == 4, run.output
    assert "NOT overwritten" in run.stderr and "STALE_REVISION" in run.stderr
    now = listing_now(sandbox, before["productId"])
    assert now["images"]["iconFileId"] is None  # the other editor's listing is kept
    assert now["tagLine"].startswith("edited by someone else")
    assert run.result is not None and run.result["appListing"]["status"] == "failed"


@pytest.mark.parametrize(
    ("listing", "code", "words"),
    [
        ({"approvalStatus": "rejected"}, 5, "rejected"),
        ({"appKey": "com.example.someone-else"}, 2, "lists no app with key"),
    ],
)
def test_a_listing_that_blocks_stops_before_any_upload(
    workspace: Workspace, sandbox: SandboxServer, listing: dict[str, Any], code: int, words: str
) -> None:
    seed_listing(sandbox, **listing)
    write_config(workspace, sandbox, APP_LISTING)
    run = workspace.run("publish")
    assert run.code == code, run.output
    assert words in run.stderr
    assert uploads(sandbox) == 0


def test_compatibility_by_product_version(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    write_config(workspace, sandbox, RELEASE + BY_VERSION)
    dry = workspace.run("publish", "--dry-run")
    assert dry.code == 0, dry.output
    assert "jira 9.12.0 (build 912000) to 10.3.1 (build 10030001)" in dry.stdout
    run = workspace.run("publish")
    assert run.code == 0, run.output
    (created,) = created_versions(sandbox)
    assert created["compatibilities"] == [
        {"parentSoftwareId": "jira", "minBuildNumber": 912000, "maxBuildNumber": 10030001}
    ]
    assert run.result is not None
    (resolved,) = run.result["release"]["compatibility"]
    assert resolved["min"] == {"version": "9.12.0", "build": 912000}


def test_max_latest_extends_the_copied_range(workspace: Workspace, sandbox: SandboxServer) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])  # jira 900000-1000000
    write_config(
        workspace, sandbox, RELEASE + "  compatibility:\n    - {product: jira, max: latest}\n"
    )
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert "copied range extended to the newest product version" in run.stdout
    (created,) = created_versions(sandbox)
    assert created["compatibilities"] == [
        {"parentSoftwareId": "jira", "minBuildNumber": 900000, "maxBuildNumber": 10040001}
    ]


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('{product: jira, min: "9.13.0", max: "10.3.1"}', "release.compatibility[0].min"),
        ('{product: jria, min: "9.12.0", max: latest}', "closest known: jira"),
    ],
)
def test_unknown_product_version_is_exit_2_before_upload(
    workspace: Workspace, sandbox: SandboxServer, entry: str, words: str
) -> None:
    seed(sandbox, [previous_version("1.4.1", 100)])
    write_config(workspace, sandbox, RELEASE + f"  compatibility:\n    - {entry}\n")
    run = workspace.run("publish")
    assert run.code == 2, run.output
    assert words in run.stderr
    assert "closest known" in run.stderr
    assert uploads(sandbox) == 0
