"""The pipeline with a fake Marketplace and a fake clock: pacing, polling, verification,
and what the result keeps when a step fails."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import ArtifactSpec, ImageSpec, ReleaseConfig
from release_publisher.errors import ApiError, ProcessingTimeout, UsageError, VerificationError
from release_publisher.marketplace.models import Artifact, Media
from release_publisher.pipeline import Pipeline, Progress, new_result
from release_publisher.preflight.model import Descriptor, LocalArtifact, LocalImage, Plan
from release_publisher.result import ReleaseResult
from release_publisher.resume import PreviousRun, load_previous_run

KEY = "com.example.hello"
VERSION = "1.4.2"
DETAILS = {"key": KEY, "version": VERSION, "name": "Hello", "dataCenterCompatible": True}


class Phases:
    def __init__(self) -> None:
        self.titles: list[str] = []

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.titles.append(title)
        yield


class FakeApi:
    """Answers like Marketplace; ``polls`` is a script of GET answers (details dicts,
    None for 'details absent', or an exception to raise)."""

    def __init__(self, clock: FakeClock, polls: list[Any] | None = None) -> None:
        self.clock = clock
        self.polls = list(polls or [])
        self.calls: list[tuple[str, str, float]] = []
        self.checksum_override: str | None = None
        self.next_id = 0
        self.shas: dict[str, str] = {}  # what "Marketplace" reports per artifact ID
        self.image_content_types: list[str | None] = []

    def _artifact(self, details: dict[str, Any] | None, checksum: str | None) -> Artifact:
        return Artifact(
            id=f"a{self.next_id}",
            self_url=f"/rest/3/artifacts/a{self.next_id}",
            checksum=checksum,
            details=details,
            binary_url=f"/rest/3/artifacts/a{self.next_id}/binary",
        )

    def upload_artifact(
        self, path: Path, *, progress: Progress | None = None
    ) -> tuple[Artifact, str]:
        self.next_id += 1
        self.calls.append(("upload", str(path), self.clock.monotonic()))
        sha = hashlib.sha512(path.read_bytes()).hexdigest()
        self.current_sha = self.checksum_override or sha
        self.shas[f"a{self.next_id}"] = self.current_sha
        return self._artifact(None, self.current_sha), sha

    def fetch_artifact(self, uri: str) -> Artifact:
        self.next_id += 1
        self.calls.append(("fetch", uri, self.clock.monotonic()))
        self.current_sha = self.checksum_override or "ab" * 64
        self.shas[f"a{self.next_id}"] = self.current_sha
        return self._artifact(None, self.current_sha)

    def get_artifact(self, artifact_id: str) -> Artifact:
        self.calls.append(("get", artifact_id, self.clock.monotonic()))
        answer = self.polls.pop(0) if self.polls else DETAILS
        if isinstance(answer, Exception):
            raise answer
        return Artifact(
            id=artifact_id,
            self_url=f"/rest/3/artifacts/{artifact_id}",
            checksum=self.shas.get(artifact_id),
            details=answer,
        )

    def upload_image(
        self,
        image_type: str,
        path: Path,
        *,
        progress: Progress | None = None,
        content_type: str | None = None,
    ) -> Media:
        self.image_content_types.append(content_type)
        self.calls.append(("image", f"{image_type}:{path.name}", self.clock.monotonic()))
        return Media(id=f"img-{path.name}")


def make_plan(
    tmp_path: Path,
    *,
    files: int = 1,
    url: bool = False,
    images: int = 0,
    expect: dict[str, Any] | None = None,
    spacing: float = 10.0,
    poll_timeout: float = 60.0,
    sha512: str | None = None,
) -> Plan:
    artifacts: list[LocalArtifact] = []
    for i in range(files):
        path = tmp_path / f"hello-{i}.jar"
        path.write_bytes(b"PK\x03\x04 jar bytes %d" % i)
        spec = ArtifactSpec(name=f"jar{i}", file=path.name, url=None, expect=expect or {})
        artifacts.append(
            LocalArtifact(
                spec=spec,
                path=path,
                size=path.stat().st_size,
                kind="jar",
                descriptor=Descriptor(KEY, VERSION, "Hello", "atlassian-plugin.xml"),
            )
        )
    if url:
        spec = ArtifactSpec(
            name="remote", file=None, url="https://example.com/h.obr", sha512=sha512
        )
        artifacts.append(LocalArtifact(spec=spec))
    local_images = []
    for i in range(images):
        path = tmp_path / f"shot{i}.png"
        path.write_bytes(b"\x89PNG fake")
        local_images.append(
            LocalImage(
                spec=ImageSpec(type="screenshot", file="shot*.png"),
                path=path,
                size=9,
                format="png",
                width=10,
                height=10,
            )
        )
    config = ReleaseConfig(
        path=tmp_path / "release.yml",
        base_dir=tmp_path,
        app_key=KEY,
        version=VERSION,
        artifacts=tuple(a.spec for a in artifacts),
        images=tuple(i.spec for i in local_images),
        poll_timeout=poll_timeout,
        poll_interval=2.0,
        upload_spacing=spacing,
    )
    return Plan(config=config, artifacts=tuple(artifacts), images=tuple(local_images))


def run(
    plan: Plan, api: FakeApi, clock: FakeClock
) -> tuple[ReleaseResult, list[dict[str, Any]], BaseException | None]:
    result = new_result(plan)
    saved: list[dict[str, Any]] = []
    pipeline = Pipeline(
        plan=plan,
        api=api,
        clock=clock,
        phases=Phases(),
        checkpoint=lambda r: saved.append(r.to_dict()),
    )
    try:
        pipeline.run(result)
    except Exception as exc:  # noqa: BLE001 - the test inspects any failure
        return result, saved, exc
    return result, saved, None


def test_publishes_verifies_and_uploads_images(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[None, {"key": KEY}, DETAILS])
    plan = make_plan(tmp_path, images=2, expect={"dataCenterCompatible": True})
    result, saved, error = run(plan, api, clock)
    assert error is None
    assert result.status == "published"
    art = result.artifacts[0]
    assert art.id == "a1" and art.state == "verified"
    assert art.key == KEY and art.version == VERSION
    assert art.checksum == hashlib.sha512((tmp_path / "hello-0.jar").read_bytes()).hexdigest()
    assert set(art.verified) == {"key", "version", "checksum", "dataCenterCompatible"}
    assert [c[0] for c in api.calls] == ["upload", "get", "get", "get", "image", "image"]
    assert result.image_ids() == {"screenshot": ["img-shot0.png", "img-shot1.png"]}
    assert saved[-1]["status"] == "published"


def test_uploads_are_spaced(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, files=3, spacing=10.0)
    _, _, error = run(plan, api, clock)
    assert error is None
    starts = [t for kind, _, t in api.calls if kind == "upload"]
    assert len(starts) == 3
    assert all(b - a >= 10.0 for a, b in itertools.pairwise(starts))


def test_no_spacing_before_first_upload_and_when_zero(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    start = clock.monotonic()
    plan = make_plan(tmp_path, files=2, spacing=0)
    run(plan, api, clock)
    starts = [t for kind, _, t in api.calls if kind == "upload"]
    assert starts[0] == start
    # only the poll wait (1 s) lies between the uploads, no spacing wait
    assert starts[1] - starts[0] == pytest.approx(1.0)


def test_poll_backoff_is_bounded_and_fast_to_notice(tmp_path: Path) -> None:
    """Details arrive after ~20 s: the pipeline notices within one poll cap and does
    not hammer the API."""
    clock = FakeClock()
    ready_at = clock.monotonic() + 20.0

    class SlowApi(FakeApi):
        def get_artifact(self, artifact_id: str) -> Artifact:
            self.calls.append(("get", artifact_id, self.clock.monotonic()))
            details = DETAILS if self.clock.monotonic() >= ready_at else None
            return Artifact(
                id=artifact_id, self_url="x", checksum=self.current_sha, details=details
            )

    api = SlowApi(clock)
    _, _, error = run(make_plan(tmp_path), api, clock)
    assert error is None
    gets = [t for kind, _, t in api.calls if kind == "get"]
    assert gets[-1] - ready_at <= 2.0  # at most one polling.interval late
    assert len(gets) <= 14
    assert max(clock.sleeps) <= 2.0


def test_poll_through_404_and_503_then_complete(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(
        clock,
        polls=[
            ApiError("not found", status=404),
            None,
            None,
            ApiError("busy", status=503, retry_after=5.0),
            DETAILS,
        ],
    )
    result, _, error = run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"
    assert 5.0 in clock.sleeps  # Retry-After honoured while polling


def test_poll_stops_on_non_transient_error(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[ApiError("denied", status=403)])
    result, _, error = run(make_plan(tmp_path), api, clock)
    assert isinstance(error, ApiError) and error.status == 403
    assert result.artifacts[0].id == "a1"


def test_processing_timeout_keeps_artifact_id(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[None] * 1000)
    start = clock.monotonic()
    result, saved, error = run(make_plan(tmp_path, poll_timeout=30), api, clock)
    assert isinstance(error, ProcessingTimeout)
    assert "a1" in error.message and "30 s" in error.message
    assert clock.monotonic() - start <= 30.0 + 1e-6
    gets = sum(1 for c in api.calls if c[0] == "get")
    assert gets <= 30 / 1.0  # bounded requests per minute
    assert result.artifacts[0].id == "a1" and result.artifacts[0].state == "uploaded"
    assert saved[-1]["artifacts"][0]["id"] == "a1"


@pytest.mark.parametrize(
    ("details", "expected_words"),
    [
        ({"key": KEY, "version": "1.4.1"}, ["version", "'1.4.2'", "'1.4.1'"]),
        ({"key": "com.example.Hello", "version": VERSION}, ["app key", "com.example.Hello"]),
        ({"key": KEY, "version": "1.4.2-SNAPSHOT"}, ["1.4.2-SNAPSHOT"]),
    ],
)
def test_verification_mismatch_stops_before_images(
    tmp_path: Path, details: dict[str, Any], expected_words: list[str]
) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[details])
    result, saved, error = run(make_plan(tmp_path, images=2), api, clock)
    assert isinstance(error, VerificationError)
    for word in expected_words:
        assert word in error.message
    assert not any(c[0] == "image" for c in api.calls)
    assert result.artifacts[0].id == "a1"
    assert saved[-1]["artifacts"][0]["id"] == "a1"


def test_checksum_mismatch(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.checksum_override = "00" * 64
    _, _, error = run(make_plan(tmp_path), api, clock)
    assert isinstance(error, VerificationError)
    assert "SHA-512" in error.message


def test_expect_field_compares_type_and_value(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[{**DETAILS, "dataCenterCompatible": "true"}])
    _, _, error = run(make_plan(tmp_path, expect={"dataCenterCompatible": True}), api, clock)
    assert isinstance(error, VerificationError)
    assert "details.dataCenterCompatible" in error.message


def test_url_artifact_checks_configured_sha512(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, files=0, url=True, sha512="cd" * 64)
    result, _, error = run(plan, api, clock)
    assert isinstance(error, VerificationError)
    assert result.artifacts[0].source == "url" and result.artifacts[0].id == "a1"
    ok_plan = make_plan(tmp_path, files=0, url=True, sha512="ab" * 64)
    result, _, error = run(ok_plan, FakeApi(clock), clock)
    assert error is None and result.artifacts[0].verified["checksum"] == "ab" * 64


def test_url_artifact_without_sha512_records_reported_checksum(tmp_path: Path) -> None:
    clock = FakeClock()
    result, _, error = run(make_plan(tmp_path, files=0, url=True), FakeApi(clock), clock)
    assert error is None
    assert result.artifacts[0].checksum == "ab" * 64
    assert "checksum" not in result.artifacts[0].verified


def test_missing_reported_checksum_is_a_warning(tmp_path: Path) -> None:
    clock = FakeClock()

    class NoChecksum(FakeApi):
        def get_artifact(self, artifact_id: str) -> Artifact:
            return Artifact(id=artifact_id, self_url="x", details=DETAILS)

        def upload_artifact(
            self, path: Path, *, progress: Progress | None = None
        ) -> tuple[Artifact, str]:
            art, sha = super().upload_artifact(path, progress=progress)
            return Artifact(id=art.id, self_url=art.self_url), sha

    result, _, error = run(make_plan(tmp_path), NoChecksum(clock), clock)
    assert error is None
    assert any("no checksum" in w for w in result.warnings)


def _previous(result: ReleaseResult, tmp_path: Path) -> PreviousRun:
    path = tmp_path / "previous.json"
    result.write(path)
    return load_previous_run(path, app_key=KEY, version=VERSION)


def run_resumed(
    plan: Plan, api: FakeApi, clock: FakeClock, previous: PreviousRun
) -> tuple[ReleaseResult, BaseException | None]:
    result = new_result(plan)
    pipeline = Pipeline(plan=plan, api=api, clock=clock, phases=Phases(), previous=previous)
    try:
        pipeline.run(result)
    except Exception as exc:  # noqa: BLE001 - the test inspects any failure
        return result, exc
    return result, None


def test_resume_reuses_verified_artifacts_and_images(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, files=2, images=2, spacing=10)
    first, _, error = run(plan, FakeApi(clock), clock)
    assert error is None
    api = FakeApi(clock)
    api.shas = {a.id or "": a.checksum or "" for a in first.artifacts}
    result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None, error
    assert result.status == "published"
    assert not any(kind in ("upload", "image") for kind, _, _ in api.calls)
    assert [a.id for a in result.artifacts] == [a.id for a in first.artifacts]
    assert all(a.reused and a.state == "verified" for a in result.artifacts)
    assert all(i.reused for i in result.images)
    assert result.image_ids() == first.image_ids()


def test_resume_uploads_again_when_the_file_changed(tmp_path: Path) -> None:
    clock = FakeClock()
    plan = make_plan(tmp_path, files=1)
    first, _, _ = run(plan, FakeApi(clock), clock)
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
    first, _, _ = run(plan, FakeApi(clock), clock)
    api = FakeApi(clock, polls=[ApiError("gone", status=404)])
    _result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None, error
    assert [kind for kind, _, _ in api.calls].count("upload") == 1


def test_resume_refuses_another_release(tmp_path: Path) -> None:
    clock = FakeClock()
    first, _, _ = run(make_plan(tmp_path), FakeApi(clock), clock)
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
    first, _, error = run(plan, first_api, clock)
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
    first, _, error = run(plan, first_api, clock)
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
    first, _, _ = run(plan, FakeApi(clock), clock)
    api = FakeApi(clock)  # knows no checksum for the old artifact
    _result, error = run_resumed(plan, api, clock, _previous(first, tmp_path))
    assert error is None
    assert [kind for kind, _, _ in api.calls].count("upload") == 1


@pytest.mark.parametrize("reported", ["sha512:abcd", "md5:0cc175b9c0f1b6a831c399e269772661"])
def test_a_checksum_that_is_not_sha512_fails_verification(tmp_path: Path, reported: str) -> None:
    clock = FakeClock()

    class OddChecksum(FakeApi):
        def get_artifact(self, artifact_id: str) -> Artifact:
            return Artifact(
                id=artifact_id,
                self_url="x",
                details=DETAILS,
                raw={"fileInfo": {"checksum": reported}},
            )

    result, _, error = run(make_plan(tmp_path, images=1), OddChecksum(clock), clock)
    assert isinstance(error, VerificationError)
    assert reported in error.message and "not a SHA-512" in error.message
    assert result.images[0].id is None


def test_an_empty_checksum_is_reported_as_none_with_a_warning(tmp_path: Path) -> None:
    clock = FakeClock()

    class EmptyChecksum(FakeApi):
        def get_artifact(self, artifact_id: str) -> Artifact:
            return Artifact(
                id=artifact_id, self_url="x", details=DETAILS, raw={"fileInfo": {"checksum": ""}}
            )

    result, _, error = run(make_plan(tmp_path), EmptyChecksum(clock), clock)
    assert error is None
    assert any("no checksum" in w for w in result.warnings)


def test_result_file_is_readable_by_later_steps(tmp_path: Path) -> None:
    """In a Docker action the file is written as root and read by the runner's user."""
    clock = FakeClock()
    result, _, _ = run(make_plan(tmp_path), FakeApi(clock), clock)
    path = tmp_path / "result.json"
    result.write(path)
    assert path.stat().st_mode & 0o777 == 0o644


def test_images_are_sent_with_the_type_read_from_their_bytes(tmp_path: Path) -> None:
    """A PNG saved as .jpg is uploaded as image/png (pre-flight read its magic bytes)."""
    clock = FakeClock()
    plan = make_plan(tmp_path, images=1)
    misnamed = tmp_path / "shot0.jpg"
    plan.images[0].path.rename(misnamed)
    plan = dataclasses.replace(plan, images=(dataclasses.replace(plan.images[0], path=misnamed),))
    api = FakeApi(clock)
    _, _, error = run(plan, api, clock)
    assert error is None
    assert api.image_content_types == ["image/png"]
