"""Fault injection and the request log of the sandbox.

A fault is queued with ``POST /_sandbox/faults`` and a JSON object (or a list of them)::

    {
      "endpoint": "upload" | "fetch" | "get" | "image" | "*",   # required
                                      # or app-software, versions, create-version,
                                      # get-version, listing, get-listing
                                      # (see .versions)
      "status": 503,                  # answer with this status instead of the real one
      "headers": {"Retry-After": "7"},# extra response headers (strings)
      "body": "text" | {...},         # text (text/plain) or any JSON value; default:
                                      #   {"code": "<REASON>", "message": ..., "errors": [...]}
      "delay": 2.5,                   # seconds to wait before acting (0..300)
      "drop": "before-response" | "mid-body",
                                      # reset the TCP connection (RST) instead of answering:
                                      #   before-response: after reading the whole body,
                                      #   mid-body: after reading drop_after_bytes of it
      "drop_after_bytes": 65536,      # for mid-body (default 65536)
      "times": 1                      # how many matching requests it applies to (1..1000)
    }

At least one of ``status``, ``drop`` or a positive ``delay`` is required (a delay alone
slows the request down, then the request is handled normally). Unknown fields are
refused, so a typo cannot silently queue a no-op.

Faults are consumed first-in first-out: each request to one of the API endpoints
takes the oldest queued fault whose ``endpoint`` is its own or ``*``, and that fault's
``times`` goes down by one. Faults apply only to requests that passed HTTP Basic auth.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

ENDPOINTS = (
    "upload",
    "fetch",
    "get",
    "image",
    "app-software",
    "versions",
    "create-version",
    "get-version",
    "listing",
    "developer-space",
    "product-listing",
    "product-listing-put",
    "parent-software",
    "get-listing",
)
DROP_MODES = ("before-response", "mid-body")
MAX_DELAY_SECONDS = 300.0
MAX_TIMES = 1000
DEFAULT_DROP_AFTER_BYTES = 64 * 1024
MAX_LOG_ENTRIES = 1000

_FIELDS = {"endpoint", "status", "headers", "body", "delay", "drop", "drop_after_bytes", "times"}


class FaultSpecError(ValueError):
    """A fault description is invalid; ``str()`` says which field and why."""


@dataclass
class Fault:
    """One queued fault (see the module docstring for the meaning of each field)."""

    endpoint: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    delay: float = 0.0
    drop: str | None = None
    drop_after_bytes: int = DEFAULT_DROP_AFTER_BYTES
    times: int = 1

    def to_json(self) -> dict[str, Any]:
        """The fault as the admin API shows it."""
        data: dict[str, Any] = {"endpoint": self.endpoint, "times": self.times}
        if self.status is not None:
            data["status"] = self.status
        if self.headers:
            data["headers"] = dict(self.headers)
        if self.has_body:
            data["body"] = self.body
        if self.delay:
            data["delay"] = self.delay
        if self.drop:
            data["drop"] = self.drop
            data["drop_after_bytes"] = self.drop_after_bytes
        return data


def parse_fault(data: object, where: str = "fault") -> Fault:
    """Validate one fault description (a decoded JSON object).

    Raises :class:`FaultSpecError` naming the field (``where`` prefixes it, e.g.
    ``faults[1]``) on any problem."""
    if not isinstance(data, dict):
        raise FaultSpecError(f"{where}: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise FaultSpecError(
            f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_FIELDS))}"
        )
    endpoint = data.get("endpoint")
    if endpoint not in (*ENDPOINTS, "*"):
        raise FaultSpecError(
            f"{where}.endpoint: must be one of {', '.join((*ENDPOINTS, '*'))}, got {endpoint!r}"
        )
    fault = Fault(endpoint=endpoint)
    status = data.get("status")
    if status is not None:
        if not _is_int(status) or not 100 <= status <= 599:
            raise FaultSpecError(f"{where}.status: must be an integer 100..599, got {status!r}")
        fault.status = status
    headers = data.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _header_safe(k + v)
        for k, v in headers.items()
    ):
        raise FaultSpecError(
            f"{where}.headers: must be an object of string names to string values (no line breaks)"
        )
    fault.headers = dict(headers)
    if "body" in data:
        fault.body = data["body"]
        fault.has_body = True
    delay = data.get("delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise FaultSpecError(f"{where}.delay: must be a number of seconds, got {delay!r}")
    if not 0 <= delay <= MAX_DELAY_SECONDS:
        raise FaultSpecError(f"{where}.delay: must be 0..{MAX_DELAY_SECONDS:g} seconds")
    fault.delay = float(delay)
    drop = data.get("drop")
    if drop is not None and drop not in DROP_MODES:
        raise FaultSpecError(f"{where}.drop: must be one of {', '.join(DROP_MODES)}")
    fault.drop = drop
    after = data.get("drop_after_bytes", DEFAULT_DROP_AFTER_BYTES)
    if not _is_int(after) or after < 0:
        raise FaultSpecError(f"{where}.drop_after_bytes: must be an integer >= 0")
    fault.drop_after_bytes = after
    times = data.get("times", 1)
    if not _is_int(times) or not 1 <= times <= MAX_TIMES:
        raise FaultSpecError(f"{where}.times: must be an integer 1..{MAX_TIMES}")
    fault.times = times
    if fault.status is None and fault.drop is None and fault.delay <= 0:
        raise FaultSpecError(f"{where}: give at least one of status, drop or a positive delay")
    if fault.status is not None and fault.drop is not None:
        raise FaultSpecError(f"{where}: give status or drop, not both")
    return fault


def parse_faults(data: object) -> list[Fault]:
    """Validate one fault object or a non-empty list of them (all or nothing)."""
    if isinstance(data, list):
        if not data:
            raise FaultSpecError("expected a fault object or a non-empty list of them")
        return [parse_fault(item, f"faults[{i}]") for i, item in enumerate(data)]
    return [parse_fault(data)]


def default_fault_body(status: int) -> dict[str, Any]:
    """The JSON error body of an injected ``status`` without a ``body``."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Injected Fault"
    code = reason.upper().replace(" ", "_").replace("-", "_").replace("'", "")
    message = f"{reason} (injected by the sandbox fault queue)"
    return {"code": code, "message": message, "errors": [{"code": code, "message": message}]}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _header_safe(text: str) -> bool:
    return all(ch.isprintable() for ch in text)


