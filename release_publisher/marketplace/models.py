"""Response models of the Marketplace REST API v3 and the parsing of its answers
(``UploadedSoftwareArtifact``, ``RemoteFetchedSoftwareArtifact``, ``MediaV3Response``,
pages of app versions). Unknown fields are ignored; a missing required field, or an
artifact or image ID holding a line break or control character (it is printed, put
in step outputs and sent back in URLs), raises :class:`ResponseShapeError`, which the
client turns into an :class:`~release_publisher.errors.ApiError` showing what came
back, escaped.

Plain values in, plain values out: no HTTP, no ``requests``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from ..errors import ApiError, UsageError, VerificationError
from .errors import not_json_error, truncate, unexpected_shape_error

T = TypeVar("T")

__all__ = [
    "Artifact",
    "Media",
    "ResponseShapeError",
    "artifact_id_from_href",
    "check_artifact_answer",
    "check_build_number",
    "check_details_types",
    "expect_object",
    "expect_objects",
    "parse_answer",
    "parse_artifact",
    "parse_media",
    "versions_page",
]


class ResponseShapeError(ValueError):
    """A JSON answer lacks a field the API promises (``str(error)`` says which)."""


@dataclass(frozen=True)
class Artifact:
    """An artifact as Marketplace reports it.

    ``id`` is the last path segment of ``_links.self.href``; ``checksum`` the hex part
    of ``fileInfo.checksum`` (``"sha512:<hex>"``) lower-cased, or None; ``size`` bytes;
    ``details`` the raw ``details`` object or None when absent; ``binary_url`` and
    ``remote_url`` from ``_links``; ``raw`` the whole JSON body.
    """

    id: str
    self_url: str
    file_name: str | None = None
    size: int | None = None
    checksum: str | None = None
    details: dict[str, Any] | None = None
    binary_url: str | None = None
    remote_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str | None:
        """``details.key`` (None when not yet there)."""
        value = (self.details or {}).get("key")
        return value if isinstance(value, str) and value else None

    @property
    def version(self) -> str | None:
        """``details.version`` (None when absent or empty)."""
        value = (self.details or {}).get("version")
        return value if isinstance(value, str) and value else None

    def reported_sha512(self) -> str | None:
        """The SHA-512 hex Marketplace reports in ``fileInfo.checksum``; None when it
        reports none (absent or empty). Raises
        :class:`~release_publisher.errors.VerificationError` when it reports a checksum
        that is not a SHA-512 (``md5:...``, a short or malformed value): such an
        artifact cannot be verified, and must not pass as merely unverified."""
        if self.checksum:
            return self.checksum
        info = self.raw.get("fileInfo")
        value = info.get("checksum") if isinstance(info, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        raise VerificationError(
            f"Marketplace reports the checksum {str(value)[:4096]!r} for artifact {self.id}, "
            "which is not a SHA-512 (sha512:<128 hex digits>): the upload cannot be verified",
            hint="check the artifact in Marketplace; if this persists, Marketplace's "
            "checksum format has changed: report it",
        )


@dataclass(frozen=True)
class Media:
    """A ``MediaV3Response``: ``id`` (opaque string), ``mime_type``, ``name``, ``size``
    in bytes."""

    id: str
    mime_type: str | None = None
    name: str | None = None
    size: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def artifact_id_from_href(href: str) -> str | None:
    """The artifact ID in ``_links.self.href``: its last non-empty path segment,
    percent-decoded. ``href`` may be relative (``/rest/3/artifacts/abc``) or absolute;
    query, fragment and a trailing slash are ignored. None when there is no segment.
    Raises :class:`ResponseShapeError` for an href holding a line break or control
    character (``urlsplit`` would silently drop it and make another ID)."""
    _check_id(href.strip(), "an artifact link")
    path = urlsplit(href.strip()).path.rstrip("/")
    segment = unquote(path.rsplit("/", 1)[-1]) if path else ""
    return segment or None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def check_artifact_answer(asked_id: str, artifact: Artifact) -> Artifact:
    """``artifact`` when it is the artifact ``GET /rest/3/artifacts/{asked_id}`` asked
    for. Raises :class:`~release_publisher.errors.VerificationError` (exit 5) naming
    both IDs and the self link when Marketplace answered with another artifact: its
    key, version and checksum must not be recorded or verified as ``asked_id``'s."""
    if artifact.id == asked_id:
        return artifact
    raise VerificationError(
        f"GET /rest/3/artifacts/{asked_id} was answered with another artifact:"
        f" {artifact.id!r} (_links.self.href {artifact.self_url[:200]!r}); nothing of it"
        f" is recorded as artifact {asked_id}",
        hint="check the base-url and any proxy or cache in front of Marketplace (an"
        " answer for another request); re-run to upload again",
    )


