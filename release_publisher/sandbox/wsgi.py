"""The sandbox as a WSGI application: match the route, then the rules every route shares.

Every ``/rest`` path needs HTTP Basic auth with the sandbox's user and token (401
``UNAUTHORIZED`` with ``WWW-Authenticate`` otherwise), is written to the request log and
(given a ``fault`` name) consumes queued faults (:mod:`.faults`). ``/_sandbox/...``
admin paths need no auth but answer loopback clients only (403 ``FORBIDDEN``).

Codes of the shared answers: ``UNAUTHORIZED`` (401), ``FORBIDDEN`` (403), ``NOT_FOUND``
(404, unknown path), ``METHOD_NOT_ALLOWED`` (405, with ``Allow``), ``PAYLOAD_TOO_LARGE``
(413), ``VALIDATION_FAILED`` (400) and ``INTERNAL_ERROR`` (500, a sandbox bug; logged).

Knows the :class:`~.routing.Router` and the :class:`~.state.SandboxState`; nothing of
any route's behaviour (routes are registered by :func:`~.app.create_app`).
"""

from __future__ import annotations

import hmac
import io
import ipaddress
import logging
from collections.abc import Iterable
from typing import IO, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

from ..clock import Clock
from .faults import Fault, default_fault_body
from .http import Call, error_response, json_response, too_large
from .multipart import MULTIPART_OVERHEAD_BYTES
from .routing import Route, Router
from .state import SandboxState
from .store import TooLarge

#: WSGI environ key of the callable (set by the sandbox's request handler) that makes
#: the server reset the TCP connection once the request ends.
ABORT_KEY = "release_publisher.sandbox.abort"

_log = logging.getLogger("release_publisher.sandbox")


