"""Poll ``GET /rest/3/artifacts/{id}`` until Marketplace has processed an artifact.

Waits with backoff: the first wait is ``min(polling.interval, POLL_FIRST)`` seconds,
each next one ``POLL_FACTOR`` times longer, up to ``polling.interval``. A
``Retry-After`` replaces the backoff; 404/429/5xx and transport failures are
transient. The wait has ONE deadline (``polling.timeout`` after it starts, kept on
the run): the sleeps stop at it and the client's retries of each poll request are cut
at it; past it the run ends with :class:`ProcessingTimeout` (exit 6).
"""

from __future__ import annotations

import logging

from ..errors import ApiError, ProcessingTimeout
from ..marketplace.models import Artifact, check_artifact_answer, check_details_types
from ..preflight.model import LocalArtifact
from ..result import ArtifactResult
from .run import Run

log = logging.getLogger("release_publisher")

#: Statuses worth polling through: the artifact may not be visible yet (404), or
#: Marketplace is briefly unavailable (429, 5xx). Anything else ends the run.
TRANSIENT_POLL_STATUSES = frozenset({404, 408, 425, 429, 500, 502, 503, 504})
#: Poll backoff: the first wait is ``min(polling.interval, POLL_FIRST)`` seconds, each
#: next one ``POLL_FACTOR`` times longer, up to ``polling.interval`` (the longest wait
#: between two polls; default 2 s). A ready artifact is noticed at most one interval
#: after it becomes ready, with about ``duration / interval`` requests.
POLL_FIRST = 1.0
POLL_FACTOR = 1.5


def record_artifact(record: ArtifactResult, artifact: Artifact) -> None:
    """Copy what Marketplace reports of ``artifact`` (ID, binary link, checksum, key,
    version, size) into ``record``; fields it does not report are left as they are."""
    record.id = artifact.id
    record.binary = artifact.binary_url
    if artifact.checksum:
        record.checksum = artifact.checksum
    if artifact.key:
        record.key = artifact.key
    if artifact.version:
        record.version = artifact.version
    if artifact.size is not None and record.size is None:
        record.size = artifact.size


def needed_details(local: LocalArtifact) -> tuple[str, ...]:
    """The ``details`` fields that must be present before verification: ``key`` (and
    ``version``, except for a Connect descriptor)."""
    if local.kind == "connect":
        return ("key",)
    return ("key", "version")


def is_ready(local: LocalArtifact, artifact: Artifact) -> bool:
    """True when ``artifact.details`` holds every :func:`needed_details` field as a
    non-empty string."""
    details = artifact.details or {}
    return all(isinstance(details.get(f), str) and details.get(f) for f in needed_details(local))


def poll_until_ready(
    run: Run, local: LocalArtifact, artifact: Artifact, record: ArtifactResult
) -> Artifact:
    """Poll ``GET /rest/3/artifacts/{id}`` until ``details`` is complete; returns the
    processed artifact (``record`` follows every answer).

    Raises :class:`ProcessingTimeout` at ``polling.timeout`` seconds (the run's
    deadline, which also bounds the client's retries), the :class:`ApiError` of a
    non-transient status, and :class:`~release_publisher.errors.VerificationError` at
    once when an answer is another artifact (another ID) or reports the key or version
    as no string (:func:`~release_publisher.marketplace.models.check_details_types`).
    """
    check_details_types(artifact, needed_details(local))
    if is_ready(local, artifact):
        return artifact
    api = run.require_api()
    clock = run.clock
    config = run.plan.config
    start = clock.monotonic()
    deadline = run.start_wait(config.poll_timeout)
    cap = config.poll_interval
    delay = min(config.poll_interval, POLL_FIRST)
    polls = 0
    last_state = "details not yet available"
    log.info("Waiting for Marketplace to process artifact %s", artifact.id)
    while True:
        now = clock.monotonic()
        if now + delay > deadline:
            delay = deadline - now
        if delay > 0:
            clock.sleep(delay)
        polls += 1
        try:
            current = api.get_artifact(artifact.id, deadline=deadline)
        except ApiError as err:
            if err.status is not None and err.status not in TRANSIENT_POLL_STATUSES:
                raise
            last_state = (
                f"HTTP {err.status}" if err.status is not None else "no response (transport)"
            )
            log.info("Poll %d: %s; still waiting", polls, last_state)
            retry_after = err.retry_after
        else:
            check_artifact_answer(artifact.id, current)
            check_details_types(current, needed_details(local))
            record_artifact(record, current)
            if is_ready(local, current):
                log.info(
                    "Processed after %.1f s (%d poll%s)",
                    clock.monotonic() - start,
                    polls,
                    "" if polls == 1 else "s",
                )
                return current
            missing = [f for f in needed_details(local) if not (current.details or {}).get(f)]
            last_state = (
                "details not yet available"
                if current.details is None
                else f"details without {', '.join(missing)}"
            )
            log.debug("Poll %d: %s", polls, last_state)
            retry_after = None
        if clock.monotonic() >= deadline:
            raise ProcessingTimeout(
                f"artifact {artifact.id} ({local.name}) was not processed within "
                f"{config.poll_timeout:g} s ({polls} polls; last: {last_state})",
                hint="raise polling.timeout (or the poll-timeout input), or check the "
                "artifact in Marketplace later; its ID is in the result",
            )
        delay = retry_after if retry_after is not None else min(cap, delay * POLL_FACTOR)
        # never faster than the first poll wait, whatever Retry-After says (0, a past
        # date): a server cannot make the run hammer it
        delay = max(delay, min(config.poll_interval, POLL_FIRST), 0.05)
