"""The app listing and the product-version compatibility in the step outputs, the
dotenv report and the job summary (issue 13)."""

from __future__ import annotations

from release_publisher.hosts.github import step_outputs
from release_publisher.hosts.gitlab import dotenv_variables
from release_publisher.hosts.summary import render_summary
from release_publisher.result import AppListingInfo, ReleaseInfo, ReleaseResult


def result() -> ReleaseResult:
    out = ReleaseResult(app_key="com.example.hello", version="1.4.2", status="published")
    out.app_listing = AppListingInfo(
        status="updated",
        developer_id="dev",
        product_id="p1",
        state="public",
        approval_status="approved",
        revision=8,
        changes={"images.iconFileId": {"old": None, "new": "img-1"}},
    )
    out.release = ReleaseInfo(status="created", hosting="datacenter", version_number="1.4.2")
    out.release.compatibility = [
        {
            "product": "jira",
            "min": {"version": "9.12.0", "build": 912000},
            "max": {"version": "10.3.1", "build": 10030001},
            "latest": False,
            "copiedFrom": None,
        }
    ]
    return out


def test_outputs_say_whether_the_app_listing_was_updated() -> None:
    assert step_outputs(result(), "r.json")["app-listing-updated"] == "true"
    assert ("MARKETPLACE_APP_LISTING_UPDATED", "true") in dotenv_variables(result(), "r.json")
    plain = ReleaseResult(app_key="k", version="1", status="published")
    assert step_outputs(plain, "r.json")["app-listing-updated"] == ""
    assert not [n for n, _v in dotenv_variables(plain, "") if "APP_LISTING" in n]


def test_summary_has_an_app_listing_row_and_both_compatibility_forms() -> None:
    card = render_summary(result())
    assert "| App listing | updated; public, approval approved, revision 8" in card
    assert "images.iconFileId" in card and "img-1" in card
    assert "jira 9.12.0 (build 912000) to 10.3.1 (build 10030001)" in card
    assert "App listing" not in render_summary(ReleaseResult(app_key="k", version="1"))
