"""Reading the config file: size cap, encodings (BOM, CRLF, UTF-16/32, invalid UTF-8),
tab indentation, missing file or directory, alias bombs and recursive aliases."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import FULL, MINIMAL, assert_full, fail, load


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.encode(), id="bom"),
        pytest.param(lambda s: s.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode(), id="bom-crlf"),
    ],
)
def test_bom_and_crlf_parse_exactly_like_the_plain_file(
    tmp_path: Path, variant: Callable[[str], bytes]
) -> None:
    plain_dir = tmp_path / "plain"
    other_dir = tmp_path / "other"
    plain_dir.mkdir()
    other_dir.mkdir()
    plain = load(plain_dir, FULL)
    other = load(other_dir, variant(FULL))
    assert_full(other, other_dir / "release.yml")
    for field in ("app_key", "version", "base_url", "poll_timeout", "poll_interval"):
        assert getattr(other, field) == getattr(plain, field)
    assert [(i.type, i.file) for i in other.images] == [(i.type, i.file) for i in plain.images]
    assert [(a.name, a.file, a.url, a.sha512, a.expect) for a in other.artifacts] == [
        (a.name, a.file, a.url, a.sha512, a.expect) for a in plain.artifacts
    ]
    # Same lines and columns: a BOM does not shift column 1, CRLF does not add lines.
    strip = {k: (v.line, v.col, v.field) for k, v in plain.locations.items()}
    assert {k: (v.line, v.col, v.field) for k, v in other.locations.items()} == strip


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "#" * (1024 * 1024))
    assert "larger than" in err.message


def test_tab_indentation(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("  version:", "\tversion:"))
    assert err.location is not None
    assert (err.location.line, err.location.col) == (4, 1)
    assert err.hint is not None and "indent with spaces" in err.hint
    assert "tab" in err.message


def test_tab_indentation_in_list(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("  - file:", "\t- file:"))
    assert err.location is not None and err.location.line == 6
    assert err.hint is not None and "indent with spaces" in err.hint


def test_tab_after_a_colon_is_reported_as_a_tab(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL.replace("key: ", "key:\t"))
    assert err.location is not None and (err.location.line, err.location.col) == (3, 7)
    assert "tab" in err.message
    assert err.hint is not None and "spaces" in err.hint


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-32", "UTF-32"), ("utf-16-le", None), ("utf-16-be", None)],
)
def test_utf16_and_utf32_are_refused(tmp_path: Path, encoding: str, name: str | None) -> None:
    err = fail(tmp_path, FULL.encode(encoding))
    assert err.location is not None and err.location.line == 1
    assert err.hint is not None and "save the file as UTF-8" in err.hint
    assert (name or "UTF-16") in err.message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    data = MINIMAL.replace("target/hello.jar", "target/h\u00e9llo.jar").encode("latin-1")
    err = fail(tmp_path, data)
    assert err.location is not None
    assert (err.location.line, err.location.col) == (6, 19)
    assert "not valid UTF-8" in err.message
    assert err.hint is not None and "save the file as UTF-8" in err.hint


def test_non_ascii_utf8_is_fine(tmp_path: Path) -> None:
    cfg = load(tmp_path, MINIMAL.replace("target/hello.jar", "target/h\u00e9llo.jar"))
    assert cfg.artifacts[0].file == "target/h\u00e9llo.jar"


def test_missing_file_names_path_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from release_publisher.config import load_config
    from release_publisher.errors import ConfigError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config(Path("nope/release.yml"), env={})
    assert info.value.exit_code == 2
    assert "nope/release.yml" in info.value.message
    assert str(tmp_path) in info.value.message


def test_directory_instead_of_file(tmp_path: Path) -> None:
    from release_publisher.config import load_config
    from release_publisher.errors import ConfigError

    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path, env={})


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    err = fail(tmp_path, MINIMAL + "images: &x [*x]\n")
    assert "recursive" in err.message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    err = fail(tmp_path, MINIMAL + "\n".join(lines) + "\n")
    assert "YAML nodes" in err.message


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        pytest.param(_fifo, "FIFO", id="fifo"),
        pytest.param(lambda p: Path("/dev/zero"), "character device", id="dev-zero"),
        pytest.param(lambda p: p.parent, "is a directory", id="directory"),
    ],
)
def test_config_that_is_not_a_regular_file_is_refused_before_reading(
    tmp_path: Path, make: Callable[[Path], Path], fragment: str
) -> None:
    """`--config` naming a FIFO would block forever, /dev/zero would never end."""
    from release_publisher.config import load_config
    from release_publisher.errors import ConfigError

    path = make(tmp_path / "release.yml")
    box: list[BaseException] = []

    def run() -> None:
        try:
            load_config(path, env={})
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "loading the config blocked"
    assert box and isinstance(box[0], ConfigError), box
    err = box[0]
    assert err.exit_code == 2
    assert fragment in err.message
    assert err.location is not None and err.location.file == str(path)
