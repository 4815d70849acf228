"""The app listing and parent software endpoints of the client (issue 13), as a mixin
of :class:`~.client.MarketplaceClient`: the developer space (cursor-paginated), the
app listing's GET and whole-object PUT, and the parent software versions.

Each call goes through the client's one ``_request`` helper (retries, redaction,
error shapes); this module declares what it uses of it for type checking and never
imports :mod:`.client` (the client imports this module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ApiError, UsageError
from ..urls import path_segment, safe_url
from .models import expect_object, expect_objects, versions_page
from .transport import Body, Transport
from .upload import BytesBody, encode_json_body

T = TypeVar("T")


@dataclass(frozen=True)
class _JsonPut:
    """A whole-object JSON PUT: ``payload``; for error messages ``what`` it writes,
    ``check`` (the GET that shows it) and the body ``sent`` as shown (redacted)."""

    payload: bytes
    sent: str
    what: str
    check: str

    def body(self) -> BytesBody:
        """A fresh request body for one try."""
        return BytesBody(self.payload, "application/json")


def _json(value: Any, _body: Body | None) -> Any:
    return value


class ListingEndpoints:
    """The endpoints of issue 13 (see the module docstring); mixed into the client."""

    base_url: str
    _transport: Transport

    if TYPE_CHECKING:

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
            creates: Any = None,
            not_found: str | None = None,
            deadline: float | None = None,
        ) -> T: ...

        def _redact(self, text: str) -> str: ...

    def list_developer_apps(
        self, developer_id: str, *, limit: int = 50, max_pages: int = 100
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/product-listing/developer-space/{developerId}?limit={limit}
        &includePrivate=true``, following the cursor pagination (``links.next``, as
        :meth:`list_versions`, same-origin only) to the end: the developer's apps as raw
        JSON, e.g. ``[{"productId", "appKey", "appName", "developerId", "state",
        "approvalStatus", "slug"}]``. ``limit`` 1..50 per page; ``max_pages`` >= 1.

        Raises :class:`UsageError` for an empty developer ID or bad arguments (nothing
        is sent); :class:`ApiError` for a non-2xx answer (404: unknown developer), a
        page that is not ``{items: [...]}``, a looping or too long pagination;
        :class:`TransportError` when no answer arrives (each page is retried as a GET)."""
        segment = path_segment(
            developer_id, "developer ID", "give app-listing.developer-id (a UUID)"
        )
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 50:
            raise UsageError(f"developer-space page size {limit!r} is out of range (1..50)")
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise UsageError(f"max_pages {max_pages!r} must be a positive integer")
        path = f"/rest/3/product-listing/developer-space/{segment}"
        return self._pages(path, f"limit={limit}&includePrivate=true", max_pages, "apps")

    def get_app_listing(self, product_id: str) -> dict[str, Any]:
        """``GET /rest/3/product-listing/{productId}``: the whole app listing as raw JSON
        (``productId``, ``appKey``, ``images: {iconFileId, titleLogoFileId,
        bannerFileId}``, ``state``, ``approvalStatus``, ``revision``, ... every field
        kept, for a whole-object PUT). Raises :class:`UsageError` for an empty ID,
        :class:`ApiError` (404: unknown productId; not a JSON object) or
        :class:`TransportError`."""
        segment = path_segment(product_id, "productId", "take it from the developer space")
        path = f"/rest/3/product-listing/{segment}"
        value = self._request(
            "GET", path, _json, not_found=f"no app listing with productId {segment}"
        )
        return expect_object(value, f"GET {path}", "an app listing object", self._redact)

    def put_app_listing(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /rest/3/product-listing/{productId}`` with ``body``, the WHOLE listing
        (every field as read, its ``revision`` included, so a server can refuse a stale
        write); returns the stored listing as raw JSON.

        Retried only on the answers that mean nothing was stored (as a POST: see
        :mod:`.retry`); a lost answer is not retried. Raises :class:`UsageError` for a
        body that is not JSON-serialisable (nothing is sent); :class:`ApiError`: a 409
        (the sandbox's stale revision) or 400 shows the server's field errors and the
        body sent (redacted, truncated); :class:`TransportError`."""
        segment = path_segment(product_id, "productId", "take it from the developer space")
        path = f"/rest/3/product-listing/{segment}"
        endpoint = f"PUT {path}"
        put = _JsonPut(
            *encode_json_body(endpoint, body, self._redact),
            what="the app listing",
            check=f"GET {path}",
        )
        value = self._request("PUT", path, _json, body=put.body, creates=put)
        return expect_object(value, endpoint, "an app listing object", self._redact)

    def get_parent_software_version(self, product: str, version_number: str) -> dict[str, Any]:
        """``GET /rest/3/parent-software/{id}/versions/number/{versionNumber}``: that
        product version as raw JSON (``{buildNumber, versionNumber, hosting, state,
        ...}``). Raises :class:`UsageError` for an empty argument, :class:`ApiError`
        (404: unknown product or version) or :class:`TransportError`."""
        pid = path_segment(product, "parent software ID", "e.g. jira or confluence")
        number = path_segment(version_number, "product version", "e.g. 9.12.0")
        path = f"/rest/3/parent-software/{pid}/versions/number/{number}"
        value = self._request("GET", path, _json)
        return expect_object(value, f"GET {path}", "a parent software version", self._redact)

    def list_parent_software_versions(
        self, product: str, *, limit: int = 50
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software/{id}/versions?limit={limit}``: the FIRST page
        only (newest first; ``limit=1`` is the latest version), raw JSON objects.
        Raises :class:`UsageError`, :class:`ApiError` (404: unknown product; a page that
        is not a list of objects) or :class:`TransportError`."""
        pid = path_segment(product, "parent software ID", "e.g. jira or confluence")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 50:
            raise UsageError(f"parent software page size {limit!r} is out of range (1..50)")
        path = f"/rest/3/parent-software/{pid}/versions"
        url = f"{self.base_url}{path}?limit={limit}"
        value = self._request("GET", path, _json, url=url)
        items, _next = versions_page(value)
        return expect_objects(items, f"GET {path}", "a list of product versions", self._redact)

    def list_parent_software(self) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software``: its ``parentSoftware`` entries as raw JSON
        (``[{id, name, hostingOptions, state, revision}]``). Raises :class:`ApiError`
        (not that shape) or :class:`TransportError`."""
        path = "/rest/3/parent-software"
        value = self._request("GET", path, _json)
        items = value.get("parentSoftware") if isinstance(value, dict) else value
        return expect_objects(items, f"GET {path}", "a list of parent software", self._redact)

    def _pages(self, path: str, query: str, max_pages: int, what: str) -> list[dict[str, Any]]:
        """Every item of the cursor-paginated ``GET path?query`` (see :meth:`list_versions`
        for the accepted shapes and the link rules)."""
        url = f"{self.base_url}{path}?{query}"
        items: list[dict[str, Any]] = []
        seen = {url}
        for page in range(1, max_pages + 1):
            endpoint = f"GET {path}" + (f" (page {page})" if page > 1 else "")
            value = self._request("GET", path, _json, endpoint=endpoint, url=url)
            found, next_href = versions_page(value)
            items += expect_objects(found, endpoint, f"a list of {what}", self._redact)
            if next_href is None:
                return items
            target = self._transport.next_url(url, next_href, endpoint)
            if target in seen:
                raise ApiError(
                    f"{endpoint}: the next-page link {safe_url(target)} points to a page "
                    f"already read; stopped after {len(items)} {what}",
                    hint="the server's pagination loops; report this with the link shown",
                    endpoint=endpoint,
                )
            seen.add(target)
            url = target
        raise ApiError(
            f"GET {path}: more than {max_pages} pages of {what}; stopped following the "
            "next-page links",
            hint="the server's pagination does not end",
            endpoint=f"GET {path}",
        )
