"""Connections of the Marketplace client's ``requests`` session, and which origin a
URL connects to.

* :class:`Adapter`: the ``requests`` adapter. Its connections bound each socket send
  of a request body by ``send_timeout`` (the read timeout; urllib3 alone would apply
  the connect timeout there), its TLS context (when given) trusts the default store
  plus an extra CA file (:func:`ssl_context`), and it refuses to open a connection
  for a request carrying ``Authorization`` to any origin but the allowed one
  (:class:`CrossOriginRefused`).
* :class:`AnswerWatch` / :func:`watch_answer`: the TOTAL deadline of one answer, from
  the end of the request (``getresponse``) to its last byte; when it passes, the
  connection's socket is shut down, which ends any read blocked on it.
* :func:`connects_to`, :func:`origin`, :func:`show_origin`: which ``(scheme, host,
  port)`` a URL connects to, decided by the very code that connects (``requests``'
  URL preparation, i.e. urllib3's ``parse_url``, IDNA and requoting, then the
  adapter's pool key), never by ``urllib.parse.urlsplit``, which reads
  ``http://a:1\\@b:2/`` as host ``b`` while urllib3 connects to ``a``.

Imports ``requests``/``urllib3``, the standard library, :mod:`release_publisher.errors`
and :mod:`release_publisher.safe_text`; knows nothing of endpoints, retries or
messages beyond these.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError

from ..errors import UsageError
from ..safe_text import one_line

__all__ = [
    "NOWHERE",
    "Adapter",
    "AnswerWatch",
    "CrossOriginRefused",
    "connects_to",
    "origin",
    "show_origin",
    "split_origin",
    "ssl_context",
    "watch_answer",
]


class AnswerWatch:
    """The total deadline of one answer: :meth:`arm` (called when the request was
    sent) starts a timer of ``seconds``; when it fires before :meth:`disarm`, the
    connection's socket is shut down, which ends any read blocked on it, and
    :attr:`expired` is set."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._done = False

    def arm(self, conn: HTTPConnection) -> None:
        with self._lock:
            if self._done or self._timer is not None:
                return
            seconds = min(self.seconds, threading.TIMEOUT_MAX / 2)  # a lock's limit
            self._timer = threading.Timer(seconds, self._cut, args=(conn,))
            self._timer.daemon = True
            self._timer.start()

    def _cut(self, conn: HTTPConnection) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = conn.sock
        if isinstance(sock, socket.socket):
            # the plain socket's shutdown: SSLSocket's would drop its TLS state
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def disarm(self) -> None:
        with self._lock:
            self._done = True
            timer = self._timer
        if timer is not None:
            timer.cancel()


#: The `AnswerWatch` of the try running in this thread (set by :func:`watch_answer`).
_CURRENT = threading.local()


def _arm_answer_watch(conn: HTTPConnection) -> None:
    watch = getattr(_CURRENT, "watch", None)
    if watch is not None:
        watch.arm(conn)


class _SendTimeoutHTTPConnection(HTTPConnection):
    """Bounds each socket send with ``send_timeout`` seconds (set per client), and the
    whole answer by the running try's total deadline (`AnswerWatch`)."""

    send_timeout: float | None = None

    def send(self, data: Any) -> None:
        if self.sock is not None and self.send_timeout is not None:
            self.sock.settimeout(self.send_timeout)
        super().send(data)

    def getresponse(self) -> Any:
        _arm_answer_watch(self)
        return super().getresponse()


class _SendTimeoutHTTPSConnection(HTTPSConnection):
    """TLS variant of :class:`_SendTimeoutHTTPConnection`."""

    send_timeout: float | None = None

    def send(self, data: Any) -> None:
        if self.sock is not None and self.send_timeout is not None:
            self.sock.settimeout(self.send_timeout)
        super().send(data)

    def getresponse(self) -> Any:
        _arm_answer_watch(self)
        return super().getresponse()


