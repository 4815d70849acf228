"""What every sandbox route reads and changes: :class:`SandboxState`.

Knows the store, the fault queue, the request log, the upload ledger and the config;
nothing of HTTP routing.
"""

from __future__ import annotations

from ..clock import Clock, SystemClock
from .config import SandboxConfig
from .faults import FaultQueue, RequestLog
from .fetch import Fetcher, http_fetch
from .ledger import UploadLedger
from .store import Store


class SandboxState:
    """The emulator's state. ``store`` keeps the bytes; ``clock`` (monotonic seconds)
    drives processing delay, spacing, the budget and fault delays; ``fetcher``
    downloads for fetch (default :func:`~.fetch.http_fetch`); ``faults``
    (:class:`~.faults.FaultQueue`), ``requests`` (:class:`~.faults.RequestLog`) and
    ``ledger`` (:class:`~.ledger.UploadLedger`, built from ``config``)."""

    def __init__(
        self,
        store: Store,
        *,
        config: SandboxConfig | None = None,
        clock: Clock | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        self.clock: Clock = clock or SystemClock()
        self.fetcher: Fetcher = fetcher or http_fetch
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.ledger = UploadLedger(
            self.clock,
            spacing=self.config.upload_spacing,
            budget_bytes=self.config.budget_bytes,
            window=self.config.budget_window,
        )
