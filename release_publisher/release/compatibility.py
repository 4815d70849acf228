"""Compatibility by product version: ``release.compatibility`` entries of the form
``{product: jira, min: "9.12.0", max: "10.3.1" | latest}`` resolved to build numbers
BEFORE anything is uploaded.

- a version number: ``GET /rest/3/parent-software/{id}/versions/number/{versionNumber}``
  gives its ``buildNumber``;
- ``latest``: ``GET /rest/3/parent-software/{id}/versions?limit=1`` (newest first);
- no ``min``: the min build of the range copied from the previous version (the
  version the plan copies from, :func:`~.copying.choose_previous` or ``release.copy-from``,
  only with ``copy-from-previous``):
  ``max: latest`` then extends that copied range to the newest product version.

An unknown product or version is a :class:`~release_publisher.errors.ConfigError`
(exit 2) naming the field (``release.compatibility[0].min``) and the closest known
values (``GET /rest/3/parent-software``, the product's newest versions). Build-number
entries are kept as written. Called by the version stage (:mod:`.version`) when it
plans; knows the config model, :mod:`.copying` (what is copied from) and the
parent-software part of the API, nothing of HTTP.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..config.model import Compatibility, ProductRange, VersionSpec
from ..errors import ApiError, ConfigError, Location
from .copying import choose_previous, find_copy_from
from .existing import ExistingVersion

LATEST = "latest"


class ParentSoftwareApi(Protocol):
    """The parent software reads this module needs (see
    :class:`release_publisher.marketplace.client.MarketplaceClient`)."""

    def get_parent_software_version(self, product: str, version_number: str) -> dict[str, Any]:
        """``GET /rest/3/parent-software/{id}/versions/number/{versionNumber}``."""
        ...

    def list_parent_software_versions(
        self, product: str, *, limit: int = 50
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software/{id}/versions?limit={limit}`` (first page)."""
        ...

    def list_parent_software(self) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software``: ``parentSoftware[]``."""
        ...


@dataclass(frozen=True)
class ResolvedRange:
    """One product-version entry resolved: ``product``; ``min_version`` (None: the min
    build was copied, ``copied_from`` says from which version) and ``min_build``;
    ``max_version`` (the product version, also for ``latest``) and ``max_build``;
    ``latest`` True when ``max: latest`` was asked."""

    product: str
    min_version: str | None
    min_build: int
    max_version: str
    max_build: int
    latest: bool = False
    copied_from: str | None = None

    def describe(self) -> str:
        """``"jira 9.12.0 (build 912000) to 10.3.1 (build 10030001)"``; a copied min
        reads ``build 904000 (copied from 1.0.0 (build 1))``, a latest max
        ``latest: 10.4.1 (build 10040001)``."""
        low = (
            f"{self.min_version} (build {self.min_build})"
            if self.min_version is not None
            else f"build {self.min_build} (copied from {self.copied_from})"
        )
        high = f"{self.max_version} (build {self.max_build})"
        if self.latest:
            high = f"latest: {high}"
        text = f"{self.product} {low} to {high}"
        if self.min_version is None:
            text += "; the copied range extended to the newest product version"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The result JSON form: ``{product, min: {version, build}, max: {version,
        build}, latest, copiedFrom}`` (``min.version`` None when copied)."""
        return {
            "product": self.product,
            "min": {"version": self.min_version, "build": self.min_build},
            "max": {"version": self.max_version, "build": self.max_build},
            "latest": self.latest,
            "copiedFrom": self.copied_from,
        }


def resolve_compatibility(
    spec: VersionSpec,
    api: ParentSoftwareApi,
    *,
    versions: Sequence[ExistingVersion],
    version_number: str,
    where: Callable[[str], Location],
) -> tuple[VersionSpec, list[ResolvedRange]]:
    """``spec`` with every product-version entry resolved into
    ``spec.compatibility`` (build-number entries first, as written, then the resolved
    ones in config order), and the resolved ranges for the plan. Without
    product-version entries: ``spec`` unchanged, ``[]``, no request sent.

    ``versions`` are the app's existing versions (for a copied min), ``where(path)``
    the config location of a field. Raises :class:`ConfigError` (exit 2) for an
    unknown product or version (naming the field and the closest known values), a
    missing ``min`` with nothing to copy, a min above the max; :class:`ApiError` for
    other HTTP failures."""
    if not spec.product_compatibility:
        return spec, []
    previous = None
    if spec.copy_from_previous:  # the version the plan copies from (see .rules)
        previous = (
            find_copy_from(versions, spec.copy_from)
            if spec.copy_from is not None
            else choose_previous(versions, version_number)
        )
    resolved = [_resolve(entry, api, previous, where) for entry in spec.product_compatibility]
    entries = list(spec.compatibility or ())
    entries += [Compatibility(r.product, r.min_build, r.max_build) for r in resolved]
    return dataclasses.replace(spec, compatibility=tuple(entries)), resolved


