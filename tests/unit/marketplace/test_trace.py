"""The wire trace (``--trace``): one redacted JSON line per exchange, written as the run
goes, never a secret or a file byte (requests-mock, FakeClock)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from release_publisher.clock import FakeClock
from release_publisher.errors import ApiError, TransportError
from release_publisher.marketplace.client import MarketplaceClient
from release_publisher.marketplace.retry import RetryPolicy
from release_publisher.marketplace.trace import TRACE_TEXT_BYTES, Exchange, TraceRecorder
from release_publisher.marketplace.transport import Timeouts
from release_publisher.secrets import REDACTOR, Redactor

from .helpers import BASE, BASIC, CREDS, TOKEN, artifact_json

ART = f"{BASE}/rest/3/artifacts"


@pytest.fixture
def trace(tmp_path: Path) -> Iterator[TraceRecorder]:
    clock = FakeClock(wall_start=1_800_000_000.25)
    with TraceRecorder(
        tmp_path / "trace.jsonl", redact=Redactor(CREDS.secret_forms()).redact, clock=clock
    ) as recorder:
        yield recorder


def client(recorder: TraceRecorder, *, attempts: int = 4) -> MarketplaceClient:
    return MarketplaceClient(
        BASE,
        credentials=CREDS,
        timeouts=Timeouts(connect=5.0, read=30.0),
        retry=RetryPolicy(attempts=attempts, base=1.0, cap=30.0),
        clock=FakeClock(),
        log=lambda line: None,
        observer=recorder,
    )


def lines(recorder: TraceRecorder) -> list[dict[str, Any]]:
    text = recorder.path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_a_get_is_one_line_with_its_request_and_answer(
    requests_mock: Any, trace: TraceRecorder
) -> None:
    requests_mock.get(f"{ART}/a1b2", json=artifact_json("a1b2"), headers={"X-Request-Id": "r-1"})
    client(trace).get_artifact("a1b2")
    # written before the recorder is closed: a crashed run keeps every finished exchange
    (line,) = lines(trace)
    assert list(line) == [
        "time", "method", "path", "query", "attempt", "request", "response", "elapsed", "error"
    ]  # fmt: skip
    assert line["time"] == "2027-01-15T08:00:00.250Z"
    assert (line["method"], line["path"], line["query"]) == (
        "GET", "/marketplace/rest/3/artifacts/a1b2", ""
    )  # fmt: skip
    assert line["attempt"] == 1 and line["error"] is None
    assert line["request"]["headers"]["Authorization"] == "Basic"
    assert line["request"]["headers"]["Accept"] == "application/json"
    assert line["response"]["status"] == 200
    assert line["response"]["headers"]["X-Request-Id"] == "r-1"
    assert line["response"]["json"] == artifact_json("a1b2")


def test_no_secret_in_any_form_even_when_the_server_echoes_it(
    requests_mock: Any, trace: TraceRecorder
) -> None:
    echo = {"message": f"bad token {TOKEN}", "auth": f"Basic {BASIC}", TOKEN: [TOKEN]}
    requests_mock.get(
        f"{ART}/x",
        status_code=401,
        json=echo,
        headers={"WWW-Authenticate": f'Basic realm="{TOKEN}"', "Set-Cookie": "session=abc123"},
    )
    with pytest.raises(ApiError):
        client(trace).get_artifact("x")
    text = trace.path.read_text(encoding="utf-8")
    for form in CREDS.secret_forms():
        assert form not in text
    (line,) = lines(trace)
    assert line["response"]["json"] == {
        "message": "bad token ***",
        "auth": "Basic ***",
        "***": ["***"],
    }
    assert line["response"]["headers"]["Set-Cookie"] == "***"


def test_the_default_redactor_is_the_process_wide_one(requests_mock: Any, tmp_path: Path) -> None:
    secret = "trace-unit-only-secret-9f1e"
    REDACTOR.add(secret)
    requests_mock.get(f"{ART}/x", text=f"oops {secret}", status_code=500)
    with TraceRecorder(tmp_path / "t.jsonl", clock=FakeClock()) as recorder:
        with pytest.raises(ApiError):
            client(recorder, attempts=1).get_artifact("x")
        text = recorder.path.read_text(encoding="utf-8")
    assert secret not in text and "oops ***" in text


def test_an_upload_is_its_part_headers_name_size_and_sha512_never_its_bytes(
    requests_mock: Any, trace: TraceRecorder, tmp_path: Path
) -> None:
    jar = tmp_path / "hello-1.4.2.jar"
    data = os.urandom(100_000)
    jar.write_bytes(data)
    requests_mock.post(ART, json=artifact_json("a1"))
    client(trace).upload_artifact(jar)
    (line,) = lines(trace)
    part = line["request"]["multipart"]
    assert part == {
        "headers": {
            "Content-Disposition": 'form-data; name="file"; filename="hello-1.4.2.jar"',
            "Content-Type": "application/java-archive",
        },
        "filename": "hello-1.4.2.jar",
        "size": 100_000,
        "sha512": hashlib.sha512(data).hexdigest(),
    }
    assert line["request"]["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    raw = trace.path.read_bytes()
    assert not any(data[i : i + 16] in raw for i in range(0, len(data) - 16, 997))


def test_a_json_request_body_is_recorded(requests_mock: Any, trace: TraceRecorder) -> None:
    requests_mock.post(f"{ART}/fetch", json=artifact_json("f1"))
    client(trace).fetch_artifact("https://example.com/hello.jar")
    (line,) = lines(trace)
    assert line["request"]["json"] == {"uri": "https://example.com/hello.jar"}


def test_each_try_of_a_retried_call_names_its_attempt(
    requests_mock: Any, trace: TraceRecorder
) -> None:
    requests_mock.get(
        f"{ART}/x",
        [
            {"status_code": 503, "text": "busy"},
            {"exc": requests.exceptions.ConnectionError("connection refused")},
            {"json": artifact_json("x")},
        ],
    )
    client(trace).get_artifact("x")
    first, second, third = lines(trace)
    assert [first["attempt"], second["attempt"], third["attempt"]] == [1, 2, 3]
    assert first["response"]["status"] == 503 and first["response"]["text"] == "busy"
    assert second["response"] is None
    assert second["error"] == "ConnectionError: connection refused"
    assert third["response"]["status"] == 200


def test_each_redirect_hop_is_a_line_of_the_same_attempt(
    requests_mock: Any, trace: TraceRecorder
) -> None:
    requests_mock.get(f"{ART}/x", status_code=302, headers={"Location": "/marketplace/v2/x"})
    requests_mock.get(f"{BASE}/v2/x", json=artifact_json("x"))
    client(trace).get_artifact("x")
    first, second = lines(trace)
    assert first["response"]["status"] == 302
    assert first["response"]["headers"]["Location"] == "/marketplace/v2/x"
    assert (second["path"], second["attempt"]) == ("/marketplace/v2/x", 1)


def test_a_later_call_starts_again_at_attempt_1(requests_mock: Any, trace: TraceRecorder) -> None:
    requests_mock.get(f"{ART}/x", [{"status_code": 503}, {"json": artifact_json("x")}])
    requests_mock.get(f"{ART}/y", json=artifact_json("y"))
    api = client(trace)
    api.get_artifact("x")
    api.get_artifact("y")
    assert [line["attempt"] for line in lines(trace)] == [1, 2, 1]


def test_a_non_json_body_keeps_its_first_64_kib(requests_mock: Any, trace: TraceRecorder) -> None:
    page = "<html>" + "x" * (TRACE_TEXT_BYTES * 2) + "</html>"
    requests_mock.get(f"{ART}/x", text=page, status_code=502, headers={"Content-Type": "text/html"})
    with pytest.raises(ApiError):
        client(trace, attempts=1).get_artifact("x")
    (line,) = lines(trace)
    answer = line["response"]
    assert answer["text"] == page[:TRACE_TEXT_BYTES]
    assert answer["size"] == len(page) and answer["truncated"] is True


def test_a_failed_post_is_recorded_without_a_checksum(
    requests_mock: Any, trace: TraceRecorder, tmp_path: Path
) -> None:
    jar = tmp_path / "a.jar"
    jar.write_bytes(b"PK" + os.urandom(1000))
    requests_mock.post(ART, exc=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(TransportError):
        client(trace, attempts=1).upload_artifact(jar)
    (line,) = lines(trace)
    assert line["response"] is None and line["error"].startswith("ConnectTimeout")
    assert line["request"]["multipart"]["sha512"] is None  # never fully sent


def test_the_trace_file_is_mode_0644_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        TraceRecorder(tmp_path / "t.jsonl").close()
    finally:
        os.umask(previous)
    assert (tmp_path / "t.jsonl").stat().st_mode & 0o777 == 0o644


def test_proxy_authorization_keeps_its_scheme_and_cookies_are_hidden(tmp_path: Path) -> None:
    with TraceRecorder(tmp_path / "t.jsonl", clock=FakeClock()) as recorder:
        recorder(
            Exchange(
                method="GET",
                url=f"{ART}/x?limit=5",
                request_headers={
                    "Proxy-Authorization": "Bearer abc.def",
                    "Cookie": "a=b",
                    "Authorization": "dXNlcjp0b2tlbg==",  # no scheme: nothing kept
                },
                body=None,
                status=None,
                error="ReadTimeout: read timed out",
            )
        )
    (line,) = [json.loads(x) for x in recorder.path.read_text().splitlines()]
    headers = line["request"]["headers"]
    assert headers == {"Proxy-Authorization": "Bearer", "Cookie": "***", "Authorization": "***"}
    assert line["query"] == "limit=5" and line["response"] is None


class _FullDisk:
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        pass


def test_a_trace_that_cannot_be_written_does_not_break_the_run(
    requests_mock: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    requests_mock.get(f"{ART}/x", json=artifact_json("x"))
    requests_mock.get(f"{ART}/y", json=artifact_json("y"))
    with TraceRecorder(tmp_path / "t.jsonl", clock=FakeClock()) as recorder:
        recorder._file = _FullDisk()  # type: ignore[assignment]  # a disk that fills up
        api = client(recorder)
        assert api.get_artifact("x").id == "x"
        assert api.get_artifact("y").id == "y"
    warnings = [r.getMessage() for r in caplog.records if "trace" in r.getMessage()]
    assert len(warnings) == 1 and "No space left on device; tracing stopped" in warnings[0]
    assert recorder.lines == 0


def test_a_fifo_or_a_device_as_trace_path_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        TraceRecorder(fifo)  # no reader: refused at once, never blocks
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(OSError, match="not a regular file"):
            TraceRecorder(fifo)  # with a reader too
    finally:
        os.close(reader)
    with pytest.raises(OSError, match="not a regular file"):
        TraceRecorder(Path("/dev/null"))
