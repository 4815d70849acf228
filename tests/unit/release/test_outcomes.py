"""What a re-run and its outcome look like in process (fake Marketplace, FakeClock):
if-exists skip, the clash message, the status words, the read-back of the created
version, a duplicate or lost create answer, the listing's outcome."""

from __future__ import annotations

from pathlib import Path

from release_publisher.clock import FakeClock
from release_publisher.config.model import ListingSpec
from release_publisher.errors import ApiError, VerificationError

from ..fakes import PREVIOUS_VERSION, VERSION, FakeApi, make_plan, publish_run
from .test_version import kinds, local_sha, spec

OTHER = {
    **PREVIOUS_VERSION,
    "buildNumber": 101,
    "versionNumber": VERSION,
    "frameworkDetails": {"attributes": {"artifactId": "old"}},
}


def test_if_exists_skip_sends_nothing_and_names_both_checksums(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION, OTHER]
    api.shas["old"] = "00" * 64  # the artifact of an earlier build
    plan = make_plan(tmp_path, images=1, release=spec(if_exists="skip", listing=ListingSpec()))
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert result.status == "skipped" and result.ok
    assert not {"upload", "image", "create-version", "listing"} & set(kinds(api))
    (warning,) = result.warnings
    assert "00" * 64 in warning and local_sha(tmp_path) in warning
    assert result.release is not None and result.release.status == "skipped"
    assert result.version_outputs()["build-number"] == "101"
    assert result.listing_outputs()["listing-state"] == "not-published"


def test_the_clash_message_shows_both_checksums_and_the_two_ways_out(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION, OTHER]
    api.shas["old"] = "00" * 64
    _, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, VerificationError) and error.exit_code == 5
    assert "00" * 64 in error.message and local_sha(tmp_path) in error.message
    assert "project.build.outputTimestamp" in error.message
    assert "if-exists: skip" in (error.hint or "")
    assert "new version number" in (error.hint or "")


def test_an_explicit_build_number_clash_leads_with_the_build_number(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    _, _, error = publish_run(make_plan(tmp_path, release=spec(build_number=100)), api, clock)
    assert isinstance(error, VerificationError)
    assert error.message.startswith("release.build-number 100 is taken")
    assert (error.hint or "").startswith("set release.build-number")
    assert "new version" not in (error.hint or "")


def test_a_version_stored_with_another_beta_fails_verification(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.store_as = {"beta": False}
    _, _, error = publish_run(make_plan(tmp_path, release=spec(beta=True)), api, clock)
    assert isinstance(error, VerificationError) and error.exit_code == 5
    assert "beta: sent true, stored false" in error.message
    assert "listing" not in kinds(api)


def test_a_duplicate_answer_for_this_runs_version_is_taken_as_created(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.fail_after_store = ApiError("Conflict", status=409)
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert result.status == "published"
    assert result.release is not None and result.release.status == "created"
    assert [build for _, build, _ in api.listings] == [101]


def test_a_duplicate_answer_for_another_release_fails_showing_both(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.store_as = {"versionNumber": "9.9.9"}  # someone else's version under build 101
    api.fail_after_store = ApiError("Conflict", status=409)
    _, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, ApiError)
    assert "9.9.9 (build 101)" in error.message and "a1" in error.message


def test_a_400_is_not_taken_for_a_duplicate(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.fail_create = ApiError("Bad Request", status=400)
    _, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, ApiError) and "get-version" not in kinds(api)


def test_a_failed_listing_says_so_in_the_result(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.fail_listing = ApiError("listing store down", status=500)
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    result, saved, error = publish_run(plan, api, clock)
    assert isinstance(error, ApiError)
    assert result.release is not None and result.release.exists
    assert saved[-1]["release"]["listingNotPublished"] == "failed: listing store down"


def test_no_listing_asked_for_says_so(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    result, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert error is None
    assert result.to_dict()["release"]["listingNotPublished"].startswith("not asked for")
    assert result.listing_outputs() == {"listing-state": "not-published", "listing-url": ""}


def test_a_listing_awaiting_approval_has_its_own_status(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.listing_answer = {"state": "PUBLIC", "approvalStatus": "SUBMITTED", "revision": 1}
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert result.status == "awaiting-approval" and result.ok
    outputs = result.listing_outputs()
    assert outputs["listing-state"] == "awaiting-approval"
    assert outputs["listing-url"].endswith("/versions/101/listing")


def test_the_marketplace_page_is_in_the_result(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    result, _, _ = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    page = result.to_dict()["release"]["marketplacePage"]
    assert page == "https://marketplace.atlassian.com/plugins/com.example.hello"
