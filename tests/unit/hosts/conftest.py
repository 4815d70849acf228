"""Results and secrets shared by the host adapter tests."""

from __future__ import annotations

import pytest

from release_publisher.result import (
    STATUS_FAILED,
    STATUS_PUBLISHED,
    ArtifactResult,
    ErrorInfo,
    ImageResult,
    ReleaseResult,
)

#: Secrets unlikely to occur by chance (the process-wide redactor keeps them).
TOKEN = "tok-Q7vX2-unit-hosts-9fK3"
USER = "release-bot@example.com"
MULTILINE_SECRET = "-----BEGIN KEY-----\nline-one-AbC123\nline-two-XyZ789\n-----END KEY-----"
CHECKSUM = "ab" * 64


def published_result() -> ReleaseResult:
    """A published release: two artifacts, three listing images, timings."""
    return ReleaseResult(
        app_key="com.example.hello",
        version="1.4.2",
        status=STATUS_PUBLISHED,
        base_url="https://api.atlassian.com/marketplace",
        artifacts=[
            ArtifactResult(
                name="server",
                source="file",
                file="target/hello-1.4.2.jar",
                size=123_456,
                id="art-111",
                checksum=CHECKSUM,
                key="com.example.hello",
                version="1.4.2",
                verified={"key": "com.example.hello", "version": "1.4.2", "checksum": CHECKSUM},
                state="verified",
            ),
            ArtifactResult(
                name="data-center",
                source="url",
                url="https://example.com/hello.obr",
                id="art-222",
                checksum="cd" * 64,
                state="verified",
                verified={"key": "com.example.hello"},
            ),
        ],
        images=[
            ImageResult(type="icon", file="icon.png", id="img-1", width=144, height=144, size=900),
            ImageResult(type="screenshot", file="s1.png", id="img-2", width=1840, height=900),
            ImageResult(type="screenshot", file="s2.png", id="img-3", width=1840, height=900),
        ],
        timings={"server": 12.34, "images": 2.0},
    )


def failed_after_upload() -> ReleaseResult:
    """Failed at verification of the first artifact, after its upload finished."""
    return ReleaseResult(
        app_key="com.example.hello",
        version="1.4.2",
        status=STATUS_FAILED,
        artifacts=[
            ArtifactResult(
                name="server", source="file", id="art-111", checksum=CHECKSUM, state="uploaded"
            ),
            ArtifactResult(name="data-center", source="url"),
        ],
        images=[ImageResult(type="icon", file="icon.png")],
        error=ErrorInfo(
            kind="VerificationError",
            message="Marketplace reports version 1.4.1, the config says 1.4.2",
            hint="build the artifact from the tagged commit",
            exit_code=5,
            artifact="server",
        ),
    )


@pytest.fixture
def published() -> ReleaseResult:
    return published_result()


@pytest.fixture
def failed() -> ReleaseResult:
    return failed_after_upload()
