"""The timeouts of one try: positive finite seconds, and the total deadline of an
answer (default 2 x the read timeout), as docs/reliability.md states."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from release_publisher.marketplace.transport import TOTAL_FACTOR, Timeouts

DOC = (Path(__file__).resolve().parents[3] / "docs" / "reliability.md").read_text("utf-8")


def test_the_total_deadline_defaults_to_twice_the_read_timeout() -> None:
    assert Timeouts().total == TOTAL_FACTOR * Timeouts().read == 120.0
    # what --http-timeout 3 gives: a trickled answer is cut after 6 s
    assert Timeouts(connect=3, read=3).total == 6.0
    assert Timeouts(read=3, total=10).total == 10.0
    # --http-timeout 1e308 (finite) must not overflow the default total into infinity
    assert math.isfinite(Timeouts(connect=10, read=1e308).total)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"read": math.nan},
        {"read": math.inf},
        {"connect": -1},
        {"total": math.nan},
        {"total": math.inf},
        {"total": -5},
    ],
)
def test_timeouts_that_are_not_positive_finite_seconds_are_refused(
    kwargs: dict[str, float],
) -> None:
    with pytest.raises(ValueError, match="positive finite"):
        Timeouts(**kwargs)


def test_the_doc_states_the_total_deadline() -> None:
    defaults = Timeouts()
    assert f"| total | {defaults.total:g} s ({TOTAL_FACTOR:g} x read) |" in DOC
