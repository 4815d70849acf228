"""Proxies from the environment, end to end: ``HTTP_PROXY`` carries every request of
an http:// base URL, ``NO_PROXY`` bypasses it, ``HTTPS_PROXY`` is a CONNECT tunnel with
the extra CA applied through it. Nothing here contacts any host but 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..conftest import Workspace
from ..helpers import api_requests
from .conftest import Proxy, TlsSandbox, publish

pytestmark = pytest.mark.integration


def test_http_proxy_carries_every_request_of_an_http_base_url(
    workspace: Workspace, sandbox: Any, proxy: Proxy
) -> None:
    run = publish(workspace, sandbox.base_url, {"HTTP_PROXY": proxy.url})
    assert run.code == 0, run.output
    assert proxy.lines, "the proxy saw no request"
    assert proxy.lines[0] == f"POST {sandbox.base_url}/rest/3/artifacts HTTP/1.1"
    assert len(api_requests(sandbox)) >= 1


def test_no_proxy_bypasses_the_proxy(workspace: Workspace, sandbox: Any, proxy: Proxy) -> None:
    run = publish(workspace, sandbox.base_url, {"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert run.code == 0, run.output
    assert proxy.lines == []


def test_https_proxy_tunnel_with_ca_bundle(
    workspace: Workspace, tls_sandbox: TlsSandbox, proxy: Proxy, certificate: tuple[Path, Path]
) -> None:
    """HTTPS_PROXY: a CONNECT tunnel; the extra CA applies through the tunnel too."""
    port = tls_sandbox.base_url.rsplit(":", 1)[1]
    run = publish(
        workspace,
        tls_sandbox.base_url,
        {"HTTPS_PROXY": proxy.url},
        "--ca-bundle",
        str(certificate[0]),
    )
    assert run.code == 0, run.output
    assert proxy.lines and proxy.lines[0].startswith(f"CONNECT 127.0.0.1:{port} HTTP/")
    assert len(tls_sandbox.api_requests()) >= 1
