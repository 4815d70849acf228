"""Non-2xx and malformed answers become ApiError with the endpoint, status, server
message and a hint for the cause; never a parser traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from release_publisher.errors import ApiError
from release_publisher.marketplace.errors import html_to_text, server_message

from .helpers import BASE, make_client

ART = f"{BASE}/rest/3/artifacts"
NGINX_413 = (
    "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
LB_502 = (
    "<!DOCTYPE html><html><head><style>body{color:red}</style><title>502 Bad Gateway</title>"
    "</head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response "
    "from an upstream server.</p><script>var x = 1;</script></body></html>"
)
LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Log in with Atlassian account</title></head>"
    "<body><form action='/login'><input name='username'></form>" + "x" * 500 + "</body></html>"
)


def _upload_error(
    requests_mock: Any, tmp_path: Path, status: int, body: str, ctype: str, size: int = 100
) -> ApiError:
    requests_mock.post(ART, status_code=status, text=body, headers={"Content-Type": ctype})
    path = tmp_path / "hello.jar"
    path.write_bytes(b"\0" * size)
    with pytest.raises(ApiError) as info:
        make_client().upload_artifact(path)
    return info.value


def test_413_nginx_html_page(requests_mock: Any, tmp_path: Path) -> None:
    err = _upload_error(requests_mock, tmp_path, 413, NGINX_413, "text/html", size=3_000_000)
    assert err.status == 413
    assert err.endpoint == "POST /rest/3/artifacts"
    assert err.content_type == "text/html"
    assert err.server_message == "413 Request Entity Too Large 413 Request Entity Too Large nginx"
    assert "<" not in err.message
    assert err.hint is not None
    assert "3.0 MB (2.9 MiB)" in err.hint  # the file's size
    assert "250 MB" in err.hint
    assert len(requests_mock.request_history) == 1


def test_502_load_balancer_page_on_upload_is_not_retried_and_may_be_stored(
    requests_mock: Any, tmp_path: Path
) -> None:
    err = _upload_error(requests_mock, tmp_path, 502, LB_502, "text/html; charset=utf-8")
    assert err.status == 502
    assert err.server_message is not None
    assert err.server_message.startswith("502 Bad Gateway Bad Gateway The proxy server")
    assert "color:red" not in err.message and "var x" not in err.message
    assert err.hint is not None
    assert "may have been stored" in err.hint
    assert len(requests_mock.request_history) == 1


def test_200_html_login_page_is_a_failure_not_a_json_error(
    requests_mock: Any, tmp_path: Path
) -> None:
    err = _upload_error(requests_mock, tmp_path, 200, LOGIN_PAGE, "text/html")
    assert err.status == 200
    assert err.content_type == "text/html"
    assert "not JSON" in err.message
    assert "Log in with Atlassian account" in err.message
    assert err.server_message is not None and len(err.server_message) <= 200
    assert err.hint is not None
    assert "proxy" in err.hint and "base-url" in err.hint and "sign-on" in err.hint


def test_400_json_list_of_field_errors(requests_mock: Any, tmp_path: Path) -> None:
    body = json.dumps(
        [
            {"field": "uri", "message": "must be an https URL"},
            {"path": "file", "message": "unsupported artifact type"},
        ]
    )
    err = _upload_error(requests_mock, tmp_path, 400, body, "application/json")
    assert err.server_message == "uri: must be an https URL; file: unsupported artifact type"
    assert "uri: must be an https URL" in err.message


def test_401_json_names_the_user_and_api_token(requests_mock: Any, tmp_path: Path) -> None:
    body = json.dumps({"code": "UNAUTHORIZED", "message": "Client must be authenticated"})
    err = _upload_error(requests_mock, tmp_path, 401, body, "application/json")
    assert err.server_message == "UNAUTHORIZED: Client must be authenticated"
    assert err.hint is not None
    assert "dev@example.com" in err.hint and "API token" in err.hint
    assert err.render().startswith("ApiError: POST /rest/3/artifacts failed: HTTP 401")


@pytest.mark.parametrize(
    ("status", "needle"),
    [
        (403, "vendor contact"),
        (404, "base-url"),
        (415, ".jar, .obr, .jwb"),
        (429, "rate limited"),
        (500, "Marketplace-side problem"),
        (504, "may have been stored"),
    ],
)
def test_status_hints(requests_mock: Any, tmp_path: Path, status: int, needle: str) -> None:
    err = _upload_error(requests_mock, tmp_path, status, "{}", "application/json")
    assert err.status == status
    assert err.hint is not None and needle in err.hint


def test_404_on_get_mentions_unknown_artifact_id(requests_mock: Any) -> None:
    requests_mock.get(f"{ART}/nope", status_code=404, json={"message": "Not found"})
    with pytest.raises(ApiError) as info:
        make_client().get_artifact("nope")
    assert info.value.endpoint == "GET /rest/3/artifacts/nope"
    assert info.value.hint is not None and "unknown artifact ID" in info.value.hint


def test_400_validation_failed_on_fetch(requests_mock: Any) -> None:
    requests_mock.post(
        f"{ART}/fetch",
        status_code=400,
        json={
            "code": "VALIDATION_FAILED",
            "message": "Request is invalid",
            "errors": [{"field": "uri", "message": "is required"}],
        },
    )
    with pytest.raises(ApiError) as info:
        make_client().fetch_artifact("https://example.com/a.jar")
    assert info.value.server_message == "VALIDATION_FAILED: Request is invalid; uri: is required"


def test_remote_fetch_failure_hint(requests_mock: Any) -> None:
    requests_mock.post(
        f"{ART}/fetch",
        status_code=400,
        json={"code": "ARTIFACT_REMOTE_FETCH_FAILURE", "message": "could not download"},
    )
    with pytest.raises(ApiError) as info:
        make_client().fetch_artifact("https://example.com/a.jar")
    assert info.value.hint is not None and "public https URL" in info.value.hint


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"detail": "Bad thing"}, "Bad thing"),
        ({"error": {"message": "nested"}}, "nested"),
        ({"errors": {"version": "already exists"}}, "version: already exists"),
        ({"code": "RATE_LIMITED"}, "RATE_LIMITED"),
        ({"unexpected": 1}, '{"unexpected": 1}'),
        (["plain", "strings"], "plain; strings"),
    ],
)
def test_json_server_messages(body: Any, expected: str) -> None:
    assert server_message(json.dumps(body).encode(), "application/json", str) == expected


def test_non_json_body_is_cut_to_200_characters() -> None:
    text = server_message(("word " * 200).encode(), "text/plain", str)
    assert text is not None and len(text) == 200 and text.endswith("...")


def test_invalid_utf8_and_empty_bodies_do_not_raise() -> None:
    assert server_message(b"\xff\xfe<b>x</b>", "text/html", str) == "\ufffd\ufffd x"
    assert server_message(b"", None, str) is None


def test_html_to_text_decodes_entities_and_drops_comments() -> None:
    assert html_to_text("<p>a &amp; b<!-- secret --></p>\n\n<br>c") == "a & b c"
