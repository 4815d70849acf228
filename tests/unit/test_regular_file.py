"""read_regular_file: only regular files, a size cap, never blocking on a FIFO
(issue 15, item 3)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from release_publisher.regular_file import RegularFileError, read_regular_file


def _read_in_thread(path: Path, cap: int) -> BaseException | bytes | None:
    """Run the read on a daemon thread: if it blocked, the test fails instead of hanging."""
    box: list[BaseException | bytes] = []

    def run() -> None:
        try:
            box.append(read_regular_file(path, cap))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "read_regular_file blocked"
    return box[0] if box else None


def test_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_bytes(b"format: 1\n")
    assert read_regular_file(path, 100) == b"format: 1\n"


def test_file_at_the_cap_is_read_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_bytes(b"x" * 10)
    assert read_regular_file(path, 10) == b"x" * 10
    with pytest.raises(RegularFileError) as info:
        read_regular_file(path, 9)
    assert info.value.reason == "too-large"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    outcome = _read_in_thread(fifo, 1024)
    assert isinstance(outcome, RegularFileError)
    assert outcome.reason == "not-regular"
    assert "FIFO" in outcome.problem


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_before_reading() -> None:
    outcome = _read_in_thread(Path("/dev/zero"), 1024)
    assert isinstance(outcome, RegularFileError)
    assert outcome.reason == "not-regular"
    assert "character device" in outcome.problem


def test_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(RegularFileError) as info:
        read_regular_file(tmp_path, 10)
    assert info.value.reason == "directory"
    with pytest.raises(RegularFileError) as info:
        read_regular_file(tmp_path / "nope", 10)
    assert info.value.reason == "missing"


def test_symbolic_link_to_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.yml"
    link.symlink_to(fifo)
    outcome = _read_in_thread(link, 1024)
    assert isinstance(outcome, RegularFileError) and outcome.reason == "not-regular"
