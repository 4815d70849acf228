"""The app listing stage (the ``app-listing:`` section): set uploaded images on the
app listing by read-modify-write.

- :meth:`AppListingStage.plan`, BEFORE anything is uploaded: checks that each image
  type of ``app-listing.images`` has exactly one image in the plan (else exit 2, no
  request), finds the app in the developer space (``GET
  /rest/3/product-listing/developer-space/{developerId}``, all pages, by app key),
  reads its listing (``GET /rest/3/product-listing/{productId}``) and shows its state,
  approval status, revision and the image fields that would change, old -> new. An app
  the developer space does not list (exit 2) or a listing whose approval status is
  ``rejected`` (exit 5) stops the run here, before the first upload.
- :meth:`AppListingStage.apply`, AFTER the listing images are uploaded: reads the
  listing again, right before the write, sets only the chosen ``images.*FileId``
  fields to the uploaded image IDs and ``PUT``s the WHOLE listing back, every other
  field exactly as just read (its ``revision`` included, so a server refuses a write
  over a newer revision). Nothing to change: no PUT (``unchanged``). A refused write
  (409, or a 400 about the revision) is reported as a listing changed by someone
  else, not overwritten (exit 4); the answer is checked to hold the IDs sent (exit 5).

What Marketplace refuses on this PUT, and how, is UNVERIFIED (see the README). Knows
the run context, the config model and the result; nothing of HTTP.
"""

from __future__ import annotations

import copy
import difflib
import logging
from dataclasses import dataclass, field
from typing import Any

from ..config.model import APP_LISTING_IMAGE_FIELDS, AppListingSpec
from ..errors import ApiError, ConfigError, VerificationError
from ..result import (
    APP_LISTING_FAILED,
    APP_LISTING_PLANNED,
    APP_LISTING_UNCHANGED,
    APP_LISTING_UPDATED,
    AppListingInfo,
)
from .run import Run

log = logging.getLogger("release_publisher")

#: approval statuses that stop the run before any upload
BLOCKING_APPROVAL = ("rejected",)


@dataclass(frozen=True)
class ImageChange:
    """One app listing image to set: ``key`` (``icon``), ``field`` (``iconFileId``),
    the ``image_type`` whose upload it takes and that image's ``file``."""

    key: str
    field: str
    image_type: str
    file: str


@dataclass
class AppListingStage:
    """The ``app-listing:`` section's work (only for a config that has one). Keeps what
    it read for ``apply`` and for tests: the productId, the listing as read when
    planned, the image changes."""

    title = "App listing"

    product_id: str | None = None
    planned: dict[str, Any] | None = None
    changes: list[ImageChange] = field(default_factory=list)

    def plan(self, run: Run) -> None:
        """Check the image types, then (with Marketplace access) find the app, read its
        listing, show its state and the planned changes, and refuse what cannot work.
        Raises :class:`ConfigError` (an image type without exactly one image, an app
        the developer space does not list), :class:`VerificationError` (a rejected
        listing), :class:`ApiError`."""
        spec = _spec(run)
        self.changes = _changes(run, spec)
        info = run.result.app_listing = AppListingInfo(
            status=APP_LISTING_PLANNED, developer_id=spec.developer_id
        )
        if run.api is None:
            log.info(
                "App listing: would read GET /rest/3/product-listing/developer-space/%s and the "
                "app's listing, then set %s (no Marketplace access in this dry run)",
                spec.developer_id,
                ", ".join(c.field for c in self.changes),
            )
            return
        title = "App listing plan" + (" (read-only requests)" if run.dry_run else "")
        with run.phase(title, None if run.dry_run else "app-listing-plan"):
            self.product_id = _find_product(run, spec)
            info.product_id = self.product_id
            self.planned = listing = _read(run, self.product_id)
            info.state = _text(listing.get("state"))
            info.approval_status = _text(listing.get("approvalStatus"))
            info.revision = listing.get("revision")
            log.info(
                "App listing %s: state %s, approval %s, revision %s",
                self.product_id,
                info.state,
                info.approval_status,
                info.revision,
            )
            images = listing["images"]
            for change in self.changes:
                old = images.get(change.field)
                new = f"<image ID of {change.file} after upload>"
                info.changes[f"images.{change.field}"] = {"old": old, "new": None}
                log.info("  images.%s: %s -> %s", change.field, old, new)
            if (info.approval_status or "").lower() in BLOCKING_APPROVAL:
                raise VerificationError(
                    f"the app listing of {run.plan.config.app_key} ({self.product_id}) is "
                    f"{info.approval_status}: its images cannot be set; nothing was uploaded",
                    hint="resolve the rejection in the Marketplace vendor UI first, or remove "
                    "the app-listing: section to release without touching the app listing",
                )
            wanted = run.plan.config.release
            if (
                wanted is not None
                and wanted.listing is not None
                and wanted.listing.state == "public"
                and info.state == "private"
            ):
                message = (
                    "the app listing is private while release.listing.state is public: the "
                    "version listing may stay hidden (UNVERIFIED)"
                )
                log.warning("%s", message)
                run.result.warnings.append(message)

    def not_applied(self, run: Run) -> None:
        """The release was found already published: the app listing is left as read
        (``unchanged``, no changes), and the log says so."""
        info = run.result.app_listing
        if info is None or info.status != APP_LISTING_PLANNED:
            return
        info.status = APP_LISTING_UNCHANGED
        info.changes = {}
        log.info("App listing: not changed (the release was already published: nothing is sent)")

    def apply(self, run: Run) -> None:
        """Set the image IDs on the app listing (see the module docstring) in the phase
        "App listing". Raises :class:`ApiError` (a refused or stale write),
        :class:`VerificationError` (the answer lacks the IDs sent)."""
        spec = _spec(run)
        info = run.result.app_listing
        if self.product_id is None or info is None:
            return
        with run.phase("App listing", "app-listing"):
            try:
                self._write(run, spec, info)
            except (ApiError, VerificationError):
                info.status = APP_LISTING_FAILED
                raise

    def _write(self, run: Run, spec: AppListingSpec, info: AppListingInfo) -> None:
        assert self.product_id is not None
        ids = _uploaded_ids(run, self.changes)
        current = _read(run, self.product_id)
        read_revision = current.get("revision")
        if self.planned is not None and read_revision != self.planned.get("revision"):
            log.info(
                "The app listing changed since it was planned (revision %s -> %s): setting the "
                "images on the listing as it is now",
                self.planned.get("revision"),
                read_revision,
            )
        body = copy.deepcopy(current)
        images = body["images"]
        info.changes = {}
        for change in self.changes:
            old, new = images.get(change.field), ids[change.field]
            if old != new:
                images[change.field] = new
                info.changes[f"images.{change.field}"] = {"old": old, "new": new}
        info.revision = read_revision
        if not info.changes:
            info.status = APP_LISTING_UNCHANGED
            log.info("The app listing already shows these images: nothing to change")
            return
        for name, delta in info.changes.items():
            log.info("Setting %s: %s -> %s", name, delta["old"], delta["new"])
        try:
            stored = run.require_api().put_app_listing(self.product_id, body)
        except ApiError as err:
            if err.status == 409 or (err.status == 400 and "revision" in str(err).lower()):
                err.message = (
                    f"the app listing {self.product_id} changed on Marketplace between the read "
                    f"(revision {read_revision}) and the write: it was NOT overwritten "
                    f"({err.message})"
                )
                err.hint = (
                    "run the release again (best with --resume): the listing is read again "
                    "and only the images are set"
                )
            raise
        stored_images = stored.get("images")
        for name, delta in info.changes.items():
            key = name.split(".", 1)[1]
            got = stored_images.get(key) if isinstance(stored_images, dict) else None
            if got != delta["new"]:
                raise VerificationError(
                    f"PUT /rest/3/product-listing/{self.product_id}: {name} is {got!r} in the "
                    f"answer, {delta['new']!r} was sent",
                    hint="check the app listing in the Marketplace vendor UI",
                )
        info.status = APP_LISTING_UPDATED
        info.revision = stored.get("revision")
        log.info("Updated the app listing: revision %s", info.revision)


