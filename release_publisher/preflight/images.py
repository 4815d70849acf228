"""Pre-flight checks of listing images (``images[]``), before any request.

Each ``images[].file`` glob must match at least one file (uploaded in sorted path
order, so runs are deterministic). Each match must be a regular, non-empty file no
larger than :data:`~release_publisher.limits.IMAGE_LIMIT` (refused with that limit's
own hint, not the artifact limit's: an image that cannot be uploaded must not cost an
artifact upload first), and must be a PNG, JPEG, GIF or BMP by its first bytes (the
formats Marketplace lists: .jpg .png .gif .bmp). Dimensions are read with
:mod:`imagesize`; for the image types of
:data:`~release_publisher.limits.IMAGE_DIMENSIONS` another size fails ("expected
1120x548, got 1120x547"), or is a warning when the entry says
``on-size-mismatch: warn``.

Things that do not stop a release (Marketplace's rules here are not published) are
warnings: an image type outside :data:`KNOWN_IMAGE_TYPES`, a file over
:data:`LARGE_IMAGE_BYTES`, a file name whose extension does not match its content, and
unreadable dimensions.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ..config.model import ImageSpec
from ..errors import FileCheckError
from ..limits import IMAGE_DIMENSIONS, IMAGE_DIMENSIONS_SOURCE, IMAGE_LIMIT, human_size
from .files import (
    check_regular_file,
    content_hint,
    describe_start,
    display_path,
    find_all,
    read_head,
)
from .model import LocalImage

#: Image types (``POST /rest/3/assets/images/{imageType}``) seen in Atlassian's docs
#: and listing fields; only ``icon`` is confirmed. Others are uploaded with a warning.
KNOWN_IMAGE_TYPES: tuple[str, ...] = (
    "icon",
    "logo",
    "title-logo",
    "banner",
    "screenshot",
    "hero",
    "hero-image",
    "highlight",
    "highlight-thumbnail",
)
#: A listing image above this many bytes gets a warning (listing images are usually
#: well under 1 MiB; Marketplace's own limit is not published).
LARGE_IMAGE_BYTES = 10 * 1024 * 1024

#: Format -> file name extensions that say so.
IMAGE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "gif": (".gif",),
    "bmp": (".bmp",),
}
#: BMP DIB header sizes (BITMAPCOREHEADER .. BITMAPV5HEADER).
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def sniff_image_format(head: bytes) -> str | None:
    """``"png" | "jpeg" | "gif" | "bmp"`` from a file's first bytes (at least 18 for
    BMP), or None when it is none of them."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES
    ):
        return "bmp"
    return None


def image_dimensions(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` in pixels via :func:`imagesize.get`, or None when it cannot
    tell (imagesize answers -1, or the header is damaged)."""
    try:
        import imagesize  # lazily: it pulls in urllib.request, http.client and ssl

        width, height = imagesize.get(path)
    except (ValueError, OSError, struct.error, IndexError, TypeError):
        return None
    if width < 0 or height < 0:
        return None
    return int(width), int(height)


def check_image_spec(
    spec: ImageSpec, base_dir: Path, *, label: str
) -> tuple[list[LocalImage], list[str]]:
    """Check every file ``spec.file`` matches (sorted). ``label`` names the entry in
    warnings (e.g. ``"images[2]"``). Returns the images and the warnings.

    Raises :class:`FileCheckError` (no location; the caller adds it) when nothing
    matches, or a match is not a regular non-empty file, is larger than
    :data:`~release_publisher.limits.IMAGE_LIMIT`, is not PNG/JPEG/GIF/BMP by content,
    or (unless ``spec.on_size_mismatch == "warn"``) has other dimensions than
    :data:`~release_publisher.limits.IMAGE_DIMENSIONS` gives for its type."""
    warnings: list[str] = []
    if spec.type not in KNOWN_IMAGE_TYPES:
        warnings.append(
            f"{label}: image type {spec.type!r} is not a known one"
            f" ({', '.join(KNOWN_IMAGE_TYPES)}); uploading anyway, and Marketplace may"
            " refuse it"
        )
    images: list[LocalImage] = []
    for path in find_all(spec.file, base_dir, what="listing image"):
        shown = display_path(path, base_dir)
        size = check_regular_file(path, base_dir, what="listing image").st_size
        if size > IMAGE_LIMIT.max_bytes:
            raise FileCheckError(f"{shown} {IMAGE_LIMIT.refusal(size)}", hint=IMAGE_LIMIT.hint)
        try:
            head = read_head(path)
        except OSError as exc:
            raise FileCheckError(
                f"cannot read {shown}: {exc.strerror or exc}",
                hint="check the file's permissions",
            ) from None
        fmt = sniff_image_format(head)
        if fmt is None:
            raise FileCheckError(
                f"{shown} is not a PNG, JPEG, GIF or BMP image (starts with"
                f" {describe_start(head)})",
                hint=content_hint(head)
                or "Marketplace accepts .png .jpg .gif .bmp listing images: convert it",
            )
        ext = path.suffix.lower()
        if ext not in IMAGE_EXTENSIONS[fmt]:
            warnings.append(
                f"{label}: {shown} is a {fmt.upper()} image but"
                f" {'named ' + ext if ext else 'has no extension'}; Marketplace may tell the"
                " type by the name"
            )
        if size > LARGE_IMAGE_BYTES:
            warnings.append(
                f"{label}: {shown} is {human_size(size)}, large for a listing image"
                f" (over {human_size(LARGE_IMAGE_BYTES)}); Marketplace may refuse it"
            )
        dims = image_dimensions(path)
        if dims is None:
            warnings.append(f"{label}: could not read the dimensions of {shown}")
        else:
            wanted = IMAGE_DIMENSIONS.get(spec.type)
            if wanted is not None and dims != wanted:
                found = (
                    f"{shown}: expected {wanted[0]}x{wanted[1]} pixels for image type"
                    f" {spec.type!r} ({IMAGE_DIMENSIONS_SOURCE}), got {dims[0]}x{dims[1]}"
                )
                if spec.on_size_mismatch != "warn":
                    raise FileCheckError(
                        found,
                        hint=f"export the image at {wanted[0]}x{wanted[1]}; if Marketplace"
                        " now asks for another size, add on-size-mismatch: warn to this"
                        " images[] entry",
                    )
                warnings.append(f"{label}: {found} (on-size-mismatch: warn)")
        images.append(
            LocalImage(
                spec=spec,
                path=path,
                size=size,
                format=fmt,
                width=dims[0] if dims else None,
                height=dims[1] if dims else None,
            )
        )
    return images, warnings
