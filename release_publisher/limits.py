"""Limits of Marketplace, in one table (pre-flight, the client's hints and the emulator
all use these), each with where its number comes from.

Sizes are bytes, lengths characters, dimensions pixels. A limit Atlassian does not
publish says so in its ``source``; the README repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Largest artifact Marketplace accepts: "250 MB". Taken as 250 MiB (262,144,000 bytes),
#: the way servers such as nginx read "250m"; pre-flight refuses anything larger.
MAX_ARTIFACT_BYTES = 250 * 1024 * 1024
#: Largest listing image: Marketplace's own limit is not published; 25 MiB is the bound
#: the emulator enforces (413) and pre-flight refuses above (exit 3), so that an image
#: that cannot be uploaded never costs an artifact upload first.
MAX_IMAGE_BYTES = 25 * 1024 * 1024
#: Upload budget: about 750 MB per 2 hours.
UPLOAD_BUDGET_BYTES = 750 * 1024 * 1024
UPLOAD_BUDGET_WINDOW_SECONDS = 2 * 60 * 60
#: At least this many seconds between uploads.
MIN_UPLOAD_SPACING_SECONDS = 10.0


@dataclass(frozen=True)
class SizeLimit:
    """The largest upload of one kind: ``what`` (``"artifact"``, ``"listing image"``),
    ``max_bytes``, ``source`` (where the number comes from, for messages) and ``hint``
    (what to do about a file over it)."""

    what: str
    max_bytes: int
    source: str
    hint: str

    def refusal(self, size: int) -> str:
        """``"... is 30.0 MB (28.6 MiB); a listing image may be at most ..."``'s tail:
        the sentence after the file's name, for a file of ``size`` bytes."""
        return (
            f"is {human_size(size)}; a {self.what} may be at most"
            f" {human_size(self.max_bytes)} ({self.source})"
        )


ARTIFACT_LIMIT = SizeLimit(
    what="artifact",
    max_bytes=MAX_ARTIFACT_BYTES,
    source='Atlassian states "250 MB", taken as 250 MiB',
    hint="is the pattern naming the right file? If so, make the app smaller (mark"
    " dependencies the host product provides as 'provided'), then rebuild",
)
IMAGE_LIMIT = SizeLimit(
    what="listing image",
    max_bytes=MAX_IMAGE_BYTES,
    source="Marketplace's limit is not published; this is release-publisher's and the"
    " emulator's bound",
    hint="export the image at listing size (a listing image is usually a few hundred"
    " KiB): a smaller PNG, or a JPEG",
)

#: (width, height) in pixels per image type, from Atlassian's older listing guides
#: (marketplace-api.md: logo 144x144, banner 1120x548; the icon is the logo). A listing
#: image of one of these types in another size fails pre-flight, unless its
#: ``images[]`` entry says ``on-size-mismatch: warn`` (for a stale table).
IMAGE_DIMENSIONS: dict[str, tuple[int, int]] = {
    "icon": (144, 144),
    "logo": (144, 144),
    "banner": (1120, 548),
}
IMAGE_DIMENSIONS_SOURCE = "Atlassian's listing guides"

#: Default longest release summary (``changelog.releaseSummary``), characters: the
#: config has always allowed 255; Marketplace's limit is not published (unverified).
#: Configurable: ``release.max-length.summary``.
MAX_SUMMARY_CHARS = 255
#: Default longest release notes (``changelog.releaseNotes``), characters.
#: Marketplace's limit is not published (issue 16 reports a 12,599-character section
#: refused with 400 after the uploads); this default stays below that and is
#: unverified. Configurable: ``release.max-length.notes``.
MAX_NOTES_CHARS = 10_000


def human_size(size: int) -> str:
    """``size`` bytes as text with both units where they differ, e.g. ``"300.0 MB
    (286.1 MiB)"``; small sizes in bytes or KiB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1e6:.1f} MB ({size / (1024 * 1024):.1f} MiB)"
