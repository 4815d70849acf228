"""The artifacts stage with a fake Marketplace and a fake clock: upload or fetch,
spacing, verification, and what the result keeps when verification fails."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import (
    VerificationError,
)
from release_publisher.marketplace.models import Artifact
from release_publisher.release.run import Progress

from ..fakes import DETAILS, KEY, VERSION, FakeApi, make_plan, publish_run


def test_publishes_verifies_and_uploads_images(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[None, {"key": KEY}, DETAILS])
    plan = make_plan(tmp_path, images=2, expect={"dataCenterCompatible": True})
    result, saved, error = publish_run(plan, api, clock)
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
    _, _, error = publish_run(plan, api, clock)
    assert error is None
    starts = [t for kind, _, t in api.calls if kind == "upload"]
    assert len(starts) == 3
    assert all(b - a >= 10.0 for a, b in itertools.pairwise(starts))


def test_no_spacing_before_first_upload_and_when_zero(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    start = clock.monotonic()
    plan = make_plan(tmp_path, files=2, spacing=0)
    publish_run(plan, api, clock)
    starts = [t for kind, _, t in api.calls if kind == "upload"]
    assert starts[0] == start
    # only the poll wait (1 s) lies between the uploads, no spacing wait
    assert starts[1] - starts[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("details", "expected_words"),
    [
        ({"key": KEY, "version": "1.4.1"}, ["version", "'1.4.2'", "'1.4.1'"]),
        ({"key": "com.example.Hello", "version": VERSION}, ["app key", "com.example.Hello"]),
        ({"key": KEY, "version": "1.4.2-SNAPSHOT"}, ["1.4.2-SNAPSHOT"]),
    ],
)
def test_verification_mismatch_starts_no_further_image(
    tmp_path: Path, details: dict[str, Any], expected_words: list[str]
) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[details])
    # 4 calls in flight: the artifact and 3 images; the other 3 images never start
    result, saved, error = publish_run(make_plan(tmp_path, images=6), api, clock)
    assert isinstance(error, VerificationError)
    for word in expected_words:
        assert word in error.message
    assert [c[1] for c in api.calls if c[0] == "image"] == [
        f"screenshot:shot{i}.png" for i in range(3)
    ]
    assert [i.id for i in result.images] == [f"img-shot{i}.png" for i in range(3)] + [None] * 3
    assert result.artifacts[0].id == "a1"
    assert saved[-1]["artifacts"][0]["id"] == "a1"


def test_checksum_mismatch(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    api.checksum_override = "00" * 64
    _, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert isinstance(error, VerificationError)
    assert "SHA-512" in error.message


def test_expect_field_compares_type_and_value(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[{**DETAILS, "dataCenterCompatible": "true"}])
    _, _, error = publish_run(
        make_plan(tmp_path, expect={"dataCenterCompatible": True}), api, clock
    )
    assert isinstance(error, VerificationError)
    assert "details.dataCenterCompatible" in error.message


def test_url_artifact_checks_configured_sha512(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, files=0, url=True, sha512="cd" * 64)
    result, _, error = publish_run(plan, api, clock)
    assert isinstance(error, VerificationError)
    assert result.artifacts[0].source == "url" and result.artifacts[0].id == "a1"
    ok_plan = make_plan(tmp_path, files=0, url=True, sha512="ab" * 64)
    result, _, error = publish_run(ok_plan, FakeApi(clock), clock)
    assert error is None and result.artifacts[0].verified["checksum"] == "ab" * 64


def test_url_artifact_without_sha512_records_reported_checksum(tmp_path: Path) -> None:
    clock = FakeClock()
    result, _, error = publish_run(make_plan(tmp_path, files=0, url=True), FakeApi(clock), clock)
    assert error is None
    assert result.artifacts[0].checksum == "ab" * 64
    assert "checksum" not in result.artifacts[0].verified


def test_missing_reported_checksum_is_a_warning(tmp_path: Path) -> None:
    clock = FakeClock()

    class NoChecksum(FakeApi):
        def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
            return Artifact(id=artifact_id, self_url="x", details=DETAILS)

        def upload_artifact(
            self, path: Path, *, progress: Progress | None = None
        ) -> tuple[Artifact, str]:
            art, sha = super().upload_artifact(path, progress=progress)
            return Artifact(id=art.id, self_url=art.self_url), sha

    result, _, error = publish_run(make_plan(tmp_path), NoChecksum(clock), clock)
    assert error is None
    assert any("no checksum" in w for w in result.warnings)


@pytest.mark.parametrize("reported", ["sha512:abcd", "md5:0cc175b9c0f1b6a831c399e269772661"])
def test_a_checksum_that_is_not_sha512_fails_verification(tmp_path: Path, reported: str) -> None:
    clock = FakeClock()

    class OddChecksum(FakeApi):
        def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
            return Artifact(
                id=artifact_id,
                self_url="x",
                details=DETAILS,
                raw={"fileInfo": {"checksum": reported}},
            )

    # 4 calls in flight (the artifact, 3 images): the 4th image never starts
    result, _, error = publish_run(make_plan(tmp_path, images=4), OddChecksum(clock), clock)
    assert isinstance(error, VerificationError)
    assert reported in error.message and "not a SHA-512" in error.message
    assert result.images[3].id is None


def test_an_empty_checksum_is_reported_as_none_with_a_warning(tmp_path: Path) -> None:
    clock = FakeClock()

    class EmptyChecksum(FakeApi):
        def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
            return Artifact(
                id=artifact_id, self_url="x", details=DETAILS, raw={"fileInfo": {"checksum": ""}}
            )

    result, _, error = publish_run(make_plan(tmp_path), EmptyChecksum(clock), clock)
    assert error is None
    assert any("no checksum" in w for w in result.warnings)
