"""Registering apps: the ``--app KEY[:hosting,...]`` option and the seeds of ``POST
/_sandbox/apps`` (checked into ``(app key, hostings, options)`` for
:meth:`.catalog.AppCatalog.register`). No HTTP, no store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .rules import HOSTINGS, check_version_fields, field_error, nonempty, stored_version

#: Hosting given to ``--app KEY`` without a list.
DEFAULT_HOSTINGS = ("datacenter",)
#: what a public listing becomes: auto APPROVED, manual SUBMITTED (awaiting approval),
#: reject PRIVATE + REJECTED (to rehearse a rejected listing)
APPROVAL_MODES = ("auto", "manual", "reject")

_APP_KEY = re.compile(r"^[^\s/:?#%]{1,255}$")


class AppSpecError(ValueError):
    """An ``--app`` option or an admin seed is invalid; ``str()`` says why."""


def parse_app_option(text: str) -> tuple[str, tuple[str, ...]]:
    """``--app KEY[:hosting,...]`` as ``(app key, hostings)``; hostings default to
    :data:`DEFAULT_HOSTINGS`. Raises :class:`AppSpecError` for an empty or malformed
    key or an unknown hosting."""
    key, sep, rest = text.strip().partition(":")
    key = key.strip()
    if not _APP_KEY.match(key):
        raise AppSpecError(
            f"app key {key!r} is not valid: give e.g. com.example.hello[:datacenter,server]"
        )
    hostings = tuple(h.strip() for h in rest.split(",")) if sep else DEFAULT_HOSTINGS
    return key, check_hostings(hostings, "hostings")


def check_hostings(hostings: Iterable[Any], where: str) -> tuple[str, ...]:
    """``hostings`` without repeats, in :data:`~.rules.HOSTINGS` order. Raises
    :class:`AppSpecError` (naming ``where``) for an unknown hosting or none."""
    found: list[str] = []
    for hosting in hostings:
        if hosting not in HOSTINGS:
            raise AppSpecError(f"{where}: unknown hosting {hosting!r}; use {', '.join(HOSTINGS)}")
        if hosting not in found:
            found.append(hosting)
    if not found:
        raise AppSpecError(f"{where}: give at least one of {', '.join(HOSTINGS)}")
    return tuple(h for h in HOSTINGS if h in found)


def parse_seed(seed: Any, where: str) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """One app seed of ``POST /_sandbox/apps`` (``where``: its path in the body, e.g.
    ``[0]``) as ``(app key, hostings, register options)`` for
    :meth:`~.catalog.AppCatalog.register` (``name``, ``approval``, ``versions``: hosting
    -> stored versions). Raises :class:`SeedErrors` with every field error."""
    if not isinstance(seed, dict):
        raise SeedErrors([field_error("INVALID", "expected an app object", where)])
    unknown = sorted(set(seed) - {"appKey", "hostings", "name", "approval", "versions"})
    errors: list[dict[str, str]] = []
    if unknown:
        errors.append(field_error("INVALID", f"unknown field(s) {', '.join(unknown)}", where))
    key = seed.get("appKey")
    if not isinstance(key, str) or not _APP_KEY.match(key):
        errors.append(field_error("REQUIRED", "appKey must be an app key", f"{where}.appKey"))
    versions = seed.get("versions") or {}
    hostings_given = seed.get("hostings")
    if hostings_given is None:
        hostings_given = list(versions) if isinstance(versions, dict) and versions else None
    hostings: tuple[str, ...] = DEFAULT_HOSTINGS
    try:
        if hostings_given is not None:
            if not isinstance(hostings_given, list):
                raise AppSpecError(f"{where}.hostings: must be a list")
            hostings = check_hostings(hostings_given, f"{where}.hostings")
    except AppSpecError as exc:
        errors.append(field_error("INVALID", str(exc), f"{where}.hostings"))
    name = seed.get("name")
    if name is not None and not nonempty(name):
        errors.append(field_error("INVALID", "name must be a non-empty string", f"{where}.name"))
    approval = seed.get("approval")
    if approval is not None and approval not in APPROVAL_MODES:
        errors.append(
            field_error("INVALID", f"approval must be one of {APPROVAL_MODES}", f"{where}.approval")
        )
    stored: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(versions, dict):
        errors.append(
            field_error("INVALID", "versions must be {hosting: [...]}", f"{where}.versions")
        )
        versions = {}
    for hosting, items in versions.items():
        path = f"{where}.versions.{hosting}"
        if hosting not in hostings:
            errors.append(field_error("INVALID", f"{hosting!r} is not in hostings", path))
            continue
        if not isinstance(items, list):
            errors.append(field_error("INVALID", "must be a list of versions", path))
            continue
        for index, item in enumerate(items):
            for problem in check_version_fields(item, hosting, seed=True):
                problem["path"] = f"{path}[{index}]" + (
                    f".{problem['path']}" if problem["path"] else ""
                )
                errors.append(problem)
        if not errors:
            stored[hosting] = [stored_version(i, seed=True) for i in items]
    if errors:
        raise SeedErrors(errors)
    assert isinstance(key, str)
    return key, hostings, {"name": name, "approval": approval, "versions": stored}


class SeedErrors(Exception):
    """A seed is invalid; ``errors`` are its field errors ``{"code", "message", "path"}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} seed errors")
        self.errors = errors
