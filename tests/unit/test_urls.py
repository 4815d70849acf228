"""The base-URL rule, the loopback test and the display-safe URL (pure functions)."""

from __future__ import annotations

import pytest

from release_publisher.errors import UsageError
from release_publisher.urls import check_base_url, is_loopback, path_segment, safe_url


@pytest.mark.parametrize(
    "base",
    ["http://api.atlassian.com/marketplace", "http://10.0.0.1:8080", "http://127.example.com"],
)
def test_plain_http_to_non_loopback_is_refused(base: str) -> None:
    with pytest.raises(UsageError, match="plain http") as info:
        check_base_url(base)
    assert info.value.hint is not None and "https://" in info.value.hint


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9", "http://[::1]:80"]
)
def test_plain_http_to_loopback_is_allowed(base: str) -> None:
    assert check_base_url(base) == base


@pytest.mark.parametrize(
    "base",
    ["ftp://x.example", "api.atlassian.com", "https://u:p@x.example", "https://x.example/?a=1"],
)
def test_bad_base_urls_are_usage_errors(base: str) -> None:
    with pytest.raises(UsageError) as info:
        check_base_url(base)
    assert ":p@" not in info.value.message


def test_safe_url_drops_user_info_query_and_fragment() -> None:
    shown = safe_url("https://user:s3cret@mp.example.test:8443/marketplace/x?sig=abc#frag")
    assert shown == "https://mp.example.test:8443/marketplace/x?..."


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.9.9.9", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("127.example.com", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_base_url_is_stripped_of_spaces_and_trailing_slashes() -> None:
    assert check_base_url("  https://x.example/marketplace//  ") == "https://x.example/marketplace"


def test_path_segment_encodes_slashes_and_refuses_empty_values() -> None:
    assert path_segment(" a/b c ", "app key", "hint") == "a%2Fb%20c"
    with pytest.raises(UsageError, match="the app key is empty"):
        path_segment("  ", "app key", "give the app key")


@pytest.mark.parametrize(
    "url", ["ftp://user:hunter2-secret@mp.example.test", "file:///x?token=hunter2-secret"]
)
def test_a_refused_base_url_never_shows_its_user_info_or_query(url: str) -> None:
    with pytest.raises(UsageError) as refused:
        check_base_url(url, name="--base-url")
    assert "hunter2-secret" not in refused.value.message
    assert refused.value.message.startswith("--base-url ")
