"""Which artifact or listing image a log line is about, when several calls run at once.

The release flow runs independent calls concurrently (:mod:`.release.tasks`); each
task sets :data:`LOG_SUBJECT` in its own thread, and the console's formatter
(:mod:`.console`) starts every line logged meanwhile with ``[subject]``, so the lines
of concurrent calls stay readable. Knows nothing else.
"""

from __future__ import annotations

from contextvars import ContextVar

#: The subject of the lines logged in this thread ("artifact app", "screenshot
#: shot1.png"); None: a line of the run as a whole (no prefix).
LOG_SUBJECT: ContextVar[str | None] = ContextVar("log_subject", default=None)
