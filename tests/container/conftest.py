"""Container tier: builds the image once per session and runs it the way GitHub and
GitLab run it, against the Marketplace emulator on loopback (``--network host``).

Without a usable docker these tests are SKIPPED locally but FAIL when ``CI=true``:
CI must never pass by silently skipping them. The base image
``local/python-slim:test`` is made by ``../shared/tools/make-python-base-image.sh``
(relative to the repository root) when it is missing; set
``RELEASE_PUBLISHER_BASE_IMAGE`` to build on another base (e.g. python:3.12-slim).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
#: The tag the session builds; set RELEASE_PUBLISHER_TEST_IMAGE so that parallel runs
#: (other worktrees) do not overwrite each other's image.
IMAGE = os.environ.get("RELEASE_PUBLISHER_TEST_IMAGE", "release-publisher:test")
DEFAULT_BASE = "local/python-slim:test"
BASE_IMAGE = os.environ.get("RELEASE_PUBLISHER_BASE_IMAGE", DEFAULT_BASE)
BASE_SCRIPT = REPO.parent / "shared" / "tools" / "make-python-base-image.sh"

#: Credentials the emulator accepts in these tests (never real ones).
USER = "container-bot@example.com"
TOKEN = "ctr-tok-8Hq2vZ-rp-container-tests"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"container tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _docker(*args: str, timeout: float = 600, env: Mapping[str, str] | None = None) -> Run:
    proc = subprocess.run(
        ["docker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(env) if env is not None else None,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@dataclass(frozen=True)
class Run:
    """A finished ``docker`` command."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="session")
def image() -> str:
    """The built image's tag; skips (or fails in CI) without docker."""
    if shutil.which("docker") is None:
        _unavailable("the docker command is not installed")
    try:
        info = _docker("info", timeout=60)
    except subprocess.TimeoutExpired:
        _unavailable("the docker daemon did not answer within 60 s")
    if info.code != 0:
        _unavailable(f"the docker daemon is not usable: {info.stderr.strip()[:300]}")
    if _docker("image", "inspect", BASE_IMAGE).code != 0:
        if BASE_IMAGE != DEFAULT_BASE or not BASE_SCRIPT.is_file():
            _unavailable(f"base image {BASE_IMAGE} is missing")
        made = subprocess.run(
            ["bash", str(BASE_SCRIPT), BASE_IMAGE],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if made.returncode != 0:
            pytest.fail(f"could not make the base image:\n{made.stderr[-3000:]}")
    built = _docker(
        "build",
        "--network",
        "host",
        "--build-arg",
        f"BASE_IMAGE={BASE_IMAGE}",
        "-t",
        IMAGE,
        str(REPO),
        timeout=900,
    )
    if built.code != 0:
        pytest.fail(f"docker build failed:\n{built.output[-4000:]}")
    return IMAGE


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """The emulator's base URL; it accepts USER / TOKEN."""
    from release_publisher.sandbox.server import start_sandbox

    with start_sandbox(user=USER, token=TOKEN) as server:
        yield server.base_url


@pytest.fixture(scope="session")
def docker_run(image: str) -> Iterator[DockerRunner]:
    yield DockerRunner(image)


class DockerRunner:
    """Runs the image with ``docker run --rm --network host``; values given in
    ``secret_env`` are passed by name only (``-e NAME``), never on the command line."""

    def __init__(self, image: str) -> None:
        self.image = image

    def __call__(
        self,
        args: Sequence[str] = (),
        *,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        secret_env: Mapping[str, str] | None = None,
        timeout: float = 300,
    ) -> Run:
        command = ["run", "--rm", "--network", "host", *options]
        for name, value in (env or {}).items():
            command += ["-e", f"{name}={value}"]
        process_env = dict(os.environ)
        for name, value in (secret_env or {}).items():
            command += ["-e", name]
            process_env[name] = value
        command += [self.image, *args]
        return _docker(*command, timeout=timeout, env=process_env)
