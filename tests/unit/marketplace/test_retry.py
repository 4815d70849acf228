"""Retry-After parsing and the backoff schedule (pure functions, no HTTP)."""

from __future__ import annotations

import email.utils

import pytest

from release_publisher.marketplace.retry import (
    RetryPolicy,
    describe_retry_policy,
    parse_retry_after,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("120", 120.0),
        (email.utils.formatdate(NOW + 5, usegmt=True), 5.0),
        (email.utils.formatdate(NOW - 3600, usegmt=True), 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
        ("Thu, 99 Foo 2026 25:61:00 GMT", None),
        ("1e3", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_http_date_without_zone_is_taken_as_utc() -> None:
    value = email.utils.formatdate(NOW + 7).replace("+0000", "-0000")
    assert parse_retry_after(value, now=NOW) == 7.0


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=8, base=1.0, cap=5.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.backoff(500) == 5.0


@pytest.mark.parametrize("kwargs", [{"attempts": 0}, {"base": -1.0}, {"deadline": -1.0}])
def test_invalid_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_describe_retry_policy_states_the_rules_and_numbers() -> None:
    text = describe_retry_policy(RetryPolicy(attempts=4, base=1.0, cap=30.0, deadline=600.0))
    assert "at most 4" in text
    assert "1, 2, 4 s" in text
    assert "600 s" in text
    assert "HTTP 429, 502, 503, 504" in text
    assert "HTTP 503 with Retry-After" in text
