"""The version listing stage (``release.listing``): after the app version stage, publish
the listing of the version it created or found, exactly once.

- :meth:`ListingStage.plan`, BEFORE anything is uploaded (and in a dry run): for a
  version that exists already (a previous run failed at its listing, or its answer was
  lost), ``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``:
  a listing there means this release is already published (``run.done``; nothing is
  uploaded or published again). With ``release.copy-from-previous`` it reads the
  previous version's listing (``GET .../versions/{previous build}/listing``; 404: none)
  to carry it over (:func:`~.listing_rules.carry_over`). It logs where every field
  comes from; a dry run prints the exact body (image IDs as placeholders).
- :meth:`ListingStage.apply`, AFTER the version exists:
  ``POST .../versions/{buildNumber}/listing`` with the screenshot image IDs and the
  carried-over fields; the answer is recorded in ``result.release.listing`` and
  judged (:func:`~.listing_rules.listing_outcome`): rejected, or a state other than
  asked, fails the run (exit 5, asked vs got); ``SUBMITTED`` is success, awaiting
  approval.

The version comes from the run: ``run.result.release`` (app software ID, build number,
status: ``created`` at plan time means the version existed before this run) and
``run.version_plan`` (the version stage's plan: its previous version). The rules live
in :mod:`.listing_rules`; the lines in :mod:`.render`.
"""

from __future__ import annotations

import logging
from typing import Any

from ..config.model import ListingSpec
from ..errors import ApiError, VerificationError
from ..result import RELEASE_ALREADY_PUBLISHED, RELEASE_CREATED, ListingInfo, ReleaseInfo
from .captions import caption_for
from .listing_rules import (
    ListingPlan,
    Screenshot,
    build_listing_plan,
    has_listing,
    listing_outcome,
    wire_state,
)
from .render import listing_found_lines, render_listing_plan
from .run import Run
from .version import _with_rerun_hint

log = logging.getLogger("release_publisher")


