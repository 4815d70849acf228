"""Measurement helpers of the benchmarks: paths, artifact JARs, the sink process,
timed subprocess runs, statistics and a description of the machine.

Times are wall-clock seconds from :func:`time.perf_counter` (on Linux the system-wide
CLOCK_MONOTONIC, so comparable with the sink's ``time.monotonic()`` stamps). Sizes are
bytes; "MB" means 10**6 bytes and "MiB" 2**20 bytes.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
WORK = BENCH / ".work"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
#: The CLI measured; ``BENCH_CLI`` points at another build (e.g. an installed release).
CLI = Path(os.environ.get("BENCH_CLI") or VENV_BIN / "release-publisher")
MB = 1_000_000
MIB = 1 << 20

APP_KEY = "com.example.hello"
APP_VERSION = "1.4.2"
#: Credentials the CLI gets from the environment; the sink accepts anything.
BENCH_USER = "bench@example.com"
BENCH_TOKEN = "bench-token-not-a-secret"  # a dummy for a loopback sink


class BenchError(Exception):
    """A benchmark could not be measured (a run failed, a tool is missing)."""


@dataclass
class Timed:
    """One subprocess run: ``wall`` seconds, ``returncode``, captured ``log`` path."""

    wall: float
    returncode: int
    log: Path
    started: float = 0.0
    ended: float = 0.0

    def tail(self, lines: int = 15) -> str:
        """The last ``lines`` lines of the run's combined stdout/stderr."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (non-empty)."""
    return float(statistics.median(values))


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a CLI run: this one without CI host variables (so the CLI
    uses its plain console host) and without ``PYTHONDONTWRITEBYTECODE``, plus the
    benchmark credentials and ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "GITLAB_", "RUNNER_", "CI_"))
        and k not in ("CI", "MARKETPLACE_USER", "MARKETPLACE_TOKEN")
    }
    # A user's installation has its bytecode cache (pip compiles it on install; a
    # checkout writes it on the first run): let the warm-up runs write it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MARKETPLACE_USER"] = BENCH_USER
    env["MARKETPLACE_TOKEN"] = BENCH_TOKEN
    env.update(extra or {})
    return env


