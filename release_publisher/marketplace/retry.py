"""The retry policy of the Marketplace client, and ``Retry-After`` parsing.

Policy (also returned as text by :func:`describe_retry_policy`, which
``docs/reliability.md`` cites):

* **Bounded.** At most ``attempts`` tries per call (default 4, counting the first).
  Between tries the client waits ``min(cap, base * 2**(n-1))`` seconds after the n-th
  failed try (defaults: base 1 s, cap 30 s: 1, 2, 4 s), with no jitter (runs are
  reproducible), unless the server sent a usable ``Retry-After``, which is honoured
  instead (even when above ``cap``).
* **Deadline.** ``deadline`` seconds (default 600) counted from the start of the call
  on the monotonic clock. A wait that would end past the deadline is never started:
  the call fails at once. When the wait came from ``Retry-After`` the
  :class:`~release_publisher.errors.ApiError` says when to retry and carries
  ``retry_after`` (seconds). A try already running is bounded by the timeouts, not cut
  short by the deadline.
* **GET** (``GET /rest/3/artifacts/{id}``, idempotent) is retried on: connection
  failures (refused, DNS, reset, closed before or while answering), connect and read
  timeouts, and HTTP 429, 502, 503, 504.
* **POST** (upload, fetch, image upload) is retried ONLY when Marketplace cannot have
  stored anything: the connection was never established (connect timeout, refused,
  DNS); the connection broke (reset, broken pipe, send timeout) while the body was
  being sent; HTTP 429; HTTP 503 *with* ``Retry-After``. Never retried for POST once
  the whole body was sent (every POST goes out on a fresh connection, so this cannot
  be a stale keep-alive connection): a reset or close before any response status
  line, a read timeout, a 2xx whose body was cut off, any other 5xx (500, 502, 504,
  503 without ``Retry-After``): the error says it may have been stored and how to
  check before re-running. TLS certificate failures and other 4xx are never retried.
* Each retry of an upload re-opens the file from its start; its SHA-512 is computed
  again only if the file no longer has the identity it was hashed with
  (:mod:`release_publisher.checksums`). Each retry is logged: ``attempt 2/4 after
  connection reset while sending body; waiting 2.0 s``.

``Retry-After`` (RFC 9110 section 10.2.3): delta-seconds (``"3"``), also a decimal
(``"1.5"`` -> 1.5 s; not in the RFC but seen in the wild), or an HTTP-date converted
with the injected clock's wall time (a past date -> 0 s). Anything else (``"soon"``,
negative numbers) is ignored and the normal backoff applies. Parsing never raises.

The executor :func:`run_with_retries` applies the policy to one call: it repeats an
attempt that returned a :class:`Retryable`, waits on the injected clock, and stops at
the policy's limits or at the caller's own ``deadline`` (an absolute time on the
clock's monotonic scale, e.g. the end of a poll loop): it never sleeps past that
deadline, so no later attempt starts after it.

Imports: the standard library, :mod:`release_publisher.clock`,
:mod:`release_publisher.errors` and :mod:`.errors` (error copies); no HTTP.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from ..clock import Clock
from ..errors import ApiError
from .errors import with_note

T = TypeVar("T")

#: Statuses a GET is retried on.
GET_RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Statuses a POST is retried on (503 only with ``Retry-After``, see the module doc).
POST_RETRY_STATUSES = frozenset({429})

_DELTA = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff, no jitter (deterministic).

    ``attempts`` counts the first try (>= 1); ``base`` and ``cap`` are seconds: after
    the n-th failed try the wait is ``min(cap, base * 2**(n-1))``, or the server's
    ``Retry-After`` when given. ``deadline`` is seconds from the start of the call
    (None = no deadline); a wait that would pass it is not started.
    """

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0
    deadline: float | None = 600.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("RetryPolicy.base and cap must not be negative")
        if self.deadline is not None and self.deadline < 0:
            raise ValueError("RetryPolicy.deadline must not be negative")

    def backoff(self, failed_attempt: int) -> float:
        """Seconds to wait after try number ``failed_attempt`` (1-based) failed."""
        exponent = max(0, failed_attempt - 1)
        if exponent > 60:  # 2**60 * base is beyond any cap; avoid float overflow
            return self.cap
        return min(self.cap, self.base * 2.0**exponent)


