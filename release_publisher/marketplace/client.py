"""The Marketplace REST API v3 client. Knows HTTP and the API's shapes, nothing of CI.

This is the only module that imports ``requests``; the CLI imports it only when it
needs the network. Endpoints (paths appended to ``base_url``):

=====================================  ===================================  ===========
call                                   body                                 returns
=====================================  ===================================  ===========
``POST /rest/3/artifacts``             multipart, part ``file`` (streamed)  Artifact
``POST /rest/3/artifacts/fetch``       JSON ``{"uri": ...}``                Artifact
``GET /rest/3/artifacts/{id}``         none                                 Artifact
``POST /rest/3/assets/images/{type}``  multipart, part ``file``             Media
=====================================  ===================================  ===========

and the release step after the uploads (raw JSON in and out; shapes in each method's
docstring, see :meth:`MarketplaceClient.get_app_software`): ``GET
/rest/3/app-software/app-key/{appKey}``, ``GET|POST
/rest/3/app-software/{appSoftwareId}/versions`` (GET cursor-paginated), ``GET
.../versions/{buildNumber}``, ``POST .../versions/{buildNumber}/listing``.

Transport: one ``requests.Session`` (HTTP Basic auth, ``User-Agent:
release-publisher/<version> (+requests/<version>)``, ``Accept: application/json``),
``(connect, read)`` timeouts on every call, redirects never followed automatically.
``trust_env`` stays on, so ``HTTPS_PROXY``/``NO_PROXY`` and ``REQUESTS_CA_BUNDLE``
apply. While a request body is being sent, each socket send is bounded by the *read*
timeout (urllib3 alone would apply the connect timeout there: a 1 MiB block on a slow
link could then fail after 10 s).

Retries follow :mod:`release_publisher.marketplace.retry` (see
:func:`~release_publisher.marketplace.retry.describe_retry_policy`); errors map as in
:mod:`release_publisher.marketplace.errors`.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)

from .. import __version__
from ..clock import Clock, SystemClock
from ..errors import ApiError, FileCheckError, TransportError, UsageError
from ..secrets import REDACTOR, Credentials, Redactor, make_credentials
from . import errors as mperrors
from .models import Artifact, Media
from .retry import GET_RETRY_STATUSES, POST_RETRY_STATUSES, RetryPolicy, parse_retry_after
from .upload import (
    DEFAULT_BLOCK_SIZE,
    BytesBody,
    MultipartFileBody,
    ProgressCallback,
    artifact_content_type,
    image_content_type,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "LogCallback",
    "MarketplaceClient",
    "ProgressCallback",
    "ResponseShapeError",
    "RetryPolicy",
    "Timeouts",
    "artifact_id_from_href",
    "parse_artifact",
    "parse_media",
]

#: The production base URL; ``/rest/3/...`` paths are appended to it.
DEFAULT_BASE_URL = "https://api.atlassian.com/marketplace"
#: Redirects a GET follows within the base URL's origin.
MAX_REDIRECTS = 5
#: Largest response body read (bytes); the API's JSON answers are a few KiB.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024

#: log(message) for one line of human-readable progress (retries, waits).
LogCallback = Callable[[str], None]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_IMAGE_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    """Seconds: ``connect`` to establish a connection (TCP and TLS); ``read`` the
    longest the server may stay silent while answering (between bytes of a response,
    and for uploads after the whole body was sent), also the longest one socket send
    of the request body (one block) may block."""

    connect: float = 10.0
    read: float = 60.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0):
            raise ValueError("timeouts must be positive numbers of seconds")


class ResponseShapeError(ValueError):
    """A JSON answer lacks a field the API promises (``str(error)`` says which)."""


# ---------------------------------------------------------------------------- parsing


def artifact_id_from_href(href: str) -> str | None:
    """The artifact ID in ``_links.self.href``: its last non-empty path segment,
    percent-decoded. ``href`` may be relative (``/rest/3/artifacts/abc``) or absolute;
    query, fragment and a trailing slash are ignored. None when there is no segment."""
    path = urlsplit(href.strip()).path.rstrip("/")
    segment = unquote(path.rsplit("/", 1)[-1]) if path else ""
    return segment or None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _href(links: Any, name: str) -> str | None:
    link = links.get(name) if isinstance(links, dict) else None
    return _str(link.get("href")) if isinstance(link, dict) else None


def _checksum(value: Any) -> str | None:
    """Lower-case hex of ``"sha512:<hex>"`` (or of bare 128-digit hex); None for other
    algorithms or malformed values, which verification then reports as absent."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    algorithm, sep, digest = text.partition(":")
    if not sep:
        algorithm, digest = "sha512", text
    digest = digest.strip().lower()
    if algorithm.strip().lower().replace("-", "") != "sha512" or len(digest) != 128:
        return None
    return digest if all(c in "0123456789abcdef" for c in digest) else None


def parse_artifact(data: Any) -> Artifact:
    """An :class:`Artifact` from an ``UploadedSoftwareArtifact`` or
    ``RemoteFetchedSoftwareArtifact`` JSON object. Unknown fields are ignored; raises
    :class:`ResponseShapeError` when ``data`` is not an object or has no usable
    ``_links.self.href``."""
    if not isinstance(data, dict):
        raise ResponseShapeError(f"a JSON {type(data).__name__} instead of an object")
    links = data.get("_links")
    self_url = _href(links, "self")
    if self_url is None:
        raise ResponseShapeError("no _links.self.href")
    artifact_id = artifact_id_from_href(self_url)
    if artifact_id is None:
        raise ResponseShapeError(f"no artifact ID in _links.self.href {self_url!r}")
    info = data.get("fileInfo")
    info = info if isinstance(info, dict) else {}
    details = data.get("details")
    return Artifact(
        id=artifact_id,
        self_url=self_url,
        file_name=_str(info.get("logicalFileName")),
        size=_int(info.get("size")),
        checksum=_checksum(info.get("checksum")),
        details=details if isinstance(details, dict) else None,
        binary_url=_href(links, "binary"),
        remote_url=_href(links, "remote"),
        raw=data,
    )