class ListingStage:
    """The listing's work for one run (only for a config with a ``release:`` section).
    Keeps what :meth:`plan` read for :meth:`apply`: the previous version's listing."""

    title = "Version listing"

    def __init__(self) -> None:
        self.previous: dict[str, Any] | None = None
        self.previous_label: str | None = None
        self.no_previous_reason: str | None = None

    def plan(self, run: Run) -> None:
        """Read what the listing needs (see the module docstring) and log the plan; in
        a dry run print it. Raises :class:`~release_publisher.errors.ApiError` for a
        read that fails (but 404), :class:`VerificationError` for an existing listing
        that was rejected or is not in the state asked for."""
        info, vplan, listing = run.result.release, run.version_plan, _listing(run)
        if run.api is None or info is None or vplan is None:
            return
        if info.status == RELEASE_ALREADY_PUBLISHED:
            return
        if listing is None:
            if run.dry_run:
                log.info("%s", "Listing: not published (no release.listing)")
            return
        if info.status == RELEASE_CREATED and self._found_existing(run, info, listing):
            return
        self._read_previous(run, listing)
        plan = self._plan(run, listing, uploaded=False)
        lines = render_listing_plan(_path(info, vplan.build_number), plan)
        if run.dry_run:
            for line in lines:
                log.info("%s", line)
        else:
            log.info("%s", lines[0])

    def apply(self, run: Run) -> None:
        """In the phase "Version listing" (timed as ``listing``): publish the listing of
        the version the version stage created or found (none without
        ``release.listing``, or when it exists already), record Marketplace's
        answer, then judge it. Raises :class:`~release_publisher.errors.ApiError` with
        a hint to run again, :class:`VerificationError` (exit 5) for a rejected listing
        or another state than asked."""
        info, vplan, listing = run.result.release, run.version_plan, _listing(run)
        if info is None or vplan is None or listing is None or info.listing is not None:
            return
        if not info.exists or info.status == RELEASE_ALREADY_PUBLISHED:
            return  # not created, or there already (another run publishes its listing)
        assert info.app_software_id is not None
        build = int(info.build_number or vplan.build_number)
        plan = self._plan(run, listing, uploaded=True)
        with run.phase("Version listing", "listing"):
            try:
                answer = run.require_api().publish_listing(info.app_software_id, build, plan.body)
            except ApiError as err:
                info.listing_not_published = f"failed: {err.message}"
                raise _with_rerun_hint(err) from None
            info.listing_not_published = None
            self._record(run, info, answer, build, found=False)
            log.info(
                "Published the listing: state %s, approval %s, revision %s",
                answer.get("state"),
                answer.get("approvalStatus"),
                answer.get("revision"),
            )
        self._judge(info)

    # -- helpers -----------------------------------------------------------------------

    def _found_existing(self, run: Run, info: ReleaseInfo, listing: ListingSpec) -> bool:
        """For a version that existed before this run: GET its listing; True (and the
        release already published) when it has one."""
        assert info.app_software_id is not None and info.build_number is not None
        answer = self._get(run, info.app_software_id, info.build_number)
        if answer is None or not has_listing(answer):
            log.info(
                "Version build %d has no listing yet (GET .../listing): publishing it",
                info.build_number,
            )
            return False
        self._record(run, info, answer, info.build_number, found=True, asked=listing.state)
        info.status = RELEASE_ALREADY_PUBLISHED
        info.listing_not_published = (
            "the version already had its listing (read by GET); nothing was sent"
        )
        for line in listing_found_lines(info.build_number, answer):
            log.info("%s", line)
        self._judge(info)
        run.done = True  # a dry run too: it says that nothing would be sent
        return True

    def _read_previous(self, run: Run, listing: ListingSpec) -> None:
        """Read the previous version's listing when it is to be carried over."""
        release, vplan = run.plan.config.release, run.version_plan
        assert release is not None and vplan is not None
        info = run.result.release
        assert info is not None and info.app_software_id is not None
        if not release.copy_from_previous:
            self.no_previous_reason = "release.copy-from-previous is false"
            return
        if vplan.previous is None:
            self.no_previous_reason = "no previous version of this major line"
            return
        self.previous_label = vplan.previous.label
        self.previous = self._get(run, info.app_software_id, vplan.previous.build_number)
        if self.previous is None or not has_listing(self.previous):
            self.previous = None
            self.no_previous_reason = f"{vplan.previous.label} has no listing"

    @staticmethod
    def _get(run: Run, app_software_id: str, build_number: int) -> dict[str, Any] | None:
        """``GET .../versions/{build_number}/listing``; None for 404 (no listing)."""
        try:
            return run.require_api().get_listing(app_software_id, build_number)
        except ApiError as err:
            if err.status == 404:
                return None
            raise _with_rerun_hint(err) from None

    def _plan(self, run: Run, listing: ListingSpec, *, uploaded: bool) -> ListingPlan:
        """The listing plan; screenshot image IDs from ``run.result.images``
        (``uploaded``) or placeholders from the plan's images."""
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
        return build_listing_plan(
            listing,
            shots,
            previous=self.previous,
            previous_label=self.previous_label,
            no_previous_reason=self.no_previous_reason,
        )

    @staticmethod
    def _record(
        run: Run,
        info: ReleaseInfo,
        answer: dict[str, Any],
        build: int,
        *,
        found: bool,
        asked: str | None = None,
    ) -> None:
        """Keep Marketplace's view of the listing in the result, and checkpoint."""
        listing = _listing(run)
        assert listing is not None and info.app_software_id is not None
        base = run.plan.config.base_url.rstrip("/")
        state = wire_state(asked or listing.state)
        info.listing = ListingInfo(
            state=answer.get("state"),
            approval_status=answer.get("approvalStatus"),
            revision=answer.get("revision"),
            url=f"{base}{_path(info, build)}",
            asked_state=state,
            awaiting_approval=listing_outcome(state, answer).awaiting_approval,
            found=found,
        )
        run.checkpoint()

    @staticmethod
    def _judge(info: ReleaseInfo) -> None:
        """Raise :class:`VerificationError` (exit 5) unless the recorded listing is what
        was asked for (or awaits approval, which is logged)."""
        recorded = info.listing
        assert recorded is not None and recorded.asked_state is not None
        outcome = listing_outcome(
            recorded.asked_state,
            {"state": recorded.state, "approvalStatus": recorded.approval_status},
        )
        if outcome.problem is not None:
            raise VerificationError(
                f"listing of version {info.version_number} (build {info.build_number}): "
                f"{outcome.problem}",
                hint="see the listing in the Marketplace developer console; a rejected "
                "listing is fixed there, then run the release again",
            )
        if outcome.awaiting_approval:
            log.info(
                "The listing is published and awaits Atlassian's approval (%s)",
                recorded.approval_status,
            )


def _listing(run: Run) -> ListingSpec | None:
    release = run.plan.config.release
    return release.listing if release is not None else None


def _path(info: ReleaseInfo, build_number: int) -> str:
    """``/rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``."""
    ident = info.app_software_id or "<appSoftwareId>"
    return f"/rest/3/app-software/{ident}/versions/{info.build_number or build_number}/listing"
