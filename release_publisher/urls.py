"""URL rules shared by every part that talks to Marketplace: the base-URL check, the
loopback test for plain ``http://``, and the display-safe form of a URL.

Dependency-free: the standard library, :mod:`release_publisher.errors` and
:mod:`release_publisher.safe_text` only.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import UsageError
from .safe_text import one_line

__all__ = ["check_base_url", "is_loopback", "path_segment", "safe_url"]

_EXAMPLE = "use e.g. https://api.atlassian.com/marketplace"


def is_loopback(host: str) -> bool:
    """True when ``host`` (a name or IP literal, optionally ``[bracketed]`` or with a
    trailing dot) is ``localhost`` or a loopback address (127.0.0.0/8, ``::1``)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def safe_url(url: str) -> str:
    """``url`` fit to print: scheme, host, port and path; user info, query and fragment
    dropped (they may carry secrets), a query shown as ``?...``; control characters
    escaped (:func:`~release_publisher.safe_text.one_line`), so it is one line."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    tail = "?..." if parts.query else ""
    return one_line(f"{parts.scheme}://{netloc}{parts.path}{tail}")


def check_base_url(text: str, *, name: str = "base-url") -> str:
    """The Marketplace base URL ``text`` stripped of whitespace and trailing slashes,
    e.g. ``https://api.atlassian.com/marketplace`` (``/rest/3/...`` paths are appended
    to it). ``name`` is what the messages call it (``--base-url``, an environment
    variable; default ``base-url``, the config field).

    Raises :class:`~release_publisher.errors.UsageError` when it holds a backslash,
    whitespace or a control character (parsers disagree on where the host ends), is
    not an http(s) URL with a host, has an invalid port, carries a user name or
    password (never shown), a query or a fragment, or is plain ``http://`` to a host
    that is not loopback (credentials would travel in clear text).
    """
    text = (text or "").strip().rstrip("/")
    odd = next((c for c in text if c == "\\" or c.isspace() or not c.isprintable()), None)
    if odd is not None:
        raise UsageError(
            f"{name} contains {_describe_char(odd)}, which URL parsers read differently",
            hint=_EXAMPLE,
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        # user info or a query may hold a secret: never shown
        secret = parts.username is not None or parts.password is not None or parts.query
        shown = safe_url(text) if secret else repr(text)
        raise UsageError(f"{name} {shown} is not an http(s) URL", hint=_EXAMPLE)
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise UsageError(f"{name} has an invalid port", hint=_EXAMPLE) from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{name} must not contain a user name or password (not shown)",
            hint="give credentials through MARKETPLACE_USER and MARKETPLACE_TOKEN",
        )
    if parts.query or parts.fragment:
        raise UsageError(
            f"{name} {safe_url(text)} must not have a query or fragment", hint=_EXAMPLE
        )
    if scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"refusing to send credentials over plain http:// to {parts.hostname}",
            hint=f"use an https:// {name} (plain http is allowed only for loopback hosts "
            "such as 127.0.0.1 or localhost, e.g. the sandbox)",
        )
    return text


def _describe_char(ch: str) -> str:
    if ch == "\\":
        return "a backslash"
    return f"the character U+{ord(ch):04X}"


def path_segment(value: Any, what: str, hint: str) -> str:
    """``value`` stripped and percent-encoded as one URL path segment (``/`` too);
    raises :class:`~release_publisher.errors.UsageError` naming ``what`` (``app key``)
    with ``hint`` when it is not a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"the {what} is empty", hint=hint)
    return quote(value.strip(), safe="")
