"""The listing stage in process (fake Marketplace, FakeClock): the previous version's
listing carried over, the version's own listing read before publishing (an identical
re-run publishes nothing), Marketplace's answer judged (rejected, another state,
awaiting approval), and the Partner Agreement notice."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import ListingSpec, VersionSpec
from release_publisher.errors import VerificationError
from release_publisher.release import flow
from release_publisher.release.rules import AGREEMENT_NOTICE, PARTNER_AGREEMENT_URL
from release_publisher.release.run import new_result

from ..fakes import PREVIOUS_VERSION, VERSION, FakeApi, FakePhases, make_plan, publish_run
from .test_listing_rules import FULL

SHOTS = ListingSpec(state="public", screenshots="screenshot")


def spec(**kw: Any) -> VersionSpec:
    return VersionSpec(artifact="jar0", hosting="datacenter", **kw)


def kinds(api: FakeApi) -> list[str]:
    return [kind for kind, _, _ in api.calls]


def fake(previous_listing: dict[str, Any] | None = None) -> tuple[FakeClock, FakeApi]:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    if previous_listing is not None:
        api.stored_listings[100] = previous_listing
    return clock, api


def existing_version(tmp_path: Path, api: FakeApi) -> None:
    """Version VERSION exists as build 101 with this run's artifact bytes."""
    api.versions.append(
        {**PREVIOUS_VERSION, "buildNumber": 101, "versionNumber": VERSION,
         "frameworkDetails": {"attributes": {"artifactId": "old"}}}
    )  # fmt: skip
    api.shas["old"] = hashlib.sha512((tmp_path / "hello-0.jar").read_bytes()).hexdigest()


def test_the_previous_listing_is_carried_over_with_the_new_screenshots(tmp_path: Path) -> None:
    clock, api = fake(FULL)
    plan = make_plan(tmp_path, images=2, release=spec(listing=SHOTS))
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    ((_, build, body),) = api.listings
    assert build == 101
    assert body["state"] == "PUBLIC" and body["revision"] == 1
    assert [s["imageId"] for s in body["screenshots"]] == ["img-shot0.png", "img-shot1.png"]
    assert body["highlights"][0]["screenshot"] == {"imageId": "hl-1", "caption": "Speed"}
    assert body["developerLinks"]["documentation"] == "https://docs.example.com"
    assert body["moreDetails"] == "<p>More</p>" and body["youtubeId"] == "dQw4w9WgXcQ"
    assert body["heroImage"] == {"imageId": "hero-1"}
    assert body["deploymentInstructions"][1] == {"body": "Restart"}
    info = result.release
    assert info is not None and info.listing is not None
    assert info.listing.asked_state == "PUBLIC" and not info.listing.found
    assert info.listing.url is not None
    assert info.listing.url.endswith("/rest/3/app-software/sw-dc/versions/101/listing")


def test_without_copy_from_previous_the_previous_listing_is_not_read(tmp_path: Path) -> None:
    clock, api = fake(FULL)
    release_spec = spec(
        listing=SHOTS,
        copy_from_previous=False,
        compatibility=(),
        payment_model="free",
    )
    plan = make_plan(tmp_path, images=1, release=release_spec)
    _, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert "get-listing" not in kinds(api)
    ((_, _, body),) = api.listings
    assert set(body) == {"state", "revision", "screenshots"}


def test_a_previous_version_without_a_listing_sends_what_the_config_gives(
    tmp_path: Path,
) -> None:
    clock, api = fake(None)  # GET .../versions/100/listing answers 404
    plan = make_plan(tmp_path, images=1, release=spec(listing=SHOTS))
    _, _, error = publish_run(plan, api, clock)
    assert error is None, error
    ((_, _, body),) = api.listings
    assert set(body) == {"state", "revision", "screenshots"}


