"""What every sandbox route shares: auth, unknown paths, size limits, the request log,
loopback-only admin paths."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from werkzeug.test import Client

from release_publisher.limits import MAX_ARTIFACT_BYTES
from release_publisher.sandbox.wsgi import SandboxApp

from .conftest import AUTH, MakeApp, error_of, js, upload


@pytest.mark.parametrize(
    "auth",
    [None, (AUTH[0], "wrong-token"), ("other@example.com", AUTH[1])],
    ids=["no-auth", "wrong-token", "wrong-user"],
)
def test_api_requires_basic_auth(client: Client, jar: bytes, auth: tuple[str, str] | None) -> None:
    resp = upload(client, jar, auth=auth)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    assert error_of(js(resp))[0] == "UNAUTHORIZED"
    assert client.get("/rest/3/artifacts/abc", auth=auth).status_code == 401


def test_401_never_echoes_credentials(client: Client) -> None:
    resp = client.get("/rest/3/artifacts/abc", auth=("me@example.com", "s3cret-t0ken"))
    assert resp.status_code == 401
    assert "s3cret-t0ken" not in resp.get_data(as_text=True)


def test_unknown_path_says_where_the_api_is(client: Client) -> None:
    resp = client.post("/marketplace/rest/3/artifacts", auth=AUTH)
    assert resp.status_code == 404
    assert "/rest/3/" in error_of(js(resp))[1]


def test_declared_content_length_over_the_limit_is_413_before_reading(client: Client) -> None:
    resp = client.post(
        "/rest/3/artifacts",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=abc",
        environ_overrides={"CONTENT_LENGTH": str(MAX_ARTIFACT_BYTES + 2 * 1024 * 1024)},
        auth=AUTH,
    )
    assert resp.status_code == 413
    assert error_of(js(resp))[0] == "PAYLOAD_TOO_LARGE"


def test_file_part_over_the_limit_is_413_while_reading(make_app: MakeApp, jar: bytes) -> None:
    app = make_app(max_artifact_bytes=len(jar) - 1)
    resp = upload(Client(app), jar)
    assert resp.status_code == 413
    assert app.store.artifacts() == []
    assert list((app.store.data_dir / "tmp").iterdir()) == []


def test_request_log_records_upload_hash_but_never_the_credential(
    client: Client, app: SandboxApp, jar: bytes
) -> None:
    client.post(
        "/rest/3/artifacts",
        data={"file": (io.BytesIO(jar), "a.jar")},
        auth=AUTH,
        headers={"User-Agent": "release-publisher/9.9"},
    )
    resp = client.get("/_sandbox/requests")
    [entry] = js(resp)["requests"]
    assert entry["method"] == "POST" and entry["path"] == "/rest/3/artifacts"
    assert entry["status"] == 200 and entry["authorization"] is True
    assert entry["file_sha512"] == hashlib.sha512(jar).hexdigest()
    assert entry["file_size"] == len(jar)
    assert entry["body_bytes"] == entry["content_length"] > len(jar)
    assert entry["user_agent"] == "release-publisher/9.9"
    text = json.dumps(js(resp))
    assert AUTH[1] not in text
    assert "c2FuZGJveEBleGFtcGxlLmNvbTpzYW5kYm94LXRva2Vu" not in text  # base64 user:token


def test_admin_paths_answer_loopback_only(client: Client) -> None:
    resp = client.get("/_sandbox/state", environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert resp.status_code == 403
    assert client.get("/_sandbox/state").status_code == 200
