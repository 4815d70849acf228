"""Downloading an artifact for ``POST /rest/3/artifacts/fetch``, bounded in size and
time, http/https only."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import requests

from ..limits import MAX_ARTIFACT_BYTES
from .store import HashingWriter, TooLarge


class FetchError(Exception):
    """The URI could not be downloaded; ``str()`` says why (never a credential)."""


@dataclass(frozen=True)
class FetchLimits:
    """Bounds of one download: ``max_bytes`` of body, ``connect``/``read`` timeouts and
    a ``total`` deadline, in seconds; at most ``max_redirects`` redirects."""

    max_bytes: int = MAX_ARTIFACT_BYTES
    connect: float = 10.0
    read: float = 10.0
    total: float = 60.0
    max_redirects: int = 5


class Fetcher(Protocol):
    """Downloads ``uri`` into ``sink`` within ``limits``; raises :class:`FetchError`."""

    def __call__(self, uri: str, sink: HashingWriter, limits: FetchLimits) -> None:
        """Write the body of ``uri`` to ``sink``."""
        ...


def safe_url(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    except ValueError:
        return "<malformed URI>"


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_fetch(uri: str, sink: HashingWriter, limits: FetchLimits) -> None:
    """Download ``uri`` (http or https) into ``sink`` with :mod:`requests`, following at
    most ``limits.max_redirects`` redirects. Proxy settings from the environment are
    honoured except for loopback hosts.

    Raises :class:`FetchError` on a connection failure, a timeout, a non-2xx status, a
    body over ``limits.max_bytes`` or a download longer than ``limits.total`` seconds.
    """
    shown = safe_url(uri)
    deadline = time.monotonic() + limits.total
    with requests.Session() as session:
        session.max_redirects = limits.max_redirects
        session.trust_env = not _is_loopback(urlsplit(uri).hostname)
        try:
            with session.get(
                uri,
                stream=True,
                timeout=(limits.connect, limits.read),
                headers={"Accept": "*/*", "User-Agent": "release-publisher-sandbox"},
            ) as response:
                if not 200 <= response.status_code < 300:
                    raise FetchError(f"{shown} answered HTTP {response.status_code}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise FetchError(
                        f"{shown} is {declared} bytes, over the {limits.max_bytes}-byte limit"
                    )
                for chunk in response.iter_content(chunk_size=1 << 20):
                    sink.write(chunk)
                    if time.monotonic() > deadline:
                        raise FetchError(
                            f"downloading {shown} took longer than {limits.total:g} seconds"
                        )
        except TooLarge as exc:
            raise FetchError(f"{shown} is over the {limits.max_bytes}-byte limit") from exc
        except requests.TooManyRedirects as exc:
            raise FetchError(f"{shown} redirected more than {limits.max_redirects} times") from exc
        except requests.Timeout as exc:
            raise FetchError(f"timed out downloading {shown}") from exc
        except requests.RequestException as exc:
            raise FetchError(f"could not download {shown}: {type(exc).__name__}") from exc
