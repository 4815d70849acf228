"""The Marketplace client over real sockets on 127.0.0.1: stalls, resets, redirects and
TLS with a private CA, against small hand-written servers (each misbehaves on purpose);
then the CLI against the emulator over HTTPS with a private CA (``--ca-bundle``,
``REQUESTS_CA_BUNDLE``).

Timeouts and backoff are tiny (SystemClock) so the whole file runs in a few seconds.
Nothing here contacts any host but 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from release_publisher.clock import SystemClock
from release_publisher.errors import ApiError, TransportError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.retry import RetryPolicy
from release_publisher.marketplace.transport import Timeouts
from release_publisher.secrets import Credentials

from ..conftest import Workspace
from .conftest import TlsSandbox, publish

pytestmark = pytest.mark.integration

CREDS = Credentials("dev@example.com", "integration-token-123456")
RECV = 256 * 1024


@dataclass
class Request:
    """What a server saw of one request."""

    line: str
    headers: dict[str, str]
    body_bytes: int = 0
    file_sha512: str | None = None
    file_size: int | None = None


Handler = Callable[["Server", socket.socket, int], None]


@dataclass
class Server:
    """A TCP server on 127.0.0.1 running ``handler(server, conn, index)`` per
    connection in a thread. ``release`` is set at shutdown to end stalls."""

    handler: Handler
    rcvbuf: int | None = None
    tls: ssl.SSLContext | None = None
    host: str = "127.0.0.1"
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        self.sock.bind((self.host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def _accept(self) -> None:
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._run, args=(conn, self.connections), daemon=True).start()

    def _run(self, conn: socket.socket, index: int) -> None:
        conn.settimeout(10)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
                self._open.append(conn)
            self.handler(self, conn, index)
        except OSError:
            pass
        finally:
            conn.close()

    def stall(self) -> None:
        """Hold the connection open, silent, until shutdown."""
        self.release.wait(15)

    def close(self) -> None:
        self.release.set()
        self._thread.join(2)
        self.sock.close()
        for conn in self._open:
            conn.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(handler: Handler, **kwargs: object) -> Server:
        server = Server(handler, **kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback must never go through a proxy from the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def read_head(conn: socket.socket) -> tuple[Request, bytes]:
    """Read a request head; returns it and whatever body bytes came along."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(RECV)
        if not chunk:
            raise ConnectionError("closed before a request head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for item in lines:
        name, _, value = item.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(line, headers), rest


def read_body(
    conn: socket.socket, request: Request, start: bytes, limit: int | None = None
) -> bytes:
    """Read the body (all of Content-Length, or ``limit`` bytes of it)."""
    want = int(request.headers.get("content-length", "0"))
    if limit is not None:
        want = min(want, limit)
    parts = [start[:want]]
    got = len(parts[0])
    while got < want:
        chunk = conn.recv(min(RECV, want - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    request.body_bytes = got
    return b"".join(parts)


def file_part(body: bytes, content_type: str) -> bytes:
    """The content of the single multipart part in ``body``."""
    boundary = content_type.split("boundary=", 1)[1].encode()
    _, _, rest = body.partition(b"\r\n\r\n")
    closing = b"\r\n--" + boundary + b"--\r\n"
    assert rest.endswith(closing)
    return rest[: -len(closing)]


def respond(conn: socket.socket, status: str, body: bytes, extra: str = "") -> None:
    conn.sendall(
        (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n"
        ).encode()
        + body
    )


def artifact_body(artifact_id: str, checksum: str = "") -> bytes:
    return json.dumps(
        {
            "fileInfo": {"checksum": f"sha512:{checksum}"} if checksum else {},
            "_links": {"self": {"href": f"/rest/3/artifacts/{artifact_id}"}},
        }
    ).encode()


def client(
    url: str,
    *,
    read: float = 0.5,
    connect: float = 2.0,
    attempts: int = 2,
    log: list[str] | None = None,
    ca_bundle: str | None = None,
) -> MarketplaceClient:
    lines = log if log is not None else []
    return MarketplaceClient(
        url,
        credentials=CREDS,
        timeouts=Timeouts(connect=connect, read=read),
        retry=RetryPolicy(attempts=attempts, base=0.05, cap=0.2, deadline=30.0),
        clock=SystemClock(),
        log=lines.append,
        ca_bundle=ca_bundle,
    )


def big_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "hello-1.4.2.jar"
    path.write_bytes(os.urandom(size))
    return path


# --------------------------------------------------------------------------- stalls


def test_read_timeout_after_the_body_is_named_and_the_post_not_retried(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, rest = read_head(conn)
        read_body(conn, request, rest)
        server.requests.append(request)
        server.stall()

    server = serve(handler)
    path = big_file(tmp_path, 2 * 1024 * 1024)
    with pytest.raises(TransportError) as info:
        client(server.url, attempts=3).upload_artifact(path)
    message = info.value.message
    assert f"POST /rest/3/artifacts to 127.0.0.1:{server.port}" in message
    assert "read timeout (0.5 s)" in message
    assert "may have stored" in message
    assert server.connections == 1
    assert server.requests[0].body_bytes == int(server.requests[0].headers["content-length"])


def test_a_server_that_stops_reading_trips_the_send_timeout(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    """urllib3 alone bounds body sends by the CONNECT timeout (30 s here); the client
    bounds each send by the read timeout (0.5 s)."""

    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, rest = read_head(conn)
        read_body(conn, request, rest, limit=1024 * 1024)
        server.requests.append(request)
        server.stall()

    server = serve(handler, rcvbuf=64 * 1024)
    path = big_file(tmp_path, 48 * 1024 * 1024)
    log: list[str] = []
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client(server.url, connect=30.0, read=0.5, log=log).upload_artifact(path)
    elapsed = time.monotonic() - started
    assert f"POST /rest/3/artifacts to 127.0.0.1:{server.port}" in info.value.message
    assert "send stalled" in info.value.message
    assert "read timeout (0.5 s)" in info.value.message
    assert "gave up after 2 attempts" in info.value.message
    # an incomplete body cannot have been stored: the POST was retried once
    assert server.connections == 2
    assert log and "send timeout while sending body" in log[0]
    assert elapsed < 10, "the 30 s connect timeout must not bound body sends"


def test_get_whose_answer_stalls_after_the_headers(serve: Callable[..., Server]) -> None:
    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
        )
        server.stall()

    server = serve(handler)
    log: list[str] = []
    with pytest.raises(TransportError) as info:
        client(server.url, log=log).get_artifact("abc")
    assert "GET /rest/3/artifacts/abc" in info.value.message
    assert "read timeout (0.5 s)" in info.value.message
    assert server.connections == 2  # a GET is retried
    assert len(log) == 1


# --------------------------------------------------------------------------- resets


def test_reset_halfway_through_the_body_then_a_full_upload(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, rest = read_head(conn)
        server.requests.append(request)
        total = int(request.headers["content-length"])
        if index == 1:
            read_body(conn, request, rest, limit=total // 2)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return  # closed with RST by _run
        content = file_part(read_body(conn, request, rest), request.headers["content-type"])
        request.file_size = len(content)
        request.file_sha512 = hashlib.sha512(content).hexdigest()
        respond(conn, "200 OK", artifact_body("art-7", request.file_sha512))

    server = serve(handler, rcvbuf=64 * 1024)
    path = big_file(tmp_path, 32 * 1024 * 1024)
    expected = hashlib.sha512(path.read_bytes()).hexdigest()
    log: list[str] = []
    # read=10: the server parses and hashes 32 MiB before it answers, which takes
    # longer than the 0.5 s default of these tests on a loaded machine
    artifact, sha = client(server.url, read=10.0, attempts=3, log=log).upload_artifact(path)
    assert server.connections == 2
    second = server.requests[1]
    assert second.file_size == path.stat().st_size
    assert second.file_sha512 == expected == sha == artifact.checksum
    assert artifact.id == "art-7"
    assert log == [
        "POST /rest/3/artifacts: attempt 2/3 after connection reset while sending body; "
        "waiting 0.1 s"
    ]


def test_connection_refused_is_retried_then_named(tmp_path: Path) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    log: list[str] = []
    with pytest.raises(TransportError) as info:
        client(f"http://127.0.0.1:{port}", log=log).get_artifact("x")
    assert "connection refused" in info.value.message
    assert len(log) == 1


# --------------------------------------------------------------------------- redirects


def test_cross_origin_redirect_sends_nothing_to_the_other_port(
    serve: Callable[..., Server],
) -> None:
    def other(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        respond(conn, "200 OK", artifact_body("stolen"))

    target = serve(other)

    def redirecting(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        location = f"{target.url}/rest/3/artifacts/x"
        respond(conn, "302 Found", b"", extra=f"Location: {location}\r\n")

    origin = serve(redirecting)
    with pytest.raises(ApiError) as info:
        client(origin.url).get_artifact("x")
    assert f"http://127.0.0.1:{origin.port}" in info.value.message
    assert f"http://127.0.0.1:{target.port}" in info.value.message
    assert target.connections == 0 and target.requests == []
    assert "authorization" in origin.requests[0].headers


def test_same_origin_redirect_is_followed_with_credentials(serve: Callable[..., Server]) -> None:
    def handler(server: Server, conn: socket.socket, index: int) -> None:
        while True:
            try:
                request, _ = read_head(conn)
            except ConnectionError:
                return
            server.requests.append(request)
            if request.line.startswith("GET /rest/3/artifacts/x "):
                respond(conn, "301 Moved", b"", extra="Location: /v2/artifacts/x\r\n")
            else:
                respond(conn, "200 OK", artifact_body("x"))

    server = serve(handler)
    assert client(server.url).get_artifact("x").id == "x"
    assert [r.line.split()[1] for r in server.requests] == [
        "/rest/3/artifacts/x",
        "/v2/artifacts/x",
    ]
    assert all("authorization" in r.headers for r in server.requests)


# --------------------------------------------------------------------------- TLS


def _tls_server(serve: Callable[..., Server], certificate: tuple[Path, Path]) -> Server:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))

    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        respond(conn, "200 OK", artifact_body("tls-1"))

    return serve(handler, tls=context)


def test_tls_with_an_unknown_ca_fails_with_a_ca_bundle_hint(
    serve: Callable[..., Server], certificate: tuple[Path, Path]
) -> None:
    server = _tls_server(serve, certificate)
    with pytest.raises(TransportError) as info:
        client(server.url).get_artifact("tls-1")
    assert "TLS failed" in info.value.message
    assert info.value.hint is not None and "ca-bundle" in info.value.hint
    assert server.requests == []


def test_ca_bundle_adds_a_private_ca(
    serve: Callable[..., Server], certificate: tuple[Path, Path]
) -> None:
    server = _tls_server(serve, certificate)
    artifact = client(server.url, ca_bundle=str(certificate[0])).get_artifact("tls-1")
    assert artifact.id == "tls-1"
    assert "authorization" in server.requests[0].headers


def test_requests_ca_bundle_from_the_environment_is_honoured(
    serve: Callable[..., Server],
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = _tls_server(serve, certificate)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    assert client(server.url).get_artifact("tls-1").id == "tls-1"


# --------------------------------------------------------------- TLS through the CLI


def test_https_with_a_private_ca_fails_with_a_tls_error_and_hint(
    workspace: Workspace, tls_sandbox: TlsSandbox
) -> None:
    run = publish(workspace, tls_sandbox.base_url, {})
    assert run.code == 4, run.output
    assert "TransportError: POST /rest/3/artifacts to 127.0.0.1" in run.stderr
    assert "TLS failed (self-signed certificate)" in run.stderr
    assert "ca-bundle" in run.stderr and "REQUESTS_CA_BUNDLE" in run.stderr  # the hint
    assert "Traceback" not in run.output
    assert tls_sandbox.api_requests() == []  # not retried, nothing reached the app


def test_ca_bundle_option_trusts_the_private_ca(
    workspace: Workspace, tls_sandbox: TlsSandbox, certificate: tuple[Path, Path]
) -> None:
    run = publish(workspace, tls_sandbox.base_url, {}, "--ca-bundle", str(certificate[0]))
    assert run.code == 0, run.output
    assert run.result is not None and run.result["status"] == "published"


def test_the_cli_honours_requests_ca_bundle_from_the_environment(
    workspace: Workspace, tls_sandbox: TlsSandbox, certificate: tuple[Path, Path]
) -> None:
    run = publish(workspace, tls_sandbox.base_url, {"REQUESTS_CA_BUNDLE": str(certificate[0])})
    assert run.code == 0, run.output
