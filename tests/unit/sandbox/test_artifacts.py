"""The artifact endpoints (upload, read, download, fetch), the upload spacing and budget,
over werkzeug's test Client."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from werkzeug.test import Client, EnvironBuilder

from release_publisher.clock import FakeClock
from release_publisher.sandbox.fetch import FetchError
from release_publisher.sandbox.wsgi import SandboxApp
from release_publisher.testing import (
    build_connect_descriptor,
    build_obr,
    build_plugin_jar,
)

from .conftest import AUTH, FakeFetcher, MakeApp, error_of, js, upload


def test_upload_reports_file_info_details_and_links(client: Client, jar: bytes) -> None:
    resp = upload(client, jar, "hello-1.4.2.jar")
    assert resp.status_code == 200
    body = js(resp)
    assert body["fileInfo"] == {
        "logicalFileName": "hello-1.4.2.jar",
        "size": len(jar),
        "checksum": "sha512:" + hashlib.sha512(jar).hexdigest(),
    }
    assert body["details"]["key"] == "com.example.hello"
    assert body["details"]["version"] == "1.4.2"
    assert body["details"]["name"] == "Hello"
    href = body["_links"]["self"]["href"]
    assert re.fullmatch(r"/rest/3/artifacts/[0-9a-f]{20}", href)
    assert "id" not in body and "remote" not in body["_links"]


def test_get_returns_the_same_artifact_and_binary_serves_its_bytes(
    client: Client, jar: bytes
) -> None:
    created = js(upload(client, jar))
    got = client.get(created["_links"]["self"]["href"], auth=AUTH)
    assert got.status_code == 200
    assert js(got) == created
    binary = client.get(created["_links"]["binary"]["href"], auth=AUTH)
    assert binary.status_code == 200
    assert binary.get_data() == jar
    assert client.get(created["_links"]["binary"]["href"]).status_code == 401


def test_details_appear_only_after_the_processing_delay(
    make_app: MakeApp, clock: FakeClock, jar: bytes
) -> None:
    client = Client(make_app(processing_delay=30.0))
    body = js(upload(client, jar))
    assert "details" not in body
    href = body["_links"]["self"]["href"]
    clock.advance(29.9)
    assert "details" not in js(client.get(href, auth=AUTH))
    clock.advance(0.1)
    assert js(client.get(href, auth=AUTH))["details"]["version"] == "1.4.2"


def test_unknown_artifact_is_404_json(client: Client) -> None:
    resp = client.get("/rest/3/artifacts/0123456789abcdef0123", auth=AUTH)
    assert resp.status_code == 404
    code, message = error_of(js(resp))
    assert code == "NOT_FOUND" and "0123456789abcdef0123" in message
    assert client.get("/rest/3/artifacts/nope/download", auth=AUTH).status_code == 404


def test_obr_and_connect_descriptor_are_read(client: Client, tmp_path: Path) -> None:
    jar = build_plugin_jar(tmp_path / "p.jar", "com.example.obr", "2.0.0")
    obr = build_obr(tmp_path / "p.obr", jar).read_bytes()
    assert js(upload(client, obr, "p.obr"))["details"]["key"] == "com.example.obr"
    connect = build_connect_descriptor(tmp_path / "js(c)", "com.example.cloud").read_bytes()
    details = js(upload(client, connect, "atlassian-js(connect)"))["details"]
    assert details["key"] == "com.example.cloud" and details["addOnType"] == "CONNECT"


def test_unidentifiable_file_is_validation_failed_and_not_stored(
    client: Client, app: SandboxApp
) -> None:
    resp = upload(client, b"just some text", "notes.txt")
    assert resp.status_code == 400
    code, message = error_of(js(resp))
    assert code == "VALIDATION_FAILED" and "notes.txt" in message
    assert app.store.artifacts() == []


def test_missing_file_part_is_validation_failed(client: Client, jar: bytes) -> None:
    resp = upload(client, jar, field="artifact")
    assert resp.status_code == 400
    assert "'file'" in error_of(js(resp))[1]


def test_client_file_name_never_becomes_a_path(
    client: Client, app: SandboxApp, jar: bytes, tmp_path: Path
) -> None:
    resp = upload(client, jar, "../../etc/passwd")
    assert resp.status_code == 200
    assert js(resp)["fileInfo"]["logicalFileName"] == "passwd"
    artifact_id = js(resp)["_links"]["self"]["href"].rsplit("/", 1)[1]
    assert app.store.artifact_path(artifact_id).read_bytes() == jar
    assert [p for p in tmp_path.rglob("*passwd*")] == []
    assert list((app.store.data_dir / "tmp").iterdir()) == []


def test_streamed_upload_without_content_length_is_accepted(
    app: SandboxApp, tmp_path: Path
) -> None:
    """A chunked upload (no Content-Length) larger than the parser's read size."""
    jar = build_plugin_jar(tmp_path / "big.jar", padding=300 * 1024).read_bytes()
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.jar"\r\n\r\n'
        + jar
        + b"\r\n--b--\r\n"
    )
    environ = EnvironBuilder(
        path="/rest/3/artifacts",
        method="POST",
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=b",
        auth=AUTH,
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    resp = Client(app).open(environ)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert js(resp)["fileInfo"]["checksum"] == "sha512:" + hashlib.sha512(jar).hexdigest()


def test_uploads_closer_than_the_spacing_get_429_with_retry_after(
    make_app: MakeApp, clock: FakeClock, jar: bytes
) -> None:
    client = Client(make_app(upload_spacing=10.0))
    assert upload(client, jar).status_code == 200
    clock.advance(3.5)
    resp = upload(client, jar)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"  # 6.5 s rounded up
    assert error_of(js(resp))[0] == "TOO_MANY_REQUESTS"
    clock.advance(6.5)
    assert upload(client, jar).status_code == 200


def test_upload_budget_gives_429_until_old_uploads_leave_the_window(
    make_app: MakeApp, clock: FakeClock, jar: bytes
) -> None:
    client = Client(make_app(budget_bytes=len(jar) * 2, budget_window=100.0))
    assert upload(client, jar).status_code == 200
    clock.advance(40)
    resp = upload(client, jar)  # body (with multipart framing) no longer fits
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "60"
    clock.advance(60)
    assert upload(client, jar).status_code == 200


def test_fetch_downloads_and_links_the_remote(
    client: Client, fetcher: FakeFetcher, jar: bytes
) -> None:
    uri = "https://downloads.example.com/releases/hello-1.4.2.jar"
    fetcher.pages[uri] = jar
    resp = client.post("/rest/3/artifacts/fetch", json={"uri": uri}, auth=AUTH)
    assert resp.status_code == 200
    body = js(resp)
    assert body["_links"]["remote"]["href"] == uri
    assert body["fileInfo"]["logicalFileName"] == "hello-1.4.2.jar"
    assert body["fileInfo"]["checksum"] == "sha512:" + hashlib.sha512(jar).hexdigest()
    assert body["details"]["key"] == "com.example.hello"
    assert js(client.get(body["_links"]["self"]["href"], auth=AUTH)) == body


def test_fetch_field_url_is_refused(client: Client, fetcher: FakeFetcher) -> None:
    resp = client.post(
        "/rest/3/artifacts/fetch", json={"url": "https://example.com/a.jar"}, auth=AUTH
    )
    assert resp.status_code == 400
    code, message = error_of(js(resp))
    assert code == "VALIDATION_FAILED" and '"uri"' in message
    assert fetcher.calls == []


@pytest.mark.parametrize(
    "uri", ["ftp://example.com/a.jar", "file:///etc/passwd", "https:///no-host", "hello.jar"]
)
def test_fetch_refuses_other_schemes_without_downloading(
    client: Client, fetcher: FakeFetcher, uri: str
) -> None:
    resp = client.post("/rest/3/artifacts/fetch", json={"uri": uri}, auth=AUTH)
    assert resp.status_code == 400
    assert error_of(js(resp))[0] == "VALIDATION_FAILED"
    assert fetcher.calls == []


def test_fetch_failure_is_artifact_remote_fetch_failure(
    client: Client, fetcher: FakeFetcher
) -> None:
    uri = "https://example.com/missing.jar"
    fetcher.pages[uri] = FetchError(f"{uri} answered HTTP 404")
    resp = client.post("/rest/3/artifacts/fetch", json={"uri": uri}, auth=AUTH)
    assert resp.status_code == 400
    code, message = error_of(js(resp))
    assert code == "ARTIFACT_REMOTE_FETCH_FAILURE" and "404" in message


def test_fetch_rejects_invalid_and_oversized_json(client: Client) -> None:
    bad = client.post(
        "/rest/3/artifacts/fetch", data=b"{not json", content_type="application/json", auth=AUTH
    )
    assert bad.status_code == 400 and error_of(js(bad))[0] == "VALIDATION_FAILED"
    big = client.post(
        "/rest/3/artifacts/fetch", json={"uri": "https://e.com/" + "a" * 70_000}, auth=AUTH
    )
    assert big.status_code == 413
