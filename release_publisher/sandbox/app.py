"""The Marketplace emulator as a WSGI application (werkzeug routing, Request/Response).

Base URL convention: the sandbox serves the API at its root, so the base URL users put
in ``marketplace.base-url`` is ``http://127.0.0.1:PORT`` (no ``/marketplace`` prefix),
and paths are the documented ``/rest/3/...``:

=====================================================  =====================================
``POST /rest/3/artifacts``                             upload (multipart, part ``file``)
``POST /rest/3/artifacts/fetch``                       fetch ``{"uri": "https://..."}``
``GET  /rest/3/artifacts/{artifactId}``                read an artifact
``GET  /rest/3/artifacts/{artifactId}/download``       the artifact's bytes (``_links.binary``)
``POST /rest/3/assets/images/{imageType}``             upload a listing image
=====================================================  =====================================

Every ``/rest`` path needs HTTP Basic auth with the sandbox's user and token (401
``UNAUTHORIZED`` with ``WWW-Authenticate`` otherwise). Every error body has one shape::

    {"code": "VALIDATION_FAILED", "message": "...",
     "errors": [{"code": "VALIDATION_FAILED", "message": "..."}]}

Codes: ``VALIDATION_FAILED`` (400: bad input, unidentifiable artifact, not an image),
``ARTIFACT_REMOTE_FETCH_FAILURE`` (400), ``UNAUTHORIZED`` (401), ``FORBIDDEN`` (403),
``NOT_FOUND`` (404), ``METHOD_NOT_ALLOWED`` (405), ``PAYLOAD_TOO_LARGE`` (413),
``TOO_MANY_REQUESTS`` (429, with ``Retry-After`` in whole seconds), ``INTERNAL_ERROR``.

Admin endpoints (no auth, loopback clients only, 403 otherwise): ``POST|GET|DELETE
/_sandbox/faults`` (see :mod:`.faults`), ``GET /_sandbox/requests``, ``GET
/_sandbox/state``, ``POST /_sandbox/reset``, ``GET|POST /_sandbox/apps``.

App software, versions and listings (``/rest/3/app-software/...``) live in
:mod:`.versions`, registered at the end of :class:`SandboxApp`'s constructor.

New API paths (e.g. ``GET /rest/3/app-software/app-key/{appKey}``) are added with
:meth:`SandboxApp.add_route`; they get auth, the request log and (given ``fault=``)
fault injection for free.
"""

from __future__ import annotations

import hmac
import io
import ipaddress
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.formparser import parse_form_data
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream, wrap_file

from ..clock import Clock, SystemClock
from ..limits import (
    MAX_ARTIFACT_BYTES,
    UPLOAD_BUDGET_BYTES,
    UPLOAD_BUDGET_WINDOW_SECONDS,
)
from .faults import Fault, FaultQueue, FaultSpecError, RequestLog, default_fault_body, parse_faults
from .fetch import Fetcher, FetchError, FetchLimits, http_fetch, safe_url
from .inspect import Unidentifiable, read_details, sniff_image
from .store import ArtifactRecord, HashingWriter, ImageRecord, Store, TooLarge, UploadLedger, new_id
from .store import logical_name as _logical_name

if TYPE_CHECKING:
    from .versions import AppSoftwareApi

DEFAULT_USER = "sandbox@example.com"
DEFAULT_TOKEN = "sandbox-token"  # noqa: S105 - the documented, public sandbox default
#: Largest JSON request body (fetch, admin), bytes.
MAX_JSON_BYTES = 64 * 1024
#: Largest listing image, bytes (the sandbox's own bound; Marketplace's is not known).
MAX_IMAGE_BYTES = 25 * 1024 * 1024
#: Allowance for multipart framing on top of the file part's limit, bytes.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
MAX_FORM_PARTS = 16
#: Largest non-file multipart field, bytes (werkzeug also applies it to its parse
#: buffer, so it must stay well above the 64 KiB read size).
MAX_FORM_FIELD_BYTES = 1024 * 1024
#: WSGI environ key of the callable (set by the sandbox's request handler) that makes
#: the server reset the TCP connection once the request ends.
ABORT_KEY = "release_publisher.sandbox.abort"

_IMAGE_TYPE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_log = logging.getLogger("release_publisher.sandbox")