#: How the type of a JSON value is named in messages.
_JSON_KINDS = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "a list"))


def _json_kind(value: Any) -> str:
    return next((name for cls, name in _JSON_KINDS if isinstance(value, cls)), "an object")


def check_details_types(artifact: Artifact, fields: tuple[str, ...]) -> None:
    """Refuse ``details.<field>`` (each of ``fields``: ``key``, ``version``) that
    Marketplace reported present but not as a string (``1.4``, ``true``, a list):
    it will never become the string the release has, so polling on would only
    reach the timeout. ``null`` counts as not yet reported. Raises
    :class:`~release_publisher.errors.VerificationError` (exit 5): ``Marketplace
    reported version 1.4 as a number``."""
    details = artifact.details or {}
    for name in fields:
        value = details.get(name)
        if value is None or isinstance(value, str):
            continue
        what = "app key" if name == "key" else name
        shown = truncate(json.dumps(value, default=str), 100)
        raise VerificationError(
            f"Marketplace reported {what} {shown} as {_json_kind(value)} for artifact"
            f" {artifact.id} (details.{name}); the {what} is a string",
            hint="check the artifact in Marketplace; if this persists, the shape of"
            " Marketplace's answer has changed: report it with this message",
        )


#: The longest ID (artifact, image) accepted from a server: Marketplace's are 20-40
#: characters; a megabyte "ID" would break step outputs (GitHub caps them at 1 MB).
MAX_ID_CHARS = 256


def _check_id(value: str, what: str) -> str:
    """``value`` when it is fit to be printed, put in a step output and sent back in
    a URL: no line break, tab or other control character (``"img1\n::warning::x"``
    would inject a workflow command); raises :class:`ResponseShapeError` otherwise
    (shown escaped)."""
    if not value.isprintable():
        raise ResponseShapeError(
            f"{what} {value[:200]!r}, which holds a line break or control character"
        )
    if len(value) > MAX_ID_CHARS:
        raise ResponseShapeError(
            f"{what} of {len(value):,} characters ({value[:40]!r}...), longer than any "
            f"ID ({MAX_ID_CHARS} at most): it would not fit a step output"
        )
    return value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _href(links: Any, name: str) -> str | None:
    link = links.get(name) if isinstance(links, dict) else None
    return _str(link.get("href")) if isinstance(link, dict) else None


