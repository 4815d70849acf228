"""The wire trace (``--trace PATH``): one redacted JSON line per HTTP exchange with
Marketplace, written as the run goes, so a user can hand over exactly what the API
said and ``release-publisher sandbox --replay`` can serve it again offline.

One line (a JSON object, keys in this order)::

    {"time": "2026-12-01T22:30:00.123Z",     # wall time (UTC) the answer was complete
     "method": "POST", "path": "/rest/3/artifacts", "query": "limit=50" | "",
     "attempt": 1,                           # which try of a retried call (1 = first)
     "request": {"headers": {...},
                 "json": {...}               # a JSON body, or
                 "multipart": {"headers": {...}, "filename": "hello.jar",
                               "size": 1234, "sha512": "<hex>" | null}},
     "response": {"status": 201, "headers": {...},
                  "json": {...}              # a JSON body, or
                  "text": "...",             # the first TRACE_TEXT_BYTES of another body
                  "size": 1234, "truncated": false} | null,
     "elapsed": 0.042,                       # seconds from sending to the whole answer
     "error": null | "ConnectionError: ..."} # a transport failure: no complete answer

What it never holds: a secret in any form (``Authorization`` and
``Proxy-Authorization`` are replaced by their scheme, cookies by ``***``, and every
string goes through the redactor: :data:`~release_publisher.secrets.REDACTOR` by
default, which knows every registered secret's derived forms), and never file bytes (a
multipart body is its part headers, file name, size and the SHA-512 the upload
computed while streaming; ``null`` when no answer came and the body was not sent to its
end).

The file is created with mode 0644 (like the result JSON) and flushed after every
line: a crashed or interrupted run leaves every finished exchange. A failure to write
is logged once and never fails the run.

:class:`Exchange` is what :class:`~.transport.Transport` hands its observer per
exchange; :class:`TraceRecorder` is that observer. Imports: :mod:`.upload` (body
types), :mod:`.retry` (the attempt number), :mod:`.errors` (JSON decoding),
:mod:`release_publisher.secrets`, :mod:`release_publisher.clock`; no HTTP library.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from ..clock import Clock, SystemClock
from ..secrets import REDACTED, REDACTOR
from .errors import load_json
from .retry import current_attempt
from .upload import BytesBody, MultipartFileBody

__all__ = ["TRACE_TEXT_BYTES", "Exchange", "ExchangeObserver", "TraceRecorder", "trace_line"]

#: Bytes of a non-JSON body kept in the trace (the first 64 KiB).
TRACE_TEXT_BYTES = 64 * 1024

#: Headers whose value is replaced by its scheme (``Basic``, ``Bearer``).
_SCHEME_ONLY = frozenset({"authorization", "proxy-authorization"})
#: Headers whose value is replaced by ``***`` altogether.
_HIDDEN = frozenset({"cookie", "set-cookie"})
_FILENAME = re.compile(r'filename="((?:[^"\\]|\\.)*)"')
_log = logging.getLogger(__name__)

Redact = Callable[[str], str]


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as sent and answered: ``method``, the absolute ``url``, the
    request headers sent, the request ``body`` (None for a GET), the answer's
    ``status`` and headers (None / empty when no answer arrived), the answer's body
    bytes as read, ``elapsed`` seconds from sending to the end of the answer, and
    ``error``: the transport failure (exception type and text, unredacted) when no
    complete answer arrived."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    body: MultipartFileBody | BytesBody | None
    status: int | None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None


#: observer(exchange), called by the transport once per exchange, on its thread.
ExchangeObserver = Callable[[Exchange], None]


def trace_line(
    exchange: Exchange, *, redact: Redact, now: float, attempt: int = 1
) -> dict[str, Any]:
    """The trace record of ``exchange`` (the shape in the module doc), every string
    redacted with ``redact``. ``now`` is the wall time in POSIX seconds; ``attempt``
    the try number (1-based). Never raises on odd bodies or headers."""
    parts = urlsplit(exchange.url)
    when = datetime.fromtimestamp(now, tz=UTC)
    response = None
    if exchange.status is not None:
        response = {
            "status": exchange.status,
            "headers": _headers(exchange.response_headers, redact),
            **_body(exchange.response_body, redact),
        }
    return {
        "time": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "method": exchange.method,
        "path": redact(parts.path),
        "query": redact(parts.query),
        "attempt": attempt,
        "request": {
            "headers": _headers(exchange.request_headers, redact),
            **_request_body(exchange.body, redact, answered=exchange.status is not None),
        },
        "response": response,
        "elapsed": round(max(0.0, exchange.elapsed), 6),
        "error": redact(exchange.error) if exchange.error is not None else None,
    }


class TraceRecorder:
    """Writes one JSON line per exchange to ``path`` (created or truncated, mode 0644;
    flushed after every line). Use it as the client's exchange observer; thread-safe.

    ``redact`` defaults to :data:`~release_publisher.secrets.REDACTOR`'s ``redact``
    (every registered secret and its derived forms); ``clock`` gives the wall time of
    each line. Raises OSError when ``path`` cannot be created (before any request is
    sent, or when it is not a regular file: a FIFO or a device); later write failures
    are logged once and stop the trace, not the run."""

    def __init__(
        self, path: Path, *, redact: Redact | None = None, clock: Clock | None = None
    ) -> None:
        self.path = Path(path)
        self._redact = redact or REDACTOR.redact
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self.lines = 0
        # O_NONBLOCK: a FIFO without a reader fails at once instead of blocking the run
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK, 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(f"{self.path} is not a regular file (a FIFO or a device)")
            os.set_blocking(fd, True)
            os.ftruncate(fd, 0)
            os.fchmod(fd, 0o644)  # the umask does not narrow it: like the result JSON
            self._file: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8")
        except BaseException:
            os.close(fd)
            raise

    def __call__(self, exchange: Exchange) -> None:
        """Append the line of ``exchange`` and flush it. Never raises."""
        try:
            record = trace_line(
                exchange, redact=self._redact, now=self._clock.wall(), attempt=current_attempt()
            )
            line = _final_check(json.dumps(record, ensure_ascii=False), self._redact)
        except Exception:  # noqa: BLE001 - the trace must never break a release
            _log.warning("could not record an exchange in the trace %s", self.path, exc_info=True)
            return
        with self._lock:
            if self._file is None:
                return
            try:
                self._file.write(line + "\n")
                self._file.flush()
                self.lines += 1
            except OSError as exc:
                _log.warning("could not write the trace %s: %s; tracing stopped", self.path, exc)
                self._close()

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):  # a full disk at close
                self._file.close()
            self._file = None

    def __enter__(self) -> TraceRecorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- helpers


def _headers(headers: Mapping[str, str], redact: Redact) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        lower = name.lower()
        if lower in _SCHEME_ONLY:
            scheme = text.strip().split(" ", 1)[0]
            text = scheme if scheme.isalpha() and len(scheme) <= 20 else REDACTED
        elif lower in _HIDDEN:
            text = REDACTED
        out[redact(name)] = redact(text)
    return out


def _request_body(
    body: MultipartFileBody | BytesBody | None, redact: Redact, *, answered: bool
) -> dict[str, Any]:
    """The request body's record. A multipart body's SHA-512 is the one the upload
    computed while streaming (for an answer that came before the end of the body: the
    upload's digest of the whole file, which the client reads for verification
    anyway); None when no answer came and the body was not sent to its end."""
    if body is None:
        return {}
    if isinstance(body, MultipartFileBody):
        headers = body.part_headers
        match = _FILENAME.search(headers.get("Content-Disposition", ""))
        return {
            "multipart": {
                "headers": _headers(headers, redact),
                "filename": redact(match.group(1)) if match else None,
                "size": body.size,
                "sha512": body.sha512() if body.finished or answered else None,
            }
        }
    return _body(body.data, redact)


def _body(data: bytes, redact: Redact) -> dict[str, Any]:
    is_json, value = load_json(data)
    if is_json:
        return {"json": _redact_json(value, redact)}
    head = data[:TRACE_TEXT_BYTES]
    return {
        "text": redact(head.decode("utf-8", errors="replace")),
        "size": len(data),
        "truncated": len(data) > TRACE_TEXT_BYTES,
    }


def _redact_json(value: Any, redact: Redact) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_json(item, redact) for item in value]
    if isinstance(value, dict):
        return {redact(str(k)): _redact_json(v, redact) for k, v in value.items()}
    return value


def _final_check(line: str, redact: Redact) -> str:
    """The last defence: a secret that survived the per-string redaction (e.g. split
    by JSON escaping) is redacted in the line; if that broke the JSON, the line says
    so instead of holding it."""
    checked = redact(line)
    if checked == line:
        return line
    try:
        json.loads(checked)
    except ValueError:
        return json.dumps({"error": "this exchange held a secret and was left out"})
    return checked