def _spec(run: Run) -> AppListingSpec:
    spec = run.plan.config.app_listing
    assert spec is not None, "AppListingStage runs only with an app-listing: section"
    return spec


def _changes(run: Run, spec: AppListingSpec) -> list[ImageChange]:
    """One change per ``app-listing.images`` key; raises ConfigError (no request sent)
    for an image type with no or several images in the plan."""
    out: list[ImageChange] = []
    for key, image_type in spec.images:
        found = [img for img in run.plan.images if img.type == image_type]
        if len(found) != 1:
            raise ConfigError(
                f"app-listing.images.{key} names the image type {image_type!r}, which has "
                f"{len(found)} image(s) in this release; exactly one is needed",
                location=run.plan.config.where(f"app-listing.images.{key}"),
                hint=f"give one images[] file of type {image_type} (the app listing has one {key})",
            )
        out.append(
            ImageChange(
                key=key,
                field=APP_LISTING_IMAGE_FIELDS[key],
                image_type=image_type,
                file=found[0].path.name,
            )
        )
    return out


def _find_product(run: Run, spec: AppListingSpec) -> str:
    """The productId of this app key in the developer space; ConfigError when absent."""
    key = run.plan.config.app_key
    apps = run.require_api().list_developer_apps(spec.developer_id)
    for app in apps:
        if app.get("appKey") == key:
            product = app.get("productId")
            if isinstance(product, str) and product.strip():
                return product
            raise ApiError(
                f"the developer space lists {key} without a productId",
                hint="report this answer; remove the app-listing: section meanwhile",
            )
    keys = [str(a.get("appKey")) for a in apps if isinstance(a.get("appKey"), str)]
    close = difflib.get_close_matches(key, keys, n=3)
    raise ConfigError(
        f"the developer space of {spec.developer_id} lists no app with key {key!r} "
        f"({len(apps)} app(s)" + (f"; closest: {', '.join(close)}" if close else "") + ")",
        location=run.plan.config.where("app-listing.developer-id"),
        hint="check app-listing.developer-id (your developer ID) and app.key; nothing was uploaded",
    )


def _read(run: Run, product_id: str) -> dict[str, Any]:
    """The app listing, checked to be this app's, with an ``images`` object."""
    listing = run.require_api().get_app_listing(product_id)
    key = run.plan.config.app_key
    if listing.get("appKey") not in (None, key):
        raise VerificationError(
            f"GET /rest/3/product-listing/{product_id} answered the listing of "
            f"{str(listing.get('appKey'))[:200]!r}, not {key!r}",
            hint="report this answer; nothing was written",
        )
    if not isinstance(listing.get("images"), dict):
        raise ApiError(
            f"GET /rest/3/product-listing/{product_id}: the listing has no images object",
            hint="report this answer; remove the app-listing: section meanwhile",
        )
    return listing


def _uploaded_ids(run: Run, changes: list[ImageChange]) -> dict[str, str]:
    """App listing field -> the uploaded image ID of its image type."""
    out: dict[str, str] = {}
    for change in changes:
        found = [i.id for i in run.result.images if i.type == change.image_type and i.id]
        if len(found) != 1:
            raise ApiError(
                f"no uploaded {change.image_type} image to set as the app listing's {change.key}"
            )
        out[change.field] = found[0]
    return out


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) else None