class FaultQueue:
    """Thread-safe FIFO of :class:`Fault` (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()

    def add(self, faults: list[Fault]) -> None:
        """Queue ``faults`` in order."""
        with self._lock:
            self._faults.extend(faults)

    def take(self, endpoint: str) -> Fault | None:
        """The oldest fault matching ``endpoint`` (or ``*``), with one of its ``times``
        used up (removed when none are left); None when no fault matches."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (endpoint, "*"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The queued faults as JSON, oldest first."""
        with self._lock:
            return [f.to_json() for f in self._faults]

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()


class RequestLog:
    """Thread-safe log of API requests (the newest :data:`MAX_LOG_ENTRIES` kept).

    Each entry is a dict: ``seq``, ``time`` (POSIX seconds), ``method``, ``path``,
    ``endpoint``, ``status`` (None when the connection was dropped), ``content_length``
    (the header, None when absent), ``body_bytes`` (request bytes the sandbox read),
    ``file_name``/``file_size``/``file_sha512`` (uploads: the ``file`` part),
    ``authorization`` (whether an Authorization header came: never its value),
    ``user_agent``, ``fault`` (the fault applied, or None), ``dropped`` (the drop mode).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_LOG_ENTRIES)
        self._seq = 0

    def start(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Add ``entry`` (numbered) and return it; the caller fills it in afterwards."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Copies of the entries, oldest first."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
