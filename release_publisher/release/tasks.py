"""Running a release's calls concurrently: tasks, their dependencies, a bounded pool.

A :class:`Task` is one unit of a release (publish one artifact, upload one listing
image, create the version) with the names of the tasks it must follow
(``after``). :func:`run_tasks` starts every task whose dependencies finished, in the
order given, keeping at most ``limit`` in flight (:data:`MAX_IN_FLIGHT`: 4 calls).
The first failure stops new starts; the tasks in flight are waited for; then the
first error is raised (what finished stays recorded by the tasks themselves).

Where the tasks run is an :class:`Executor`: :class:`ThreadExecutor` (daemon worker
threads: production) or :class:`SerialExecutor` (each task runs inline, in start
order, when its outcome is asked for: unit tests with a
:class:`~release_publisher.clock.FakeClock`, deterministic). The waiting happens on
the calling (main) thread in slices of :data:`WAIT_SLICE` seconds, so SIGINT and
SIGTERM are handled at once; the worker threads are daemons and never hold the
process up after that.

Every task sets :data:`~release_publisher.logcontext.LOG_SUBJECT` to its ``subject``
while it runs, so its log lines name their artifact or image.

Knows no stage and no Marketplace call.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..logcontext import LOG_SUBJECT

#: At most this many tasks (Marketplace calls, or the waits between them) in flight.
MAX_IN_FLIGHT = 4
#: The main thread waits for a finished task in slices this long (seconds), so a
#: signal handler runs within it.
WAIT_SLICE = 0.1


@dataclass(frozen=True)
class Task:
    """One unit of work. ``name`` is unique in a run ("artifact app", "image
    screenshot shots/1.png", "version"); ``after`` names the tasks that must finish
    first (unknown names are an error of the caller: ValueError); ``subject`` names
    what the log lines are about (default: ``name``); ``artifact`` is the artifact an
    error of this task is about (``err.artifact_name``), None outside artifacts."""

    name: str
    work: Callable[[], None]
    after: tuple[str, ...] = ()
    subject: str | None = None
    artifact: str | None = None

    def __call__(self) -> None:
        """Run :attr:`work` with the log subject set; sets ``artifact_name`` on the
        error it raises (when it has none yet) and re-raises it."""
        token = LOG_SUBJECT.set(self.subject or self.name)
        try:
            self.work()
        except BaseException as err:
            if getattr(err, "artifact_name", None) is None:
                err.artifact_name = self.artifact  # type: ignore[attr-defined]
            raise
        finally:
            LOG_SUBJECT.reset(token)


def artifact_task(name: str) -> str:
    """The task name of publishing artifact ``name`` (what a stage waits for)."""
    return f"artifact {name}"


class Executor(Protocol):
    """Runs submitted tasks and reports each outcome once."""

    def submit(self, task: Task) -> None:
        """Start ``task`` (or queue it to start)."""
        ...

    def next_finished(self) -> tuple[Task, BaseException | None]:
        """Block until a submitted task ended; returns it and its error (None: it
        succeeded). Only called while a submitted task has not been reported."""
        ...

    def shutdown(self) -> None:
        """No more tasks: let the workers go (does not wait for tasks in flight)."""
        ...


class SerialExecutor:
    """Runs each task inline when :meth:`next_finished` asks, oldest first: the
    deterministic executor for unit tests (with a fake clock)."""

    def __init__(self) -> None:
        self._queued: list[Task] = []
        #: task names in the order they started (for tests)
        self.started: list[str] = []

    def submit(self, task: Task) -> None:
        """Queue ``task``."""
        self._queued.append(task)

    def next_finished(self) -> tuple[Task, BaseException | None]:
        """Run the oldest queued task now; its outcome."""
        task = self._queued.pop(0)
        self.started.append(task.name)
        try:
            task()
        except Exception as err:  # noqa: BLE001 - handed to run_tasks, which re-raises
            return task, err
        return task, None

    def shutdown(self) -> None:
        """Nothing to release."""


class ThreadExecutor:
    """``workers`` daemon threads taking submitted tasks from a queue; outcomes come
    back through another queue to the caller's thread."""

    def __init__(self, workers: int = MAX_IN_FLIGHT) -> None:
        self._jobs: queue.Queue[Task | None] = queue.Queue()
        self._done: queue.Queue[tuple[Task, BaseException | None]] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"release-worker-{i + 1}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            task = self._jobs.get()
            if task is None:
                return
            try:
                task()
            except BaseException as err:  # noqa: BLE001 - reported to the caller's thread
                self._done.put((task, err))
            else:
                self._done.put((task, None))

    def submit(self, task: Task) -> None:
        """Hand ``task`` to a free worker (or queue it)."""
        self._jobs.put(task)

    def next_finished(self) -> tuple[Task, BaseException | None]:
        """Wait (interruptibly, in :data:`WAIT_SLICE` slices) for the next outcome."""
        while True:
            try:
                return self._done.get(timeout=WAIT_SLICE)
            except queue.Empty:
                continue

    def shutdown(self) -> None:
        """Tell every worker to stop once its current task ends."""
        for _ in self._threads:
            self._jobs.put(None)


def run_tasks(tasks: Sequence[Task], executor: Executor, *, limit: int = MAX_IN_FLIGHT) -> None:
    """Run ``tasks`` on ``executor``: each once every task it names in ``after``
    succeeded, in the order given among those ready, at most ``limit`` at a time.

    After the first failure no task starts; those in flight are waited for; then the
    first error is raised. Raises ValueError for a duplicate name or an ``after``
    naming no task (before anything runs). A KeyboardInterrupt (or any BaseException)
    while waiting propagates at once: the tasks in flight are left to the daemon
    workers."""
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate task names in {names}")
    for task in tasks:
        unknown = [n for n in task.after if n not in names]
        if unknown:
            raise ValueError(f"task {task.name!r} waits for unknown tasks {unknown}")
    pending = list(tasks)
    succeeded: set[str] = set()
    in_flight = 0
    first_error: BaseException | None = None
    try:
        while True:
            if first_error is None:
                for task in list(pending):
                    if in_flight >= limit:
                        break
                    if all(n in succeeded for n in task.after):
                        pending.remove(task)
                        executor.submit(task)
                        in_flight += 1
            if in_flight == 0:
                break
            task, error = executor.next_finished()
            in_flight -= 1
            if error is None:
                succeeded.add(task.name)
            elif first_error is None:
                first_error = error
    finally:
        executor.shutdown()
    if first_error is not None:
        raise first_error
    if pending:  # a dependency cycle: nothing could start
        raise ValueError(f"tasks waiting on each other: {[t.name for t in pending]}")