def retryable_status(method: str, status: int, *, retry_after_header: str | None) -> bool:
    """Whether HTTP ``status`` answered to ``method`` (``GET`` or ``POST``) may be
    retried: GET on :data:`GET_RETRY_STATUSES`; POST on :data:`POST_RETRY_STATUSES`
    and on 503 when the answer carried a ``Retry-After`` header (any value)."""
    if method == "GET":
        return status in GET_RETRY_STATUSES
    return status in POST_RETRY_STATUSES or (status == 503 and retry_after_header is not None)


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header value, or None when the
    header is absent or unusable (then the normal backoff applies).

    ``now`` is the current wall time in POSIX seconds (``Clock.wall()``), used for the
    HTTP-date form. Delta-seconds may be an integer or a decimal (``"1.5"``); an
    HTTP-date in the past gives 0.0. Never raises.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELTA.fullmatch(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        import email.utils  # only for an HTTP-date Retry-After: start-up time

        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC without a known offset
        moment = moment.replace(tzinfo=UTC)
    try:
        return max(0.0, moment.timestamp() - now)
    except (OverflowError, OSError, ValueError):
        return None


def describe_retry_policy(policy: RetryPolicy | None = None) -> str:
    """The retry policy in force, as Markdown text (for ``docs/reliability.md`` and
    ``--verbose`` output). ``policy`` defaults to :class:`RetryPolicy()`."""
    p = policy or RetryPolicy()
    waits = ", ".join(f"{p.backoff(n):g}" for n in range(1, p.attempts))
    deadline = f"{p.deadline:g} s from the start of the call" if p.deadline else "none"
    return "\n".join(
        [
            f"- Attempts per call: at most {p.attempts} (the first try included).",
            f"- Backoff: min({p.cap:g}, {p.base:g} * 2**(n-1)) s after the n-th failed try"
            f" ({waits or 'no retries'} s), no jitter; a usable Retry-After replaces it.",
            f"- Deadline: {deadline}; a wait that would pass it is not started "
            "(a Retry-After beyond it fails the call with the time to retry).",
            "- GET: retried on connection failures, connect/read timeouts, "
            "HTTP 429, 502, 503, 504.",
            "- POST (upload, fetch, image, version, listing): retried only when nothing "
            "can have been stored: connection never established; reset/broken pipe/send "
            "timeout while sending the body; HTTP 429; HTTP 503 with Retry-After.",
            "- POST never retried once the whole body was sent (each POST uses a fresh "
            "connection): reset or close before any response status line, read timeout, "
            "other 5xx (it may have been stored: check before re-running).",
            "- Each upload retry re-reads the file from its start; it is hashed again only if it "
            "no longer has the identity its SHA-512 was computed for.",
            "- Retry-After: delta-seconds (decimals accepted, '1.5' = 1.5 s) or an "
            "HTTP-date (past = 0 s); anything else is ignored (normal backoff).",
        ]
    )


# ---------------------------------------------------------------------------- executor


@dataclass
class Retryable:
    """A failed attempt that the policy allows to repeat: the ``error`` to raise when
    no retry follows, the ``reason`` logged (``connection reset while sending body``,
    ``HTTP 503``) and the server's ``Retry-After`` in seconds (None when absent)."""

    error: ApiError
    reason: str
    retry_after: float | None = None


#: log(line) for one line of human-readable progress (retries, waits).
LogCallback = Callable[[str], None]


def run_with_retries(
    attempt: Callable[[], T | Retryable],
    *,
    endpoint: str,
    policy: RetryPolicy,
    clock: Clock,
    log: LogCallback,
    deadline: float | None = None,
) -> T:
    """The value of the first ``attempt()`` that does not return a :class:`Retryable`
    (errors it raises propagate at once), repeating under ``policy``; waits go through
    ``clock.sleep`` and each is logged first through ``log`` (``{endpoint}: attempt
    2/4 after HTTP 503; waiting 2.0 s``).

    ``deadline`` is an absolute time in seconds on ``clock.monotonic()`` (None: no
    deadline besides the policy's). The first attempt is always made; no wait that
    would end after ``deadline`` is started, so no later attempt starts after it: the
    last attempt's error is raised as when the attempts are exhausted, noting that the
    retries were stopped at the deadline.

    Raises the last :class:`Retryable`'s error when the attempts are exhausted (noted
    ``gave up after N attempts`` when there were retries) or the policy's deadline
    would be passed (a ``Retry-After`` beyond it gives an :class:`ApiError` with the
    time to retry and ``retry_after`` set).
    """
    start = clock.monotonic()
    number = 1
    while True:
        token = _ATTEMPT.set(number)
        try:
            outcome = attempt()
        finally:
            _ATTEMPT.reset(token)
        if not isinstance(outcome, Retryable):
            return outcome
        if number >= policy.attempts:
            if number > 1:
                raise with_note(outcome.error, f"gave up after {number} attempts")
            raise outcome.error
        wait = outcome.retry_after
        if wait is None:
            wait = policy.backoff(number)
        if policy.deadline is not None:
            remaining = policy.deadline - (clock.monotonic() - start)
            if wait > remaining:
                if outcome.retry_after is not None:
                    raise retry_after_error(outcome.error, wait, now=clock.wall())
                raise with_note(
                    outcome.error,
                    f"gave up after {number} attempts: the next wait of {wait:g} s "
                    f"would pass the {policy.deadline:g} s retry deadline",
                )
        if deadline is not None and clock.monotonic() + wait > deadline:
            done = f"gave up after {number} attempts" if number > 1 else "not retried"
            raise with_note(
                outcome.error,
                f"{done}: retries stopped at the deadline, the next wait of {wait:g} s "
                "would end after it",
            )
        log(
            f"{endpoint}: attempt {number + 1}/{policy.attempts} after "
            f"{outcome.reason}; waiting {wait:.1f} s"
        )
        clock.sleep(wait)
        number += 1


#: The try number (1-based) of the attempt :func:`run_with_retries` is running in this
#: context; 1 outside one. Read by the wire trace (:mod:`.trace`).
_ATTEMPT: ContextVar[int] = ContextVar("release_publisher_attempt", default=1)


def current_attempt() -> int:
    """The try number (1 = the first) of the call running in this thread under
    :func:`run_with_retries`; 1 outside one."""
    return _ATTEMPT.get()


def retry_after_error(error: ApiError, wait: float, *, now: float) -> ApiError:
    """An :class:`ApiError` like ``error`` saying that Marketplace asks to retry after
    ``wait`` seconds (shown as a UTC time from the wall time ``now``, POSIX seconds),
    past the retry deadline; ``retry_after`` is set to ``wait``."""
    try:
        at = f"{datetime.fromtimestamp(now + wait, tz=UTC):%Y-%m-%d %H:%M:%S} UTC"
    except (OverflowError, OSError, ValueError):  # a wait past any calendar date
        at = None
    return ApiError(
        f"{error.message}; Marketplace asks to retry after {wait:g} s"
        + (f" (at {at})" if at else "")
        + ", past the retry deadline",
        hint=(f"re-run after {at}" if at else "re-run later")
        + (f"; {error.hint}" if error.hint else ""),
        status=error.status,
        endpoint=error.endpoint,
        content_type=error.content_type,
        server_message=error.server_message,
        retry_after=wait,
    )
