"""The stage protocol and the runner.

A stage is one part of a release (the app version's plan and creation, the artifacts,
the listing images). Each has ``plan(run)``, which decides and may read Marketplace
but changes nothing there, and ``apply(run)``, which does the work. A dry run calls
every stage's ``plan`` only; ``publish`` calls every ``plan`` first (so nothing is
uploaded for a release that cannot become a version), then every ``apply`` in order.
A stage's decision for the others (skip an artifact, the release is already
published) is recorded on the :class:`~.run.Run`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .run import Run


class Stage(Protocol):
    """One part of a release run."""

    title: str

    def plan(self, run: Run) -> None:
        """Decide what ``apply`` will do; send read requests only. Raises the
        :class:`~release_publisher.errors.ReleasePublisherError` that refuses the run."""
        ...

    def apply(self, run: Run) -> None:
        """Do the work planned; record it in ``run.result`` and checkpoint. Raises the
        :class:`~release_publisher.errors.ReleasePublisherError` that stopped it."""
        ...


def plan_stages(run: Run, stages: Sequence[Stage]) -> None:
    """Call every stage's ``plan`` in order (a dry run stops here). Stops early when a
    stage found the release already published (``run.done``)."""
    for stage in stages:
        stage.plan(run)
        if run.done:
            return


def apply_stages(run: Run, stages: Sequence[Stage]) -> None:
    """Call every stage's ``apply`` in order, unless the release is already published."""
    if run.done:
        return
    for stage in stages:
        stage.apply(run)
