"""One concurrent release over real HTTP: the CLI as a subprocess against the emulator
(with latency and a processing delay). The emulator's request log shows the calls
overlapping: the images and the fetch go while the uploaded artifact is processed,
the polls of both artifacts run together; the result lists the images in config
order and each log line of a concurrent call names its artifact or image."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from release_publisher.sandbox.server import start_sandbox

from .conftest import TOKEN, USER, Workspace, config_text, obr_for
from .helpers import api_requests

pytestmark = pytest.mark.integration


def _overlap(entries: list[dict[str, object]]) -> int:
    """The most calls the emulator was answering at one time."""
    events: list[tuple[float, int]] = []
    for e in entries:
        events += [(float(e["time"]), 1), (float(e["end"]), -1)]  # type: ignore[arg-type]
    most = current = 0
    for _, step in sorted(events):
        current += step
        most = max(most, current)
    return most


def test_a_release_runs_its_independent_calls_concurrently(
    workspace: Workspace, tmp_path: Path
) -> None:
    obr = obr_for(tmp_path / "files")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(obr.parent))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    artifacts = (
        "  - name: server\n    file: target/hello-1.4.2.jar\n"
        f"  - name: remote\n    url: http://127.0.0.1:{files.server_address[1]}/{obr.name}\n"
    )
    images = (
        "  - {type: icon, file: marketing/icon.png}\n"
        "  - {type: screenshot, file: 'marketing/shots/*.png'}\n"
    )
    try:
        with start_sandbox(
            data_dir=tmp_path / "data",
            user=USER,
            token=TOKEN,
            processing_delay=1.0,
            latency=0.05,
        ) as server:
            workspace.config(config_text(server.base_url, artifacts=artifacts, images=images))
            run = workspace.run("publish")
            log = api_requests(server)
    finally:
        files.shutdown()
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "published"
    assert [a["state"] for a in run.result["artifacts"]] == ["verified", "verified"]
    # config order (screenshots sorted), whatever order the uploads finished in
    assert [i["file"] for i in run.result["images"]] == [
        "marketing/icon.png",
        "marketing/shots/a.png",
        "marketing/shots/b.png",
    ]
    assert all(i["id"] for i in run.result["images"])
    assert {"upload", "fetch", "image", "get"} <= {e["endpoint"] for e in log}
    polls = [e for e in log if e["endpoint"] == "get"]
    ready = max(float(e["time"]) for e in polls)  # the last poll: both artifacts processed
    # every image and the fetch went up before the artifacts were processed
    assert all(float(e["time"]) < ready for e in log if e["endpoint"] in ("image", "fetch"))
    assert _overlap(log) >= 3
    assert "[artifact server] Uploaded: artifact ID" in run.stdout
    assert "[artifact remote] Fetched: artifact ID" in run.stdout
    assert "[icon image marketing/icon.png] Uploaded icon image" in run.stdout
