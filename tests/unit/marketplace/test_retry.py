"""The retry policy and its executor: Retry-After parsing and the backoff schedule
(pure functions), then the policy as the client applies it: exact waits
(FakeClock.sleeps), what a POST may and may not repeat, GET retries, bounds, the
policy's deadline, the caller's deadline and the log lines."""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher.clock import FakeClock
from release_publisher.errors import ApiError, TransportError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.retry import (
    Retryable,
    RetryPolicy,
    describe_retry_policy,
    parse_retry_after,
    retryable_status,
    run_with_retries,
)

from .helpers import BASE, artifact_json, consume, make_client, read_timeout, refused, reset_error

NOW = 1_800_000_000.0
ART = f"{BASE}/rest/3/artifacts"
OK = {"json": artifact_json("ok-1")}


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


def _jar(tmp_path: Path, size: int = 300_000) -> Path:
    path = tmp_path / "hello.jar"
    path.write_bytes(os.urandom(size))
    return path


# ------------------------------------------------------------------ Retry-After


def _after_429(retry_after: str, clock: FakeClock, requests_mock: Any) -> MarketplaceClient:
    requests_mock.get(
        f"{ART}/ok-1",
        [{"status_code": 429, "headers": {"Retry-After": retry_after}, "json": {}}, OK],
    )
    return make_client(clock)


@pytest.mark.parametrize(
    ("header", "waits"),
    [
        ("3", [3.0]),
        ("1.5", [1.5]),
        ("soon", [1.0]),  # unusable: the normal backoff (base 1 s)
        ("0", [0.0]),
    ],
)
def test_retry_after_waits(requests_mock: Any, header: str, waits: list[float]) -> None:
    clock = FakeClock()
    assert _after_429(header, clock, requests_mock).get_artifact("ok-1").id == "ok-1"
    assert clock.sleeps == waits


def test_retry_after_http_date_five_seconds_ahead(requests_mock: Any) -> None:
    clock = FakeClock()
    header = email.utils.formatdate(clock.wall() + 5, usegmt=True)
    _after_429(header, clock, requests_mock).get_artifact("ok-1")
    assert clock.sleeps == [5.0]


def test_retry_after_past_date_means_no_wait(requests_mock: Any) -> None:
    clock = FakeClock()
    header = email.utils.formatdate(clock.wall() - 60, usegmt=True)
    _after_429(header, clock, requests_mock).get_artifact("ok-1")
    assert clock.sleeps == [0.0]


