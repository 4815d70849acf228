"""docs/reliability.md stays true: every test it names exists, its retry policy is the
one the code applies, and its timeout and polling numbers are the code's."""

from __future__ import annotations

import re
from pathlib import Path

from release_publisher.marketplace.retry import describe_retry_policy
from release_publisher.marketplace.transport import Timeouts
from release_publisher.release.polling import POLL_FACTOR, POLL_FIRST

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"((?:unit|integration|container)/[\w/]+\.py)::(\w+)")


def test_every_named_test_exists() -> None:
    references = REFERENCE.findall(DOC)
    assert len(references) > 100
    missing = []
    for path, name in references:
        source = ROOT / "tests" / path
        text = source.read_text(encoding="utf-8") if source.exists() else ""
        if not re.search(rf"^def {name}\(", text, re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_numbered_item_of_the_issue_has_a_row() -> None:
    numbers = set(re.findall(r"^\| (\d+|Also) \|", DOC, re.MULTILINE))
    assert numbers == {str(n) for n in range(1, 16)} | {"Also"}


def test_the_retry_policy_is_the_codes() -> None:
    assert describe_retry_policy() in DOC


def test_timeouts_and_polling_numbers_are_the_codes() -> None:
    defaults = Timeouts()
    assert f"| connect | {defaults.connect:g} s |" in DOC
    assert f"| read | {defaults.read:g} s |" in DOC
    assert f"| send | {defaults.read:g} s (= read) |" in DOC
    assert f"`min(interval, {POLL_FIRST:g} s)`" in DOC
    assert f"`POLL_FACTOR` ({POLL_FACTOR:g})" in DOC
    assert "up to `polling.interval`" in DOC
