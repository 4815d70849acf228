"""Time, injectable: the pipeline, polling and retry code never call ``time`` directly,
so unit tests drive them with :class:`FakeClock` instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of time. ``monotonic()`` and ``sleep()`` are in seconds; ``wall()`` is
    POSIX seconds (used only to turn an HTTP-date ``Retry-After`` into a delay)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def wall(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (no-op when <= 0)."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def wall(self) -> float:
        """``time.time()``."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """``time.sleep(seconds)`` when positive."""
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock for tests: ``sleep`` advances time instantly and records each wait in
    ``sleeps`` (seconds)."""

    def __init__(self, start: float = 1000.0, wall_start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall_start - start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """The fake monotonic time in seconds."""
        return self._now

    def wall(self) -> float:
        """The fake wall time in seconds since the epoch."""
        return self._now + self._wall_offset

    def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` (when positive) and record it."""
        self.sleeps.append(seconds)
        if seconds > 0:
            self._now += seconds

    def advance(self, seconds: float) -> None:
        """Advance without recording a sleep (time spent elsewhere)."""
        self._now += seconds
