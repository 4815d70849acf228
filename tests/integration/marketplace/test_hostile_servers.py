"""The Marketplace client against hostile servers on loopback (issue 15): a redirect
whose host differs between URL parsers, a POST answered by a reset once its whole body
was read, an answer trickled one byte at a time, a server reflecting the token.

Nothing here contacts any host but 127.0.0.0/8 (Linux routes the whole block to lo).
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Callable

import pytest

from release_publisher.errors import ApiError

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
