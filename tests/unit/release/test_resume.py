"""``--resume``: what a previous run got onto Marketplace is re-checked and reused,
or uploaded again when it cannot be shown to hold these bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import (
    ApiError,
    ProcessingTimeout,
    UsageError,
    VerificationError,
)
from release_publisher.preflight.model import Plan
from release_publisher.release.resume import PreviousRun, load_previous_run
from release_publisher.result import ReleaseResult

from ..fakes import DETAILS, KEY, VERSION, FakeApi, make_plan, publish_run


def run_resumed(
    plan: Plan, api: FakeApi, clock: FakeClock, previous: PreviousRun
) -> tuple[ReleaseResult, BaseException | None]:
    result, _, error = publish_run(plan, api, clock, previous=previous)
    return result, error


def _previous(result: ReleaseResult, tmp_path: Path) -> PreviousRun:
    path = tmp_path / "previous.json"
    result.write(path)
    return load_previous_run(path, app_key=KEY, version=VERSION)


def test_resume_reuses_verified_artifacts_and_images(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, files=2, images=2, spacing=10)
    first, _, error = publish_run(plan, FakeApi(clock), clock)
    assert error is None
    api = FakeApi(clock)
    api.shas = {a.id or "": a.checksum or "" for a in first.artifacts}
    result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None, error
    assert result.status == "unchanged"  # everything reused: nothing was sent but reads
    assert not any(kind in ("upload", "image") for kind, _, _ in api.calls)
    assert [a.id for a in result.artifacts] == [a.id for a in first.artifacts]
    assert all(a.reused and a.state == "verified" for a in result.artifacts)
    assert all(i.reused for i in result.images)
    assert result.image_ids() == first.image_ids()


def test_resume_uploads_again_when_the_file_changed(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, files=1)
    first, _, _ = publish_run(plan, FakeApi(clock), clock)
    previous = _previous(first, tmp_path)
    (tmp_path / "hello-0.jar").write_bytes(b"PK\x03\x04 rebuilt")  # a new build
    api = FakeApi(clock)
    api.shas = {a.id or "": a.checksum or "" for a in first.artifacts}  # the old build
    result, error = run_resumed(plan, api, clock, previous)
    assert error is None, error
    assert [kind for kind, _, _ in api.calls].count("upload") == 1
    assert result.artifacts[0].reused is False


def test_resume_uploads_again_when_marketplace_lost_it(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, files=1)
    first, _, _ = publish_run(plan, FakeApi(clock), clock)
    api = FakeApi(clock, polls=[ApiError("gone", status=404)])
    _result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None, error
    assert [kind for kind, _, _ in api.calls].count("upload") == 1


def test_resume_refuses_another_release(tmp_path: Path) -> None:
    clock = FakeClock()
    first, _, _ = publish_run(make_plan(tmp_path), FakeApi(clock), clock)
    path = tmp_path / "previous.json"
    first.write(path)
    with pytest.raises(UsageError, match=r"not of this release com\.example\.hello 1\.4\.3"):
        load_previous_run(path, app_key=KEY, version="1.4.3")


def test_resume_after_a_failed_verification_does_not_upload_the_same_bytes(
    tmp_path: Path,
) -> None:
    """The previous run's artifact failed verification; the file is unchanged, so
    uploading it again cannot help: the resumed run fails the same way, uploading
    nothing."""
    clock = FakeClock()
    plan = make_plan(tmp_path)
    bad = {"key": KEY, "version": "9.9"}
    first_api = FakeApi(clock, polls=[bad])
    first, _, error = publish_run(plan, first_api, clock)
    assert isinstance(error, VerificationError)
    api = FakeApi(clock, polls=[bad, bad])
    api.shas = dict(first_api.shas)
    _result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert isinstance(error, VerificationError) and "9.9" in error.message
    assert [kind for kind, _, _ in api.calls].count("upload") == 0


def test_resume_after_a_processing_timeout_polls_the_uploaded_artifact(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, poll_timeout=5)
    first_api = FakeApi(clock, polls=[None] * 100)
    first, _, error = publish_run(plan, first_api, clock)
    assert isinstance(error, ProcessingTimeout)
    assert first.artifacts[0].state == "uploaded"
    api = FakeApi(clock, polls=[None, None, DETAILS])
    api.shas = dict(first_api.shas)
    result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None, error
    assert [kind for kind, _, _ in api.calls].count("upload") == 0
    assert result.artifacts[0].id == first.artifacts[0].id
    assert result.artifacts[0].reused and result.artifacts[0].state == "verified"


def test_resume_uploads_again_when_marketplace_reports_no_checksum(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path)
    first, _, _ = publish_run(plan, FakeApi(clock), clock)
    api = FakeApi(clock)  # knows no checksum for the old artifact
    _result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None
    assert [kind for kind, _, _ in api.calls].count("upload") == 1