def _checksum(value: Any) -> str | None:
    """Lower-case hex of ``"sha512:<hex>"`` (or of bare 128-digit hex); None for other
    algorithms or malformed values, which verification then reports as absent."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    algorithm, sep, digest = text.partition(":")
    if not sep:
        algorithm, digest = "sha512", text
    digest = digest.strip().lower()
    if algorithm.strip().lower().replace("-", "") != "sha512" or len(digest) != 128:
        return None
    return digest if all(c in "0123456789abcdef" for c in digest) else None


def parse_artifact(data: Any) -> Artifact:
    """An :class:`Artifact` from an ``UploadedSoftwareArtifact`` or
    ``RemoteFetchedSoftwareArtifact`` JSON object. Unknown fields are ignored; raises
    :class:`ResponseShapeError` when ``data`` is not an object or has no usable
    ``_links.self.href``."""
    if not isinstance(data, dict):
        raise ResponseShapeError(f"a JSON {type(data).__name__} instead of an object")
    links = data.get("_links")
    self_url = _href(links, "self")
    if self_url is None:
        raise ResponseShapeError("no _links.self.href")
    artifact_id = artifact_id_from_href(self_url)
    if artifact_id is None:
        raise ResponseShapeError(f"no artifact ID in _links.self.href {self_url!r}")
    _check_id(artifact_id, "an artifact ID")
    info = data.get("fileInfo")
    info = info if isinstance(info, dict) else {}
    details = data.get("details")
    return Artifact(
        id=artifact_id,
        self_url=self_url,
        file_name=_str(info.get("logicalFileName")),
        size=_int(info.get("size")),
        checksum=_checksum(info.get("checksum")),
        details=details if isinstance(details, dict) else None,
        binary_url=_href(links, "binary"),
        remote_url=_href(links, "remote"),
        raw=data,
    )


def parse_media(data: Any) -> Media:
    """A :class:`Media` from a ``MediaV3Response`` JSON object. Unknown fields are
    ignored; raises :class:`ResponseShapeError` without a string or integer ``id``."""
    if not isinstance(data, dict):
        raise ResponseShapeError(f"a JSON {type(data).__name__} instead of an object")
    raw_id = data.get("id")
    media_id = _str(raw_id) or (str(raw_id) if _int(raw_id) is not None else None)
    if media_id is None:
        raise ResponseShapeError("no id")
    return Media(
        id=_check_id(media_id, "an image ID"),
        mime_type=_str(data.get("mimeType")),
        name=_str(data.get("name")),
        size=_int(data.get("size")),
        raw=data,
    )


def versions_page(value: Any) -> tuple[Any, str | None]:
    """The items and the next-page href of one page of ``GET
    /rest/3/app-software/{appSoftwareId}/versions``: items from ``versions``,
    ``items`` or ``values`` (or the bare list), None when none were found; the href
    from ``links.next`` (a string or ``{"href"}``) or ``_links.next.href``, None on the
    last page. The items are not checked here."""
    if isinstance(value, list):
        return value, None
    if not isinstance(value, dict):
        return None, None
    items = next((value[k] for k in ("versions", "items", "values") if k in value), None)
    links = value.get("links")
    found = links.get("next") if isinstance(links, dict) else None
    if isinstance(found, dict):
        found = found.get("href")
    if not isinstance(found, str) or not found.strip():
        found = _href(value.get("_links"), "next")
    return items, found if isinstance(found, str) and found.strip() else None


def check_build_number(value: Any) -> int:
    """``value`` when it is a positive integer build number (``buildNumber``, e.g.
    ``1004002``); raises :class:`~release_publisher.errors.UsageError` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(
            f"build number {value!r} is not a positive integer",
            hint="pass the version's buildNumber",
        )
    return value


def expect_object(
    value: Any, endpoint: str, expected: str, redact: Callable[[str], str]
) -> dict[str, Any]:
    """``value`` when it is a JSON object; else an :class:`ApiError` naming
    ``endpoint``, what was ``expected`` (``a version object``) and the JSON received
    (``redact``-ed, truncated to 500 characters)."""
    if not isinstance(value, dict):
        raise _shape_error(value, endpoint, expected, redact)
    return value


def expect_objects(
    value: Any, endpoint: str, expected: str, redact: Callable[[str], str]
) -> list[dict[str, Any]]:
    """``value`` when it is a JSON list of objects; else an :class:`ApiError` as
    :func:`expect_object`."""
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise _shape_error(value, endpoint, expected, redact)
    return value


def _shape_error(
    value: Any, endpoint: str, expected: str, redact: Callable[[str], str]
) -> ApiError:
    excerpt = truncate(redact(json.dumps(value, default=str)), 500)
    return ApiError(
        f"{endpoint} answered JSON that is not {expected}: {excerpt}",
        hint="the Marketplace API answered in an unexpected shape; check the base-url, "
        "and report this with the response shown",
        endpoint=endpoint,
        server_message=excerpt,
    )


def parse_answer(
    loaded: tuple[bool, Any],
    parse: Callable[[Any], T],
    *,
    status: int,
    endpoint: str,
    content_type: str | None,
    body: bytes,
    redact: Callable[[str], str],
) -> T:
    """``parse`` of the JSON of a 2xx answer ``status`` to ``endpoint`` (``loaded``:
    :func:`~.errors.load_json` of its ``body``). Raises :class:`ApiError` when the body
    is not JSON (:func:`~.errors.not_json_error`) or ``parse`` raises
    :class:`ResponseShapeError` (:func:`~.errors.unexpected_shape_error`, the JSON
    shown ``redact``-ed)."""
    is_json, value = loaded
    if not is_json:
        raise not_json_error(
            status=status, endpoint=endpoint, content_type=content_type, body=body, redact=redact
        )
    try:
        return parse(value)
    except ResponseShapeError as exc:
        raise unexpected_shape_error(
            status=status,
            endpoint=endpoint,
            content_type=content_type,
            body=body,
            redact=redact,
            problem=redact(str(exc)),
        ) from None
