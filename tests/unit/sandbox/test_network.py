"""The emulator's network conditions (``--latency``, ``--bandwidth``) and
``--no-fetch-spacing``, over werkzeug's test Client with a FakeClock: the latency is
slept once per API response, request bodies are read no faster than the bandwidth,
and a fetch can be exempt from the upload spacing."""

from __future__ import annotations

import argparse

import pytest
from werkzeug.test import Client

from release_publisher.clock import FakeClock
from release_publisher.errors import UsageError
from release_publisher.sandbox.cli import add_arguments, run

from .conftest import AUTH, FakeFetcher, MakeApp, upload


def test_latency_is_added_to_every_api_response(
    make_app: MakeApp, clock: FakeClock, jar: bytes
) -> None:
    client = Client(make_app(latency=0.08))
    created = upload(client, jar).get_json()
    assert clock.sleeps == [0.08]
    client.get(created["_links"]["self"]["href"], auth=AUTH)
    client.get("/rest/3/artifacts/nope", auth=AUTH)  # a 404 is late too
    assert clock.sleeps == [0.08] * 3
    client.get("/_sandbox/requests")  # the admin endpoints are not the API
    assert clock.sleeps == [0.08] * 3
    entries = client.get("/_sandbox/requests").get_json()["requests"]
    assert all(e["end"] is not None and e["end"] >= e["time"] for e in entries)


def test_request_bodies_are_read_at_the_bandwidth(
    make_app: MakeApp, clock: FakeClock, jar: bytes
) -> None:
    start = clock.monotonic()
    client = Client(make_app(bandwidth=1000))
    resp = upload(client, jar)
    assert resp.status_code == 200
    # the whole multipart body (a bit more than the JAR) took size / bandwidth seconds
    assert clock.monotonic() - start == pytest.approx(
        client.get("/_sandbox/requests").get_json()["requests"][0]["body_bytes"] / 1000
    )
    assert clock.monotonic() - start > len(jar) / 1000


def test_without_conditions_nothing_sleeps(make_app: MakeApp, clock: FakeClock, jar: bytes) -> None:
    upload(Client(make_app()), jar)
    assert clock.sleeps == []


@pytest.mark.parametrize(("space_fetches", "status"), [(True, 429), (False, 200)])
def test_a_fetch_is_held_to_the_spacing_unless_told_not_to(
    make_app: MakeApp, fetcher: FakeFetcher, jar: bytes, space_fetches: bool, status: int
) -> None:
    client = Client(make_app(upload_spacing=10.0, space_fetches=space_fetches))
    assert upload(client, jar).status_code == 200
    fetcher.pages["https://example.com/h.jar"] = jar
    resp = client.post(
        "/rest/3/artifacts/fetch", json={"uri": "https://example.com/h.jar"}, auth=AUTH
    )
    assert resp.status_code == status
    # an unspaced fetch does not count as an upload start either: the next upload waits
    # for the first upload's spacing only
    assert upload(client, jar).status_code == 429


def test_the_cli_options_default_to_a_perfect_network_and_refuse_negatives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = _args()
    assert (args.latency, args.bandwidth, args.no_fetch_spacing) == (0.0, 0, False)
    assert run(_args("--latency", "-5")) == UsageError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("UsageError: --latency (ms) and --bandwidth (bytes per second)")
    assert "Traceback" not in err


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))
