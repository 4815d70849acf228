"""Integration tier: the emulator on a free loopback port, the CLI run as a
subprocess exactly as users run it, real plugin artifacts built with zipfile."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_obr, build_plugin_jar, write_png

from .helpers import CLI, TOKEN, USER, Run, clean_env, run_cli

__all__ = ["CLI", "TOKEN", "USER", "Run", "Workspace", "config_text", "obr_for"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """A fresh emulator per test (no processing delay, no upload spacing)."""
    with start_sandbox(data_dir=tmp_path / "sandbox-data", user=USER, token=TOKEN) as server:
        yield server


@dataclass
class Workspace:
    """A project directory with a built plugin JAR, images and a release config."""

    root: Path

    def config(self, text: str) -> Path:
        path = self.root / "marketplace-release.yml"
        path.write_text(text, encoding="utf-8")
        return path

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> Run:
        """Run ``release-publisher ARGS`` in the workspace with the emulator's
        credentials and ``--result-json result.json`` added to publish."""
        result_file = self.root / "result.json"
        full_env = clean_env(
            {
                "MARKETPLACE_USER": USER,
                "MARKETPLACE_TOKEN": TOKEN,
                "PYTHONUNBUFFERED": "1",
                **(env or {}),
            }
        )
        argv = list(args)
        if argv and argv[0] == "publish" and "--result-json" not in argv:
            argv += ["--result-json", str(result_file)]
        return run_cli(self.root, *argv, env=full_env, result_file=result_file, timeout=timeout)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "project"
    build_plugin_jar(root / "target" / "hello-1.4.2.jar", "com.example.hello", "1.4.2")
    write_png(root / "marketing" / "icon.png", 144, 144)
    write_png(root / "marketing" / "shots" / "b.png", 640, 400)
    write_png(root / "marketing" / "shots" / "a.png", 640, 400)
    return Workspace(root)


def config_text(
    base_url: str,
    *,
    version: str = "1.4.2",
    artifacts: str = "  - name: server\n    file: target/hello-1.4.2.jar\n",
    images: str = "",
    timeout: float = 30,
    spacing: float = 0,
) -> str:
    """A format-1 release config for the workspace."""
    return (
        "format: 1\n"
        f'app: {{key: com.example.hello, version: "{version}"}}\n'
        f"artifacts:\n{artifacts}"
        + (f"images:\n{images}" if images else "")
        + f"marketplace: {{base-url: {base_url}}}\n"
        f"polling: {{timeout: {timeout}, interval: 0.2}}\n"
        f"uploads: {{spacing: {spacing}}}\n"
    )


def obr_for(root: Path, version: str = "1.4.2") -> Path:
    """An OBR holding a plugin JAR, in ``root/dist``."""
    jar = build_plugin_jar(root / "dist" / f"hello-{version}.jar", "com.example.hello", version)
    return build_obr(root / "dist" / f"hello-{version}.obr", jar)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed CA certificate for IP 127.0.0.1 and its key, made with the openssl
    CLI (the ``cryptography`` package is not a dependency). Without openssl the TLS
    tests skip locally and fail in CI (CI=true): they must not vanish silently."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the openssl CLI is needed for the TLS tests (apt-get install openssl)")
        pytest.skip("openssl CLI not available")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=release-publisher test CA",
            "-addext", "subjectAltName=IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key
