"""The run context: everything one release run shares between its stages.

A :class:`Run` holds the checked plan, the Marketplace API, the clock, the result
being filled in, the previous run (``--resume``), the wait deadline, the progress
factory and the decisions one stage leaves for the next (the version stage's "skip
these artifacts", "already published"). :meth:`Run.checkpoint` persists the result
after every change, so whatever finished before a failure is kept.

This module knows no stage: stages import it, never the reverse.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..clock import Clock
from ..marketplace.models import Artifact, Media
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

    def close(self) -> None:
        """Release the connections."""
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
    #: the artifact being worked on (None outside artifacts), for errors
    current: str | None = None
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

    def require_api(self) -> MarketplaceApi:
        """The API; raises AssertionError in a dry run without credentials (a stage
        bug: such a stage must check ``api`` first)."""
        assert self.api is not None, "no Marketplace access in this run"
        return self.api

    def start_wait(self, seconds: float) -> float:
        """Start a wait of at most ``seconds``: sets and returns :attr:`deadline`, the
        one deadline every request of the wait (and its retries) must respect."""
        self.deadline = self.clock.monotonic() + seconds
        return self.deadline

    def checkpoint(self) -> None:
        """Persist the result now (the caller's persistence; never raises)."""
        if self.save is not None:
            self.save(self.result)

    @contextmanager
    def phase(self, title: str, timing: str | None) -> Iterator[None]:
        """One phase: folded under ``title`` in the log, timed into
        ``result.timings[timing]`` (seconds; None: not timed, not checkpointed) and
        checkpointed when it ends, failed or not."""
        start = time.perf_counter()
        with self.phases.group(title):
            try:
                yield
            finally:
                if timing is not None:
                    timings = self.result.timings
                    timings[timing] = timings.get(timing, 0.0) + time.perf_counter() - start
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
