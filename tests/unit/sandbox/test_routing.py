"""The route table route modules register into: unique endpoints, and what a new route
gets from the dispatcher (auth, request log, fault injection) without asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from release_publisher.clock import FakeClock
from release_publisher.sandbox.faults import parse_fault
from release_publisher.sandbox.http import Call, json_response
from release_publisher.sandbox.routing import Router
from release_publisher.sandbox.state import SandboxState
from release_publisher.sandbox.store import Store
from release_publisher.sandbox.wsgi import SandboxApp

from .conftest import AUTH, js


def _echo(call: Call) -> Response:
    return json_response({"key": call.args["app_key"]})


def test_an_endpoint_is_routed_once() -> None:
    router = Router()
    router.add("/rest/3/a/<app_key>", "echo", _echo, methods=["GET"])
    with pytest.raises(ValueError, match="'echo' is already routed"):
        router.add("/rest/3/b/<app_key>", "echo", _echo, methods=["GET"])


def test_a_registered_route_gets_auth_log_and_faults(tmp_path: Path) -> None:
    state = SandboxState(Store(tmp_path / "data"), clock=FakeClock())
    router = Router()
    router.add("/rest/3/echo/<app_key>", "echo", _echo, methods=["GET"], fault="get")
    client = Client(SandboxApp(state, router))
    assert client.get("/rest/3/echo/k").status_code == 401
    assert js(client.get("/rest/3/echo/k", auth=AUTH)) == {"key": "k"}
    state.faults.add([parse_fault({"endpoint": "get", "status": 503})])
    assert client.get("/rest/3/echo/k", auth=AUTH).status_code == 503
    assert [(e["endpoint"], e["status"]) for e in state.requests.entries()] == [
        ("echo", 401),
        ("echo", 200),
        ("echo", 503),
    ]
