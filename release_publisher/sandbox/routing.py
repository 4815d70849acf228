"""The sandbox's route table (:class:`Router`): what route modules register into, the
way Flask blueprints register with an app.

A route module exposes ``register(router: Router, state: SandboxState) -> None`` and
calls :meth:`Router.add` for each path; :func:`~.app.create_app` calls it. Knows
werkzeug's routing and :mod:`.http`; nothing of any route's behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from werkzeug.routing import Map, Rule

from .http import Handler


@dataclass(frozen=True)
class Route:
    """A registered handler. ``api``: HTTP Basic auth and the request log apply
    (else a loopback-only admin path); ``fault``: the fault-queue endpoint name whose
    faults it consumes (None: no fault injection)."""

    handler: Handler
    api: bool
    fault: str | None


class Router:
    """Paths to handlers (a werkzeug :class:`~werkzeug.routing.Map`), plus the sections
    of ``GET /_sandbox/state`` and the hooks of ``POST /_sandbox/reset`` that route
    modules contribute."""

    def __init__(self) -> None:
        self.url_map = Map(strict_slashes=False, merge_slashes=False)
        self.routes: dict[str, Route] = {}
        self.state_sections: dict[str, Callable[[], object]] = {}
        self.reset_hooks: list[Callable[[], None]] = []

    def add(
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
        ``fault``: the fault-queue endpoint name it consumes faults for (add new names
        to :data:`~.faults.ENDPOINTS`). ``endpoint`` (the request log's ``endpoint``)
        must be unique (ValueError otherwise)."""
        if endpoint in self.routes:
            raise ValueError(f"endpoint {endpoint!r} is already routed")
        self.url_map.add(Rule(path, endpoint=endpoint, methods=list(methods)))
        self.routes[endpoint] = Route(handler=handler, api=api, fault=fault)

    def add_state_section(self, name: str, provider: Callable[[], object]) -> None:
        """Show ``provider()`` (JSON-serialisable) under ``name`` in ``GET /_sandbox/state``."""
        self.state_sections[name] = provider

    def add_reset_hook(self, hook: Callable[[], None]) -> None:
        """Call ``hook()`` on ``POST /_sandbox/reset`` (after the core state is reset)."""
        self.reset_hooks.append(hook)
