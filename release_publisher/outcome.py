"""The words of a run's outcome, shared by the console result (:mod:`.release.render`)
and the job summary (:mod:`.hosts.summary`): the one-line headline and the listing
row. Plain functions of a :class:`~release_publisher.result.ReleaseResult`; they
never log or write."""

from __future__ import annotations

from .result import (
    STATUS_CHECKED,
    STATUS_DRY_RUN,
    STATUS_FAILED,
    STATUS_SKIPPED,
    STATUS_TIMEOUT,
    STATUS_UNCHANGED,
    ReleaseResult,
)

#: the hosting names as people write them
HOSTING_NAMES = {"datacenter": "Data Center", "server": "Server", "cloud": "Cloud"}


def listing_line(result: ReleaseResult) -> str:
    """``Listing: public, approval approved, revision 1`` for the listing this run
    published, ``Listing: not published — <reason>`` otherwise (the summary's and the
    console's row)."""
    info = result.release
    if info is None:
        return "Listing: not published — no release: section"
    listing = info.listing
    if listing is None:
        reason = info.listing_not_published or (
            "the run stopped before it" if result.error is not None else "not asked for"
        )
        return f"Listing: not published — {reason}"
    return (
        f"Listing: {listing.state}, approval {listing.approval_status}, "
        f"revision {listing.revision}" + (" (awaiting approval)" if info.awaiting_approval else "")
    )


def headline(result: ReleaseResult) -> str:
    """One line saying what happened in words, e.g. "Released 2.4.0 to Data Center as
    build 220103; listing public, approval approved"."""
    info = result.release
    version = result.version or "(unknown version)"
    status = result.status
    if status == STATUS_DRY_RUN:
        return f"Dry run of {version}: nothing was uploaded or created"
    if status == STATUS_CHECKED:
        return f"Checked {version}: nothing was sent"
    if status in (STATUS_FAILED, STATUS_TIMEOUT):
        what = result.error.kind if result.error is not None else status
        return f"Release of {version} failed ({what}): see below"
    if info is None:
        count = len(result.artifact_ids())
        verb = "Nothing changed for" if status == STATUS_UNCHANGED else "Uploaded"
        images = sum(len(ids) for ids in result.image_ids().values())
        return f"{verb} {version}: {_count(count, 'artifact')}" + (
            f" and {_count(images, 'listing image')}" if images else ""
        )
    where = HOSTING_NAMES.get(info.hosting, info.hosting)
    build = f" as build {info.build_number}" if info.build_number is not None else ""
    if status == STATUS_UNCHANGED:
        return f"{version} was already on {where}{build}: nothing was sent"
    if status == STATUS_SKIPPED:
        return (
            f"Skipped {version} on {where}: it exists{build} with another artifact "
            "(if-exists: skip)"
        )
    listing = info.listing
    tail = (
        f"; listing {listing.state}, approval {listing.approval_status}"
        if listing is not None
        else "; listing not published"
    )
    return f"Released {version} to {where}{build}{tail}"


def _count(number: int, noun: str) -> str:
    """``"1 artifact"``, ``"2 artifacts"``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
