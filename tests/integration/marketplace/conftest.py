"""Fixtures for the transport tests that run the CLI: the emulator's app over HTTPS
with a private CA (like a TLS-intercepting proxy's), a forwarding proxy on 127.0.0.1,
and :func:`publish` (one ``publish`` run with extra environment variables).

The certificate for 127.0.0.1 is made by the openssl CLI (the ``certificate`` fixture
of ``tests/integration/conftest.py``); the proxy handles absolute-form requests for
http:// and CONNECT tunnels for https://. Nothing here contacts any host but
127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from release_publisher.sandbox.app import create_app
from release_publisher.sandbox.config import SandboxConfig
from release_publisher.sandbox.store import Store
from release_publisher.sandbox.wsgi import SandboxApp

from ..conftest import TOKEN, USER, Workspace, config_text
from ..helpers import clean_env, run_cli


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


def publish(workspace: Workspace, base_url: str, extra_env: dict[str, str], *args: str) -> Any:
    """``publish --result-json`` against ``base_url`` with ``extra_env`` (proxy
    variables, REQUESTS_CA_BUNDLE) and ``args``; NO_PROXY only when given."""
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