def parse_media(data: Any) -> Media:
    """A :class:`Media` from a ``MediaV3Response`` JSON object. Unknown fields are
    ignored; raises :class:`ResponseShapeError` without a string or integer ``id``."""
    if not isinstance(data, dict):
        raise ResponseShapeError(f"a JSON {type(data).__name__} instead of an object")
    raw_id = data.get("id")
    media_id = _str(raw_id) or (str(raw_id) if _int(raw_id) is not None else None)
    if media_id is None:
        raise ResponseShapeError("no id")
    return Media(
        id=media_id,
        mime_type=_str(data.get("mimeType")),
        name=_str(data.get("name")),
        size=_int(data.get("size")),
        raw=data,
    )


# -------------------------------------------------------------------------- transport


class _SendTimeoutHTTPConnection(HTTPConnection):
    """Bounds each socket send with ``send_timeout`` seconds (set per client)."""

    send_timeout: float | None = None

    def send(self, data: Any) -> None:
        if self.sock is not None and self.send_timeout is not None:
            self.sock.settimeout(self.send_timeout)
        super().send(data)


class _SendTimeoutHTTPSConnection(HTTPSConnection):
    """TLS variant of :class:`_SendTimeoutHTTPConnection`."""

    send_timeout: float | None = None

    def send(self, data: Any) -> None:
        if self.sock is not None and self.send_timeout is not None:
            self.sock.settimeout(self.send_timeout)
        super().send(data)


def _pool_classes(send_timeout: float) -> dict[str, type[HTTPConnectionPool]]:
    http_conn = type("_HTTPConn", (_SendTimeoutHTTPConnection,), {"send_timeout": send_timeout})
    https_conn = type("_HTTPSConn", (_SendTimeoutHTTPSConnection,), {"send_timeout": send_timeout})
    http_pool = type("_HTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("_HTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    return {"http": http_pool, "https": https_pool}


class _Adapter(HTTPAdapter):
    """An HTTPAdapter whose connections bound body sends by ``send_timeout`` and whose
    TLS context (when given) trusts the default store plus an extra CA file."""

    def __init__(self, *, send_timeout: float, ssl_context: ssl.SSLContext | None) -> None:
        self._rp_pool_classes = _pool_classes(send_timeout)
        self._rp_ssl_context = ssl_context
        super().__init__(max_retries=0)

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


def _ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """The default trust store plus the CA certificates in ``ca_bundle`` (PEM).
    ``requests`` adds its own bundle (certifi) per connection as usual."""
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


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def _show_origin(url: str) -> str:
    scheme, host, port = _origin(url)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}" if port is not None else f"{scheme}://{shown}"