@dataclass(frozen=True)
class SandboxConfig:
    """Behaviour knobs. ``processing_delay``: seconds from upload until ``details``
    appears; ``upload_spacing``: minimum seconds between upload starts (Marketplace:
    10; sandbox default 0 so rehearsals are fast); ``budget_bytes`` per
    ``budget_window`` seconds (0 disables the budget); size limits in bytes. ``apps``:
    ``(app key, hostings)`` registered at start and after a reset (see :mod:`.versions`)."""

    user: str = DEFAULT_USER
    token: str = DEFAULT_TOKEN
    processing_delay: float = 0.0
    upload_spacing: float = 0.0
    budget_bytes: int = UPLOAD_BUDGET_BYTES
    budget_window: float = float(UPLOAD_BUDGET_WINDOW_SECONDS)
    max_artifact_bytes: int = MAX_ARTIFACT_BYTES
    max_image_bytes: int = MAX_IMAGE_BYTES
    fetch_limits: FetchLimits = field(default_factory=FetchLimits)
    apps: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __repr__(self) -> str:
        return f"SandboxConfig(user={self.user!r}, token=<hidden>, ...)"


@dataclass
class Call:
    """One request being handled: the werkzeug ``request``, the URL ``args`` of the
    matched rule and its request-log ``entry`` (None for admin paths)."""

    request: Request
    args: dict[str, str]
    entry: dict[str, Any] | None


#: A route handler: gets the call, returns the response.
Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class _Route:
    handler: Handler
    api: bool
    fault: str | None


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A JSON error in the sandbox's one shape (see the module docstring)."""
    body = {"code": code, "message": message, "errors": [{"code": code, "message": message}]}
    return json_response(body, status, headers)