def run_timed(
    argv: Sequence[str | Path],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600.0,
    check: bool = True,
) -> Timed:
    """Run ``argv`` with stdout and stderr to ``log``; the wall time covers process
    creation to exit. Raises :class:`BenchError` on a non-zero exit when ``check``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(
            [str(a) for a in argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        end = time.perf_counter()
    timed = Timed(end - start, proc.returncode, log, start, end)
    if check and proc.returncode != 0:
        raise BenchError(
            f"{Path(str(argv[0])).name} exited {proc.returncode}; last lines of {log}:\n"
            + timed.tail()
        )
    return timed


# -- artifacts -------------------------------------------------------------------


def jar_path(size: int) -> Path:
    """Where the benchmark JAR of exactly ``size`` bytes lives."""
    return WORK / f"hello-{size // MB}mb" / "hello-1.4.2.jar"


def ensure_jar(size: int) -> Path:
    """A valid plugin JAR of exactly ``size`` bytes (a stored, incompressible padding
    entry fills it), built once into ``benchmarks/.work/`` and reused."""
    path = jar_path(size)
    if path.is_file() and path.stat().st_size == size:
        return path
    from release_publisher.testing import build_plugin_jar

    probe = WORK / "probe.jar"
    build_plugin_jar(probe, APP_KEY, APP_VERSION, padding=MIB)
    overhead = probe.stat().st_size - MIB
    probe.unlink()
    build_plugin_jar(path, APP_KEY, APP_VERSION, padding=size - overhead)
    actual = path.stat().st_size
    if actual != size:
        raise BenchError(f"built {path} with {actual} bytes, wanted {size}")
    return path


def small_jar() -> Path:
    """A small plugin JAR (a few hundred bytes of content) for latency runs."""
    path = WORK / "hello-small" / "hello-1.4.2.jar"
    if not path.is_file():
        from release_publisher.testing import build_plugin_jar

        build_plugin_jar(path, APP_KEY, APP_VERSION)
    return path


def write_config(jar: Path, base_url: str, *, timeout: float = 120, interval: float = 2) -> Path:
    """A format-1 release config next to ``jar`` uploading it as artifact ``server``."""
    config = jar.parent / "release.yml"
    config.write_text(
        "format: 1\n"
        f'app: {{key: {APP_KEY}, version: "{APP_VERSION}"}}\n'
        f"artifacts: [{{name: server, file: {jar.name}}}]\n"
        "uploads: {spacing: 0}\n"
        f"polling: {{timeout: {timeout:g}, interval: {interval:g}}}\n"
        f"marketplace: {{base-url: {base_url}}}\n",
        encoding="utf-8",
    )
    return config


# -- the sink --------------------------------------------------------------------


@dataclass
class SinkProcess:
    """A running ``benchmarks/sink.py`` process on 127.0.0.1:``port``."""

    proc: subprocess.Popen[bytes]
    port: int
    uploads_seen: int = field(default=0)

    @property
    def url(self) -> str:
        """The base URL to give the CLI and curl."""
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str) -> dict[str, Any]:
        req = urllib.request.Request(
            self.url + path, method=method, data=b"" if method == "POST" else None
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
            data: dict[str, Any] = json.loads(resp.read())
            return data

    def stats(self) -> dict[str, Any]:
        """``GET /_bench/stats``: uploads, GET counts (see sink.py)."""
        return self._call("GET", "/_bench/stats")

    def reset(self) -> None:
        """``POST /_bench/reset``."""
        self._call("POST", "/_bench/reset")

    def last_upload(self, expect_file_bytes: int) -> dict[str, Any]:
        """The upload that arrived since the previous call; raises :class:`BenchError`
        unless exactly one arrived and it carried the whole file (``file_bytes``
        equal to ``expect_file_bytes``, the body matching its Content-Length, the
        multipart epilogue intact)."""
        uploads = self.stats()["uploads"]
        new = uploads[self.uploads_seen :]
        self.uploads_seen = len(uploads)
        if len(new) != 1:
            raise BenchError(f"expected one upload at the sink, saw {len(new)}")
        up: dict[str, Any] = new[0]
        if up["content_length"] is not None and up["body_bytes"] != up["content_length"]:
            raise BenchError(f"sink read {up['body_bytes']} of {up['content_length']} bytes")
        if up["file_bytes"] != expect_file_bytes or not up["epilogue_ok"]:
            raise BenchError(
                f"sink counted {up['file_bytes']} file bytes (epilogue ok: "
                f"{up['epilogue_ok']}), expected {expect_file_bytes}"
            )
        return up


@contextmanager
def sink(
    *, rate: float = 0.0, details_delay: float = 0.0, name: str = "sink"
) -> Iterator[SinkProcess]:
    """Start the sink in its own process (``rate`` bytes/s, 0 = unlimited; details
    after ``details_delay`` seconds) and stop it on exit."""
    ready = WORK / f"{name}.ready"
    ready.unlink(missing_ok=True)
    log = (WORK / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(BENCH / "sink.py"),
            "--ready-file",
            str(ready),
            "--rate",
            str(rate),
            "--details-delay",
            str(details_delay),
            "--key",
            APP_KEY,
            "--version",
            APP_VERSION,
            "--max-seconds",
            "1800",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the sink did not start (see {log.name})")
            time.sleep(0.02)
        port = int(json.loads(ready.read_text(encoding="utf-8"))["port"])
        yield SinkProcess(proc, port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# -- machine ---------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, kernel, Python version and date of this run."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
                break
    except OSError:
        pass
    py = subprocess.run(
        [str(PYTHON), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    curl = shutil.which("curl")
    curl_version = (
        subprocess.run([curl, "--version"], capture_output=True, text=True, check=False)
        .stdout.split("\n", 1)[0]
        .split(" (", 1)[0]
        if curl
        else "none"
    )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "ram": ram,
        "kernel": f"{platform.system()} {platform.release()}",
        "python": py or platform.python_version(),
        "curl": curl_version,
    }


def client_ready() -> str | None:
    """None when the Marketplace client is implemented, else why not (the CLI cannot
    start, or ``MarketplaceClient`` still raises NotImplementedError)."""
    probe = (
        "from release_publisher.marketplace.client import MarketplaceClient as C\n"
        "import release_publisher.cli as cli\n"
        "cli.build_parser()\n"
        "try:\n"
        "    C('http://127.0.0.1:9', user='u', token='t').close()\n"
        "except NotImplementedError:\n"
        "    raise SystemExit('MarketplaceClient raises NotImplementedError')\n"
    )
    proc = subprocess.run(
        [str(PYTHON), "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if proc.returncode == 0:
        return None
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[-1] if lines else f"probe exited {proc.returncode}"
