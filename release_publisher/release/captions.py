"""Screenshot captions of the version listing: ``release.listing.captions`` (by file
name), else the first line of a text file beside the image (``NAME.txt``, e.g.
``01-navigation.png.txt``), else the file name without extension (the default)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import FileCheckError

#: the suffix of a caption file beside an image
CAPTION_SUFFIX = ".txt"
#: the longest caption read from a file (characters; Marketplace's limit is unverified)
MAX_CAPTION_CHARS = 255
#: the most bytes read from a caption file
MAX_CAPTION_FILE_BYTES = 4096


def caption_file(image: Path) -> Path:
    """The caption file of ``image``: its name plus :data:`CAPTION_SUFFIX`."""
    return image.with_name(image.name + CAPTION_SUFFIX)


def caption_for(image: Path, configured: Iterable[tuple[str, str]] = ()) -> tuple[str, str]:
    """(the caption of screenshot ``image``, where it came from: ``"config"``, the
    caption file's name, or ``"file name"``).

    Raises :class:`FileCheckError` (exit 3) for a caption file that is not a regular
    file, not UTF-8, empty or longer than :data:`MAX_CAPTION_CHARS` on its first line."""
    for name, caption in configured:
        if name == image.name:
            return caption, "config"
    sidecar = caption_file(image)
    if sidecar.exists() or sidecar.is_symlink():
        if not sidecar.is_file():
            raise FileCheckError(
                f"caption file {sidecar} is not a regular file",
                hint=f"make it a text file holding the caption of {image.name}, or remove it",
            )
        with sidecar.open("rb") as fh:
            raw = fh.read(MAX_CAPTION_FILE_BYTES)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileCheckError(
                f"caption file {sidecar} is not UTF-8 text",
                hint="save it as UTF-8",
            ) from None
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if not first or len(first) > MAX_CAPTION_CHARS:
            raise FileCheckError(
                f"caption file {sidecar} must hold one line of 1..{MAX_CAPTION_CHARS} "
                f"characters (its first line has {len(first)})",
                hint=f"write the caption of {image.name} on its first line",
            )
        return first, sidecar.name
    return image.stem, "file name"
