"""The stage protocol and the runner.

A stage is one part of a release (the app version's plan and creation, the artifacts,
the listing images, the version listing). Each has ``plan(run)``, which decides and
may read Marketplace but changes nothing there, and ``apply(run)``, which does the
work. A dry run calls every stage's ``plan`` only; ``publish`` calls every ``plan``
first, in order (so nothing is uploaded for a release that cannot become a version),
then applies the stages as :class:`~.tasks.Task` s run concurrently
(:func:`~.tasks.run_tasks`: at most 4 in flight).

How a stage declares what it depends on:

- A stage with a ``tasks(run) -> list[Task]`` method splits its work into tasks that
  name, in ``after``, the tasks they need (e.g. the version's task waits for
  :func:`~.tasks.artifact_task` of its artifact only). Its ``apply`` still does the
  whole stage in one go (for callers outside the runner).
- A stage without one becomes ONE task named by its ``title``; it runs after every
  task of the stages before it, unless it has an ``after`` attribute (a tuple of
  stage titles or task names it needs, ``()`` for none).
- In ``after``, a stage title stands for every task of that stage.

A stage's decision for the others (skip an artifact, the release is already
published) is recorded on the :class:`~.run.Run` during ``plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from .run import Run
from .tasks import Executor, Task, run_tasks


class Stage(Protocol):
    """One part of a release run (optionally also ``tasks(run)`` and ``after``: see
    the module docstring)."""

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


def stage_tasks(run: Run, stages: Sequence[Stage]) -> list[Task]:
    """The tasks of ``stages`` in order, with every ``after`` resolved to task names
    (see the module docstring). Raises ValueError for an ``after`` naming neither a
    stage nor a task."""
    tasks: list[Task] = []
    by_stage: dict[str, list[str]] = {}
    for stage in stages:
        make = getattr(stage, "tasks", None)
        if callable(make):
            own: list[Task] = list(make(run))
        else:
            declared = getattr(stage, "after", None)
            after = (
                tuple(t.name for t in tasks)
                if declared is None
                else tuple(n for d in declared for n in by_stage.get(d, [d]))
            )
            own = [Task(name=stage.title, work=_applier(stage, run), after=after)]
        by_stage[stage.title] = [t.name for t in own]
        tasks.extend(own)
    return tasks


def _applier(stage: Stage, run: Run) -> Callable[[], None]:
    """``stage.apply(run)`` as a task's work."""
    return lambda: stage.apply(run)


def apply_stages(run: Run, stages: Sequence[Stage], executor: Executor) -> None:
    """Apply every stage (their tasks on ``executor``), unless the release is already
    published (then :func:`record_not_applied`). Raises the first error of a task
    (see :func:`~.tasks.run_tasks`)."""
    if run.done:
        record_not_applied(run, stages)
        return
    run_tasks(stage_tasks(run, stages), executor)


def record_not_applied(run: Run, stages: Sequence[Stage]) -> None:
    """The release was found already published (``run.done``): every stage with a
    ``not_applied(run)`` method records that it sent nothing."""
    for stage in stages:
        not_applied = getattr(stage, "not_applied", None)
        if not_applied is not None:
            not_applied(run)
