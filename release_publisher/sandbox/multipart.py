"""Streaming a ``multipart/form-data`` request's ``file`` part to disk (artifact and
listing image uploads), hashed with SHA-512 on the way.

Knows the store's :class:`~.store.HashingWriter` and werkzeug's form parser; nothing
of what the file is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, cast

from werkzeug.formparser import parse_form_data
from werkzeug.wrappers import Response

from .http import Call, invalid
from .store import HashingWriter

#: Allowance for multipart framing on top of the file part's limit, bytes.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
MAX_FORM_PARTS = 16
#: Largest non-file multipart field, bytes (werkzeug also applies it to its parse
#: buffer, so it must stay well above the 64 KiB read size).
MAX_FORM_FIELD_BYTES = 1024 * 1024


def receive_file(
    call: Call, new_upload: Callable[[int], HashingWriter], limit: int
) -> tuple[HashingWriter, str | None] | Response:
    """Stream the multipart body of ``call`` to writers from ``new_upload(limit)``.

    Returns the ``file`` part's writer (at most ``limit`` bytes, hashed; the caller
    discards it) and its client-side file name, and records name, size and checksum in
    the request-log entry. Returns a 400 ``VALIDATION_FAILED`` Response for a malformed
    body or one without a ``file`` part. Raises :class:`~.store.TooLarge` or werkzeug's
    ``RequestEntityTooLarge`` when over the limit (the dispatcher answers 413)."""
    writers: list[HashingWriter] = []

    def factory(
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        writer = new_upload(limit)
        writers.append(writer)
        return cast(IO[bytes], writer)

    chosen: HashingWriter | None = None
    client_name: str | None = None
    try:
        _, _, files = parse_form_data(
            call.request.environ,
            stream_factory=factory,
            max_form_memory_size=MAX_FORM_FIELD_BYTES,
            max_content_length=limit + MULTIPART_OVERHEAD_BYTES,
            silent=False,
            max_form_parts=MAX_FORM_PARTS,
        )
        storage = files.get("file")
        if storage is not None:
            chosen = cast(HashingWriter, storage.stream)
            client_name = storage.filename
    except ValueError as exc:
        return invalid(f"malformed multipart/form-data body: {exc}")
    finally:
        for writer in writers:
            if writer is not chosen:
                writer.discard()
    if chosen is None:
        return invalid(
            "expected a multipart/form-data body with a part named 'file' "
            f"(Content-Type was {call.request.mimetype or 'not set'})"
        )
    if call.entry is not None:
        call.entry.update(file_name=client_name, file_size=chosen.size, file_sha512=chosen.sha512)
    return chosen, client_name
