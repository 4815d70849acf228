"""The sandbox's version quirks: a version stored with other fields, a create whose
answer is lost after the version was stored, a stale versions list."""

from __future__ import annotations

from pathlib import Path

from werkzeug.test import Client

from release_publisher.testing import version_body

from ..conftest import AUTH, js
from .conftest import SW, jar_id, seed, software_id
from .seeds import KEY

QUIRKS = "/_sandbox/versions/quirks"


def test_store_as_changes_what_is_stored_for_the_given_number_of_creates(
    client: Client, tmp_path: Path
) -> None:
    seed(client, {"appKey": KEY})
    sid = software_id(client)
    assert client.post(QUIRKS, json={"storeAs": {"beta": True}}).status_code == 200
    body = version_body(jar_id(client, tmp_path))
    assert body["beta"] is False
    created = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert created.status_code == 201
    stored = js(client.get(f"{SW}/{sid}/versions/{body['buildNumber']}", auth=AUTH))
    assert stored["beta"] is True
    assert js(client.get(QUIRKS))["quirks"]["times"] == 0  # used up


def test_answer_after_store_stores_the_version_and_answers_the_status(
    client: Client, tmp_path: Path
) -> None:
    seed(client, {"appKey": KEY})
    sid = software_id(client)
    client.post(QUIRKS, json={"answerAfterStore": 504})
    body = version_body(jar_id(client, tmp_path))
    assert client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH).status_code == 504
    build = body["buildNumber"]
    assert client.get(f"{SW}/{sid}/versions/{build}", auth=AUTH).status_code == 200
    again = client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    assert again.status_code == 409 and js(again)["code"] == "DUPLICATE_VERSION"


def test_a_stale_list_leaves_out_created_versions_once(client: Client, tmp_path: Path) -> None:
    seed(client, {"appKey": KEY})
    sid = software_id(client)
    body = version_body(jar_id(client, tmp_path))
    client.post(f"{SW}/{sid}/versions", json=body, auth=AUTH)
    client.post(QUIRKS, json={"staleList": 1})
    assert js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"] == []
    assert len(js(client.get(f"{SW}/{sid}/versions", auth=AUTH))["versions"]) == 1


def test_bad_quirks_are_refused_naming_the_field(client: Client) -> None:
    for body, word in (
        ({"storeAs": {"buildNumber": 3}}, "storeAs"),
        ({"answerAfterStore": 200}, "answerAfterStore"),
        ({"stale": 1}, "unknown"),
    ):
        resp = client.post(QUIRKS, json=body)
        assert resp.status_code == 400 and word in resp.get_data(as_text=True)


def test_delete_and_reset_clear_the_quirks(client: Client) -> None:
    client.post(QUIRKS, json={"staleList": 3})
    assert js(client.delete(QUIRKS))["quirks"]["staleList"] == 0
    client.post(QUIRKS, json={"staleList": 3})
    client.post("/_sandbox/reset")
    assert js(client.get(QUIRKS))["quirks"]["staleList"] == 0
