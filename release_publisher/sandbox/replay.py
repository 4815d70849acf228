"""``release-publisher sandbox --replay TRACE``: serve the answers of a recorded wire
trace (``publish --trace``) instead of emulating Marketplace, so a run against a real
Marketplace can be reproduced offline, and a fix proven against it.

Matching: each incoming request takes the next unused recorded exchange with the same
method and *path pattern*, in the trace's order. The pattern is the path from its
``/rest/`` segment on (a trace recorded against ``https://api.atlassian.com/marketplace``
replays on ``http://127.0.0.1:PORT``), with every ID segment matched by position: the
segment after ``artifacts``, ``app-key``, ``app-software`` or ``versions`` (but the
sub-resources ``fetch``, ``binary``, ``app-key``, ``versions``, ``listing``), and any
segment that is not lowercase letters, ``-`` and ``_`` only, matches any value at that
position (artifact IDs, app keys, app software IDs, build numbers); the others
(``artifacts``, ``app-software``, the image type ``icon``, the API version after
``rest``) must be equal.
The query and the request body are not compared, but for one thing: concurrent
uploads to the same path (two screenshots) take the recorded exchange whose multipart
``filename`` is the request's, when there is one.

The matched exchange's status, headers (minus the framing ones: ``Content-Length``,
``Transfer-Encoding``, ``Connection``, ``Content-Encoding``, ``Date``, ``Server``) and
body (its JSON, or its recorded text) are sent back; no ``Content-Type`` when none was
recorded. A request that matches nothing
gets ``599`` with a JSON error (``REPLAY_MISMATCH``) naming the request and the next
unused recorded exchange, so a divergence is obvious. Recorded exchanges without an
answer (a transport failure) are not replayed: the retry that followed them gets the
next recorded answer. No authentication is checked.

The trace's line format is documented in ``release_publisher/marketplace/trace.py``;
it is read here independently (the sandbox does not import the client). Imports:
werkzeug, :mod:`.http`, :mod:`release_publisher.errors`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

from ..errors import UsageError
from .http import error_response

__all__ = ["MISMATCH_STATUS", "Recorded", "ReplayApp", "load_trace", "path_pattern"]

#: The status of an answer to a request that matches no unused recorded exchange.
MISMATCH_STATUS = 599

_LITERAL = re.compile(r"[a-z][a-z_-]*")
#: Segments followed by an ID, and the sub-resources that may follow them instead.
_COLLECTIONS = frozenset({"artifacts", "app-key", "app-software", "versions"})
_SUBRESOURCES = frozenset({"fetch", "binary", "app-key", "versions", "listing"})
_FRAMING = frozenset(
    {"content-length", "transfer-encoding", "connection", "content-encoding", "date", "server"}
)
_DRAIN_BLOCK = 1 << 20
_FILENAME = re.compile(r'filename="((?:[^"\\]|\\.)*)"')
#: An HTTP header name (RFC 9110 token) and a value that can be sent (no line breaks).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def path_pattern(path: str) -> tuple[str, ...]:
    """The segments of ``path`` from ``rest`` on (the whole path when there is no
    ``rest`` segment), each ID segment replaced by ``"{}"`` (see the module doc), e.g.
    ``/marketplace/rest/3/artifacts/a1b2`` -> ``("rest", "3", "artifacts", "{}")``."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    if "rest" in segments:
        segments = segments[segments.index("rest") :]
    out: list[str] = []
    for index, segment in enumerate(segments):
        previous = segments[index - 1] if index > 0 else ""
        is_id = not _LITERAL.fullmatch(segment) or (
            previous in _COLLECTIONS and segment not in _SUBRESOURCES
        )
        out.append("{}" if is_id and previous != "rest" else segment)
    return tuple(out)


@dataclass(frozen=True)
class Recorded:
    """One recorded answer: ``line`` of the trace file it came from, the request's
    ``method`` and ``path``, the answer's ``status``, ``headers`` (framing headers
    removed) and ``body`` bytes; the upload's multipart ``filename`` (None: not one)."""

    line: int
    method: str
    path: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    filename: str | None = None

    @property
    def pattern(self) -> tuple[str, ...]:
        """:func:`path_pattern` of :attr:`path`."""
        return path_pattern(self.path)

    def describe(self) -> str:
        """``POST /rest/3/artifacts (trace line 3)``."""
        return f"{self.method} {self.path} (trace line {self.line})"