def _pool_classes(send_timeout: float) -> dict[str, type[HTTPConnectionPool]]:
    http_conn = type("_HTTPConn", (_SendTimeoutHTTPConnection,), {"send_timeout": send_timeout})
    https_conn = type("_HTTPSConn", (_SendTimeoutHTTPSConnection,), {"send_timeout": send_timeout})
    http_pool = type("_HTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("_HTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    return {"http": http_pool, "https": https_pool}


class Adapter(HTTPAdapter):
    """An HTTPAdapter whose connections bound body sends by ``send_timeout`` and whose
    TLS context (when given) trusts the default store plus an extra CA file."""

    def __init__(
        self,
        *,
        send_timeout: float,
        ssl_context: ssl.SSLContext | None,
        allowed_origin: tuple[str, str, int | None] | None = None,
    ) -> None:
        self._rp_pool_classes = _pool_classes(send_timeout)
        self._rp_ssl_context = ssl_context
        self._rp_allowed_origin = allowed_origin
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        """The pool key urllib3 connects by; raises :class:`CrossOriginRefused` when
        ``request`` carries ``Authorization`` and that key is not the allowed origin."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        allowed = self._rp_allowed_origin
        credentials = "Authorization" in request.headers
        if allowed is not None and credentials and _normalise(host_params) != allowed:
            raise CrossOriginRefused(request=request)
        return host_params, pool_kwargs

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        if self._rp_ssl_context is not None:
            pool_kwargs["ssl_context"] = self._rp_ssl_context
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self._rp_pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        if self._rp_ssl_context is not None:
            proxy_kwargs.setdefault("ssl_context", self._rp_ssl_context)
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = self._rp_pool_classes
        return manager


def ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """The default trust store plus the CA certificates in ``ca_bundle`` (PEM).
    ``requests`` adds its own bundle (certifi) per connection as usual. Raises
    :class:`~release_publisher.errors.UsageError` for a missing or unreadable file."""
    path = Path(ca_bundle)
    if not path.is_file():
        raise UsageError(
            f"CA bundle {ca_bundle} does not exist or is not a file",
            hint="give the path of a PEM file holding the extra CA certificate(s)",
        )
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise UsageError(
            f"cannot load CA bundle {ca_bundle}: {reason}",
            hint="give a readable PEM file of CA certificates (-----BEGIN CERTIFICATE-----)",
        ) from None
    return context


# ------------------------------------------------------------------------ URL origins


class CrossOriginRefused(requests.exceptions.RequestException):
    """The adapter refused to connect a request carrying credentials to an origin other
    than the base URL's (a last guard behind :meth:`Transport.get` and
    :meth:`Transport.next_url`, which refuse such URLs with a clearer message)."""


#: Origin of a URL no connection can be made to; never equal to a real origin.
NOWHERE: tuple[str, str, int | None] = ("", "", -1)
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Only for its pool-key computation (no connection is ever made through it).
_KEYS = HTTPAdapter(max_retries=0)


def _normalise(host_params: Mapping[str, Any]) -> tuple[str, str, int | None]:
    scheme = str(host_params.get("scheme") or "").lower()
    host = str(host_params.get("host") or "").lower()
    port = host_params.get("port")
    if port is None:
        port = _DEFAULT_PORTS.get(scheme)
    return scheme, host, port


def connects_to(url: str) -> tuple[tuple[str, str, int | None], bool]:
    """``(origin, has_user_info)`` of ``url`` as the connection would be made: the URL
    prepared as ``requests`` prepares it (urllib3 ``parse_url``, IDNA, requoting),
    then the adapter's connection-pool key ``(scheme, host, port)``, lower-cased, the
    port defaulted by scheme. A URL ``requests`` refuses gives ``("", "", -1)``, which
    matches no origin."""
    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        params, _ = HTTPAdapter.build_connection_pool_key_attributes(_KEYS, prepared, True)
        user_info = urllib3.util.parse_url(prepared.url or "").auth is not None
    except (requests.RequestException, LocationParseError, ValueError, UnicodeError):
        return NOWHERE, False
    if not params.get("host"):
        return NOWHERE, False
    return _normalise(params), user_info


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` that a request to ``url`` connects to (see
    :func:`connects_to`); ``("", "", -1)`` for a URL no request can be made to."""
    return connects_to(url)[0]


def show_origin(url: str) -> str:
    """The origin of ``url`` as ``scheme://host:port`` (safe to print), as the
    connection would be made (:func:`origin`)."""
    scheme, host, port = origin(url)
    if not host:
        return "(a URL that cannot be used)"
    shown = f"[{host}]" if ":" in host else host
    text = f"{scheme}://{shown}:{port}" if port is not None else f"{scheme}://{shown}"
    return one_line(text)


def split_origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url`` as :func:`urllib.parse.urlsplit` reads it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return NOWHERE
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


@contextlib.contextmanager
def watch_answer(seconds: float) -> Iterator[AnswerWatch]:
    """An :class:`AnswerWatch` of ``seconds`` for the try run inside the ``with``
    block in this thread: the connection arms it when the request was sent; it is
    disarmed when the block ends."""
    watch = AnswerWatch(seconds)
    _CURRENT.watch = watch
    try:
        yield watch
    finally:
        watch.disarm()
        _CURRENT.watch = None