def test_an_existing_listing_found_by_get_means_already_published(tmp_path: Path) -> None:
    clock, api = fake(FULL)
    plan = make_plan(tmp_path, images=1, release=spec(listing=SHOTS))
    existing_version(tmp_path, api)
    api.stored_listings[101] = {**FULL, "revision": 1}
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert api.listings == []  # no second revision
    assert not {"upload", "image", "create-version"} & set(kinds(api))
    info = result.release
    assert info is not None and info.status == "already-published"
    assert info.listing is not None and info.listing.found and info.listing.revision == 1
    assert result.status == "unchanged"  # nothing was sent but reads


def test_an_existing_version_without_a_listing_gets_it_exactly_once(tmp_path: Path) -> None:
    clock, api = fake(FULL)
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    existing_version(tmp_path, api)
    _, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert [build for _, build, _ in api.listings] == [101]
    assert "get-listing" in kinds(api)
    again, _, error = publish_run(plan, api, clock)  # the same release run again
    assert error is None, error
    assert [build for _, build, _ in api.listings] == [101]
    assert again.release is not None and again.release.status == "already-published"


@pytest.mark.parametrize(
    ("answer", "asked_vs_got"),
    [
        ({"state": "PRIVATE", "approvalStatus": "REJECTED", "revision": 1}, "rejected"),
        ({"state": "private", "approvalStatus": "rejected", "revision": 1}, "rejected"),
        ({"state": "PRIVATE", "approvalStatus": "APPROVED", "revision": 1}, "not what was asked"),
    ],
)
def test_a_rejected_listing_or_another_state_fails_with_exit_5(
    tmp_path: Path, answer: dict[str, Any], asked_vs_got: str
) -> None:
    clock, api = fake()
    api.listing_answer = answer
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    result, saved, error = publish_run(plan, api, clock)
    assert isinstance(error, VerificationError) and error.exit_code == 5
    assert asked_vs_got in error.message and "asked PUBLIC" in error.message
    assert repr(answer["state"]) in error.message
    info = result.release
    assert info is not None and info.status == "created"  # the version exists
    assert info.listing is not None and info.listing.approval_status == answer["approvalStatus"]
    assert saved[-1]["release"]["listing"]["state"] == answer["state"]


def test_a_listing_awaiting_approval_is_success_and_reported_as_such(tmp_path: Path) -> None:
    clock, api = fake()
    api.listing_answer = {"state": "PRIVATE", "approvalStatus": "SUBMITTED", "revision": 1}
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    info = result.release
    assert info is not None and info.listing is not None
    assert info.listing.awaiting_approval
    assert result.to_dict()["release"]["listing"]["awaitingApproval"] is True


def test_without_agreements_the_summary_says_the_partner_agreement_was_not_accepted(
    tmp_path: Path,
) -> None:
    clock, api = fake()
    result, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert error is None, error
    assert AGREEMENT_NOTICE in result.warnings
    ((_, body),) = api.created
    assert "acceptedAgreements" not in body  # never accepted without a config line
    clock, api = fake()
    configured = spec(agreements=(PARTNER_AGREEMENT_URL,))
    result, _, error = publish_run(make_plan(tmp_path, release=configured), api, clock)
    assert error is None, error
    assert AGREEMENT_NOTICE not in result.warnings
    ((_, body),) = api.created
    assert body["acceptedAgreements"] == [{"agreementUrl": PARTNER_AGREEMENT_URL}]


def test_a_dry_run_shows_which_listing_field_came_from_where(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock, api = fake(FULL)
    plan = make_plan(tmp_path, images=1, release=spec(listing=SHOTS))
    with caplog.at_level(logging.INFO, logger="release_publisher"):
        flow.dry_run(plan, new_result(plan), connect=lambda: api, clock=clock, phases=FakePhases())
    assert kinds(api) == ["app-software", "versions", "get-listing", "close"]
    messages = caplog.messages
    assert any(
        m.startswith("Listing: state, screenshots from the config; highlights") for m in messages
    )
    assert any(
        m.startswith("  highlights = ") and m.endswith("[copied from 1.4.1 (build 100)]")
        for m in messages
    )
    assert "Request: POST /rest/3/app-software/sw-dc/versions/101/listing" in messages
    assert any(AGREEMENT_NOTICE in m for m in messages)
