"""The /_sandbox admin endpoints."""

from __future__ import annotations

from werkzeug.test import Client

from release_publisher.sandbox.wsgi import SandboxApp

from .conftest import AUTH, js, upload


def test_reset_forgets_everything(client: Client, app: SandboxApp, jar: bytes) -> None:
    href = js(upload(client, jar))["_links"]["self"]["href"]
    client.post("/_sandbox/faults", json={"endpoint": "get", "status": 500})
    assert client.post("/_sandbox/reset").status_code == 200
    state = js(client.get("/_sandbox/state"))
    assert state["artifacts"] == [] and state["faults"] == []
    assert client.get(href, auth=AUTH).status_code == 404
    # only the request made after the reset is in the log
    assert [e["status"] for e in js(client.get("/_sandbox/requests"))["requests"]] == [404]
