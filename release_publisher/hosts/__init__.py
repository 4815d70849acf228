"""CI host adapters: GitHub Actions (step outputs, job summary, masks, annotations),
GitLab CI (dotenv report, log sections) and a plain terminal. :func:`select_host`
picks one from the environment; see :mod:`.base` for the interface."""

from __future__ import annotations

from .base import Host, select_host

__all__ = ["Host", "select_host"]
