"""Finding local files from config globs and checking they are what an upload needs.

No network, and no file is read for its size (``os.stat`` only); at most the first
bytes of a file are read to tell its type. Every failure is a
:class:`~release_publisher.errors.FileCheckError` carrying a message (the pattern, the
directory searched, what was found) and a hint. Callers attach the config location.

Glob rules (shared by ``artifacts[].file`` and ``images[].file``):

* a pattern is relative to the config's ``base_dir`` (the config file's directory);
  an absolute pattern is used as is; ``**`` matches across directories; ``*`` does not
  match a leading dot (as in a shell);
* matches are sorted by path, so the result never depends on directory order;
* a match must be (or be a symbolic link to) a regular, non-empty file;
* ``[...]`` is a character set: a file literally named ``hello [1.4.2].jar`` is written
  ``hello [[]1.4.2].jar``. When the literal file exists but the glob misses it, the
  error says so (and gives the escaped pattern), also when the glob matched other files.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from ..errors import FileCheckError
from ..limits import ARTIFACT_LIMIT, MAX_ARTIFACT_BYTES, human_size
from ..safe_text import one_line

#: Glob metacharacters (as :mod:`glob` understands them).
_MAGIC = re.compile(r"[*?[]")
#: How many directory entries / candidates a message lists before "and N more".
MAX_LISTED = 10
#: How many leading bytes are read to tell a file's type.
HEAD_BYTES = 64

#: File names Maven and friends put beside the real artifact.
_BYPRODUCT = re.compile(
    r"(-(sources|javadoc|tests|test-sources|test-javadoc|docs)\.jar$)|(^original-.*\.jar$)"
    r"|(\.(asc|sha1|sha256|sha512|md5|pom)$)"
)

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def _has_magic(part: str) -> bool:
    return _MAGIC.search(part) is not None


def display_path(path: Path | str, base_dir: Path, pattern: str | None = None) -> str:
    """How a file the config names is shown everywhere (``check``, the console, the
    result JSON's ``file``, the job summary, messages): the match as the config wrote
    its pattern, relative to the config file's directory ``base_dir``
    (``target/app.jar``, ``../dist/app.jar``; compared as text, no symbolic link
    resolved), never absolute unless the pattern is (``pattern``: the glob as written,
    when known) or the path does not start with ``base_dir``."""
    p = Path(path)
    if pattern is not None and Path(pattern).is_absolute():
        return str(p)
    try:
        return p.relative_to(base_dir).as_posix()
    except ValueError:
        return str(p)


def matched_by(pattern: str | None, exclude: Sequence[str] = ()) -> str:
    """The glob as written, for a line that shows its match: ``", matched by
    'target/app-*[0-9].jar'"``, and its ``exclude:`` globs (``", matched by
    'target/*.jar' excluding target/*-sources.jar"``); ``""`` for a literal path (the
    match is the pattern) or None."""
    if pattern is None or not _has_magic(pattern):
        return ""
    excluding = f" excluding {_globs(exclude)}" if exclude else ""
    return f", matched by {pattern!r}{excluding}"


def search_dir(pattern: str, base_dir: Path) -> Path:
    """The directory a glob ``pattern`` searches: its longest leading part without
    glob metacharacters (for ``target/*.jar``, ``base_dir/target``; for a literal
    ``target/hello.jar``, ``base_dir/target``)."""
    full = Path(pattern) if Path(pattern).is_absolute() else base_dir / pattern
    parts = full.parts
    fixed: list[str] = []
    for part in parts:
        if _has_magic(part):
            break
        fixed.append(part)
    if len(fixed) == len(parts):  # no magic at all: the parent of the named file
        fixed = fixed[:-1]
    return Path(*fixed) if fixed else Path(full.anchor or ".")


def expand(pattern: str, base_dir: Path) -> list[Path]:
    """Every path (files, directories, symbolic links, dangling or not) matching
    ``pattern``, sorted. ``base_dir`` is escaped, so ``[`` in it is literal."""
    if Path(pattern).is_absolute():
        full = pattern
    else:
        full = str(Path(glob.escape(str(base_dir))) / pattern)
    # glob.glob, not Path.glob: patterns may be absolute, and base_dir is escaped.
    return sorted(Path(p) for p in glob.glob(full, recursive=True))  # noqa: PTH207


def _list_dir(directory: Path) -> list[str]:
    """Sorted names in ``directory``, directories with a trailing ``/``."""
    names: list[str] = []
    with os.scandir(directory) as it:
        for entry in it:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            names.append(entry.name + ("/" if is_dir else ""))
    return sorted(names)


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += f", and {len(items) - MAX_LISTED} more"
    return shown


def no_match_error(pattern: str, base_dir: Path, *, what: str) -> FileCheckError:
    """The error for a ``pattern`` matching nothing: says which directory was searched
    and what is in it (up to :data:`MAX_LISTED` entries), or that it is missing/empty.
    ``what`` names the thing wanted (``"artifact"``, ``"listing image"``)."""
    directory = search_dir(pattern, base_dir)
    rel = "relative to the config file's directory " + str(base_dir)
    build_hint = (
        f"build the {what} first, or fix the pattern (patterns are {rel}; "
        "an absolute path is used as is)"
    )
    head = f"no file matches {pattern!r}"
    if "[" in pattern:
        literal = literal_match(pattern, base_dir)
        if literal is not None:
            return literal_bracket_error(pattern, literal, base_dir)
        build_hint += f"; {_BRACKET_NOTE}, e.g. {glob.escape(pattern)!r}"
    if not directory.exists():
        missing = directory
        while not missing.parent.exists() and missing.parent != missing:
            missing = missing.parent
        return FileCheckError(
            f"{head}: the directory {directory} does not exist"
            + (f" ({missing} is missing)" if missing != directory else ""),
            hint=build_hint
            if what == "artifact"
            else f"create {missing} with the {what} files in it, or fix the pattern "
            f"(patterns are {rel})",
        )
    if not directory.is_dir():
        return FileCheckError(
            f"{head}: {directory} is not a directory",
            hint=build_hint,
        )
    try:
        entries = _list_dir(directory)
    except OSError as exc:
        return FileCheckError(
            f"{head}: cannot list {directory}: {exc.strerror or exc}",
            hint="check the directory's permissions",
        )
    if not entries:
        found = "which is empty"
    else:
        count = len(entries)
        found = f"which holds {count} {'entry' if count == 1 else 'entries'}: {_listing(entries)}"
    return FileCheckError(f"{head} (searched {directory}, {found})", hint=build_hint)


def exclusion_pattern(name: str) -> str:
    """A glob that matches ``name`` and its next versions but not the build
    by-products beside it: the version in the file name becomes ``*`` followed by
    ``[0-9]`` before the extension (``target/app-2.3.0.jar`` -> ``target/app-*[0-9].jar``),
    so ``app-2.3.0-sources.jar`` no longer matches. ``name`` unchanged when it holds
    no version ending in a digit."""
    match = re.search(r"^(.*?-)[0-9](?:[^/]*?[0-9])?(\.[A-Za-z0-9]+)$", name)
    if match is None:
        return name
    return f"{match.group(1)}*[0-9]{match.group(2)}"


def byproduct_glob(name: str) -> str:
    """A glob for ``exclude:`` that matches the build by-product ``name`` and its next
    versions: its directory and ``*`` followed by the by-product's ending
    (``target/app-2.3.0-sources.jar`` -> ``target/*-sources.jar``,
    ``target/original-app-2.3.0.jar`` -> ``target/original-*.jar``,
    ``target/app-2.3.0.jar.asc`` -> ``target/*.asc``)."""
    directory, _, base = name.rpartition("/")
    prefix = f"{directory}/" if directory else ""
    match = _BYPRODUCT.search(base)
    if match is None:
        return name
    if match.group(1):
        return f"{prefix}*{match.group(1)}"
    if match.group(3):
        return f"{prefix}original-*.jar"
    return f"{prefix}*{match.group(4)}"


_BRACKET_NOTE = (
    "in a glob, [...] matches one character of a set: write [[] for a literal ["
    " (and [*] or [?] for a literal * or ?)"
)


def literal_match(pattern: str, base_dir: Path) -> Path | None:
    """The path named by ``pattern`` read literally (not as a glob), when that file or
    directory exists and the pattern holds glob metacharacters; else None. A file
    literally named ``hello [1.4.2].jar`` is not matched by its own name as a glob."""
    if not _has_magic(pattern):
        return None
    path = Path(pattern) if Path(pattern).is_absolute() else base_dir / pattern
    try:
        return path if path.exists() or path.is_symlink() else None
    except (OSError, ValueError):
        return None


def literal_bracket_error(pattern: str, literal: Path, base_dir: Path) -> FileCheckError:
    """The error for a ``pattern`` whose glob reading misses the file ``literal`` that
    its literal reading names (``hello [1.4.2].jar``)."""
    return FileCheckError(
        f"{pattern!r} is read as a glob, so it does not match the file named exactly"
        f" {display_path(literal, base_dir)!r}, which exists",
        hint=f"{_BRACKET_NOTE}: file: {glob.escape(pattern)!r}",
    )


def several_matches_error(
    pattern: str,
    base_dir: Path,
    matches: Sequence[Path],
    *,
    what: str,
    exclude: Sequence[str] = (),
) -> FileCheckError:
    """The error for an artifact ``pattern`` matching more than one path (those left
    after ``exclude``): lists them and, when some are build by-products
    (``-sources.jar``, ``-javadoc.jar``, ``-tests.jar``, ``original-*.jar``,
    signatures), names the likely real one and offers both ways out: a narrower glob
    and an ``exclude:`` list of the by-products' globs."""
    names = [display_path(m, base_dir, pattern) + ("/" if m.is_dir() else "") for m in matches]
    directory = search_dir(pattern, base_dir)
    left = f" after exclude: {_globs(exclude)}" if exclude else ""
    message = (
        f"{pattern!r} matches {len(matches)} paths{left} (searched {directory}):"
        f" {_listing(names)}; an {what} must be exactly one file"
    )
    byproducts = [n for n in names if _BYPRODUCT.search(n.rsplit("/", 1)[-1])]
    real = [n for n in names if n not in byproducts and not n.endswith("/")]
    if byproducts and len(real) == 1:
        verb = (
            "looks like a build by-product"
            if len(byproducts) == 1
            else "look like build by-products"
        )
        globs = list(exclude) + [
            g for g in dict.fromkeys(byproduct_glob(n) for n in byproducts) if g not in exclude
        ]
        hint = (
            f"{_listing(byproducts)} {verb} (sources, javadoc, tests, signatures) beside"
            f" {real[0]}; narrow the pattern so only the app matches and it still works "
            f"for the next version, e.g. file: {exclusion_pattern(real[0])}, or keep the"
            f" pattern and list the by-products: exclude: [{', '.join(map(one_line, globs))}]"
        )
    else:
        hint = (
            "narrow the pattern so exactly one file matches (name the file, or use a more"
            " specific glob such as 'target/myapp-*.jar'), or make one artifacts[] entry"
            " per file"
        )
    return FileCheckError(message, hint=hint)


def check_regular_file(path: Path, base_dir: Path, *, what: str) -> os.stat_result:
    """``os.stat`` of ``path`` (following symbolic links) if it is a regular,
    non-empty file; otherwise :class:`FileCheckError` saying what it is instead
    (directory, dangling or looping symbolic link, FIFO, device, socket, 0 bytes)."""
    shown = display_path(path, base_dir)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            target = path.readlink()
            raise FileCheckError(
                f"{shown} is a symbolic link to {target}, which does not exist",
                hint=f"build the {what} first, or fix the link",
            ) from None
        raise FileCheckError(
            f"{shown} disappeared while being checked", hint="is a build still running?"
        ) from None
    except OSError as exc:
        raise FileCheckError(
            f"cannot read {shown}: {exc.strerror or exc}",
            hint="check the path (a symbolic link loop?) and its permissions",
        ) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise FileCheckError(
            f"{shown} is a directory, not a file",
            hint=f"point the pattern at the {what} file inside it, e.g. '{shown}/*.jar'"
            if what == "artifact"
            else f"point the pattern at the {what} files inside it, e.g. '{shown}/*.png'",
        )
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a character device"
            if stat.S_ISCHR(mode)
            else "a block device"
            if stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise FileCheckError(
            f"{shown} is {kind}, not a regular file",
            hint=f"point the pattern at the built {what} file",
        )
    if st.st_size == 0:
        raise FileCheckError(
            f"{shown} is empty (0 bytes)",
            hint=f"the build wrote an empty {what}: check the build log, then rebuild",
        )
    return st


def _globs(globs: Sequence[str]) -> str:
    """Config globs for a message, each escaped to one line (no raw control character)."""
    return ", ".join(one_line(g) for g in globs)


def _unusable_pattern(pattern: str, exc: OSError) -> FileCheckError:
    """A pattern the file system refuses to look up (a name too long, ...)."""
    shown = one_line(pattern if len(pattern) <= 120 else pattern[:117] + "...")
    return FileCheckError(
        f"cannot look for {shown!r}: {exc.strerror or type(exc).__name__}",
        hint="shorten the path: every part of it must be a name the file system accepts",
    )


def find_one(
    pattern: str, base_dir: Path, *, what: str = "artifact", exclude: Sequence[str] = ()
) -> tuple[Path, int]:
    """:func:`_find_one`, with a pattern the file system refuses to look up (a name
    too long) reported as a :class:`FileCheckError` too. See :func:`_find_one`."""
    try:
        return _find_one(pattern, base_dir, what=what, exclude=exclude)
    except OSError as exc:
        raise _unusable_pattern(pattern, exc) from None


def _find_one(
    pattern: str, base_dir: Path, *, what: str = "artifact", exclude: Sequence[str] = ()
) -> tuple[Path, int]:
    """Resolve an artifact ``pattern`` to exactly one regular non-empty file of at most
    :data:`~release_publisher.limits.MAX_ARTIFACT_BYTES`, leaving out every path an
    ``exclude`` glob matches (expanded like ``pattern``, relative to ``base_dir``; an
    exclude glob matching nothing is fine). Returns ``(path, size in bytes)``; ``path``
    is the match as found (absolute when ``base_dir`` is).

    Raises :class:`FileCheckError` for no match, only excluded matches, several
    matches, or a match that is not a regular non-empty file or is too large (then the
    message also names the pattern and the directory searched). Reads no file content."""
    matches = expand(pattern, base_dir)
    if not matches:
        raise no_match_error(pattern, base_dir, what=what)
    _refuse_missed_literal(pattern, base_dir, matches)
    if exclude:
        excluded = {path for glob_ in exclude for path in expand(glob_, base_dir)}
        kept = [m for m in matches if m not in excluded]
        if not kept:
            names = [display_path(m, base_dir, pattern) for m in matches]
            raise FileCheckError(
                f"{pattern!r} matches only excluded paths: {_listing(names)}"
                f" (exclude: {_globs(exclude)})",
                hint=f"build the {what} first, or take its path out of the exclude list",
            )
        matches = kept
    if len(matches) > 1:
        raise several_matches_error(pattern, base_dir, matches, what=what, exclude=exclude)
    path = matches[0]
    try:
        st = check_regular_file(path, base_dir, what=what)
        check_size(path, st.st_size, base_dir)
    except FileCheckError as exc:
        raise with_match_context(exc, pattern, base_dir) from None
    return path, st.st_size


def with_match_context(exc: FileCheckError, pattern: str, base_dir: Path) -> FileCheckError:
    """``exc`` about the single match of a glob ``pattern``, with `` (the only match of
    'target/*.jar' in /abs/target)`` appended to its message, so the user sees the
    pattern and the directory searched as well as the file. A literal path (no glob
    metacharacters) is already named by the message: ``exc`` is returned as is."""
    if not _has_magic(pattern):
        return exc
    directory = search_dir(pattern, base_dir)
    return FileCheckError(
        f"{exc.message} (the only match of {pattern!r} in {directory})",
        hint=exc.hint,
        location=exc.location,
    )


def find_all(pattern: str, base_dir: Path, *, what: str = "listing image") -> list[Path]:
    """Resolve a ``pattern`` to one or more paths, sorted; raises
    :class:`FileCheckError` when nothing matches. Each path still needs
    :func:`check_regular_file`."""
    try:
        matches = expand(pattern, base_dir)
        if not matches:
            raise no_match_error(pattern, base_dir, what=what)
        _refuse_missed_literal(pattern, base_dir, matches)
    except OSError as exc:
        raise _unusable_pattern(pattern, exc) from None
    return matches


def _refuse_missed_literal(pattern: str, base_dir: Path, matches: Sequence[Path]) -> None:
    """A glob such as ``hello [1.4.2].jar`` that matched other files (``hello 1.jar``)
    while the file literally so named exists: which one was meant is unclear."""
    if "[" not in pattern:
        return
    literal = literal_match(pattern, base_dir)
    if literal is not None and literal not in matches:
        raise literal_bracket_error(pattern, literal, base_dir)


def check_size(path: Path, size: int, base_dir: Path) -> None:
    """Refuse ``size`` (bytes, from ``os.stat``) above
    :data:`~release_publisher.limits.MAX_ARTIFACT_BYTES`: Marketplace's 250 MB limit."""
    if size > MAX_ARTIFACT_BYTES:
        raise FileCheckError(
            f"{display_path(path, base_dir)} is {human_size(size)}; Marketplace accepts at"
            f" most {human_size(MAX_ARTIFACT_BYTES)} per artifact",
            hint=ARTIFACT_LIMIT.hint,
        )


def read_head(path: Path, n: int = HEAD_BYTES) -> bytes:
    """The first ``n`` bytes of ``path`` (a regular file)."""
    with path.open("rb") as f:
        return f.read(n)


def describe_start(head: bytes) -> str:
    """How a file starts, for messages: printable text quoted (``'<html>...'``), else
    hex bytes; names Git LFS pointers, gzip and HTML."""
    if head.startswith(_LFS_POINTER):
        return "a Git LFS pointer ('version https://git-lfs...')"
    if head.startswith(b"\x1f\x8b"):
        return "gzip data (1f 8b ...)"
    text = head[:32]
    if text and all(32 <= b < 127 or b in (9, 10, 13) for b in text):
        return repr(text.decode("ascii") + ("..." if len(head) > len(text) else ""))
    sample = head[:16]
    return " ".join(f"{b:02x}" for b in sample) + (" ..." if len(head) > len(sample) else "")


def content_hint(head: bytes) -> str | None:
    """A hint for a well-known wrong content, or None."""
    if head.startswith(_LFS_POINTER):
        return (
            "the file is a Git LFS pointer, not the file: fetch LFS objects in the job"
            " (actions/checkout with 'lfs: true', or 'git lfs pull')"
        )
    low = head.lstrip().lower()
    if low.startswith((b"<!doctype html", b"<html")):
        return "the file is an HTML page: a download step probably saved an error page"
    if head.startswith(b"\x1f\x8b"):
        return "the file is gzip-compressed: upload the JAR/OBR itself, not an archive of it"
    return None
