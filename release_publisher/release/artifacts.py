"""The artifacts stage: get each artifact onto Marketplace and verify it.

For each artifact (one task each, :meth:`ArtifactStage.tasks`, run concurrently with
the other artifacts and the images; :meth:`ArtifactStage.apply` does them in config
order): reuse what a previous run got onto Marketplace
(``--resume``, decided in :mod:`.resume`), or upload it (``POST /rest/3/artifacts``,
at least ``uploads.spacing`` seconds between upload starts, reserved on the run so
concurrent uploads keep it; fetches are not spaced) or have Marketplace fetch
it (``POST /rest/3/artifacts/fetch``); poll until processed (:mod:`.polling`); verify
key, version, ``expect`` fields and the checksum. An artifact the version stage
recorded in ``run.skip_artifacts`` (the version exists with it) is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..config.model import VERSION_OPTION
from ..errors import ApiError, VerificationError
from ..limits import human_size
from ..marketplace.models import Artifact
from ..preflight.model import LocalArtifact
from ..result import ArtifactResult
from .polling import needed_details, poll_until_ready, record_artifact
from .resume import reuse_checksum, why_not_reuse
from .run import Run
from .tasks import Task, artifact_task

log = logging.getLogger("release_publisher")


class ArtifactStage:
    """Uploads or fetches, polls and verifies every artifact of the plan."""

    title = "Artifacts"

    def plan(self, run: Run) -> None:
        """Nothing to read: pre-flight already checked every local file."""

    def tasks(self, run: Run) -> list[Task]:
        """One task per artifact not in ``run.skip_artifacts``, in config order, named
        :func:`~.tasks.artifact_task` (no dependencies). Each raises ApiError,
        VerificationError, ProcessingTimeout with ``artifact_name`` set."""
        return [
            Task(
                name=artifact_task(local.name),
                work=_publisher(run, local, record),
                subject=f"artifact {local.name}",
                artifact=local.name,
            )
            for local, record in zip(run.plan.artifacts, run.result.artifacts, strict=True)
            if local.name not in run.skip_artifacts
        ]

    def apply(self, run: Run) -> None:
        """Publish every artifact not in ``run.skip_artifacts``, one after another, into
        its result record. Raises what :meth:`tasks`' tasks raise."""
        for task in self.tasks(run):
            task()


def _publisher(run: Run, local: LocalArtifact, record: ArtifactResult) -> Callable[[], None]:
    """The work of one artifact's task: :func:`publish_artifact` in its phase."""

    def work() -> None:
        with run.phase(f"Artifact {local.name}", local.name):
            publish_artifact(run, local, record)

    return work


def publish_artifact(run: Run, local: LocalArtifact, record: ArtifactResult) -> None:
    """Reuse, upload or fetch ``local``, then poll and verify it (``record.state``
    becomes ``uploaded`` once an artifact ID is known, then ``verified``)."""
    api = run.require_api()
    entry = run.previous.uploaded_artifact(local.name) if run.previous else None
    if entry is not None and _reuse(run, local, record, entry):
        return
    if run.previous is not None and entry is None:
        log.info("Resuming: the previous run did not upload artifact %s", local.name)
    if local.path is not None:
        _pace(run, local)
        size = local.size or 0
        log.info("Uploading %s (%s) to POST /rest/3/artifacts", record.file, human_size(size))
        progress = run.progress(record.file or local.name, size) if run.progress else None
        artifact, local_sha = api.upload_artifact(local.path, progress=progress)
        expected_sha: str | None = local_sha
        log.info("Uploaded: artifact ID %s", artifact.id)
    else:
        assert local.spec.url is not None
        log.info("Asking Marketplace to fetch %s (POST /rest/3/artifacts/fetch)", local.spec.url)
        artifact = api.fetch_artifact(local.spec.url)
        expected_sha = local.spec.sha512
        log.info("Fetched: artifact ID %s", artifact.id)
    record_artifact(record, artifact)
    record.state = "uploaded"
    run.checkpoint()  # an artifact ID was just obtained
    artifact = poll_until_ready(run, local, artifact, record)
    verify(run, local, artifact, record, expected_sha)
    record.state = "verified"


def _reuse(run: Run, local: LocalArtifact, record: ArtifactResult, entry: dict[str, Any]) -> bool:
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
        artifact = run.require_api().get_artifact(artifact_id)
    except ApiError as err:
        if err.status == 404:
            log.info("Artifact %s is no longer on Marketplace (404): uploading again", artifact_id)
            return False
        raise
    expected = reuse_checksum(local, entry, run.checksums)
    record_artifact(record, artifact)
    artifact = poll_until_ready(run, local, artifact, record)
    why = why_not_reuse(expected, artifact.reported_sha512())
    if why is not None:
        log.info("Not reusing artifact %s: %s; uploading again", artifact_id, why)
        record.id = record.checksum = record.key = record.version = record.binary = None
        record.verified = {}
        return False
    verify(run, local, artifact, record, expected)
    record.state = "verified"
    record.reused = True
    log.info("Reusing artifact %s (ID %s): nothing uploaded", local.name, artifact_id)
    return True


def _pace(run: Run, local: LocalArtifact) -> None:
    """Wait until ``uploads.spacing`` seconds have passed since the previous upload
    started (Marketplace asks for at least 10 s between uploads); the start is
    reserved first, so a concurrent upload waits for the next slot."""
    spacing = run.plan.config.upload_spacing
    wait = run.reserve_upload_start(spacing)
    if wait > 0:
        log.info(
            "Waiting %.1f s before uploading %s (uploads.spacing: %g s between uploads)",
            wait,
            local.name,
            spacing,
        )
        run.clock.sleep(wait)


def verify(
    run: Run,
    local: LocalArtifact,
    artifact: Artifact,
    record: ArtifactResult,
    expected_sha: str | None,
) -> None:
    """Compare what Marketplace reports with the config and the local file: key,
    version (not for Connect), every ``expect`` field (type and value) and the SHA-512
    (``expected_sha``; None: not checked). Fills ``record.verified``; an absent
    checksum is a warning (the local SHA-512 is recorded). Raises
    :class:`VerificationError` listing every mismatch with both values."""
    config = run.plan.config
    details = artifact.details or {}
    problems: list[str] = []
    verified: dict[str, Any] = {}

    def check(field: str, expected: Any, actual: Any, what: str) -> None:
        if actual == expected and type(actual) is type(expected):
            verified[field] = actual
        else:
            problems.append(f"{what}: expected {expected!r}, Marketplace reports {actual!r}")

    check("key", config.app_key, details.get("key"), "app key")
    if "version" in needed_details(local):
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
            if msg not in run.result.warnings:
                run.result.warnings.append(msg)
            record.checksum = expected_sha
        else:
            check("checksum", expected_sha, reported, "SHA-512 checksum")
    record.verified = verified
    if problems:
        raise VerificationError(
            f"artifact {artifact.id} ({local.name}) does not match: " + "; ".join(problems),
            hint="the uploaded artifact is not this release: check the build output and "
            f"app.key / app.version (or {VERSION_OPTION}); the artifact ID is in the result",
        )
    log.info(
        "Verified %s: %s",
        local.name,
        ", ".join(f"{k} {_short(v)}" for k, v in verified.items()),
    )


def _short(value: Any) -> str:
    """A value for a log line: long hex checksums shortened."""
    text = str(value)
    if len(text) > 24:
        return f"{text[:12]}...{text[-8:]}"
    return text
