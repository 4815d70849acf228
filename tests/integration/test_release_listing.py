"""The version listing end to end on the emulator: version N's full listing carried
over to version N+1 with the new screenshots, an identical re-run that finds the
listing by GET and publishes nothing, and Marketplace's answer judged (rejected:
exit 5; submitted: awaiting approval)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from release_publisher.sandbox.server import SandboxServer

from .conftest import TOKEN, USER, Workspace
from .helpers import request_log
from .test_release_version import KEY, previous_version, release_config

pytestmark = pytest.mark.integration

#: version N's listing as the vendor keeps it in the Marketplace UI (image IDs that
#: Marketplace already has)
FULL_LISTING: dict[str, Any] = {
    "state": "PUBLIC",
    "approvalStatus": "APPROVED",
    "revision": 4,
    "screenshots": [{"imageId": "old-shot", "caption": "Old board"}],
    "highlights": [
        {
            "title": "Boards in seconds",
            "caption": "Fast",
            "summary": "Loads 10k issues",
            "thumbnail": {"imageId": "hl-thumb"},
            "screenshot": {"imageId": "hl-shot", "caption": "Speed"},
        }
    ],
    "moreDetails": "<p>Everything about hello.</p>",
    "heroImage": {"imageId": "hero"},
    "youtubeId": "dQw4w9WgXcQ",
    "deploymentInstructions": [{"body": "Install from the UPM"}],
    "developerLinks": {
        "documentation": "https://docs.example.com/hello",
        "learnMore": "https://example.com/hello",
        "eula": "https://example.com/eula",
        "bonTermsSupported": True,
    },
}
CARRIED = [
    k for k in FULL_LISTING if k not in ("state", "approvalStatus", "revision", "screenshots")
]


def seed_app(server: SandboxServer, approval: str = "auto") -> None:
    body = {
        "appKey": KEY,
        "hostings": ["datacenter"],
        "approval": approval,
        "versions": {"datacenter": [previous_version("1.4.1", 100, listing=FULL_LISTING)]},
    }
    response = requests.post(f"{server.base_url}/_sandbox/apps", json=body, timeout=5)
    assert response.status_code == 201, response.text


def get_listing(server: SandboxServer, build: int) -> dict[str, Any]:
    """``GET .../versions/{build}/listing`` as any client would read it."""
    found = requests.get(
        f"{server.base_url}/rest/3/app-software/app-key/{KEY}", auth=(USER, TOKEN), timeout=5
    )
    sid = found.json()[0]["appSoftwareId"]
    response = requests.get(
        f"{server.base_url}/rest/3/app-software/{sid}/versions/{build}/listing",
        auth=(USER, TOKEN),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def listing_posts(server: SandboxServer) -> int:
    return sum(1 for e in request_log(server) if e["endpoint"] == "listing")


def test_version_n_plus_1_gets_version_ns_listing_with_the_new_screenshots_once(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed_app(sandbox)
    release_config(workspace, sandbox)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    listing = get_listing(sandbox, 101)
    for name in CARRIED:
        assert listing[name] == FULL_LISTING[name], name
    screenshot_ids = [i["id"] for i in run.result["images"]]
    assert [s["imageId"] for s in listing["screenshots"]] == screenshot_ids  # the new ones
    assert listing["state"] == "PUBLIC" and listing["revision"] == 1
    recorded = run.result["release"]["listing"]
    assert recorded["state"] == "PUBLIC" and recorded["approvalStatus"] == "APPROVED"
    assert recorded["url"].endswith("/versions/101/listing")
    assert "carried over from 1.4.1 (build 100)" in run.output

    again = workspace.run("publish")  # the identical release run again
    assert again.code == 0, again.output
    assert again.result is not None
    assert again.result["release"]["status"] == "already-published"
    assert listing_posts(sandbox) == 1  # found by GET: no second revision
    assert any(e["endpoint"] == "get_listing" for e in request_log(sandbox))
    assert get_listing(sandbox, 101)["revision"] == 1


def test_a_dry_run_shows_where_each_listing_field_comes_from(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed_app(sandbox)
    release_config(workspace, sandbox)
    run = workspace.run("publish", "--dry-run")
    assert run.code == 0, run.output
    assert "highlights = " in run.output and "[copied from 1.4.1 (build 100)]" in run.output
    assert "Partner Agreement was not accepted by this request" in run.output
    assert listing_posts(sandbox) == 0


def test_a_rejected_listing_fails_naming_asked_and_got(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed_app(sandbox, approval="reject")
    release_config(workspace, sandbox)
    run = workspace.run("publish")
    assert run.code == 5, run.output
    assert "asked PUBLIC" in run.output and "REJECTED" in run.output
    assert run.result is not None
    assert run.result["release"]["listing"]["approvalStatus"] == "REJECTED"


def test_a_listing_awaiting_approval_is_published_and_says_so(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    seed_app(sandbox, approval="manual")
    release_config(workspace, sandbox)
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert run.result is not None
    listing = run.result["release"]["listing"]
    assert listing["approvalStatus"] == "SUBMITTED" and listing["awaitingApproval"] is True