def test_retry_after_beyond_the_deadline_fails_at_once_with_the_time(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(
        f"{ART}/ok-1", status_code=429, headers={"Retry-After": "86400"}, json={"message": "slow"}
    )
    with pytest.raises(ApiError) as info:
        make_client(clock).get_artifact("ok-1")
    err = info.value
    assert clock.sleeps == []
    assert err.retry_after == 86400.0
    assert err.status == 429
    assert "retry after 86400 s (at 2027-01-16 08:00:00 UTC)" in err.message
    assert requests_mock.call_count == 1


def test_a_retry_after_past_any_calendar_date_is_an_api_error_not_a_crash(
    requests_mock: Any,
) -> None:
    clock = FakeClock()
    huge = "9" * 44
    requests_mock.get(f"{ART}/ok-1", status_code=503, headers={"Retry-After": huge}, json={})
    with pytest.raises(ApiError) as info:
        make_client(clock).get_artifact("ok-1")
    assert clock.sleeps == []
    assert "past the retry deadline" in info.value.message
    assert info.value.hint is not None and info.value.hint.startswith("re-run later")


def test_retry_after_above_cap_but_within_deadline_is_honoured(requests_mock: Any) -> None:
    clock = FakeClock()
    _after_429("120", clock, requests_mock).get_artifact("ok-1")
    assert clock.sleeps == [120.0]


# ------------------------------------------------------------------ POST matrix


Script = Callable[[Any, Any], Any]


def _fail_then_ok(first: Script) -> Script:
    calls = {"n": 0}

    def respond(request: Any, context: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            return str(first(request, context))
        consume(request)
        context.headers["Content-Type"] = "application/json"
        return json.dumps(artifact_json("ok-1"))

    return respond


def _raise(exc: Callable[[], BaseException], *, read: int | None = None) -> Script:
    def respond(request: Any, context: Any) -> str:
        if read != 0:
            consume(request, read)
        raise exc()

    return respond


def _status(code: int, headers: dict[str, str] | None = None) -> Script:
    def respond(request: Any, context: Any) -> str:
        consume(request)
        context.status_code = code
        context.headers.update(headers or {})
        return "{}"

    return respond


RETRIED = {
    "connect timeout": _raise(lambda: requests.ConnectTimeout("timed out"), read=0),
    "connection refused": _raise(refused, read=0),
    "reset while sending body": _raise(reset_error, read=1000),
    "429": _status(429),
    "503 with Retry-After": _status(503, {"Retry-After": "2"}),
}
NOT_RETRIED = {
    "read timeout after body": _raise(read_timeout),
    # issue 15: the whole body was read, then a reset: it may have been stored
    "reset before any response": _raise(reset_error),
    "500": _status(500),
    "502": _status(502),
    "503 without Retry-After": _status(503),
    "504": _status(504),
}


@pytest.mark.parametrize("case", sorted(RETRIED))
def test_post_is_retried_when_nothing_can_have_been_stored(
    requests_mock: Any, tmp_path: Path, case: str
) -> None:
    path = _jar(tmp_path)
    requests_mock.post(ART, text=_fail_then_ok(RETRIED[case]))
    artifact, sha = make_client().upload_artifact(path)
    assert artifact.id == "ok-1"
    assert requests_mock.call_count == 2
    # the second try re-read the file from its start with a fresh hasher
    assert sha == hashlib.sha512(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", sorted(NOT_RETRIED))
def test_post_is_not_retried_when_it_may_have_been_stored(
    requests_mock: Any, tmp_path: Path, case: str
) -> None:
    clock = FakeClock()
    requests_mock.post(ART, text=_fail_then_ok(NOT_RETRIED[case]))
    with pytest.raises(ApiError) as info:
        make_client(clock).upload_artifact(_jar(tmp_path))
    assert requests_mock.call_count == 1
    assert clock.sleeps == []
    text = info.value.message + " " + (info.value.hint or "")
    assert "may have" in text and "stored" in text
    assert info.value.endpoint == "POST /rest/3/artifacts"


def test_read_timeout_after_body_names_the_timeout_and_host(
    requests_mock: Any, tmp_path: Path
) -> None:
    requests_mock.post(ART, text=_raise(read_timeout))
    with pytest.raises(TransportError) as info:
        make_client().upload_artifact(_jar(tmp_path))
    assert "POST /rest/3/artifacts to mp.example.test" in info.value.message
    assert "read timeout (30 s)" in info.value.message
    assert info.value.status is None


def test_reset_while_sending_is_logged_and_the_wait_is_the_backoff(
    requests_mock: Any, tmp_path: Path
) -> None:
    clock = FakeClock()
    log: list[str] = []
    requests_mock.post(ART, text=_fail_then_ok(_raise(reset_error, read=5000)))
    make_client(clock, log=log).upload_artifact(_jar(tmp_path))
    assert clock.sleeps == [1.0]
    assert log == [
        "POST /rest/3/artifacts: attempt 2/4 after connection reset while sending body; "
        "waiting 1.0 s"
    ]


def test_fetch_follows_the_post_rules(requests_mock: Any) -> None:
    requests_mock.post(f"{ART}/fetch", [{"exc": reset_error()}, {"json": artifact_json("f")}])
    assert make_client().fetch_artifact("https://example.com/a.jar").id == "f"
    requests_mock.post(f"{ART}/fetch", status_code=502, text="bad gateway")
    with pytest.raises(ApiError):
        make_client().fetch_artifact("https://example.com/a.jar")
    assert requests_mock.call_count == 3


# ------------------------------------------------------------------ GET and bounds


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_on_transient_statuses(requests_mock: Any, status: int) -> None:
    requests_mock.get(f"{ART}/ok-1", [{"status_code": status, "text": "busy"}, OK])
    assert make_client().get_artifact("ok-1").id == "ok-1"


@pytest.mark.parametrize(
    "exc", [read_timeout, reset_error, refused, lambda: requests.ConnectTimeout("t")]
)
def test_get_is_retried_on_transport_failures(
    requests_mock: Any, exc: Callable[[], Exception]
) -> None:
    requests_mock.get(f"{ART}/ok-1", [{"exc": exc()}, OK])
    assert make_client().get_artifact("ok-1").id == "ok-1"


def test_get_500_is_not_retried(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/ok-1", status_code=500, json={"message": "boom"})
    with pytest.raises(ApiError, match="boom"):
        make_client().get_artifact("ok-1")
    assert requests_mock.call_count == 1


def test_attempts_are_bounded_with_exponential_backoff(requests_mock: Any) -> None:
    clock = FakeClock()
    log: list[str] = []
    requests_mock.get(f"{ART}/ok-1", status_code=503, text="down")
    with pytest.raises(ApiError) as info:
        make_client(clock, log=log).get_artifact("ok-1")
    assert requests_mock.call_count == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert "gave up after 4 attempts" in info.value.message
    assert info.value.status == 503
    assert [line.split(": ", 1)[1] for line in log] == [
        "attempt 2/4 after HTTP 503; waiting 1.0 s",
        "attempt 3/4 after HTTP 503; waiting 2.0 s",
        "attempt 4/4 after HTTP 503; waiting 4.0 s",
    ]


def test_deadline_stops_retrying_before_a_wait_that_would_pass_it(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(f"{ART}/ok-1", status_code=502, text="bad")
    with pytest.raises(ApiError, match="deadline"):
        make_client(clock, attempts=10, deadline=3.5).get_artifact("ok-1")
    assert clock.sleeps == [1.0, 2.0]  # the next wait (4 s) would end past 3.5 s


def test_tls_failures_are_not_retried(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/ok-1", exc=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(TransportError) as info:
        make_client().get_artifact("ok-1")
    assert requests_mock.call_count == 1
    assert info.value.hint is not None and "ca-bundle" in info.value.hint


# ------------------------------------------------------------------ many uploads


def test_eight_images_with_a_429_on_the_third_request_are_each_uploaded_once(
    requests_mock: Any, tmp_path: Path
) -> None:
    clock = FakeClock()
    stored: list[str] = []
    count = {"n": 0}

    def respond(request: Any, context: Any) -> str:
        count["n"] += 1
        body = consume(request)
        if count["n"] == 3:
            context.status_code = 429
            context.headers["Retry-After"] = "2"
            return "{}"
        name = body.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
        stored.append(name)
        return json.dumps({"id": f"id-{name}"})

    requests_mock.post(f"{BASE}/rest/3/assets/images/screenshot", text=respond)
    client = make_client(clock)
    names = [f"shot-{i}.png" for i in range(8)]
    ids = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(name.encode())
        ids.append(client.upload_image("screenshot", path).id)
    assert sorted(stored) == sorted(names) and len(stored) == 8
    assert ids == [f"id-{n}" for n in names]
    assert count["n"] == 9
    assert clock.sleeps == [2.0]


# ------------------------------------------------------------------ the caller's deadline


def test_a_deadline_stops_retry_after_waits_before_it(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(f"{ART}/ok-1", status_code=503, headers={"Retry-After": "190"}, text="busy")
    start = clock.monotonic()
    with pytest.raises(ApiError) as info:
        make_client(clock).get_artifact("ok-1", deadline=start + 300)
    assert clock.monotonic() - start <= 300
    assert clock.sleeps == [190.0]  # a second 190 s wait would end at 380 s
    assert requests_mock.call_count == 2
    assert info.value.status == 503
    assert "gave up after 2 attempts: retries stopped at the deadline" in info.value.message


def test_without_a_deadline_retry_after_waits_run_to_the_policy_limits(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(f"{ART}/ok-1", status_code=503, headers={"Retry-After": "190"}, text="busy")
    start = clock.monotonic()
    with pytest.raises(ApiError) as info:
        make_client(clock).get_artifact("ok-1")
    assert clock.monotonic() - start == 570
    assert clock.sleeps == [190.0, 190.0, 190.0]
    assert requests_mock.call_count == 4
    assert "gave up after 4 attempts" in info.value.message
    assert "stopped at the deadline" not in info.value.message


def test_a_deadline_closer_than_the_first_wait_means_one_attempt(requests_mock: Any) -> None:
    clock = FakeClock()
    requests_mock.get(f"{ART}/ok-1", status_code=503, headers={"Retry-After": "190"}, text="busy")
    with pytest.raises(ApiError) as info:
        make_client(clock).get_artifact("ok-1", deadline=clock.monotonic() + 100)
    assert clock.sleeps == []
    assert requests_mock.call_count == 1
    assert "not retried: retries stopped at the deadline" in info.value.message


def test_a_deadline_cuts_the_backoff_of_an_upload_too(requests_mock: Any, tmp_path: Path) -> None:
    clock = FakeClock()
    requests_mock.post(ART, status_code=429, text="slow down")
    with pytest.raises(ApiError) as info:
        make_client(clock).upload_artifact(_jar(tmp_path, 10), deadline=clock.monotonic() + 2.5)
    assert clock.sleeps == [1.0]  # the next backoff (2 s) would end at 3 s
    assert requests_mock.call_count == 2
    assert info.value.status == 429


def test_a_wait_ending_exactly_at_the_deadline_is_made() -> None:
    clock = FakeClock()
    answers: list[str | Retryable] = [Retryable(ApiError("busy"), "HTTP 503", 5.0), "done"]
    result = run_with_retries(
        lambda: answers.pop(0),
        endpoint="GET /x",
        policy=RetryPolicy(),
        clock=clock,
        log=lambda line: None,
        deadline=clock.monotonic() + 5.0,
    )
    assert result == "done"
    assert clock.sleeps == [5.0]


@pytest.mark.parametrize(
    ("method", "status", "header", "expected"),
    [
        ("GET", 503, None, True),
        ("GET", 500, None, False),
        ("POST", 429, None, True),
        ("POST", 503, "5", True),
        ("POST", 503, None, False),
        ("POST", 502, None, False),
    ],
)
def test_retryable_statuses(method: str, status: int, header: str | None, expected: bool) -> None:
    assert retryable_status(method, status, retry_after_header=header) is expected
