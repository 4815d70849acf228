"""A fast loopback HTTP sink that answers like Marketplace's artifact endpoints.

Run it as its own process (so it never shares a GIL with what is measured)::

    python benchmarks/sink.py --ready-file F [--rate BYTES_PER_S] [--details-delay S]

It listens on ``127.0.0.1`` only (port from ``--port``, 0 = any free one) and writes
``{"port": P, "pid": N}`` to ``--ready-file`` once it accepts connections. Standard
library only; raw sockets, one thread per connection, HTTP/1.1 keep-alive.

Endpoints (request bodies are read and discarded, never hashed or stored):

* ``POST /rest/3/artifacts``: the body (``Content-Length`` or chunked; answers
  ``Expect: 100-continue``) is read with ``recv_into`` into a preallocated 1 MiB buffer
  and counted, optionally at most ``--rate`` bytes per second (a token bucket on the
  receive loop). Answers 200 with an ``UploadedSoftwareArtifact``:
  ``_links.self.href`` ``/rest/3/artifacts/<id>``, ``fileInfo`` {logicalFileName, size
  = the file part's bytes} and no checksum (the sink does not hash), ``details``
  {key, version, name} when ``--details-delay`` is 0, else absent.
* ``GET /rest/3/artifacts/<id>``: the same object; ``details`` appear once
  ``--details-delay`` seconds have passed since the last body byte arrived. 404 for
  an unknown ID. Every GET is counted.
* ``GET /_bench/stats``: JSON ``{"uploads": [{id, body_bytes, file_bytes,
  content_length, chunked, filename, start, end, epilogue_ok}], "gets": {id: n},
  "get_total": n}``; ``start``/``end`` are ``time.monotonic()`` seconds
  (CLOCK_MONOTONIC: comparable with other processes on the same Linux host).
* ``POST /_bench/reset``: forget uploads and counts.

The process exits by itself after ``--max-seconds`` (default 3600).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: Bytes per recv_into call (the preallocated buffer of each connection).
RECV_BLOCK = 1024 * 1024
#: With a rate limit, smaller reads keep the token bucket's bursts short.
RATE_RECV_BLOCK = 64 * 1024
#: Bytes kept from the start of a body (the multipart preamble) and from its end.
HEAD_KEEP = 8192
TAIL_KEEP = 512
MAX_HEAD_BYTES = 64 * 1024


class BadRequest(Exception):
    """The request cannot be parsed; the connection is answered 400 and closed."""


class _Conn:
    """A socket with a small pending buffer for bytes read past the request head."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = bytearray()

    def read_head(self) -> bytes | None:
        """The request head (without the blank line), or None on a clean close."""
        while True:
            end = self.pending.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.pending[:end])
                del self.pending[: end + 4]
                return head
            if len(self.pending) > MAX_HEAD_BYTES:
                raise BadRequest("request head too long")
            data = self.sock.recv(65536)
            if not data:
                if self.pending:
                    raise BadRequest("connection closed inside the request head")
                return None
            self.pending += data

    def readinto(self, view: memoryview) -> int:
        """Fill ``view`` from pending bytes first, then from the socket; 0 at EOF."""
        if self.pending:
            n = min(len(view), len(self.pending))
            view[:n] = self.pending[:n]
            del self.pending[:n]
            return n
        return self.sock.recv_into(view)

    def readline(self) -> bytes:
        """One CRLF-terminated line (without the CRLF), for chunked framing."""
        while True:
            end = self.pending.find(b"\r\n")
            if end >= 0:
                line = bytes(self.pending[:end])
                del self.pending[: end + 2]
                return line
            if len(self.pending) > MAX_HEAD_BYTES:
                raise BadRequest("chunk line too long")
            data = self.sock.recv(65536)
            if not data:
                raise BadRequest("connection closed inside a chunk line")
            self.pending += data


