"""Action start (part of the ``container`` suite): the time from ``docker run`` of the
built image (present locally) to the first request reaching the emulator.

The emulator (``start_sandbox``, in this process, 127.0.0.1 only) receives the
container's ``publish`` of the small JAR; the container shares the host's network
(``--network host``) so the emulator stays on loopback. The time is the emulator's
wall-clock stamp of the first API request minus the wall clock just before
``docker run`` started.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request

from benchmarks.harness import BENCH_TOKEN, BENCH_USER, WORK, BenchError, clean_env, small_jar
from benchmarks.harness import write_config as _write_config

#: Target from issue 14, seconds.
TARGET = 1.0


def first_request_delays(image: str, runs: int) -> list[float]:
    """Seconds from ``docker run`` to the first API request at the emulator, per run.
    Raises :class:`BenchError` when a run sends no request."""
    from release_publisher.sandbox.server import start_sandbox

    jar = small_jar()
    delays: list[float] = []
    with start_sandbox(user=BENCH_USER, token=BENCH_TOKEN) as server:
        config = _write_config(jar, server.base_url)
        argv = [
            "docker", "run", "--rm", "--network", "host",
            "-v", f"{jar.parent}:/work:ro", "-w", "/work",
            "-e", "MARKETPLACE_USER", "-e", "MARKETPLACE_TOKEN",
            image, "publish", "--config", f"/work/{config.name}",
            "--result-json", "/tmp/result.json",
        ]  # fmt: skip
        for i in range(runs + 1):  # the first run warms the page cache: not counted
            _post(server.base_url + "/_sandbox/reset")
            started = time.time()
            subprocess.run(
                argv,
                env=clean_env(),
                stdout=(WORK / "action-start.log").open("wb"),
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
            )
            calls = [r for r in server.app.requests.entries() if r["path"].startswith("/rest/")]
            if not calls:
                raise BenchError(f"the container sent no request; see {WORK / 'action-start.log'}")
            if i:
                delays.append(min(float(r["time"]) for r in calls) - started)
    return delays


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
