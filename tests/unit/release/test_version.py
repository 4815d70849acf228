"""The app version stage in process (fake Marketplace, FakeClock): planned before any
upload, created after the images, and what an existing version with this version
number means (already published, only the listing missing, or a refusal)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import Compatibility, ListingSpec, VersionSpec
from release_publisher.errors import ApiError, ConfigError, VerificationError
from release_publisher.release import flow
from release_publisher.release.render import DRY_RUN_READ_ONLY, NO_READ_ACCESS
from release_publisher.release.rules import hosting_warnings
from release_publisher.release.run import new_result

from ..fakes import PREVIOUS_VERSION, VERSION, FakeApi, FakePhases, make_plan, publish_run


def spec(**kw: Any) -> VersionSpec:
    return VersionSpec(artifact="jar0", hosting="datacenter", **kw)


def local_sha(tmp_path: Path) -> str:
    return hashlib.sha512((tmp_path / "hello-0.jar").read_bytes()).hexdigest()


def kinds(api: FakeApi) -> list[str]:
    return [kind for kind, _, _ in api.calls]


def test_the_version_is_planned_before_any_upload_and_created_after_the_images(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    listing = ListingSpec(state="public", screenshots="screenshot")
    plan = make_plan(tmp_path, images=2, release=spec(listing=listing))
    result, saved, error = publish_run(plan, api, clock)
    assert error is None, error
    # the previous version's listing is read (to carry it over) before any upload
    assert kinds(api)[:4] == ["app-software", "versions", "get-listing", "upload"]
    assert kinds(api)[-5:] == ["image", "image", "create-version", "get-version", "listing"]
    ((software, body),) = api.created
    assert software == "sw-dc" and body["buildNumber"] == 101
    assert body["frameworkDetails"]["attributes"]["artifactId"] == "a1"
    assert body["compatibilities"] == PREVIOUS_VERSION["compatibilities"]  # copied from 1.4.1
    ((_, build, listing_body),) = api.listings
    assert build == 101
    assert [s["imageId"] for s in listing_body["screenshots"]] == [
        "img-shot0.png",
        "img-shot1.png",
    ]
    info = result.release
    assert info is not None and info.status == "created" and info.build_number == 101
    assert info.copied_from is not None and info.copied_from.version_number == "1.4.1"
    assert info.listing is not None and info.listing.state == "PUBLIC"
    assert info.url is not None
    assert info.url.endswith("/rest/3/app-software/sw-dc/versions/101")
    assert saved[-1]["release"]["status"] == "created"


def test_a_plan_missing_compatibility_is_refused_before_any_upload(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)  # no versions: the first release of major line 1
    result, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, ConfigError) and error.exit_code == 2
    assert "release.compatibility" in (error.hint or "")
    assert "upload" not in kinds(api)
    assert result.release is not None and result.release.status == "failed"


def test_this_very_release_already_published_uploads_nothing(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, images=1, release=spec(listing=ListingSpec()))
    existing = {
        **PREVIOUS_VERSION,
        "buildNumber": 101,
        "versionNumber": VERSION,
        "frameworkDetails": {"attributes": {"artifactId": "old"}},
        "listing": {"state": "public"},
    }
    api.versions = [PREVIOUS_VERSION, existing]
    api.shas["old"] = local_sha(tmp_path)
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert result.status == "unchanged"
    assert not {"upload", "image", "create-version", "listing"} & set(kinds(api))
    assert result.release is not None and result.release.status == "already-published"
    assert result.release.build_number == 101 and result.release.artifact_id == "old"
    assert result.artifacts[0].id == "old" and result.artifacts[0].reused
    assert result.version_outputs()["build-number"] == "101"


def test_an_existing_version_without_its_listing_gets_only_the_listing(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, release=spec(listing=ListingSpec()))
    api.versions = [
        PREVIOUS_VERSION,
        {**PREVIOUS_VERSION, "buildNumber": 101, "versionNumber": VERSION,
         "frameworkDetails": {"attributes": {"artifactId": "old"}}},
    ]  # fmt: skip
    api.shas["old"] = local_sha(tmp_path)
    result, _, error = publish_run(plan, api, clock)
    assert error is None, error
    assert "upload" not in kinds(api) and "create-version" not in kinds(api)
    assert [build for _, build, _ in api.listings] == [101]
    assert result.release is not None and result.release.status == "created"
    assert result.release.listing is not None


def test_another_artifact_under_this_version_number_is_refused(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [
        PREVIOUS_VERSION,
        {**PREVIOUS_VERSION, "buildNumber": 101, "versionNumber": VERSION,
         "frameworkDetails": {"attributes": {"artifactId": "old"}}},
    ]  # fmt: skip
    api.shas["old"] = "00" * 64  # another build
    _, _, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, VerificationError) and error.exit_code == 5
    assert "its artifact's SHA-512 is" in error.message and "this release's is" in error.message
    assert "upload" not in kinds(api)


def test_a_failed_version_creation_keeps_the_artifact_and_says_how_to_finish(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    api.fail_create = ApiError("Bad Request", status=400)
    result, saved, error = publish_run(make_plan(tmp_path, release=spec()), api, clock)
    assert isinstance(error, ApiError)
    assert "--resume" in (error.hint or "")
    assert result.artifacts[0].state == "verified" and result.artifacts[0].id == "a1"
    assert result.release is not None and result.release.status == "failed"
    assert saved[-1]["artifacts"][0]["id"] == "a1"


def test_a_dry_run_reads_the_version_plan_and_sends_nothing_else(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.versions = [PREVIOUS_VERSION]
    plan = make_plan(tmp_path, release=spec())
    result = new_result(plan)
    with caplog.at_level(logging.INFO, logger="release_publisher"):
        flow.dry_run(plan, result, connect=lambda: api, clock=clock, phases=FakePhases())
    assert kinds(api) == ["app-software", "versions", "close"]
    assert result.status == "dry-run"
    assert "Request: POST /rest/3/app-software/sw-dc/versions" in caplog.messages
    assert caplog.messages[-1] == DRY_RUN_READ_ONLY


def test_a_dry_run_without_credentials_says_what_the_version_plan_needs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plan = make_plan(tmp_path, release=spec())
    phases = FakePhases()
    with caplog.at_level(logging.INFO, logger="release_publisher"):
        flow.dry_run(plan, new_result(plan), connect=None, clock=FakeClock(), phases=phases)
    assert caplog.messages[-1] == NO_READ_ACCESS
    assert phases.titles == []  # no phase: nothing was read


def test_a_dry_run_shows_the_plan_before_refusing_what_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, release=spec(compatibility=None))
    with (
        caplog.at_level(logging.INFO, logger="release_publisher"),
        pytest.raises(ConfigError),
    ):
        flow.dry_run(plan, new_result(plan), connect=lambda: api, clock=clock, phases=FakePhases())
    assert any(m.startswith("Missing (nothing is uploaded") for m in caplog.messages)


def test_compatibility_stated_needs_nothing_to_copy(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    stated = spec(compatibility=(Compatibility("jira", 1, 2),), payment_model="free")
    result, _, error = publish_run(make_plan(tmp_path, release=stated), api, clock)
    assert error is None, error
    ((_, body),) = api.created
    assert body["buildNumber"] == 1 and body["supportedPaymentModel"] == "free"
    assert result.release is not None and result.release.copied_from is None


def test_a_hosting_that_does_not_fit_the_artifact_is_warned_about(tmp_path: Path) -> None:
    cloud = make_plan(tmp_path, release=VersionSpec(artifact="jar0", hosting="cloud"))
    (warning,) = hosting_warnings(cloud)
    assert warning.startswith("release.hosting is cloud but artifact 'jar0' is a JAR")
    assert hosting_warnings(make_plan(tmp_path, release=spec())) == []
