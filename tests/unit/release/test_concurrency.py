"""The concurrent runner (release/tasks.py, release/stages.py) with the deterministic
SerialExecutor and a FakeClock: dependencies, the bound on calls in flight, the
failure rule (no new start, in-flight tasks finish, first error raised), the result's
single writer, upload spacing across concurrent uploads, the task graph of a release
(images and fetches depend on nothing, the version only on its artifact) and the log
subject of a task's lines."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from release_publisher.clock import FakeClock
from release_publisher.config.model import ListingSpec, VersionSpec
from release_publisher.console import RedactingFormatter
from release_publisher.errors import ApiError
from release_publisher.release.flow import stages_for
from release_publisher.release.run import Run, new_result
from release_publisher.release.stages import stage_tasks
from release_publisher.release.tasks import (
    SerialExecutor,
    Task,
    ThreadExecutor,
    artifact_task,
    run_tasks,
)
from release_publisher.secrets import Redactor

from ..fakes import FakeApi, FakePhases, make_plan, publish_run


def _tasks(log: list[str], fail: set[str] | None = None, **after: Any) -> list[Task]:
    def work(name: str) -> Any:
        def run() -> None:
            log.append(name)
            if fail and name in fail:
                raise ApiError(f"{name} failed", status=500)

        return run

    return [Task(name=n, work=work(n), after=a) for n, a in after.items()]


def test_a_task_starts_only_after_the_tasks_it_names() -> None:
    log: list[str] = []
    executor = SerialExecutor()
    tasks = _tasks(log, version=("art",), art=(), img=(), listing=("version", "img"))
    run_tasks(tasks, executor)
    assert log.index("art") < log.index("version")
    assert log.index("version") < log.index("listing") and log.index("img") < log.index("listing")
    # started in the order given among those ready: art and img before version
    assert executor.started == ["art", "img", "version", "listing"]


def test_at_most_limit_tasks_in_flight() -> None:
    in_flight: list[int] = []

    class Counting(SerialExecutor):
        def submit(self, task: Task) -> None:
            super().submit(task)
            in_flight.append(len(self._queued))

    run_tasks(_tasks([], None, **{f"t{i}": () for i in range(9)}), Counting(), limit=4)
    assert max(in_flight) == 4


def test_a_failure_starts_nothing_new_waits_for_in_flight_and_raises_the_first_error() -> None:
    log: list[str] = []
    # a, b, c, d in flight (limit 4); a fails; b..d finish; e and the dependants never start
    tasks = _tasks(log, {"a", "c"}, a=(), b=(), c=(), d=(), e=(), after_a=("a",))
    with pytest.raises(ApiError, match="a failed"):
        run_tasks(tasks, SerialExecutor(), limit=4)
    assert log == ["a", "b", "c", "d"]


def test_unknown_or_duplicate_task_names_are_refused_before_anything_runs() -> None:
    log: list[str] = []
    with pytest.raises(ValueError, match="unknown"):
        run_tasks(_tasks(log, a=(), b=("nope",)), SerialExecutor())
    dup = [Task(name="a", work=lambda: None), Task(name="a", work=lambda: None)]
    with pytest.raises(ValueError, match="duplicate"):
        run_tasks(dup, SerialExecutor())
    assert log == []


def test_a_task_error_names_its_artifact() -> None:
    def boom() -> None:
        raise ApiError("upload failed", status=500)

    task = Task(name=artifact_task("app"), work=boom, artifact="app")
    with pytest.raises(ApiError) as info:
        run_tasks([task], SerialExecutor())
    assert info.value.artifact_name == "app"  # type: ignore[attr-defined]


def test_the_thread_executor_runs_independent_tasks_at_the_same_time() -> None:
    # each task waits at the barrier for the other: only concurrent execution passes
    barrier = threading.Barrier(2, timeout=30)

    def meet() -> None:
        barrier.wait()

    tasks = [Task(name="a", work=meet), Task(name="b", work=meet)]
    run_tasks(tasks, ThreadExecutor(workers=2))
    assert not barrier.broken


def test_the_thread_executor_reports_a_failure_after_in_flight_tasks_end() -> None:
    finished: list[str] = []
    gate = threading.Event()

    def fail() -> None:
        gate.wait(30)
        raise ApiError("boom", status=500)

    def slow() -> None:
        gate.set()
        finished.append("slow")

    with pytest.raises(ApiError, match="boom"):
        run_tasks([Task(name="f", work=fail), Task(name="s", work=slow)], ThreadExecutor(2))
    assert finished == ["slow"]


def _run(tmp_path: Path, saves: list[Any], **plan: Any) -> Run:
    clock = FakeClock()
    return Run(
        plan=make_plan(tmp_path, **plan),
        api=FakeApi(clock),
        clock=clock,
        result=new_result(make_plan(tmp_path, **plan)),
        phases=FakePhases(),
        save=saves.append,
    )


def test_concurrent_checkpoints_have_one_writer_at_a_time(tmp_path: Path) -> None:
    writing = threading.Lock()
    overlaps: list[bool] = []

    def save(result: Any) -> None:
        overlaps.append(not writing.acquire(blocking=False))
        if not overlaps[-1]:
            writing.release()

    run = _run(tmp_path, [])
    run.save = save

    def hammer() -> None:
        for _ in range(200):
            run.checkpoint()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(overlaps) == 800 and not any(overlaps)


def test_no_checkpoint_once_stopped(tmp_path: Path) -> None:
    saves: list[Any] = []
    run = _run(tmp_path, saves)
    run.checkpoint()
    run.stop_checkpoints()  # interrupted: the CLI writes the result itself
    run.checkpoint()
    assert len(saves) == 1


def test_concurrent_upload_starts_keep_the_spacing(tmp_path: Path) -> None:
    run = _run(tmp_path, [])
    # three uploads reserving at the same instant get 0, 10 and 20 s waits
    assert [run.reserve_upload_start(10.0) for _ in range(3)] == [0.0, 10.0, 20.0]
    run.clock.sleep(25.0)
    assert run.reserve_upload_start(10.0) == pytest.approx(5.0)


def test_the_release_task_graph(tmp_path: Path) -> None:
    release = VersionSpec(
        artifact="jar0", hosting="datacenter", listing=ListingSpec(screenshots="screenshot")
    )
    run = _run(tmp_path, [], files=2, url=True, images=2, release=release)
    tasks = {t.name: t for t in stage_tasks(run, stages_for(run.plan))}
    assert list(tasks) == [
        "artifact jar0",
        "artifact jar1",
        "artifact remote",
        "image 1",
        "image 2",
        "version",
        "Version listing",
    ]
    # uploads, the fetch and the images wait for nothing
    assert all(tasks[n].after == () for n in list(tasks)[:5])
    # the version waits for its own artifact only
    assert tasks["version"].after == ("artifact jar0",)
    # the listing (a plain stage) waits for every earlier task: version and screenshots
    assert set(tasks["Version listing"].after) == set(list(tasks)[:6])


def test_images_keep_config_order_whatever_order_they_finish(tmp_path: Path) -> None:
    clock = FakeClock()
    api = FakeApi(clock)
    plan = make_plan(tmp_path, images=5)
    result, _, error = publish_run(plan, api, clock)
    assert error is None
    assert [i.file for i in result.images] == [f"shot{i}.png" for i in range(5)]
    assert result.image_ids()["screenshot"] == [f"img-shot{i}.png" for i in range(5)]


def test_a_tasks_log_lines_name_its_subject() -> None:
    formatter = RedactingFormatter(Redactor())
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record))

    logger = logging.getLogger("release_publisher.test_subject")
    logger.addHandler(Capture())
    logger.setLevel(logging.INFO)
    try:
        task = Task(name="image 1", work=lambda: logger.info("Uploaded"), subject="icon logo.png")
        run_tasks([task], SerialExecutor())
        logger.info("Done")
    finally:
        logger.handlers.clear()
    assert lines == ["[icon logo.png] Uploaded", "Done"]
