"""HTTP faults through the CLI (a subprocess) against the emulator: resets, 5xx,
Retry-After in its forms, 429 in a batch, hostile error bodies and cross-origin
redirects, asserting the exit code, the message naming the endpoint, and (from the
emulator's request log) what was sent, or that nothing was."""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from release_publisher import cli
from release_publisher.clock import FakeClock
from release_publisher.limits import human_size
from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_plugin_jar, write_png
from tests.hostile import LOAD_BALANCER_502_PAGE, NGINX_413_PAGE, SSO_LOGIN_PAGE

from .conftest import TOKEN, USER, Workspace, config_text
from .helpers import PROXY_VARS, api_requests, inject

pytestmark = pytest.mark.integration


# ------------------------------------------------------------------ retries of a POST


def test_reset_mid_body_then_the_full_file_on_the_second_attempt(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    """The emulator resets the connection after 64 KiB of a 12 MiB upload: the CLI
    logs the retry, re-reads the file from its start, and the emulator stores the full
    file (same size and SHA-512) from the second attempt."""
    jar = build_plugin_jar(workspace.root / "target" / "hello-1.4.2.jar", padding=12 << 20)
    sha = hashlib.sha512(jar.read_bytes()).hexdigest()
    inject(sandbox, {"endpoint": "upload", "drop": "mid-body", "drop_after_bytes": 65536})
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 0, run.output
    assert (
        "POST /rest/3/artifacts: attempt 2/4 after connection reset while sending body; "
        "waiting 1.0 s" in run.stdout
    )
    uploads = [r for r in api_requests(sandbox) if r["endpoint"] == "upload"]
    assert len(uploads) == 2
    assert uploads[0]["dropped"] == "mid-body"
    assert uploads[1]["status"] == 200
    assert uploads[1]["file_size"] == jar.stat().st_size
    assert uploads[1]["file_sha512"] == sha
    assert run.result is not None and run.result["artifacts"][0]["checksum"] == sha


def test_500_after_the_body_is_not_retried_and_says_it_may_be_stored(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    inject(sandbox, {"endpoint": "upload", "status": 500})
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 4, run.output
    assert "HTTP 500" in run.stderr and "may have been stored" in run.stderr
    assert len([r for r in api_requests(sandbox) if r["endpoint"] == "upload"]) == 1


# ------------------------------------------------------------------ Retry-After


#: the FakeClock's wall time: an HTTP-date is built from it, never from time.time()
WALL = FakeClock().wall()


def _http_date(offset: float) -> str:
    return email.utils.formatdate(WALL + offset, usegmt=True)


@pytest.fixture
def _in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``cli.main`` in this process: no proxy of the machine applies to loopback (its
    logging is given back by tests/conftest.py)."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield


@pytest.mark.usefixtures("_in_process")
@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("1.5", 1.5, 1.5),  # decimal delta-seconds
        ("date+2", 2.0, 2.0),  # an HTTP-date 2 s ahead of the client's (fake) clock
        ("date-60", 0.0, 0.0),  # a past HTTP-date: retry now
        ("soon", 1.0, 1.0),  # garbage: the normal backoff (1 s)
    ],
)
def test_503_retry_after_forms_on_upload(
    workspace: Workspace,
    sandbox: SandboxServer,
    header: str,
    low: float,
    high: float,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Real HTTP to the emulator, the CLI in process with a FakeClock: the HTTP-date
    is built from the clock the client reads, so the wait it computes is exact on any
    machine, however loaded (it was built from time.time() before the run started and
    the wait shrank with the start-up time of a subprocess)."""
    value = {"date+2": _http_date(2), "date-60": _http_date(-60)}.get(header, header)
    inject(sandbox, {"endpoint": "upload", "status": 503, "headers": {"Retry-After": value}})
    workspace.config(config_text(sandbox.base_url))
    clock = FakeClock()
    code = cli.main(
        ["publish", "-C", str(workspace.root)],
        env={"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN},
        clock=clock,
    )
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "ValueError" not in captured.out + captured.err
    found = re.search(r"attempt 2/4 after HTTP 503; waiting ([0-9.]+) s", captured.out)
    assert found, captured.out
    assert low <= float(found.group(1)) <= high
    assert len([r for r in api_requests(sandbox) if r["endpoint"] == "upload"]) == 2


def test_retry_after_beyond_the_deadline_ends_the_run_with_the_time_to_retry(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    inject(sandbox, {"endpoint": "upload", "status": 429, "headers": {"Retry-After": "86400"}})
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 4, run.output
    assert "retry after 86400 s (at " in run.stderr and "UTC" in run.stderr
    assert "re-run after" in run.stderr
    assert run.seconds < 30  # did not wait a day
    assert len(api_requests(sandbox)) == 1


def test_eight_images_with_a_429_on_the_third_are_each_uploaded_once(
    workspace: Workspace, sandbox: SandboxServer
) -> None:
    shots = workspace.root / "marketing" / "eight"
    for i in range(8):
        write_png(shots / f"shot-{i}.png", 600 + i, 400)
    local = {hashlib.sha512(p.read_bytes()).hexdigest() for p in shots.glob("*.png")}
    # the first two image requests pass (a tiny delay), the third gets 429
    inject(
        sandbox,
        {"endpoint": "image", "delay": 0.01},
        {"endpoint": "image", "delay": 0.01},
        {"endpoint": "image", "status": 429, "headers": {"Retry-After": "1"}},
    )
    images = "  - {type: screenshot, file: 'marketing/eight/*.png'}\n"
    workspace.config(config_text(sandbox.base_url, images=images))
    run = workspace.run("publish")
    assert run.code == 0, run.output
    calls = [r for r in api_requests(sandbox) if r["endpoint"] == "image"]
    assert len(calls) == 9
    assert calls[2]["status"] == 429
    stored = [r["file_sha512"] for r in calls if r["status"] == 200]
    assert len(stored) == 8 and set(stored) == local  # each image exactly once
    assert run.result is not None
    assert len({i["id"] for i in run.result["images"] if i["id"]}) == 8


# ------------------------------------------------------------------ error bodies

ERROR_BODIES: dict[str, tuple[int, str, Any, list[str]]] = {
    "413-nginx-html": (
        413,
        "text/html",
        NGINX_413_PAGE,
        ["HTTP 413", "Content-Type: text/html", "413 Request Entity Too Large nginx", "250 MB"],
    ),
    "502-load-balancer-html": (
        502,
        "text/html; charset=utf-8",
        LOAD_BALANCER_502_PAGE,
        ["HTTP 502", "text/html", "Bad Gateway", "may have been stored"],
    ),
    "200-html-login-page": (
        200,
        "text/html",
        SSO_LOGIN_PAGE,
        ["HTTP 200 with text/html, not JSON", "Log in with Atlassian account", "proxy"],
    ),
    "400-json-field-errors": (
        400,
        "application/json",
        [
            {"field": "file", "message": "unsupported artifact type"},
            {"field": "uri", "message": "must be https"},
        ],
        [
            "HTTP 400",
            "application/json",
            "file: unsupported artifact type; uri: must be https",
            "fix the fields",
        ],
    ),
    "401-json": (
        401,
        "application/json",
        {"code": "UNAUTHORIZED", "message": "Client must be authenticated"},
        ["HTTP 401", "application/json", "UNAUTHORIZED: Client must be authenticated", USER],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_BODIES))
def test_error_bodies_show_status_content_type_message_and_hint(
    workspace: Workspace, sandbox: SandboxServer, case: str
) -> None:
    status, ctype, body, words = ERROR_BODIES[case]
    inject(
        sandbox,
        {"endpoint": "upload", "status": status, "headers": {"Content-Type": ctype}, "body": body},
    )
    workspace.config(config_text(sandbox.base_url))
    run = workspace.run("publish")
    assert run.code == 4, run.output
    assert run.stderr.startswith("ApiError: POST /rest/3/artifacts"), run.stderr
    for word in words:
        assert word in run.stderr
    assert "hint:" in run.stderr
    assert "<" not in run.stderr.split("hint:")[0]  # HTML tags stripped
    assert "x" * 200 not in run.stderr  # at most 200 characters of a non-JSON body
    if status == 413:
        size = (workspace.root / "target" / "hello-1.4.2.jar").stat().st_size
        assert f"the file is too large ({human_size(size)})" in run.stderr
    assert TOKEN not in run.output
    assert len(api_requests(sandbox)) == 1  # none of these is retried


# ------------------------------------------------------------------ redirects


class Recorder(http.server.BaseHTTPRequestHandler):
    """Records every request's headers; answers 200 with an artifact body."""

    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers.items()))
        body = json.dumps({"_links": {"self": {"href": "/rest/3/artifacts/stolen"}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[int, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Rec", (Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_get_redirect_to_another_origin_sends_no_credential_there(
    workspace: Workspace,
    tmp_path: Path,
    recorder: tuple[int, list[dict[str, str]]],
    host: str,
) -> None:
    """``127.0.0.1:<other port>`` is another port; ``localhost:<other port>`` another
    host name that reaches the same recording server: neither gets any request."""
    port, seen = recorder
    target = f"http://{host}:{port}/rest/3/artifacts/x"
    with start_sandbox(
        data_dir=tmp_path / "data", user=USER, token=TOKEN, processing_delay=30
    ) as server:
        inject(server, {"endpoint": "get", "status": 302, "headers": {"Location": target}})
        workspace.config(config_text(server.base_url))
        run = workspace.run("publish")
        log = api_requests(server)
    assert run.code == 4, run.output
    assert "refusing to follow HTTP 302 redirect" in run.stderr
    assert f"http://{host}:{port}" in run.stderr and "no request was sent there" in run.stderr
    assert seen == []  # the target never saw a request, so no Authorization header
    assert [r["status"] for r in log if r["endpoint"] == "get"] == [302]
    assert run.result is not None and run.result["artifacts"][0]["id"]
