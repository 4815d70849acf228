"""``sandbox --max-release-notes``: create-version refuses release notes over the limit
(400 at ``changelog.releaseNotes``, both lengths named, nothing stored)."""

from __future__ import annotations

from pathlib import Path

from werkzeug.test import Client

from release_publisher.sandbox.versions.rules import check_release_notes
from release_publisher.testing import version_body

from ..conftest import AUTH, MakeApp, js
from .conftest import SW, jar_id, seed, software_id
from .seeds import KEY


def _client_with_app(make_app: MakeApp, **config: object) -> tuple[Client, str]:
    client = Client(make_app(**config))
    assert seed(client, {"appKey": KEY, "hostings": ["datacenter"]}).status_code == 201
    return client, software_id(client)


def test_notes_over_the_limit_are_refused_at_their_field_and_nothing_is_stored(
    make_app: MakeApp, tmp_path: Path
) -> None:
    client, sid = _client_with_app(make_app, max_release_notes=100)
    body = version_body(jar_id(client, tmp_path))
    body["changelog"]["releaseNotes"] = "x" * 101
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert resp.status_code == 400
    answer = js(resp)
    assert answer["code"] == "VALIDATION_FAILED"
    [error] = answer["errors"]
    assert error["path"] == "changelog.releaseNotes" and error["code"] == "TOO_LONG"
    assert "101 characters" in error["message"] and "at most 100" in error["message"]
    assert js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"] == []


def test_notes_at_the_limit_are_accepted(make_app: MakeApp, tmp_path: Path) -> None:
    client, sid = _client_with_app(make_app, max_release_notes=100)
    body = version_body(jar_id(client, tmp_path))
    body["changelog"]["releaseNotes"] = "\N{EM DASH}" * 100  # characters, not bytes
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_without_the_option_any_length_is_accepted(make_app: MakeApp, tmp_path: Path) -> None:
    client, sid = _client_with_app(make_app)
    body = version_body(jar_id(client, tmp_path))
    body["changelog"]["releaseNotes"] = "x" * 20_000
    resp = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert resp.status_code == 201, resp.get_data(as_text=True)


def test_the_notes_rule_ignores_bodies_without_notes() -> None:
    assert check_release_notes({"changelog": {"releaseSummary": "s"}}, 1) == []
    assert check_release_notes({"changelog": "not an object"}, 1) == []
    assert check_release_notes([], 1) == []
    assert check_release_notes({"changelog": {"releaseNotes": "ab"}}, 0) == []
    assert [e["path"] for e in check_release_notes({"changelog": {"releaseNotes": "ab"}}, 1)] == [
        "changelog.releaseNotes"
    ]