def load_trace(path: Path) -> list[Recorded]:
    """The recorded answers of the trace file ``path`` in order (lines without an
    answer, i.e. transport failures, are left out).

    Raises :class:`UsageError` naming ``path:line`` for a file that cannot be read, a
    line that is not a JSON object, or a recorded answer without a method, path or
    a status in 100..599, or with a header that cannot be sent (a line break in it);
    and when the trace holds no answer at all."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"cannot read the trace {path}: {getattr(exc, 'strerror', None) or exc}",
            hint="give --replay the file that publish --trace wrote",
        ) from None
    recorded: list[Recorded] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _bad(path, number, f"not JSON ({exc.msg})") from None
        except ValueError:
            raise _bad(path, number, "not JSON") from None
        if not isinstance(item, dict):
            raise _bad(path, number, "not a JSON object")
        answer = _answer(item, path, number)
        if answer is not None:
            recorded.append(answer)
    if not recorded:
        raise UsageError(
            f"the trace {path} holds no recorded answer",
            hint="record one with publish --trace PATH",
        )
    return recorded


def _answer(item: dict[str, Any], path: Path, number: int) -> Recorded | None:
    response = item.get("response")
    if response is None:
        return None
    method, url_path = item.get("method"), item.get("path")
    if not isinstance(method, str) or not isinstance(url_path, str) or not url_path:
        raise _bad(path, number, "no method or path")
    if not isinstance(response, dict):
        raise _bad(path, number, "response is not an object")
    status = response.get("status")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise _bad(path, number, "response.status must be an HTTP status (100..599)")
    headers = response.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise _bad(path, number, "response.headers must map names to strings")
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
            raise _bad(path, number, f"response header {name[:40]!r} cannot be sent")
    if "json" in response:
        body = json.dumps(response["json"]).encode()
    elif isinstance(response.get("text"), str):
        body = response["text"].encode()
    else:
        body = b""
    kept = tuple((k, v) for k, v in headers.items() if k.lower() not in _FRAMING)
    request = item.get("request")
    part = request.get("multipart") if isinstance(request, dict) else None
    filename = part.get("filename") if isinstance(part, dict) else None
    name = filename if isinstance(filename, str) else None
    return Recorded(number, method.upper(), url_path, status, kept, body, name)


def _bad(path: Path, number: int, what: str) -> UsageError:
    return UsageError(
        f"{path}:{number}: not a trace line: {what}",
        hint="give --replay the file that publish --trace wrote (one JSON object per "
        "line; see README, 'Replaying a trace')",
    )


class ReplayApp:
    """The WSGI application serving ``recorded`` (from :func:`load_trace`) in order
    (see the module doc). Thread-safe. ``served`` and ``unmatched`` count the answers
    given and the 599s; :meth:`unused` lists what was never asked for."""

    def __init__(self, recorded: Iterable[Recorded]) -> None:
        self.recorded = list(recorded)
        self._used = [False] * len(self.recorded)
        self._lock = threading.Lock()
        self.served = 0
        self.unmatched = 0

    def unused(self) -> list[Recorded]:
        """The recorded answers not served yet, in order."""
        with self._lock:
            return [r for r, used in zip(self.recorded, self._used, strict=True) if not used]

    def take(self, method: str, path: str, filename: str | None = None) -> Recorded | None:
        """Mark and return the next unused recorded exchange matching ``method`` and
        ``path`` (by :func:`path_pattern`), preferring one with the upload's multipart
        ``filename``; or None."""
        pattern = path_pattern(path)
        with self._lock:
            found = [
                index
                for index, item in enumerate(self.recorded)
                if not self._used[index] and item.method == method and item.pattern == pattern
            ]
            same = [i for i in found if filename and self.recorded[i].filename == filename]
            if not found:
                self.unmatched += 1
                return None
            index = (same or found)[0]
            self._used[index] = True
            self.served += 1
            return self.recorded[index]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        head = _drain(environ)
        match = _FILENAME.search(head.decode("latin-1"))
        item = self.take(request.method, request.path, match.group(1) if match else None)
        if item is None:
            response = self._mismatch(request.method, request.path)
        else:
            response = Response(item.body, status=item.status, headers=list(item.headers))
            if not any(name.lower() == "content-type" for name, _ in item.headers):
                del response.headers["Content-Type"]  # werkzeug's default: not recorded
        result: Iterable[bytes] = response(environ, start_response)
        return result

    def _mismatch(self, method: str, path: str) -> Response:
        pending = self.unused()
        if pending:
            expected = f"expected next: {pending[0].describe()}"
        else:
            expected = f"all {len(self.recorded)} recorded answers were served already"
        message = (
            f"replay: {method} {path} matches no unused recorded exchange "
            f"(same method and path pattern); {expected}"
        )
        return error_response(MISMATCH_STATUS, "REPLAY_MISMATCH", message)


def _drain(environ: dict[str, Any]) -> bytes:
    """Read the request body to its end (an upload must be received whole before
    the answer, as Marketplace does); returns its first 4 KiB (the part headers of an
    upload), the rest is discarded."""
    stream = get_input_stream(environ)
    head: bytes = stream.read(4096)
    while stream.read(_DRAIN_BLOCK):
        pass
    return head
