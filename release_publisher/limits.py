"""Limits stated by Atlassian for Marketplace, in one place (pre-flight, client and the
emulator all use these)."""

from __future__ import annotations

#: Largest artifact Marketplace accepts: "250 MB". Taken as 250 MiB (262,144,000 bytes),
#: the way servers such as nginx read "250m"; pre-flight refuses anything larger.
MAX_ARTIFACT_BYTES = 250 * 1024 * 1024
#: Upload budget: about 750 MB per 2 hours.
UPLOAD_BUDGET_BYTES = 750 * 1024 * 1024
UPLOAD_BUDGET_WINDOW_SECONDS = 2 * 60 * 60
#: At least this many seconds between uploads.
MIN_UPLOAD_SPACING_SECONDS = 10.0


def human_size(size: int) -> str:
    """``size`` bytes as text with both units where they differ, e.g. ``"300.0 MB
    (286.1 MiB)"``; small sizes in bytes or KiB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1e6:.1f} MB ({size / (1024 * 1024):.1f} MiB)"
