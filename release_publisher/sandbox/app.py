"""The Marketplace emulator: :func:`create_app` builds the WSGI application and registers
each route module, the way Flask blueprints are registered.

Base URL convention: the sandbox serves the API at its root, so the base URL users put
in ``marketplace.base-url`` is ``http://127.0.0.1:PORT`` (no ``/marketplace`` prefix),
and paths are the documented ``/rest/3/...``. Which module serves what:

===================================  =================================================
:mod:`.artifacts`                    ``/rest/3/artifacts`` upload, fetch, read, download
:mod:`.images`                       ``/rest/3/assets/images/{imageType}``
:mod:`.admin`                        ``/_sandbox/faults|requests|state|reset``
:mod:`.versions.api`                 ``/rest/3/app-software/...`` and ``/_sandbox/apps``
:mod:`.product_listing`              ``/rest/3/product-listing/...``, ``/_sandbox/product-listings``
:mod:`.parent_software`              ``/rest/3/parent-software/...`` (a seeded catalogue)
===================================  =================================================

Auth, the request log, fault injection and the shared error answers are the
dispatcher's (:mod:`.wsgi`); the error body shape is :mod:`.http`'s.

Adding a route module: write ``sandbox/<name>.py`` with ``register(router: Router,
state: SandboxState) -> None`` that calls ``router.add(...)``, and add its
``register`` to :data:`ROUTE_MODULES`. A route module never imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

from ..clock import Clock
from . import admin, artifacts, images, parent_software, product_listing
from .config import SandboxConfig
from .fetch import Fetcher
from .routing import Router
from .state import SandboxState
from .store import Store
from .versions import api as versions_api
from .wsgi import SandboxApp

#: ``register(router, state)`` of every route module, in registration order.
ROUTE_MODULES: tuple[Callable[[Router, SandboxState], None], ...] = (
    artifacts.register,
    images.register,
    admin.register,
    versions_api.register,
    product_listing.register,
    parent_software.register,
)


def create_app(
    store: Store,
    *,
    config: SandboxConfig | None = None,
    clock: Clock | None = None,
    fetcher: Fetcher | None = None,
) -> SandboxApp:
    """The sandbox's WSGI application over ``store`` with every route of
    :data:`ROUTE_MODULES`. ``config`` defaults to :class:`~.config.SandboxConfig`;
    ``clock`` (monotonic seconds) to the system clock; ``fetcher`` (downloads for
    ``POST /rest/3/artifacts/fetch``) to :func:`~.fetch.http_fetch`. Apps in
    ``config.apps`` are registered (into ``<data dir>/app-software.json``) here."""
    state = SandboxState(store, config=config, clock=clock, fetcher=fetcher)
    router = Router()
    for register in ROUTE_MODULES:
        register(router, state)
    return SandboxApp(state, router)
