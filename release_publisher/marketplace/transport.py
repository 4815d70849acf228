"""HTTP transport of the Marketplace client: the ``requests`` session, timeouts,
redirects, URL safety and the classification of transport failures.

One ``requests.Session`` (HTTP Basic auth, ``User-Agent: release-publisher/<version>
(+requests/<version>)``, ``Accept: application/json``), ``(connect, read)`` timeouts on
every call, redirects never followed automatically. ``trust_env`` stays on, so
``HTTPS_PROXY``/``NO_PROXY`` and ``REQUESTS_CA_BUNDLE`` apply. While a request body is
being sent, each socket send is bounded by the *read* timeout (urllib3 alone would apply
the connect timeout there: a 1 MiB block on a slow link could then fail after 10 s).
Each answer also has a TOTAL deadline (``Timeouts.total``, default 2 x read) from the
end of the request to its last byte: a server trickling one byte per read timeout has
its socket shut down there (:func:`~.connections.watch_answer`), a clear
TransportError. Every POST goes out on a fresh connection.

URL safety: a GET follows redirects only within the base URL's origin (scheme, host,
port; at most :data:`MAX_REDIRECTS`), a POST follows none, and a link to another origin
is refused before any request is sent there (the credentials would follow). Which
origin a URL points at is decided by :func:`~.connections.connects_to`, the very code
that connects (``http://a:1\\@b:2/`` connects to ``a:1``, whatever
``urllib.parse.urlsplit`` reads). A server-supplied URL with user info is refused. As
a last guard the adapter refuses to open a connection for a request carrying the
``Authorization`` header to any origin but the base URL's
(:class:`~.connections.CrossOriginRefused`).

With :mod:`.connections` (the adapter, TLS, the answer watch, URL origins) the only
modules of the client that import ``requests``/``urllib3``; besides them:
:mod:`release_publisher.urls`, :mod:`.errors`, :mod:`.retry` (:class:`~.retry.Retryable`)
and :mod:`.upload` (the body types). Knows nothing of endpoints, response shapes or
the retry policy's numbers.
"""

from __future__ import annotations

import http.client
import math
import socket
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)

from .. import __version__
from ..errors import ApiError, TransportError, UsageError
from ..secrets import Credentials
from ..urls import safe_url
from . import errors as mperrors
from .connections import (
    Adapter,
    AnswerWatch,
    CrossOriginRefused,
    connects_to,
    origin,
    show_origin,
    split_origin,
    ssl_context,
    watch_answer,
)
from .retry import Retryable
from .trace import Exchange, ExchangeObserver
from .upload import BytesBody, MultipartFileBody

__all__ = [
    "MAX_REDIRECTS",
    "MAX_RESPONSE_BYTES",
    "Answer",
    "Body",
    "Timeouts",
    "Transport",
    "classify_failure",
]

#: Redirects a GET follows within the base URL's origin.
MAX_REDIRECTS = 5
#: Largest response body read (bytes); the API's JSON answers are a few KiB.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024

#: A request body: a streamed multipart file or a small in-memory document.
Body = MultipartFileBody | BytesBody
Redact = Callable[[str], str]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


