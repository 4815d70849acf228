"""The run context: everything one release run shares between its stages.

A :class:`Run` holds the checked plan, the Marketplace API, the clock, the result
being filled in, the previous run (``--resume``), the wait deadline, the progress
factory and the decisions one stage leaves for the next (the version stage's "skip
these artifacts", "already published"). :meth:`Run.checkpoint` persists the result
after every change, so whatever finished before a failure is kept. The stages' tasks
run concurrently (:mod:`.tasks`): the run's lock makes each checkpoint, each timing
and each upload-start reservation (:meth:`Run.reserve_upload_start`) one writer at a
time.

This module knows no stage: stages import it, never the reverse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..checksums import FileChecksums
from ..clock import Clock
from ..marketplace.models import Artifact, Media
from ..preflight.files import display_path
from ..preflight.model import Plan
from ..result import ArtifactResult, ImageResult, ReleaseResult
from .resume import PreviousRun
from .rules import VersionPlan

#: progress(sent_bytes, total_bytes)
Progress = Callable[[int, int], None]
#: make_progress(label, total_bytes) -> a progress callback (a bar, or log lines)
ProgressFactory = Callable[[str, int], Progress]


class MarketplaceApi(Protocol):
    """What a release run needs of the Marketplace client (see
    :class:`release_publisher.marketplace.client.MarketplaceClient`)."""

    def upload_artifact(
        self, path: Path, *, progress: Progress | None = None
    ) -> tuple[Artifact, str]:
        """``POST /rest/3/artifacts``: the artifact and the local SHA-512 hex."""
        ...

    def fetch_artifact(self, uri: str) -> Artifact:
        """``POST /rest/3/artifacts/fetch``."""
        ...

    def get_artifact(self, artifact_id: str, *, deadline: float | None = None) -> Artifact:
        """``GET /rest/3/artifacts/{artifact_id}``; its retries end at ``deadline`` (an
        absolute time on the clock's monotonic scale, seconds; None: the client's own)."""
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

    def get_app_software(self, app_key: str) -> list[dict[str, Any]]:
        """``GET /rest/3/app-software/app-key/{appKey}``."""
        ...

    def list_versions(self, app_software_id: str) -> list[dict[str, Any]]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions`` (all pages)."""
        ...

    def create_version(self, app_software_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /rest/3/app-software/{appSoftwareId}/versions``."""
        ...

    def get_version(self, app_software_id: str, build_number: int) -> dict[str, Any]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}``."""
        ...

    def publish_listing(
        self, app_software_id: str, build_number: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        """``POST /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``."""
        ...

    def get_listing(self, app_software_id: str, build_number: int) -> dict[str, Any]:
        """``GET /rest/3/app-software/{appSoftwareId}/versions/{buildNumber}/listing``
        (ApiError 404: none)."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...

    def list_developer_apps(self, developer_id: str) -> list[dict[str, Any]]:
        """``GET /rest/3/product-listing/developer-space/{developerId}`` (all pages)."""
        ...

    def get_app_listing(self, product_id: str) -> dict[str, Any]:
        """``GET /rest/3/product-listing/{productId}``."""
        ...

    def put_app_listing(self, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /rest/3/product-listing/{productId}`` (the whole listing)."""
        ...

    def get_parent_software_version(self, product: str, version_number: str) -> dict[str, Any]:
        """``GET /rest/3/parent-software/{id}/versions/number/{versionNumber}``."""
        ...

    def list_parent_software_versions(
        self, product: str, *, limit: int = 50
    ) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software/{id}/versions?limit={limit}`` (first page)."""
        ...

    def list_parent_software(self) -> list[dict[str, Any]]:
        """``GET /rest/3/parent-software``."""
        ...


class Phases(Protocol):
    """Folds the log of a phase (a CI host's group); see ``hosts.base.Host.group``."""

    def group(self, title: str) -> Any:
        """A context manager around the phase titled ``title``."""
        ...


@dataclass
class Run:
    """One release run. ``api`` is None only in a dry run without credentials (the
    stages then plan what they can without reading Marketplace)."""

    plan: Plan
    api: MarketplaceApi | None
    clock: Clock
    result: ReleaseResult
    phases: Phases
    progress: ProgressFactory | None = None
    #: persists the result (the caller's; must not raise)
    save: Callable[[ReleaseResult], None] | None = None
    #: a previous run of the same release to take verified artifacts and images from
    previous: PreviousRun | None = None
    #: the release notes of this version (``release.notes``), read once by the caller
    notes: str | None = None
    #: True in ``publish --dry-run``: only read requests are sent
    dry_run: bool = False
    #: the end of the current wait (polling), on the clock's monotonic scale (seconds)
    deadline: float | None = None
    #: when the previous upload started (monotonic seconds), for ``uploads.spacing``
    last_upload_start: float | None = None
    #: artifacts a stage decided not to publish (the version exists with them)
    skip_artifacts: set[str] = field(default_factory=set)
    #: True when a stage found the whole release already published: nothing to apply
    done: bool = False
    #: the version stage's plan (its previous version, build number), for the listing stage
    version_plan: VersionPlan | None = None
    #: False while tasks run concurrently: phases are timed but not folded (the host's
    #: groups cannot interleave); the runner folds the whole apply instead
    fold: bool = True
    #: set by :meth:`stop_checkpoints`: the caller writes the result from now on
    checkpoints_stopped: bool = False
    #: SHA-512 of the local files, each hashed once (the caller may have started them)
    checksums: FileChecksums = field(default_factory=FileChecksums)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def require_api(self) -> MarketplaceApi:
        """The API; raises AssertionError in a dry run without credentials (a stage
        bug: such a stage must check ``api`` first)."""
        assert self.api is not None, "no Marketplace access in this run"
        return self.api

    def start_wait(self, seconds: float) -> float:
        """Start a wait of at most ``seconds``: returns its deadline (monotonic
        seconds), the one deadline every request of the wait (and its retries) must
        respect; also kept in :attr:`deadline` (the latest wait started)."""
        deadline = self.clock.monotonic() + seconds
        self.deadline = deadline
        return deadline

    def reserve_upload_start(self, spacing: float) -> float:
        """Reserve the next upload start: ``spacing`` seconds after the previous
        reservation (now when there is none, or it is long past). Returns the wait in
        seconds (0: start now) before the reserved start; one reservation at a time,
        so concurrent uploads keep the spacing."""
        with self._lock:
            now = self.clock.monotonic()
            start = now
            if self.last_upload_start is not None and spacing > 0:
                start = max(now, self.last_upload_start + spacing)
            self.last_upload_start = start
            return start - now

    def checkpoint(self) -> None:
        """Persist the result now (the caller's persistence; never raises). One
        writer at a time; nothing once :meth:`stop_checkpoints` was called."""
        with self._lock:
            if self.save is not None and not self.checkpoints_stopped:
                self.save(self.result)

    def stop_checkpoints(self) -> None:
        """From now on :meth:`checkpoint` writes nothing (waits for one in progress):
        the run was interrupted and the caller writes the result itself, while tasks
        may still be running."""
        with self._lock:
            self.checkpoints_stopped = True

    @contextmanager
    def phase(self, title: str, timing: str | None) -> Iterator[None]:
        """One phase: folded under ``title`` in the log, timed into
        ``result.timings[timing]`` (seconds; None: not timed, not checkpointed) and
        checkpointed when it ends, failed or not. Not folded while :attr:`fold` is
        False (concurrent tasks)."""
        start = time.perf_counter()
        with self.phases.group(title) if self.fold else nullcontext():
            try:
                yield
            finally:
                if timing is not None:
                    with self._lock:
                        timings = self.result.timings
                        elapsed = time.perf_counter() - start
                        timings[timing] = timings.get(timing, 0.0) + elapsed
                    self.checkpoint()


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
                file=display_path(art.path, config.base_dir, art.spec.file) if art.path else None,
                url=art.spec.url,
                size=art.size,
            )
        )
    for img in plan.images:
        result.images.append(
            ImageResult(
                type=img.type,
                file=display_path(img.path, config.base_dir, img.spec.file),
                width=img.width,
                height=img.height,
                size=img.size,
            )
        )
    result.warnings.extend(plan.warnings)
    return result
