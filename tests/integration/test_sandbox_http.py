"""The sandbox over real loopback HTTP: uploads, fetches from a local web server,
connection-reset faults, and the ``release-publisher sandbox`` process itself."""

from __future__ import annotations

import functools
import hashlib
import http.server
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from release_publisher.sandbox.config import DEFAULT_TOKEN, DEFAULT_USER
from release_publisher.sandbox.server import SandboxServer, start_sandbox
from release_publisher.testing import build_plugin_jar

pytestmark = pytest.mark.integration

AUTH = (DEFAULT_USER, DEFAULT_TOKEN)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with start_sandbox() as server:
        yield server


@pytest.fixture
def jar(tmp_path: Path) -> Path:
    return build_plugin_jar(tmp_path / "site" / "hello-1.4.2.jar", "com.example.hello", "1.4.2")


@pytest.fixture
def web(tmp_path: Path, jar: Path) -> Iterator[str]:
    """A plain http.server on loopback serving ``tmp_path/site``."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site")
    )
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_upload_a_plugin_jar_and_read_its_details(sandbox: SandboxServer, jar: Path) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    with jar.open("rb") as fh:
        resp = requests.post(
            f"{sandbox.base_url}/rest/3/artifacts",
            files={"file": (jar.name, fh, "application/java-archive")},
            auth=AUTH,
            timeout=10,
        )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["fileInfo"]["checksum"] == "sha512:" + hashlib.sha512(jar.read_bytes()).hexdigest()
    got = requests.get(sandbox.base_url + body["_links"]["self"]["href"], auth=AUTH, timeout=10)
    assert got.json()["details"]["key"] == "com.example.hello"
    assert got.json()["details"]["version"] == "1.4.2"
    binary = requests.get(
        sandbox.base_url + body["_links"]["binary"]["href"], auth=AUTH, timeout=10
    )
    assert binary.content == jar.read_bytes()


def test_fetch_from_a_loopback_web_server(sandbox: SandboxServer, web: str, jar: Path) -> None:
    uri = f"{web}/{jar.name}"
    resp = requests.post(
        f"{sandbox.base_url}/rest/3/artifacts/fetch", json={"uri": uri}, auth=AUTH, timeout=30
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["_links"]["remote"]["href"] == uri
    assert body["details"]["version"] == "1.4.2"
    assert body["fileInfo"]["size"] == jar.stat().st_size


@pytest.mark.parametrize("where", ["missing-file", "closed-port"])
def test_fetch_of_an_unreachable_uri_is_a_remote_fetch_failure(
    sandbox: SandboxServer, web: str, where: str
) -> None:
    uri = f"{web}/nope.jar" if where == "missing-file" else f"http://127.0.0.1:{_free_port()}/a.jar"
    resp = requests.post(
        f"{sandbox.base_url}/rest/3/artifacts/fetch", json={"uri": uri}, auth=AUTH, timeout=30
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "ARTIFACT_REMOTE_FETCH_FAILURE"


def test_429_is_readable_by_a_client_still_sending(jar: Path) -> None:
    with start_sandbox(upload_spacing=60) as sandbox:
        url = f"{sandbox.base_url}/rest/3/artifacts"
        data = jar.read_bytes()
        assert requests.post(url, files={"file": ("a.jar", data)}, auth=AUTH, timeout=10).ok
        resp = requests.post(url, files={"file": ("a.jar", data)}, auth=AUTH, timeout=10)
        assert resp.status_code == 429
        assert 1 <= int(resp.headers["Retry-After"]) <= 60


def _raw_post(base_url: str, length: int, first_part: bytes) -> socket.socket:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    creds = requests.auth._basic_auth_str(*AUTH)
    head = (
        "POST /rest/3/artifacts HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: {creds}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )
    sock.sendall(head.encode() + first_part)
    return sock


def test_mid_body_drop_resets_the_connection(sandbox: SandboxServer) -> None:
    fault = {"endpoint": "upload", "drop": "mid-body", "drop_after_bytes": 1000}
    assert requests.post(f"{sandbox.base_url}/_sandbox/faults", json=fault, timeout=10).ok
    # 4000 of 10 MB sent: the sandbox must not wait for the rest, and must reset (recv
    # raises) rather than close in order (recv would return b"")
    sock = _raw_post(sandbox.base_url, 10_000_000, b"a" * 4000)
    with sock, pytest.raises(ConnectionResetError):
        assert sock.recv(1024) != b"", "orderly close instead of a reset"
    [entry] = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()["requests"]
    assert entry["dropped"] == "mid-body" and entry["body_bytes"] == 1000


def test_before_response_drop_resets_after_the_whole_body(sandbox: SandboxServer) -> None:
    fault = {"endpoint": "upload", "drop": "before-response"}
    assert requests.post(f"{sandbox.base_url}/_sandbox/faults", json=fault, timeout=10).ok
    sock = _raw_post(sandbox.base_url, 5000, b"c" * 5000)
    with sock, pytest.raises(ConnectionResetError):
        assert sock.recv(1024) != b"", "orderly close instead of a reset"
    [entry] = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()["requests"]
    assert entry["body_bytes"] == 5000


def test_requests_sees_a_connection_error_on_a_mid_body_drop(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    big = build_plugin_jar(tmp_path / "big.jar", padding=8 * 1024 * 1024)
    fault = {"endpoint": "upload", "drop": "mid-body", "drop_after_bytes": 65536}
    assert requests.post(f"{sandbox.base_url}/_sandbox/faults", json=fault, timeout=10).ok
    with big.open("rb") as fh, pytest.raises(requests.ConnectionError):
        requests.post(
            f"{sandbox.base_url}/rest/3/artifacts", files={"file": fh}, auth=AUTH, timeout=10
        )
    # the sandbox keeps serving afterwards
    assert requests.get(f"{sandbox.base_url}/_sandbox/state", timeout=10).ok


def test_sandbox_process_prints_its_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready" / "url"
    code = (
        "import argparse, sys\n"
        "from release_publisher.sandbox.cli import add_arguments, run\n"
        "p = argparse.ArgumentParser(); add_arguments(p)\n"
        "sys.exit(run(p.parse_args(sys.argv[1:])))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--ready-file", str(ready), "--processing-delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("Marketplace sandbox listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1]
        deadline = time.monotonic() + 10
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.read_text().strip() == base_url
        resp = requests.get(f"{base_url}/rest/3/artifacts/x", auth=AUTH, timeout=10)
        assert resp.status_code == 404
        data_dir = requests.get(f"{base_url}/_sandbox/state", timeout=10).json()["data_dir"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not ready.exists()
    assert not Path(data_dir).exists()
    assert "credentials: user sandbox@example.com" in (proc.stderr.read() if proc.stderr else "")


def test_a_busy_port_is_a_one_line_usage_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = (
            "import argparse, sys\n"
            "from release_publisher.sandbox.cli import add_arguments, run\n"
            "p = argparse.ArgumentParser(); add_arguments(p)\n"
            "sys.exit(run(p.parse_args(sys.argv[1:])))\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=REPO,
        )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"UsageError: cannot listen on 127.0.0.1:{port}: ")
    assert "--port" in proc.stderr and "Traceback" not in proc.stderr
