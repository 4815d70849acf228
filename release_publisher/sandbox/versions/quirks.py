"""Version quirks of the sandbox: a server that stores something other than what was
sent, a create whose answer is lost after the version was stored, a stale versions
list. Set with ``POST /_sandbox/versions/quirks`` (no auth, loopback only)::

    {"storeAs": {"beta": false},   # fields stored instead of the ones sent (create)
     "answerAfterStore": 504,      # store the version, then answer this status (a
                                   #   gateway timeout: the client never sees the 201)
     "staleList": 1,               # the next N versions listings leave out every version
                                   #   created through the API (a stale cache)
     "times": 1}                   # how many creates storeAs/answerAfterStore apply to

``GET`` shows them, ``DELETE`` (and ``POST /_sandbox/reset``) clears them. Pure data
and its checks: the handlers in :mod:`.api` apply them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

_FIELDS = {"storeAs", "answerAfterStore", "staleList", "times"}
#: the fields ``storeAs`` may set (``buildNumber`` is the version's identity)
STORABLE = frozenset(
    {
        "versionNumber",
        "beta",
        "supported",
        "supportedPaymentModel",
        "compatibilities",
        "licenseType",
        "frameworkDetails",
        "changelog",
        "state",
    }
)


class QuirkSpecError(ValueError):
    """A quirks body is invalid; ``str()`` says which field and why."""


@dataclass
class CreateQuirk:
    """What one create gets: ``store_as`` fields, ``answer_after_store`` status."""

    store_as: dict[str, Any] = field(default_factory=dict)
    answer_after_store: int | None = None


class Quirks:
    """The quirks in force, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._create: CreateQuirk | None = None
        self._times = 0
        self._stale = 0

    def set(self, data: object) -> None:
        """Replace the quirks with ``data`` (see the module docstring). Raises
        :class:`QuirkSpecError`."""
        if not isinstance(data, dict):
            raise QuirkSpecError("expected a JSON object")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise QuirkSpecError(f"unknown field(s): {', '.join(unknown)}")
        store_as = data.get("storeAs", {})
        if not isinstance(store_as, dict) or set(store_as) - STORABLE:
            raise QuirkSpecError(f"storeAs must be an object of: {', '.join(sorted(STORABLE))}")
        status = data.get("answerAfterStore")
        if status is not None and not (
            isinstance(status, int) and not isinstance(status, bool) and 400 <= status <= 599
        ):
            raise QuirkSpecError("answerAfterStore must be an HTTP status 400..599")
        stale = data.get("staleList", 0)
        times = data.get("times", 1)
        for name, value in (("staleList", stale), ("times", times)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
                raise QuirkSpecError(f"{name} must be a whole number 0..1000")
        with self._lock:
            self._create = CreateQuirk(dict(store_as), status) if store_as or status else None
            self._times = times if self._create is not None else 0
            self._stale = stale

    def take_create(self) -> CreateQuirk | None:
        """The quirk for this create (counting it down), or None."""
        with self._lock:
            if self._create is None or self._times <= 0:
                return None
            self._times -= 1
            return self._create

    def take_stale_list(self) -> bool:
        """True when this versions listing is to be stale (counting it down)."""
        with self._lock:
            if self._stale <= 0:
                return False
            self._stale -= 1
            return True

    def to_json(self) -> dict[str, Any]:
        """The quirks as the admin API shows them."""
        with self._lock:
            create = self._create
            return {
                "storeAs": dict(create.store_as) if create else {},
                "answerAfterStore": create.answer_after_store if create else None,
                "staleList": self._stale,
                "times": self._times,
            }

    def clear(self) -> None:
        """No quirks."""
        with self._lock:
            self._create, self._times, self._stale = None, 0, 0
