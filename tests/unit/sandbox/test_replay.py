"""``sandbox --replay``: recorded answers served in order by method and path pattern,
599 for a divergence, clear errors for a bad trace (werkzeug test Client, no sockets)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from release_publisher.errors import UsageError
from release_publisher.sandbox.cli import add_arguments, run
from release_publisher.sandbox.replay import ReplayApp, load_trace, path_pattern


def line(method: str, path: str, status: int | None, **response: Any) -> dict[str, Any]:
    """A trace line as ``publish --trace`` writes it (the fields replay reads)."""
    headers = {"Content-Type": "application/json"} if "json" in response else {}
    answer = None if status is None else {"status": status, "headers": headers, **response}
    return {"time": "t", "method": method, "path": path, "query": "", "attempt": 1,
            "request": {"headers": {}}, "response": answer, "elapsed": 0.0,
            "error": None if status is not None else "ConnectionError: reset"}  # fmt: skip


def write(tmp_path: Path, *lines: dict[str, Any] | str) -> Path:
    path = tmp_path / "trace.jsonl"
    text = [item if isinstance(item, str) else json.dumps(item) for item in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def client(tmp_path: Path, *lines: dict[str, Any] | str) -> tuple[Client, ReplayApp]:
    app = ReplayApp(load_trace(write(tmp_path, *lines)))
    return Client(app), app


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/rest/3/artifacts", ("rest", "3", "artifacts")),
        ("/marketplace/rest/3/artifacts/a1B2", ("rest", "3", "artifacts", "{}")),
        ("/rest/3/app-software/app-key/com.example.hello",
         ("rest", "3", "app-software", "app-key", "{}")),
        ("/rest/3/app-software/9f3e/versions/101/listing",
         ("rest", "3", "app-software", "{}", "versions", "{}", "listing")),
        ("/rest/3/assets/images/screenshot", ("rest", "3", "assets", "images", "screenshot")),
        ("/rest/3/artifacts/abcdef", ("rest", "3", "artifacts", "{}")),
        ("/rest/3/artifacts/fetch", ("rest", "3", "artifacts", "fetch")),
        ("/rest/3/app-software/app-key/hello", ("rest", "3", "app-software", "app-key", "{}")),
    ],
)  # fmt: skip
def test_path_patterns_match_ids_by_position(path: str, pattern: tuple[str, ...]) -> None:
    assert path_pattern(path) == pattern


def test_requests_get_the_next_unused_answer_of_their_pattern_with_other_ids(
    tmp_path: Path,
) -> None:
    http, app = client(
        tmp_path,
        line("GET", "/marketplace/rest/3/artifacts/A", 503, json={"message": "busy"}),
        line("POST", "/marketplace/rest/3/assets/images/icon", 200, json={"id": "i1"}),
        line("GET", "/marketplace/rest/3/artifacts/A", 200, json={"id": "A"}),
    )
    first = http.get("/rest/3/artifacts/B")
    assert (first.status_code, first.json) == (503, {"message": "busy"})
    assert http.get("/rest/3/artifacts/C").json == {"id": "A"}
    assert http.post("/rest/3/assets/images/icon", data=b"x" * 1000).json == {"id": "i1"}
    assert app.unused() == [] and (app.served, app.unmatched) == (3, 0)


def test_status_headers_and_text_body_are_served_without_framing_headers(tmp_path: Path) -> None:
    recorded = line("GET", "/rest/3/artifacts/a", 429, text="slow down", size=9, truncated=False)
    recorded["response"]["headers"] = {
        "Retry-After": "3", "Content-Type": "text/plain", "Content-Length": "999",
        "Transfer-Encoding": "chunked", "X-Request-Id": "r-7",
    }  # fmt: skip
    http, _ = client(tmp_path, recorded)
    answer = http.get("/rest/3/artifacts/a")
    assert answer.status_code == 429 and answer.get_data() == b"slow down"
    assert answer.headers["Retry-After"] == "3" and answer.headers["X-Request-Id"] == "r-7"
    assert answer.headers["Content-Length"] == "9" and "Transfer-Encoding" not in answer.headers


def test_no_content_type_is_served_when_none_was_recorded(tmp_path: Path) -> None:
    http, _ = client(tmp_path, line("GET", "/rest/3/artifacts/a", 200, text="{}"))
    answer = http.get("/rest/3/artifacts/a")
    assert "Content-Type" not in answer.headers and answer.get_data() == b"{}"


def test_an_unmatched_request_gets_599_naming_what_was_expected(tmp_path: Path) -> None:
    http, app = client(
        tmp_path,
        line("GET", "/rest/3/app-software/app-key/k", 200, json=[]),
        line("POST", "/rest/3/artifacts", 200, json={}),
    )
    answer = http.post("/rest/3/assets/images/icon")
    assert answer.status_code == 599
    body = json.loads(answer.get_data())
    assert body["code"] == "REPLAY_MISMATCH"
    assert body["message"] == (
        "replay: POST /rest/3/assets/images/icon matches no unused recorded exchange "
        "(same method and path pattern); expected next: GET "
        "/rest/3/app-software/app-key/k (trace line 1)"
    )
    assert http.get("/rest/3/app-software/app-key/other").status_code == 200
    assert http.post("/rest/3/artifacts").status_code == 200
    again = http.post("/rest/3/artifacts")
    assert again.status_code == 599
    assert "all 2 recorded answers were served already" in json.loads(again.get_data())["message"]
    assert app.unmatched == 2


def test_concurrent_uploads_to_one_path_take_the_answer_of_their_file(tmp_path: Path) -> None:
    first = line("POST", "/rest/3/assets/images/screenshot", 200, json={"id": "for-a"})
    second = line("POST", "/rest/3/assets/images/screenshot", 200, json={"id": "for-b"})
    first["request"]["multipart"] = {"filename": "a.png"}
    second["request"]["multipart"] = {"filename": "b.png"}
    http, _ = client(tmp_path, first, second)

    def upload(name: str) -> Any:
        body = f'--x\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'
        answer = http.post(
            "/rest/3/assets/images/screenshot",
            data=body.encode() + b"\x89PNG" * 100 + b"\r\n--x--\r\n",
            content_type="multipart/form-data; boundary=x",
        )
        return json.loads(answer.get_data())["id"]

    assert [upload("b.png"), upload("a.png")] == ["for-b", "for-a"]


def test_the_method_must_match_too(tmp_path: Path) -> None:
    http, _ = client(tmp_path, line("POST", "/rest/3/artifacts", 200, json={}))
    assert http.get("/rest/3/artifacts").status_code == 599


def test_exchanges_without_an_answer_are_skipped(tmp_path: Path) -> None:
    http, app = client(
        tmp_path,
        line("POST", "/rest/3/artifacts", None),
        "",
        line("POST", "/rest/3/artifacts", 201, json={"ok": True}),
    )
    assert len(app.recorded) == 1 and app.recorded[0].line == 3
    assert http.post("/rest/3/artifacts").status_code == 201


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps(line("GET", "/rest/3/x", 700)), "response.status must be an HTTP status"),
        (json.dumps({"response": {"status": 200}}), "no method or path"),
        (json.dumps(line("GET", "/rest/3/x", 200, json={}) | {"response": {
            "status": 200, "headers": {"X-Evil": "a\r\nSet-Cookie: x=1"}}}),
         "response header 'X-Evil' cannot be sent"),
    ],
)  # fmt: skip
def test_a_bad_trace_line_is_named_by_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path, line("GET", "/rest/3/x", 200, json={}), content)
    with pytest.raises(UsageError) as info:
        load_trace(path)
    assert info.value.message.startswith(f"{path}:2: not a trace line: {message}")


def test_a_trace_without_answers_or_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds no recorded answer"):
        load_trace(write(tmp_path, line("GET", "/rest/3/x", None)))
    with pytest.raises(UsageError, match="cannot read the trace"):
        load_trace(tmp_path / "missing.jsonl")


def test_sandbox_cli_replay_of_a_missing_trace_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--replay", str(tmp_path / "nope.jsonl")])
    assert run(args) == UsageError.exit_code
    err = capsys.readouterr().err
    assert err.startswith("UsageError: cannot read the trace") and "Traceback" not in err
