"""The client against requests-mock: request shapes, response parsing, redirects,
plain-http refusal and secret redaction."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher import __version__
from release_publisher.clock import FakeClock
from release_publisher.errors import ApiError, FileCheckError, UsageError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.secrets import Credentials

from .helpers import BASE, BASIC, TOKEN, USER, artifact_json, consume, make_client

ART = f"{BASE}/rest/3/artifacts"


def _jar(tmp_path: Path, size: int = 200_000) -> Path:
    path = tmp_path / "hello-1.4.2.jar"
    path.write_bytes(os.urandom(size))
    return path


# ------------------------------------------------------------------ request shapes


def test_upload_streams_the_file_as_multipart_and_returns_its_sha512(
    requests_mock: Any, tmp_path: Path
) -> None:
    path = _jar(tmp_path)
    seen: dict[str, Any] = {}

    def answer(request: Any, context: Any) -> str:
        seen["body"] = consume(request)
        seen["headers"] = dict(request.headers)
        return json.dumps(artifact_json("art-1"))

    requests_mock.post(ART, text=answer, headers={"Content-Type": "application/json"})
    artifact, sha = make_client().upload_artifact(path)

    assert artifact.id == "art-1"
    assert sha == hashlib.sha512(path.read_bytes()).hexdigest()
    headers = seen["headers"]
    boundary = headers["Content-Type"].split("boundary=", 1)[1]
    assert headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert headers["Content-Length"] == str(len(seen["body"]))
    assert "Transfer-Encoding" not in headers
    assert headers["Authorization"] == f"Basic {BASIC}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == (
        f"release-publisher/{__version__} (+requests/{requests.__version__})"
    )
    part_head, _, rest = seen["body"].partition(b"\r\n\r\n")
    assert (
        part_head
        == (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="hello-1.4.2.jar"\r\n'
            "Content-Type: application/java-archive"
        ).encode()
    )
    assert rest == path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()


def test_fetch_posts_json_uri(requests_mock: Any) -> None:
    remote = artifact_json("f1")
    remote["_links"]["remote"] = {"href": "https://example.com/hello.jar"}
    requests_mock.post(f"{ART}/fetch", json=remote)
    artifact = make_client().fetch_artifact("https://example.com/hello.jar")
    sent = requests_mock.last_request
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(consume(sent)) == {"uri": "https://example.com/hello.jar"}
    assert artifact.id == "f1" and artifact.remote_url == "https://example.com/hello.jar"


def test_get_artifact_quotes_the_id_as_one_segment(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/a%2Fb%20c", json=artifact_json("a%2Fb%20c"))
    artifact = make_client().get_artifact("a/b c")
    assert artifact.id == "a/b c"
    assert requests_mock.last_request.headers["Authorization"] == f"Basic {BASIC}"


def test_upload_image_sends_the_image_mime_type(requests_mock: Any, tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    sent: list[bytes] = []

    def answer(request: Any, context: Any) -> dict[str, Any]:
        sent.append(consume(request))
        return {"id": "m-9", "mediaType": "image", "mimeType": "image/png", "size": 108, "x": 1}

    requests_mock.post(f"{BASE}/rest/3/assets/images/icon", json=answer)
    media = make_client().upload_image("icon", path)
    body = sent[0]
    assert b'name="file"; filename="logo.png"\r\nContent-Type: image/png\r\n' in body
    assert (media.id, media.mime_type, media.size) == ("m-9", "image/png", 108)


@pytest.mark.parametrize("image_type", ["", "Icon", "../x", "screen shot"])
def test_bad_image_type_is_refused_before_any_request(
    requests_mock: Any, tmp_path: Path, image_type: str
) -> None:
    path = tmp_path / "i.png"
    path.write_bytes(b"x")
    with pytest.raises(UsageError):
        make_client().upload_image(image_type, path)
    assert requests_mock.call_count == 0


def test_missing_file_is_refused_before_any_request(requests_mock: Any, tmp_path: Path) -> None:
    with pytest.raises(FileCheckError):
        make_client().upload_artifact(tmp_path / "missing.jar")
    assert requests_mock.call_count == 0


def test_user_and_token_keywords_still_work(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/x", json=artifact_json("x"))
    client = MarketplaceClient(BASE, user=f" {USER}\n", token=f"{TOKEN}\r\n", clock=FakeClock())
    client.get_artifact("x")
    assert requests_mock.last_request.headers["Authorization"] == f"Basic {BASIC}"
    assert TOKEN not in repr(client)


def test_missing_self_href_is_an_api_error_showing_the_body(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/x", json={"fileInfo": {"size": 1}, "echo": TOKEN})
    with pytest.raises(ApiError) as info:
        make_client().get_artifact("x")
    err = info.value
    assert "no _links.self.href" in err.message
    assert '"fileInfo": {"size": 1}' in err.message
    assert TOKEN not in err.render()


def test_media_without_id_is_an_api_error(requests_mock: Any, tmp_path: Path) -> None:
    path = tmp_path / "i.png"
    path.write_bytes(b"x")
    requests_mock.post(f"{BASE}/rest/3/assets/images/icon", json={"name": "i.png"})
    with pytest.raises(ApiError, match="no id"):
        make_client().upload_image("icon", path)


@pytest.mark.parametrize("body", ["", "[1, 2]", "null", "{not json"])
def test_malformed_2xx_bodies_are_api_errors(requests_mock: Any, body: str) -> None:
    requests_mock.get(f"{ART}/x", text=body, headers={"Content-Type": "application/json"})
    with pytest.raises(ApiError) as info:
        make_client().get_artifact("x")
    assert info.value.status == 200


# ------------------------------------------------------------------ redaction


def test_secrets_never_appear_in_errors_or_logs(requests_mock: Any, tmp_path: Path) -> None:
    token = "line-one-SECRET\nline-two-SECRET"
    creds = Credentials(USER, token)
    basic = base64.b64encode(f"{USER}:{token}".encode()).decode()
    echo = f"<p>token {token} header Basic {basic}</p>"
    log: list[str] = []
    requests_mock.post(
        ART,
        [
            {"status_code": 429, "text": echo, "headers": {"Retry-After": "1"}},
            {"status_code": 401, "json": {"message": f"bad {token} / {basic}"}},
        ],
    )
    requests_mock.get(f"{ART}/x", status_code=200, text=echo, headers={"Content-Type": "text/html"})
    client = make_client(credentials=creds, log=log)
    errors: list[ApiError] = []
    with pytest.raises(ApiError) as first:
        client.upload_artifact(_jar(tmp_path, 10))
    errors.append(first.value)
    with pytest.raises(ApiError) as second:
        client.get_artifact("x")
    errors.append(second.value)
    texts = [e.render() for e in errors] + [str(e.server_message) for e in errors] + log
    assert log, "the 429 retry was logged"
    for text in texts:
        for secret in (token, "line-one-SECRET", "line-two-SECRET", basic):
            assert secret not in text
    assert "***" in errors[0].message


def test_invalid_header_errors_never_show_the_header_value(requests_mock: Any) -> None:
    value = f"Basic {BASIC}\n{TOKEN}"
    requests_mock.get(
        f"{ART}/x",
        exc=requests.exceptions.InvalidHeader(f"Invalid return character in header: {value!r}"),
    )
    with pytest.raises(UsageError) as info:
        make_client().get_artifact("x")
    text = info.value.render()
    assert "value is not shown" in text
    assert BASIC not in text and TOKEN not in text and "Basic" not in text


def test_the_client_checks_its_base_url_before_any_request(requests_mock: Any) -> None:
    with pytest.raises(UsageError, match="plain http"):
        make_client(base="http://api.atlassian.com/marketplace")
    assert requests_mock.call_count == 0
