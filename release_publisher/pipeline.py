"""Orchestration: a checked :class:`~release_publisher.preflight.model.Plan` ->
Marketplace calls -> verification -> :class:`~release_publisher.result.ReleaseResult`.

For each artifact, in config order: upload (``POST /rest/3/artifacts``, at least
``uploads.spacing`` seconds between upload starts) or fetch
(``POST /rest/3/artifacts/fetch``); poll ``GET /rest/3/artifacts/{id}`` until
``details`` carries what must be verified; verify key, version, ``expect`` fields and
the checksum. Only when every artifact is verified are the listing images uploaded
(``POST /rest/3/assets/images/{imageType}``), in config order, files sorted.

The result is filled in as the run goes, and ``checkpoint`` is called after every
change, so whatever finished before a failure (an uploaded artifact ID) is kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .clock import Clock
from .errors import (
    ApiError,
    ProcessingTimeout,
    VerificationError,
)
from .limits import human_size
from .marketplace.models import Artifact, Media
from .marketplace.upload import sha512_file
from .preflight.model import LocalArtifact, LocalImage, Plan
from .result import (
    STATUS_PUBLISHED,
    ArtifactResult,
    ImageResult,
    ReleaseResult,
)
from .resume import PreviousRun

if TYPE_CHECKING:
    from .version_stage import VersionStage

log = logging.getLogger("release_publisher")

#: progress(sent_bytes, total_bytes)
Progress = Callable[[int, int], None]
#: make_progress(label, total_bytes) -> a progress callback (a bar, or log lines)
ProgressFactory = Callable[[str, int], Progress]

#: Statuses worth polling through: the artifact may not be visible yet (404), or
#: Marketplace is briefly unavailable (429, 5xx). Anything else ends the run.
TRANSIENT_POLL_STATUSES = frozenset({404, 408, 425, 429, 500, 502, 503, 504})
#: Poll backoff: the first wait is ``min(polling.interval, POLL_FIRST)`` seconds, each
#: next one ``POLL_FACTOR`` times longer, up to ``polling.interval`` (the longest wait
#: between two polls; default 2 s). A ready artifact is noticed at most one interval
#: after it becomes ready, with about ``duration / interval`` requests.
POLL_FIRST = 1.0
POLL_FACTOR = 1.5


class MarketplaceApi(Protocol):
    """What the pipeline needs of the Marketplace client (see
    :class:`release_publisher.marketplace.client.MarketplaceClient`)."""

    def upload_artifact(
        self, path: Path, *, progress: Progress | None = None
    ) -> tuple[Artifact, str]:
        """``POST /rest/3/artifacts``: the artifact and the local SHA-512 hex."""
        ...

    def fetch_artifact(self, uri: str) -> Artifact:
        """``POST /rest/3/artifacts/fetch``."""
        ...

    def get_artifact(self, artifact_id: str) -> Artifact:
        """``GET /rest/3/artifacts/{artifact_id}``."""
        ...

    def upload_image(
        self,
        image_type: str,
        path: Path,
        *,
        progress: Progress | None = None,
        content_type: str | None = None,
    ) -> Media:
        """``POST /rest/3/assets/images/{image_type}``."""
        ...


class Phases(Protocol):
    """Folds the log of a phase (a CI host's group); see hosts.base.Host.group."""

    def group(self, title: str) -> Any:
        """A context manager around the phase titled ``title``."""
        ...


def new_result(plan: Plan, *, base_url: str | None = None) -> ReleaseResult:
    """A ``ReleaseResult`` listing every planned artifact and image (state
    ``planned``, no IDs yet)."""
    config = plan.config
    result = ReleaseResult(app_key=config.app_key, version=config.version, base_url=base_url)
    for art in plan.artifacts:
        result.artifacts.append(
            ArtifactResult(
                name=art.name,
                source=art.spec.source,
                file=_display_path(art.path, config.base_dir) if art.path else None,
                url=art.spec.url,
                size=art.size,
            )
        )
    for img in plan.images:
        result.images.append(
            ImageResult(
                type=img.type,
                file=_display_path(img.path, config.base_dir),
                width=img.width,
                height=img.height,
                size=img.size,
            )
        )
    result.warnings.extend(plan.warnings)
    return result


def _display_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when below it, else absolute, as text."""
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


@dataclass
class Pipeline:
    """Runs a release. ``api`` is the Marketplace client; ``clock`` times pacing and
    polling (seconds); ``phases`` folds the log (a CI host); ``progress`` makes upload
    progress callbacks; ``checkpoint(result)`` persists the result after each step (it
    must not raise)."""

    plan: Plan
    api: MarketplaceApi
    clock: Clock
    phases: Phases
    progress: ProgressFactory | None = None
    checkpoint: Callable[[ReleaseResult], None] | None = None
    #: a previous run of the same release to take verified artifacts and images from
    previous: PreviousRun | None = None
    #: the ``release:`` section's stage (version and listing), if the config has one
    version_stage: VersionStage | None = None
    #: the name of the artifact being worked on (None outside artifacts), for errors
    current: str | None = None

    def run(self, result: ReleaseResult) -> ReleaseResult:
        """Publish every artifact and image of the plan into ``result``.

        Returns ``result`` with status ``published``. Raises the
        :class:`~release_publisher.errors.ReleasePublisherError` that stopped the run
        (the caller records it in ``result``); ``result`` keeps what finished.
        """
        self._last_upload_start: float | None = None
        self._result = result
        stage = self.version_stage
        if stage is not None:
            with self._phase("App version plan", "version-plan"):
                stage.prepare(result)
            if stage.already_published is not None:
                result.status = STATUS_PUBLISHED
                self._save()
                return result
        for local, record in zip(self.plan.artifacts, result.artifacts, strict=True):
            if (
                stage is not None
                and stage.existing_version is not None
                and local.name == stage.spec.artifact
            ):
                continue  # the version exists with this very artifact: nothing to upload
            self.current = local.name
            with self._phase(f"Artifact {local.name}", local.name):
                self._publish_artifact(local, record)
        self.current = None
        if self.plan.images:
            with self._phase("Listing images", "images"):
                for local_img, img_record in zip(self.plan.images, result.images, strict=True):
                    try:
                        self._upload_image(local_img, img_record)
                    finally:
                        self._save()
        if stage is not None:
            with self._phase("App version", "version"):
                stage.finish(result)
        result.status = STATUS_PUBLISHED
        self._save()
        return result

    # -- artifacts ---------------------------------------------------------------

    def _publish_artifact(self, local: LocalArtifact, record: ArtifactResult) -> None:
        entry = self.previous.uploaded_artifact(local.name) if self.previous else None
        if entry is not None and self._reuse(local, record, entry):
            return
        if self.previous is not None and entry is None:
            log.info("Resuming: the previous run did not upload artifact %s", local.name)
        if local.path is not None:
            self._pace(local)
            size = local.size or 0
            log.info("Uploading %s (%s) to POST /rest/3/artifacts", record.file, human_size(size))
            progress = self.progress(record.file or local.name, size) if self.progress else None
            artifact, local_sha = self.api.upload_artifact(local.path, progress=progress)
            expected_sha: str | None = local_sha
            log.info("Uploaded: artifact ID %s", artifact.id)
        else:
            assert local.spec.url is not None
            log.info(
                "Asking Marketplace to fetch %s (POST /rest/3/artifacts/fetch)", local.spec.url
            )
            artifact = self.api.fetch_artifact(local.spec.url)
            expected_sha = local.spec.sha512
            log.info("Fetched: artifact ID %s", artifact.id)
        self._record(record, artifact)
        record.state = "uploaded"
        self._save()  # an artifact ID was just obtained
        artifact = self._poll(local, artifact, record)
        self._verify(local, artifact, record, expected_sha)
        record.state = "verified"

    def _reuse(self, local: LocalArtifact, record: ArtifactResult, entry: dict[str, Any]) -> bool:
        """Take over the artifact a previous run got onto Marketplace: read it again
        (``GET /rest/3/artifacts/{id}``), poll until it is processed, check that it holds
        the same bytes (its checksum) and verify it again.

        Returns False (upload again, the log says why) when Marketplace no longer has it
        (404), reports no checksum, or reports another checksum than the local file's.
        Raises :class:`VerificationError` when the bytes are the same but the key,
        version or an ``expect`` field does not match (uploading them again would not
        help), and the errors of polling."""
        artifact_id = str(entry["id"])
        log.info(
            "Resuming: re-checking artifact %s (ID %s, %s in the previous run)",
            local.name,
            artifact_id,
            entry.get("state"),
        )
        try:
            artifact = self.api.get_artifact(artifact_id)
        except ApiError as err:
            if err.status == 404:
                log.info(
                    "Artifact %s is no longer on Marketplace (404): uploading again", artifact_id
                )
                return False
            raise
        if local.path is not None:
            expected: str | None = sha512_file(local.path)
        else:
            expected = local.spec.sha512 or entry.get("checksum")
        self._record(record, artifact)
        artifact = self._poll(local, artifact, record)
        reported = artifact.reported_sha512()
        if expected is None or reported is None or reported != expected:
            why = (
                "Marketplace reports no checksum for it, so it cannot be shown to hold these bytes"
                if reported is None or expected is None
                else "it holds other bytes than the local file (SHA-512 differs: rebuilt since?)"
            )
            log.info("Not reusing artifact %s: %s; uploading again", artifact_id, why)
            record.id = record.checksum = record.key = record.version = record.binary = None
            record.verified = {}
            return False
        self._verify(local, artifact, record, expected)
        record.state = "verified"
        record.reused = True
        log.info("Reusing artifact %s (ID %s): nothing uploaded", local.name, artifact_id)
        return True

    def _pace(self, local: LocalArtifact) -> None:
        """Wait until ``uploads.spacing`` seconds have passed since the previous upload
        started (Marketplace asks for at least 10 s between uploads)."""
        spacing = self.plan.config.upload_spacing
        now = self.clock.monotonic()
        if self._last_upload_start is not None and spacing > 0:
            wait = self._last_upload_start + spacing - now
            if wait > 0:
                log.info(
                    "Waiting %.1f s before uploading %s (uploads.spacing: %g s between uploads)",
                    wait,
                    local.name,
                    spacing,
                )
                self.clock.sleep(wait)
        self._last_upload_start = self.clock.monotonic()

    @staticmethod
    def _record(record: ArtifactResult, artifact: Artifact) -> None:
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

    def _needs(self, local: LocalArtifact) -> tuple[str, ...]:
        """The ``details`` fields that must be present before verification."""
        if local.kind == "connect":
            return ("key",)
        return ("key", "version")

    def _ready(self, local: LocalArtifact, artifact: Artifact) -> bool:
        details = artifact.details or {}
        return all(isinstance(details.get(f), str) and details.get(f) for f in self._needs(local))

    def _poll(self, local: LocalArtifact, artifact: Artifact, record: ArtifactResult) -> Artifact:
        """Poll ``GET /rest/3/artifacts/{id}`` until ``details`` is complete.

        Waits with backoff (:data:`POLL_FIRST`, :data:`POLL_FACTOR`, up to
        ``polling.interval``), honours ``Retry-After``, treats 404/429/5xx and transport
        failures as transient, and raises :class:`ProcessingTimeout` at
        ``polling.timeout`` seconds.
        """
        if self._ready(local, artifact):
            return artifact
        config = self.plan.config
        start = self.clock.monotonic()
        deadline = start + config.poll_timeout
        cap = config.poll_interval
        delay = min(config.poll_interval, POLL_FIRST)
        polls = 0
        last_state = "details not yet available"
        log.info("Waiting for Marketplace to process artifact %s", artifact.id)
        while True:
            now = self.clock.monotonic()
            if now + delay > deadline:
                delay = deadline - now
            if delay > 0:
                self.clock.sleep(delay)
            polls += 1
            try:
                current = self.api.get_artifact(artifact.id)
            except ApiError as err:
                if err.status is not None and err.status not in TRANSIENT_POLL_STATUSES:
                    raise
                last_state = (
                    f"HTTP {err.status}" if err.status is not None else "no response (transport)"
                )
                log.info("Poll %d: %s; still waiting", polls, last_state)
                retry_after = err.retry_after
            else:
                self._record(record, current)
                if self._ready(local, current):
                    log.info(
                        "Processed after %.1f s (%d poll%s)",
                        self.clock.monotonic() - start,
                        polls,
                        "" if polls == 1 else "s",
                    )
                    return current
                missing = [f for f in self._needs(local) if not (current.details or {}).get(f)]
                last_state = (
                    "details not yet available"
                    if current.details is None
                    else f"details without {', '.join(missing)}"
                )
                log.debug("Poll %d: %s", polls, last_state)
                retry_after = None
            if self.clock.monotonic() >= deadline:
                raise ProcessingTimeout(
                    f"artifact {artifact.id} ({local.name}) was not processed within "
                    f"{config.poll_timeout:g} s ({polls} polls; last: {last_state})",
                    hint="raise polling.timeout (or the poll-timeout input), or check the "
                    "artifact in Marketplace later; its ID is in the result",
                )
            delay = retry_after if retry_after is not None else min(cap, delay * POLL_FACTOR)
            delay = max(delay, 0.05)

    def _verify(
        self,
        local: LocalArtifact,
        artifact: Artifact,
        record: ArtifactResult,
        expected_sha: str | None,
    ) -> None:
        """Compare what Marketplace reports with the config and the local file; raise
        :class:`VerificationError` listing every mismatch with both values."""
        config = self.plan.config
        details = artifact.details or {}
        problems: list[str] = []
        verified: dict[str, Any] = {}

        def check(field: str, expected: Any, actual: Any, what: str) -> None:
            if actual == expected and type(actual) is type(expected):
                verified[field] = actual
            else:
                problems.append(f"{what}: expected {expected!r}, Marketplace reports {actual!r}")

        check("key", config.app_key, details.get("key"), "app key")
        if "version" in self._needs(local):
            check("version", config.version, details.get("version"), "version")
        for field, expected in sorted(local.spec.expect.items()):
            check(field, expected, details.get(field), f"details.{field}")
        if expected_sha is not None:
            reported = artifact.reported_sha512()
            if reported is None:
                msg = (
                    f"Marketplace reported no checksum for artifact {artifact.id}; "
                    "the SHA-512 was not verified"
                )
                log.warning(msg)
                if msg not in self._result.warnings:
                    self._result.warnings.append(msg)
                record.checksum = expected_sha
            else:
                check("checksum", expected_sha, reported, "SHA-512 checksum")
        record.verified = verified
        if problems:
            raise VerificationError(
                f"artifact {artifact.id} ({local.name}) does not match: " + "; ".join(problems),
                hint="the uploaded artifact is not this release: check the build output and "
                "app.key / app.version (or --version); the artifact ID is in the result",
            )
        log.info(
            "Verified %s: %s",
            local.name,
            ", ".join(f"{k} {_short(v)}" for k, v in verified.items()),
        )

    # -- images ------------------------------------------------------------------

    def _upload_image(self, local: LocalImage, record: ImageResult) -> None:
        entry = self.previous.image(local.type, record.file, local.size) if self.previous else None
        if entry is not None:
            record.id = str(entry["id"])
            record.reused = True
            log.info(
                "Reusing %s image %s from the previous run: ID %s",
                local.type,
                record.file,
                record.id,
            )
            return
        dims = f"{local.width}x{local.height}, " if local.width and local.height else ""
        log.info(
            "Uploading %s image %s (%s%s)", local.type, record.file, dims, human_size(local.size)
        )
        progress = self.progress(record.file, local.size) if self.progress else None
        # the type pre-flight read from the bytes (png, jpeg, gif, bmp), not the name's
        media = self.api.upload_image(
            local.type, local.path, progress=progress, content_type=f"image/{local.format}"
        )
        record.id = media.id
        log.info("Uploaded %s image: ID %s", local.type, media.id)

    # -- bookkeeping -------------------------------------------------------------

    def _save(self) -> None:
        """Checkpoint the result (the caller's persistence; must not raise)."""
        if self.checkpoint is not None:
            self.checkpoint(self._result)

    @contextmanager
    def _phase(self, title: str, timing: str) -> Iterator[None]:
        """One phase: folded under ``title`` in the log, timed into
        ``result.timings[timing]`` (seconds), and checkpointed when it ends, failed or
        not."""
        start = time.perf_counter()
        with self.phases.group(title):
            try:
                yield
            finally:
                timings = self._result.timings
                timings[timing] = timings.get(timing, 0.0) + time.perf_counter() - start
                self._save()


def _short(value: Any) -> str:
    """A value for a log line: long hex checksums shortened."""
    text = str(value)
    if len(text) > 24:
        return f"{text[:12]}...{text[-8:]}"
    return text
