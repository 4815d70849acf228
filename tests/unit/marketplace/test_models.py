"""Parsing of Marketplace answers (pure functions, no HTTP): artifacts, media."""

from __future__ import annotations

from typing import Any

import pytest

from release_publisher.marketplace.models import (
    ResponseShapeError,
    artifact_id_from_href,
    parse_artifact,
    parse_media,
)

from .helpers import BASE, SHA, artifact_json

ART = f"{BASE}/rest/3/artifacts"


@pytest.mark.parametrize(
    "href",
    [
        "/rest/3/artifacts/abc123",
        "https://api.atlassian.com/marketplace/rest/3/artifacts/abc123",
        "/rest/3/artifacts/abc123/",
        "/rest/3/artifacts/abc123?expand=details#top",
        "rest/3/artifacts/abc123",
    ],
)
def test_artifact_id_is_the_last_path_segment(href: str) -> None:
    assert artifact_id_from_href(href) == "abc123"


def test_artifact_fields_and_unknown_fields_ignored() -> None:
    data = artifact_json("z9", surprise={"a": 1})
    data["fileInfo"]["checksum"] = "SHA512:" + SHA.upper()
    data["fileInfo"]["newField"] = True
    artifact = parse_artifact(data)
    assert artifact.id == "z9"
    assert artifact.checksum == SHA
    assert artifact.size == 10 and artifact.file_name == "hello.jar"
    assert artifact.key == "com.example.hello" and artifact.version == "1.4.2"
    assert artifact.binary_url == "/rest/3/artifacts/z9/binary"


@pytest.mark.parametrize(
    ("checksum", "expected"),
    [(SHA, SHA), ("sha512:" + SHA, SHA), ("md5:abc", None), ("sha512:xyz", None), (5, None)],
)
def test_checksum_forms(checksum: Any, expected: str | None) -> None:
    data = artifact_json()
    data["fileInfo"]["checksum"] = checksum
    assert parse_artifact(data).checksum == expected


def test_artifact_without_details_or_file_info() -> None:
    artifact = parse_artifact({"_links": {"self": {"href": "/rest/3/artifacts/q"}}})
    assert artifact.id == "q" and artifact.details is None and artifact.key is None


def test_media_numeric_id_and_unknown_fields() -> None:
    assert parse_media({"id": 42, "whatever": [1]}).id == "42"


@pytest.mark.parametrize(
    "href",
    [
        "/rest/3/artifacts/abc\n::warning::INJ",  # urlsplit would drop the \n
        "/rest/3/artifacts/" + "a" * 2_000_000,  # a "2 MB ID" breaks step outputs
    ],
)
def test_an_artifact_link_that_is_no_id_is_a_shape_error(href: str) -> None:
    with pytest.raises(ResponseShapeError):
        parse_artifact({"_links": {"self": {"href": href}}})
