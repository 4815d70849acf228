"""Rules across fields that the schema cannot say (the ``release:`` section's
references to artifacts and image types)."""

from __future__ import annotations

from pathlib import Path

from .helpers import MINIMAL, fail


def test_screenshots_type_without_any_images(tmp_path: Path) -> None:
    err = fail(
        tmp_path,
        MINIMAL + "release:\n  artifact: artifact\n  hosting: cloud\n"
        "  listing: {screenshots: screenshot}\n",
    )
    assert "the config has no images" in err.message
