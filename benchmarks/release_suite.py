"""The ``release`` suite: a whole release (artifacts, listing images, the version and its
listing) against the emulator under realistic network conditions, measured against
its critical path.

The emulator (``release-publisher sandbox`` in its own process) runs with
``--latency 80`` (ms added to every response), ``--bandwidth 20000000`` (request bodies
read at 20 MB/s), ``--processing-delay 3`` (s until an artifact's details appear),
``--upload-spacing 10`` (s between upload starts, 429 otherwise) and
``--no-fetch-spacing`` (a fetch is not an upload). The OBR is served by a loopback
HTTP server in this process. Before each run the emulator is reset and the app is
seeded with version 1.4.1 (for the version plan to copy from).

The bound (:func:`critical_path`) is computed from the same parameters: see
benchmarks/README.md, "The release suite's critical path".
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    APP_KEY,
    APP_VERSION,
    BENCH_TOKEN,
    BENCH_USER,
    CLI,
    MB,
    ROOT,
    WORK,
    BenchError,
    clean_env,
    ensure_jar,
    median,
    run_timed,
)
from benchmarks.suites import Section, _fmt_s
from release_publisher.testing import SAMPLE_APP_SEED, sandbox_admin

LATENCY = 0.080  # seconds per call
BANDWIDTH = 20 * MB  # bytes per second
PROCESSING = 3.0  # seconds
SPACING = 10.0  # seconds between upload starts
JAR_SIZE = 50 * MB
POLL_INTERVAL = 0.25  # polling.interval of the configs (seconds)
TARGET = 1.15
#: Runs per shape (each run is 6-17 s; the suite keeps ``make bench`` under 8 min).
MAX_RUNS = 3


@dataclass(frozen=True)
class Shape:
    """One release: ``uploads`` JARs of :data:`JAR_SIZE` uploaded, ``fetches`` OBRs
    fetched from a URL, ``screenshots`` screenshots (plus one icon when ``icon``)."""

    label: str
    uploads: int
    fetches: int
    icon: bool
    screenshots: int

    @property
    def images(self) -> int:
        """Listing images in total."""
        return self.screenshots + (1 if self.icon else 0)


SHAPES = (
    Shape("1 artifact + 1 image", uploads=1, fetches=0, icon=True, screenshots=0),
    Shape("2 artifacts + 7 images", uploads=1, fetches=1, icon=True, screenshots=6),
    Shape("3 artifacts + 12 images", uploads=2, fetches=1, icon=True, screenshots=11),
)


def critical_path(
    shape: Shape,
    *,
    image_bytes: list[int],
    latency: float = LATENCY,
    bandwidth: float = BANDWIDTH,
    processing: float = PROCESSING,
    spacing: float = SPACING,
    jar_size: int = JAR_SIZE,
) -> float:
    """The longest chain of calls that must follow one another (seconds), each call
    costing ``latency`` plus its body at ``bandwidth``:

    - upload k (k = 0, 1, ...) starts at ``k * spacing`` (two uploads start at least
      ``spacing`` apart) and ends ``latency + jar_size / bandwidth`` later; a fetch
      starts at 0 and costs ``latency`` (its download is Marketplace's, on loopback);
    - an artifact is processed ``processing`` after its call ended and verified by one
      more call (``latency``);
    - the version needs its verified artifact (the first upload): one call;
    - the listing needs the version and every screenshot (``latency + size /
      bandwidth`` each, independent): one call.

    The release ends with the last of: every artifact verified, the listing."""
    transfer = jar_size / bandwidth
    verified = [
        k * spacing + latency + transfer + processing + latency for k in range(shape.uploads)
    ]
    verified += [latency + processing + latency for _ in range(shape.fetches)]
    version = verified[0] + latency
    images = max((latency + size / bandwidth for size in image_bytes), default=0.0)
    listing = max(version, images) + latency
    return max([*verified, listing])


# -- set-up ---------------------------------------------------------------------------


@contextmanager
def _file_server(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on loopback (for the fetched OBR); yields its URL."""
    handler = functools.partial(_QuietFiles, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _emulator() -> Iterator[str]:
    """``release-publisher sandbox`` with the suite's network conditions, in its own
    process; yields its base URL."""
    ready = WORK / "release-sandbox.ready"
    ready.unlink(missing_ok=True)
    log = (WORK / "release-sandbox.log").open("wb")
    argv = [
        str(CLI), "sandbox", "--port", "0", "--ready-file", str(ready),
        "--data-dir", str(WORK / "release-sandbox-data"),
        "--user", BENCH_USER, "--token", BENCH_TOKEN,
        "--processing-delay", f"{PROCESSING:g}", "--upload-spacing", f"{SPACING:g}",
        "--latency", f"{LATENCY * 1000:g}", "--bandwidth", str(BANDWIDTH),
        "--no-fetch-spacing",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=clean_env())
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the emulator did not start; see {log.name}")
            time.sleep(0.05)
        yield ready.read_text(encoding="utf-8").strip()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _admin(base_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """An emulator admin call: POST ``body`` (a ``.../reset`` POSTs nothing), else GET."""
    method = "POST" if body is not None or path.endswith("reset") else "GET"
    return sandbox_admin(base_url, path, body, method=method)


def _workspace(shape: Shape, files_url: str, files_root: Path) -> tuple[Path, list[int]]:
    """The release directory of ``shape``: JARs (copies of the 50 MB JAR), the OBR on
    the file server, the images and ``release.yml``; returns the config and the image
    sizes in bytes."""
    from release_publisher.testing import build_obr, build_plugin_jar

    root = WORK / f"release-{shape.uploads}u{shape.fetches}f{shape.images}i"
    if root.exists():
        shutil.rmtree(root)
    (root / "shots").mkdir(parents=True)
    jar = ensure_jar(JAR_SIZE)
    artifacts = []
    for k in range(shape.uploads):
        target = root / f"hello-{k}-{APP_VERSION}.jar"
        shutil.copyfile(jar, target)
        artifacts.append(f"  - {{name: jar{k}, file: {target.name}}}\n")
    obr = files_root / f"hello-{APP_VERSION}.obr"
    if not obr.exists():
        small = build_plugin_jar(files_root / "inner.jar", APP_KEY, APP_VERSION)
        build_obr(obr, small)
    for k in range(shape.fetches):
        artifacts.append(f"  - {{name: obr{k}, url: '{files_url}/{obr.name}'}}\n")
    marketing = ROOT / "examples" / "marketing"
    shutil.copyfile(marketing / "icon.png", root / "icon.png")
    shots = sorted((marketing / "screenshots").glob("*.png"))
    sizes = [(root / "icon.png").stat().st_size] if shape.icon else []
    for k in range(shape.screenshots):
        target = root / "shots" / f"{k:02d}.png"
        shutil.copyfile(shots[k % len(shots)], target)
        sizes.append(target.stat().st_size)
    images = "  - {type: icon, file: icon.png}\n" if shape.icon else ""
    if shape.screenshots:
        images += "  - {type: screenshot, file: 'shots/*.png'}\n"
    listing = "    screenshots: screenshot\n" if shape.screenshots else ""
    config = root / "release.yml"
    config.write_text(
        "format: 1\n"
        f'app: {{key: {APP_KEY}, version: "{APP_VERSION}"}}\n'
        "artifacts:\n" + "".join(artifacts) + (f"images:\n{images}" if images else "")
        + f"polling: {{timeout: 120, interval: {POLL_INTERVAL:g}}}\n"
        f"uploads: {{spacing: {SPACING:g}}}\n"
        "release:\n  artifact: jar0\n  hosting: datacenter\n  build-number: auto\n"
        "  copy-from-previous: true\n  summary: benchmark release\n"
        "  listing:\n    state: public\n" + listing,
        encoding="utf-8",
    )  # fmt: skip
    return config, sizes


def _max_overlap(requests: list[dict[str, Any]]) -> int:
    """The most API calls the emulator was answering at one time."""
    events = []
    for r in requests:
        if r.get("end") is not None:
            events += [(r["time"], 1), (r["end"], -1)]
    most = current = 0
    for _, step in sorted(events):
        current += step
        most = max(most, current)
    return most


def release(runs: int) -> Section:
    """Publish each of :data:`SHAPES` ``min(runs, MAX_RUNS)`` times; the median wall
    time of ``publish`` against :func:`critical_path`."""
    sec = Section("release", "Release vs critical path")
    runs = max(1, min(runs, MAX_RUNS))
    files_root = WORK / "release-files"
    files_root.mkdir(parents=True, exist_ok=True)
    with _file_server(files_root) as files_url, _emulator() as base_url:
        for shape in SHAPES:
            config, sizes = _workspace(shape, files_url, files_root)
            bound = critical_path(shape, image_bytes=sizes)
            walls: list[float] = []
            firsts: list[float] = []
            overlap: list[int] = []
            for i in range(runs):
                _admin(base_url, "/_sandbox/reset")
                _admin(base_url, "/_sandbox/apps", SAMPLE_APP_SEED)
                result_path = config.parent / f"result-{i}.json"
                result_path.unlink(missing_ok=True)
                argv: list[str | Path] = [CLI, "publish", "--config", config]
                argv += ["--base-url", base_url, "--result-json", result_path]
                log = WORK / f"release-{shape.uploads}-{shape.images}-{i}.log"
                started = time.time()  # the emulator's log stamps are wall-clock seconds
                timed = run_timed(argv, log=log, env=clean_env(), cwd=ROOT, timeout=120)
                result = json.loads(result_path.read_text(encoding="utf-8"))
                if result.get("status") != "published":
                    raise BenchError(f"publish ended {result.get('status')!r}: {timed.tail()}")
                calls = _admin(base_url, "/_sandbox/requests")["requests"]
                walls.append(timed.wall)
                firsts.append(min(r["time"] for r in calls) - started)
                overlap.append(_max_overlap(calls))
            wall = median(walls)
            first = median(firsts)
            ratio = wall / bound
            sec.raw[shape.label] = {
                "walls": walls,
                "bound": bound,
                "first_request_after": firsts,
                "max_overlap": overlap,
            }
            sec.row(
                f"publish, {shape.label} ({shape.uploads} uploaded, {shape.fetches} fetched)",
                f"{_fmt_s(wall)} = {ratio:.2f}x the bound {_fmt_s(bound)}",
                f"<= {TARGET:g}x",
                ratio <= TARGET,
            )
            sec.row(
                f"  the same from its first request ({_fmt_s(first)} of start-up before it)",
                f"{_fmt_s(wall - first)} = {(wall - first) / bound:.2f}x the bound",
                "-",
                None,
            )
            sec.notes.append(
                f"{shape.label}: walls {', '.join(f'{w:.2f}' for w in walls)} s; bound "
                f"{bound:.2f} s; first request {', '.join(f'{f:.2f}' for f in firsts)} s "
                f"after the process started; at most {max(overlap)} calls answered at once"
            )
    return sec
