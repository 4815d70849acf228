"""The Marketplace REST API v3 endpoints. Each endpoint checks its arguments (no
request is sent on invalid input) and makes ONE call through :meth:`MarketplaceClient._request`,
which runs the tries under the retry policy, maps error answers and parses the JSON.
Endpoints (paths appended to ``base_url``):

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

Every endpoint takes a keyword-only ``deadline``: an absolute time in seconds on the
client's ``clock.monotonic()`` scale past which no retry wait ends (see
:func:`~release_publisher.marketplace.retry.run_with_retries`); None = the retry
policy's limits only.

Retries: :mod:`.retry`; transport: :mod:`.transport`; answers parsed by :mod:`.models`,
error answers mapped by :mod:`.errors`. Nothing of CI or of the release flow here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..checksums import FileChecksums
from ..clock import Clock, SystemClock
from ..errors import ApiError, FileCheckError, TransportError, UsageError
from ..safe_text import one_line
from ..secrets import REDACTOR, Credentials, Redactor, make_credentials
from ..urls import check_base_url, path_segment, safe_url
from . import errors as mperrors
from .listing_endpoints import ListingEndpoints
from .models import (
    Artifact,
    Media,
    check_artifact_answer,
    check_build_number,
    expect_object,
    expect_objects,
    parse_answer,
    parse_artifact,
    parse_media,
    versions_page,
)
from .retry import (
    LogCallback,
    Retryable,
    RetryPolicy,
    parse_retry_after,
    retryable_status,
    run_with_retries,
)
from .trace import ExchangeObserver
from .transport import Answer, Body, Timeouts, Transport
from .upload import (
    DEFAULT_BLOCK_SIZE,
    BytesBody,
    MultipartFileBody,
    ProgressCallback,
    artifact_content_type,
    encode_json_body,
    image_content_type,
    upload_file_size,
)

__all__ = ["DEFAULT_BASE_URL", "MarketplaceClient"]

#: The production base URL; ``/rest/3/...`` paths are appended to it.
DEFAULT_BASE_URL = "https://api.atlassian.com/marketplace"

_IMAGE_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_JSON = "application/json"
_log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class _JsonPost:
    """A JSON POST that creates something: the encoded ``payload``; for its error
    messages ``what`` it creates (``the version``), ``check`` (the GET that shows
    whether it exists) and the body ``sent`` as shown (redacted, truncated)."""

    payload: bytes
    sent: str
    what: str
    check: str

    def body(self) -> BytesBody:
        """A fresh request body for one try."""
        return BytesBody(self.payload, _JSON)


class MarketplaceClient(ListingEndpoints):
    """One ``requests.Session`` with HTTP Basic auth from ``credentials`` (the account
    email and its Atlassian API token; or ``user`` and ``token``, validated with
    :func:`~release_publisher.secrets.make_credentials`), ``User-Agent:
    release-publisher/<version> (+requests/<version>)``, ``Accept: application/json``
    and ``(connect, read)`` timeouts on every call (see :mod:`.transport`).

    ``base_url`` e.g. ``https://api.atlassian.com/marketplace`` (paths ``/rest/3/...``
    are appended). ``ca_bundle``: a PEM file of extra CA certificates, added to the
    default trust store. ``clock`` is used for every wait (tests pass a FakeClock);
    ``log(line)`` receives one redacted line per retry; ``block_size`` is the upload
    block in bytes. ``observer`` is called once per HTTP exchange (the wire trace,
    :class:`~.trace.TraceRecorder`). ``checksums`` is the run's
    :class:`~release_publisher.checksums.FileChecksums`: an uploaded file it already
    hashed (prefetched) is not hashed again, and a digest an upload computes is kept
    there.

    Raises :class:`~release_publisher.errors.UsageError` at construction for a base URL
    refused by :func:`release_publisher.urls.check_base_url` (not http(s), user info,
    a query or a fragment, plain ``http://`` to a non-loopback host), and for a missing
    or unreadable ``ca_bundle``. Methods raise
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
        observer: ExchangeObserver | None = None,
        checksums: FileChecksums | None = None,
    ) -> None:
        if credentials is None:
            credentials = make_credentials(user, token)
        elif user is not None or token is not None:
            raise TypeError("pass either credentials or user/token, not both")
        self.base_url = check_base_url(base_url)
        self.credentials = credentials
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.block_size = block_size
        self.checksums = checksums
        self._log_callback = log
        self._redactor = Redactor(credentials.secret_forms())
        self._transport = Transport(
            self.base_url,
            credentials=credentials,
            timeouts=self.timeouts,
            ca_bundle=ca_bundle,
            redact=self._redact,
            observer=observer,
        )

    def __repr__(self) -> str:
        return f"MarketplaceClient({self.base_url!r}, credentials={self.credentials!r})"

    def __enter__(self) -> MarketplaceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session and its pooled connections."""
        self._transport.close()

    # ------------------------------------------------------------------ endpoints

    def upload_artifact(
        self,
        path: Path,
        *,
        progress: ProgressCallback | None = None,
        deadline: float | None = None,
    ) -> tuple[Artifact, str]:
        """``POST /rest/3/artifacts``: upload ``path`` as multipart part ``file``
        (filename = the file's name), streamed from disk in ``block_size`` blocks with
        SHA-512 computed in the same pass on a second thread.

        Returns the :class:`Artifact` Marketplace reports and the lower-case SHA-512 hex
        of the bytes sent. ``progress(sent_bytes, file_size)`` is called at most ~4
        times a second (and once at the end of each try). A retry re-reads and
        re-hashes the file from its start. ``deadline``: see the module doc.
        """
        path = Path(path)
        size = upload_file_size(path)
        return self._request(
            "POST",
            "/rest/3/artifacts",
            _artifact_and_sha512,
            body=self._file_body(path, artifact_content_type(path), progress),
            file_size=size,
            deadline=deadline,
        )

    def fetch_artifact(self, uri: str, *, deadline: float | None = None) -> Artifact:
        """``POST /rest/3/artifacts/fetch`` with JSON ``{"uri": uri}``: Marketplace
        downloads the artifact from ``uri`` (a public https URL). Returns the
        :class:`Artifact` (its ``remote_url`` is the source). ``deadline``: see the
        module doc."""
        if not isinstance(uri, str) or not uri.strip():
            raise UsageError("the artifact uri to fetch is empty", hint="give an https URL")
        payload = json.dumps({"uri": uri.strip()}).encode()
        return self._request(
            "POST",
            "/rest/3/artifacts/fetch",
            _artifact,
            body=lambda: BytesBody(payload, _JSON),
            deadline=deadline,
        )

    def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
        """``GET /rest/3/artifacts/{artifact_id}`` (the ID is percent-encoded as one
        path segment). Same-origin redirects are followed (at most 5). ``deadline``:
        see the module doc. Raises VerificationError when the answer is another
        artifact (:func:`~.models.check_artifact_answer`)."""
        segment = path_segment(artifact_id, "artifact ID", "pass the ID Marketplace returned")
        answer = self._request("GET", f"/rest/3/artifacts/{segment}", _artifact, deadline=deadline)
        return check_artifact_answer(artifact_id, answer)

    def upload_image(
        self,
        image_type: str,
        path: Path,
        *,
        progress: ProgressCallback | None = None,
        content_type: str | None = None,
        deadline: float | None = None,
    ) -> Media:
        """``POST /rest/3/assets/images/{image_type}``: upload a listing image as
        multipart part ``file``. ``image_type`` is a lowercase slug such as ``icon``;
        ``content_type`` the part's type (e.g. ``image/png`` as pre-flight read it from
        the file's bytes; default: by the file's extension). Returns the :class:`Media`.
        ``deadline``: see the module doc."""
        if not image_type or not set(image_type) <= _IMAGE_TYPE_CHARS:
            raise UsageError(
                f"image type {image_type!r} is not a lowercase slug",
                hint="use e.g. icon, banner, screenshot (letters, digits, '-', '_')",
            )
        path = Path(path)
        size = upload_file_size(path)
        return self._request(
            "POST",
            f"/rest/3/assets/images/{image_type}",
            _media,
            body=self._file_body(path, content_type or image_content_type(path), progress),
            file_size=size,
            deadline=deadline,
        )

    # ------------------------------------------------------ app software and versions

    def get_app_software(
        self, app_key: str, *, deadline: float | None = None
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/app-software/app-key/{appKey}`` (the key percent-encoded as one
        path segment): the app's software, one JSON object per hosting, returned raw,
        e.g. ``[{"appSoftwareId": "...", "appKey": "...", "hosting": "datacenter",
        ...}]`` (unknown fields kept; the caller picks the hosting).

        Raises :class:`UsageError` for an empty key (no request is sent);
        :class:`ApiError` for a non-2xx answer (404: no app with that key visible to
        the account) or an answer that is not a JSON list of objects;
        :class:`TransportError` when no answer arrives."""
        segment = path_segment(app_key, "app key", "give the app key, e.g. com.example.hello")
        path = f"/rest/3/app-software/app-key/{segment}"
        value = self._request(
            "GET",
            path,
            _json,
            not_found=f"no app with key {app_key.strip()!r} is visible to this account: "
            "check the app key (atlassian-plugin.xml key, or the Connect descriptor key) "
            "and that the account is a vendor contact of the app; check the base-url too",
            deadline=deadline,
        )
        endpoint = f"GET {path}"
        return expect_objects(value, endpoint, "a list of app software objects", self._redact)

    def list_versions(
        self,
        app_software_id: str,
        *,
        limit: int = 50,
        max_pages: int = 100,
        deadline: float | None = None,
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
        segment = _software_id(app_software_id)
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
            value = self._request("GET", path, _json, endpoint=endpoint, url=url, deadline=deadline)
            items, next_href = versions_page(value)
            versions += expect_objects(items, endpoint, "a list of version objects", self._redact)
            if next_href is None:
                return versions
            target = self._transport.next_url(url, next_href, endpoint)
            if target in seen:
                raise ApiError(
                    f"{endpoint}: the next-page link {safe_url(target)} points to a page "
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

    def get_version(
        self, app_software_id: str, build_number: int, *, deadline: float | None = None
    ) -> dict[str, Any]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}``: the
        version as raw JSON. Raises :class:`UsageError` for bad arguments,
        :class:`ApiError` (404: no such version) or :class:`TransportError`."""
        segment = _software_id(app_software_id)
        build = check_build_number(build_number)
        path = f"/rest/3/app-software/{segment}/versions/{build}"
        value = self._request(
            "GET",
            path,
            _json,
            not_found=f"no version with build number {build} on app software {segment} "
            "(or an unknown app software ID)",
            deadline=deadline,
        )
        endpoint = f"GET {path}"
        return expect_object(value, endpoint, "a version object", self._redact)

    def create_version(
        self, app_software_id: str, body: dict[str, Any], *, deadline: float | None = None
    ) -> dict[str, Any]:
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
        segment = _software_id(app_software_id)
        path = f"/rest/3/app-software/{segment}/versions"
        return self._create(path, body, what="the version", check=f"GET {path}", deadline=deadline)

    def publish_listing(
        self,
        app_software_id: str,
        build_number: int,
        body: dict[str, Any],
        *,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``
        with ``body`` as JSON (e.g. ``{"state": "public", "screenshots": [{"imageId",
        "caption"}], "highlights": [...], "heroImage": {...}}``); returns the answer
        as raw JSON (known: ``{"state", "approvalStatus", "revision"}``).

        Errors as :meth:`create_version` (a 400 shows the field errors and the body
        sent); 404: no version with that build number."""
        segment = _software_id(app_software_id)
        build = check_build_number(build_number)
        path = f"/rest/3/app-software/{segment}/versions/{build}/listing"
        return self._create(
            path,
            body,
            what="the listing",
            check=f"GET /rest/3/app-software/{segment}/versions/{build}",
            deadline=deadline,
        )

    def get_listing(
        self, app_software_id: str, build_number: int, *, deadline: float | None = None
    ) -> dict[str, Any]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``:
        the version's listing as raw JSON (as the one client known to run in production
        reads it: ``{state, approvalStatus, revision, screenshots, highlights,
        moreDetails, heroImage, youtubeId, deploymentInstructions, developerLinks}``).
        Raises :class:`UsageError` for bad arguments, :class:`ApiError` (404: no listing,
        or no such version) or :class:`TransportError`."""
        segment = _software_id(app_software_id)
        build = check_build_number(build_number)
        path = f"/rest/3/app-software/{segment}/versions/{build}/listing"
        value = self._request(
            "GET",
            path,
            _json,
            not_found=f"no listing for build number {build} on app software {segment}",
            deadline=deadline,
        )
        return expect_object(value, f"GET {path}", "a listing object", self._redact)

    # ------------------------------------------------------------------ machinery

    def _create(
        self, path: str, body: dict[str, Any], *, what: str, check: str, deadline: float | None
    ) -> dict[str, Any]:
        """``POST path`` with ``body`` as JSON, creating ``what`` (``"the version"``):
        never repeated once it may have been stored (``check``, the GET that shows
        whether it was, goes into that error's hint); the answer must be an object."""
        post = _JsonPost(*encode_json_body(f"POST {path}", body, self._redact), what, check)
        value = self._request("POST", path, _json, body=post.body, creates=post, deadline=deadline)
        shape = "a " + what.removeprefix("the ") + " object"
        return expect_object(value, f"POST {path}", shape, self._redact)

    def _request(
        self,
        method: str,
        path: str,
        parse: Callable[[Any, Body | None], T],
        *,
        endpoint: str | None = None,
        url: str | None = None,
        body: Callable[[], Body] | None = None,
        file_size: int | None = None,
        creates: _JsonPost | None = None,
        not_found: str | None = None,
        deadline: float | None = None,
    ) -> T:
        """``method`` (``GET``/``POST``/``PUT``) ``base_url + path`` (or ``url``, already on
        the base URL's origin) under the retry policy, until ``deadline`` (see the
        module doc); ``parse(json, body)`` of the 2xx answer (``body``: the one sent in
        the successful try). ``endpoint`` names the call in messages (default
        ``"{method} {path}"``); ``body()`` makes a fresh request body per try;
        ``file_size`` (bytes) goes into the 413 hint; ``creates`` describes what a JSON
        POST creates, so its refusals list the field errors and the body sent, and a
        lost answer says to check before re-running; ``not_found`` is the hint of a 404.

        Raises :class:`ApiError` for a non-2xx answer that is not retried (or after the
        last retry), a non-JSON or malformed 2xx answer; :class:`TransportError`;
        :class:`FileCheckError` for an upload file that cannot be read."""
        endpoint = endpoint or f"{method} {path}"
        target = url if url is not None else self.base_url + path

        def attempt() -> T | Retryable:
            sent = body() if body is not None else None
            try:
                if sent is None:
                    answer = self._transport.get(endpoint, target)
                elif method == "PUT":  # whole-object writes (the app listing)
                    answer = self._transport.exchange("PUT", target, endpoint, sent)
                else:  # POST
                    answer = self._transport.post(endpoint, target, sent)
                if isinstance(answer, Retryable):
                    return answer
                if not 200 <= answer.status <= 299:
                    return self._refused(method, answer, endpoint, file_size, creates)
                return parse_answer(
                    answer.loaded,
                    lambda value: parse(value, sent),
                    status=answer.status,
                    endpoint=endpoint,
                    content_type=answer.content_type,
                    body=answer.body,
                    redact=self._redact,
                )
            finally:
                if sent is not None:
                    sent.close()

        try:
            return run_with_retries(
                attempt,
                endpoint=endpoint,
                policy=self.retry,
                clock=self.clock,
                log=self._log,
                deadline=deadline,
            )
        except TransportError as exc:
            if creates is not None and exc.may_have_taken_effect:
                raise mperrors.with_hint(
                    exc,
                    f"{creates.what} may have been stored although no answer arrived: "
                    f"check with {creates.check} before re-running",
                ) from None
            raise
        except ApiError as exc:
            if not_found is not None and exc.status == 404:
                raise mperrors.with_hint(exc, not_found) from None
            raise

    def _refused(
        self,
        method: str,
        answer: Answer,
        endpoint: str,
        file_size: int | None,
        creates: _JsonPost | None,
    ) -> Retryable:
        """The :class:`Retryable` for a non-2xx ``answer`` the policy retries (see
        :func:`~.retry.retryable_status`); else raises its :class:`ApiError`."""
        retry_after = parse_retry_after(answer.retry_after_header, now=self.clock.wall())
        error = mperrors.error_from_response(
            status=answer.status,
            reason=answer.reason,
            endpoint=endpoint,
            content_type=answer.content_type,
            body=answer.body,
            redact=self._redact,
            user=self.credentials.user,
            file_size=file_size,
            retry_after=retry_after,
            loaded=answer.loaded,
        )
        if retryable_status(method, answer.status, retry_after_header=answer.retry_after_header):
            return Retryable(error, f"HTTP {answer.status}", retry_after)
        if creates is None:
            raise error
        raise mperrors.refused_json_post_error(
            error,
            status=answer.status,
            reason=answer.reason,
            loaded=answer.loaded,
            redact=self._redact,
            sent=creates.sent,
            what=creates.what,
            check=creates.check,
        )

    def _file_body(
        self, path: Path, part_type: str, progress: ProgressCallback | None
    ) -> Callable[[], Body]:
        """A factory of fresh multipart bodies streaming ``path`` (one per try)."""
        return partial(
            MultipartFileBody,
            path,
            part_type=part_type,
            block_size=self.block_size,
            progress=progress,
            monotonic=self.clock.monotonic,
            checksums=self.checksums,
        )

    def _redact(self, text: str) -> str:
        """``text`` (from the server or the network) fit for a message: every form of
        the credentials redacted, then escaped to one line (no raw line break or
        control character, see :func:`release_publisher.safe_text.one_line`)."""
        return one_line(REDACTOR.redact(self._redactor.redact(text)))

    def _log(self, message: str) -> None:
        line = self._redact(message)
        if self._log_callback is not None:
            self._log_callback(line)
        else:
            _log.info("%s", line)


# ---------------------------------------------------------------------------- helpers


def _json(value: Any, _body: Body | None) -> Any:
    return value


def _artifact(value: Any, _body: Body | None) -> Artifact:
    return parse_artifact(value)


def _artifact_and_sha512(value: Any, body: Body | None) -> tuple[Artifact, str]:
    artifact = parse_artifact(value)
    if not isinstance(body, MultipartFileBody):  # pragma: no cover - uploads only
        raise TypeError("an artifact upload sends a MultipartFileBody")
    try:
        return artifact, body.sha512()
    except FileCheckError as err:  # the file changed: say what Marketplace holds
        raise FileCheckError(
            f"{err.message}; Marketplace stored what was sent as artifact ID {artifact.id}, "
            "which is not used by any version",
            hint=err.hint,
        ) from None


def _media(value: Any, _body: Body | None) -> Media:
    return parse_media(value)


def _software_id(value: Any) -> str:
    """The app software ID as one path segment (:func:`~release_publisher.urls.path_segment`)."""
    return path_segment(value, "app software ID", "take it from get_app_software()")
