"""Plan an app version: what Marketplace reports, the rules, and the exact request bodies.

Pure functions over plain data: no HTTP, no clock, no disk. The Marketplace client
fetches, the pipeline orchestrates::

    entries = parse_app_software(json_of("GET /rest/3/app-software/app-key/{appKey}"))
    software = select_app_software(entries, spec.hosting, app_key=cfg.app_key)
    versions = []                       # GET /rest/3/app-software/{id}/versions?limit=50
    while url:                          # and follow the next links
        page, url = parse_versions_page(json_of(url))
        versions += page
    plan = build_version_plan(spec, version_number=cfg.version, artifact_id=None,
                              versions=versions, notes=notes, app_software=software)
    print("\\n".join(render_plan(plan)))          # --dry-run stops here
    require_complete(plan)                        # ConfigError (exit 2) BEFORE any upload
    if require_no_conflicts(plan) is not None:    # VerificationError (exit 5) on a clash
        ...already published...
    ...uploads...
    plan = build_version_plan(..., artifact_id=uploaded_id, screenshots=[...])
    POST plan.versions_path with plan.body; POST plan.listing_path with plan.listing_body

What is known about these endpoints comes from one working script (Data Center, P2
plugin); which fields Marketplace requires is not documented. Decisions taken here
(see each function): the ``auto`` build number is 1 + the highest existing build
number; cloud versions get ``frameworkId: "connect"`` (UNVERIFIED); the payment model
is sent exactly as stated or as copied; the listing body carries only ``state`` and
``screenshots``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, NamedTuple

from ..config.model import Compatibility, VersionSpec
from ..errors import ApiError, ConfigError, Location, VerificationError

HOSTINGS = ("cloud", "server", "datacenter")
"""The hosting names used in the config and in plans."""

APP_SOFTWARE_ENDPOINT = "GET /rest/3/app-software/app-key/{appKey}"
VERSIONS_ENDPOINT = "GET /rest/3/app-software/{appSoftwareId}/versions"
VERSIONS_PAGE_LIMIT = 50
"""The largest ``limit`` the versions listing accepts (cursor pagination)."""

_ITEM_KEYS = ("items", "versions", "values", "_embedded")
_LIST_KEYS = ("versions", "items", "values", "appSoftware")


# ------------------------------------------------------------------- app software


def normalize_hosting(value: object) -> str | None:
    """``"cloud" | "server" | "datacenter"`` for a hosting name in any spelling Marketplace
    may use (``"DATA_CENTER"``, ``"dataCenter"``, ``"data-center"``, ``"Data Center"``,
    ``"CLOUD"``...); None for anything else (including non-strings)."""
    if not isinstance(value, str):
        return None
    squashed = re.sub(r"[^a-z0-9]", "", value.lower())
    return squashed if squashed in HOSTINGS else None


@dataclass(frozen=True)
class AppSoftware:
    """One entry of ``GET /rest/3/app-software/app-key/{appKey}``: the app software of one
    hosting. ``id`` is ``appSoftwareId`` as a string (opaque); ``hosting`` the normalized
    hosting (None when Marketplace reports one this tool does not know); ``app_key``
    the entry's ``appKey`` if present; ``raw`` the entry as received."""

    id: str
    hosting: str | None
    app_key: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _opaque_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _items(body: Any, endpoint: str, keys: Iterable[str]) -> list[Any]:
    """The list of items in ``body``: the body itself when it is a list, else the first
    list found under one of ``keys`` (``_embedded`` may itself be a list or a mapping
    holding one). Raises :class:`ApiError` for any other shape."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping):
        for key in keys:
            value = body.get(key)
            if isinstance(value, list):
                return value
            if isinstance(value, Mapping):
                for inner in _LIST_KEYS:
                    if isinstance(value.get(inner), list):
                        return list(value[inner])
    shape = type(body).__name__ if not isinstance(body, Mapping) else f"keys {sorted(body)[:8]}"
    raise ApiError(
        f"Marketplace answered {endpoint} with an unexpected shape ({shape})",
        hint="expected a JSON list, or an object holding one under items, versions, values "
        "or _embedded; run with -v and report the response",
        endpoint=endpoint,
    )


def parse_app_software(body: Any) -> list[AppSoftware]:
    """Parse the answer of ``GET /rest/3/app-software/app-key/{appKey}``.

    Accepted shapes: a JSON list of entries, or an object holding the list under
    ``items``, ``values``, ``appSoftware`` or ``_embedded`` (itself a list or an object
    holding one). Each entry needs ``appSoftwareId`` (or ``id``), a string or integer;
    entries without one, and non-object entries, are skipped. ``hosting`` is normalized
    with :func:`normalize_hosting`. Unknown fields are ignored (kept in ``raw``).

    Raises :class:`ApiError` when ``body`` has none of these shapes.
    """
    entries = _items(body, APP_SOFTWARE_ENDPOINT, ("items", "values", "appSoftware", "_embedded"))
    result: list[AppSoftware] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        ident = _opaque_id(entry.get("appSoftwareId", entry.get("id")))
        if ident is None:
            continue
        key = entry.get("appKey")
        result.append(
            AppSoftware(
                id=ident,
                hosting=normalize_hosting(entry.get("hosting")),
                app_key=key if isinstance(key, str) else None,
                raw=dict(entry),
            )
        )
    return result


def select_app_software(
    entries: Sequence[AppSoftware], hosting: str, *, app_key: str
) -> AppSoftware:
    """The app software of ``hosting`` (``"cloud" | "server" | "datacenter"``).

    Raises :class:`ConfigError` (exit 2) when the app key has no app software of that
    hosting (the message lists the hostings it has; the fix is ``release.hosting`` or
    ``app.key``), and :class:`ApiError` when Marketplace lists two different app
    software IDs for the same hosting (ambiguous: surfaced, not guessed).
    """
    wanted = normalize_hosting(hosting)
    found = [e for e in entries if e.hosting is not None and e.hosting == wanted]
    if not found:
        have = sorted({e.hosting or str(e.raw.get("hosting")) for e in entries})
        if not entries:
            message = f"Marketplace lists no app software for the app key {app_key!r}"
            hint = "check app.key, and that the account's API token can see this app"
        else:
            message = (
                f"the app key {app_key!r} has no {hosting} app software on Marketplace "
                f"(it has: {', '.join(have)})"
            )
            hint = f"set release.hosting to one of: {', '.join(have)}"
        raise ConfigError(message, hint=hint)
    ids = list(dict.fromkeys(e.id for e in found))
    if len(ids) > 1:
        raise ApiError(
            f"Marketplace lists {len(ids)} {hosting} app software entries for {app_key!r} "
            f"(IDs {', '.join(ids)}); cannot tell which one gets the version",
            hint="report this answer; release-publisher does not guess between them",
            endpoint=APP_SOFTWARE_ENDPOINT,
        )
    return found[0]


# ----------------------------------------------------------------------- versions


@dataclass(frozen=True)
class ExistingVersion:
    """A version Marketplace already has (an item of
    ``GET /rest/3/app-software/{appSoftwareId}/versions``).

    ``build_number`` is ``buildNumber``; ``version_number`` ``versionNumber``;
    ``compatibilities`` the readable ``compatibilities[{parentSoftwareId, minBuildNumber,
    maxBuildNumber}]`` entries (unreadable ones are left out: compare with
    ``raw["compatibilities"]``, see :attr:`unreadable_compatibilities`);
    ``payment_model`` ``supportedPaymentModel``; ``license_type`` ``licenseType.id``;
    ``artifact_id`` ``frameworkDetails.attributes.artifactId``; ``state`` ``state``.
    Missing optional fields are None; ``raw`` is the item as received.
    """

    build_number: int
    version_number: str
    compatibilities: list[Compatibility] = field(default_factory=list)
    payment_model: str | None = None
    license_type: str | None = None
    artifact_id: str | None = None
    state: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        """``"1.4.1 (build 100)"``, for messages."""
        return f"{self.version_number} (build {self.build_number})"

    @property
    def unreadable_compatibilities(self) -> int:
        """How many entries of ``raw["compatibilities"]`` could not be read (0 normally)."""
        raw = self.raw.get("compatibilities")
        total = len(raw) if isinstance(raw, list) else 0
        return max(0, total - len(self.compatibilities))


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,19}", value.strip()):
        return int(value.strip())
    return None


def _compatibility(entry: object) -> Compatibility | None:
    if not isinstance(entry, Mapping):
        return None
    product = entry.get("parentSoftwareId")
    low = _whole_number(entry.get("minBuildNumber"))
    high = _whole_number(entry.get("maxBuildNumber"))
    if not isinstance(product, str) or not product or low is None or high is None:
        return None
    return Compatibility(parent_software_id=product, min_build=low, max_build=high)


def parse_version(item: Any) -> ExistingVersion:
    """Parse one version item (liberal: unknown fields ignored, missing optional ones None).

    ``buildNumber`` may be an integer or a string of digits; ``versionNumber`` a string
    (a number is taken as its text); ``licenseType`` an object ``{id}`` or a plain
    string/integer ID. Raises :class:`ApiError` when the item is not an object or has no
    usable ``buildNumber`` or ``versionNumber``: without them no build number can be
    chosen safely.
    """
    if not isinstance(item, Mapping):
        raise ApiError(
            f"Marketplace listed a version that is not a JSON object: {str(item)[:80]!r}",
            hint="run with -v and report the response",
            endpoint=VERSIONS_ENDPOINT,
        )
    build = _whole_number(item.get("buildNumber"))
    number = item.get("versionNumber")
    if isinstance(number, int | float) and not isinstance(number, bool):
        number = str(number)
    if build is None or not isinstance(number, str) or not number:
        raise ApiError(
            "Marketplace listed a version without a usable buildNumber/versionNumber "
            f"(buildNumber={item.get('buildNumber')!r}, "
            f"versionNumber={item.get('versionNumber')!r})",
            hint="release-publisher cannot choose a build number safely; run with -v and "
            "report the response",
            endpoint=VERSIONS_ENDPOINT,
        )
    raw_compat = item.get("compatibilities")
    compat = [
        c
        for c in (_compatibility(e) for e in (raw_compat if isinstance(raw_compat, list) else []))
        if c is not None
    ]
    license_raw = item.get("licenseType")
    license_id = license_raw.get("id") if isinstance(license_raw, Mapping) else license_raw
    framework = item.get("frameworkDetails")
    attributes = framework.get("attributes") if isinstance(framework, Mapping) else None
    artifact = attributes.get("artifactId") if isinstance(attributes, Mapping) else None
    payment = item.get("supportedPaymentModel")
    state = item.get("state")
    return ExistingVersion(
        build_number=build,
        version_number=number,
        compatibilities=compat,
        payment_model=payment if isinstance(payment, str) and payment else None,
        license_type=_opaque_id(license_id),
        artifact_id=_opaque_id(artifact),
        state=state if isinstance(state, str) and state else None,
        raw=dict(item),
    )


def _next_link(body: Mapping[str, Any]) -> str | None:
    for key in ("links", "_links"):
        links = body.get(key)
        candidate: object = None
        if isinstance(links, Mapping):
            candidate = links.get("next")
            if isinstance(candidate, Mapping):
                candidate = candidate.get("href")
        elif isinstance(links, list):
            candidate = next(
                (
                    link.get("href")
                    for link in links
                    if isinstance(link, Mapping) and link.get("rel") == "next"
                ),
                None,
            )
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None


def parse_versions_page(body: Any) -> tuple[list[ExistingVersion], str | None]:
    """Parse one page of ``GET /rest/3/app-software/{appSoftwareId}/versions``.

    Returns the versions on the page and the next page's URL (None on the last page).

    Accepted item containers: the body itself when it is a JSON list (then there is no
    next page), or an object with the list under ``items``, ``versions``, ``values`` or
    ``_embedded`` (a list, or an object holding ``versions``/``items``/``values``).
    Accepted next links: ``links.next`` (a string or ``{"href": ...}``), ``_links.next``
    (``{"href": ...}`` or a string) and ``links``/``_links`` as a list of
    ``{"rel": "next", "href": ...}``. The URL is returned as given (it may be relative:
    the client resolves it against the base URL and must stop if it repeats).

    Raises :class:`ApiError` for any other shape and for an item :func:`parse_version`
    refuses.
    """
    items = _items(body, VERSIONS_ENDPOINT, _ITEM_KEYS)
    versions = [parse_version(item) for item in items]
    return versions, _next_link(body) if isinstance(body, Mapping) else None


# -------------------------------------------------------------------------- rules


def major_line(version: str) -> str | None:
    """The major line of a version number: its first numeric component without leading
    zeros (``"2.0.1"`` -> ``"2"``, ``"10"`` -> ``"10"``, ``"02.1"`` -> ``"2"``,
    ``"2-beta"`` -> ``"2"``). None when the version does not start with digits followed
    by the end or a non-alphanumeric separator (``"v2.0"``, ``"2a.1"``, ``"beta"``)."""
    match = re.match(r"([0-9]+)(?:$|[^0-9A-Za-z])", version)
    return str(int(match.group(1))) if match else None


def choose_previous(
    versions: Iterable[ExistingVersion], version_number: str
) -> ExistingVersion | None:
    """The version to copy from: the one with the highest build number among the versions
    of the same major line as ``version_number``, leaving out any version with exactly
    ``version_number``. None when ``version_number`` has no major line or the line has no
    other version (the first release of a new major line)."""
    line = major_line(version_number)
    if line is None:
        return None
    same = [
        v
        for v in versions
        if v.version_number != version_number and major_line(v.version_number) == line
    ]
    return max(same, key=lambda v: v.build_number, default=None)


@dataclass(frozen=True)
class Conflict:
    """An existing version that clashes with the one to create: same version number,
    same build number, or both."""

    existing: ExistingVersion
    same_version_number: bool
    same_build_number: bool


def find_conflicts(
    versions: Iterable[ExistingVersion], version_number: str, build_number: int | None
) -> list[Conflict]:
    """The existing versions with the same version number (exact string equality) or the
    same build number (skipped when ``build_number`` is None), in the given order."""
    result: list[Conflict] = []
    for v in versions:
        same_version = v.version_number == version_number
        same_build = build_number is not None and v.build_number == build_number
        if same_version or same_build:
            result.append(Conflict(v, same_version, same_build))
    return result


def is_same_release(
    existing: ExistingVersion,
    *,
    version_number: str,
    build_number: int | None,
    artifact_id: str | None,
) -> bool:
    """True when ``existing`` is exactly this release, already published: the same
    version number and either the same artifact ID (both known; e.g. a resumed run) or
    the same build number (when it was stated, not ``auto``: pass None for ``auto``).
    A re-run that uploaded a new artifact with an ``auto`` build number is not
    recognised here; the caller may compare checksums through the existing version's
    ``artifact_id``."""
    if existing.version_number != version_number:
        return False
    if artifact_id is not None and existing.artifact_id == artifact_id:
        return True
    return build_number is not None and existing.build_number == build_number


def next_build_number(versions: Iterable[ExistingVersion], spec: VersionSpec) -> int:
    """The build number of the version to create.

    An integer ``spec.build_number`` is used as given (clashes are reported by
    :func:`find_conflicts`). ``"auto"``: 1 + the highest build number of any existing
    version of this app software (every major line); 1 for the first version. It never
    collides with a listed version and keeps build numbers increasing with release
    order. Raises ValueError for any other string (the config loader never makes one).
    """
    if isinstance(spec.build_number, int) and not isinstance(spec.build_number, bool):
        return spec.build_number
    if spec.build_number != "auto":
        raise ValueError(f"build number must be an integer or 'auto': {spec.build_number!r}")
    return 1 + max((v.build_number for v in versions), default=0)


# ----------------------------------------------------------------------- the plan


class FieldSource(NamedTuple):
    """Where one body field's value came from: ``field`` is the JSON field name
    (``"compatibilities"``), ``value`` what is sent (None: not sent), ``source`` e.g.
    ``"config"``, ``"copied from 1.4.1 (build 100)"``, ``"default"``."""

    field: str
    value: Any
    source: str


class Screenshot(NamedTuple):
    """A listing screenshot: ``file`` the uploaded file's name or path (its stem is the
    caption), ``image_id`` the uploaded image's ID (None before the upload: a
    placeholder is shown)."""

    file: str
    image_id: str | None


@dataclass(frozen=True)
class VersionPlan:
    """Everything needed to create the version and publish its listing, and why.

    ``body`` is the exact JSON body of ``POST /rest/3/app-software/{appSoftwareId}/versions``
    and ``listing_body`` that of ``POST .../versions/{buildNumber}/listing`` (None: no
    ``release.listing``). ``has_placeholders`` is True while the artifact ID or a
    screenshot image ID is a ``<...>`` placeholder (a dry run before the uploads): such a
    plan is for printing only. ``previous`` is the latest version of the same major line
    (None: none); ``copied_from`` is ``previous`` when at least one value was copied from
    it. ``sources`` explains every field; ``missing`` says what has to be stated before
    anything is uploaded (``missing_fields`` the config fields, e.g.
    ``"release.compatibility"``); ``conflicts`` the existing versions with the same
    version or build number.
    """

    hosting: str
    version_number: str
    build_number: int
    body: dict[str, Any]
    listing_body: dict[str, Any] | None
    previous: ExistingVersion | None
    copied_from: ExistingVersion | None
    sources: list[FieldSource]
    missing: list[str]
    missing_fields: list[str]
    conflicts: list[Conflict]
    has_placeholders: bool
    app_software: AppSoftware | None = None
    #: True when ``build_number`` was computed (``auto``), False when stated in the config
    auto_build_number: bool = True

    @property
    def complete(self) -> bool:
        """True when nothing is missing."""
        return not self.missing

    @property
    def versions_path(self) -> str:
        """``/rest/3/app-software/{appSoftwareId}/versions`` (a placeholder ID when the
        app software is not resolved)."""
        ident = self.app_software.id if self.app_software else "<appSoftwareId>"
        return f"/rest/3/app-software/{ident}/versions"

    @property
    def listing_path(self) -> str:
        """``/rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``."""
        return f"{self.versions_path}/{self.build_number}/listing"


def _framework(hosting: str, artifact: str) -> tuple[dict[str, Any], str]:
    if hosting == "cloud":
        return (
            {"frameworkId": "connect", "attributes": {"artifactId": artifact}},
            "default for cloud: Connect descriptor (UNVERIFIED: no known working body)",
        )
    return (
        {
            "frameworkId": "plugin",
            "attributes": {"artifactId": artifact, "pluginFrameworkType": "P2"},
        },
        f"default for {hosting}: P2 plugin (as in a body known to work)",
    )


def _compat_json(items: Iterable[Compatibility]) -> list[dict[str, Any]]:
    return [
        {
            "parentSoftwareId": c.parent_software_id,
            "minBuildNumber": c.min_build,
            "maxBuildNumber": c.max_build,
        }
        for c in items
    ]


def _nothing_to_copy(
    what: str,
    spec: VersionSpec,
    version_number: str,
    previous: ExistingVersion | None,
    has: bool,
    unreadable: bool = False,
) -> str | None:
    """Why ``what`` cannot be copied, or None when it can."""
    if not spec.copy_from_previous:
        return "release.copy-from-previous is false and nothing is stated"
    line = major_line(version_number)
    if line is None:
        return (
            f"version {version_number!r} does not start with a number, so it has no major "
            "line to copy from"
        )
    if previous is None:
        return f"first release of major line {line} has no previous version to copy from"
    if unreadable:
        return f"the previous version {previous.label} has {what} entries this tool cannot read"
    if not has:
        return f"the previous version {previous.label} has no {what} to copy"
    return None


def build_listing_body(state: str, screenshots: Sequence[Screenshot] | None) -> dict[str, Any]:
    """The body of ``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``:
    ``{"state": "public"|"private", "screenshots": [{"imageId", "caption"}]}``, the
    caption being the file name without extension, in the given (upload) order.
    ``screenshots`` None or empty: no ``screenshots`` key. Nothing else is sent
    (``revision``, ``highlights``, ``heroImage`` are left to Marketplace's defaults).
    A missing image ID becomes the placeholder ``"<image ID of NAME after upload>"``."""
    body: dict[str, Any] = {"state": state}
    if screenshots:
        body["screenshots"] = [
            {
                "imageId": s.image_id
                if s.image_id is not None
                else f"<image ID of {PurePath(s.file).name} after upload>",
                "caption": PurePath(s.file).stem,
            }
            for s in screenshots
        ]
    return body


def build_version_plan(
    spec: VersionSpec,
    *,
    version_number: str,
    artifact_id: str | None,
    versions: Sequence[ExistingVersion],
    notes: str | None,
    app_software: AppSoftware | None = None,
    screenshots: Sequence[Screenshot] | None = None,
) -> VersionPlan:
    """Plan the version ``version_number`` of ``spec.hosting``'s app software.

    ``artifact_id`` is the uploaded artifact's ID (None before the upload: the body then
    holds ``"<artifact ID of 'NAME' after upload>"``); ``versions`` every existing
    version (all pages); ``notes`` the release notes text already resolved (see
    :func:`~release_publisher.versions.changelog.notes_from_config`; None: none);
    ``screenshots`` the images of ``release.listing.screenshots`` in upload order.

    Each field of the body, in order: ``buildNumber`` (:func:`next_build_number`),
    ``versionNumber``, ``compatibilities``, ``supportedPaymentModel`` and ``licenseType``
    (config, else copied from :func:`choose_previous` when ``copy_from_previous``, else
    missing -- ``licenseType`` is optional and just left out), ``frameworkDetails``
    (``plugin``/P2 for server and datacenter; ``connect`` for cloud, UNVERIFIED),
    ``supported``, ``beta``, ``acceptedAgreements`` (left out when none),
    ``changelog`` ``{releaseSummary, releaseNotes}`` (each left out when None; the whole
    object when both are). Pure and deterministic: call it again with the IDs after the
    uploads.
    """
    build = next_build_number(versions, spec)
    previous = choose_previous(versions, version_number)
    copy_source = previous if spec.copy_from_previous else None
    copied_label = f"copied from {previous.label}" if previous else ""
    sources: list[FieldSource] = []
    missing: list[str] = []
    missing_fields: list[str] = []
    copied = False

    def stated(key: str) -> str:
        return "config" if key in spec.stated else "default"

    body: dict[str, Any] = {"buildNumber": build, "versionNumber": version_number}
    if spec.build_number == "auto":
        highest = max((v.build_number for v in versions), default=None)
        why = (
            f"auto: 1 + the highest existing build number ({highest})"
            if highest is not None
            else "auto: 1, the first version of this app software"
        )
    else:
        why = "config"
    sources.append(FieldSource("buildNumber", build, why))
    sources.append(FieldSource("versionNumber", version_number, "the release version"))

    # compatibilities
    if spec.compatibility is not None:
        body["compatibilities"] = _compat_json(spec.compatibility)
        sources.append(FieldSource("compatibilities", body["compatibilities"], "config"))
    else:
        reason = _nothing_to_copy(
            "compatibility",
            spec,
            version_number,
            copy_source,
            bool(copy_source and copy_source.compatibilities),
            bool(copy_source and copy_source.unreadable_compatibilities),
        )
        if reason is None and copy_source is not None:
            body["compatibilities"] = _compat_json(copy_source.compatibilities)
            sources.append(FieldSource("compatibilities", body["compatibilities"], copied_label))
            copied = True
        else:
            missing.append(f"compatibility: {reason}; state release.compatibility")
            missing_fields.append("release.compatibility")
            sources.append(FieldSource("compatibilities", None, f"MISSING: {reason}"))

    # supportedPaymentModel
    if spec.payment_model is not None:
        body["supportedPaymentModel"] = spec.payment_model
        sources.append(FieldSource("supportedPaymentModel", spec.payment_model, "config"))
    else:
        reason = _nothing_to_copy(
            "payment model",
            spec,
            version_number,
            copy_source,
            bool(copy_source and copy_source.payment_model),
        )
        if reason is None and copy_source is not None:
            body["supportedPaymentModel"] = copy_source.payment_model
            sources.append(
                FieldSource("supportedPaymentModel", copy_source.payment_model, copied_label)
            )
            copied = True
        else:
            missing.append(f"payment model: {reason}; state release.payment-model")
            missing_fields.append("release.payment-model")
            sources.append(FieldSource("supportedPaymentModel", None, f"MISSING: {reason}"))

    # licenseType (optional)
    if spec.license_type is not None:
        body["licenseType"] = {"id": spec.license_type}
        sources.append(FieldSource("licenseType", body["licenseType"], "config"))
    elif copy_source is not None and copy_source.license_type is not None:
        body["licenseType"] = {"id": copy_source.license_type}
        sources.append(FieldSource("licenseType", body["licenseType"], copied_label))
        copied = True
    else:
        sources.append(FieldSource("licenseType", None, "not sent: not stated and nothing to copy"))

    artifact = (
        artifact_id
        if artifact_id is not None
        else f"<artifact ID of {spec.artifact!r} after upload>"
    )
    framework, framework_why = _framework(spec.hosting, artifact)
    body["frameworkDetails"] = framework
    sources.append(FieldSource("frameworkDetails", framework, framework_why))
    body["supported"] = spec.supported
    sources.append(FieldSource("supported", spec.supported, stated("supported")))
    body["beta"] = spec.beta
    sources.append(FieldSource("beta", spec.beta, stated("beta")))
    if spec.agreements:
        body["acceptedAgreements"] = [{"agreementUrl": url} for url in spec.agreements]
        sources.append(FieldSource("acceptedAgreements", body["acceptedAgreements"], "config"))
    else:
        sources.append(FieldSource("acceptedAgreements", None, "not sent: none stated"))
    changelog: dict[str, str] = {}
    if spec.summary is not None:
        changelog["releaseSummary"] = spec.summary
    if notes is not None:
        changelog["releaseNotes"] = notes
    if changelog:
        body["changelog"] = changelog
        origin = (
            f"config (summary; notes from {spec.notes_file}, section {version_number})"
            if spec.notes_file and notes is not None
            else "config"
        )
        sources.append(FieldSource("changelog", changelog, origin))
    else:
        sources.append(FieldSource("changelog", None, "not sent: no summary or notes stated"))

    listing_body = None
    shots: Sequence[Screenshot] = ()
    if spec.listing is not None:
        shots = screenshots or () if spec.listing.screenshots is not None else ()
        listing_body = build_listing_body(spec.listing.state, shots)
    placeholders = artifact_id is None or any(s.image_id is None for s in shots)
    return VersionPlan(
        hosting=spec.hosting,
        version_number=version_number,
        build_number=build,
        body=body,
        listing_body=listing_body,
        previous=previous,
        copied_from=copy_source if copied else None,
        sources=sources,
        missing=missing,
        missing_fields=missing_fields,
        conflicts=find_conflicts(versions, version_number, build),
        has_placeholders=placeholders,
        app_software=app_software,
        auto_build_number=spec.build_number == "auto",
    )


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 100 else text[:96] + " ..."


def render_plan(plan: VersionPlan) -> list[str]:
    """Human-readable lines for ``--dry-run``: the app software, the previous version and
    what was copied from it, every field with its source, what is missing, the clashing
    versions, then the exact JSON bodies (``json.dumps(indent=2)``) with their requests."""
    lines: list[str] = []
    sw = plan.app_software
    where = f"{sw.id} ({plan.hosting})" if sw else f"<resolved at run time> ({plan.hosting})"
    lines.append(f"App software: {where}")
    lines.append(f"Version: {plan.version_number}, build number {plan.build_number}")
    line = major_line(plan.version_number)
    if plan.previous is None:
        lines.append(
            f"Previous version of major line {line}: none"
            if line is not None
            else "Previous version: none (the version has no numeric major line)"
        )
    else:
        lines.append(f"Previous version of major line {line}: {plan.previous.label}")
    copied = [s.field for s in plan.sources if s.source.startswith("copied from")]
    if plan.copied_from is not None:
        lines.append(f"Copied from {plan.copied_from.label}: {', '.join(copied)}")
    lines.append("Fields:")
    for item in plan.sources:
        shown = "(not sent)" if item.value is None else _short(item.value)
        lines.append(f"  {item.field} = {shown}  [{item.source}]")
    if plan.missing:
        lines.append("Missing (nothing is uploaded until these are stated in the config):")
        lines.extend(f"  - {m}" for m in plan.missing)
    for c in plan.conflicts:
        same = " and ".join(
            w
            for w, flag in (
                ("version number", c.same_version_number),
                ("build number", c.same_build_number),
            )
            if flag
        )
        lines.append(
            f"Conflict: Marketplace already has {c.existing.label}"
            f"{', state ' + c.existing.state if c.existing.state else ''} (same {same})"
        )
    if plan.has_placeholders:
        lines.append("IDs in <...> are filled in after the uploads.")
    lines.append(f"Request: POST {plan.versions_path}")
    lines.extend(json.dumps(plan.body, indent=2, ensure_ascii=False).splitlines())
    if plan.listing_body is not None:
        lines.append(f"Request: POST {plan.listing_path}")
        lines.extend(json.dumps(plan.listing_body, indent=2, ensure_ascii=False).splitlines())
    else:
        lines.append("Listing: not published (no release.listing)")
    return lines


def require_complete(plan: VersionPlan, *, location: Location | None = None) -> None:
    """Refuse a plan with anything missing: call it BEFORE any upload.

    Raises :class:`ConfigError` (exit 2) listing what is missing, with a hint naming the
    config fields to state (e.g. ``release.compatibility``); ``location`` (e.g.
    ``config.where("release")``) is attached to the error.
    """
    if plan.complete:
        return
    examples = {
        "release.compatibility": 'compatibility: [{parent-software-id: "jira", min-build: '
        "900000, max-build: 1000000}]",
        "release.payment-model": "payment-model: free (or paid-via-atlassian, paid-via-vendor)",
    }
    shown = "; ".join(examples.get(f, f) for f in plan.missing_fields)
    raise ConfigError(
        f"cannot create version {plan.version_number}: " + "; ".join(plan.missing),
        hint=f"state {' and '.join(plan.missing_fields)} in the release: section, e.g. {shown}",
        location=location,
    )


def conflict_error(
    conflicts: Sequence[Conflict], *, version_number: str, build_number: int
) -> VerificationError:
    """The :class:`VerificationError` (exit 5) for clashing versions: it shows the version
    number and build number being created and every existing version that clashes."""
    clashes = ", ".join(
        f"{c.existing.label}{' ' + c.existing.state if c.existing.state else ''}" for c in conflicts
    )
    return VerificationError(
        f"version {version_number} (build number {build_number}) clashes with what "
        f"Marketplace already has: {clashes}",
        hint="release a new version number (app.version or --version); for a build-number "
        "clash set release.build-number to an unused number or to auto",
    )


def require_no_conflicts(
    plan: VersionPlan, *, artifact_id: str | None = None
) -> ExistingVersion | None:
    """Check the plan's conflicts before creating anything.

    Returns None when nothing clashes; returns the existing version when it is exactly
    this release (:func:`is_same_release`: report it as already published, create
    nothing). Raises :func:`conflict_error` (:class:`VerificationError`, exit 5)
    otherwise.
    """
    if not plan.conflicts:
        return None
    stated_build = None if plan.auto_build_number else plan.build_number
    for c in plan.conflicts:
        if is_same_release(
            c.existing,
            version_number=plan.version_number,
            build_number=stated_build,
            artifact_id=artifact_id,
        ):
            return c.existing
    raise conflict_error(
        plan.conflicts, version_number=plan.version_number, build_number=plan.build_number
    )
