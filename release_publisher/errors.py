"""The root exception and its kinds, each tied to a documented exit code.

Every error the product raises on purpose derives from :class:`ReleasePublisherError`.
The entry point renders any of them as one line ``Kind: message`` plus an optional
``hint:`` line, and exits with the class's ``exit_code``:

====  ==========================================================
code  meaning
====  ==========================================================
0     published (or dry run / check passed)
1     unexpected error (a bug: run again with ``-v`` and report it)
2     config or usage error (:class:`ConfigError`, :class:`UsageError`)
3     local file failed pre-flight (:class:`FileCheckError`)
4     Marketplace API or HTTP failure (:class:`ApiError`, :class:`TransportError`)
5     verification mismatch (:class:`VerificationError`)
6     processing timeout (:class:`ProcessingTimeout`)
====  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2
EXIT_FILE = 3
EXIT_API = 4
EXIT_VERIFY = 5
EXIT_TIMEOUT = 6
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where in a config file something is: 1-based ``line`` and ``col``; ``field`` is a
    dotted path such as ``artifacts[0].file``. Any part may be unknown (None)."""

    file: str | None = None
    line: int | None = None
    col: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<config>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        text = ":".join(parts)
        if self.field:
            text += f" ({self.field})"
        return text


class ReleasePublisherError(Exception):
    """Root of every expected failure.

    ``message`` says what went wrong (with the values involved, never a secret);
    ``hint`` says what to do about it. ``kind`` is the stable short name used in the
    result JSON (``error.kind``) and in the one-line rendering.
    """

    exit_code: int = EXIT_UNEXPECTED
    kind: str = "Error"

    def __init__(
        self, message: str, *, hint: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def render(self) -> str:
        """One line ``Kind: [location: ]message``, then ``  hint: ...`` if there is one."""
        where = f"{self.location}: " if self.location is not None else ""
        text = f"{self.kind}: {where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(ReleasePublisherError):
    """Bad command-line arguments or action inputs (exit 2)."""

    exit_code = EXIT_CONFIG
    kind = "UsageError"


class ConfigError(ReleasePublisherError):
    """The release config is unreadable or invalid (exit 2). Carries the file, line,
    column and field in ``location`` whenever they are known."""

    exit_code = EXIT_CONFIG
    kind = "ConfigError"


class FileCheckError(ReleasePublisherError):
    """A local artifact or image failed pre-flight: missing, ambiguous glob, empty,
    too large, wrong type, key/version not matching the config (exit 3)."""

    exit_code = EXIT_FILE
    kind = "FileCheckError"


class ApiError(ReleasePublisherError):
    """Marketplace answered with an error, or with something that is not the expected
    JSON (exit 4).

    ``status`` is the HTTP status (None when no response was received), ``endpoint``
    the ``METHOD /path`` called, ``content_type`` the response's Content-Type and
    ``server_message`` what the server said (JSON message, or the start of the body).
    ``may_have_taken_effect`` is True when the request was sent whole and may have been
    carried out although no usable answer came (a POST that must not be sent again
    blindly).
    """

    exit_code = EXIT_API
    kind = "ApiError"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        endpoint: str | None = None,
        content_type: str | None = None,
        server_message: str | None = None,
        retry_after: float | None = None,
        may_have_taken_effect: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.may_have_taken_effect = may_have_taken_effect
        self.status = status
        self.endpoint = endpoint
        self.content_type = content_type
        self.server_message = server_message
        self.retry_after = retry_after


class TransportError(ApiError):
    """No usable HTTP response: connection refused or reset, TLS failure, timeout
    (exit 4). ``status`` is None."""

    kind = "TransportError"


class VerificationError(ReleasePublisherError):
    """What Marketplace reports about an artifact does not match the config or the
    local file: key, version, checksum or an ``expect`` field (exit 5)."""

    exit_code = EXIT_VERIFY
    kind = "VerificationError"


class ProcessingTimeout(ReleasePublisherError):
    """Marketplace did not finish processing an artifact before ``polling.timeout``
    seconds (exit 6). The artifact ID is kept in the result."""

    exit_code = EXIT_TIMEOUT
    kind = "ProcessingTimeout"


class Interrupted(ReleasePublisherError):
    """The run was stopped by SIGINT or SIGTERM (exit 130). The result file still
    records what finished."""

    exit_code = EXIT_INTERRUPTED
    kind = "Interrupted"
