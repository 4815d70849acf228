"""The Marketplace client against hostile servers on loopback (issue 15): a redirect
whose host differs between URL parsers, a POST answered by a reset once its whole body
was read, an answer trickled one byte at a time, a server reflecting the token.

Nothing here contacts any host but 127.0.0.0/8 (Linux routes the whole block to lo).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest

from release_publisher.errors import ApiError

from . import test_client_transport
from .test_client_transport import (
    Server,
    artifact_body,
    client,
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
