"""The Marketplace REST API v3 client. Knows HTTP and the API's shapes, nothing of CI.

INTERFACE STUB: to be implemented (see the docstrings for the contract).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..clock import Clock, SystemClock
from .models import Artifact, Media

#: progress(sent_bytes, total_bytes) called during an upload, at most ~4 times a second.
ProgressCallback = Callable[[int, int], None]
#: log(message) for one line of human-readable progress (retries, waits).
LogCallback = Callable[[str], None]


@dataclass(frozen=True)
class Timeouts:
    """Seconds: ``connect`` to establish a connection, ``read`` between bytes of a
    response (and, for uploads, the longest the server may stay silent after the body
    was sent), ``total`` an overall bound for one request attempt's response wait."""

    connect: float = 10.0
    read: float = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter disabled (deterministic):
    wait ``min(cap, base * 2**(attempt-1))`` seconds, or the server's ``Retry-After``
    when given. ``attempts`` counts the first try. ``deadline`` (seconds from the call,
    None = none) ends retrying early when the next wait would pass it."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0
    deadline: float | None = 600.0


class MarketplaceClient:
    """One ``requests.Session`` with HTTP Basic auth (``user:token``), a User-Agent
    ``release-publisher/<version>``, connect/read timeouts on every call.

    ``base_url`` e.g. ``https://api.atlassian.com/marketplace`` (paths ``/rest/3/...``
    are appended). ``ca_bundle``: an extra CA file for TLS (added to the default store,
    or used as ``verify``). Refuses to send credentials over plain ``http://`` to a
    non-loopback host (raises :class:`~release_publisher.errors.UsageError`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        user: str,
        token: str,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str | None = None,
        clock: Clock | None = None,
        log: LogCallback | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.clock = clock or SystemClock()
        raise NotImplementedError

    def upload_artifact(
        self, path: Path, *, progress: ProgressCallback | None = None
    ) -> tuple[Artifact, str]:
        """``POST /rest/3/artifacts`` (multipart, part ``file``), streamed from disk in
        large blocks with SHA-512 computed in the same pass. Returns the artifact and
        the local SHA-512 hex of the bytes sent."""
        raise NotImplementedError

    def fetch_artifact(self, uri: str) -> Artifact:
        """``POST /rest/3/artifacts/fetch`` with JSON ``{"uri": uri}``."""
        raise NotImplementedError

    def get_artifact(self, artifact_id: str) -> Artifact:
        """``GET /rest/3/artifacts/{artifact_id}``."""
        raise NotImplementedError

    def upload_image(
        self, image_type: str, path: Path, *, progress: ProgressCallback | None = None
    ) -> Media:
        """``POST /rest/3/assets/images/{image_type}`` (multipart, part ``file``)."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the session."""
        raise NotImplementedError