def json_response(
    body: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``body`` as ``application/json``."""
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


class _CountingInput(io.RawIOBase):
    """Wraps ``wsgi.input`` and counts the bytes read through it."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inner.readinto(buffer) if hasattr(self.inner, "readinto") else None
        if n is None:
            data = self.inner.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.count += n
        return n

    def readline(self, size: int | None = -1) -> bytes:
        data = self.inner.readline(-1 if size is None else size)
        self.count += len(data)
        return data


class SandboxApp:
    """The WSGI application. ``store`` keeps the bytes; ``clock`` (monotonic seconds)
    drives processing delay, spacing, the budget and fault delays; ``fetcher``
    downloads for fetch (default :func:`~.fetch.http_fetch`).

    State for tests and rehearsals: ``store``, ``faults`` (:class:`~.faults.FaultQueue`),
    ``requests`` (:class:`~.faults.RequestLog`), ``ledger`` (upload spacing/budget).
    """

    def __init__(
        self,
        store: Store,
        *,
        config: SandboxConfig | None = None,
        clock: Clock | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        self.clock: Clock = clock or SystemClock()
        self.fetcher: Fetcher = fetcher or http_fetch
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.ledger = UploadLedger(
            self.clock,
            spacing=self.config.upload_spacing,
            budget_bytes=self.config.budget_bytes,
            window=self.config.budget_window,
        )
        self.url_map = Map(strict_slashes=False, merge_slashes=False)
        self._routes: dict[str, _Route] = {}
        self._state_sections: dict[str, Callable[[], object]] = {}
        self._reset_hooks: list[Callable[[], None]] = []
        self.add_route(
            "/rest/3/artifacts", "upload", self._upload, methods=["POST"], fault="upload"
        )
        self.add_route(
            "/rest/3/artifacts/fetch", "fetch", self._fetch, methods=["POST"], fault="fetch"
        )
        self.add_route(
            "/rest/3/artifacts/<artifact_id>", "get", self._get, methods=["GET"], fault="get"
        )
        self.add_route(
            "/rest/3/artifacts/<artifact_id>/download", "binary", self._binary, methods=["GET"]
        )
        self.add_route(
            "/rest/3/assets/images/<image_type>",
            "image",
            self._image,
            methods=["POST"],
            fault="image",
        )
        self.add_route(
            "/_sandbox/faults",
            "admin_faults",
            self._admin_faults,
            methods=["GET", "POST", "DELETE"],
            api=False,
        )
        self.add_route(
            "/_sandbox/requests", "admin_requests", self._admin_requests, methods=["GET"], api=False
        )
        self.add_route(
            "/_sandbox/state", "admin_state", self._admin_state, methods=["GET"], api=False
        )
        self.add_route(
            "/_sandbox/reset", "admin_reset", self._admin_reset, methods=["POST"], api=False
        )
        from .versions import AppSoftwareApi  # here: versions imports this module

        #: App software, versions and listings (:mod:`.versions`).
        self.app_software: AppSoftwareApi = AppSoftwareApi(self)

    def add_route(
        self,
        path: str,
        endpoint: str,
        handler: Handler,
        *,
        methods: Iterable[str],
        api: bool = True,
        fault: str | None = None,
    ) -> None:
        """Serve ``path`` (a werkzeug rule such as ``/rest/3/app-software/app-key/<app_key>``)
        with ``handler``. ``api=True``: HTTP Basic auth and the request log apply;
        ``fault``: the fault-queue endpoint name it consumes faults for. ``endpoint`` must
        be unique (ValueError otherwise)."""
        if endpoint in self._routes:
            raise ValueError(f"endpoint {endpoint!r} is already routed")
        self.url_map.add(Rule(path, endpoint=endpoint, methods=list(methods)))
        self._routes[endpoint] = _Route(handler=handler, api=api, fault=fault)

    def add_state_section(self, name: str, provider: Callable[[], object]) -> None:
        """Show ``provider()`` (JSON-serialisable) under ``name`` in ``GET /_sandbox/state``."""
        self._state_sections[name] = provider

    def add_reset_hook(self, hook: Callable[[], None]) -> None:
        """Call ``hook()`` on ``POST /_sandbox/reset``."""
        self._reset_hooks.append(hook)

    # -- WSGI --------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """The WSGI entry point. Raises ConnectionAbortedError when a ``drop`` fault
        fires (werkzeug's server then resets the connection)."""
        path = environ.get("PATH_INFO", "")
        entry: dict[str, Any] | None = None
        counting: _CountingInput | None = None
        if not path.startswith("/_sandbox/"):
            counting = _CountingInput(environ["wsgi.input"])
            environ["wsgi.input"] = counting
            entry = self._log_start(environ)
        request = Request(environ)
        try:
            response = self._dispatch(request, entry)
        finally:
            if entry is not None and counting is not None:
                entry["body_bytes"] = counting.count
        if entry is not None:
            entry["status"] = response.status_code
        return response(environ, start_response)

    def _log_start(self, environ: dict[str, Any]) -> dict[str, Any]:
        length = environ.get("CONTENT_LENGTH", "")
        return self.requests.start(
            {
                "time": self.clock.wall(),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "endpoint": None,
                "status": None,
                "content_length": int(length) if str(length).isdigit() else None,
                "body_bytes": 0,
                "file_name": None,
                "file_size": None,
                "file_sha512": None,
                "authorization": "HTTP_AUTHORIZATION" in environ,
                "user_agent": environ.get("HTTP_USER_AGENT"),
                "fault": None,
                "dropped": None,
            }
        )

    def _dispatch(self, request: Request, entry: dict[str, Any] | None) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            return error_response(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed on {request.path} (allowed: {allowed})",
                {"Allow": allowed},
            )
        except NotFound:
            return error_response(
                404,
                "NOT_FOUND",
                f"no such path {request.path!r}: the sandbox serves /rest/3/... at its base URL "
                f"{request.host_url.rstrip('/')} (no /marketplace prefix)",
            )
        except HTTPException as exc:  # e.g. a redirect for a path variant
            return error_response(exc.code or 400, "VALIDATION_FAILED", exc.description or "")
        route = self._routes[str(endpoint)]
        call = Call(request=request, args=dict(args), entry=entry)
        if entry is not None:
            entry["endpoint"] = endpoint
        try:
            if not route.api:
                return self._admin(route, call)
            return self._api(route, call)
        except ConnectionError:
            raise  # a drop fault: let the server reset the connection
        except TooLarge as exc:
            return _too_large(f"the file part is over the {exc.limit}-byte limit")
        except RequestEntityTooLarge:
            return _too_large("the request body is too large")
        except HTTPException as exc:
            return error_response(
                exc.code or 400, "VALIDATION_FAILED", exc.description or "bad request"
            )
        except Exception:  # noqa: BLE001 - a bug must still answer JSON, and be logged
            _log.exception("sandbox: unexpected error on %s %s", request.method, request.path)
            return error_response(500, "INTERNAL_ERROR", "unexpected sandbox error (see its log)")

    def _admin(self, route: _Route, call: Call) -> Response:
        remote = call.request.remote_addr
        try:  # no REMOTE_ADDR: called in-process (tests), not over a network
            loopback = remote is None or ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return error_response(
                403, "FORBIDDEN", "the /_sandbox admin endpoints answer loopback clients only"
            )
        return route.handler(call)

    def _api(self, route: _Route, call: Call) -> Response:
        if not self._authorized(call.request):
            return error_response(
                401,
                "UNAUTHORIZED",
                "HTTP Basic auth with the sandbox's user and API token is required",
                {"WWW-Authenticate": 'Basic realm="Marketplace sandbox", charset="UTF-8"'},
            )
        fault = self.faults.take(route.fault) if route.fault else None
        if fault is not None:
            if call.entry is not None:
                call.entry["fault"] = fault.to_json()
            if fault.delay > 0:
                self.clock.sleep(fault.delay)
            if fault.drop is not None:
                self._drop(call, fault)
            if fault.status is not None:
                return _fault_response(fault)
        return route.handler(call)

    def _authorized(self, request: Request) -> bool:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return False
        user_ok = hmac.compare_digest((auth.username or "").encode(), self.config.user.encode())
        token_ok = hmac.compare_digest((auth.password or "").encode(), self.config.token.encode())
        return user_ok and token_ok

    def _drop(self, call: Call, fault: Fault) -> None:
        """Read (part of) the body, then have the server reset the connection."""
        environ = call.request.environ
        stream = get_input_stream(environ)
        budget = (
            fault.drop_after_bytes
            if fault.drop == "mid-body"
            else self.config.max_artifact_bytes + MULTIPART_OVERHEAD_BYTES
        )
        while budget > 0:
            chunk = stream.read(min(budget, 64 * 1024))
            if not chunk:
                break
            budget -= len(chunk)
        if call.entry is not None:
            call.entry["dropped"] = fault.drop
        abort = environ.get(ABORT_KEY)
        if callable(abort):
            abort()
        raise ConnectionAbortedError(f"sandbox fault: connection dropped ({fault.drop})")

    # -- artifacts ---------------------------------------------------------------------

    def artifact_json(self, record: ArtifactRecord) -> dict[str, Any]:
        """``UploadedSoftwareArtifact`` (or ``RemoteFetchedSoftwareArtifact`` when
        fetched): ``details`` only once processing is over."""
        base = f"/rest/3/artifacts/{record.id}"
        data: dict[str, Any] = {
            "fileInfo": {
                "logicalFileName": record.file_name,
                "size": record.size,
                "checksum": f"sha512:{record.sha512}",
            }
        }
        if self.clock.monotonic() >= record.ready_at:
            data["details"] = dict(record.details)
        links: dict[str, Any] = {"self": {"href": base}, "binary": {"href": f"{base}/download"}}
        if record.remote is not None:
            links["remote"] = {"href": record.remote}
        data["_links"] = links
        return data

    def _upload(self, call: Call) -> Response:
        limit = self.config.max_artifact_bytes
        length = call.request.content_length
        if length is not None and length > limit + MULTIPART_OVERHEAD_BYTES:
            return _too_large(
                f"the request body is {length} bytes; an artifact may be at most {limit} bytes"
            )
        retry = self.ledger.try_start(length or 0)
        if retry is not None:
            return _too_many(retry)
        received = self._receive_file(call, limit)
        if isinstance(received, Response):
            return received
        writer, client_name = received
        try:
            return self._store_artifact(writer, _logical_name(client_name, "artifact"), None)
        finally:
            writer.discard()

    def _fetch(self, call: Call) -> Response:
        body = self._read_json(call.request)
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict):
            return _invalid('expected a JSON object {"uri": "https://..."}')
        if "uri" not in body and "url" in body:
            return _invalid('unknown field "url": the field holding the artifact URL is "uri"')
        uri = body.get("uri")
        if not isinstance(uri, str) or not uri.strip():
            return _invalid('field "uri" is required: the https URL of the artifact')
        uri = uri.strip()
        try:
            parts = urlsplit(uri)
            host = parts.hostname
        except ValueError:
            return _invalid('field "uri" is not a valid URL')
        if parts.scheme.lower() not in ("http", "https") or not host:
            return _invalid(
                f'field "uri" must be an http or https URL with a host, got scheme '
                f"{parts.scheme or '(none)'!r}"
            )
        retry = self.ledger.try_start(0)
        if retry is not None:
            return _too_many(retry)
        writer = self.store.new_upload(self.config.fetch_limits.max_bytes)
        try:
            try:
                self.fetcher(uri, writer, self.config.fetch_limits)
            except FetchError as exc:
                return error_response(400, "ARTIFACT_REMOTE_FETCH_FAILURE", str(exc))
            finally:
                writer.close()
            if writer.size == 0:
                return error_response(
                    400, "ARTIFACT_REMOTE_FETCH_FAILURE", f"{safe_url(uri)} returned an empty body"
                )
            name = _logical_name(unquote(parts.path), "artifact")
            return self._store_artifact(writer, name, safe_url(uri))
        finally:
            writer.discard()

    def _store_artifact(self, writer: HashingWriter, name: str, remote: str | None) -> Response:
        writer.close()
        if writer.size == 0:
            return _invalid("the file part is empty (0 bytes)")
        try:
            details = read_details(writer.path)
        except Unidentifiable as exc:
            return _invalid(f"cannot read an app from {name!r}: {exc}")
        record = ArtifactRecord(
            id=new_id(),
            file_name=name,
            size=writer.size,
            sha512=writer.sha512,
            details=details,
            ready_at=self.clock.monotonic() + self.config.processing_delay,
            created=self.clock.wall(),
            remote=remote,
        )
        self.store.add_artifact(record, writer.path)
        self.ledger.record(record.size)
        return json_response(self.artifact_json(record))

    def _get(self, call: Call) -> Response:
        record = self.store.get_artifact(call.args["artifact_id"])
        if record is None:
            return _unknown_artifact(call.args["artifact_id"])
        return json_response(self.artifact_json(record))

    def _binary(self, call: Call) -> Response:
        record = self.store.get_artifact(call.args["artifact_id"])
        if record is None:
            return _unknown_artifact(call.args["artifact_id"])
        fh = open(self.store.artifact_path(record.id), "rb")  # noqa: SIM115 - closed by wrap_file
        response = Response(
            wrap_file(call.request.environ, fh),
            mimetype="application/octet-stream",
            direct_passthrough=True,
        )
        response.content_length = record.size
        response.headers.set("Content-Disposition", "attachment", filename=record.file_name)
        return response

    # -- images ------------------------------------------------------------------------

    def _image(self, call: Call) -> Response:
        image_type = call.args["image_type"]
        if len(image_type) > 64 or not _IMAGE_TYPE.match(image_type):
            return _invalid(
                f"image type {image_type!r} is not a lowercase slug such as icon or banner"
            )
        limit = self.config.max_image_bytes
        length = call.request.content_length
        if length is not None and length > limit + MULTIPART_OVERHEAD_BYTES:
            return _too_large(
                f"the request body is {length} bytes; an image may be at most {limit}"
            )
        received = self._receive_file(call, limit)
        if isinstance(received, Response):
            return received
        writer, client_name = received
        try:
            writer.seek(0)
            head = writer.read(16)
            writer.close()
            mime = sniff_image(head)
            name = _logical_name(client_name, "image")
            if mime is None:
                return _invalid(
                    f"{name!r} is not a PNG, JPEG, GIF or BMP image (checked by its first bytes)"
                )
            record = ImageRecord(
                id=new_id(),
                image_type=image_type,
                file_name=name,
                mime_type=mime,
                size=writer.size,
                sha512=writer.sha512,
                created=self.clock.wall(),
            )
            self.store.add_image(record, writer.path)
            return json_response(
                {
                    "id": record.id,
                    "mediaType": "image",
                    "mimeType": mime,
                    "name": name,
                    "size": record.size,
                }
            )
        finally:
            writer.discard()

    # -- request bodies ----------------------------------------------------------------

    def _receive_file(self, call: Call, limit: int) -> tuple[HashingWriter, str | None] | Response:
        """Stream the multipart body to disk; the ``file`` part (at most ``limit``
        bytes, hashed on the way) and its client-side file name."""
        writers: list[HashingWriter] = []

        def factory(
            total_content_length: int | None,
            content_type: str | None,
            filename: str | None,
            content_length: int | None = None,
        ) -> IO[bytes]:
            writer = self.store.new_upload(limit)
            writers.append(writer)
            return cast(IO[bytes], writer)

        chosen: HashingWriter | None = None
        client_name: str | None = None
        try:
            _, _, files = parse_form_data(
                call.request.environ,
                stream_factory=factory,
                max_form_memory_size=MAX_FORM_FIELD_BYTES,
                max_content_length=limit + MULTIPART_OVERHEAD_BYTES,
                silent=False,
                max_form_parts=MAX_FORM_PARTS,
            )
            storage = files.get("file")
            if storage is not None:
                chosen = cast(HashingWriter, storage.stream)
                client_name = storage.filename
        except ValueError as exc:
            return _invalid(f"malformed multipart/form-data body: {exc}")
        finally:
            for writer in writers:
                if writer is not chosen:
                    writer.discard()
        if chosen is None:
            return _invalid(
                "expected a multipart/form-data body with a part named 'file' "
                f"(Content-Type was {call.request.mimetype or 'not set'})"
            )
        if call.entry is not None:
            call.entry.update(
                file_name=client_name, file_size=chosen.size, file_sha512=chosen.sha512
            )
        return chosen, client_name

    def _read_json(self, request: Request) -> Any:
        """The decoded JSON body (at most :data:`MAX_JSON_BYTES`), or an error Response."""
        length = request.content_length
        if length is not None and length > MAX_JSON_BYTES:
            return _too_large(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
        stream = get_input_stream(request.environ, max_content_length=MAX_JSON_BYTES)
        data = stream.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            return _too_large(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return _invalid(f"the request body is not valid JSON ({exc})")

    # -- admin -------------------------------------------------------------------------

    def _admin_faults(self, call: Call) -> Response:
        if call.request.method == "GET":
            return json_response({"faults": self.faults.pending()})
        if call.request.method == "DELETE":
            self.faults.clear()
            return json_response({"faults": []})
        body = self._read_json(call.request)
        if isinstance(body, Response):
            return body
        try:
            faults = parse_faults(body)
        except FaultSpecError as exc:
            return _invalid(str(exc))
        self.faults.add(faults)
        return json_response({"queued": [f.to_json() for f in faults]}, 201)

    def _admin_requests(self, call: Call) -> Response:
        return json_response({"requests": self.requests.entries()})

    def _admin_state(self, call: Call) -> Response:
        now = self.clock.monotonic()
        artifacts = [
            {
                "id": r.id,
                "logicalFileName": r.file_name,
                "size": r.size,
                "checksum": f"sha512:{r.sha512}",
                "details": r.details,
                "processed": now >= r.ready_at,
                "remote": r.remote,
            }
            for r in self.store.artifacts()
        ]
        images = [
            {
                "id": r.id,
                "imageType": r.image_type,
                "name": r.file_name,
                "mimeType": r.mime_type,
                "size": r.size,
                "checksum": f"sha512:{r.sha512}",
            }
            for r in self.store.images()
        ]
        state: dict[str, object] = {
            "artifacts": artifacts,
            "images": images,
            "faults": self.faults.pending(),
            "budget_used_bytes": self.ledger.used_bytes(),
            "data_dir": str(self.store.data_dir),
        }
        state.update({name: provider() for name, provider in self._state_sections.items()})
        return json_response(state)

    def _admin_reset(self, call: Call) -> Response:
        self.store.reset()
        self.faults.clear()
        self.requests.clear()
        self.ledger.reset()
        for hook in self._reset_hooks:
            hook()
        return json_response({"reset": True})


def _invalid(message: str) -> Response:
    return error_response(400, "VALIDATION_FAILED", message)


def _too_large(message: str) -> Response:
    return error_response(413, "PAYLOAD_TOO_LARGE", message)


def _too_many(retry_after: int) -> Response:
    return error_response(
        429,
        "TOO_MANY_REQUESTS",
        f"upload rate limit: try again in {retry_after} seconds",
        {"Retry-After": str(retry_after)},
    )


def _unknown_artifact(artifact_id: str) -> Response:
    return error_response(404, "NOT_FOUND", f"no artifact with ID {artifact_id!r}")


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    headers = dict(fault.headers)
    if not fault.has_body:
        return json_response(default_fault_body(status), status, headers)
    if isinstance(fault.body, str):
        return Response(fault.body, status=status, headers=headers)  # text/plain unless set
    response = json_response(fault.body, status)
    for key, value in headers.items():
        response.headers[key] = value
    return response
