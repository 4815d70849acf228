"""Issue 5, end to end: TLS with a private CA (the ``--ca-bundle`` option and
``REQUESTS_CA_BUNDLE``), proxies from the environment (``HTTP_PROXY``/``HTTPS_PROXY``
with ``NO_PROXY``), and SIGTERM while an upload is in flight.

The HTTPS emulator is the sandbox app served by werkzeug with a self-signed
certificate for 127.0.0.1 made by the openssl CLI; the proxy is a tiny forwarder on
127.0.0.1 (absolute-form requests for http://, CONNECT tunnels for https://). Nothing
here contacts any host but 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from release_publisher.sandbox.app import create_app
from release_publisher.sandbox.config import SandboxConfig
from release_publisher.sandbox.server import start_sandbox
from release_publisher.sandbox.store import Store
from release_publisher.sandbox.wsgi import SandboxApp
from release_publisher.testing import build_plugin_jar

from .conftest import CLI, TOKEN, USER, Workspace, config_text
from .helpers import api_requests, clean_env, inject, run_cli, terminate_when_seen

pytestmark = pytest.mark.integration

# ------------------------------------------------------------------ fixtures


@dataclass
class TlsSandbox:
    base_url: str
    app: SandboxApp

    def api_requests(self) -> list[dict[str, Any]]:
        return [e for e in self.app.requests.entries() if e["path"].startswith("/rest/")]


@pytest.fixture
def tls_sandbox(tmp_path: Path, certificate: tuple[Path, Path]) -> Iterator[TlsSandbox]:
    """The emulator's app over HTTPS on 127.0.0.1 (a private CA, like a
    TLS-intercepting proxy's)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    app = create_app(Store(tmp_path / "tls-data"), config=SandboxConfig(user=USER, token=TOKEN))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield TlsSandbox(f"https://127.0.0.1:{server.server_address[1]}", app)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Proxy:
    """A forwarding proxy on 127.0.0.1: records the first request line of each client
    connection, then pipes bytes to the origin named by the absolute-form URI (plain
    http) or by ``CONNECT host:port`` (a tunnel for https)."""

    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        self.lines.append(line)
        method, target, _ = line.split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            data = data.split(b"\r\n\r\n", 1)[1]
        else:
            authority = target.split("://", 1)[1].split("/", 1)[0]
            host, port = authority.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
        if data:
            upstream.sendall(data)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = Proxy()
    try:
        yield server
    finally:
        server.close()


def _publish(workspace: Workspace, base_url: str, extra_env: dict[str, str], *args: str) -> Any:
    workspace.config(config_text(base_url))
    env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN})
    env.pop("NO_PROXY", None)
    env.update(extra_env)
    result_file = workspace.root / "result.json"
    return run_cli(
        workspace.root,
        "publish",
        "--result-json",
        str(result_file),
        *args,
        env=env,
        result_file=result_file,
    )


# ------------------------------------------------------------------ TLS


def test_https_with_a_private_ca_fails_with_a_tls_error_and_hint(
    workspace: Workspace, tls_sandbox: TlsSandbox
) -> None:
    run = _publish(workspace, tls_sandbox.base_url, {})
    assert run.code == 4, run.output
    assert "TransportError: POST /rest/3/artifacts to 127.0.0.1" in run.stderr
    assert "TLS failed (self-signed certificate)" in run.stderr
    assert "ca-bundle" in run.stderr and "REQUESTS_CA_BUNDLE" in run.stderr  # the hint
    assert "Traceback" not in run.output
    assert tls_sandbox.api_requests() == []  # not retried, nothing reached the app


def test_ca_bundle_option_trusts_the_private_ca(
    workspace: Workspace, tls_sandbox: TlsSandbox, certificate: tuple[Path, Path]
) -> None:
    run = _publish(workspace, tls_sandbox.base_url, {}, "--ca-bundle", str(certificate[0]))
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "published"


def test_requests_ca_bundle_from_the_environment_is_honoured(
    workspace: Workspace, tls_sandbox: TlsSandbox, certificate: tuple[Path, Path]
) -> None:
    run = _publish(workspace, tls_sandbox.base_url, {"REQUESTS_CA_BUNDLE": str(certificate[0])})
    assert run.code == 0, run.output


# ------------------------------------------------------------------ proxies


def test_http_proxy_carries_every_request_of_an_http_base_url(
    workspace: Workspace, sandbox: Any, proxy: Proxy
) -> None:
    run = _publish(workspace, sandbox.base_url, {"HTTP_PROXY": proxy.url})
    assert run.code == 0, run.output
    assert proxy.lines, "the proxy saw no request"
    assert proxy.lines[0] == f"POST {sandbox.base_url}/rest/3/artifacts HTTP/1.1"
    assert len(api_requests(sandbox)) >= 1


def test_no_proxy_bypasses_the_proxy(workspace: Workspace, sandbox: Any, proxy: Proxy) -> None:
    run = _publish(workspace, sandbox.base_url, {"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert run.code == 0, run.output
    assert proxy.lines == []


def test_https_proxy_tunnel_with_ca_bundle(
    workspace: Workspace, tls_sandbox: TlsSandbox, proxy: Proxy, certificate: tuple[Path, Path]
) -> None:
    """HTTPS_PROXY: a CONNECT tunnel; the extra CA applies through the tunnel too."""
    port = tls_sandbox.base_url.rsplit(":", 1)[1]
    run = _publish(
        workspace,
        tls_sandbox.base_url,
        {"HTTPS_PROXY": proxy.url},
        "--ca-bundle",
        str(certificate[0]),
    )
    assert run.code == 0, run.output
    assert proxy.lines and proxy.lines[0].startswith(f"CONNECT 127.0.0.1:{port} HTTP/")
    assert len(tls_sandbox.api_requests()) >= 1


# ------------------------------------------------------------------ SIGTERM


def test_sigterm_during_an_upload_keeps_what_finished(workspace: Workspace, tmp_path: Path) -> None:
    """Two artifacts: the first is published, the emulator holds the second upload
    (a 60 s delay fault); SIGTERM then ends the run with exit 130 and the result JSON
    keeps the first artifact, verified, with its ID."""
    build_plugin_jar(workspace.root / "dc" / "hello-dc-1.4.2.jar")
    artifacts = (
        "  - name: server\n    file: target/hello-1.4.2.jar\n"
        "  - name: dc\n    file: dc/hello-dc-1.4.2.jar\n"
    )
    result_file = workspace.root / "result.json"
    with start_sandbox(data_dir=tmp_path / "data", user=USER, token=TOKEN) as server:
        inject(server, {"endpoint": "upload", "delay": 0.01}, {"endpoint": "upload", "delay": 60})
        workspace.config(config_text(server.base_url, artifacts=artifacts))
        env = clean_env({"MARKETPLACE_USER": USER, "MARKETPLACE_TOKEN": TOKEN})
        proc = subprocess.Popen(
            [*CLI, "publish", "--result-json", str(result_file)],
            cwd=workspace.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # settle: let the request reach the emulator (held there by the delay)
        seen, out, err = terminate_when_seen(
            proc, b"Uploading dc/hello-dc-1.4.2.jar", within=20, settle=0.3
        )
    assert proc.returncode == 130, (seen + out + err).decode(errors="replace")
    assert b"Interrupted: stopped by SIGTERM" in err
    result = json.loads(result_file.read_text())
    assert result["status"] == "failed" and result["error"]["kind"] == "Interrupted"
    first, second = result["artifacts"]
    assert first["state"] == "verified" and first["id"]
    assert second["state"] == "planned" and second["id"] is None
