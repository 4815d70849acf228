"""The resume file is hostile input (issue 15, items 3 and 11): every kind of bad file
is exit 2 naming the file and what is wrong, never a traceback, a hang or memory
exhaustion; and images are matched by SHA-512, not by size (issue 16, item 5)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from release_publisher.checksums import sha512_file
from release_publisher.clock import FakeClock
from release_publisher.errors import UsageError
from release_publisher.release.resume import (
    MAX_RESULT_FILE_BYTES,
    kept_on_failure,
    load_previous_run,
    read_result_file,
)

from ..fakes import KEY, FakeApi, make_plan, publish_run


def _good() -> dict[str, Any]:
    return {
        "schema": 1,
        "status": "failed",
        "app": {"key": "com.example.hello", "version": "1.4.2"},
        "artifacts": [{"name": "server", "id": "a-1", "state": "verified", "checksum": "ab"}],
        "images": [{"type": "icon", "file": "icon.png", "id": "img-1", "sha512": "cd"}],
        "release": None,
    }


def _refusal(path: Path) -> UsageError:
    """The UsageError of reading ``path``, on a thread so that a hang fails the test."""
    box: list[BaseException | dict[str, Any]] = []

    def read() -> None:
        try:
            box.append(read_result_file(path))
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            box.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(10)
    assert box, f"reading {path} blocked"
    error = box[0]
    assert isinstance(error, UsageError), error
    assert error.exit_code == 2
    assert str(path) in error.message
    return error


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"app": ["com.example.hello", "1.4.2"]}, "app must be an object, got list"),
        ({"app": {"key": 7, "version": "1.4.2"}}, "app.key must be a string, got int"),
        ({"artifacts": 5}, "artifacts must be a list, got int"),
        ({"artifacts": ["server"]}, "artifacts[0] must be an object, got str"),
        ({"artifacts": [{"name": "server", "id": 12}]}, "artifacts[0].id must be a str or null"),
        ({"images": {"icon": "x"}}, "images must be a list, got dict"),
        ({"images": [{"type": "icon", "file": "i.png", "size": "9"}]}, "images[0].size"),
        ({"images": [{"type": "icon", "file": "i.png", "size": True}]}, "images[0].size"),
        ({"release": "created"}, "release must be an object or null, got str"),
    ],
)
def test_fields_of_the_wrong_type_are_named(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({**_good(), **change}), encoding="utf-8")
    assert problem in _refusal(path).message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe{\x00", "is not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"schema": 1, "artifacts": [], "x": NaN}', "is not JSON"),
        (b'{"schema": 1, "artifacts": [], "x": 1e99999, "y": Infinity}', "is not JSON"),
        (b"not json", "is not JSON"),
        (b'{"schema": 2, "artifacts": []}', "is not a release-publisher result file"),
        (b"[]", "is not a release-publisher result file"),
    ],
)
def test_bad_content_is_named(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    assert problem in _refusal(path).message


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    data = _good()
    data["warnings"] = ["[" * 1000 + '"{'] * 3
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_result_file(path)["warnings"] == data["warnings"]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "state.json"
    os.mkfifo(fifo)
    assert "FIFO" in _refusal(fifo).message


def test_dev_zero_is_refused() -> None:
    assert "not a regular file" in _refusal(Path("/dev/zero")).message


def test_a_directory_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    assert "directory" in _refusal(tmp_path).message
    assert "does not exist" in _refusal(tmp_path / "missing.json").message


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_RESULT_FILE_BYTES + 1)  # sparse: no disk used
    assert "larger than" in _refusal(path).message


def test_another_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_good()), encoding="utf-8")
    with pytest.raises(UsageError, match=r"not of this release com\.example\.hello 9\.9\.9"):
        load_previous_run(path, app_key="com.example.hello", version="9.9.9")


def test_kept_on_failure_keeps_every_id_and_adds_the_error() -> None:
    failed = {
        "status": "failed",
        "error": {"kind": "FileCheckError", "exit_code": 3},
        "artifacts": [],
        "images": [],
        "warnings": [],
        "timings": {},
        "tool": {"name": "release-publisher"},
    }
    kept = kept_on_failure(_good(), failed)
    assert kept["artifacts"] == _good()["artifacts"]
    assert kept["images"] == _good()["images"]
    assert kept["error"] == failed["error"] and kept["status"] == "failed"


def _previous_with_images(tmp_path: Path, plan: Any) -> Path:
    """A result file of a first run of ``plan`` (all images uploaded)."""
    clock = FakeClock()
    first, _, error = publish_run(plan, FakeApi(clock), clock)
    assert error is None
    path = tmp_path / "first.json"
    first.write(path)
    return path


def test_images_record_their_sha512(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, images=2)
    data = json.loads(_previous_with_images(tmp_path, plan).read_text(encoding="utf-8"))
    for entry, local in zip(data["images"], plan.images, strict=True):
        assert entry["sha512"] == sha512_file(local.path)


def test_an_image_changed_to_another_of_the_same_size_is_uploaded_again(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, images=2)
    path = _previous_with_images(tmp_path, plan)
    changed = plan.images[1].path
    size = changed.stat().st_size
    # another picture of the same byte size: one byte of it differs
    raw = bytearray(changed.read_bytes())
    raw[-1] ^= 0xFF
    changed.write_bytes(bytes(raw))
    assert changed.stat().st_size == size
    previous = load_previous_run(path, app_key=KEY, version="1.4.2")
    clock = FakeClock()
    api = FakeApi(clock)
    result, _, error = publish_run(plan, api, clock, previous=previous)
    assert error is None
    uploaded = [what for kind, what, _ in api.calls if kind == "image"]
    assert uploaded == [f"{plan.images[1].type}:{changed.name}"]
    assert result.images[0].reused and not result.images[1].reused
    assert result.images[1].sha512 == sha512_file(changed)


def test_an_image_entry_without_sha512_is_uploaded_again(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, images=1)
    path = _previous_with_images(tmp_path, plan)
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["images"][0]["sha512"]  # an older result file: only the size is known
    path.write_text(json.dumps(data), encoding="utf-8")
    clock = FakeClock()
    api = FakeApi(clock)
    previous = load_previous_run(path, app_key=KEY, version="1.4.2")
    _, _, error = publish_run(plan, api, clock, previous=previous)
    assert error is None
    assert [kind for kind, _, _ in api.calls].count("image") == 1
