"""One table of Marketplace limits (release_publisher.limits): pre-flight, the client's
413 hints and the emulator read the same numbers, and each limit has its own hint
(issue 15, item 13)."""

from __future__ import annotations

from release_publisher.limits import ARTIFACT_LIMIT, IMAGE_LIMIT, MAX_IMAGE_BYTES
from release_publisher.marketplace.errors import hint_for_status
from release_publisher.sandbox.config import SandboxConfig


def test_the_emulator_enforces_the_same_image_limit_pre_flight_checks() -> None:
    assert SandboxConfig().max_image_bytes == MAX_IMAGE_BYTES == IMAGE_LIMIT.max_bytes
    assert SandboxConfig().max_artifact_bytes == ARTIFACT_LIMIT.max_bytes


def test_a_413_on_an_image_upload_names_the_image_limit_not_the_artifact_one() -> None:
    hint = hint_for_status(413, endpoint="POST /rest/3/assets/images/icon", file_size=30 << 20)
    assert hint is not None
    assert "image" in hint and "26.2 MB (25.0 MiB)" in hint
    assert "250 MB" not in hint


def test_a_413_on_an_artifact_upload_still_names_the_artifact_limit() -> None:
    hint = hint_for_status(413, endpoint="POST /rest/3/artifacts", file_size=300 << 20)
    assert hint is not None and "250 MB" in hint


def test_each_limit_says_where_its_number_comes_from() -> None:
    assert "250 MB" in ARTIFACT_LIMIT.source
    assert "not published" in IMAGE_LIMIT.source
    assert ARTIFACT_LIMIT.hint != IMAGE_LIMIT.hint
