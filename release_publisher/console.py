"""What a person reads in a terminal or a CI log: logging set-up (every line redacted),
upload progress, and the plan / result texts of ``check``, ``publish --dry-run`` and
``publish``."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TextIO

from .limits import human_size
from .pipeline import Progress
from .preflight.model import Plan
from .result import ReleaseResult
from .secrets import REDACTOR, Redactor

log = logging.getLogger("release_publisher")

KIND_LABELS = {"jar": "JAR", "obr": "OBR", "jwb": "JWB", "connect": "Connect descriptor"}


class RedactingFormatter(logging.Formatter):
    """Formats a record (tracebacks included) and redacts every registered secret from
    the final text. Warnings and errors get a ``warning:`` / ``error:`` prefix."""

    def __init__(self, redactor: Redactor = REDACTOR, *, timestamps: bool = False) -> None:
        super().__init__("%(message)s")
        self.redactor = redactor
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        """The redacted, prefixed text of ``record``."""
        text = super().format(record)
        if record.levelno >= logging.ERROR:
            text = "error: " + text
        elif record.levelno >= logging.WARNING:
            text = "warning: " + text
        elif record.levelno <= logging.DEBUG:
            text = "debug: " + text
        if self.timestamps:
            text = time.strftime("%H:%M:%S ", time.localtime(record.created)) + text
        return self.redactor.redact(text)


def setup_logging(*, verbose: bool, stream: TextIO | None = None) -> None:
    """Send the ``release_publisher`` logger to ``stream`` (stdout by default): INFO and
    up, DEBUG too when ``verbose``; every line redacted. Idempotent."""
    logger = logging.getLogger("release_publisher")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(RedactingFormatter(timestamps=verbose))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


class ProgressReporter:
    """Makes upload progress callbacks: a bar redrawn in place when ``stream`` is a TTY;
    otherwise a log line at each 10% step, only once the upload has taken longer than
    ``quiet_seconds`` (short uploads stay quiet)."""

    def __init__(self, stream: TextIO | None = None, *, quiet_seconds: float = 3.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.quiet_seconds = quiet_seconds

    def __call__(self, label: str, total: int) -> Progress:
        """A ``progress(sent_bytes, total_bytes)`` callback for one upload of ``label``."""
        start = time.monotonic()
        state = {"step": 0, "drawn": False}

        def progress(sent: int, total_bytes: int) -> None:
            total_bytes = total_bytes or total or 1
            fraction = min(1.0, sent / total_bytes)
            elapsed = time.monotonic() - start
            if self.tty:
                if elapsed < 0.5 and fraction < 1.0:
                    return
                width = 30
                filled = int(width * fraction)
                rate = sent / elapsed / 1e6 if elapsed > 0 else 0.0
                self.stream.write(
                    f"\r  {label[:40]:<40} [{'#' * filled}{'.' * (width - filled)}] "
                    f"{fraction * 100:5.1f}% {rate:6.1f} MB/s"
                )
                if fraction >= 1.0:
                    self.stream.write("\n")
                self.stream.flush()
                state["drawn"] = True
                return
            step = int(fraction * 10)
            if step > state["step"] and elapsed >= self.quiet_seconds and step < 10:
                state["step"] = step
                log.info(
                    "  %s: %d%% (%s of %s, %.0f s)",
                    label,
                    step * 10,
                    human_size(sent),
                    human_size(total_bytes),
                    elapsed,
                )

        return progress


def describe_plan(plan: Plan, *, dry_run: bool = False) -> list[str]:
    """The lines ``check`` and ``publish --dry-run`` print: every request ``publish``
    would send, in order, with what pre-flight found in each file. For a dry run of a
    config with a ``release:`` section the closing line is left to the version plan
    (which sends read requests)."""
    config = plan.config
    lines = [
        f"Release {config.app_key} {config.version}"
        + (" (version from --version)" if config.version_source == "--version" else ""),
        f"  config:      {config.path}",
        f"  marketplace: {config.base_url}",
        "",
        "Artifacts:",
    ]
    for art in plan.artifacts:
        if art.path is not None:
            desc = art.descriptor
            ident = ""
            if desc is not None:
                ident = f", key {desc.key}" + (f", version {desc.version}" if desc.version else "")
                if desc.source:
                    ident += f" (from {desc.source})"
            lines.append(
                f"  {art.name}: {_rel(art.path)} ({human_size(art.size or 0)}, "
                f"{KIND_LABELS.get(art.kind or '', art.kind or '?')}{ident})"
            )
            lines.append("      -> POST /rest/3/artifacts (multipart upload, SHA-512 computed)")
        else:
            lines.append(f"  {art.name}: {art.spec.url}")
            lines.append(
                '      -> POST /rest/3/artifacts/fetch {"uri": ...}'
                + (" (expected SHA-512 given)" if art.spec.sha512 else "")
            )
        has_checksum = art.path is not None or art.spec.sha512 is not None
        checks = [
            "key",
            "version" if art.kind != "connect" else None,
            "checksum" if has_checksum else None,
        ]
        checks += [f"details.{k}" for k in sorted(art.spec.expect)]
        lines.append(
            f"      -> poll GET /rest/3/artifacts/{{id}} (up to {config.poll_timeout:g} s), "
            f"verify {', '.join(c for c in checks if c)}"
        )
    if plan.images:
        lines += ["", "Listing images:"]
        for img in plan.images:
            dims = f"{img.width}x{img.height} " if img.width and img.height else ""
            lines.append(
                f"  {img.type}: {_rel(img.path)} "
                f"({dims}{img.format.upper()}, {human_size(img.size)})"
                f" -> POST /rest/3/assets/images/{img.type}"
            )
    release = config.release
    if release is not None:
        build = release.build_number
        lines += [
            "",
            f"App version ({release.hosting}), from artifact {release.artifact}:",
            "  -> GET /rest/3/app-software/app-key/{appKey}, GET .../versions (all pages): "
            "refuse an existing version or build number",
            f"  -> POST /rest/3/app-software/{{appSoftwareId}}/versions (build number "
            f"{'1 + the highest existing' if build == 'auto' else build})",
        ]
        if release.copy_from_previous:
            lines.append(
                "     compatibility, payment model and license type not stated are copied "
                "from the latest version of the same major line"
            )
        if release.listing is not None:
            shots = release.listing.screenshots
            lines.append(
                f"  -> POST .../versions/{{buildNumber}}/listing ({release.listing.state}"
                + (f", screenshots: the {shots} images" if shots else "")
                + ")"
            )
        lines.append(
            "  the exact request bodies need read access: `publish --dry-run` with "
            "credentials shows them"
        )
    uploads = sum(1 for a in plan.artifacts if a.path is not None)
    if uploads > 1 and config.upload_spacing > 0:
        lines += ["", f"Uploads are spaced {config.upload_spacing:g} s apart (uploads.spacing)."]
    budget = sum(a.size or 0 for a in plan.artifacts if a.path is not None)
    if budget:
        lines.append(
            f"Upload budget used: {human_size(budget)} (Marketplace allows ~750 MB / 2 h)."
        )
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in plan.warnings]
    if not dry_run:
        lines += ["", "Pre-flight passed: nothing was sent."]
    elif release is None:
        lines += ["", "Dry run: nothing was sent."]
    return lines


def _rel(path: Path) -> str:
    """``path`` relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def describe_result(result: ReleaseResult) -> list[str]:
    """The closing lines of ``publish``: status, each artifact ID and checksum, each
    image ID."""
    lines = [f"Result: {result.status} ({result.app_key} {result.version})"]
    for art in result.artifacts:
        if art.id:
            checksum = f", sha512 {art.checksum[:16]}..." if art.checksum else ""
            lines.append(f"  artifact {art.name}: ID {art.id} [{art.state}]{checksum}")
        else:
            lines.append(f"  artifact {art.name}: not uploaded")
    for img in result.images:
        lines.append(
            f"  image {img.type} {img.file}: " + (f"ID {img.id}" if img.id else "not uploaded")
        )
    if result.release:
        info = result.release
        lines.append(
            f"  app version {info.version_number} ({info.hosting}): "
            f"{info.status}, build {info.build_number}"
            + (f", state {info.state}" if info.state else "")
            + (f", {info.url}" if info.url else "")
        )
    return lines
