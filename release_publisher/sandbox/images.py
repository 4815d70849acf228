"""The listing image endpoint: ``POST /rest/3/assets/images/{imageType}`` (multipart,
part ``file``; fault-queue endpoint name ``image``).

Any lowercase slug is an image type; the type is checked by magic bytes (PNG, JPEG,
GIF, BMP; else 400 ``VALIDATION_FAILED``); at most ``config.max_image_bytes`` (else 413).
Answers ``{id, mediaType: "image", mimeType, name, size}``.

Knows the state (store, clock, config), :mod:`.inspect` and :mod:`.multipart`; nothing
of artifacts or versions.
"""

from __future__ import annotations

import re

from werkzeug.wrappers import Response

from .http import Call, invalid, json_response, too_large
from .inspect import sniff_image
from .multipart import MULTIPART_OVERHEAD_BYTES, receive_file
from .routing import Router
from .state import SandboxState
from .store import ImageRecord, logical_name, new_id

_IMAGE_TYPE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


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
