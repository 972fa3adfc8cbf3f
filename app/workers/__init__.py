"""The second driving side: background job handlers, one module per business module.

A handler is `handler(payload, uow)`: thin, it reads ids from the payload and calls a
service with the unit of work it is given (`run_job` owns that transaction and marks
the job done in it, so a second delivery is a no-op). Modules add their handlers to
`JOB_HANDLERS` and map domain events to job names in `EVENT_SUBSCRIPTIONS`; the
bootstrap declares one Dramatiq actor per job name."""

from __future__ import annotations

from app.domain.platform.services import JobHandler

JOB_HANDLERS: dict[str, JobHandler] = {}
EVENT_SUBSCRIPTIONS: dict[str, list[str]] = {}
