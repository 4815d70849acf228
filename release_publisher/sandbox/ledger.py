"""The upload ledger: spacing between upload starts and the upload budget (the limits
Atlassian states for uploads), and the 429 ``TOO_MANY_REQUESTS`` answer when one is hit.

Knows a clock and werkzeug's Response (through :mod:`.http`); nothing of the store.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from werkzeug.wrappers import Response

from ..clock import Clock
from .http import error_response


def too_many_response(retry_after: int) -> Response:
    """429 ``TOO_MANY_REQUESTS`` with ``Retry-After: retry_after`` (whole seconds)."""
    return error_response(
        429,
        "TOO_MANY_REQUESTS",
        f"upload rate limit: try again in {retry_after} seconds",
        {"Retry-After": str(retry_after)},
    )


@dataclass
class UploadLedger:
    """The upload rules: at least ``spacing`` seconds between upload starts, and at most
    ``budget_bytes`` uploaded per ``window`` seconds. Times come from ``clock``
    (monotonic seconds)."""

    clock: Clock
    spacing: float = 0.0
    budget_bytes: int = 0
    window: float = 0.0
    _last_start: float | None = None
    _uploads: deque[tuple[float, int]] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def try_start(self, declared_size: int, *, spaced: bool = True) -> int | None:
        """Start an upload of about ``declared_size`` bytes (0 when unknown); ``spaced``
        False: the spacing does not apply to it (nor does it count as a start).

        Returns None when it may go ahead (and records its start), else the
        ``Retry-After`` in whole seconds (rounded up, at least 1) after which it may."""
        with self._lock:
            now = self.clock.monotonic()
            self._expire(now)
            waits: list[float] = []
            if spaced and self.spacing > 0 and self._last_start is not None:
                elapsed = now - self._last_start
                if elapsed < self.spacing:
                    waits.append(self.spacing - elapsed)
            if self.budget_bytes > 0:
                used = sum(size for _, size in self._uploads)
                if used + declared_size > self.budget_bytes:
                    freed = 0
                    wait = self.window
                    for at, size in self._uploads:
                        freed += size
                        wait = at + self.window - now
                        if used - freed + declared_size <= self.budget_bytes:
                            break
                    waits.append(wait)
            if waits:
                return max(1, math.ceil(max(waits)))
            if spaced:
                self._last_start = now
            return None

    def record(self, size: int) -> None:
        """Count ``size`` bytes of an accepted upload against the budget."""
        with self._lock:
            self._uploads.append((self.clock.monotonic(), size))

    def used_bytes(self) -> int:
        """Bytes counted in the current budget window."""
        with self._lock:
            self._expire(self.clock.monotonic())
            return sum(size for _, size in self._uploads)

    def reset(self) -> None:
        """Forget every upload."""
        with self._lock:
            self._last_start = None
            self._uploads.clear()

    def _expire(self, now: float) -> None:
        while self._uploads and self._uploads[0][0] + self.window <= now:
            self._uploads.popleft()
