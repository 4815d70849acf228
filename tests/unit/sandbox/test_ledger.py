"""The upload ledger: spacing between upload starts and the upload budget."""

from __future__ import annotations

from release_publisher.clock import FakeClock
from release_publisher.sandbox.ledger import UploadLedger


def test_ledger_spacing_and_budget() -> None:
    clock = FakeClock()
    ledger = UploadLedger(clock, spacing=10.0, budget_bytes=1000, window=60.0)
    assert ledger.try_start(600) is None
    ledger.record(600)
    assert ledger.try_start(100) == 10
    clock.advance(10)
    assert ledger.try_start(500) == 50  # spacing met; budget frees at t=60
    assert ledger.try_start(400) is None
    clock.advance(50)
    assert ledger.used_bytes() == 0
