"""Turning Marketplace responses and transport failures into typed, actionable errors.

Every function here takes plain values (status, headers, body bytes), never a
``requests`` object, so it is cheap to import and easy to test. Every text that can
come from the server or the network passes through the caller's ``redact`` function
(the credentials' secret forms, see :class:`~release_publisher.secrets.Redactor`; the
client's also escapes line breaks and control characters with
:func:`release_publisher.safe_text.one_line`) before it is put into a message, and
is cut to its excerpt only AFTER redaction (a secret cut in two would escape it).

Server message extraction (:func:`server_message`), in order:

* JSON object: ``code`` with ``message`` (or ``detail``, ``error_description``,
  ``title``, a string ``error`` or ``error.message``), then field errors from
  ``errors`` (a list of ``{field|path|key, message}`` or strings, or a ``{field:
  message}`` object) as ``field: message; ...``;
* JSON list of field errors: ``field: message; ...``;
* anything else: the first 200 characters of the body with HTML tags (and script/style
  contents) removed, entities decoded, whitespace collapsed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from ..errors import ApiError
from ..limits import IMAGE_LIMIT, MAX_ARTIFACT_BYTES, human_size

#: Characters of a non-JSON body shown in a message.
TEXT_EXCERPT = 200
#: Characters of a JSON-derived server message shown in a message.
JSON_EXCERPT = 500
#: Characters kept beyond an excerpt for redaction, so a secret is cut only after it
#: was redacted (longer than any API token).
_REDACT_MARGIN = 8192

Redact = Callable[[str], str]

_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

_MESSAGE_KEYS = ("message", "detail", "error_description", "errorMessage", "title")
_FIELD_KEYS = ("field", "path", "key", "name", "parameter", "pointer")
_ITEM_MESSAGE_KEYS = ("message", "msg", "detail", "description", "reason", "code")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with ``...`` when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 3)].rstrip() + "..."


def html_to_text(text: str) -> str:
    """Visible text of an HTML (or plain-text) body: script/style contents, comments
    and tags removed, entities decoded, whitespace collapsed to single spaces."""
    text = _SCRIPT.sub(" ", text)
    text = _COMMENT.sub(" ", text)
    text = _TAG.sub(" ", text)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def decode_body(body: bytes) -> str:
    """``body`` as text (UTF-8, undecodable bytes replaced)."""
    return body.decode("utf-8", errors="replace")


def load_json(body: bytes) -> tuple[bool, Any]:
    """``(True, value)`` when ``body`` is a JSON document, else ``(False, None)``.
    Never raises."""
    if not body.strip():
        return False, None
    try:
        return True, json.loads(body)
    except (ValueError, RecursionError):
        return False, None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return _SPACE.sub(" ", value).strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _field_error(item: Any) -> str | None:
    if isinstance(item, str):
        return _text(item)
    if not isinstance(item, dict):
        return None
    field = next((t for k in _FIELD_KEYS if (t := _text(item.get(k))) is not None), None)
    message = next((t for k in _ITEM_MESSAGE_KEYS if (t := _text(item.get(k))) is not None), None)
    if field and message:
        return f"{field}: {message}"
    return message or field


def field_errors(value: Any) -> list[str]:
    """``field: message`` strings from a list of error objects/strings or a
    ``{field: message}`` object; ``[]`` for anything else."""
    if isinstance(value, list):
        return [text for item in value if (text := _field_error(item))]
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            text = _text(item)
            if text is None and isinstance(item, list):
                text = ", ".join(t for t in (_text(i) for i in item) if t) or None
            if text is None:
                text = _field_error(item)
            if text:
                found.append(f"{key}: {text}")
        return found
    return []


def json_message(value: Any) -> str | None:
    """The human message in a parsed JSON error body (see the module doc), or None."""
    if isinstance(value, list):
        return "; ".join(field_errors(value)) or None
    if not isinstance(value, dict):
        return _text(value)
    message = next((t for k in _MESSAGE_KEYS if (t := _text(value.get(k))) is not None), None)
    error = value.get("error")
    if message is None:
        message = _text(error)
        if message is None and isinstance(error, dict):
            message = json_message(error)
    code = _text(value.get("code")) or _text(value.get("errorCode"))
    if code is None and isinstance(error, str) and _text(error) != message:
        code = _text(error)
    head = f"{code}: {message}" if code and message else (message or code)
    # the same text as the head (or as a field error before it) is said once
    details = [
        d
        for d in field_errors(value.get("errors"))
        if d not in (message, head, f"{code}: {message}")
    ]
    parts = ([head] if head else []) + list(dict.fromkeys(details))
    return "; ".join(parts) or None


def server_message(
    body: bytes,
    content_type: str | None,
    redact: Redact,
    *,
    loaded: tuple[bool, Any] | None = None,
) -> str | None:
    """What the server said in ``body``, redacted and truncated (JSON: 500 characters,
    other: the first 200 characters of the visible text). None for an empty body.
    ``loaded`` is :func:`load_json` of ``body`` when the caller has it already."""
    is_json, value = loaded if loaded is not None else load_json(body)
    if is_json:
        message = json_message(value)
        if message:
            return truncate(redact(message[: JSON_EXCERPT + _REDACT_MARGIN]), JSON_EXCERPT)
        text = _SPACE.sub(" ", decode_body(body)).strip()[: JSON_EXCERPT + _REDACT_MARGIN]
        return truncate(redact(text), JSON_EXCERPT) or None
    text = html_to_text(decode_body(body))[: TEXT_EXCERPT + _REDACT_MARGIN]
    return truncate(redact(text), TEXT_EXCERPT) or None


def body_excerpt(body: bytes, redact: Redact, limit: int = TEXT_EXCERPT) -> str:
    """The first ``limit`` characters of ``body`` as visible text (HTML stripped),
    redacted; ``<empty body>`` when there is nothing."""
    text = html_to_text(decode_body(body))[: limit + _REDACT_MARGIN]
    return truncate(redact(text), limit) or "<empty body>"


def _is_artifact_upload(endpoint: str) -> bool:
    return endpoint.startswith("POST /rest/3/artifacts") and "fetch" not in endpoint


def hint_for_status(
    status: int,
    *,
    endpoint: str,
    user: str | None = None,
    file_size: int | None = None,
    server_text: str | None = None,
) -> str | None:
    """What to do about HTTP ``status`` answered to ``endpoint`` (``METHOD /path``).

    ``user`` is the account email (shown in 401/403 hints, it is not secret);
    ``file_size`` the size in bytes of the uploaded file (413 hint).
    """
    is_post = endpoint.startswith("POST ")
    who = f" ({user})" if user else ""
    if status == 400:
        if "ARTIFACT_REMOTE_FETCH_FAILURE" in (server_text or ""):
            return (
                "Marketplace could not download the artifact uri: it must be a public "
                "https URL that answers without authentication"
            )
        if endpoint.startswith("POST /rest/3/assets/images/"):
            return (
                "Marketplace refused the listing image: export it in the size and format "
                "the message names (images[].on-size-mismatch: warn only skips the local "
                "check); what was uploaded before is in the result, --resume reuses it"
            )
        return "Marketplace rejected the request; fix the fields named in the message"
    if status == 401:
        return (
            f"the user email{who} or the API token is wrong, expired or revoked; the token "
            "must be an Atlassian account API token (id.atlassian.com > Security > API "
            "tokens) belonging to that email, not a password"
        )
    if status == 403:
        return (
            f"the account{who} is authenticated but not allowed to do this: it must be a "
            "vendor contact of the app's Marketplace vendor with permission to manage "
            "this app"
        )
    if status == 404:
        if endpoint.startswith("GET /rest/3/artifacts/"):
            return (
                "unknown artifact ID, or a wrong base-url; the default base-url is "
                "https://api.atlassian.com/marketplace"
            )
        return (
            "check the base-url (default https://api.atlassian.com/marketplace; the "
            "client appends /rest/3/...)"
        )
    if status == 413 and endpoint.startswith("POST /rest/3/assets/images/"):
        limit = f"a {IMAGE_LIMIT.what} may be at most {human_size(IMAGE_LIMIT.max_bytes)}"
        if file_size is not None:
            return f"the image is too large ({human_size(file_size)}); {limit}: {IMAGE_LIMIT.hint}"
        return f"the request is too large; {limit}: {IMAGE_LIMIT.hint}"
    if status == 413:
        # Atlassian states the limit as "250 MB"; limits.py takes it as 250 MiB
        limit = f"Marketplace accepts artifacts up to 250 MB ({MAX_ARTIFACT_BYTES:,} bytes)"
        if file_size is not None:
            return f"the file is too large ({human_size(file_size)}); {limit}"
        return f"the request is too large; {limit}"
    if status == 415:
        return (
            "Marketplace does not accept this file type: artifacts must be .jar, .obr, "
            ".jwb or a Connect descriptor .json; listing images .png, .jpg, .gif or .bmp"
        )
    if status == 429:
        return (
            "rate limited by Marketplace (about 750 MB of uploads per 2 hours, at least "
            "10 s between uploads); wait and re-run later"
        )
    if 500 <= status <= 599:
        text = "a Marketplace-side problem; retry later"
        if is_post and _is_artifact_upload(endpoint):
            text += (
                ". The artifact may have been stored anyway: check the app's artifacts "
                "in Marketplace before re-running, to avoid a duplicate upload"
            )
        elif is_post:
            text += ". The request may have taken effect anyway: check before re-running"
        return text
    return None


def error_from_response(
    *,
    status: int,
    reason: str | None,
    endpoint: str,
    content_type: str | None,
    body: bytes,
    redact: Redact,
    user: str | None = None,
    file_size: int | None = None,
    retry_after: float | None = None,
    note: str | None = None,
    loaded: tuple[bool, Any] | None = None,
) -> ApiError:
    """The :class:`ApiError` for a non-2xx answer ``status`` to ``endpoint``: the
    message names the endpoint, status, the response's Content-Type (when sent) and
    the server's message; the hint comes from
    :func:`hint_for_status`. ``note`` is appended to the message (e.g. attempts);
    ``loaded`` is :func:`load_json` of ``body`` when the caller has it already."""
    said = server_message(body, content_type, redact, loaded=loaded)
    status_text = f"HTTP {status}" + (f" {reason}" if reason else "")
    if content_type and content_type.strip():
        shown_type = truncate(redact(_SPACE.sub(" ", content_type).strip()), 100)
        status_text += f" (Content-Type: {shown_type})"
    message = f"{endpoint} failed: {status_text}"
    if said:
        message += f": {said}"
    if note:
        message += f" ({note})"
    hint = hint_for_status(
        status, endpoint=endpoint, user=user, file_size=file_size, server_text=said
    )
    return ApiError(
        message,
        hint=hint,
        status=status,
        endpoint=endpoint,
        content_type=content_type,
        server_message=said,
        retry_after=retry_after,
    )


def not_json_error(
    *, status: int, endpoint: str, content_type: str | None, body: bytes, redact: Redact
) -> ApiError:
    """The :class:`ApiError` for a 2xx answer whose body is not JSON (e.g. an SSO
    login page from a proxy): status, Content-Type and the first 200 characters."""
    excerpt = body_excerpt(body, redact)
    return ApiError(
        f"{endpoint} answered HTTP {status} with {content_type or 'no Content-Type'}, "
        f"not JSON: {excerpt}",
        hint=(
            "something between you and Marketplace answered instead of the API: check "
            "the base-url (default https://api.atlassian.com/marketplace), and any proxy "
            "or single sign-on page that intercepts requests (HTTPS_PROXY, NO_PROXY)"
        ),
        status=status,
        endpoint=endpoint,
        content_type=content_type,
        server_message=excerpt,
    )


def unexpected_shape_error(
    *,
    status: int,
    endpoint: str,
    content_type: str | None,
    body: bytes,
    redact: Redact,
    problem: str,
) -> ApiError:
    """The :class:`ApiError` for a 2xx JSON answer that lacks what the API promises
    (``problem`` says what, e.g. ``no _links.self.href``); shows the JSON received,
    truncated and redacted."""
    text = _SPACE.sub(" ", decode_body(body)).strip()[: JSON_EXCERPT + _REDACT_MARGIN]
    excerpt = truncate(redact(text), JSON_EXCERPT)
    return ApiError(
        f"{endpoint} answered HTTP {status} with JSON that has {problem}: {excerpt}",
        hint=(
            "the Marketplace API answered in an unexpected shape; check the base-url, "
            "and report this with the response shown"
        ),
        status=status,
        endpoint=endpoint,
        content_type=content_type,
        server_message=excerpt,
    )


def redirect_error(
    *, status: int, endpoint: str, from_url: str, to_url: str | None, cross_origin: bool
) -> ApiError:
    """The :class:`ApiError` for a redirect the client refuses: any redirect of a POST
    (the body would be lost or re-sent), or a GET redirect to another origin
    (credentials must not follow). ``from_url``/``to_url`` must already be safe to
    print (no user info)."""
    target = to_url or "<no Location header>"
    if cross_origin:
        message = (
            f"{endpoint}: refusing to follow HTTP {status} redirect from {from_url} to "
            f"another origin {target}; no request was sent there"
        )
    else:
        message = f"{endpoint} was redirected (HTTP {status}) from {from_url} to {target}"
    return ApiError(
        message,
        hint=(
            "set base-url to the final address (e.g. https://api.atlassian.com/marketplace); "
            "the client does not follow redirects that could re-send an upload or carry "
            "credentials to another host"
        ),
        status=status,
        endpoint=endpoint,
    )


def refused_json_post_error(
    error: ApiError,
    *,
    status: int,
    reason: str | None,
    loaded: tuple[bool, Any],
    redact: Redact,
    sent: str,
    what: str,
    check: str,
) -> ApiError:
    """``error`` (from :func:`error_from_response`) for a non-retryable answer
    ``status`` to a JSON POST (``POST .../versions``, ``POST .../listing``), rewritten:
    5xx notes that ``what`` may have been created anyway; 404 names the unknown IDs;
    other 4xx (but 401, 403, 429) lists every field error of the answer (``loaded``:
    the :func:`load_json` of its body) and the body ``sent`` (already redacted and
    truncated), with a hint for duplicates (409, ``DUPLICATE``, ``ALREADY EXISTS``) or
    for refused fields. ``check`` names the call that shows the current state."""
    if 500 <= status <= 599:
        return with_note(
            error,
            f"{what} may have been created anyway: check with {check} before re-running",
        )
    if status == 404:
        return with_hint(
            error,
            f"unknown app software ID or build number (check with {check}); or a wrong base-url",
        )
    if not 400 <= status <= 499 or status in (401, 403, 429):
        return error
    is_json, value = loaded
    head = error.server_message
    fields: list[str] = []
    if is_json and isinstance(value, dict):
        head = json_message({k: v for k, v in value.items() if k != "errors"})
        fields = [redact(f) for f in field_errors(value.get("errors"))]
    elif is_json and isinstance(value, list):
        head, fields = None, [redact(f) for f in field_errors(value)]
    status_text = f"HTTP {status}" + (f" {reason}" if reason else "")
    message = f"{error.endpoint} failed: {status_text}"
    if head:
        message += f": {truncate(redact(head), 300)}"
    if fields:
        listed = truncate("; ".join(fields), 3000)
        message += f"; field errors ({len(fields)}): {listed}"
    message += f"; body sent: {sent}"
    text = f"{head or ''} {' '.join(fields)}".upper()
    if status == 409 or "DUPLICATE" in text or "ALREADY EXISTS" in text:
        hint = (
            "a version with this build number or version number exists already: list "
            f"the versions ({check}) and choose a new build number, or treat the "
            "release as already published"
        )
    else:
        hint = (
            f"Marketplace refused {what}: fix the fields named above (their rules are "
            "not documented; compare with a version created in the Marketplace UI)"
        )
    return ApiError(
        message,
        hint=hint,
        status=status,
        endpoint=error.endpoint,
        content_type=error.content_type,
        server_message="; ".join(([head] if head else []) + fields) or error.server_message,
        retry_after=error.retry_after,
    )


def copy_error(error: ApiError, *, message: str | None = None, hint: str | None = None) -> ApiError:
    """A copy of ``error``: same class and fields, ``message``/``hint`` replaced when
    given."""
    return type(error)(
        error.message if message is None else message,
        hint=error.hint if hint is None else hint,
        status=error.status,
        endpoint=error.endpoint,
        content_type=error.content_type,
        server_message=error.server_message,
        retry_after=error.retry_after,
        may_have_taken_effect=error.may_have_taken_effect,
    )


def with_note(error: ApiError, note: str) -> ApiError:
    """A copy of ``error`` (same class and fields) with `` (note)`` after the message."""
    return copy_error(error, message=f"{error.message} ({note})")


def with_hint(error: ApiError, hint: str) -> ApiError:
    """A copy of ``error`` (same class and fields) with ``hint``."""
    return copy_error(error, hint=hint)
