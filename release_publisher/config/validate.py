"""Validating a :class:`Document`: the shipped JSON Schema (with ``uri`` format
checking) and the cross-field rules, reported as ONE
:class:`~release_publisher.errors.ConfigError`: the first problem in file order,
then up to three more ("also: file:line:col: ...") and a count of the rest; one
problem per spot.

May import: :mod:`.schema`, :mod:`.explain`, :mod:`.cross_field`, :mod:`.document`,
:mod:`release_publisher.errors`. Knows nothing of YAML or of the typed config.
"""

from __future__ import annotations

from ..errors import ConfigError, Location
from .cross_field import check_app_listing, check_base_url_field, check_names, check_release
from .document import Document
from .explain import explain
from .schema import validator

_MAX_SHOWN_ERRORS = 4


def validate(doc: Document, *, version_optional: bool) -> None:
    """Check ``doc`` against the shipped schema and the cross-field rules. With
    ``version_optional`` (a ``--version`` override) a missing ``app.version`` is no
    problem. Raises one :class:`ConfigError` listing the problems, first one first."""
    problems: list[tuple[Location, str, str]] = []
    seen: set[tuple[int | None, int | None]] = set()
    for error in validator().iter_errors(doc.data):
        if (
            version_optional
            and error.validator == "required"
            and list(error.absolute_path) == ["app"]
            and set(error.validator_value) - set(error.instance) == {"version"}
        ):
            continue
        problem = explain(doc, error)
        # One problem per spot: a second one there is mostly the same mistake again
        # (an unknown key 'versoin' and a missing 'version').
        spot = (problem[0].line, problem[0].col)
        if spot in seen:
            continue
        seen.add(spot)
        problems.append(problem)
    problems.extend(check_names(doc))
    for problem in [*check_base_url_field(doc), *check_release(doc), *check_app_listing(doc)]:
        spot = (problem[0].line, problem[0].col)
        if spot not in seen:
            seen.add(spot)
            problems.append(problem)
    if not problems:
        return
    problems.sort(key=lambda p: (p[0].line or 0, p[0].col or 0))
    loc, message, hint = problems[0]
    if len(problems) > 1:
        extra = [f"\n  also: {p[0]}: {p[1]}" for p in problems[1:_MAX_SHOWN_ERRORS]]
        more = len(problems) - _MAX_SHOWN_ERRORS
        message += "".join(extra) + (f"\n  ... and {more} more" if more > 0 else "")
    raise ConfigError(message, hint=hint, location=loc)