class _CountingInput(io.RawIOBase):
    """Wraps ``wsgi.input`` and counts the bytes read through it; with ``bandwidth``
    (bytes per second, 0: unlimited) it reads no faster than that, sleeping on
    ``clock`` (the ``--bandwidth`` network condition)."""

    def __init__(self, inner: IO[bytes], *, bandwidth: int = 0, clock: Clock | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.count = 0
        self.bandwidth = bandwidth
        self.clock = clock
        self.start = clock.monotonic() if clock is not None else 0.0

    def _throttle(self) -> None:
        """Sleep until ``count`` bytes fit the bandwidth since the first read."""
        if self.bandwidth > 0 and self.clock is not None:
            due = self.start + self.count / self.bandwidth
            self.clock.sleep(due - self.clock.monotonic())

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inner.readinto(buffer) if hasattr(self.inner, "readinto") else None
        if n is None:
            data = self.inner.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.count += n
        self._throttle()
        return n

    def readline(self, size: int | None = -1) -> bytes:
        data = self.inner.readline(-1 if size is None else size)
        self.count += len(data)
        self._throttle()
        return data


class SandboxApp:
    """The WSGI application over ``state`` (:class:`~.state.SandboxState`) serving the
    routes of ``router``. Built by :func:`~.app.create_app`.

    State for tests and rehearsals: ``state``, and its ``store``, ``faults``
    (:class:`~.faults.FaultQueue`) and ``requests`` (:class:`~.faults.RequestLog`).
    """

    def __init__(self, state: SandboxState, router: Router) -> None:
        self.state = state
        self.router = router
        self.store = state.store
        self.faults = state.faults
        self.requests = state.requests

    # -- WSGI --------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """The WSGI entry point. Raises ConnectionAbortedError when a ``drop`` fault
        fires (werkzeug's server then resets the connection)."""
        path = environ.get("PATH_INFO", "")
        entry: dict[str, Any] | None = None
        counting: _CountingInput | None = None
        if not path.startswith("/_sandbox/"):
            counting = _CountingInput(
                environ["wsgi.input"],
                bandwidth=self.state.config.bandwidth,
                clock=self.state.clock,
            )
            environ["wsgi.input"] = counting
            entry = self._log_start(environ)
        request = Request(environ)
        try:
            response = self._dispatch(request, entry)
        finally:
            if entry is not None and counting is not None:
                entry["body_bytes"] = counting.count
        if entry is not None:
            entry["status"] = response.status_code
            if self.state.config.latency > 0:  # --latency: every API response is late
                self.state.clock.sleep(self.state.config.latency)
            entry["end"] = self.state.clock.wall()  # the answer is about to be sent
        return response(environ, start_response)

    def _log_start(self, environ: dict[str, Any]) -> dict[str, Any]:
        length = environ.get("CONTENT_LENGTH", "")
        return self.state.requests.start(
            {
                "time": self.state.clock.wall(),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "endpoint": None,
                "status": None,
                "content_length": int(length) if str(length).isdigit() else None,
                "body_bytes": 0,
                "file_name": None,
                "file_size": None,
                "file_sha512": None,
                "authorization": "HTTP_AUTHORIZATION" in environ,
                "user_agent": environ.get("HTTP_USER_AGENT"),
                "fault": None,
                "dropped": None,
                "end": None,
            }
        )

    def _dispatch(self, request: Request, entry: dict[str, Any] | None) -> Response:
        adapter = self.router.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            return error_response(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed on {request.path} (allowed: {allowed})",
                {"Allow": allowed},
            )
        except NotFound:
            return error_response(
                404,
                "NOT_FOUND",
                f"no such path {request.path!r}: the sandbox serves /rest/3/... at its base URL "
                f"{request.host_url.rstrip('/')} (no /marketplace prefix)",
            )
        except HTTPException as exc:  # e.g. a redirect for a path variant
            return error_response(exc.code or 400, "VALIDATION_FAILED", exc.description or "")
        route = self.router.routes[str(endpoint)]
        call = Call(request=request, args=dict(args), entry=entry)
        if entry is not None:
            entry["endpoint"] = endpoint
        try:
            if not route.api:
                return self._admin(route, call)
            return self._api(route, call)
        except ConnectionError:
            raise  # a drop fault: let the server reset the connection
        except TooLarge as exc:
            return too_large(f"the file part is over the {exc.limit}-byte limit")
        except RequestEntityTooLarge:
            return too_large("the request body is too large")
        except HTTPException as exc:
            return error_response(
                exc.code or 400, "VALIDATION_FAILED", exc.description or "bad request"
            )
        except Exception:  # noqa: BLE001 - a bug must still answer JSON, and be logged
            _log.exception("sandbox: unexpected error on %s %s", request.method, request.path)
            return error_response(500, "INTERNAL_ERROR", "unexpected sandbox error (see its log)")

    def _admin(self, route: Route, call: Call) -> Response:
        remote = call.request.remote_addr
        try:  # no REMOTE_ADDR: called in-process (tests), not over a network
            loopback = remote is None or ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return error_response(
                403, "FORBIDDEN", "the /_sandbox admin endpoints answer loopback clients only"
            )
        return route.handler(call)

    def _api(self, route: Route, call: Call) -> Response:
        if not self._authorized(call.request):
            return error_response(
                401,
                "UNAUTHORIZED",
                "HTTP Basic auth with the sandbox's user and API token is required",
                {"WWW-Authenticate": 'Basic realm="Marketplace sandbox", charset="UTF-8"'},
            )
        fault = self.state.faults.take(route.fault) if route.fault else None
        if fault is not None:
            if call.entry is not None:
                call.entry["fault"] = fault.to_json()
            if fault.delay > 0:
                self.state.clock.sleep(fault.delay)
            if fault.drop is not None:
                self._drop(call, fault)
            if fault.status is not None:
                return _fault_response(fault)
        return route.handler(call)

    def _authorized(self, request: Request) -> bool:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return False
        user_ok = hmac.compare_digest(
            (auth.username or "").encode(), self.state.config.user.encode()
        )
        token_ok = hmac.compare_digest(
            (auth.password or "").encode(), self.state.config.token.encode()
        )
        return user_ok and token_ok

    def _drop(self, call: Call, fault: Fault) -> None:
        """Read (part of) the body, then have the server reset the connection."""
        environ = call.request.environ
        stream = get_input_stream(environ)
        budget = (
            fault.drop_after_bytes
            if fault.drop == "mid-body"
            else self.state.config.max_artifact_bytes + MULTIPART_OVERHEAD_BYTES
        )
        while budget > 0:
            chunk = stream.read(min(budget, 64 * 1024))
            if not chunk:
                break
            budget -= len(chunk)
        if call.entry is not None:
            call.entry["dropped"] = fault.drop
        abort = environ.get(ABORT_KEY)
        if callable(abort):
            abort()
        raise ConnectionAbortedError(f"sandbox fault: connection dropped ({fault.drop})")


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    headers = dict(fault.headers)
    if not fault.has_body:
        return json_response(default_fault_body(status), status, headers)
    if isinstance(fault.body, str):
        return Response(fault.body, status=status, headers=headers)  # text/plain unless set
    response = json_response(fault.body, status)
    for key, value in headers.items():
        response.headers[key] = value
    return response
