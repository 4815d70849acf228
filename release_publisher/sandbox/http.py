"""The request context and the JSON responses every sandbox route shares.

Every error body has one shape::

    {"code": "VALIDATION_FAILED", "message": "...",
     "errors": [{"code": "VALIDATION_FAILED", "message": "..."}]}

This module knows werkzeug's Request/Response and nothing of the sandbox's state.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

#: Largest JSON request body (fetch, admin, versions), bytes.
MAX_JSON_BYTES = 64 * 1024


@dataclass
class Call:
    """One request being handled: the werkzeug ``request``, the URL ``args`` of the
    matched rule and its request-log ``entry`` (None for admin paths)."""

    request: Request
    args: dict[str, str]
    entry: dict[str, Any] | None


#: A route handler: gets the call, returns the response.
Handler = Callable[[Call], Response]


def json_response(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``body`` as ``application/json``."""
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A JSON error in the sandbox's one shape (see the module docstring)."""
    body = {"code": code, "message": message, "errors": [{"code": code, "message": message}]}
    return json_response(body, status, headers)


def invalid(message: str) -> Response:
    """400 ``VALIDATION_FAILED``."""
    return error_response(400, "VALIDATION_FAILED", message)


def too_large(message: str) -> Response:
    """413 ``PAYLOAD_TOO_LARGE``."""
    return error_response(413, "PAYLOAD_TOO_LARGE", message)


def not_found(message: str) -> Response:
    """404 ``NOT_FOUND``."""
    return error_response(404, "NOT_FOUND", message)


def read_json(request: Request) -> Any:
    """The decoded JSON body (at most :data:`MAX_JSON_BYTES`), or an error Response
    (413 when larger, 400 when not UTF-8 JSON)."""
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        return too_large(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    stream = get_input_stream(request.environ, max_content_length=MAX_JSON_BYTES)
    data = stream.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        return too_large(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return invalid(f"the request body is not valid JSON ({exc})")


def offset_cursor(offset: int) -> str:
    """The opaque ``cursor`` of a page starting at item ``offset`` (URL-safe base64 of
    ``o<offset>``, as the emulator's offset-paged endpoints hand it out)."""
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def offset_of_cursor(cursor: str) -> int | None:
    """The item offset an :func:`offset_cursor` encodes; None for any other text."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(raw[1:]) if raw.startswith("o") and raw[1:].isdigit() else None
