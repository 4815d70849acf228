"""Polling through transient states with backoff, bounded requests per minute, and
ONE deadline per wait that keeps the artifact ID (FakeClock: no real waits)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from release_publisher.clock import FakeClock
from release_publisher.errors import (
    ApiError,
    ProcessingTimeout,
    TransportError,
)
from release_publisher.marketplace.models import Artifact
from release_publisher.release.polling import POLL_FACTOR, POLL_FIRST

from ..fakes import DETAILS, FakeApi, make_plan, publish_run


def test_poll_backoff_is_bounded_and_fast_to_notice(tmp_path: Path) -> None:
    """Details arrive after ~20 s: the run notices within one poll cap and does
    not hammer the API."""
    clock = FakeClock()
    ready_at = clock.monotonic() + 20.0

    class SlowApi(FakeApi):
        def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
            self.calls.append(("get", artifact_id, self.clock.monotonic()))
            details = DETAILS if self.clock.monotonic() >= ready_at else None
            return Artifact(
                id=artifact_id, self_url="x", checksum=self.current_sha, details=details
            )

    api = SlowApi(clock)
    _, _, error = publish_run(make_plan(tmp_path), api, clock)
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
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"
    assert 5.0 in clock.sleeps  # Retry-After honoured while polling


def test_poll_stops_on_non_transient_error(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[ApiError("denied", status=403)])
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert isinstance(error, ApiError) and error.status == 403
    assert result.artifacts[0].id == "a1"


def test_processing_timeout_keeps_artifact_id(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[None] * 1000)
    start = clock.monotonic()
    result, saved, error = publish_run(make_plan(tmp_path, poll_timeout=30), api, clock)
    assert isinstance(error, ProcessingTimeout)
    assert "a1" in error.message and "30 s" in error.message
    assert clock.monotonic() - start <= 30.0 + 1e-6
    gets = sum(1 for c in api.calls if c[0] == "get")
    assert gets <= 30 / 1.0  # bounded requests per minute
    assert result.artifacts[0].id == "a1" and result.artifacts[0].state == "uploaded"
    assert saved[-1]["artifacts"][0]["id"] == "a1"


INTERVAL = 2.0  # polling.interval of make_plan: the longest wait between polls


def _gets(api: FakeApi) -> list[float]:
    return [t for kind, _, t in api.calls if kind == "get"]


def test_404_then_details_missing_five_times_then_complete(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[ApiError("not found", status=404), *[None] * 5, DETAILS])
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"
    assert len(_gets(api)) == 7
    assert result.artifacts[0].state == "verified"
    # exponential backoff from POLL_FIRST by POLL_FACTOR, capped at polling.interval
    expected = [POLL_FIRST]
    for _ in range(6):
        expected.append(min(INTERVAL, expected[-1] * POLL_FACTOR))
    assert clock.sleeps == pytest.approx(expected)


def test_503_503_then_complete(tmp_path: Path) -> None:
    clock = FakeClock()
    busy = ApiError("busy", status=503)
    api = FakeApi(clock, polls=[busy, busy, DETAILS])
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"
    assert len(_gets(api)) == 3


def test_transport_failures_while_polling_are_transient(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[TransportError("reset"), DETAILS])
    result, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None and result.status == "published"


def test_details_missing_forever_ends_at_the_deadline_with_the_artifact_id(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[None] * 10_000)
    start = clock.monotonic()
    result, saved, error = publish_run(make_plan(tmp_path, poll_timeout=300), api, clock)
    assert isinstance(error, ProcessingTimeout) and error.exit_code == 6
    assert "a1" in error.message and "300 s" in error.message
    assert clock.monotonic() - start == pytest.approx(300.0)  # ends AT the deadline
    gets = _gets(api)
    # bounded: never more than one request per polling.interval once backed off
    per_minute = max(sum(1 for t in gets if s <= t < s + 60) for s in gets)
    assert per_minute <= 60 / INTERVAL + 2
    assert result.artifacts[0].id == "a1"
    assert saved[-1]["artifacts"][0]["id"] == "a1"  # checkpointed for the outputs


def test_retry_after_while_polling_replaces_the_backoff(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock, polls=[ApiError("slow down", status=429, retry_after=7.0), DETAILS])
    _, _, error = publish_run(make_plan(tmp_path), api, clock)
    assert error is None
    assert clock.sleeps == [POLL_FIRST, 7.0]


def test_a_retry_after_of_zero_cannot_make_polling_hammer_the_server(tmp_path: Path) -> None:
    """`Retry-After: 0` (or a past date) on every poll: the waits never drop below the
    first poll wait, so a 20 s timeout sends about 20 polls, not a thousand."""
    clock = FakeClock()
    busy = [ApiError("busy", status=503, retry_after=0.0) for _ in range(5000)]
    api = FakeApi(clock, polls=busy)
    _, _, error = publish_run(make_plan(tmp_path, poll_timeout=20), api, clock)
    assert isinstance(error, ProcessingTimeout)
    assert min(clock.sleeps) >= POLL_FIRST
    assert len(_gets(api)) <= 20 / POLL_FIRST + 2


def test_a_larger_polling_interval_is_honoured(tmp_path: Path) -> None:
    """The schema says polling.interval is the seconds between two polls: with 10 s,
    the waits must grow to 10 s."""
    clock = FakeClock()
    api = FakeApi(clock, polls=[None] * 1000)
    plan = make_plan(tmp_path, poll_timeout=120)
    plan = dataclasses.replace(plan, config=dataclasses.replace(plan.config, poll_interval=10.0))
    publish_run(plan, api, clock)
    assert max(clock.sleeps) == pytest.approx(10.0)
    assert len(_gets(api)) <= 120 / 10 + 6


def test_every_poll_request_carries_the_one_deadline_of_the_wait(tmp_path: Path) -> None:
    """The client's retries of a poll request are cut at the poll deadline: each
    GET of one wait gets the same absolute deadline, polling.timeout after it began."""
    clock = FakeClock()
    api = FakeApi(clock, polls=[ApiError("busy", status=503), None, None, DETAILS])
    start = clock.monotonic()  # the fake upload takes no time: the wait starts here
    _, _, error = publish_run(make_plan(tmp_path, poll_timeout=300), api, clock)
    assert error is None
    assert len(api.deadlines) == 4
    assert api.deadlines == [pytest.approx(start + 300.0)] * 4
