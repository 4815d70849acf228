"""The app software, versions and listing endpoints (HTTP handlers) and ``/_sandbox/apps``.

Paths and fault-queue endpoint names: see :mod:`release_publisher.sandbox.versions`.
Knows the state (store, clock, config), the :class:`~.catalog.AppCatalog`, the body
:mod:`.rules` and :mod:`.seeds`; the rules themselves live in :mod:`.rules`.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from ..http import Call, json_response, not_found, read_json
from ..routing import Router
from ..state import SandboxState
from .catalog import STATE_FILE, AppCatalog, Conflict, Software
from .quirks import Quirks, QuirkSpecError
from .rules import (
    check_artifact,
    check_listing,
    check_release_notes,
    check_version_fields,
    field_error,
    image_refs,
    is_int,
    listing_state,
    stored_version,
)
from .seeds import SeedErrors, parse_seed

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50


def register(router: Router, state: SandboxState) -> None:
    """Route the app software, versions and listing endpoints and ``/_sandbox/apps``
    over ``state``, with an :class:`~.catalog.AppCatalog` in the store's data dir; add
    ``apps`` to ``GET /_sandbox/state`` and forget the apps on reset."""
    api = AppSoftwareApi(state)
    base = "/rest/3/app-software"
    routes = [
        (f"{base}/app-key/<app_key>", "app_software", api.by_key, "GET", "app-software"),
        (f"{base}/<software_id>/versions", "list_versions", api.list_versions, "GET", "versions"),
        (
            f"{base}/<software_id>/versions",
            "create_version",
            api.create_version,
            "POST",
            "create-version",
        ),
        (
            f"{base}/<software_id>/versions/<build>",
            "get_version",
            api.get_version,
            "GET",
            "get-version",
        ),
        (
            f"{base}/<software_id>/versions/<build>/listing",
            "listing",
            api.listing,
            "POST",
            "listing",
        ),
        (
            f"{base}/<software_id>/versions/<build>/listing",
            "get_listing",
            api.get_listing,
            "GET",
            "get-listing",
        ),
    ]
    for path, endpoint, handler, method, fault in routes:
        router.add(path, endpoint, handler, methods=[method], fault=fault)
    router.add("/_sandbox/apps", "admin_apps", api.admin_apps, methods=["GET", "POST"], api=False)
    router.add(
        "/_sandbox/versions/quirks",
        "admin_version_quirks",
        api.admin_quirks,
        methods=["GET", "POST", "DELETE"],
        api=False,
    )
    router.add_state_section("apps", api.catalog.snapshot)
    router.add_reset_hook(api.reset)


def _validation_failed(what: str, errors: list[dict[str, str]], status: int = 400) -> Response:
    code = "VALIDATION_FAILED" if status == 400 else "DUPLICATE_VERSION"
    count = len(errors)
    message = f"{what}: {count} field error{'s' if count != 1 else ''}"
    return json_response({"code": code, "message": message, "errors": errors}, status)


def _encode_cursor(before: int) -> str:
    raw = json.dumps({"before": before}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["before"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return value if is_int(value) and value > 0 else None


def _build(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 19 else None


class AppSoftwareApi:
    """The app software, versions and listing handlers over ``state``, with an
    :class:`~.catalog.AppCatalog` kept in the store's data dir. ``state.config.apps``
    (``(key, hostings)`` pairs) are registered at start and again after a reset."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.catalog = AppCatalog(Path(state.store.data_dir) / STATE_FILE)
        self.quirks = Quirks()
        self._register_configured()

    def _register_configured(self) -> None:
        for key, hostings in self.state.config.apps:
            self.catalog.register(key, hostings)

    def reset(self) -> None:
        """Forget every app and quirk, then register the configured ones again (new IDs)."""
        self.catalog.reset()
        self.quirks.clear()
        self._register_configured()

    # -- JSON forms ----------------------------------------------------------------------

    @staticmethod
    def software_json(software: Software) -> dict[str, Any]:
        """One entry of the app-software list."""
        return {
            "appSoftwareId": software.id,
            "appKey": software.app_key,
            "hosting": software.hosting,
            "name": software.name,
            "_links": {"versions": {"href": f"/rest/3/app-software/{quote(software.id)}/versions"}},
        }

    @staticmethod
    def version_json(software_id: str, stored: dict[str, Any]) -> dict[str, Any]:
        """The API form of a stored version: without its listing, with ``_links``."""
        # the listing is served by GET .../listing only (no source shows it in a version)
        data = {k: v for k, v in stored.items() if k != "listing"}
        links: dict[str, Any] = {
            "self": {
                "href": f"/rest/3/app-software/{quote(software_id)}/versions/"
                f"{stored['buildNumber']}"
            }
        }
        framework = stored.get("frameworkDetails")
        attributes = framework.get("attributes") if isinstance(framework, dict) else None
        artifact_id = attributes.get("artifactId") if isinstance(attributes, dict) else None
        if isinstance(artifact_id, str) and artifact_id:
            links["artifact"] = {"href": f"/rest/3/artifacts/{quote(artifact_id)}"}
        data["_links"] = links
        return data

    # -- handlers ------------------------------------------------------------------------

    def by_key(self, call: Call) -> Response:
        """``GET /rest/3/app-software/app-key/{appKey}``: one entry per hosting (404
        when unknown)."""
        key = call.args["app_key"]
        found = self.catalog.software_for_key(key)
        if found is None:
            return not_found(
                f"no app with key {key!r} (sandbox: register it with --app {key} or "
                "POST /_sandbox/apps)"
            )
        return json_response([self.software_json(s) for s in found])

    def _software(self, call: Call) -> Software | Response:
        software = self.catalog.software(call.args["software_id"])
        if software is None:
            return not_found(f"no app software with ID {call.args['software_id']!r}")
        return software

    def _artifact(self, artifact_id: str) -> tuple[dict[str, Any], bool] | None:
        record = self.state.store.get_artifact(artifact_id)
        if record is None:
            return None
        return record.details, self.state.clock.monotonic() >= record.ready_at

    def list_versions(self, call: Call) -> Response:
        """``GET /rest/3/app-software/{id}/versions?limit=N&cursor=C``: a page of
        versions, newest first."""
        software = self._software(call)
        if isinstance(software, Response):
            return software
        args = call.request.args
        errors: list[dict[str, str]] = []
        limit_text = args.get("limit", str(DEFAULT_PAGE_SIZE))
        limit = int(limit_text) if limit_text.isdigit() and len(limit_text) < 6 else 0
        if not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(
                field_error(
                    "INVALID", f"limit must be 1..{MAX_PAGE_SIZE}, got {limit_text!r}", "limit"
                )
            )
        cursor = args.get("cursor")
        before = _decode_cursor(cursor) if cursor is not None else None
        if cursor is not None and before is None:
            errors.append(field_error("INVALID", "cursor is not one this server issued", "cursor"))
        if errors:
            return _validation_failed("cannot list versions", errors)
        items, next_before = self.catalog.page(software.id, limit, before)
        if self.quirks.take_stale_list():
            items = [v for v in items if not v.get("createdAt")]
        links: dict[str, str] = {}
        if next_before is not None:
            links["next"] = (
                f"/rest/3/app-software/{quote(software.id)}/versions?limit={limit}"
                f"&cursor={_encode_cursor(next_before)}"
            )
        return json_response(
            {"versions": [self.version_json(software.id, v) for v in items], "links": links}
        )

    def get_version(self, call: Call) -> Response:
        """``GET /rest/3/app-software/{id}/versions/{buildNumber}``: the version (404
        when unknown)."""
        software = self._software(call)
        if isinstance(software, Response):
            return software
        build = _build(call.args["build"])
        stored = self.catalog.version(software.id, build) if build is not None else None
        if stored is None:
            return not_found(
                f"app software {software.id!r} has no version with build number "
                f"{call.args['build']!r}"
            )
        return json_response(self.version_json(software.id, stored))

    def create_version(self, call: Call) -> Response:
        """``POST /rest/3/app-software/{id}/versions``: 201 with the version and
        ``Location``; 400 with every field error (release notes over
        ``config.max_release_notes`` among them); 409 for a duplicate. Nothing is
        stored on a 400."""
        software = self._software(call)
        if isinstance(software, Response):
            return software
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        errors = check_version_fields(body, software.hosting)
        errors += check_release_notes(body, self.state.config.max_release_notes)
        if isinstance(body, dict):
            errors += check_artifact(
                body, app_key=software.app_key, hosting=software.hosting, lookup=self._artifact
            )
        if errors:
            return _validation_failed("version not created", errors)
        created_at = datetime.fromtimestamp(self.state.clock.wall(), tz=UTC).isoformat()
        version = stored_version(body, created_at=created_at)
        quirk = self.quirks.take_create()
        if quirk is not None:
            version.update(quirk.store_as)
        try:
            self.catalog.add_version(software.id, version)
        except Conflict as exc:
            return _validation_failed("version not created", exc.errors, status=409)
        if quirk is not None and quirk.answer_after_store is not None:
            status = quirk.answer_after_store
            return json_response(
                {
                    "code": "GATEWAY_TIMEOUT" if status == 504 else "ERROR",
                    "message": "sandbox quirk: the version was stored, the answer is lost",
                },
                status,
            )
        data = self.version_json(software.id, version)
        return json_response(data, 201, {"Location": data["_links"]["self"]["href"]})

    def _version_build(self, call: Call) -> tuple[Software, int] | Response:
        """The app software and build number of the path (404 when either is unknown)."""
        software = self._software(call)
        if isinstance(software, Response):
            return software
        build = _build(call.args["build"])
        if build is None or self.catalog.version(software.id, build) is None:
            return not_found(
                f"app software {software.id!r} has no version with build number "
                f"{call.args['build']!r}"
            )
        return software, build

    def listing(self, call: Call) -> Response:
        """``POST /rest/3/app-software/{id}/versions/{buildNumber}/listing``: 200
        ``{"state", "approvalStatus", "revision"}`` (uppercase words); the whole body
        is kept (but ``revision``) for ``GET``."""
        found = self._version_build(call)
        if isinstance(found, Response):
            return found
        software, build = found
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        known = {image.id for image in self.state.store.images()}
        known |= {
            ref for listing in self.catalog.listings(software.id) for _, ref in image_refs(listing)
            if isinstance(ref, str)
        }  # fmt: skip
        errors = check_listing(body, known)
        if errors:
            return _validation_failed("listing not published", errors)
        state = listing_state(body)
        entry = self.catalog.app(software.app_key)
        mode = entry.approval if entry is not None else "auto"
        if state == "PRIVATE":
            approval = "UNINITIATED"
        elif mode == "manual":
            approval = "SUBMITTED"
        elif mode == "reject":
            state, approval = "PRIVATE", "REJECTED"
        else:
            approval = "APPROVED"
        listing = {k: v for k, v in body.items() if k != "revision"}
        listing.update(state=state, approvalStatus=approval)
        stored = self.catalog.set_listing(software.id, build, listing)
        if stored is None:  # pragma: no cover - removed by a concurrent reset
            return not_found(f"version {build} is gone")
        return json_response({k: stored[k] for k in ("state", "approvalStatus", "revision")})

    def get_listing(self, call: Call) -> Response:
        """``GET /rest/3/app-software/{id}/versions/{buildNumber}/listing``: the stored
        listing (every field published or seeded, with ``state``, ``approvalStatus``,
        ``revision``); 404 when the version has none (UNVERIFIED: what Marketplace
        answers for a version without a listing is not known)."""
        found = self._version_build(call)
        if isinstance(found, Response):
            return found
        software, build = found
        listing = self.catalog.listing(software.id, build)
        if listing is None:
            return not_found(f"version with build number {build} has no listing")
        return json_response(listing)

    # -- admin -------------------------------------------------------------------------

    def admin_quirks(self, call: Call) -> Response:
        """``/_sandbox/versions/quirks`` (see :mod:`.quirks`): ``GET`` shows them,
        ``POST`` sets them (400 ``VALIDATION_FAILED`` naming the field), ``DELETE``
        clears them."""
        if call.request.method == "DELETE":
            self.quirks.clear()
        elif call.request.method == "POST":
            body = read_json(call.request)
            if isinstance(body, Response):
                return body
            try:
                self.quirks.set(body)
            except QuirkSpecError as exc:
                return _validation_failed("quirks not set", [field_error("INVALID", str(exc), "")])
        return json_response({"quirks": self.quirks.to_json()})

    def admin_apps(self, call: Call) -> Response:
        """``GET /_sandbox/apps``: ``{"apps": [...]}`` as in the state. ``POST``: one
        seed object or a list of them, all or nothing::

            {"appKey": "com.example.hello",          # required
             "hostings": ["datacenter", "server"],   # default: the keys of versions,
                                                     # else ["datacenter"]
             "name": "Hello",                        # default: the app key
             "approval": "auto" | "manual" | "reject",  # default auto
             "versions": {"datacenter": [{"buildNumber": 100, "versionNumber": "1.0.0",
                                          ...any version fields...}]}}

        Registering a known app adds missing hostings (existing IDs are kept) and the
        given versions. Answers 201 ``{"apps": [{"appKey", "software": [app software
        entries]}]}``; 400 ``VALIDATION_FAILED`` for a bad seed, 409
        ``DUPLICATE_VERSION`` when a version exists already."""
        if call.request.method == "GET":
            return json_response({"apps": self.catalog.snapshot()})
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        seeds = body if isinstance(body, list) else [body]
        parsed: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []
        errors: list[dict[str, str]] = []
        for index, seed in enumerate(seeds):
            where = f"[{index}]" if isinstance(body, list) else ""
            try:
                parsed.append(parse_seed(seed, where))
            except SeedErrors as exc:
                errors += exc.errors
        if not seeds:
            errors.append(field_error("INVALID", "give an app object or a non-empty list", ""))
        if errors:
            return _validation_failed("apps not registered", errors)
        answer = []
        for key, hostings, options in parsed:
            try:
                software = self.catalog.register(key, hostings, **options)
            except Conflict as exc:
                return _validation_failed(f"app {key!r} not seeded", exc.errors, status=409)
            answer.append({"appKey": key, "software": [self.software_json(s) for s in software]})
        return json_response({"apps": answer}, 201)
