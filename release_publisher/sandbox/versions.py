"""App software, versions and listings in the sandbox (the release step after the upload).

Paths (HTTP Basic auth, request log and fault injection as for the artifact endpoints;
fault-queue endpoint names in brackets):

=================================================================  ==================
``GET  /rest/3/app-software/app-key/{appKey}``                     [app-software]
``GET  /rest/3/app-software/{appSoftwareId}/versions``             [versions]
``POST /rest/3/app-software/{appSoftwareId}/versions``             [create-version]
``GET  /rest/3/app-software/{appSoftwareId}/versions/{build}``     [get-version]
``POST /rest/3/app-software/{appSoftwareId}/versions/{build}/listing``  [listing]
=================================================================  ==================

Shapes (what Marketplace is known to send, plus the sandbox's documented guesses):

* app software: ``[{"appSoftwareId", "appKey", "hosting": "cloud"|"server"|"datacenter",
  "name", "_links": {"versions": {"href"}}}]``, one entry per hosting (in the order
  cloud, server, datacenter). Unknown app key: 404 ``NOT_FOUND`` (like Marketplace; the
  sandbox knows only apps registered with ``--app`` or ``POST /_sandbox/apps``).
* versions page: ``{"versions": [version, ...], "links": {"next": "/rest/3/app-software/
  {id}/versions?limit=N&cursor=C"}}``, newest first (highest ``buildNumber`` first);
  ``links`` is ``{}`` on the last page. ``limit`` 1..50, default 10 (anything else: 400
  ``VALIDATION_FAILED``, path ``limit``); ``cursor`` is opaque (a bad one: 400, path
  ``cursor``). The next link is relative to the base URL, like ``_links.self.href``.
* version: ``{"buildNumber": int, "versionNumber", "state": "active", "compatibilities":
  [{"parentSoftwareId", "minBuildNumber", "maxBuildNumber"}], "supportedPaymentModel",
  "licenseType": {"id"} (when given), "frameworkDetails": {"frameworkId", "attributes":
  {"artifactId", "pluginFrameworkType"}}, "supported": bool, "beta": bool, "changelog":
  {"releaseSummary", "releaseNotes"} (when given), "acceptedAgreements" (when given),
  "createdAt" (ISO 8601, created through the API), "listing": {"state",
  "approvalStatus", "revision"} (once published), "_links": {"self": {"href":
  "/rest/3/app-software/{id}/versions/{buildNumber}"}, "artifact": {"href":
  "/rest/3/artifacts/{artifactId}"} (when set)}}``.

Creating a version (the rules are the sandbox's plausible guess; Marketplace does not
document them): 400 ``VALIDATION_FAILED`` with every field error at once, each
``{"code", "message", "path"}`` (e.g. ``compatibilities[0].maxBuildNumber``), for:
``buildNumber`` not a positive integer; ``versionNumber`` not a non-empty string;
``supportedPaymentModel`` missing or not a non-empty string; ``compatibilities`` missing
or empty on server/datacenter, an entry without ``parentSoftwareId`` or with
``minBuildNumber``/``maxBuildNumber`` not integers >= 0 or min > max;
``frameworkDetails.frameworkId`` missing (``plugin`` required on server/datacenter);
``frameworkDetails.attributes.artifactId`` missing, unknown to the sandbox, still being
processed, or (sandbox rule) an artifact whose ``details.key`` is not the app key or,
on server/datacenter, whose ``details.version`` is not ``versionNumber``; ``supported``
/ ``beta`` not booleans; ``licenseType``/``changelog`` not objects. Then duplicates:
an existing ``buildNumber`` or ``versionNumber`` on the same app software gives 409
``DUPLICATE_VERSION`` with errors on the path(s) concerned. Success: 201 with the
version and ``Location`` (its ``_links.self.href``). Unknown top-level fields are
ignored and not stored.

Publishing a listing: body ``{"state": "public"|"private", "screenshots": [{"imageId",
"caption"}], "highlights": [...], "heroImage": {...}, ...}``. Every ``imageId`` (and
every key ending in ``ImageId``) anywhere in the body must name an image uploaded to
the sandbox (400 ``VALIDATION_FAILED`` otherwise, path e.g. ``screenshots[1].imageId``).
Unknown build number: 404. Answers 200 ``{"state", "approvalStatus", "revision"}``:
``revision`` is 1 on the first publish and goes up by one on each repeat; a
``revision`` in the request is accepted and ignored (its meaning is not known);
``approvalStatus`` is ``approved`` for a public listing (``submitted`` when the app
was seeded with ``"approval": "manual"``) and ``not-required`` for a private one.

Admin (no auth, loopback only): ``POST /_sandbox/apps`` registers apps (see
:meth:`AppSoftwareApi._admin_apps`); ``GET /_sandbox/apps`` lists them;
``GET /_sandbox/state`` shows them under ``apps``; ``POST /_sandbox/reset`` forgets
them (the ``--app`` ones are registered again, with new IDs). Everything is kept in
``<data dir>/app-software.json`` and reloaded on the next start.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from .app import Call, error_response, json_response
from .store import new_id

if TYPE_CHECKING:
    from .app import SandboxApp

#: Hostings, in the order the app-software list reports them.
HOSTINGS = ("cloud", "server", "datacenter")
#: Hostings whose versions are P2/P1 plugins built from a JAR/OBR.
PLUGIN_HOSTINGS = frozenset({"server", "datacenter"})
#: Hosting given to ``--app KEY`` without a list.
DEFAULT_HOSTINGS = ("datacenter",)
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
MAX_BUILD_NUMBER = 2**63 - 1
APPROVAL_MODES = ("auto", "manual")
#: The file under the data dir that keeps apps and versions.
STATE_FILE = "app-software.json"
MAX_VERSION_NUMBER_CHARS = 255

_APP_KEY = re.compile(r"^[^\s/:?#%]{1,255}$")


class AppSpecError(ValueError):
    """An ``--app`` option or an admin seed is invalid; ``str()`` says why."""


def parse_app_option(text: str) -> tuple[str, tuple[str, ...]]:
    """``--app KEY[:hosting,...]`` as ``(app key, hostings)``; hostings default to
    :data:`DEFAULT_HOSTINGS`. Raises :class:`AppSpecError` for an empty or malformed
    key or an unknown hosting."""
    key, sep, rest = text.strip().partition(":")
    key = key.strip()
    if not _APP_KEY.match(key):
        raise AppSpecError(
            f"app key {key!r} is not valid: give e.g. com.example.hello[:datacenter,server]"
        )
    hostings = tuple(h.strip() for h in rest.split(",")) if sep else DEFAULT_HOSTINGS
    return key, _check_hostings(hostings, "hostings")


def _check_hostings(hostings: Iterable[Any], where: str) -> tuple[str, ...]:
    found: list[str] = []
    for hosting in hostings:
        if hosting not in HOSTINGS:
            raise AppSpecError(f"{where}: unknown hosting {hosting!r}; use {', '.join(HOSTINGS)}")
        if hosting not in found:
            found.append(hosting)
    if not found:
        raise AppSpecError(f"{where}: give at least one of {', '.join(HOSTINGS)}")
    return tuple(h for h in HOSTINGS if h in found)


# ----------------------------------------------------------------------------- catalog


@dataclass
class Software:
    """One app software (an app on one hosting) and its versions by build number.
    Each version is the stored JSON (without ``_links``)."""

    id: str
    app_key: str
    hosting: str
    name: str
    versions: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class AppEntry:
    """A registered app: ``software`` maps hosting to app software ID; ``approval``
    is ``auto`` or ``manual`` (what a public listing's ``approvalStatus`` becomes)."""

    key: str
    name: str
    approval: str = "auto"
    software: dict[str, str] = field(default_factory=dict)


class Conflict(Exception):
    """A version's build or version number exists already; ``errors`` per field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


class AppCatalog:
    """Apps, their app software and versions, kept in ``path`` (JSON, rewritten
    atomically on each change; None = memory only). Thread-safe."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._apps: dict[str, AppEntry] = {}
        self._software: dict[str, Software] = {}
        self._load()

    # -- apps --------------------------------------------------------------------------

    def register(
        self,
        key: str,
        hostings: Iterable[str],
        *,
        name: str | None = None,
        approval: str | None = None,
        versions: dict[str, list[dict[str, Any]]] | None = None,
    ) -> list[Software]:
        """Register app ``key`` on ``hostings`` (hostings it has already keep their
        IDs) and add seed ``versions`` (hosting -> stored version JSON) all or
        nothing. Returns the app's software. Raises :class:`Conflict` when a seed
        version's build or version number exists already (nothing is changed)."""
        with self._lock:
            entry = self._apps.get(key)
            new_entry = entry is None
            if entry is None:
                entry = AppEntry(key=key, name=name or key)
            for hosting, items in (versions or {}).items():
                existing = self._software.get(entry.software.get(hosting, ""))
                taken = dict(existing.versions) if existing else {}
                for index, item in enumerate(items):
                    errors = _duplicates(taken, item, f"versions.{hosting}[{index}].")
                    if errors:
                        raise Conflict(errors)
                    taken[item["buildNumber"]] = item
            if new_entry:
                self._apps[key] = entry
            if name:
                entry.name = name
            if approval:
                entry.approval = approval
            for hosting in hostings:
                if hosting not in entry.software:
                    software = Software(new_id(), key, hosting, entry.name)
                    self._software[software.id] = software
                    entry.software[hosting] = software.id
            for hosting, items in (versions or {}).items():
                software = self._software[entry.software[hosting]]
                for item in items:
                    software.versions[item["buildNumber"]] = item
            self._save()
            return self._software_of(entry)

    def app(self, key: str) -> AppEntry | None:
        """The registered app with that key, or None."""
        with self._lock:
            return self._apps.get(key)

    def software_for_key(self, key: str) -> list[Software] | None:
        """The app software of app ``key`` (hosting order), or None when unknown."""
        with self._lock:
            entry = self._apps.get(key)
            return None if entry is None else self._software_of(entry)

    def software(self, software_id: str) -> Software | None:
        """The app software with that ID, or None."""
        with self._lock:
            return self._software.get(software_id)

    # -- versions ----------------------------------------------------------------------

    def add_version(self, software_id: str, version: dict[str, Any]) -> None:
        """Store ``version`` (JSON, ``buildNumber`` int) unless its build or version
        number exists on that software: then raise :class:`Conflict`. KeyError for
        an unknown software ID."""
        with self._lock:
            software = self._software[software_id]
            errors = _duplicates(software.versions, version, "")
            if errors:
                raise Conflict(errors)
            software.versions[version["buildNumber"]] = version
            self._save()

    def version(self, software_id: str, build_number: int) -> dict[str, Any] | None:
        """A copy of the stored version, or None."""
        with self._lock:
            software = self._software.get(software_id)
            found = software.versions.get(build_number) if software else None
            return json.loads(json.dumps(found)) if found is not None else None

    def page(
        self, software_id: str, limit: int, before: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` versions with ``buildNumber < before`` (all when None),
        highest build number first, and the ``before`` of the next page (None when
        this is the last)."""
        with self._lock:
            software = self._software[software_id]
            builds = sorted(
                (b for b in software.versions if before is None or b < before), reverse=True
            )
            chosen = builds[:limit]
            items = [json.loads(json.dumps(software.versions[b])) for b in chosen]
            return items, (chosen[-1] if len(builds) > limit else None)

    def set_listing(
        self, software_id: str, build_number: int, listing: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Record ``listing`` on the version with ``revision`` = previous + 1 (1 at
        first); returns the stored listing, or None for an unknown version."""
        with self._lock:
            software = self._software.get(software_id)
            version = software.versions.get(build_number) if software else None
            if version is None:
                return None
            previous = version.get("listing")
            revision = (previous.get("revision", 0) if isinstance(previous, dict) else 0) + 1
            stored = {**listing, "revision": revision}
            version["listing"] = stored
            self._save()
            return dict(stored)

    # -- housekeeping ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every app and version."""
        with self._lock:
            self._apps.clear()
            self._software.clear()
            self._save()

    def snapshot(self) -> list[dict[str, Any]]:
        """Every app with its software and versions (stored JSON, newest first)."""
        with self._lock:
            copied: list[dict[str, Any]] = json.loads(json.dumps(self._snapshot()))
            return copied

    def _snapshot(self) -> list[dict[str, Any]]:
        return [
            {
                "appKey": entry.key,
                "name": entry.name,
                "approval": entry.approval,
                "software": [
                    {
                        "appSoftwareId": s.id,
                        "hosting": s.hosting,
                        "versions": [s.versions[b] for b in sorted(s.versions, reverse=True)],
                    }
                    for s in self._software_of(entry)
                ],
            }
            for entry in self._apps.values()
        ]

    def _software_of(self, entry: AppEntry) -> list[Software]:
        return [self._software[entry.software[h]] for h in HOSTINGS if h in entry.software]

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"format": 1, "apps": self._snapshot()}), encoding="utf-8")
        tmp.replace(self.path)

    def _load(self) -> None:
        """Reload what an earlier run left (a malformed file or entry is skipped)."""
        if self.path is None or not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            apps = data["apps"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        for app in apps if isinstance(apps, list) else []:
            try:
                entry = AppEntry(
                    key=str(app["appKey"]),
                    name=str(app["name"]),
                    approval=str(app.get("approval", "auto")),
                )
                for item in app["software"]:
                    software = Software(
                        id=str(item["appSoftwareId"]),
                        app_key=entry.key,
                        hosting=str(item["hosting"]),
                        name=entry.name,
                        versions={int(v["buildNumber"]): dict(v) for v in item["versions"]},
                    )
                    if software.hosting in HOSTINGS:
                        self._software[software.id] = software
                        entry.software[software.hosting] = software.id
            except (KeyError, TypeError, ValueError):
                continue
            self._apps[entry.key] = entry


def _duplicates(
    taken: dict[int, dict[str, Any]], version: dict[str, Any], prefix: str
) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    build, number = version["buildNumber"], version["versionNumber"]
    if build in taken:
        errors.append(
            _error(
                "DUPLICATE_BUILD_NUMBER",
                f"build number {build} already exists (version "
                f"{taken[build].get('versionNumber')!r})",
                prefix + "buildNumber",
            )
        )
    same = [b for b, v in taken.items() if v.get("versionNumber") == number]
    if same:
        errors.append(
            _error(
                "DUPLICATE_VERSION_NUMBER",
                f"version {number!r} already exists (build number {same[0]})",
                prefix + "versionNumber",
            )
        )
    return errors


# ------------------------------------------------------------------------- validation


def _error(code: str, message: str, path: str) -> dict[str, str]:
    return {"code": code, "message": message, "path": path}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nonempty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_version_fields(body: Any, hosting: str, *, seed: bool = False) -> list[dict[str, str]]:
    """Field errors (``{"code", "message", "path"}``) of a version body for app
    software on ``hosting``, without the artifact checks. ``seed``: an admin seed,
    where only ``buildNumber`` and ``versionNumber`` are required."""
    if not isinstance(body, dict):
        return [_error("INVALID_BODY", "expected a JSON object (the version)", "")]
    errors: list[dict[str, str]] = []
    build = body.get("buildNumber")
    if build is None:
        errors.append(
            _error("REQUIRED", "buildNumber is required (a positive integer)", "buildNumber")
        )
    elif not _is_int(build) or not 0 < build <= MAX_BUILD_NUMBER:
        errors.append(
            _error(
                "INVALID", f"buildNumber must be a positive integer, got {build!r}", "buildNumber"
            )
        )
    number = body.get("versionNumber")
    if number is None:
        errors.append(_error("REQUIRED", "versionNumber is required (e.g. 1.4.2)", "versionNumber"))
    elif not _nonempty(number) or len(number) > MAX_VERSION_NUMBER_CHARS:
        errors.append(
            _error(
                "INVALID",
                f"versionNumber must be a non-empty string of at most "
                f"{MAX_VERSION_NUMBER_CHARS} characters, got {number!r}"[:300],
                "versionNumber",
            )
        )
    errors += _check_compatibilities(body.get("compatibilities"), hosting, required=not seed)
    model = body.get("supportedPaymentModel")
    if model is None and not seed:
        errors.append(
            _error(
                "REQUIRED",
                "supportedPaymentModel is required (e.g. free)",
                "supportedPaymentModel",
            )
        )
    elif model is not None and not _nonempty(model):
        errors.append(
            _error(
                "INVALID",
                "supportedPaymentModel must be a non-empty string",
                "supportedPaymentModel",
            )
        )
    for flag in ("supported", "beta"):
        if flag in body and not isinstance(body[flag], bool):
            errors.append(_error("INVALID", f"{flag} must be true or false", flag))
    license_type = body.get("licenseType")
    if license_type is not None and not (
        isinstance(license_type, dict) and _nonempty(license_type.get("id"))
    ):
        errors.append(_error("INVALID", 'licenseType must be {"id": "..."}', "licenseType.id"))
    for name in ("changelog",):
        if name in body and not isinstance(body[name], dict):
            errors.append(_error("INVALID", f"{name} must be an object", name))
    agreements = body.get("acceptedAgreements")
    if agreements is not None and not (
        isinstance(agreements, list)
        and all(isinstance(a, dict) and _nonempty(a.get("agreementUrl")) for a in agreements)
    ):
        errors.append(
            _error(
                "INVALID",
                'acceptedAgreements must be a list of {"agreementUrl": "https://..."}',
                "acceptedAgreements",
            )
        )
    if not seed:
        errors += _check_framework(body.get("frameworkDetails"), hosting)
    return errors


def _check_compatibilities(value: Any, hosting: str, *, required: bool) -> list[dict[str, str]]:
    path = "compatibilities"
    if value is None or value == []:
        if required and hosting in PLUGIN_HOSTINGS:
            return [
                _error(
                    "REQUIRED",
                    f"compatibilities is required for {hosting} versions: at least one "
                    "{parentSoftwareId, minBuildNumber, maxBuildNumber}",
                    path,
                )
            ]
        return []
    if not isinstance(value, list):
        return [_error("INVALID", "compatibilities must be a list", path)]
    errors: list[dict[str, str]] = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.append(_error("INVALID", "must be an object", where))
            continue
        if not _nonempty(item.get("parentSoftwareId")):
            errors.append(
                _error(
                    "REQUIRED",
                    "parentSoftwareId is required (e.g. jira, confluence)",
                    f"{where}.parentSoftwareId",
                )
            )
        bounds: dict[str, int] = {}
        for bound in ("minBuildNumber", "maxBuildNumber"):
            raw = item.get(bound)
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                errors.append(
                    _error(
                        "REQUIRED" if raw is None else "INVALID",
                        f"{bound} must be an integer >= 0, got {raw!r}",
                        f"{where}.{bound}",
                    )
                )
            else:
                bounds[bound] = raw
        if len(bounds) == 2 and bounds["minBuildNumber"] > bounds["maxBuildNumber"]:
            errors.append(
                _error(
                    "INVALID",
                    f"minBuildNumber {bounds['minBuildNumber']} is above maxBuildNumber "
                    f"{bounds['maxBuildNumber']}",
                    where,
                )
            )
    return errors


def _check_framework(value: Any, hosting: str) -> list[dict[str, str]]:
    path = "frameworkDetails"
    if not isinstance(value, dict):
        return [
            _error(
                "REQUIRED",
                'frameworkDetails is required: {"frameworkId": "plugin", "attributes": '
                '{"artifactId": "...", "pluginFrameworkType": "P2"}}',
                path,
            )
        ]
    errors: list[dict[str, str]] = []
    framework = value.get("frameworkId")
    if not _nonempty(framework):
        errors.append(_error("REQUIRED", "frameworkId is required", f"{path}.frameworkId"))
    elif hosting in PLUGIN_HOSTINGS and framework != "plugin":
        errors.append(
            _error(
                "INVALID",
                f'frameworkId must be "plugin" for {hosting} versions, got {framework!r}',
                f"{path}.frameworkId",
            )
        )
    attributes = value.get("attributes")
    if not isinstance(attributes, dict) or not _nonempty(attributes.get("artifactId")):
        errors.append(
            _error(
                "REQUIRED",
                "attributes.artifactId is required: the ID of an uploaded artifact",
                f"{path}.attributes.artifactId",
            )
        )
    elif attributes.get("pluginFrameworkType") not in (None, "P1", "P2"):
        errors.append(
            _error(
                "INVALID",
                "pluginFrameworkType must be P1 or P2",
                f"{path}.attributes.pluginFrameworkType",
            )
        )
    return errors


def image_refs(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``(path, value)`` in a JSON listing body whose key is ``imageId`` or
    ends in ``ImageId`` (paths like ``screenshots[0].imageId``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (key == "imageId" or key.endswith("ImageId")):
                yield where, item
            else:
                yield from image_refs(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from image_refs(item, f"{path}[{index}]")


# ------------------------------------------------------------------------------ HTTP


def _validation_failed(what: str, errors: list[dict[str, str]], status: int = 400) -> Response:
    code = "VALIDATION_FAILED" if status == 400 else "DUPLICATE_VERSION"
    count = len(errors)
    message = f"{what}: {count} field error{'s' if count != 1 else ''}"
    return json_response({"code": code, "message": message, "errors": errors}, status)


def _not_found(message: str) -> Response:
    return error_response(404, "NOT_FOUND", message)


def _encode_cursor(before: int) -> str:
    raw = json.dumps({"before": before}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["before"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return value if _is_int(value) and value > 0 else None


def _build(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 19 else None


class AppSoftwareApi:
    """The app software, versions and listing endpoints of ``app`` (registered with
    :meth:`~.app.SandboxApp.add_route`), with an :class:`AppCatalog` kept in the
    store's data dir. ``app.config.apps`` (``(key, hostings)`` pairs) are registered
    at start and again after a reset."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.catalog = AppCatalog(Path(app.store.data_dir) / STATE_FILE)
        self._register_configured()
        base = "/rest/3/app-software"
        routes = [
            (f"{base}/app-key/<app_key>", "app_software", self._by_key, "GET", "app-software"),
            (f"{base}/<software_id>/versions", "list_versions", self._list, "GET", "versions"),
            (
                f"{base}/<software_id>/versions",
                "create_version",
                self._create,
                "POST",
                "create-version",
            ),
            (
                f"{base}/<software_id>/versions/<build>",
                "get_version",
                self._get,
                "GET",
                "get-version",
            ),
            (
                f"{base}/<software_id>/versions/<build>/listing",
                "listing",
                self._listing,
                "POST",
                "listing",
            ),
        ]
        for path, endpoint, handler, method, fault in routes:
            app.add_route(path, endpoint, handler, methods=[method], fault=fault)
        app.add_route(
            "/_sandbox/apps", "admin_apps", self._admin_apps, methods=["GET", "POST"], api=False
        )
        app.add_state_section("apps", self.catalog.snapshot)
        app.add_reset_hook(self._reset)

    def _register_configured(self) -> None:
        for key, hostings in self.app.config.apps:
            self.catalog.register(key, hostings)

    def _reset(self) -> None:
        self.catalog.reset()
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
        """The API form of a stored version: the listing's summary and ``_links``."""
        data = {k: v for k, v in stored.items() if k != "listing"}
        listing = stored.get("listing")
        if isinstance(listing, dict):
            data["listing"] = {k: listing.get(k) for k in ("state", "approvalStatus", "revision")}
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

    def _by_key(self, call: Call) -> Response:
        key = call.args["app_key"]
        found = self.catalog.software_for_key(key)
        if found is None:
            return _not_found(
                f"no app with key {key!r} (sandbox: register it with --app {key} or "
                "POST /_sandbox/apps)"
            )
        return json_response([self.software_json(s) for s in found])

    def _software(self, call: Call) -> Software | Response:
        software = self.catalog.software(call.args["software_id"])
        if software is None:
            return _not_found(f"no app software with ID {call.args['software_id']!r}")
        return software

    def _list(self, call: Call) -> Response:
        software = self._software(call)
        if isinstance(software, Response):
            return software
        args = call.request.args
        errors: list[dict[str, str]] = []
        limit_text = args.get("limit", str(DEFAULT_PAGE_SIZE))
        limit = int(limit_text) if limit_text.isdigit() and len(limit_text) < 6 else 0
        if not 1 <= limit <= MAX_PAGE_SIZE:
            errors.append(
                _error("INVALID", f"limit must be 1..{MAX_PAGE_SIZE}, got {limit_text!r}", "limit")
            )
        cursor = args.get("cursor")
        before = _decode_cursor(cursor) if cursor is not None else None
        if cursor is not None and before is None:
            errors.append(_error("INVALID", "cursor is not one this server issued", "cursor"))
        if errors:
            return _validation_failed("cannot list versions", errors)
        items, next_before = self.catalog.page(software.id, limit, before)
        links: dict[str, str] = {}
        if next_before is not None:
            links["next"] = (
                f"/rest/3/app-software/{quote(software.id)}/versions?limit={limit}"
                f"&cursor={_encode_cursor(next_before)}"
            )
        return json_response(
            {"versions": [self.version_json(software.id, v) for v in items], "links": links}
        )

    def _get(self, call: Call) -> Response:
        software = self._software(call)
        if isinstance(software, Response):
            return software
        build = _build(call.args["build"])
        stored = self.catalog.version(software.id, build) if build is not None else None
        if stored is None:
            return _not_found(
                f"app software {software.id!r} has no version with build number "
                f"{call.args['build']!r}"
            )
        return json_response(self.version_json(software.id, stored))

    def _create(self, call: Call) -> Response:
        software = self._software(call)
        if isinstance(software, Response):
            return software
        body = self.app._read_json(call.request)
        if isinstance(body, Response):
            return body
        errors = check_version_fields(body, software.hosting)
        if isinstance(body, dict):
            errors += self._check_artifact(body, software)
        if errors:
            return _validation_failed("version not created", errors)
        version = self._stored_version(body)
        try:
            self.catalog.add_version(software.id, version)
        except Conflict as exc:
            return _validation_failed("version not created", exc.errors, status=409)
        data = self.version_json(software.id, version)
        return json_response(data, 201, {"Location": data["_links"]["self"]["href"]})

    def _check_artifact(self, body: dict[str, Any], software: Software) -> list[dict[str, str]]:
        framework = body.get("frameworkDetails")
        attributes = framework.get("attributes") if isinstance(framework, dict) else None
        artifact_id = attributes.get("artifactId") if isinstance(attributes, dict) else None
        if not isinstance(artifact_id, str) or not artifact_id.strip():
            return []  # reported by check_version_fields
        path = "frameworkDetails.attributes.artifactId"
        record = self.app.store.get_artifact(artifact_id)
        if record is None:
            return [_error("UNKNOWN_ARTIFACT", f"no artifact with ID {artifact_id!r}", path)]
        if self.app.clock.monotonic() < record.ready_at:
            return [
                _error(
                    "ARTIFACT_NOT_PROCESSED",
                    f"artifact {artifact_id!r} is still being processed; retry later",
                    path,
                )
            ]
        errors: list[dict[str, str]] = []
        key = record.details.get("key")
        if key != software.app_key:
            errors.append(
                _error(
                    "ARTIFACT_MISMATCH",
                    f"artifact {artifact_id!r} is app {key!r}, not {software.app_key!r}",
                    path,
                )
            )
        found_version = record.details.get("version")
        if software.hosting in PLUGIN_HOSTINGS and found_version != body.get("versionNumber"):
            errors.append(
                _error(
                    "ARTIFACT_MISMATCH",
                    f"artifact {artifact_id!r} is version {found_version!r}, but "
                    f"versionNumber is {body.get('versionNumber')!r}",
                    path,
                )
            )
        return errors

    def _stored_version(self, body: dict[str, Any], *, seed: bool = False) -> dict[str, Any]:
        version: dict[str, Any] = {
            "buildNumber": body["buildNumber"],
            "versionNumber": body["versionNumber"],
            "state": body.get("state", "active") if seed else "active",
            "compatibilities": body.get("compatibilities") or [],
            "supported": body.get("supported", True),
            "beta": body.get("beta", False),
        }
        for name in (
            "supportedPaymentModel",
            "licenseType",
            "frameworkDetails",
            "changelog",
            "acceptedAgreements",
        ):
            if body.get(name) is not None:
                version[name] = body[name]
        if seed:
            for name, value in body.items():  # a seed keeps whatever the test gave
                version.setdefault(name, value)
            version.pop("_links", None)
        else:
            version["createdAt"] = datetime.fromtimestamp(self.app.clock.wall(), tz=UTC).isoformat()
        return version

    def _listing(self, call: Call) -> Response:
        software = self._software(call)
        if isinstance(software, Response):
            return software
        build = _build(call.args["build"])
        if build is None or self.catalog.version(software.id, build) is None:
            return _not_found(
                f"app software {software.id!r} has no version with build number "
                f"{call.args['build']!r}"
            )
        body = self.app._read_json(call.request)
        if isinstance(body, Response):
            return body
        errors = self._check_listing(body)
        if errors:
            return _validation_failed("listing not published", errors)
        state = body["state"]
        entry = self.catalog.app(software.app_key)
        manual = entry is not None and entry.approval == "manual"
        approval = "not-required" if state == "private" else ("submitted" if manual else "approved")
        listing = {k: v for k, v in body.items() if k != "revision"}
        listing.update(state=state, approvalStatus=approval)
        stored = self.catalog.set_listing(software.id, build, listing)
        if stored is None:  # pragma: no cover - removed by a concurrent reset
            return _not_found(f"version {build} is gone")
        return json_response({k: stored[k] for k in ("state", "approvalStatus", "revision")})

    def _check_listing(self, body: Any) -> list[dict[str, str]]:
        if not isinstance(body, dict):
            return [_error("INVALID_BODY", 'expected a JSON object {"state": "public", ...}', "")]
        errors: list[dict[str, str]] = []
        if body.get("state") not in ("public", "private"):
            errors.append(
                _error(
                    "REQUIRED" if "state" not in body else "INVALID",
                    f'state must be "public" or "private", got {body.get("state")!r}',
                    "state",
                )
            )
        screenshots = body.get("screenshots")
        if screenshots is not None:
            if not isinstance(screenshots, list):
                errors.append(_error("INVALID", "screenshots must be a list", "screenshots"))
            else:
                for index, shot in enumerate(screenshots):
                    if not isinstance(shot, dict) or "imageId" not in shot:
                        errors.append(
                            _error(
                                "REQUIRED",
                                'each screenshot is {"imageId": "...", "caption": "..."}',
                                f"screenshots[{index}].imageId",
                            )
                        )
                    elif "caption" in shot and not isinstance(shot["caption"], str):
                        errors.append(
                            _error(
                                "INVALID",
                                "caption must be a string",
                                f"screenshots[{index}].caption",
                            )
                        )
        known = {image.id for image in self.app.store.images()}
        for path, value in image_refs(body):
            if not isinstance(value, str) or value not in known:
                errors.append(
                    _error(
                        "UNKNOWN_IMAGE",
                        f"no listing image with ID {value!r} (upload it with "
                        "POST /rest/3/assets/images/{imageType} first)",
                        path,
                    )
                )
        return errors

    # -- admin -------------------------------------------------------------------------

    def _admin_apps(self, call: Call) -> Response:
        """``GET /_sandbox/apps``: ``{"apps": [...]}`` as in the state. ``POST``: one
        seed object or a list of them, all or nothing::

            {"appKey": "com.example.hello",          # required
             "hostings": ["datacenter", "server"],   # default: the keys of versions,
                                                     # else ["datacenter"]
             "name": "Hello",                        # default: the app key
             "approval": "auto" | "manual",          # default auto
             "versions": {"datacenter": [{"buildNumber": 100, "versionNumber": "1.0.0",
                                          ...any version fields...}]}}

        Registering a known app adds missing hostings (existing IDs are kept) and the
        given versions. Answers 201 ``{"apps": [{"appKey", "software": [app software
        entries]}]}``; 400 ``VALIDATION_FAILED`` for a bad seed, 409
        ``DUPLICATE_VERSION`` when a version exists already."""
        if call.request.method == "GET":
            return json_response({"apps": self.catalog.snapshot()})
        body = self.app._read_json(call.request)
        if isinstance(body, Response):
            return body
        seeds = body if isinstance(body, list) else [body]
        parsed: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []
        errors: list[dict[str, str]] = []
        for index, seed in enumerate(seeds):
            where = f"[{index}]" if isinstance(body, list) else ""
            try:
                parsed.append(self._parse_seed(seed, where))
            except _SeedErrors as exc:
                errors += exc.errors
        if not seeds:
            errors.append(_error("INVALID", "give an app object or a non-empty list", ""))
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

    def _parse_seed(self, seed: Any, where: str) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        if not isinstance(seed, dict):
            raise _SeedErrors([_error("INVALID", "expected an app object", where)])
        unknown = sorted(set(seed) - {"appKey", "hostings", "name", "approval", "versions"})
        errors: list[dict[str, str]] = []
        if unknown:
            errors.append(_error("INVALID", f"unknown field(s) {', '.join(unknown)}", where))
        key = seed.get("appKey")
        if not isinstance(key, str) or not _APP_KEY.match(key):
            errors.append(_error("REQUIRED", "appKey must be an app key", f"{where}.appKey"))
        versions = seed.get("versions") or {}
        hostings_given = seed.get("hostings")
        if hostings_given is None:
            hostings_given = list(versions) if isinstance(versions, dict) and versions else None
        hostings: tuple[str, ...] = DEFAULT_HOSTINGS
        try:
            if hostings_given is not None:
                if not isinstance(hostings_given, list):
                    raise AppSpecError(f"{where}.hostings: must be a list")
                hostings = _check_hostings(hostings_given, f"{where}.hostings")
        except AppSpecError as exc:
            errors.append(_error("INVALID", str(exc), f"{where}.hostings"))
        name = seed.get("name")
        if name is not None and not _nonempty(name):
            errors.append(_error("INVALID", "name must be a non-empty string", f"{where}.name"))
        approval = seed.get("approval")
        if approval is not None and approval not in APPROVAL_MODES:
            errors.append(
                _error("INVALID", f"approval must be one of {APPROVAL_MODES}", f"{where}.approval")
            )
        stored: dict[str, list[dict[str, Any]]] = {}
        if not isinstance(versions, dict):
            errors.append(
                _error("INVALID", "versions must be {hosting: [...]}", f"{where}.versions")
            )
            versions = {}
        for hosting, items in versions.items():
            path = f"{where}.versions.{hosting}"
            if hosting not in hostings:
                errors.append(_error("INVALID", f"{hosting!r} is not in hostings", path))
                continue
            if not isinstance(items, list):
                errors.append(_error("INVALID", "must be a list of versions", path))
                continue
            for index, item in enumerate(items):
                for problem in check_version_fields(item, hosting, seed=True):
                    problem["path"] = f"{path}[{index}]" + (
                        f".{problem['path']}" if problem["path"] else ""
                    )
                    errors.append(problem)
            if not errors:
                stored[hosting] = [self._stored_version(i, seed=True) for i in items]
        if errors:
            raise _SeedErrors(errors)
        assert isinstance(key, str)
        return key, hostings, {"name": name, "approval": approval, "versions": stored}


class _SeedErrors(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} seed errors")
        self.errors = errors
