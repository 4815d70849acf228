"""The release flow: a checked :class:`~release_publisher.preflight.model.Plan` ->
Marketplace calls -> verification -> :class:`~release_publisher.result.ReleaseResult`.

:mod:`.flow` holds the entry points (``publish``, ``dry_run``); :mod:`.run` the run
context; :mod:`.stages` the stage protocol and runner; one module per stage
(:mod:`.artifacts`, :mod:`.images`, :mod:`.app_listing`, :mod:`.version`,
:mod:`.listing`) and the pure rules and texts beside them.

Importing this package imports nothing: ``check`` needs :mod:`.render` and
:mod:`.changelog` without the stages (start-up time).
"""