def _safe_url(url: str) -> str:
    """``url`` without user info, query or fragment (they may carry secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    tail = "?..." if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}{tail}"


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


_RESET = (
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


@dataclass
class _Retry:
    """A failed try that the policy allows to repeat."""

    error: ApiError
    reason: str
    retry_after: float | None = None


@dataclass
class _Answer:
    """A complete HTTP answer: status, reason, headers we use and the body bytes."""

    status: int
    reason: str
    content_type: str | None
    retry_after_header: str | None
    location: str | None
    body: bytes
    url: str


class _Outcome(Generic[T]):
    """Either a value or a retryable failure (kept generic for mypy)."""

    def __init__(self, value: T | None = None, retry: _Retry | None = None) -> None:
        self.value = value
        self.retry = retry


# ----------------------------------------------------------------------------- client


class MarketplaceClient:
    """One ``requests.Session`` with HTTP Basic auth from ``credentials`` (the account
    email and its Atlassian API token; or ``user`` and ``token``, validated with
    :func:`~release_publisher.secrets.make_credentials`), ``User-Agent:
    release-publisher/<version> (+requests/<version>)``, ``Accept: application/json``
    and ``(connect, read)`` timeouts on every call.

    ``base_url`` e.g. ``https://api.atlassian.com/marketplace`` (paths ``/rest/3/...``
    are appended). ``ca_bundle``: a PEM file of extra CA certificates, added to the
    default trust store. ``clock`` is used for every wait (tests pass a FakeClock);
    ``log(line)`` receives one redacted line per retry; ``block_size`` is the upload
    block in bytes.

    Raises :class:`~release_publisher.errors.UsageError` at construction for a base URL
    that is not http(s), carries user info, a query or a fragment, or is plain
    ``http://`` to a non-loopback host (credentials would travel in clear text), and
    for a missing or unreadable ``ca_bundle``. Methods raise
    :class:`~release_publisher.errors.ApiError` (non-2xx, non-JSON or malformed
    answers, refused redirects), :class:`~release_publisher.errors.TransportError` (no
    usable answer) and :class:`~release_publisher.errors.FileCheckError` (unreadable
    local file). No message ever contains the token.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        credentials: Credentials | None = None,
        user: str | None = None,
        token: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | None = None,
        clock: Clock | None = None,
        log: LogCallback | None = None,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        if credentials is None:
            credentials = make_credentials(user, token)
        elif user is not None or token is not None:
            raise TypeError("pass either credentials or user/token, not both")
        self.base_url = _check_base_url(base_url)
        self.credentials = credentials
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.block_size = block_size
        self._log_callback = log
        self._redactor = Redactor(credentials.secret_forms())
        self._origin = _origin(self.base_url)
        context = _ssl_context(ca_bundle) if ca_bundle else None
        session = requests.Session()
        session.trust_env = True
        session.auth = requests.auth.HTTPBasicAuth(credentials.user, credentials.token)
        session.headers.update(
            {
                "User-Agent": f"release-publisher/{__version__} (+requests/{requests.__version__})",
                "Accept": "application/json",
            }
        )
        adapter = _Adapter(send_timeout=self.timeouts.read, ssl_context=context)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session

    def __repr__(self) -> str:
        return f"MarketplaceClient({self.base_url!r}, credentials={self.credentials!r})"

    def __enter__(self) -> MarketplaceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session and its pooled connections."""
        self._session.close()

    # ------------------------------------------------------------------ endpoints

    def upload_artifact(
        self, path: Path, *, progress: ProgressCallback | None = None
    ) -> tuple[Artifact, str]:
        """``POST /rest/3/artifacts``: upload ``path`` as multipart part ``file``
        (filename = the file's name), streamed from disk in ``block_size`` blocks with
        SHA-512 computed in the same pass on a second thread.

        Returns the :class:`Artifact` Marketplace reports and the lower-case SHA-512 hex
        of the bytes sent. ``progress(sent_bytes, file_size)`` is called at most ~4
        times a second (and once at the end of each try). A retry re-reads and
        re-hashes the file from its start.
        """
        path = Path(path)
        size = _file_size(path)
        endpoint = "POST /rest/3/artifacts"

        def make_body() -> MultipartFileBody:
            return MultipartFileBody(
                path,
                part_type=artifact_content_type(path),
                block_size=self.block_size,
                progress=progress,
                monotonic=self.clock.monotonic,
            )

        def attempt() -> _Outcome[tuple[Artifact, str]]:
            body = make_body()
            try:
                result = self._post(endpoint, "/rest/3/artifacts", body, file_size=size)
                if result.retry is not None:
                    return _Outcome(retry=result.retry)
                assert result.value is not None
                answer = result.value
                artifact = self._parse(answer, endpoint, parse_artifact)
                return _Outcome((artifact, body.sha512()))
            finally:
                body.close()

        return self._with_retries(endpoint, attempt)

    def fetch_artifact(self, uri: str) -> Artifact:
        """``POST /rest/3/artifacts/fetch`` with JSON ``{"uri": uri}``: Marketplace
        downloads the artifact from ``uri`` (a public https URL). Returns the
        :class:`Artifact` (its ``remote_url`` is the source)."""
        if not isinstance(uri, str) or not uri.strip():
            raise UsageError("the artifact uri to fetch is empty", hint="give an https URL")
        endpoint = "POST /rest/3/artifacts/fetch"
        payload = json.dumps({"uri": uri.strip()}).encode()

        def attempt() -> _Outcome[Artifact]:
            body = BytesBody(payload, "application/json")
            result = self._post(endpoint, "/rest/3/artifacts/fetch", body)
            if result.retry is not None:
                return _Outcome(retry=result.retry)
            assert result.value is not None
            return _Outcome(self._parse(result.value, endpoint, parse_artifact))

        return self._with_retries(endpoint, attempt)

    def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
        """``GET /rest/3/artifacts/{artifact_id}`` (the ID is percent-encoded as one
        path segment). Same-origin redirects are followed (at most 5). ``deadline``
        (the caller's wait deadline) is accepted here and honoured by the retry
        executor of the marketplace refactor; until it lands it is not used."""
        del deadline  # MERGE: the marketplace branch's get_artifact replaces this one
        if not isinstance(artifact_id, str) or not artifact_id.strip():
            raise UsageError("the artifact ID is empty", hint="pass the ID Marketplace returned")
        segment = quote(artifact_id.strip(), safe="")
        endpoint = f"GET /rest/3/artifacts/{segment}"
        path = f"/rest/3/artifacts/{segment}"

        def attempt() -> _Outcome[Artifact]:
            result = self._get(endpoint, path)
            if result.retry is not None:
                return _Outcome(retry=result.retry)
            assert result.value is not None
            return _Outcome(self._parse(result.value, endpoint, parse_artifact))

        return self._with_retries(endpoint, attempt)

    def upload_image(
        self,
        image_type: str,
        path: Path,
        *,
        progress: ProgressCallback | None = None,
        content_type: str | None = None,
    ) -> Media:
        """``POST /rest/3/assets/images/{image_type}``: upload a listing image as
        multipart part ``file``. ``image_type`` is a lowercase slug such as ``icon``;
        ``content_type`` the part's type (e.g. ``image/png`` as pre-flight read it from
        the file's bytes; default: by the file's extension). Returns the :class:`Media`."""
        if not image_type or not set(image_type) <= _IMAGE_TYPE_CHARS:
            raise UsageError(
                f"image type {image_type!r} is not a lowercase slug",
                hint="use e.g. icon, banner, screenshot (letters, digits, '-', '_')",
            )
        path = Path(path)
        size = _file_size(path)
        endpoint = f"POST /rest/3/assets/images/{image_type}"

        def attempt() -> _Outcome[Media]:
            body = MultipartFileBody(
                path,
                part_type=content_type or image_content_type(path),
                block_size=self.block_size,
                progress=progress,
                monotonic=self.clock.monotonic,
            )
            try:
                result = self._post(
                    endpoint, f"/rest/3/assets/images/{image_type}", body, file_size=size
                )
                if result.retry is not None:
                    return _Outcome(retry=result.retry)
                assert result.value is not None
                return _Outcome(self._parse(result.value, endpoint, parse_media))
            finally:
                body.close()

        return self._with_retries(endpoint, attempt)

    # ------------------------------------------------------ app software and versions

    def get_app_software(self, app_key: str) -> list[dict[str, Any]]:
        """``GET /rest/3/app-software/app-key/{appKey}`` (the key percent-encoded as one
        path segment): the app's software, one JSON object per hosting, returned raw,
        e.g. ``[{"appSoftwareId": "...", "appKey": "...", "hosting": "datacenter",
        ...}]`` (unknown fields kept; the caller picks the hosting).

        Raises :class:`UsageError` for an empty key (no request is sent);
        :class:`ApiError` for a non-2xx answer (404: no app with that key visible to
        the account) or an answer that is not a JSON list of objects;
        :class:`TransportError` when no answer arrives."""
        segment = _segment(app_key, "app key", "give the app key, e.g. com.example.hello")
        endpoint = f"GET /rest/3/app-software/app-key/{segment}"
        try:
            value = self._get_json(endpoint, f"/rest/3/app-software/app-key/{segment}")
        except ApiError as exc:
            if exc.status == 404:
                raise _rehint(
                    exc,
                    f"no app with key {app_key.strip()!r} is visible to this account: check "
                    "the app key (atlassian-plugin.xml key, or the Connect descriptor key) "
                    "and that the account is a vendor contact of the app; check the "
                    "base-url too",
                ) from None
            raise
        return self._objects(value, endpoint, "a list of app software objects")

    def list_versions(
        self, app_software_id: str, *, limit: int = 50, max_pages: int = 100
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions?limit={limit}``, following
        the cursor pagination to the end: every version as raw JSON (``buildNumber``,
        ``versionNumber``, ``compatibilities``, ``supportedPaymentModel``,
        ``frameworkDetails``, ``state``, ...), in the server's order (newest first on
        Marketplace and the sandbox).

        A page is accepted as ``{"versions"|"items"|"values": [...], ...}`` or a bare
        list. The next page's URL is ``links.next`` (a string or ``{"href"}``) or
        ``_links.next.href``; absolute, or relative: ``/rest/...`` is taken relative to
        the base URL (like ``_links.self.href`` of artifacts), anything else relative
        to the page's URL. It must be on the base URL's origin: another origin is
        refused before any request goes there (the credentials would follow).
        ``limit``: versions per page, 1..50 (Marketplace's maximum); ``max_pages``:
        pages read at most (>= 1).

        Raises :class:`UsageError` for bad arguments (no request is sent);
        :class:`ApiError` for a non-2xx answer (404: unknown app software ID), a page
        that is not one of the shapes above, a next link to another origin or one seen
        before, or more than ``max_pages`` pages; :class:`TransportError` when no answer
        arrives (each page is retried as a GET)."""
        segment = _segment(app_software_id, "app software ID", "take it from get_app_software()")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 50:
            raise UsageError(
                f"versions page size {limit!r} is out of range",
                hint="use 1..50 (Marketplace's maximum)",
            )
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise UsageError(f"max_pages {max_pages!r} must be a positive integer")
        path = f"/rest/3/app-software/{segment}/versions"
        url = f"{self.base_url}{path}?limit={limit}"
        versions: list[dict[str, Any]] = []
        seen = {url}
        for page in range(1, max_pages + 1):
            endpoint = f"GET {path}" + (f" (page {page})" if page > 1 else "")
            value = self._get_json(endpoint, path, url=url)
            items, next_href = _versions_page(value)
            versions += self._objects(items, endpoint, "a list of version objects")
            if next_href is None:
                return versions
            target = self._next_url(url, next_href, endpoint)
            if target in seen:
                raise ApiError(
                    f"{endpoint}: the next-page link {_safe_url(target)} points to a page "
                    f"already read; stopped after {len(versions)} versions",
                    hint="the server's pagination loops; report this with the link shown",
                    endpoint=endpoint,
                )
            seen.add(target)
            url = target
        raise ApiError(
            f"GET {path}: more than {max_pages} pages of versions ({len(versions)} versions "
            "read so far); stopped following the next-page links",
            hint="raise max_pages if the app really has that many versions; otherwise the "
            "server's pagination does not end",
            endpoint=f"GET {path}",
        )

    def get_version(self, app_software_id: str, build_number: int) -> dict[str, Any]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}``: the
        version as raw JSON. Raises :class:`UsageError` for bad arguments,
        :class:`ApiError` (404: no such version) or :class:`TransportError`."""
        segment = _segment(app_software_id, "app software ID", "take it from get_app_software()")
        build = _build_number(build_number)
        path = f"/rest/3/app-software/{segment}/versions/{build}"
        endpoint = f"GET {path}"
        try:
            value = self._get_json(endpoint, path)
        except ApiError as exc:
            if exc.status == 404:
                raise _rehint(
                    exc,
                    f"no version with build number {build} on app software {segment} "
                    "(or an unknown app software ID)",
                ) from None
            raise
        return self._object(value, endpoint, "a version object")

    def create_version(self, app_software_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /rest/3/app-software/{appSoftwareId}/versions`` with ``body`` as JSON
        (e.g. ``{"buildNumber": 1004002, "versionNumber": "1.4.2", "compatibilities":
        [{"parentSoftwareId", "minBuildNumber", "maxBuildNumber"}],
        "supportedPaymentModel", "frameworkDetails": {"frameworkId": "plugin",
        "attributes": {"artifactId", "pluginFrameworkType": "P2"}}, "supported",
        "beta", "acceptedAgreements": [{"agreementUrl"}], "changelog":
        {"releaseSummary", "releaseNotes"}, "licenseType": {"id"}}``); returns the
        created version as raw JSON.

        Retried only when nothing can have been stored (as uploads: see
        :mod:`.retry`). Raises :class:`UsageError` for bad arguments or a body that is
        not JSON-serialisable (no request is sent); :class:`ApiError`: 400 (and other
        4xx with field errors) names every field error the server gave and shows the
        body sent (redacted, truncated); 409 or a ``DUPLICATE`` code means the build or
        version number exists already; a 5xx after the body was sent says the version
        may have been created anyway; :class:`TransportError` when no answer arrives
        (not retried once the body was sent)."""
        segment = _segment(app_software_id, "app software ID", "take it from get_app_software()")
        path = f"/rest/3/app-software/{segment}/versions"
        value = self._post_json(f"POST {path}", path, body, what="the version", check=f"GET {path}")
        return self._object(value, f"POST {path}", "a version object")

    def publish_listing(
        self, app_software_id: str, build_number: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        """``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``
        with ``body`` as JSON (e.g. ``{"state": "public", "screenshots": [{"imageId",
        "caption"}], "highlights": [...], "heroImage": {...}}``); returns the answer
        as raw JSON (known: ``{"state", "approvalStatus", "revision"}``).

        Errors as :meth:`create_version` (a 400 shows the field errors and the body
        sent); 404: no version with that build number."""
        segment = _segment(app_software_id, "app software ID", "take it from get_app_software()")
        build = _build_number(build_number)
        path = f"/rest/3/app-software/{segment}/versions/{build}/listing"
        value = self._post_json(
            f"POST {path}",
            path,
            body,
            what="the listing",
            check=f"GET /rest/3/app-software/{segment}/versions/{build}",
        )
        return self._object(value, f"POST {path}", "a listing object")

    def _get_json(self, endpoint: str, path: str, *, url: str | None = None) -> Any:
        """GET ``base_url + path`` (or ``url``) under the retry policy; the decoded JSON.
        Raises :class:`ApiError` for a non-2xx or non-JSON answer."""

        def attempt() -> _Outcome[Any]:
            result = self._get(endpoint, path, url=url)
            if result.retry is not None:
                return _Outcome(retry=result.retry)
            assert result.value is not None
            return _Outcome(_Boxed(self._parse(result.value, endpoint, _any)))

        return self._with_retries(endpoint, attempt).value

    def _post_json(
        self, endpoint: str, path: str, body: dict[str, Any], *, what: str, check: str
    ) -> Any:
        """POST ``body`` as JSON to ``base_url + path`` under the POST retry rules; the
        decoded JSON answer. ``what`` names the thing created (for messages), ``check``
        the call that shows whether a failed POST took effect."""
        if not isinstance(body, dict):
            raise UsageError(
                f"{endpoint}: the request body must be a JSON object, got {type(body).__name__}"
            )
        try:
            payload = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise UsageError(
                f"{endpoint}: the request body cannot be sent as JSON: {self._redact(str(exc))}",
                hint="use only strings, numbers, booleans, null, lists and objects",
            ) from None
        shown = _truncate(self._redact(json.dumps(body, sort_keys=True, default=str)), 2000)

        def describe(answer: _Answer, error: ApiError) -> ApiError:
            return self._post_error(answer, error, sent=shown, what=what, check=check)

        def attempt() -> _Outcome[Any]:
            result = self._post(
                endpoint, path, BytesBody(payload, "application/json"), describe=describe
            )
            if result.retry is not None:
                return _Outcome(retry=result.retry)
            assert result.value is not None
            return _Outcome(_Boxed(self._parse(result.value, endpoint, _any)))

        try:
            return self._with_retries(endpoint, attempt).value
        except TransportError as exc:
            if exc.may_have_taken_effect:
                raise _rehint(
                    exc,
                    f"{what} may have been stored although no answer arrived: check with "
                    f"{check} before re-running",
                ) from None
            raise

    def _post_error(
        self, answer: _Answer, error: ApiError, *, sent: str, what: str, check: str
    ) -> ApiError:
        """``error`` for a non-retryable answer to a JSON POST, with every field error
        of the body and (4xx) the body sent; 409/duplicates and 5xx get their hint."""
        status = answer.status
        if 500 <= status <= 599:
            return _with_note(
                error,
                f"{what} may have been created anyway: check with {check} before re-running",
            )
        if status == 404:
            return _rehint(
                error,
                f"unknown app software ID or build number (check with {check}); or a "
                "wrong base-url",
            )
        if not 400 <= status <= 499 or status in (401, 403, 429):
            return error
        is_json, value = mperrors.load_json(answer.body)
        head = error.server_message
        fields: list[str] = []
        if is_json and isinstance(value, dict):
            head = mperrors.json_message({k: v for k, v in value.items() if k != "errors"})
            fields = [self._redact(f) for f in mperrors.field_errors(value.get("errors"))]
        elif is_json and isinstance(value, list):
            head, fields = None, [self._redact(f) for f in mperrors.field_errors(value)]
        status_text = f"HTTP {status}" + (f" {answer.reason}" if answer.reason else "")
        message = f"{error.endpoint} failed: {status_text}"
        if head:
            message += f": {_truncate(self._redact(head), 300)}"
        if fields:
            listed = _truncate("; ".join(fields), 3000)
            message += f"; field errors ({len(fields)}): {listed}"
        message += f"; body sent: {sent}"
        text = f"{head or ''} {' '.join(fields)}".upper()
        if status == 409 or "DUPLICATE" in text or "ALREADY EXISTS" in text:
            hint = (
                "a version with this build number or version number exists already: list "
                f"the versions ({check}) and choose a new build number, or treat the "
                "release as already published"
            )
        else:
            hint = (
                f"Marketplace refused {what}: fix the fields named above (their rules are "
                "not documented; compare with a version created in the Marketplace UI)"
            )
        return ApiError(
            message,
            hint=hint,
            status=status,
            endpoint=error.endpoint,
            content_type=error.content_type,
            server_message="; ".join(([head] if head else []) + fields) or error.server_message,
            retry_after=error.retry_after,
        )

    def _next_url(self, current: str, href: str, endpoint: str) -> str:
        """The absolute URL of a next-page link (see :meth:`list_versions`); refuses
        another origin before anything is sent there."""
        text = href.strip()
        if text.startswith("/rest/") and not text.startswith("//"):
            target = self.base_url + text
        else:
            target = urljoin(current, text)
        if _origin(target) != self._origin:
            raise ApiError(
                f"{endpoint}: refusing to follow the next-page link to another origin "
                f"{_show_origin(target)} (base-url origin {_show_origin(self.base_url)}); "
                "no request was sent there",
                hint="the credentials must not leave the base-url's host; check the "
                "base-url (e.g. https://api.atlassian.com/marketplace) and report the link",
                endpoint=endpoint,
            )
        return target

    def _object(self, value: Any, endpoint: str, expected: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._shape_error(value, endpoint, expected)
        return value

    def _objects(self, value: Any, endpoint: str, expected: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise self._shape_error(value, endpoint, expected)
        return value

    def _shape_error(self, value: Any, endpoint: str, expected: str) -> ApiError:
        excerpt = _truncate(self._redact(json.dumps(value, default=str)), 500)
        return ApiError(
            f"{endpoint} answered JSON that is not {expected}: {excerpt}",
            hint="the Marketplace API answered in an unexpected shape; check the base-url, "
            "and report this with the response shown",
            endpoint=endpoint,
            server_message=excerpt,
        )

    # ------------------------------------------------------------------ machinery

    def _redact(self, text: str) -> str:
        return REDACTOR.redact(self._redactor.redact(text))

    def _log(self, message: str) -> None:
        line = self._redact(message)
        if self._log_callback is not None:
            self._log_callback(line)
        else:
            _log.info("%s", line)

    def _with_retries(self, endpoint: str, attempt: Callable[[], _Outcome[T]]) -> T:
        """Run ``attempt`` under the retry policy (see :mod:`.retry`)."""
        policy = self.retry
        start = self.clock.monotonic()
        number = 1
        while True:
            outcome = attempt()
            if outcome.retry is None:
                assert outcome.value is not None
                return outcome.value
            failure = outcome.retry
            if number >= policy.attempts:
                if number > 1:
                    raise _with_note(failure.error, f"gave up after {number} attempts")
                raise failure.error
            wait = failure.retry_after
            if wait is None:
                wait = policy.backoff(number)
            if policy.deadline is not None:
                remaining = policy.deadline - (self.clock.monotonic() - start)
                if wait > remaining:
                    if failure.retry_after is not None:
                        raise self._retry_after_error(failure, wait)
                    raise _with_note(
                        failure.error,
                        f"gave up after {number} attempts: the next wait of {wait:g} s "
                        f"would pass the {policy.deadline:g} s retry deadline",
                    )
            self._log(
                f"{endpoint}: attempt {number + 1}/{policy.attempts} after "
                f"{failure.reason}; waiting {wait:.1f} s"
            )
            self.clock.sleep(wait)
            number += 1

    def _retry_after_error(self, failure: _Retry, wait: float) -> ApiError:
        when = datetime.fromtimestamp(self.clock.wall() + wait, tz=UTC)
        error = failure.error
        return ApiError(
            f"{error.message}; Marketplace asks to retry after {wait:g} s (at "
            f"{when:%Y-%m-%d %H:%M:%S} UTC), past the retry deadline",
            hint=f"re-run after {when:%Y-%m-%d %H:%M:%S} UTC"
            + (f"; {error.hint}" if error.hint else ""),
            status=error.status,
            endpoint=error.endpoint,
            content_type=error.content_type,
            server_message=error.server_message,
            retry_after=wait,
        )

    def _timeout(self) -> tuple[float, float]:
        return (self.timeouts.connect, self.timeouts.read)

    def _read(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            chunks.append(chunk)
            total += len(chunk)
            if total >= MAX_RESPONSE_BYTES:
                break
        return b"".join(chunks)

    def _exchange(
        self,
        method: str,
        url: str,
        endpoint: str,
        body: MultipartFileBody | BytesBody | None,
    ) -> _Answer | _Retry:
        """Send one request, read the whole answer; transport failures become
        :class:`_Retry` or raise (see :meth:`_transport_failure`)."""
        headers = {"Content-Type": body.content_type} if body is not None else None
        try:
            response = self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=self._timeout(),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            return self._transport_failure(exc, method, url, endpoint, body, status=None)
        try:
            try:
                content = self._read(response)
            except requests.RequestException as exc:
                return self._transport_failure(
                    exc, method, url, endpoint, body, status=response.status_code
                )
            return _Answer(
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

    def _post(
        self,
        endpoint: str,
        path: str,
        body: MultipartFileBody | BytesBody,
        *,
        file_size: int | None = None,
        describe: Callable[[_Answer, ApiError], ApiError] | None = None,
    ) -> _Outcome[_Answer]:
        """One POST try: a 2xx answer, a retryable failure, or a raised error
        (``describe(answer, error)``, when given, rewrites a non-retryable error)."""
        url = self.base_url + path
        answer = self._exchange("POST", url, endpoint, body)
        if isinstance(answer, _Retry):
            return _Outcome(retry=answer)
        if 200 <= answer.status <= 299:
            return _Outcome(answer)
        if 300 <= answer.status <= 399:
            raise mperrors.redirect_error(
                status=answer.status,
                endpoint=endpoint,
                from_url=_safe_url(url),
                to_url=_safe_url(urljoin(url, answer.location)) if answer.location else None,
                cross_origin=False,
            )
        retry_after = parse_retry_after(answer.retry_after_header, now=self.clock.wall())
        error = self._status_error(answer, endpoint, file_size=file_size, retry_after=retry_after)
        if answer.status in POST_RETRY_STATUSES or (
            answer.status == 503 and answer.retry_after_header is not None
        ):
            return _Outcome(retry=_Retry(error, f"HTTP {answer.status}", retry_after))
        raise describe(answer, error) if describe is not None else error

    def _get(self, endpoint: str, path: str, *, url: str | None = None) -> _Outcome[_Answer]:
        """One GET try of ``base_url + path`` (or of ``url``, already checked to be on
        the base URL's origin), following same-origin redirects (at most
        :data:`MAX_REDIRECTS`); a redirect to another origin is refused before any
        request is sent there."""
        url = url if url is not None else self.base_url + path
        for hop in range(MAX_REDIRECTS + 1):
            answer = self._exchange("GET", url, endpoint, None)
            if isinstance(answer, _Retry):
                return _Outcome(retry=answer)
            if answer.status in _REDIRECTS:
                target = urljoin(url, answer.location) if answer.location else None
                if target is None or _origin(target) != self._origin:
                    raise mperrors.redirect_error(
                        status=answer.status,
                        endpoint=endpoint,
                        from_url=_show_origin(url) if target else _safe_url(url),
                        to_url=_show_origin(target) if target else None,
                        cross_origin=target is not None,
                    )
                if hop == MAX_REDIRECTS:
                    raise ApiError(
                        f"{endpoint}: more than {MAX_REDIRECTS} redirects (last to "
                        f"{_safe_url(target)})",
                        hint="check the base-url; a proxy or server is redirecting in a loop",
                        status=answer.status,
                        endpoint=endpoint,
                    )
                url = target
                continue
            if 200 <= answer.status <= 299:
                return _Outcome(answer)
            retry_after = parse_retry_after(answer.retry_after_header, now=self.clock.wall())
            error = self._status_error(answer, endpoint, retry_after=retry_after)
            if answer.status in GET_RETRY_STATUSES:
                return _Outcome(retry=_Retry(error, f"HTTP {answer.status}", retry_after))
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    def _status_error(
        self,
        answer: _Answer,
        endpoint: str,
        *,
        file_size: int | None = None,
        retry_after: float | None = None,
    ) -> ApiError:
        return mperrors.error_from_response(
            status=answer.status,
            reason=answer.reason,
            endpoint=endpoint,
            content_type=answer.content_type,
            body=answer.body,
            redact=self._redact,
            user=self.credentials.user,
            file_size=file_size,
            retry_after=retry_after,
        )

    def _parse(self, answer: _Answer, endpoint: str, parse: Callable[[Any], T]) -> T:
        is_json, value = mperrors.load_json(answer.body)
        if not is_json:
            raise mperrors.not_json_error(
                status=answer.status,
                endpoint=endpoint,
                content_type=answer.content_type,
                body=answer.body,
                redact=self._redact,
            )
        try:
            return parse(value)
        except ResponseShapeError as exc:
            raise mperrors.unexpected_shape_error(
                status=answer.status,
                endpoint=endpoint,
                content_type=answer.content_type,
                body=answer.body,
                redact=self._redact,
                problem=self._redact(str(exc)),
            ) from None

    def _transport_failure(
        self,
        exc: requests.RequestException,
        method: str,
        url: str,
        endpoint: str,
        body: MultipartFileBody | BytesBody | None,
        *,
        status: int | None,
    ) -> _Retry:
        """Classify a failed exchange: return a :class:`_Retry` when the policy allows
        another try, else raise. ``status`` is set when the failure came after the
        status line (while reading the answer's body)."""
        causes = _causes(exc)
        host = _safe_url(url).split("://", 1)[-1].split("/", 1)[0]
        where = f"{endpoint} to {host}"
        connect, read = self.timeouts.connect, self.timeouts.read
        is_post = method == "POST"
        body_done = body is None or body.finished

        if _has(causes, requests.exceptions.InvalidHeader):
            raise UsageError(
                f"{endpoint}: a request header value is invalid; the value is not shown",
                hint="copy the user and API token again, without extra characters",
            )
        if _has(causes, requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
            raise UsageError(
                f"{endpoint}: the URL {_safe_url(url)} is invalid",
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
            return _Retry(
                TransportError(text, hint="a network problem; retry later", endpoint=endpoint),
                "a response cut off",
            )
        if isinstance(exc, requests.exceptions.SSLError) or _has(causes, ssl.SSLError):
            tls = next((c for c in causes if isinstance(c, ssl.SSLError)), exc)
            detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None)
            raise TransportError(
                f"{where}: TLS failed ({self._redact(str(detail or 'handshake error'))})",
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
            return _Retry(error, "connect timeout")
        if _has(causes, NameResolutionError, socket.gaierror):
            error = TransportError(
                f"{where}: cannot resolve the host name",
                hint="check the base-url host and the runner's DNS/proxy settings",
                endpoint=endpoint,
            )
            return _Retry(error, "a DNS failure")
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
            return _Retry(error, what)
        if _has(causes, ReadTimeoutError, requests.exceptions.Timeout, TimeoutError):
            if body is not None and not body.started:
                error = TransportError(
                    f"{where}: timed out while connecting (connect timeout {connect:g} s)",
                    hint="check the network, the base-url host and proxy settings",
                    endpoint=endpoint,
                )
                return _Retry(error, "a timeout while connecting")
            if not body_done:
                error = TransportError(
                    f"{where}: the send stalled: no progress within the read timeout "
                    f"({read:g} s) while sending the body",
                    hint="the server or a proxy stopped accepting data; check the network "
                    "and proxies, or raise the read timeout on slow links",
                    endpoint=endpoint,
                )
                return _Retry(error, "send timeout while sending body")
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
            return _Retry(error, "read timeout")
        if _has(causes, *_RESET):
            if not body_done:
                reason = "connection reset while sending body"
            else:
                reason = "connection closed before any response"
            error = TransportError(
                f"{where}: {reason}",
                hint="a network problem or a proxy closed the connection; retry later",
                endpoint=endpoint,
            )
            return _Retry(error, reason)
        detail = _describe(causes, self._redact)
        error = TransportError(
            f"{where}: {detail}",
            hint="a network problem; retry later",
            endpoint=endpoint,
        )
        if is_post and body_done:
            error.may_have_taken_effect = True
            raise _with_note(error, "not retried: the request may have taken effect")
        return _Retry(error, detail)


# ---------------------------------------------------------------------------- helpers


def _check_base_url(base_url: str) -> str:
    text = (base_url or "").strip().rstrip("/")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"base-url {text!r} is not an http(s) URL",
            hint="use e.g. https://api.atlassian.com/marketplace",
        )
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise UsageError(
            "base-url has an invalid port",
            hint="use e.g. https://api.atlassian.com/marketplace",
        ) from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "base-url must not contain a user name or password (not shown)",
            hint="give credentials through MARKETPLACE_USER and MARKETPLACE_TOKEN",
        )
    if parts.query or parts.fragment:
        raise UsageError(
            f"base-url {_safe_url(text)} must not have a query or fragment",
            hint="use e.g. https://api.atlassian.com/marketplace",
        )
    if scheme == "http" and not _is_loopback(parts.hostname):
        raise UsageError(
            f"refusing to send credentials over plain http:// to {parts.hostname}",
            hint="use an https:// base-url (plain http is allowed only for loopback hosts "
            "such as 127.0.0.1 or localhost, e.g. the sandbox)",
        )
    return text


def _file_size(path: Path) -> int:
    try:
        if not path.is_file():
            raise FileCheckError(
                f"{path} is not a file", hint="check the path of the file to upload"
            )
        return path.stat().st_size
    except OSError as exc:
        raise FileCheckError(
            f"cannot read {path}: {exc.strerror or exc}",
            hint="check that the file exists and is readable",
        ) from None


def _describe(causes: list[BaseException], redact: Callable[[str], str]) -> str:
    """A short, redacted description of the deepest OS-level cause."""
    for cause in reversed(causes):
        if isinstance(cause, OSError) and cause.strerror:
            return redact(f"{type(cause).__name__}: {cause.strerror}")
    root = causes[-1] if causes else None
    if root is None:
        return "unknown transport error"
    if isinstance(root, requests.exceptions.InvalidHeader):  # values inside: never shown
        return "invalid request header (value not shown)"
    return redact(f"{type(root).__name__}: {str(root)[:200]}")


def _with_note(error: ApiError, note: str) -> ApiError:
    """A copy of ``error`` (same class and fields) with `` (note)`` after the message."""
    return _copy(error, message=f"{error.message} ({note})")


# ------------------------------------------------- app software and versions helpers


@dataclass(frozen=True)
class _Boxed:
    """A decoded JSON value (which may be None or falsy) carried through
    :meth:`MarketplaceClient._with_retries`."""

    value: Any


def _any(value: Any) -> Any:
    return value


def _truncate(text: str, limit: int) -> str:
    return mperrors.truncate(text, limit)


def _segment(value: Any, what: str, hint: str) -> str:
    """``value`` stripped and percent-encoded as one path segment; UsageError when empty."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"the {what} is empty", hint=hint)
    return quote(value.strip(), safe="")


def _build_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(
            f"build number {value!r} is not a positive integer",
            hint="pass the version's buildNumber",
        )
    return value


def _versions_page(value: Any) -> tuple[Any, str | None]:
    """The items and the next-page href of one versions page (see
    :meth:`MarketplaceClient.list_versions`); items is None when none were found."""
    if isinstance(value, list):
        return value, None
    if not isinstance(value, dict):
        return None, None
    items = next((value[k] for k in ("versions", "items", "values") if k in value), None)
    links = value.get("links")
    found = links.get("next") if isinstance(links, dict) else None
    if isinstance(found, dict):
        found = found.get("href")
    if not isinstance(found, str) or not found.strip():
        found = _href(value.get("_links"), "next")
    return items, found if isinstance(found, str) and found.strip() else None


def _rehint(error: ApiError, hint: str) -> ApiError:
    """A copy of ``error`` (same class and fields) with ``hint``."""
    return _copy(error, hint=hint)


def _copy(error: ApiError, *, message: str | None = None, hint: str | None = None) -> ApiError:
    """A copy of ``error``: same class and fields, ``message``/``hint`` replaced when
    given."""
    return type(error)(
        error.message if message is None else message,
        hint=error.hint if hint is None else hint,
        status=error.status,
        endpoint=error.endpoint,
        content_type=error.content_type,
        server_message=error.server_message,
        retry_after=error.retry_after,
        may_have_taken_effect=error.may_have_taken_effect,
    )
