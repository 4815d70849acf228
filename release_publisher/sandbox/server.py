"""Running the sandbox app on a real socket, in a background thread.

>>> with start_sandbox() as sandbox:           # doctest: +SKIP
...     requests.get(sandbox.base_url + "/rest/3/artifacts/x", auth=(DEFAULT_USER, DEFAULT_TOKEN))

werkzeug's threaded development server (``make_server(threaded=True)``) is used with a
request handler that can really *reset* a connection (``SO_LINGER`` 0, then close: the
client sees ``ECONNRESET``), which the ``drop`` faults need.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.urls import uri_to_iri

from ..clock import Clock
from .app import create_app
from .config import DEFAULT_TOKEN, DEFAULT_USER, SandboxConfig
from .fetch import Fetcher
from .replay import ReplayApp
from .store import Store
from .wsgi import ABORT_KEY, SandboxApp


class _SandboxRequestHandler(WSGIRequestHandler):
    """werkzeug's handler plus the connection reset used by ``drop`` faults."""

    _reset_requested = False
    _real_rfile: Any = None

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        environ[ABORT_KEY] = self._request_reset
        return environ

    def _request_reset(self) -> None:
        """Arrange for the connection to end with RST: linger 0, and an empty ``rfile``
        so werkzeug's post-response drain does not read the rest of the body."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._reset_requested = True
        self._real_rfile = self.rfile
        self.rfile = io.BytesIO()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """werkzeug's access log line; without its colour codes unless stderr is a
        terminal (and ``NO_COLOR`` is unset): a log written to a file stays plain."""
        if plain_access_log():
            try:
                line = f"{self.command} {uri_to_iri(self.path)} {self.request_version}"
            except AttributeError:  # no path: the request line was bad
                line = self.requestline
            line = line.translate(self._control_char_table)
            self.log("info", '"%s" %s %s', line, code, size)
            return
        super().log_request(code, size)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._reset_requested:
                with contextlib.suppress(OSError):
                    self._real_rfile.close()
                with contextlib.suppress(OSError):
                    self.connection.close()  # the last reference: RST goes out now


def plain_access_log() -> bool:
    """True when the access log must carry no ANSI colour codes: stderr is not a
    terminal (a file, a pipe, a CI log) or ``NO_COLOR`` is set."""
    if os.environ.get("NO_COLOR"):
        return True
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):
        return True


class _QuietHandler(_SandboxRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log."""


class SandboxServer:
    """A running sandbox. ``base_url`` e.g. ``http://127.0.0.1:54321`` (what users put
    in ``marketplace.base-url``); ``data_dir`` where artifacts and images are stored;
    ``app`` the :class:`~.wsgi.SandboxApp` (its state: ``app.store``, ``app.faults``,
    ``app.requests``). A context manager: leaving it calls :meth:`stop`."""

    def __init__(
        self, server: BaseWSGIServer, app: SandboxApp, data_dir: Path, owns_dir: bool
    ) -> None:
        self._server = server
        self.app = app
        self.data_dir = data_dir
        self._owns_dir = owns_dir
        address = server.server_address
        host = address[0] if isinstance(address[0], str) else address[0].decode()
        port = int(address[1])
        self.host = host
        self.port = port
        self.base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"marketplace-sandbox-{port}",
        )
        self._stopped = False
        #: the replayed trace when started with ``replay`` (then ``app`` serves nothing)
        self.replay: ReplayApp | None = None

    def _start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close the socket and (if it was a fresh temp dir) delete
        ``data_dir``. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: Path | str | None = None,
    user: str = DEFAULT_USER,
    token: str = DEFAULT_TOKEN,
    processing_delay: float = 0.0,
    upload_spacing: float = 0.0,
    config: SandboxConfig | None = None,
    clock: Clock | None = None,
    fetcher: Fetcher | None = None,
    access_log: bool = False,
    apps: Iterable[tuple[str, tuple[str, ...]]] = (),
    latency: float = 0.0,
    bandwidth: int = 0,
    space_fetches: bool = True,
    replay: ReplayApp | None = None,
    max_release_notes: int = 0,
    image_sizes: str = "off",
) -> SandboxServer:
    """Start the sandbox on ``host``:``port`` (0 = a free port) in a daemon thread and
    return it once it is listening.

    ``data_dir``: where to keep artifacts and images (created if missing, kept on stop);
    None = a fresh temp dir deleted on stop. ``user``/``token``: the HTTP Basic
    credentials it accepts. ``processing_delay``: seconds until ``details`` appears;
    ``upload_spacing``: minimum seconds between uploads (Marketplace: 10). ``config``
    overrides all of those (and exposes the size limits). ``access_log``: print
    werkzeug's one line per request to stderr. ``apps``: ``(app key, hostings)`` to
    register with no versions (see :mod:`.versions.catalog`; also after a reset).
    ``latency`` (seconds added to every API response), ``bandwidth`` (request bodies
    read at that many bytes per second; 0: unlimited) and ``space_fetches`` (False: a
    fetch is not held to the upload spacing) apply over ``config`` too when given.
    ``replay``: serve a recorded trace's answers instead of emulating (:mod:`.replay`).
    ``max_release_notes`` (characters; 0: any length) and ``image_sizes`` (``"strict"``
    or ``"off"``) rehearse Marketplace's limits (see :class:`~.config.SandboxConfig`)
    and apply over ``config`` too when given.

    Raises OSError when the address cannot be bound (e.g. the port is in use).
    """
    cfg = config or SandboxConfig(
        user=user, token=token, processing_delay=processing_delay, upload_spacing=upload_spacing
    )
    if latency or bandwidth or not space_fetches:
        cfg = replace(cfg, latency=latency, bandwidth=bandwidth, space_fetches=space_fetches)
    if max_release_notes or image_sizes != "off":
        cfg = replace(cfg, max_release_notes=max_release_notes, image_sizes=image_sizes)
    seeds = tuple((key, tuple(hostings)) for key, hostings in apps)
    if seeds:
        cfg = replace(cfg, apps=cfg.apps + seeds)
    owns_dir = data_dir is None
    directory = (
        Path(tempfile.mkdtemp(prefix="marketplace-sandbox-")) if owns_dir else Path(str(data_dir))
    )
    try:
        app = create_app(Store(directory), config=cfg, clock=clock, fetcher=fetcher)
        handler = _SandboxRequestHandler if access_log else _QuietHandler
        served = replay or app
        # Bind here: werkzeug's own bind prints and calls sys.exit(1) on a busy port.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family, backlog=64) as listener:
            server = make_server(
                host, port, served, threaded=True, request_handler=handler, fd=listener.fileno()
            )  # werkzeug duplicates the descriptor; ``listener`` is closed here
    except BaseException:
        if owns_dir:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    sandbox = SandboxServer(server, app, directory, owns_dir)
    sandbox.replay = replay
    sandbox._start()
    return sandbox