#: ``Timeouts.total`` defaults to this many times the read timeout.
TOTAL_FACTOR = 2.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds: ``connect`` to establish a connection (TCP and TLS); ``read`` the
    longest the server may stay silent while answering (between bytes of a response,
    and for uploads after the whole body was sent), also the longest one socket send
    of the request body (one block) may block; ``total`` the longest one answer may
    take as a whole, from the end of the request (its whole body sent) to the last
    byte of the answer (status line, headers and body), default :data:`TOTAL_FACTOR`
    times ``read``: a server trickling its answer one byte per read timeout is cut
    there. Raises ValueError for a value that is not a positive finite number."""

    connect: float = 10.0
    read: float = 60.0
    total: float = 0.0

    def __post_init__(self) -> None:
        if not self.total:
            total = min(TOTAL_FACTOR * self.read, sys.float_info.max)  # finite
            object.__setattr__(self, "total", total)
        values = (self.connect, self.read, self.total)
        if not all(value > 0 and math.isfinite(value) for value in values):
            raise ValueError("timeouts must be positive finite numbers of seconds")


@dataclass
class Answer:
    """A complete HTTP answer: status, reason (redacted), the headers the client uses,
    the body bytes (at most :data:`MAX_RESPONSE_BYTES`) and the URL asked."""

    status: int
    reason: str
    content_type: str | None
    retry_after_header: str | None
    location: str | None
    body: bytes
    url: str

    @cached_property
    def loaded(self) -> tuple[bool, Any]:
        """:func:`~.errors.load_json` of the body, decoded once per answer."""
        return mperrors.load_json(self.body)


# ------------------------------------------------------------------------- transport


class Transport:
    """One ``requests.Session`` for ``base_url`` (already checked with
    :func:`release_publisher.urls.check_base_url`) with HTTP Basic auth from
    ``credentials``, the ``timeouts`` and, when ``ca_bundle`` is given, a TLS context
    that trusts it too (:func:`ssl_context`). ``redact`` is applied to every text from
    the server or the network before it is put into a message (the client's also
    escapes it to one line).

    Each method makes ONE try: it returns an :class:`Answer` (any status), or a
    :class:`~.retry.Retryable` for a transport failure the retry policy may repeat,
    or raises (:func:`classify_failure`, refused redirects). ``observer`` (when set)
    is called once per exchange with its :class:`~.trace.Exchange` (the wire trace).
    """

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Credentials,
        timeouts: Timeouts,
        ca_bundle: str | None,
        redact: Redact,
        observer: ExchangeObserver | None = None,
    ) -> None:
        self.observer = observer
        self.base_url = base_url
        self.origin = origin(base_url)
        if self.origin != split_origin(base_url):
            raise UsageError(
                f"base-url {safe_url(base_url)} is read as {show_origin(base_url)} by the "
                "HTTP library but differently by other URL parsers",
                hint="write the base-url plainly, e.g. https://api.atlassian.com/marketplace",
            )
        self.timeouts = timeouts
        self._redact = redact
        context = ssl_context(ca_bundle) if ca_bundle else None
        session = requests.Session()
        session.trust_env = True
        session.auth = requests.auth.HTTPBasicAuth(credentials.user, credentials.token)
        session.headers.update(
            {
                "User-Agent": f"release-publisher/{__version__} (+requests/{requests.__version__})",
                "Accept": "application/json",
            }
        )
        adapter = Adapter(
            send_timeout=timeouts.read, ssl_context=context, allowed_origin=self.origin
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session

    def close(self) -> None:
        """Close the session and its pooled connections."""
        self._session.close()

    def get(self, endpoint: str, url: str) -> Answer | Retryable:
        """One GET try of ``url`` (on the base URL's origin), following same-origin
        redirects (at most :data:`MAX_REDIRECTS`); the first non-redirect answer.
        Raises :class:`ApiError` for a redirect to another origin (refused before any
        request is sent there), without ``Location``, or one too many."""
        for hop in range(MAX_REDIRECTS + 1):
            answer = self.exchange("GET", url, endpoint, None)
            if isinstance(answer, Retryable) or answer.status not in _REDIRECTS:
                return answer
            target = urljoin(url, answer.location) if answer.location else None
            if target is None or not self.allows(target):
                raise mperrors.redirect_error(
                    status=answer.status,
                    endpoint=endpoint,
                    from_url=show_origin(url) if target else safe_url(url),
                    to_url=show_origin(target) if target else None,
                    cross_origin=target is not None,
                )
            if hop == MAX_REDIRECTS:
                raise ApiError(
                    f"{endpoint}: more than {MAX_REDIRECTS} redirects (last to {safe_url(target)})",
                    hint="check the base-url; a proxy or server is redirecting in a loop",
                    status=answer.status,
                    endpoint=endpoint,
                )
            url = target
        raise AssertionError("unreachable")  # pragma: no cover

    def post(self, endpoint: str, url: str, body: Body) -> Answer | Retryable:
        """One POST try of ``body`` to ``url`` on a fresh connection (idle pooled ones
        are closed first, so a connection closed before the status line was closed by
        the server after it got the body, not a stale keep-alive one); the answer.
        Raises :class:`ApiError` for any 3xx (a redirect could re-send an upload or
        lose its body)."""
        for adapter in self._session.adapters.values():
            adapter.close()
        answer = self.exchange("POST", url, endpoint, body)
        if isinstance(answer, Answer) and 300 <= answer.status <= 399:
            raise mperrors.redirect_error(
                status=answer.status,
                endpoint=endpoint,
                from_url=safe_url(url),
                to_url=safe_url(urljoin(url, answer.location)) if answer.location else None,
                cross_origin=False,
            )
        return answer

    def allows(self, url: str) -> bool:
        """Whether a request to ``url`` (e.g. from a server's ``Location`` or link)
        would connect to the base URL's origin (judged by :func:`connects_to`, the
        code that connects) and ``url`` carries no user info."""
        target, user_info = connects_to(url)
        return target == self.origin and not user_info

    def next_url(self, current: str, href: str, endpoint: str) -> str:
        """The absolute URL of a next-page link ``href`` found on page ``current``:
        ``/rest/...`` is taken relative to the base URL, anything else relative to
        ``current``. Raises :class:`ApiError` when it is on another origin (nothing is
        sent there)."""
        text = href.strip()
        if text.startswith("/rest/") and not text.startswith("//"):
            target = self.base_url + text
        else:
            target = urljoin(current, text)
        if not self.allows(target):
            raise ApiError(
                f"{endpoint}: refusing to follow the next-page link to another origin "
                f"{show_origin(target)} (base-url origin {show_origin(self.base_url)}); "
                "no request was sent there",
                hint="the credentials must not leave the base-url's host; check the "
                "base-url (e.g. https://api.atlassian.com/marketplace) and report the link",
                endpoint=endpoint,
            )
        return target

    def exchange(
        self, method: str, url: str, endpoint: str, body: Body | None
    ) -> Answer | Retryable:
        """Send one request, read the whole answer; transport failures become a
        :class:`~.retry.Retryable` or raise (see :func:`classify_failure`)."""
        with watch_answer(self.timeouts.total) as watch:
            return self._exchange(method, url, endpoint, body, watch)

    def _exchange(
        self, method: str, url: str, endpoint: str, body: Body | None, watch: AnswerWatch
    ) -> Answer | Retryable:
        headers = {"Content-Type": body.content_type} if body is not None else None
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=(self.timeouts.connect, self.timeouts.read),
                allow_redirects=False,
                stream=True,
            )
        except CrossOriginRefused:
            raise ApiError(
                f"{endpoint}: refusing to send the credentials to {show_origin(url)}, "
                f"not the base-url origin {show_origin(self.base_url)}; nothing was sent",
                hint="check the base-url (e.g. https://api.atlassian.com/marketplace)",
                endpoint=endpoint,
            ) from None
        except requests.RequestException as exc:
            self._observe(method, url, body, started, exc.response, b"", exc)
            if watch.expired:
                return self._too_slow(method, url, endpoint, body)
            return self._failure(exc, method, url, endpoint, body, status=None)
        try:
            try:
                content = _read(response)
            except requests.RequestException as exc:
                self._observe(method, url, body, started, response, b"", exc)
                if watch.expired:
                    return self._too_slow(method, url, endpoint, body)
                return self._failure(exc, method, url, endpoint, body, status=response.status_code)
            self._observe(method, url, body, started, response, content, None)
            if watch.expired:  # an answer without Content-Length cut short
                return self._too_slow(method, url, endpoint, body)
            return Answer(
                status=response.status_code,
                reason=self._redact(response.reason or ""),
                content_type=response.headers.get("Content-Type"),
                retry_after_header=response.headers.get("Retry-After"),
                location=response.headers.get("Location"),
                body=content,
                url=url,
            )
        finally:
            response.close()

    def _observe(
        self,
        method: str,
        url: str,
        body: Body | None,
        started: float,
        response: requests.Response | None,
        content: bytes,
        exc: requests.RequestException | None,
    ) -> None:
        """Hand one exchange to the observer (the wire trace), if any."""
        if self.observer is None:
            return
        sent = response.request if response is not None else (exc.request if exc else None)
        self.observer(
            Exchange(
                method=method,
                url=url,
                request_headers=dict(sent.headers) if sent is not None else {},
                body=body,
                status=response.status_code if response is not None else None,
                response_headers=dict(response.headers) if response is not None else {},
                response_body=content,
                elapsed=time.monotonic() - started,
                error=f"{type(exc).__name__}: {exc}" if exc is not None else None,
            )
        )

    def _too_slow(self, method: str, url: str, endpoint: str, body: Body | None) -> Retryable:
        """The answer to ``method`` ``url`` was cut at the total deadline: a
        :class:`~.retry.Retryable` for a GET; raises for a POST (its body was sent)."""
        host = safe_url(url).split("://", 1)[-1].split("/", 1)[0]
        total, read = self.timeouts.total, self.timeouts.read
        text = (
            f"{endpoint} to {host}: the answer did not complete within the total deadline "
            f"({total:g} s; it kept arriving too slowly for the {read:g} s read timeout "
            "to end it)"
        )
        hint = (
            "a server or proxy is sending its answer very slowly; retry later (the total "
            f"deadline is {TOTAL_FACTOR:g} x the read timeout, --http-timeout)"
        )
        if method == "POST":
            size = len(body) if body is not None else 0
            raise TransportError(
                f"{text}; the request may have been stored (not retried)",
                hint=_stored_hint(endpoint, size) + "; " + hint,
                endpoint=endpoint,
                may_have_taken_effect=True,
            )
        return Retryable(
            TransportError(text, hint=hint, endpoint=endpoint), "an answer too slow to complete"
        )

    def _failure(
        self,
        exc: requests.RequestException,
        method: str,
        url: str,
        endpoint: str,
        body: Body | None,
        *,
        status: int | None,
    ) -> Retryable:
        return classify_failure(
            exc,
            method=method,
            url=url,
            endpoint=endpoint,
            body=body,
            status=status,
            timeouts=self.timeouts,
            redact=self._redact,
        )


def _read(response: requests.Response) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        chunks.append(chunk)
        total += len(chunk)
        if total >= MAX_RESPONSE_BYTES:
            break
    return b"".join(chunks)


# ------------------------------------------------------------- failure classification

_RESET = (
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


def classify_failure(
    exc: requests.RequestException,
    *,
    method: str,
    url: str,
    endpoint: str,
    body: Body | None,
    status: int | None,
    timeouts: Timeouts,
    redact: Redact,
) -> Retryable:
    """Classify a failed exchange of ``method`` to ``url``: return a
    :class:`~.retry.Retryable` when the retry policy allows another try (see
    :mod:`.retry`), else raise :class:`~release_publisher.errors.TransportError`
    (TLS failures; a POST that may have taken effect) or
    :class:`~release_publisher.errors.UsageError` (an invalid header value or URL).
    ``status`` is set when the failure came after the status line (while reading the
    answer's body); ``body`` tells how far the request body was sent."""
    causes = _causes(exc)
    host = safe_url(url).split("://", 1)[-1].split("/", 1)[0]
    where = f"{endpoint} to {host}"
    connect, read = timeouts.connect, timeouts.read
    is_post = method == "POST"
    body_done = body is None or body.finished

    if _has(causes, requests.exceptions.InvalidHeader):
        raise UsageError(
            f"{endpoint}: a request header value is invalid; the value is not shown",
            hint="copy the user and API token again, without extra characters",
        )
    if _has(causes, requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
        raise UsageError(
            f"{endpoint}: the URL {safe_url(url)} is invalid",
            hint="check the base-url, e.g. https://api.atlassian.com/marketplace",
        )
    if status is not None:
        # The status line arrived; the answer's body broke off.
        text = f"{where}: HTTP {status} answered, then the response was cut off"
        if _has(causes, ReadTimeoutError, requests.exceptions.Timeout, TimeoutError):
            text = (
                f"{where}: HTTP {status} answered, then no data within the read "
                f"timeout ({read:g} s) while reading the response"
            )
        if is_post:
            raise TransportError(
                text + ("; the request may have taken effect" if status < 300 else ""),
                hint="check in Marketplace whether it was stored before re-running",
                status=status,
                endpoint=endpoint,
                may_have_taken_effect=status < 300,
            )
        return Retryable(
            TransportError(text, hint="a network problem; retry later", endpoint=endpoint),
            "a response cut off",
        )
    if isinstance(exc, requests.exceptions.SSLError) or _has(causes, ssl.SSLError):
        tls = next((c for c in causes if isinstance(c, ssl.SSLError)), exc)
        detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None)
        raise TransportError(
            f"{where}: TLS failed ({redact(str(detail or 'handshake error'))})",
            hint="if a proxy or firewall re-signs TLS, give its CA certificate with the "
            "ca-bundle option (or REQUESTS_CA_BUNDLE); check the base-url host",
            endpoint=endpoint,
        )
    connect_timed_out = isinstance(exc, requests.exceptions.ConnectTimeout) or (
        _has(causes, ConnectTimeoutError)
        and (not _has(causes, NewConnectionError) or _has(causes, TimeoutError))
    )
    if connect_timed_out:
        error = TransportError(
            f"{where}: no connection within the connect timeout ({connect:g} s)",
            hint="check the network, the base-url host and proxy settings "
            "(HTTPS_PROXY, NO_PROXY); raise the connect timeout on slow networks",
            endpoint=endpoint,
        )
        return Retryable(error, "connect timeout")
    if _has(causes, NameResolutionError, socket.gaierror):
        error = TransportError(
            f"{where}: cannot resolve the host name",
            hint="check the base-url host and the runner's DNS/proxy settings",
            endpoint=endpoint,
        )
        return Retryable(error, "a DNS failure")
    if _has(causes, NewConnectionError, ConnectionRefusedError) or isinstance(
        exc, requests.exceptions.ProxyError
    ):
        refused = _has(causes, ConnectionRefusedError)
        what = "connection refused" if refused else "cannot connect"
        if isinstance(exc, requests.exceptions.ProxyError):
            what = "cannot connect through the proxy"
        error = TransportError(
            f"{where}: {what}",
            hint="check the network, the base-url host and port, and proxy settings "
            "(HTTPS_PROXY, NO_PROXY)",
            endpoint=endpoint,
        )
        return Retryable(error, what)
    if _has(causes, ReadTimeoutError, requests.exceptions.Timeout, TimeoutError):
        if body is not None and not body.started:
            error = TransportError(
                f"{where}: timed out while connecting (connect timeout {connect:g} s)",
                hint="check the network, the base-url host and proxy settings",
                endpoint=endpoint,
            )
            return Retryable(error, "a timeout while connecting")
        if not body_done:
            error = TransportError(
                f"{where}: the send stalled: no progress within the read timeout "
                f"({read:g} s) while sending the body",
                hint="the server or a proxy stopped accepting data; check the network "
                "and proxies, or raise the read timeout on slow links",
                endpoint=endpoint,
            )
            return Retryable(error, "send timeout while sending body")
        if is_post:
            raise TransportError(
                f"{where}: no response within the read timeout ({read:g} s) after the "
                "whole body was sent; Marketplace may have stored it (not retried)",
                hint="check the app's artifacts/images in Marketplace before re-running "
                "(a re-run uploads again and uses upload budget); raise the read "
                "timeout if Marketplace is slow to answer",
                endpoint=endpoint,
                may_have_taken_effect=True,
            )
        error = TransportError(
            f"{where}: no response within the read timeout ({read:g} s)",
            hint="Marketplace is slow or unreachable; retry later or raise the read timeout",
            endpoint=endpoint,
        )
        return Retryable(error, "read timeout")
    if _has(causes, *_RESET):
        if is_post and body_done and body is not None:
            raise TransportError(
                f"{where}: the connection was closed before any response, after the whole "
                f"body ({len(body)} bytes) was sent: it may have been stored (not retried)",
                hint=_stored_hint(endpoint, len(body)),
                endpoint=endpoint,
                may_have_taken_effect=True,
            )
        if not body_done:
            reason = "connection reset while sending body"
        else:
            reason = "connection closed before any response"
        error = TransportError(
            f"{where}: {reason}",
            hint="a network problem or a proxy closed the connection; retry later",
            endpoint=endpoint,
        )
        return Retryable(error, reason)
    detail = _describe(causes, redact)
    error = TransportError(
        f"{where}: {detail}",
        hint="a network problem; retry later",
        endpoint=endpoint,
    )
    if is_post and body_done:
        error.may_have_taken_effect = True
        raise mperrors.with_note(error, "not retried: the request may have taken effect")
    return Retryable(error, detail)


def _stored_hint(endpoint: str, sent: int) -> str:
    """How to check whether the POST to ``endpoint`` that sent ``sent`` bytes was
    stored, and what it cost of the upload budget."""
    if "/artifacts" in endpoint or "/assets/images" in endpoint:
        return (
            f"this try sent {sent} bytes, which count against Marketplace's upload budget "
            "(about 750 MB per 2 hours); a copy stored without an answer is attached to "
            "nothing and harmless; re-run (with --resume RESULT.json to keep what "
            "finished) when the budget allows another upload"
        )
    return "check in Marketplace (the app's version list) whether it was stored before re-running"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception nested in it (args, ``reason``, cause, context)."""
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 32:
        item = todo.pop()
        if any(item is seen for seen in found):
            continue
        found.append(item)
        nested = [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException):
            nested.append(reason)
        for link in (item.__cause__, item.__context__):
            if link is not None:
                nested.append(link)
        todo.extend(nested)
    return found


def _has(causes: list[BaseException], *kinds: type[BaseException]) -> bool:
    return any(isinstance(c, kinds) for c in causes)


def _describe(causes: list[BaseException], redact: Redact) -> str:
    """A short, redacted description of the deepest OS-level cause."""
    for cause in reversed(causes):
        if isinstance(cause, OSError) and cause.strerror:
            return redact(f"{type(cause).__name__}: {cause.strerror}")
    root = causes[-1] if causes else None
    if root is None:
        return "unknown transport error"
    if isinstance(root, requests.exceptions.InvalidHeader):  # values inside: never shown
        return "invalid request header (value not shown)"
    return mperrors.truncate(redact(f"{type(root).__name__}: {root}"), 200)
