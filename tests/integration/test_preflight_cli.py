"""Pre-flight through the CLI (a subprocess) against the emulator: artifact files
that cannot be uploaded and hostile descriptors end the run with exit 3 naming the
pattern, directory and candidates, before any request is sent."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from release_publisher.sandbox.server import SandboxServer
from release_publisher.testing import build_plugin_jar
from tests.hostile import BILLION_LAUGHS

from .conftest import Workspace, config_text
from .helpers import request_log_is_empty

pytestmark = pytest.mark.integration


JAR = "  - name: server\n    file: target/*.jar\n"


def _empty(target: Path) -> list[str]:
    return []


def _with_sources(target: Path) -> list[str]:
    build_plugin_jar(target / "hello-1.4.2-sources.jar")
    return ["hello-1.4.2-sources.jar", "hello-1.4.2.jar"]


def _directory(target: Path) -> list[str]:
    (target / "hello-1.4.2.jar").unlink()
    (target / "hello-1.4.2.jar").mkdir()
    return ["hello-1.4.2.jar", "is a directory"]


def _dangling(target: Path) -> list[str]:
    (target / "hello-1.4.2.jar").unlink()
    (target / "hello-1.4.2.jar").symlink_to(target / "gone.jar")
    return ["hello-1.4.2.jar", "gone.jar", "does not exist"]


def _zero_bytes(target: Path) -> list[str]:
    (target / "hello-1.4.2.jar").write_bytes(b"")
    return ["hello-1.4.2.jar", "0 bytes"]


def _text_renamed(target: Path) -> list[str]:
    (target / "hello-1.4.2.jar").write_text("BUILD FAILED\n")
    return ["hello-1.4.2.jar", "not a ZIP archive", "first bytes are not PK"]


def _sparse_300_mb(target: Path) -> list[str]:
    with (target / "hello-1.4.2.jar").open("r+b") as handle:
        handle.truncate(300 * 1000 * 1000)  # sparse: no 300 MB written
    return ["hello-1.4.2.jar", "300.0 MB", "at most", "250.0 MiB"]


FILE_CASES = {
    "target-empty": _empty,
    "jar-and-sources-jar": _with_sources,
    "directory": _directory,
    "dangling-symlink": _dangling,
    "zero-bytes": _zero_bytes,
    "text-renamed-jar": _text_renamed,
    "sparse-300-mb": _sparse_300_mb,
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_artifact_file_problems_exit_3_naming_pattern_directory_and_candidates(
    workspace: Workspace, sandbox: SandboxServer, case: str
) -> None:
    target = workspace.root / "target"
    if case == "target-empty":
        (target / "hello-1.4.2.jar").unlink()
    words = FILE_CASES[case](target)
    workspace.config(config_text(sandbox.base_url, artifacts=JAR))
    run = workspace.run("publish")
    assert run.code == 3, run.output
    assert run.stderr.startswith("FileCheckError: marketplace-release.yml:5:"), run.stderr
    assert "artifacts[0].file" in run.stderr
    assert "'target/*.jar'" in run.stderr  # the pattern
    assert str(target) in run.stderr  # the directory searched
    for word in words:  # the candidates and what is wrong with them
        assert word in run.stderr
    assert "hint:" in run.stderr and "Traceback" not in run.output
    assert run.result is not None and run.result["error"]["kind"] == "FileCheckError"
    assert request_log_is_empty(sandbox)  # refused before connecting


def _zip_bomb(path: Path) -> None:
    """A 50 KB JAR whose atlassian-plugin.xml inflates to 64 MiB (far above any
    descriptor; real bombs reach gigabytes the same way)."""
    block = b" " * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("atlassian-plugin.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(64):
            entry.write(block)


@pytest.mark.parametrize("bomb", ["xml-bomb", "zip-bomb"])
def test_descriptor_bombs_are_refused_before_any_request(
    workspace: Workspace, sandbox: SandboxServer, bomb: str
) -> None:
    jar = workspace.root / "target" / "hello-1.4.2.jar"
    if bomb == "xml-bomb":
        build_plugin_jar(jar, descriptor=BILLION_LAUGHS)
        words = ["refused XML construct"]
    else:
        _zip_bomb(jar)
        assert jar.stat().st_size < 1024 * 1024
        words = ["atlassian-plugin.xml declares", "67.1 MB"]
    workspace.config(config_text(sandbox.base_url, artifacts=JAR))
    run = workspace.run("publish", timeout=30)  # bounded time: a bomb would hang or swap
    assert run.code == 3, run.output
    for word in words:
        assert word in run.stderr
    assert "'target/*.jar'" in run.stderr
    assert request_log_is_empty(sandbox)
