"""The release flow's entry points: :func:`publish` and :func:`dry_run` over one
:class:`~.run.Run` and the stage list (:func:`stages_for`).

:func:`publish` runs the stages (:mod:`.stages`): the app version's plan (when the
config has a ``release:`` section) before anything is uploaded, then the artifacts
(:mod:`.artifacts`: upload or fetch, poll, verify), the listing images
(:mod:`.images`), the app listing's images (:mod:`.app_listing`, with an
``app-listing:`` section), the app version (:mod:`.version`) and its listing
(:mod:`.listing`), as tasks run concurrently where the API allows (:mod:`.tasks`: at
most 4 calls in flight; images while artifacts are processed, the version as soon as
its artifact is verified, the listing after the version and the images).
:func:`dry_run` prints the plan and calls the stages' ``plan`` only (read requests at
most).

The result is filled in as the run goes and checkpointed after every change, so
whatever finished before a failure (an uploaded artifact ID) is kept. Knows no CLI or
host types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..checksums import FileChecksums
from ..clock import Clock
from ..errors import ReleasePublisherError
from ..preflight.model import Plan
from ..result import (
    RELEASE_ALREADY_PUBLISHED,
    RELEASE_FAILED,
    RELEASE_SKIPPED,
    STATUS_AWAITING_APPROVAL,
    STATUS_DRY_RUN,
    STATUS_PUBLISHED,
    STATUS_SKIPPED,
    STATUS_UNCHANGED,
    ReleaseResult,
)
from .app_listing import AppListingStage
from .artifacts import ArtifactStage
from .images import ImageStage
from .listing import ListingStage
from .render import DRY_RUN_READ_ONLY, describe_plan
from .resume import PreviousRun
from .run import MarketplaceApi, Phases, ProgressFactory, Run
from .stages import Stage, apply_stages, plan_stages, record_not_applied
from .tasks import Executor, ThreadExecutor
from .version import VersionStage

log = logging.getLogger("release_publisher")


def stages_for(plan: Plan) -> list[Stage]:
    """The stages of ``plan``'s release, in the order they apply: artifacts, listing
    images, the app listing (only with an ``app-listing:`` section), then the app
    version and its listing (only with a ``release:`` section)."""
    stages: list[Stage] = [ArtifactStage(), ImageStage()]
    if plan.config.app_listing is not None:
        stages.append(AppListingStage())
    if plan.config.release is not None:
        stages.append(VersionStage())
        stages.append(ListingStage())
    return stages


def publish(
    plan: Plan,
    result: ReleaseResult,
    *,
    api: MarketplaceApi,
    clock: Clock,
    phases: Phases,
    progress: ProgressFactory | None = None,
    save: Callable[[ReleaseResult], None] | None = None,
    previous: PreviousRun | None = None,
    notes: str | None = None,
    executor: Executor | None = None,
    checksums: FileChecksums | None = None,
) -> ReleaseResult:
    """Publish every artifact, image and the app version of ``plan`` into ``result``.

    ``api`` is the Marketplace client; ``clock`` times pacing and polling (seconds);
    ``phases`` folds the log (a CI host); ``progress`` makes upload progress callbacks;
    ``save(result)`` persists the result after each step (must not raise);
    ``previous`` is the run ``--resume`` takes verified artifacts and images from;
    ``notes`` the release notes of this version; ``executor`` runs the tasks (default:
    a :class:`~.tasks.ThreadExecutor` of 4 workers; tests pass a
    :class:`~.tasks.SerialExecutor`); ``checksums`` the SHA-512s of the local files
    (the caller's, which may have started hashing them; default: a new one).

    Returns ``result`` with the status of :func:`outcome_status`. Raises the
    :class:`~release_publisher.errors.ReleasePublisherError` that stopped the run, its
    ``artifact_name`` set to the artifact being worked on (None outside artifacts), an
    app version not yet created marked ``failed``; ``result`` keeps what finished
    (the tasks in flight at a failure are waited for first). On KeyboardInterrupt (or
    SIGTERM's exception) the checkpoints stop at once (the caller writes the result)
    and the exception propagates without waiting for the tasks in flight.
    """
    run = Run(
        plan=plan,
        api=api,
        clock=clock,
        result=result,
        phases=phases,
        progress=progress,
        save=save,
        previous=previous,
        notes=notes,
        checksums=checksums if checksums is not None else FileChecksums(),
    )
    stages = stages_for(plan)
    try:
        plan_stages(run, stages)
        if run.done:
            record_not_applied(run, stages)
        else:
            run.fold = False
            with phases.group("Publishing"):
                apply_stages(run, stages, executor if executor is not None else ThreadExecutor())
    except ReleasePublisherError as err:
        if getattr(err, "artifact_name", None) is None:
            err.artifact_name = None  # type: ignore[attr-defined]
        if result.release is not None and not result.release.exists:
            result.release.status = RELEASE_FAILED
        raise
    except BaseException:
        run.stop_checkpoints()
        raise
    result.status = outcome_status(result)
    run.checkpoint()
    return result


def outcome_status(result: ReleaseResult) -> str:
    """The status word of a finished run: ``skipped`` (``release.if-exists: skip``),
    ``unchanged`` (nothing was sent but reads: no artifact or image uploaded by
    this run, and the version, if any, already there), ``awaiting-approval`` (the listing waits for
    approval), else ``published``."""
    info = result.release
    if info is not None and info.status == RELEASE_SKIPPED:
        return STATUS_SKIPPED
    # an ID that is not reused was uploaded by this run; a record without one was not sent
    sent = any(a.id and not a.reused for a in result.artifacts) or any(
        i.id and not i.reused for i in result.images
    )
    if not sent and (info is None or info.status == RELEASE_ALREADY_PUBLISHED):
        return STATUS_UNCHANGED
    if info is not None and info.awaiting_approval:
        return STATUS_AWAITING_APPROVAL
    return STATUS_PUBLISHED


def dry_run(
    plan: Plan,
    result: ReleaseResult,
    *,
    connect: Callable[[], MarketplaceApi] | None,
    clock: Clock,
    phases: Phases,
    notes: str | None = None,
) -> ReleaseResult:
    """Log every request ``publish`` would send (:func:`~.render.describe_plan`), then
    plan each stage. The app version plan (a ``release:`` section) reads Marketplace:
    only then is ``connect()`` called for a client (closed at the end); ``connect``
    None (no credentials): the plan says what it would need. Nothing is uploaded or
    created.

    Returns ``result`` with status ``dry-run``. Raises what ``connect`` or a stage's
    plan raises (e.g. :class:`~release_publisher.errors.ConfigError` for a plan
    missing a field).
    """
    reads = plan.config.release is not None or plan.config.app_listing is not None
    for line in describe_plan(plan, dry_run=True, reads=reads and connect is not None, notes=notes):
        log.info("%s", line)
    api = connect() if connect is not None and reads else None
    run = Run(
        plan=plan, api=api, clock=clock, result=result, phases=phases, notes=notes, dry_run=True
    )
    stages = stages_for(plan)
    try:
        plan_stages(run, stages)
        if run.done:  # already there: what publish would find, and send nothing
            record_not_applied(run, stages)
            log.info("Nothing would be sent: the release is already there (see above)")
    finally:
        if api is not None:
            api.close()
    if api is not None:
        log.info("")
        log.info("%s", DRY_RUN_READ_ONLY)
    result.status = STATUS_DRY_RUN
    return result
