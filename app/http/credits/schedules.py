"""Scheduled retirements: planned, listed, read and cancelled (the sweep reminds and
runs them in the background)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.domain.credits import schedules
from app.domain.credits.schedule_model import MAX_REMIND_DAYS, RetirementSchedule
from app.domain.credits.services import authorize_holding
from app.http.common.auth import current_principal, requires
from app.http.common.blueprint import ApiBlueprint
from app.http.common.deps import platform, uow
from app.http.common.idempotency import idempotent
from app.http.common.openapi import rule_codes
from app.http.common.pagination import Page, paginated
from app.http.common.schemas import UtcDateTime, WholeNumber
from app.http.credits.routes import custody
from app.http.credits.schemas import RetireSchema, tonnes

blp = ApiBlueprint("retirement_schedules", __name__, description="Scheduled retirements")


class ScheduleSchema(RetireSchema):
    """What to retire (as in POST /retirements, without `tx_hash`) and when."""

    class Meta:
        exclude = ("tx_hash",)

    run_at = UtcDateTime(required=True, metadata={"description": "when to retire (future)"})
    remind_days_before = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, MAX_REMIND_DAYS),
        metadata={"description": "days ahead of run_at: the reminder, and the reservation"},
    )


class ScheduleOutSchema(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String(
        metadata={"description": "scheduled, reserved, completed, failed or cancelled"}
    )
    project_id = ma.fields.String()
    vintage = ma.fields.Integer()
    quantity = ma.fields.Function(lambda s: tonnes(s.quantity_kg))
    beneficiary = ma.fields.String()
    beneficiary_visibility = ma.fields.String()
    purpose = ma.fields.String()
    owner_kind = ma.fields.String()
    owner_id = ma.fields.String()
    holder = ma.fields.String(attribute="holder_address")
    run_at = ma.fields.DateTime()
    remind_days_before = ma.fields.Integer(allow_none=True)
    remind_at = ma.fields.DateTime(allow_none=True)
    reminded_at = ma.fields.DateTime(allow_none=True)
    reserved = ma.fields.Function(lambda s: s.reserved_token_id is not None)
    retirement_id = ma.fields.String(allow_none=True)
    failure = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)


class CancelArgs(ma.Schema):
    organization_id = ma.fields.String(load_default=None, validate=validate.Length(max=64))


@blp.route("/retirements/schedules", methods=["POST"])
@requires("credits:retire")
@idempotent
@rule_codes("run_at_not_future", "run_at_too_far")
@blp.arguments(ScheduleSchema)
@blp.response(201, ScheduleOutSchema)
def create(body: dict[str, Any]) -> RetirementSchedule:
    """Retire your credits (or an organization's, as its admin or finance) at `run_at`.
    Nothing is reserved until the reminder, `remind_days_before` days ahead (then the
    credits are held back for the schedule); without a reminder they are reserved when
    the retirement is made, at `run_at`. Accepts Idempotency-Key."""
    principal = current_principal()
    return schedules.schedule_retirement(
        principal,
        owner=authorize_holding(principal, body["organization_id"]),
        project_id=body["project_id"],
        vintage=body["vintage"],
        quantity=body["quantity"],
        beneficiary=body["beneficiary"],
        purpose=body["purpose"],
        run_at=body["run_at"],
        remind_days_before=body["remind_days_before"],
        uow=uow(),
        clock=platform().clock,
        custody=custody,
        beneficiary_visibility=body["beneficiary_visibility"],
    )


@blp.route("/retirements/schedules", methods=["GET"])
@requires("credits:read")
@blp.response(200, ScheduleOutSchema(many=True))
@paginated(blp)
def list_schedules(page: Page) -> tuple[Sequence[RetirementSchedule], int]:
    """Your schedules and your organizations', soonest first."""
    return schedules.list_schedules(
        current_principal(), offset=page.offset, limit=page.limit, uow=uow()
    )


@blp.route("/retirements/schedules/<schedule_id>", methods=["GET"])
@requires("credits:read")
@blp.response(200, ScheduleOutSchema)
def get_schedule(schedule_id: str) -> RetirementSchedule:
    """One schedule: its status, reminder, reservation and, once run, its retirement."""
    return schedules.get_schedule(current_principal(), schedule_id, uow=uow())


@blp.route("/retirements/schedules/<schedule_id>", methods=["DELETE"])
@requires("credits:retire")
@blp.arguments(CancelArgs, location="query")
@blp.response(200, ScheduleOutSchema)
@blp.alt_response(409, description="The schedule already ran, failed or was cancelled")
def cancel(args: dict[str, Any], schedule_id: str) -> RetirementSchedule:
    """Cancel an open schedule and give back what its reminder reserved. An
    organization's schedule takes `organization_id` and its admin or finance role."""
    principal = current_principal()
    return schedules.cancel_schedule(
        principal,
        schedule_id,
        may_act_for=authorize_holding(principal, args["organization_id"]),
        uow=uow(),
        clock=platform().clock,
    )
