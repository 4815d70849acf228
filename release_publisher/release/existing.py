"""What Marketplace already has, parsed: the app software of each hosting
(``GET /rest/3/app-software/app-key/{appKey}``) and the existing versions (items of
``GET /rest/3/app-software/{appSoftwareId}/versions``; the client follows the pages).

Liberal in what it reads (unknown fields ignored, several container shapes), strict
where a wrong guess would be harmful: a version without a usable build or version
number, or two app software IDs for one hosting, is an :class:`ApiError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config.model import Compatibility
from ..errors import ApiError, ConfigError

HOSTINGS = ("cloud", "server", "datacenter")
"""The hosting names used in the config and in plans."""

APP_SOFTWARE_ENDPOINT = "GET /rest/3/app-software/app-key/{appKey}"
VERSIONS_ENDPOINT = "GET /rest/3/app-software/{appSoftwareId}/versions"
VERSIONS_PAGE_LIMIT = 50
"""The largest ``limit`` the versions listing accepts (cursor pagination)."""

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
