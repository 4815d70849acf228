"""The Marketplace client against hostile servers on loopback (issue 15): a redirect
whose host differs between URL parsers, a POST answered by a reset once its whole body
was read, an answer trickled one byte at a time, a server reflecting the token.

Nothing here contacts any host but 127.0.0.0/8 (Linux routes the whole block to lo).
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from release_publisher.errors import ApiError, TransportError

from ..conftest import Workspace
from . import test_client_transport
from .conftest import publish
from .test_client_transport import (
    Server,
    artifact_body,
    client,
    read_body,
    read_head,
    respond,
)

pytestmark = pytest.mark.integration

# the loopback servers and the no-proxy environment of the transport tests
serve = test_client_transport.serve
_no_proxies = test_client_transport._no_proxies


# ----------------------------------------------------- credentials and parser differences


def test_a_backslash_redirect_never_sends_credentials_to_the_other_host(
    serve: Callable[..., Server],
) -> None:
    """``http://127.0.0.9:P\\@127.0.0.1:Q/...``: urlsplit reads 127.0.0.1, urllib3
    connects to 127.0.0.9. The second server must see no request at all."""

    def other(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        respond(conn, "200 OK", artifact_body("abc"))

    second = serve(other, host="127.0.0.9")

    def redirecting(server: Server, conn: socket.socket, index: int) -> None:
        while True:
            try:
                request, _ = read_head(conn)
            except ConnectionError:
                return
            server.requests.append(request)
            location = (
                f"http://127.0.0.9:{second.port}\\@127.0.0.1:{server.port}/rest/3/artifacts/abc"
            )
            respond(conn, "302 Found", b"", extra=f"Location: {location}\r\n")

    first = serve(redirecting)
    for _ in range(3):  # as a poll loop would
        with pytest.raises(ApiError) as info:
            client(first.url).get_artifact("abc")
        assert f"another origin http://127.0.0.9:{second.port}" in info.value.message
    assert second.connections == 0 and second.requests == []
    assert all("authorization" in r.headers for r in first.requests)


def test_a_next_page_link_to_another_host_by_parser_difference_is_not_followed(
    serve: Callable[..., Server],
) -> None:
    def other(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        respond(conn, "200 OK", b'{"versions": []}')

    second = serve(other, host="127.0.0.9")

    def paging(server: Server, conn: socket.socket, index: int) -> None:
        request, _ = read_head(conn)
        server.requests.append(request)
        href = f"http://127.0.0.9:{second.port}\\@127.0.0.1:{server.port}/rest/3/x?cursor=2"
        body = json.dumps({"versions": [], "_links": {"next": {"href": href}}})
        respond(conn, "200 OK", body.encode())

    first = serve(paging)
    with pytest.raises(ApiError, match="another origin"):
        client(first.url).list_versions("s1")
    assert second.connections == 0 and second.requests == []


# ------------------------------------------------------------------- blind re-POST


def _reset(conn: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0) instead of an orderly FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_reset_after_the_whole_upload_is_read_stores_one_copy_and_exits_4(
    serve: Callable[..., Server], workspace: Workspace
) -> None:
    """The server reads the whole multipart body, stores it, then resets before any
    status line: the CLI must not upload again (one stored copy), exit 4 saying it may
    have been stored, and the hint says what it cost of the upload budget."""
    stored: list[int] = []

    def store_then_reset(server: Server, conn: socket.socket, index: int) -> None:
        request, start = read_head(conn)
        server.requests.append(request)
        body = read_body(conn, request, start)
        if request.line.startswith("POST /rest/3/artifacts "):
            stored.append(len(body))
        _reset(conn)

    server = serve(store_then_reset)
    run = publish(workspace, server.url, {"NO_PROXY": "127.0.0.1"})
    assert run.code == 4, run.output
    assert len(stored) == 1, run.output
    assert "may have been stored" in run.stderr
    assert "attempt 2/" not in run.output
    assert f"this try sent {server.requests[0].body_bytes} bytes" in run.stderr
    assert "upload budget" in run.stderr
    assert run.result is not None and run.result["status"] == "failed"


# --------------------------------------------------------------- trickled answers


def _trickler(every: float) -> Callable[[Server, socket.socket, int], None]:
    """A server that reads the request (and its body), then sends a valid answer one
    byte every ``every`` seconds: each read is within any read timeout above it."""

    def handler(server: Server, conn: socket.socket, index: int) -> None:
        request, start = read_head(conn)
        server.requests.append(request)
        read_body(conn, request, start)
        body = artifact_body("slow") + b" " * 200
        answer = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for i in range(len(answer)):
            conn.sendall(answer[i : i + 1])
            if server.release.wait(every):
                return

    return handler


def test_a_trickled_get_answer_is_cut_at_the_total_deadline(
    serve: Callable[..., Server],
) -> None:
    server = serve(_trickler(0.1))
    log: list[str] = []
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        client(server.url, read=0.5, attempts=2, log=log).get_artifact("slow")
    elapsed = time.monotonic() - start
    # two tries of at most 1 s (2 x read) each plus one short backoff; untouched, the
    # answer would take ~40 s
    assert elapsed < 8, elapsed
    assert "did not complete within the total deadline (1 s" in info.value.message
    assert "GET /rest/3/artifacts/slow" in info.value.message
    assert log and "after an answer too slow to complete" in log[0]
    assert len(server.requests) == 2


def test_a_trickled_answer_to_an_upload_is_cut_and_not_repeated(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    server = serve(_trickler(0.1))
    path = tmp_path / "hello-1.4.2.jar"
    path.write_bytes(b"PK" + b"x" * 5000)
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        client(server.url, read=0.5, attempts=3).upload_artifact(path)
    assert time.monotonic() - start < 8
    assert "total deadline" in info.value.message
    assert "may have been stored" in info.value.message
    assert len(server.requests) == 1


def test_the_cli_ends_a_trickling_server_within_the_bound_of_http_timeout(
    serve: Callable[..., Server], workspace: Workspace
) -> None:
    """One byte every 0.5 s beats a 1 s read timeout forever; --http-timeout 1 gives
    a 2 s total deadline per answer: the upload's answer is cut there, exit 4."""
    server = serve(_trickler(0.5))
    run = publish(workspace, server.url, {"NO_PROXY": "127.0.0.1"}, "--http-timeout", "1")
    assert run.code == 4, run.output
    assert "did not complete within the total deadline (2 s" in run.stderr
    assert run.seconds < 20, run.seconds
    assert len(server.requests) == 1
