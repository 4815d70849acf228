"""The listing image endpoint: ``POST /rest/3/assets/images/{imageType}`` (multipart,
part ``file``; fault-queue endpoint name ``image``).

Any lowercase slug is an image type; the type is checked by magic bytes (PNG, JPEG,
GIF, BMP; else 400 ``VALIDATION_FAILED``); at most ``config.max_image_bytes`` (else 413).
With ``config.image_sizes == "strict"`` (``sandbox --image-sizes strict``), an image of
a type with a known size (:data:`~release_publisher.limits.IMAGE_DIMENSIONS`: icon and
logo 144x144, banner 1120x548, from Atlassian's older listing guides) in other
dimensions, or whose dimensions cannot be read, is refused with 400
``VALIDATION_FAILED`` ("expected 1120x548, got 1120x547") and not stored. Whether
Marketplace checks this is unverified, hence off by default.
Answers ``{id, mediaType: "image", mimeType, name, size}``.

Knows the state (store, clock, config), :mod:`.inspect`, :mod:`.multipart` and the
size table of :mod:`release_publisher.limits`; nothing of artifacts or versions.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import imagesize
from werkzeug.wrappers import Response

from ..limits import IMAGE_DIMENSIONS, IMAGE_DIMENSIONS_SOURCE
from .http import Call, invalid, json_response, too_large
from .inspect import sniff_image
from .multipart import MULTIPART_OVERHEAD_BYTES, receive_file
from .routing import Router
from .state import SandboxState
from .store import ImageRecord, logical_name, new_id

_IMAGE_TYPE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def size_refusal(image_type: str, path: Path) -> str | None:
    """Why a listing image of ``image_type`` stored at ``path`` has the wrong size, or
    None when its type has no known size (:data:`~release_publisher.limits.IMAGE_DIMENSIONS`)
    or its ``(width, height)`` in pixels is that size. Dimensions are read with
    :func:`imagesize.get`; unreadable dimensions are a refusal too."""
    wanted = IMAGE_DIMENSIONS.get(image_type)
    if wanted is None:
        return None
    try:
        width, height = imagesize.get(str(path))
    except (ValueError, OSError, struct.error, IndexError, TypeError):
        width = height = -1
    why = f"for image type {image_type!r} ({IMAGE_DIMENSIONS_SOURCE}; sandbox --image-sizes strict)"
    if width < 0 or height < 0:
        return f"expected {wanted[0]}x{wanted[1]}, but the dimensions cannot be read, {why}"
    if (int(width), int(height)) == wanted:
        return None
    return f"expected {wanted[0]}x{wanted[1]}, got {width}x{height} {why}"


def register(router: Router, state: SandboxState) -> None:
    """Route ``POST /rest/3/assets/images/<image_type>`` over ``state``."""
    routes = ImageRoutes(state)
    router.add(
        "/rest/3/assets/images/<image_type>",
        "image",
        routes.image,
        methods=["POST"],
        fault="image",
    )


class ImageRoutes:
    """The listing image handler over ``state``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def image(self, call: Call) -> Response:
        """``POST /rest/3/assets/images/{imageType}``: store a listing image (see the
        module docstring)."""
        image_type = call.args["image_type"]
        if len(image_type) > 64 or not _IMAGE_TYPE.match(image_type):
            return invalid(
                f"image type {image_type!r} is not a lowercase slug such as icon or banner"
            )
        limit = self.state.config.max_image_bytes
        length = call.request.content_length
        if length is not None and length > limit + MULTIPART_OVERHEAD_BYTES:
            return too_large(f"the request body is {length} bytes; an image may be at most {limit}")
        received = receive_file(call, self.state.store.new_upload, limit)
        if isinstance(received, Response):
            return received
        writer, client_name = received
        try:
            writer.seek(0)
            head = writer.read(16)
            writer.close()
            mime = sniff_image(head)
            name = logical_name(client_name, "image")
            if mime is None:
                return invalid(
                    f"{name!r} is not a PNG, JPEG, GIF or BMP image (checked by its first bytes)"
                )
            if self.state.config.image_sizes == "strict":
                refusal = size_refusal(image_type, writer.path)
                if refusal is not None:
                    return invalid(f"{name!r}: {refusal}")
            record = ImageRecord(
                id=new_id(),
                image_type=image_type,
                file_name=name,
                mime_type=mime,
                size=writer.size,
                sha512=writer.sha512,
                created=self.state.clock.wall(),
            )
            self.state.store.add_image(record, writer.path)
            return json_response(
                {
                    "id": record.id,
                    "mediaType": "image",
                    "mimeType": mime,
                    "name": name,
                    "size": record.size,
                }
            )
        finally:
            writer.discard()
