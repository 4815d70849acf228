"""The outcome words on every host: the same status word in the step outputs, the
dotenv report and the job summary; listing-state and listing-url; the headline; the
listing row; times below a second in milliseconds; no empty header row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from release_publisher.hosts.github import GitHubHost, step_outputs
from release_publisher.hosts.gitlab import dotenv_variables
from release_publisher.hosts.summary import duration, render_summary
from release_publisher.outcome import headline, listing_line
from release_publisher.result import (
    STATUS_WORDS,
    ListingInfo,
    ReleaseInfo,
    ReleaseResult,
)

from .runner_files import parse_github_output


def released(status: str = "published", listing: ListingInfo | None = None) -> ReleaseResult:
    result = ReleaseResult(app_key="com.example.hello", version="2.4.0", status=status)
    result.release = ReleaseInfo(
        status="created",
        hosting="datacenter",
        version_number="2.4.0",
        build_number=220103,
        url="https://api.example/rest/3/app-software/sw/versions/220103",
        listing=listing,
        marketplace_page="https://marketplace.atlassian.com/plugins/com.example.hello",
    )
    return result


PUBLIC = ListingInfo(state="public", approval_status="approved", revision=1)


@pytest.mark.parametrize("status", STATUS_WORDS)
def test_the_status_word_is_the_same_in_outputs_dotenv_and_summary(status: str) -> None:
    result = released(status, PUBLIC)
    assert step_outputs(result, "")["status"] == status
    assert dict(dotenv_variables(result, ""))["MARKETPLACE_STATUS"] == status
    assert f"`{status}`" in render_summary(result)


def test_listing_outputs_on_github_and_gitlab(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.touch()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)}
    GitHubHost(env, stream=io.StringIO()).publish(released(listing=PUBLIC), result_file=None)
    outputs = parse_github_output(out.read_text())
    assert outputs["listing-state"] == "public"
    assert outputs["listing-url"].endswith("/versions/220103/listing")
    dotenv = dict(dotenv_variables(released(listing=PUBLIC), ""))
    assert dotenv["MARKETPLACE_LISTING_STATE"] == "public"


def test_a_listing_not_published_says_why_in_the_summary() -> None:
    result = released()
    assert result.release is not None
    result.release.listing_not_published = "failed: listing store down"
    card = render_summary(result)
    assert "| Listing | not published — failed: listing store down |" in card
    assert listing_line(result) == "Listing: not published — failed: listing store down"
    assert step_outputs(result, "")["listing-state"] == "not-published"
    assert step_outputs(result, "")["listing-url"] == ""


def test_the_headline_says_what_happened_in_words() -> None:
    assert headline(released(listing=PUBLIC)) == (
        "Released 2.4.0 to Data Center as build 220103; listing public, approval approved"
    )
    assert headline(released("unchanged")) == (
        "2.4.0 was already on Data Center as build 220103: nothing was sent"
    )
    card = render_summary(released(listing=PUBLIC))
    assert card.splitlines()[2].startswith("Released 2.4.0 to Data Center")


def test_the_summary_labels_the_api_link_and_the_marketplace_page() -> None:
    card = render_summary(released(listing=PUBLIC))
    assert "| API link | https://api.example/rest/3/app-software" in card
    assert "| Marketplace page (public site) | https://marketplace.atlassian.com/plugins/" in card


def test_no_key_value_table_has_an_empty_header_row() -> None:
    assert "| | |" not in render_summary(released(listing=PUBLIC))


def test_times_below_a_second_are_in_milliseconds() -> None:
    assert duration(0.3404) == "340 ms"
    assert duration(12.34) == "12.3 s"
    result = released()
    result.timings = {"version": 0.25}
    assert "| version | 250 ms |" in render_summary(result)
