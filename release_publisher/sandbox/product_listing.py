"""The app listing endpoints (``/rest/3/product-listing/...``) and
``/_sandbox/product-listings``.

- ``GET /rest/3/product-listing/developer-space/{developerId}?limit=N&cursor=C
  &includePrivate=true``: the developer's apps, ``{items: [{productId, appKey,
  appName, developerId, state, approvalStatus, slug}], links: {self, next}}``
  (cursor-paginated; private listings only with ``includePrivate=true``);
- ``GET /rest/3/product-listing/{productId}``: the whole app listing (see
  :func:`new_listing` for its fields), with its ``revision``; unknown: 404;
- ``PUT /rest/3/product-listing/{productId}``: replaces the WHOLE listing. The body
  must hold every field of the listing (a missing one is 400: a partial PUT would
  blank it), no unknown field, the same ``productId``, ``appKey``, ``developerId``,
  ``state``, ``approvalStatus`` and ``approvalDetails`` (read-only here), image file
  IDs that are uploaded images (or null), and the ``revision`` it was read at: another
  revision is 409 ``STALE_REVISION`` (someone changed the listing since). Success:
  200 with the stored listing, ``revision`` + 1.

Fault endpoint names: ``developer-space``, ``product-listing`` (GET) and
``product-listing-put``. Admin (loopback, no auth): ``POST /_sandbox/product-listings``
seeds listings (``{developerId, appKey, appName?, state?, approvalStatus?, images?,
editAfterReads?}`` or a list of them; ``editAfterReads: N`` makes "someone else" edit
the listing right after each of the next N reads, to rehearse a stale revision);
``GET`` lists them. Listings live in memory and are forgotten on reset.

What the live API refuses on a PUT, and with which status and code, is UNVERIFIED:
the 400/409 rules above are the sandbox's. Knows the state's store (uploaded images),
the router and :mod:`.http`.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from .http import (
    Call,
    error_response,
    invalid,
    json_response,
    not_found,
    offset_cursor,
    offset_of_cursor,
    read_json,
)
from .routing import Router
from .state import SandboxState

IMAGE_FIELDS = ("iconFileId", "titleLogoFileId", "bannerFileId")
READ_ONLY = ("productId", "appKey", "developerId", "state", "approvalStatus", "approvalDetails")
STATES = ("public", "private")
APPROVAL = ("approved", "submitted", "rejected")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
_SEED_FIELDS = {
    "developerId",
    "appKey",
    "appName",
    "state",
    "approvalStatus",
    "images",
    "editAfterReads",
    "productId",
}
_SLUG = re.compile(r"[^a-z0-9]+")


def register(router: Router, state: SandboxState) -> None:
    """Route the app listing endpoints and ``/_sandbox/product-listings`` over
    ``state``; add ``productListings`` to ``GET /_sandbox/state``; forget every
    listing on reset."""
    api = ProductListingApi(state)
    base = "/rest/3/product-listing"
    router.add(
        f"{base}/developer-space/<developer_id>",
        "developer_space",
        api.developer_space,
        methods=["GET"],
        fault="developer-space",
    )
    router.add(
        f"{base}/<product_id>", "product_listing", api.get, methods=["GET"], fault="product-listing"
    )
    router.add(
        f"{base}/<product_id>",
        "product_listing_put",
        api.put,
        methods=["PUT"],
        fault="product-listing-put",
    )
    router.add(
        "/_sandbox/product-listings",
        "admin_product_listings",
        api.admin,
        methods=["GET", "POST"],
        api=False,
    )
    router.add_state_section("productListings", api.snapshot)
    router.add_reset_hook(api.reset)


def new_listing(
    *,
    product_id: str,
    developer_id: str,
    app_key: str,
    app_name: str,
    state: str = "public",
    approval_status: str = "approved",
    images: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A stored app listing with every field of the GET shape the API docs list."""
    return {
        "productId": product_id,
        "appKey": app_key,
        "developerId": developer_id,
        "appName": app_name,
        "summary": f"{app_name} for your team",
        "tagLine": f"{app_name}: rehearsed in the sandbox",
        "images": {name: (images or {}).get(name) for name in IMAGE_FIELDS},
        "tags": {"category": ["admin-tools"], "keywords": ["sandbox"]},
        "communityEnabled": True,
        "developerLinks": {
            "documentation": "https://example.com/docs",
            "issueTracker": "https://example.com/issues",
        },
        "thirdPartyIntegrations": [],
        "state": state,
        "approvalStatus": approval_status,
        "approvalDetails": {"reason": None}
        if approval_status != "rejected"
        else {"reason": "rejected in the sandbox"},
        "slug": _SLUG.sub("-", app_name.lower()).strip("-") or "app",
        "cloudComplianceBoundary": [],
        "hostingVisibility": {"server": True, "datacenter": True, "cloud": False},
        "marketingLabels": [],
        "revision": 1,
    }


