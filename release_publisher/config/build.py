"""Building the typed config (:class:`ReleaseConfig` and its parts from
:mod:`.model`) from a validated :class:`Document`, and normalising the ``--version``
override (tag ``v1.4.2`` means version ``1.4.2``).

May import: :mod:`.model`, :mod:`.document`, :mod:`release_publisher.errors`. Assumes
the document passed :mod:`.validate`; knows nothing of YAML or jsonschema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..limits import MAX_NOTES_CHARS, MAX_SUMMARY_CHARS
from .document import Document
from .model import (
    DEFAULT_ARTIFACT_NAME,
    DEFAULT_BASE_URL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_POLL_TIMEOUT,
    DEFAULT_UPLOAD_SPACING,
    VERSION_OPTION,
    VERSION_OPTION_EXAMPLE,
    AppListingSpec,
    ArtifactSpec,
    Compatibility,
    ImageSpec,
    ListingSpec,
    ProductRange,
    ReleaseConfig,
    VersionSpec,
)


def normalise_version_override(version_override: str | None) -> str | None:
    """The ``--app-version`` (alias ``--version``) value as the version to release:
    ``v``/``V`` before a digit is dropped (tag ``v1.4.2`` -> ``1.4.2``); None stays None.
    Raises :class:`ConfigError` for an empty or blank value or one with surrounding
    whitespace or control characters; the messages name :data:`.model.VERSION_OPTION`."""
    if version_override is None:
        return None
    if version_override == "" or not version_override.strip():
        raise ConfigError(
            f"{VERSION_OPTION} is empty",
            hint=f"pass the version to release, e.g. {VERSION_OPTION_EXAMPLE}, or a tag such"
            " as v1.4.2",
        )
    if version_override != version_override.strip() or any(
        ord(c) < 32 or ord(c) == 127 for c in version_override
    ):
        raise ConfigError(
            f"{VERSION_OPTION} {version_override!r} has surrounding whitespace or control"
            " characters",
            hint=f"pass the version alone, e.g. {VERSION_OPTION_EXAMPLE}",
        )
    v = version_override
    if len(v) >= 2 and v[0] in "vV" and v[1] in "0123456789":
        return v[1:]
    return v


def to_config(doc: Document, path: Path, override: str | None) -> ReleaseConfig:
    """The :class:`ReleaseConfig` of the validated ``doc`` read from ``path``; ``override``
    (already normalised) replaces ``app.version``. Times are seconds (float), ``sha512``
    lowercased, a trailing ``/`` of the base URL dropped."""
    data = doc.data
    app = data["app"]
    artifacts = tuple(
        ArtifactSpec(
            name=entry.get("name", DEFAULT_ARTIFACT_NAME),
            file=entry.get("file"),
            url=entry.get("url"),
            sha512=entry["sha512"].lower() if "sha512" in entry else None,
            expect=dict(entry.get("expect", {})),
            location=doc.loc(f"artifacts[{i}]"),
            exclude=tuple(str(glob) for glob in entry.get("exclude", ())),
        )
        for i, entry in enumerate(data["artifacts"])
    )
    images = tuple(
        ImageSpec(
            type=entry["type"],
            file=entry["file"],
            location=doc.loc(f"images[{i}]"),
            on_size_mismatch=entry.get("on-size-mismatch", "fail"),
        )
        for i, entry in enumerate(data.get("images", []))
    )
    polling = data.get("polling", {})
    uploads = data.get("uploads", {})
    base_url = str(data.get("marketplace", {}).get("base-url", DEFAULT_BASE_URL))
    locations = dict(doc.value_locs)
    if override is not None:
        locations.pop("app.version", None)
    return ReleaseConfig(
        path=path,
        base_dir=path.resolve().parent,
        app_key=app["key"],
        version=override if override is not None else app["version"],
        artifacts=artifacts,
        images=images,
        base_url=base_url.rstrip("/") or base_url,
        poll_timeout=float(polling.get("timeout", DEFAULT_POLL_TIMEOUT)),
        poll_interval=float(polling.get("interval", DEFAULT_POLL_INTERVAL)),
        upload_spacing=float(uploads.get("spacing", DEFAULT_UPLOAD_SPACING)),
        version_source="--version" if override is not None else "config",
        release=_to_release(data.get("release")),
        locations=locations,
        app_listing=_to_app_listing(data.get("app-listing")),
    )


def _to_app_listing(data: dict[str, Any] | None) -> AppListingSpec | None:
    """The validated ``app-listing:`` section (None when absent)."""
    if data is None:
        return None
    return AppListingSpec(
        developer_id=str(data["developer-id"]),
        images=tuple((str(k), str(v)) for k, v in data["images"].items()),
    )


def _to_release(data: dict[str, Any] | None) -> VersionSpec | None:
    """The validated ``release:`` section as a :class:`VersionSpec` (None when absent)."""
    if data is None:
        return None
    notes: dict[str, Any] = data.get("notes", {})
    listing: dict[str, Any] | None = data.get("listing")
    max_length: dict[str, Any] = data.get("max-length", {})
    stated = set(data)
    stated.update(f"notes.{k}" for k in notes)
    stated.update(f"listing.{k}" for k in listing or {})
    build = data.get("build-number", "auto")
    compat = data.get("compatibility")
    return VersionSpec(
        artifact=data["artifact"],
        hosting=data["hosting"],
        build_number="auto" if build == "auto" else int(build),
        copy_from_previous=bool(data.get("copy-from-previous", True)),
        compatibility=None
        if compat is None
        else tuple(
            Compatibility(
                parent_software_id=e["parent-software-id"],
                min_build=int(e["min-build"]),
                max_build=int(e["max-build"]),
            )
            for e in compat
            if "product" not in e
        ),
        product_compatibility=tuple(
            ProductRange(
                index=i, product=e["product"], min_version=e.get("min"), max_version=e["max"]
            )
            for i, e in enumerate(compat or ())
            if "product" in e
        ),
        payment_model=data.get("payment-model"),
        license_type=data.get("license-type"),
        beta=bool(data.get("beta", False)),
        supported=bool(data.get("supported", True)),
        summary=data.get("summary"),
        notes_file=notes.get("file"),
        notes_text=notes.get("text"),
        agreements=tuple(data.get("agreements", ())),
        listing=None
        if listing is None
        else ListingSpec(
            state=listing.get("state", "public"),
            screenshots=listing.get("screenshots"),
            captions=tuple((str(k), str(v)) for k, v in (listing.get("captions") or {}).items()),
        ),
        stated=frozenset(stated),
        if_exists=data.get("if-exists", "fail"),
        copy_from=data.get("copy-from"),
        summary_max_chars=int(max_length.get("summary", MAX_SUMMARY_CHARS)),
        notes_max_chars=int(max_length.get("notes", MAX_NOTES_CHARS)),
        notes_truncate=bool(notes.get("truncate", False)),
        notes_link=notes.get("link"),
    )