def _resolve(
    entry: ProductRange,
    api: ParentSoftwareApi,
    previous: ExistingVersion | None,
    where: Callable[[str], Location],
) -> ResolvedRange:
    path = f"release.compatibility[{entry.index}]"
    copied_from: str | None = None
    if entry.min_version is None:
        copied = next(
            (
                c
                for c in (previous.compatibilities if previous else [])
                if c.parent_software_id == entry.product
            ),
            None,
        )
        if copied is None or previous is None:
            why = (
                f"the previous version {previous.label} has no {entry.product} range"
                if previous is not None
                else "there is no previous version to copy from (or copy-from-previous is false)"
            )
            raise ConfigError(
                f"{path}.min is not given and {why}",
                location=where(path),
                hint=f'state the lowest supported version, e.g. min: "9.12.0" under {path}',
            )
        min_build = copied.min_build
        copied_from = previous.label
    else:
        min_build = _build_of(api, entry.product, entry.min_version, f"{path}.min", where)
    latest = entry.max_version == LATEST
    if latest:
        max_version, max_build = _latest(api, entry.product, f"{path}.max", where)
    else:
        max_version = entry.max_version
        max_build = _build_of(api, entry.product, entry.max_version, f"{path}.max", where)
    if min_build > max_build:
        raise ConfigError(
            f"{path}: min {entry.min_version or 'copied'} (build {min_build}) is above max "
            f"{max_version} (build {max_build})",
            location=where(f"{path}.min"),
            hint="min is the lowest supported product version: swap the two values",
        )
    return ResolvedRange(
        product=entry.product,
        min_version=entry.min_version,
        min_build=min_build,
        max_version=max_version,
        max_build=max_build,
        latest=latest,
        copied_from=copied_from,
    )


def _build_of(
    api: ParentSoftwareApi, product: str, number: str, field: str, where: Callable[[str], Location]
) -> int:
    try:
        answer = api.get_parent_software_version(product, number)
    except ApiError as err:
        if err.status not in (400, 404):
            raise
        raise _unknown(api, product, number, field, where) from None
    build = answer.get("buildNumber")
    if not isinstance(build, int) or isinstance(build, bool) or build < 0:
        raise ApiError(
            f"GET /rest/3/parent-software/{product}/versions/number/{number}: no buildNumber "
            f"(a whole number) in the answer, got {str(build)[:40]!r}",
            hint="report this answer; state the range with min-build/max-build meanwhile",
        )
    return build


def _latest(
    api: ParentSoftwareApi, product: str, field: str, where: Callable[[str], Location]
) -> tuple[str, int]:
    try:
        items = api.list_parent_software_versions(product, limit=1)
    except ApiError as err:
        if err.status not in (400, 404):
            raise
        raise _unknown(api, product, None, field, where) from None
    first = items[0] if items else {}
    build, number = first.get("buildNumber"), first.get("versionNumber")
    if not isinstance(build, int) or isinstance(build, bool) or not isinstance(number, str):
        raise ApiError(
            f"GET /rest/3/parent-software/{product}/versions?limit=1: no newest version "
            "(buildNumber and versionNumber) in the answer",
            hint="state max as a version number, or max-build as a build number",
        )
    return number[:40], build


def _unknown(
    api: ParentSoftwareApi,
    product: str,
    number: str | None,
    field: str,
    where: Callable[[str], Location],
) -> ConfigError:
    """The error for an unknown product (``number`` None or the product is unknown) or
    version, with the closest known values."""
    product_field = field.rsplit(".", 1)[0] + ".product"
    try:
        known = [
            str(v.get("versionNumber"))
            for v in api.list_parent_software_versions(product, limit=50)
            if isinstance(v.get("versionNumber"), str)
        ]
    except ApiError as err:
        if err.status not in (400, 404):
            raise
        products = _products(api)
        close = difflib.get_close_matches(product, products, n=3, cutoff=0.3) or products[:5]
        return ConfigError(
            f"{product_field}: Marketplace knows no product {product!r}"
            + (f"; closest known: {', '.join(close)}" if close else ""),
            location=where(product_field),
            hint="name a parent software ID, e.g. product: jira",
        )
    close = difflib.get_close_matches(number or "", known, n=3, cutoff=0.5) or known[:3]
    return ConfigError(
        f"{field}: {product} has no version {number!r}"
        + (f"; closest known: {', '.join(close)}" if close else ""),
        location=where(field),
        hint=f"give a {product} version Marketplace lists (newest: "
        f"{known[0] if known else 'unknown'}), quoted, or max: latest",
    )


def _products(api: ParentSoftwareApi) -> list[str]:
    try:
        items = api.list_parent_software()
    except ApiError:
        return []
    return [str(i["id"]) for i in items if isinstance(i.get("id"), str)]
