"""The artifact endpoints: upload, fetch (Marketplace downloads a URL), read, download.

=====================================================  =====================================
``POST /rest/3/artifacts``                             upload (multipart, part ``file``)
``POST /rest/3/artifacts/fetch``                       fetch ``{"uri": "https://..."}``
``GET  /rest/3/artifacts/{artifactId}``                read an artifact
``GET  /rest/3/artifacts/{artifactId}/download``       the artifact's bytes (``_links.binary``)
=====================================================  =====================================

Fault-queue endpoint names: ``upload``, ``fetch``, ``get``. Errors:
``VALIDATION_FAILED`` (400: bad input, unidentifiable artifact),
``ARTIFACT_REMOTE_FETCH_FAILURE`` (400), ``NOT_FOUND`` (404), ``PAYLOAD_TOO_LARGE`` (413),
``TOO_MANY_REQUESTS`` (429, from :mod:`.ledger`).

Knows the state (store, ledger, fetcher, clock, config), :mod:`.inspect` and
:mod:`.multipart`; nothing of versions or images.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from .fetch import FetchError, safe_url
from .http import Call, error_response, invalid, json_response, read_json, too_large
from .inspect import Unidentifiable, read_details
from .ledger import too_many_response
from .multipart import MULTIPART_OVERHEAD_BYTES, receive_file
from .routing import Router
from .state import SandboxState
from .store import ArtifactRecord, HashingWriter, logical_name, new_id


def register(router: Router, state: SandboxState) -> None:
    """Route the artifact endpoints (see the module docstring) over ``state``."""
    routes = ArtifactRoutes(state)
    router.add("/rest/3/artifacts", "upload", routes.upload, methods=["POST"], fault="upload")
    router.add("/rest/3/artifacts/fetch", "fetch", routes.fetch, methods=["POST"], fault="fetch")
    router.add("/rest/3/artifacts/<artifact_id>", "get", routes.get, methods=["GET"], fault="get")
    router.add("/rest/3/artifacts/<artifact_id>/download", "binary", routes.binary, methods=["GET"])


class ArtifactRoutes:
    """The artifact handlers over ``state``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

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
        if self.state.clock.monotonic() >= record.ready_at:
            data["details"] = dict(record.details)
        links: dict[str, Any] = {"self": {"href": base}, "binary": {"href": f"{base}/download"}}
        if record.remote is not None:
            links["remote"] = {"href": record.remote}
        data["_links"] = links
        return data

    def upload(self, call: Call) -> Response:
        """``POST /rest/3/artifacts``: store the multipart ``file`` part as an artifact
        (413 over the size limit, 429 from the ledger, 400 when no app can be read from
        it)."""
        limit = self.state.config.max_artifact_bytes
        length = call.request.content_length
        if length is not None and length > limit + MULTIPART_OVERHEAD_BYTES:
            return too_large(
                f"the request body is {length} bytes; an artifact may be at most {limit} bytes"
            )
        retry = self.state.ledger.try_start(length or 0)
        if retry is not None:
            return too_many_response(retry)
        received = receive_file(call, self.state.store.new_upload, limit)
        if isinstance(received, Response):
            return received
        writer, client_name = received
        try:
            return self._store_artifact(writer, logical_name(client_name, "artifact"), None)
        finally:
            writer.discard()

    def fetch(self, call: Call) -> Response:
        """``POST /rest/3/artifacts/fetch`` ``{"uri": "https://..."}``: download the URI
        and store it as an artifact (400 ``ARTIFACT_REMOTE_FETCH_FAILURE`` when the
        download fails)."""
        body = read_json(call.request)
        if isinstance(body, Response):
            return body
        if not isinstance(body, dict):
            return invalid('expected a JSON object {"uri": "https://..."}')
        if "uri" not in body and "url" in body:
            return invalid('unknown field "url": the field holding the artifact URL is "uri"')
        uri = body.get("uri")
        if not isinstance(uri, str) or not uri.strip():
            return invalid('field "uri" is required: the https URL of the artifact')
        uri = uri.strip()
        try:
            parts = urlsplit(uri)
            host = parts.hostname
        except ValueError:
            return invalid('field "uri" is not a valid URL')
        if parts.scheme.lower() not in ("http", "https") or not host:
            return invalid(
                f'field "uri" must be an http or https URL with a host, got scheme '
                f"{parts.scheme or '(none)'!r}"
            )
        retry = self.state.ledger.try_start(0, spaced=self.state.config.space_fetches)
        if retry is not None:
            return too_many_response(retry)
        writer = self.state.store.new_upload(self.state.config.fetch_limits.max_bytes)
        try:
            try:
                self.state.fetcher(uri, writer, self.state.config.fetch_limits)
            except FetchError as exc:
                return error_response(400, "ARTIFACT_REMOTE_FETCH_FAILURE", str(exc))
            finally:
                writer.close()
            if writer.size == 0:
                return error_response(
                    400, "ARTIFACT_REMOTE_FETCH_FAILURE", f"{safe_url(uri)} returned an empty body"
                )
            name = logical_name(unquote(parts.path), "artifact")
            return self._store_artifact(writer, name, safe_url(uri))
        finally:
            writer.discard()

    def _store_artifact(self, writer: HashingWriter, name: str, remote: str | None) -> Response:
        writer.close()
        if writer.size == 0:
            return invalid("the file part is empty (0 bytes)")
        try:
            details = read_details(writer.path)
        except Unidentifiable as exc:
            return invalid(f"cannot read an app from {name!r}: {exc}")
        record = ArtifactRecord(
            id=new_id(),
            file_name=name,
            size=writer.size,
            sha512=writer.sha512,
            details=details,
            ready_at=self.state.clock.monotonic() + self.state.config.processing_delay,
            created=self.state.clock.wall(),
            remote=remote,
        )
        self.state.store.add_artifact(record, writer.path)
        self.state.ledger.record(record.size)
        return json_response(self.artifact_json(record))

    def get(self, call: Call) -> Response:
        """``GET /rest/3/artifacts/{artifactId}``: the artifact's JSON (404 when
        unknown)."""
        record = self.state.store.get_artifact(call.args["artifact_id"])
        if record is None:
            return _unknown_artifact(call.args["artifact_id"])
        return json_response(self.artifact_json(record))

    def binary(self, call: Call) -> Response:
        """``GET /rest/3/artifacts/{artifactId}/download``: the artifact's bytes (404
        when unknown)."""
        record = self.state.store.get_artifact(call.args["artifact_id"])
        if record is None:
            return _unknown_artifact(call.args["artifact_id"])
        fh = open(self.state.store.artifact_path(record.id), "rb")  # noqa: SIM115 - closed by wrap_file
        response = Response(
            wrap_file(call.request.environ, fh),
            mimetype="application/octet-stream",
            direct_passthrough=True,
        )
        response.content_length = record.size
        response.headers.set("Content-Disposition", "attachment", filename=record.file_name)
        return response


def _unknown_artifact(artifact_id: str) -> Response:
    return error_response(404, "NOT_FOUND", f"no artifact with ID {artifact_id!r}")
