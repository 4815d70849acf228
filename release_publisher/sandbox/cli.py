"""``release-publisher sandbox``: run the Marketplace emulator until SIGINT/SIGTERM.

The lead's CLI wires this in with :func:`add_arguments` and :func:`run`. On start it
prints exactly one line to stdout (flushed)::

    Marketplace sandbox listening on http://127.0.0.1:PORT

and, with ``--ready-file PATH``, writes the base URL to ``PATH`` once listening (removed
again on exit), so scripts can wait for it. Other information goes to stderr.

Credentials it accepts: ``--user``/``--token``, else ``MARKETPLACE_USER`` /
``MARKETPLACE_TOKEN``, else ``sandbox@example.com`` / ``sandbox-token``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from ..errors import UsageError
from ..limits import IMAGE_DIMENSIONS, MAX_NOTES_CHARS, MIN_UPLOAD_SPACING_SECONDS
from .config import DEFAULT_TOKEN, DEFAULT_USER, IMAGE_SIZE_MODES
from .replay import ReplayApp, load_trace
from .server import start_sandbox
from .versions.seeds import AppSpecError, parse_app_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``sandbox`` subcommand's options to ``parser``."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; the admin endpoints /_sandbox/* "
        "answer loopback clients only)",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default 0: a free port)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where to keep uploaded artifacts and images (kept on exit, reloaded on the "
        "next start); default: a fresh temp dir removed on exit",
    )
    parser.add_argument(
        "--user",
        default=None,
        help=f"HTTP Basic user to accept (default: $MARKETPLACE_USER, else {DEFAULT_USER})",
    )
    parser.add_argument(
        "--token",
        default=None,
        help=f"API token to accept (default: $MARKETPLACE_TOKEN, else {DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--processing-delay",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds after an upload before the artifact's details appear, so clients "
        "must poll (default 0)",
    )
    parser.add_argument(
        "--upload-spacing",
        type=float,
        default=0.0,
        metavar="S",
        help="minimum seconds between uploads, answered with 429 and Retry-After "
        f"(default 0 so rehearsals are fast; Marketplace requires "
        f"{MIN_UPLOAD_SPACING_SECONDS:g}: use --upload-spacing "
        f"{MIN_UPLOAD_SPACING_SECONDS:g} to rehearse the real rule)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="milliseconds added to every API response, like a round trip to a far "
        "server (default 0)",
    )
    parser.add_argument(
        "--bandwidth",
        type=int,
        default=0,
        metavar="BYTES_PER_S",
        help="read request bodies (uploads) at most this many bytes per second, like a "
        "slow link (default 0: as fast as they come)",
    )
    parser.add_argument(
        "--no-fetch-spacing",
        action="store_true",
        help="do not hold a fetch (POST /rest/3/artifacts/fetch) to --upload-spacing; "
        "whether Marketplace spaces fetches is not known (default: it is held)",
    )
    parser.add_argument(
        "--max-release-notes",
        type=int,
        default=0,
        metavar="CHARS",
        help="refuse a created version whose changelog.releaseNotes is longer than CHARS "
        "characters (400 VALIDATION_FAILED at changelog.releaseNotes, nothing stored), to "
        "rehearse a client release.max-length.notes raised above Marketplace's; default 0: "
        f"any length (Marketplace's limit is unverified; the client's default is "
        f"{MAX_NOTES_CHARS})",
    )
    parser.add_argument(
        "--image-sizes",
        choices=IMAGE_SIZE_MODES,
        default="off",
        help="strict: refuse (400) a listing image of a type with a known size ("
        + ", ".join(f"{t} {w}x{h}" for t, (w, h) in IMAGE_DIMENSIONS.items())
        + ", from Atlassian's older listing guides) in other dimensions; default off: "
        "any size (whether Marketplace checks sizes is unverified)",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the base URL to PATH once listening (removed on exit)",
    )
    parser.add_argument(
        "--app",
        action="append",
        default=[],
        type=_app_option,
        metavar="KEY[:HOSTING,...]",
        help="register an app (no versions) for the app-software and version endpoints, "
        "e.g. com.example.hello:datacenter,server (hostings: cloud, server, datacenter; "
        "default datacenter); repeatable",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        default=None,
        metavar="TRACE",
        help="serve the answers recorded by publish --trace TRACE instead of emulating: "
        "each request gets the next unused recorded answer with the same method and path "
        "pattern, an unmatched one a 599 naming what was expected",
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="print one line per request to stderr",
    )


def run(args: argparse.Namespace) -> int:
    """Run the sandbox until SIGINT or SIGTERM; returns 0 after a clean stop.

    A negative delay, spacing or ``--max-release-notes``, a port out of range, or an
    address that cannot be bound is reported on stderr as ``UsageError: ...`` plus a
    hint, returning 2."""
    try:
        return _run(args)
    except UsageError as exc:
        print(exc.render(), file=sys.stderr, flush=True)
        return exc.exit_code


def _run(args: argparse.Namespace) -> int:
    if args.processing_delay < 0 or args.upload_spacing < 0:
        raise UsageError(
            "--processing-delay and --upload-spacing must be >= 0 seconds",
            hint="use 0 to disable them",
        )
    latency = getattr(args, "latency", 0.0)
    bandwidth = getattr(args, "bandwidth", 0)
    if latency < 0 or bandwidth < 0:
        raise UsageError(
            "--latency (ms) and --bandwidth (bytes per second) must be >= 0",
            hint="use 0 to disable them",
        )
    max_notes = getattr(args, "max_release_notes", 0)
    if max_notes < 0:
        raise UsageError(
            f"--max-release-notes must be >= 0 characters, got {max_notes}",
            hint="give the longest release notes to accept, or 0 for any length",
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is out of range", hint="use 0..65535 (0: any)")
    user = args.user or os.environ.get("MARKETPLACE_USER") or DEFAULT_USER
    token = args.token or os.environ.get("MARKETPLACE_TOKEN") or DEFAULT_TOKEN
    user, token = user.strip(), token.strip()
    if ":" in user:
        raise UsageError("the sandbox user contains ':'", hint="use an email address")

    replay = ReplayApp(load_trace(args.replay)) if getattr(args, "replay", None) else None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sandbox = start_sandbox(
                host=args.host,
                port=args.port,
                data_dir=args.data_dir,
                user=user,
                token=token,
                processing_delay=args.processing_delay,
                upload_spacing=args.upload_spacing,
                access_log=getattr(args, "access_log", False),
                apps=getattr(args, "app", None) or (),
                latency=latency / 1000.0,
                bandwidth=bandwidth,
                space_fetches=not getattr(args, "no_fetch_spacing", False),
                replay=replay,
                max_release_notes=max_notes,
                image_sizes=getattr(args, "image_sizes", "off"),
            )
        except OSError as exc:
            hint = (
                "choose another --port, or --port 0 for a free one"
                if exc.errno == errno.EADDRINUSE
                else "check --host (an address of this machine) and --port"
            )
            raise UsageError(
                f"cannot listen on {args.host}:{args.port}: "
                f"{os.strerror(exc.errno) if exc.errno else exc}",
                hint=hint,
            ) from exc
        with sandbox:
            print(f"Marketplace sandbox listening on {sandbox.base_url}", flush=True)
            _describe(sandbox.data_dir, user, token, args)
            if replay is not None:
                print(
                    f"  replaying {args.replay}: {len(replay.recorded)} recorded answers "
                    "(no emulation, no auth check)",
                    file=sys.stderr,
                    flush=True,
                )
            if args.ready_file is not None:
                _write_atomically(args.ready_file, sandbox.base_url + "\n")
            try:
                while not stop.wait(0.5):
                    pass
            finally:
                if args.ready_file is not None:
                    with contextlib.suppress(OSError):
                        args.ready_file.unlink()
        if replay is not None:
            print(
                f"replay: {replay.served} answers served, {replay.unmatched} requests "
                f"unmatched (599), {len(replay.unused())} recorded answers never asked for",
                file=sys.stderr,
                flush=True,
            )
        print("Marketplace sandbox stopped", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _describe(data_dir: Path, user: str, token: str, args: argparse.Namespace) -> None:
    token_text = token if token == DEFAULT_TOKEN else "<hidden>"
    lines = [
        f"  credentials: user {user}, token {token_text}",
        f"  data dir: {data_dir}" + ("" if args.data_dir else " (temporary)"),
        f"  processing delay: {args.processing_delay:g} s, upload spacing: "
        f"{args.upload_spacing:g} s",
        f"  latency: {getattr(args, 'latency', 0.0):g} ms, bandwidth: "
        + (f"{args.bandwidth} bytes/s" if getattr(args, "bandwidth", 0) else "unlimited"),
        "  release notes: "
        + (
            f"at most {args.max_release_notes} characters"
            if getattr(args, "max_release_notes", 0)
            else "any length"
        )
        + f", listing image sizes: {getattr(args, 'image_sizes', 'off')}",
        "  admin: /_sandbox/faults, /_sandbox/requests, /_sandbox/state, /_sandbox/reset, "
        "/_sandbox/apps",
    ]
    for key, hostings in getattr(args, "app", None) or ():
        lines.append(f"  app: {key} ({', '.join(hostings)})")
    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        lines.append(
            f"  warning: listening on {args.host} over plain HTTP; other machines can reach "
            "the API (the admin endpoints stay loopback-only)"
        )
    print("\n".join(lines), file=sys.stderr, flush=True)


def _app_option(text: str) -> tuple[str, tuple[str, ...]]:
    try:
        return parse_app_option(text)
    except AppSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