class ProductListingApi:
    """The app listing handlers over ``state`` (listings in memory, by productId)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._listings: dict[str, dict[str, Any]] = {}
        self._edits: dict[str, int] = {}

    def reset(self) -> None:
        """Forget every listing."""
        with self._lock:
            self._listings.clear()
            self._edits.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every stored listing (for ``GET /_sandbox/state``)."""
        with self._lock:
            return [copy.deepcopy(v) for v in self._listings.values()]

    # -- API ------------------------------------------------------------------------------

    def developer_space(self, call: Call) -> Response:
        """``GET .../developer-space/{developerId}``: a page of the developer's apps."""
        developer = call.args["developer_id"]
        args = call.request.args
        limit_text = args.get("limit", str(DEFAULT_PAGE_SIZE))
        limit = int(limit_text) if limit_text.isdigit() and len(limit_text) < 6 else 0
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return invalid(f"limit must be 1..{MAX_PAGE_SIZE}, got {limit_text!r}")
        cursor = args.get("cursor")
        start = offset_of_cursor(cursor) if cursor is not None else 0
        if start is None:
            return invalid("cursor is not one this server issued")
        private = args.get("includePrivate", "false").lower() == "true"
        with self._lock:
            mine = [
                {k: v[k] for k in ("productId", "appKey", "appName", "developerId", "state")}
                | {"approvalStatus": v["approvalStatus"], "slug": v["slug"]}
                for v in self._listings.values()
                if v["developerId"] == developer and (private or v["state"] == "public")
            ]
        page = mine[start : start + limit]
        path = f"/rest/3/product-listing/developer-space/{quote(developer)}"
        query = f"limit={limit}" + ("&includePrivate=true" if private else "")
        links = {"self": f"{path}?{query}"}
        if start + limit < len(mine):
            links["next"] = f"{path}?{query}&cursor={offset_cursor(start + limit)}"
        return json_response({"items": page, "links": links})

    def get(self, call: Call) -> Response:
        """``GET .../{productId}``: the whole listing; then "someone else" edits it when
        ``editAfterReads`` asks for it."""
        product = call.args["product_id"]
        with self._lock:
            listing = self._listings.get(product)
            if listing is None:
                return not_found(f"no app listing with productId {product!r}")
            answer = copy.deepcopy(listing)
            if self._edits.get(product, 0) > 0:
                self._edits[product] -= 1
                listing["revision"] += 1
                listing["tagLine"] = f"edited by someone else (revision {listing['revision']})"
        return json_response(answer)

    def put(self, call: Call) -> Response:
        """``PUT .../{productId}``: replace the whole listing (rules: module docstring)."""
        product = call.args["product_id"]
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        with self._lock:
            listing = self._listings.get(product)
            if listing is None:
                return not_found(f"no app listing with productId {product!r}")
            if not isinstance(body, dict):
                return invalid("the body must be the whole app listing (a JSON object)")
            problem = self._check(listing, body)
            if problem is not None:
                return invalid(problem)
            if body["revision"] != listing["revision"]:
                return error_response(
                    409,
                    "STALE_REVISION",
                    f"the listing is at revision {listing['revision']}, the body was read at "
                    f"revision {body['revision']}: read it again and re-apply the change",
                )
            stored = copy.deepcopy(body)
            stored["revision"] = listing["revision"] + 1
            self._listings[product] = stored
            return json_response(copy.deepcopy(stored))

    def _check(self, listing: dict[str, Any], body: dict[str, Any]) -> str | None:
        missing = sorted(set(listing) - set(body))
        if missing:
            return (
                f"missing field(s) {', '.join(missing)}: PUT replaces the whole listing, "
                "send every field as read"
            )
        unknown = sorted(set(body) - set(listing))
        if unknown:
            return f"unknown field(s) {', '.join(unknown)}"
        for name in READ_ONLY:
            if body[name] != listing[name]:
                return f"{name} is read-only: it must be sent as read"
        revision = body.get("revision")
        if not isinstance(revision, int) or isinstance(revision, bool):
            return "revision must be the listing's revision (a whole number) as read"
        images = body.get("images")
        if not isinstance(images, dict) or set(images) != set(IMAGE_FIELDS):
            return f"images must be an object with exactly {', '.join(IMAGE_FIELDS)}"
        known = {record.id for record in self.state.store.images()}
        for name in IMAGE_FIELDS:
            value = images[name]
            if value is not None and value not in known:
                return f"images.{name}: {value!r} is not an uploaded image"
        return None

    # -- admin ----------------------------------------------------------------------------

    def admin(self, call: Call) -> Response:
        """``GET``: every listing; ``POST``: seed one listing or a list of them (201 with
        the stored listings)."""
        if call.request.method == "GET":
            return json_response({"productListings": self.snapshot()})
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        seeds = body if isinstance(body, list) else [body]
        made: list[dict[str, Any]] = []
        for index, seed in enumerate(seeds):
            listing = _parse_seed(seed, f"[{index}]")
            if isinstance(listing, str):
                return invalid(listing)
            made.append(listing)
        with self._lock:
            for seed, listing in zip(seeds, made, strict=True):
                self._listings[listing["productId"]] = listing
                self._edits[listing["productId"]] = int(seed.get("editAfterReads", 0))
        return json_response({"productListings": copy.deepcopy(made)}, 201)


