"""The rules of a version's listing, and the exact request body: pure functions over
plain data (no HTTP, no clock, no disk).

:func:`build_listing_body` makes the body of
``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing`` from the
config's ``release.listing`` and the uploaded screenshots. The listing stage
(:mod:`release_publisher.release.listing`) calls it before the uploads (placeholders
for the image IDs, to print) and after them (the IDs).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, NamedTuple


class Screenshot(NamedTuple):
    """A listing screenshot: ``file`` the uploaded file's name or path, ``image_id`` the
    uploaded image's ID (None before the upload: a placeholder is shown), ``caption``
    its caption (None: the file name without extension)."""

    file: str
    image_id: str | None
    caption: str | None = None


def build_listing_body(state: str, screenshots: Sequence[Screenshot] | None) -> dict[str, Any]:
    """The body of ``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``:
    ``{"state": "public"|"private", "screenshots": [{"imageId", "caption"}]}``, the
    caption being the screenshot's ``caption`` (default: the file name without
    extension), in the given (upload) order.
    ``screenshots`` None or empty: no ``screenshots`` key. Nothing else is sent
    (``revision``, ``highlights``, ``heroImage`` are left to Marketplace's defaults).
    A missing image ID becomes the placeholder ``"<image ID of NAME after upload>"``."""
    body: dict[str, Any] = {"state": state}
    if screenshots:
        body["screenshots"] = [
            {
                "imageId": s.image_id
                if s.image_id is not None
                else f"<image ID of {PurePath(s.file).name} after upload>",
                "caption": s.caption if s.caption is not None else PurePath(s.file).stem,
            }
            for s in screenshots
        ]
    return body
