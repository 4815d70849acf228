"""Fault injection: the admin API, queue semantics and what an injected fault does."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.sandbox.faults import FaultQueue, FaultSpecError, parse_fault, parse_faults
from release_publisher.sandbox.wsgi import SandboxApp

from .conftest import AUTH, js, upload


def _queue(client: Client, *faults: dict[str, object]) -> None:
    resp = client.post("/_sandbox/faults", json=list(faults))
    assert resp.status_code == 201, js(resp)


def test_faults_are_consumed_fifo_by_matching_endpoint(client: Client, jar: bytes) -> None:
    _queue(
        client,
        {"endpoint": "upload", "status": 503, "headers": {"Retry-After": "3"}, "times": 2},
        {"endpoint": "*", "status": 502},
    )
    first, second = upload(client, jar), upload(client, jar)
    assert [first.status_code, second.status_code] == [503, 503]
    assert first.headers["Retry-After"] == "3"
    assert js(first)["code"] == "SERVICE_UNAVAILABLE"
    assert upload(client, jar).status_code == 502  # the "*" fault, once
    assert upload(client, jar).status_code == 200
    assert js(client.get("/_sandbox/faults")) == {"faults": []}


def test_a_fault_for_one_endpoint_leaves_the_others_alone(client: Client, jar: bytes) -> None:
    _queue(client, {"endpoint": "image", "status": 500})
    href = js(upload(client, jar))["_links"]["self"]["href"]
    assert client.get(href, auth=AUTH).status_code == 200
    assert js(client.get("/_sandbox/faults"))["faults"][0]["endpoint"] == "image"


def test_unauthenticated_requests_do_not_consume_faults(client: Client) -> None:
    _queue(client, {"endpoint": "get", "status": 500})
    assert client.get("/rest/3/artifacts/x").status_code == 401
    assert client.get("/rest/3/artifacts/x", auth=AUTH).status_code == 500


def test_fault_bodies_text_and_json(client: Client) -> None:
    _queue(
        client,
        {
            "endpoint": "get",
            "status": 502,
            "body": "<html>Bad gateway</html>",
            "headers": {"Content-Type": "text/html"},
        },
        {"endpoint": "get", "status": 400, "body": {"code": "CUSTOM", "message": "m"}},
    )
    html = client.get("/rest/3/artifacts/x", auth=AUTH)
    assert html.status_code == 502 and html.mimetype == "text/html"
    assert html.get_data(as_text=True) == "<html>Bad gateway</html>"
    custom = client.get("/rest/3/artifacts/x", auth=AUTH)
    assert custom.status_code == 400 and js(custom) == {"code": "CUSTOM", "message": "m"}


def test_delay_only_fault_waits_then_answers_normally(
    client: Client, clock: FakeClock, jar: bytes
) -> None:
    _queue(client, {"endpoint": "upload", "delay": 2.5})
    assert upload(client, jar).status_code == 200
    assert clock.sleeps == [2.5]


def test_drop_fault_aborts_the_connection_and_is_logged(
    client: Client, app: SandboxApp, jar: bytes
) -> None:
    _queue(client, {"endpoint": "upload", "drop": "mid-body", "drop_after_bytes": 100})
    with pytest.raises(ConnectionAbortedError):
        upload(client, jar)
    [entry] = app.requests.entries()
    assert entry["dropped"] == "mid-body" and entry["status"] is None
    assert entry["body_bytes"] == 100
    assert app.store.artifacts() == []


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"endpoint": "uploads", "status": 500}, "endpoint"),
        ({"endpoint": "get", "status": 99}, "status"),
        ({"endpoint": "get", "status": True}, "status"),
        ({"endpoint": "get", "status": 500, "statsu": 1}, "statsu"),
        ({"endpoint": "get", "drop": "sometimes"}, "drop"),
        ({"endpoint": "get", "delay": -1}, "delay"),
        ({"endpoint": "get", "status": 500, "times": 0}, "times"),
        ({"endpoint": "get", "status": 500, "headers": {"X": "a\r\nb"}}, "headers"),
        ({"endpoint": "get"}, "status, drop or a positive delay"),
    ],
)
def test_invalid_fault_specs_are_refused_naming_the_field(
    client: Client, spec: dict[str, object], field: str
) -> None:
    resp = client.post("/_sandbox/faults", json=spec)
    assert resp.status_code == 400
    assert field in js(resp)["message"]
    assert js(client.get("/_sandbox/faults")) == {"faults": []}


def test_a_list_is_all_or_nothing() -> None:
    with pytest.raises(FaultSpecError, match=r"faults\[1\]"):
        parse_faults([{"endpoint": "get", "status": 500}, {"endpoint": "nope"}])


def test_queue_take_decrements_times_and_matches_star() -> None:
    queue = FaultQueue()
    queue.add(
        [
            parse_fault({"endpoint": "*", "status": 500, "times": 2}),
            parse_fault({"endpoint": "get", "status": 404}),
        ]
    )
    taken = [queue.take("get"), queue.take("fetch"), queue.take("get"), queue.take("get")]
    assert [f.status if f else None for f in taken] == [500, 500, 404, None]


def test_delete_clears_the_queue(client: Client) -> None:
    _queue(client, {"endpoint": "get", "status": 500})
    assert client.delete("/_sandbox/faults").status_code == 200
    assert client.get("/rest/3/artifacts/x", auth=AUTH).status_code == 404