def _parse_seed(seed: Any, where: str) -> dict[str, Any] | str:
    """A seed as a stored listing, or what is wrong with it."""
    if not isinstance(seed, dict):
        return f"{where}: expected a listing seed object"
    unknown = sorted(set(seed) - _SEED_FIELDS)
    if unknown:
        return f"{where}: unknown field(s) {', '.join(unknown)}"
    for name in ("developerId", "appKey"):
        if not isinstance(seed.get(name), str) or not seed[name].strip():
            return f"{where}.{name}: required, a non-empty string"
    state = seed.get("state", "public")
    approval = seed.get("approvalStatus", "approved")
    if state not in STATES:
        return f"{where}.state: one of {', '.join(STATES)}"
    if approval not in APPROVAL:
        return f"{where}.approvalStatus: one of {', '.join(APPROVAL)}"
    edits = seed.get("editAfterReads", 0)
    if not isinstance(edits, int) or isinstance(edits, bool) or not 0 <= edits <= 1000:
        return f"{where}.editAfterReads: a whole number 0..1000"
    images = seed.get("images") or {}
    if not isinstance(images, dict) or set(images) - set(IMAGE_FIELDS):
        return f"{where}.images: an object with {', '.join(IMAGE_FIELDS)}"
    product = seed.get("productId") or str(uuid.uuid4())
    if not isinstance(product, str) or not re.fullmatch(r"[0-9A-Za-z-]{1,64}", product):
        return f"{where}.productId: letters, digits and dashes"
    name = seed.get("appName") or seed["appKey"].rsplit(".", 1)[-1].title()
    if not isinstance(name, str):
        return f"{where}.appName: a string"
    return new_listing(
        product_id=product,
        developer_id=seed["developerId"],
        app_key=seed["appKey"],
        app_name=name,
        state=state,
        approval_status=approval,
        images=images,
    )
