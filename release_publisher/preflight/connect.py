"""Reading a Connect descriptor (a JSON object with a string ``key``) strictly: at most
:data:`MAX_CONNECT_BYTES`, UTF-8 JSON, one meaning for every reader.

JSON parsers disagree on duplicate object keys (Python's and most JavaScript ones keep
the last, others the first or refuse) and on ``NaN``/``Infinity`` (not JSON at all, but
Python accepts them), so a descriptor holding either could carry another app key for
Marketplace than for pre-flight: both are refused, anywhere in the document.

May import: :mod:`release_publisher.errors`, :mod:`release_publisher.limits`,
:mod:`.model`. Knows nothing of zips or the config.
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..errors import FileCheckError
from ..limits import human_size
from .model import Descriptor

#: Largest Connect descriptor JSON read, bytes.
MAX_CONNECT_BYTES = 1024 * 1024


class _Ambiguous(ValueError):
    """A JSON construct readers disagree on (duplicate key, NaN, Infinity)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Ambiguous(
                f"the key {key[:80]!r} appears twice in one JSON object; JSON readers"
                " disagree on which value counts"
            )
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _Ambiguous(f"{name} is not a JSON number")


def parse_strict_json(text: str) -> Any:
    """``text`` parsed as JSON, refusing duplicate object keys and ``NaN``,
    ``Infinity``, ``-Infinity``. Raises ValueError (with the reason) or
    RecursionError (nesting too deep)."""
    return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)


def read_connect(f: IO[bytes], size: int, *, shown: str) -> Descriptor:
    """The identity (``key``, ``name``; version None) of the Connect descriptor ``f``
    (``size`` bytes), named ``shown`` in messages. Raises :class:`FileCheckError` for
    a descriptor over :data:`MAX_CONNECT_BYTES`, invalid UTF-8 or JSON, a duplicate key
    or NaN/Infinity anywhere, a JSON value that is not an object, or no string ``key``."""
    if size > MAX_CONNECT_BYTES:
        raise FileCheckError(
            f"{shown} is {human_size(size)}; a Connect descriptor is read up to"
            f" {human_size(MAX_CONNECT_BYTES)}",
            hint="a Connect descriptor is a few KiB of JSON: point the pattern at it",
        )
    raw = f.read(MAX_CONNECT_BYTES + 1)
    try:
        body = parse_strict_json(raw.decode("utf-8-sig"))
    except _Ambiguous as exc:
        raise FileCheckError(
            f"{shown}: {exc}",
            hint="fix the Connect descriptor: each key once per object, numbers finite"
            " (no NaN or Infinity)",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FileCheckError(
            f"{shown} is not valid JSON ({str(exc)[:200] or type(exc).__name__})",
            hint="fix the Connect descriptor (UTF-8 JSON object) and try again",
        ) from None
    if not isinstance(body, dict):
        raise FileCheckError(
            f"{shown} is JSON but not an object",
            hint="a Connect descriptor is a JSON object with a string 'key'",
        )
    key = body.get("key")
    if not isinstance(key, str) or not key.strip():
        raise FileCheckError(
            f"{shown} has no string 'key' (found {type(key).__name__}: {str(key)[:80]!r})",
            hint="a Connect descriptor declares the app key in 'key'",
        )
    name = body.get("name")
    return Descriptor(
        key=key,
        version=None,
        name=name if isinstance(name, str) else None,
        source="descriptor JSON",
    )