class _Counter:
    """Counts body bytes, keeps the first/last bytes, and paces to ``rate`` B/s."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.total = 0
        self.head = bytearray()
        self.tail = b""
        self.start = time.monotonic()
        self.end = self.start

    def add(self, chunk: memoryview) -> None:
        n = len(chunk)
        self.total += n
        if len(self.head) < HEAD_KEEP:
            self.head += chunk[: HEAD_KEEP - len(self.head)]
        self.tail = (self.tail + bytes(chunk[-TAIL_KEEP:]))[-TAIL_KEEP:]
        if self.rate:
            due = self.start + self.total / self.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)


class Sink:
    """The sink's state and request handling (one instance per process)."""

    def __init__(self, *, rate: float | None, details_delay: float, key: str, version: str) -> None:
        self.rate = rate
        self.details_delay = details_delay
        self.key = key
        self.version = version
        self.lock = threading.Lock()
        self.uploads: list[dict[str, Any]] = []
        self.gets: dict[str, int] = {}
        self.get_total = 0
        self.next_id = 1

    # -- connection loop ---------------------------------------------------------

    def handle(self, sock: socket.socket) -> None:
        """Serve requests on ``sock`` until the client closes it."""
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(300)
        conn = _Conn(sock)
        buf = bytearray(RATE_RECV_BLOCK if self.rate else RECV_BLOCK)
        try:
            while True:
                head = conn.read_head()
                if head is None:
                    return
                keep_alive = self._one(conn, head, memoryview(buf))
                if not keep_alive:
                    return
        except BadRequest as exc:
            self._send(sock, 400, {"message": str(exc)}, keep_alive=False)
        except OSError:
            return
        finally:
            sock.close()

    def _one(self, conn: _Conn, head: bytes, buf: memoryview) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, proto = lines[0].split(" ", 2)
        except ValueError:
            raise BadRequest(f"bad request line {lines[0]!r}") from None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        keep_alive = proto == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        if headers.get("expect", "").lower() == "100-continue":
            conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        counter = _Counter(self.rate if method == "POST" else None)
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if chunked:
            self._read_chunked(conn, buf, counter)
        else:
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                raise BadRequest("bad Content-Length") from None
            self._read_exact(conn, buf, length, counter)
        counter.end = time.monotonic()
        path = target.split("?", 1)[0]
        status, body = self._route(method, path, headers, counter, chunked)
        self._send(conn.sock, status, body, keep_alive=keep_alive)
        return keep_alive

    @staticmethod
    def _read_exact(conn: _Conn, buf: memoryview, length: int, counter: _Counter) -> None:
        remaining = length
        size = len(buf)
        while remaining > 0:
            n = conn.readinto(buf[: min(remaining, size)])
            if n == 0:
                raise BadRequest(f"body ended {remaining} bytes early")
            counter.add(buf[:n])
            remaining -= n

    def _read_chunked(self, conn: _Conn, buf: memoryview, counter: _Counter) -> None:
        while True:
            line = conn.readline()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest(f"bad chunk size {line[:40]!r}") from None
            if size == 0:
                while conn.readline():  # trailers up to the blank line
                    pass
                return
            self._read_exact(conn, buf, size, counter)
            if conn.readline() != b"":
                raise BadRequest("chunk not followed by CRLF")

    # -- routes ------------------------------------------------------------------

    def _route(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        counter: _Counter,
        chunked: bool,
    ) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path.rstrip("/") == "/rest/3/artifacts":
            return 200, self._upload(headers, counter, chunked)
        if method == "GET" and path.startswith("/rest/3/artifacts/"):
            artifact_id = path.rsplit("/", 1)[-1]
            with self.lock:
                record = next((u for u in self.uploads if u["id"] == artifact_id), None)
                if record is None:
                    return 404, {"message": f"artifact {artifact_id} not found"}
                self.gets[artifact_id] = self.gets.get(artifact_id, 0) + 1
                self.get_total += 1
            return 200, self._artifact(record, time.monotonic())
        if method == "GET" and path == "/_bench/stats":
            with self.lock:
                return 200, {
                    "uploads": list(self.uploads),
                    "gets": dict(self.gets),
                    "get_total": self.get_total,
                }
        if method == "POST" and path == "/_bench/reset":
            with self.lock:
                self.uploads.clear()
                self.gets.clear()
                self.get_total = 0
            return 200, {"reset": True}
        return 404, {"message": f"no route {method} {path}"}

    def _upload(self, headers: dict[str, str], counter: _Counter, chunked: bool) -> dict[str, Any]:
        boundary = ""
        for param in headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.strip().partition("=")
            if name.lower() == "boundary":
                boundary = value.strip('"')
        epilogue = f"\r\n--{boundary}--\r\n".encode("latin-1")
        preamble_end = counter.head.find(b"\r\n\r\n")
        preamble = bytes(counter.head[: preamble_end + 4]) if preamble_end >= 0 else b""
        filename = ""
        marker = preamble.find(b'filename="')
        if marker >= 0:
            rest = preamble[marker + 10 :]
            filename = rest[: rest.find(b'"')].decode("utf-8", "replace")
        file_bytes = counter.total - len(preamble) - len(epilogue)
        with self.lock:
            artifact_id = f"bench{self.next_id}"
            self.next_id += 1
            record: dict[str, Any] = {
                "id": artifact_id,
                "body_bytes": counter.total,
                "file_bytes": file_bytes,
                "content_length": None if chunked else int(headers.get("content-length", "0")),
                "chunked": chunked,
                "expect_continue": headers.get("expect", "").lower() == "100-continue",
                "filename": filename,
                "start": counter.start,
                "end": counter.end,
                "epilogue_ok": bool(boundary) and counter.tail.endswith(epilogue),
                "user_agent": headers.get("user-agent", ""),
            }
            self.uploads.append(record)
        return self._artifact(record, counter.end)

    def _artifact(self, record: dict[str, Any], now: float) -> dict[str, Any]:
        href = f"/rest/3/artifacts/{record['id']}"
        body: dict[str, Any] = {
            "fileInfo": {"logicalFileName": record["filename"], "size": record["file_bytes"]},
            "_links": {"self": {"href": href}, "binary": {"href": f"{href}/binary"}},
        }
        if now >= record["end"] + self.details_delay:
            body["details"] = {
                "key": self.key,
                "name": "Hello",
                "version": self.version,
                "addOnType": "PLUGINS_2",
            }
        return body

    @staticmethod
    def _send(sock: socket.socket, status: int, body: dict[str, Any], *, keep_alive: bool) -> None:
        data = json.dumps(body).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "Status")
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        ).encode("latin-1")
        sock.sendall(head + data)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, listen on 127.0.0.1, serve until ``--max-seconds`` pass."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else "")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", required=True, type=Path)
    parser.add_argument("--rate", type=float, default=0.0, help="bytes/s, 0 = unlimited")
    parser.add_argument("--details-delay", type=float, default=0.0, help="seconds")
    parser.add_argument("--key", default="com.example.hello")
    parser.add_argument("--version", default="1.4.2")
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)

    sink = Sink(
        rate=args.rate or None,
        details_delay=args.details_delay,
        key=args.key,
        version=args.version,
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    tmp = args.ready_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"port": port, "pid": os.getpid()}), encoding="utf-8")
    tmp.replace(args.ready_file)
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        try:
            sock, _ = listener.accept()
        except TimeoutError:
            continue
        sock.settimeout(None)
        threading.Thread(target=sink.handle, args=(sock,), daemon=True).start()
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
