"""The version listing stage (``release.listing``): after the app version stage, publish
the listing of the version it created or found.

- :meth:`ListingStage.plan`: in a dry run, print the exact listing request body (image
  IDs as placeholders); nothing else is needed before the uploads.
- :meth:`ListingStage.apply`, AFTER the version exists:
  ``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing`` with the
  screenshot image IDs, and the answer recorded in ``result.release.listing``.

The version comes from the run: ``run.result.release`` (app software ID, build number,
status) and ``run.version_plan`` (the version stage's plan). The body rules live in
:mod:`.listing_rules`.
"""

from __future__ import annotations

import logging

from ..config.model import ListingSpec
from ..errors import ApiError
from ..result import RELEASE_ALREADY_PUBLISHED, ListingInfo, ReleaseInfo
from .captions import caption_for
from .listing_rules import Screenshot, build_listing_body
from .render import render_listing_plan
from .run import Run
from .version import _with_rerun_hint

log = logging.getLogger("release_publisher")


class ListingStage:
    """The listing's work for one run (only for a config with a ``release:`` section)."""

    title = "Version listing"

    def plan(self, run: Run) -> None:
        """In a dry run with read access, print the listing request (or that none is
        published); nothing for a release already published. Sends nothing."""
        if not run.dry_run or run.api is None:
            return
        info, plan = run.result.release, run.version_plan
        if info is None or plan is None or info.status == "already-published":
            return
        body = self._body(run, uploaded=False)
        for line in render_listing_plan(_path(info, plan.build_number), body):
            log.info("%s", line)

    def apply(self, run: Run) -> None:
        """Publish the listing of the version the version stage created or found (none
        without ``release.listing``, or when this run published it already). Raises
        :class:`~release_publisher.errors.ApiError` with a hint to run again."""
        info, plan = run.result.release, run.version_plan
        body = self._body(run, uploaded=True)
        if info is None or plan is None or body is None or info.listing is not None:
            return
        if not info.exists or info.status == RELEASE_ALREADY_PUBLISHED:
            return  # not created, or there already (another run publishes its listing)
        assert info.app_software_id is not None
        with run.phase("App version", "version"):
            try:
                answer = run.require_api().publish_listing(
                    info.app_software_id, int(info.build_number or plan.build_number), body
                )
            except ApiError as err:
                info.listing_not_published = f"failed: {err.message}"
                raise _with_rerun_hint(err) from None
            info.listing_not_published = None
            info.listing = ListingInfo(
                state=answer.get("state"),
                approval_status=answer.get("approvalStatus"),
                revision=answer.get("revision"),
            )
            log.info(
                "Published the listing: state %s, approval %s",
                answer.get("state"),
                answer.get("approvalStatus"),
            )

    @staticmethod
    def _body(run: Run, *, uploaded: bool) -> dict[str, object] | None:
        """The listing body (None: no ``release.listing``); screenshot image IDs from
        ``run.result.images`` (``uploaded``) or placeholders from the plan's images."""
        release = run.plan.config.release
        listing: ListingSpec | None = release.listing if release is not None else None
        if listing is None:
            return None
        shots: list[Screenshot] = []
        if listing.screenshots:
            if uploaded:
                shots = [
                    Screenshot(
                        file=record.file,
                        image_id=record.id,
                        caption=caption_for(local.path, listing.captions)[0],
                    )
                    for local, record in zip(run.plan.images, run.result.images, strict=False)
                    if record.type == listing.screenshots and record.id
                ]
            else:
                shots = [
                    Screenshot(
                        file=str(img.path.name),
                        image_id=None,
                        caption=caption_for(img.path, listing.captions)[0],
                    )
                    for img in run.plan.images
                    if img.type == listing.screenshots
                ]
        return build_listing_body(listing.state, shots)


def _path(info: ReleaseInfo, build_number: int) -> str:
    """``/rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``."""
    ident = info.app_software_id or "<appSoftwareId>"
    return f"/rest/3/app-software/{ident}/versions/{info.build_number or build_number}/listing"
