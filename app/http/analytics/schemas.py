"""Schemas of analytics: the range asked for, and the dashboards (the public one holds
neither money nor organizations; an organization's holds no revenue)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.analytics.model import Granularity

GRANULARITIES = [g.value for g in Granularity]


def tonnes() -> ma.fields.String:
    return ma.fields.String(metadata={"description": "tonnes, a decimal string", "example": "12.5"})


class RangeArgs(ma.Schema):
    from_ = ma.fields.Date(
        data_key="from",
        load_default=None,
        metadata={
            "description": "first day (UTC), widened to its bucket; default 29 days before `to`"
        },
    )
    to = ma.fields.Date(
        load_default=None,
        metadata={"description": "last day (UTC, included), widened to its bucket; default today"},
    )
    granularity = ma.fields.String(load_default="day", validate=validate.OneOf(GRANULARITIES))


class ExportArgs(RangeArgs):
    format = ma.fields.String(required=True, validate=validate.OneOf(["csv", "xlsx"]))
    scope = ma.fields.String(
        load_default="platform", validate=validate.OneOf(["platform", "organization"])
    )
    organization_id = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class AnalyticsMoneySchema(ma.Schema):
    amount = ma.fields.String(metadata={"example": "120.00"})
    currency = ma.fields.String(metadata={"example": "EUR"})


class ProjectsSchema(ma.Schema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_country = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class PublicPurchasesSchema(ma.Schema):
    quantity = tonnes()
    orders = ma.fields.Integer()


class PurchasesSchema(PublicPurchasesSchema):
    amounts = ma.fields.List(ma.fields.Nested(AnalyticsMoneySchema))


class RetirementsSchema(ma.Schema):
    quantity = tonnes()
    retirements = ma.fields.Integer()


class PublicTotalsSchema(ma.Schema):
    projects = ma.fields.Nested(ProjectsSchema)
    credits_issued = tonnes()
    credits_retired = tonnes()
    active_users = ma.fields.Integer(metadata={"description": "distinct users who signed in"})
    purchase_volume = ma.fields.Nested(PublicPurchasesSchema)
    retirement_volume = ma.fields.Nested(RetirementsSchema)


class OrganizationTotalsSchema(PublicTotalsSchema):
    purchase_volume = ma.fields.Nested(PurchasesSchema)


class PlatformTotalsSchema(OrganizationTotalsSchema):
    revenue = ma.fields.List(
        ma.fields.Nested(AnalyticsMoneySchema), metadata={"description": "the platform's fees"}
    )


class PublicPeriodSchema(ma.Schema):
    start = ma.fields.Date()
    end = ma.fields.Date(metadata={"description": "the period's last day (included)"})
    projects_created = ma.fields.Integer()
    credits_issued = tonnes()
    credits_retired = tonnes()
    retirements = ma.fields.Integer()
    active_users = ma.fields.Integer()
    purchased = tonnes()
    orders = ma.fields.Integer()


class OrganizationPeriodSchema(PublicPeriodSchema):
    purchase_amounts = ma.fields.List(ma.fields.Nested(AnalyticsMoneySchema))


class PlatformPeriodSchema(OrganizationPeriodSchema):
    revenue = ma.fields.List(ma.fields.Nested(AnalyticsMoneySchema))


class PlatformHealthSchema(ma.Schema):
    indexer_lag_blocks = ma.fields.Integer(allow_none=True)
    outbox_backlog = ma.fields.Integer()
    failed_jobs = ma.fields.Integer(metadata={"description": "undelivered jobs that failed"})
    error_rate = ma.fields.String(
        metadata={"description": "share of the range's jobs that failed at least once"}
    )


class PublicStatsSchema(ma.Schema):
    from_ = ma.fields.Date(data_key="from")
    to = ma.fields.Date()
    granularity = ma.fields.String()
    totals = ma.fields.Nested(PublicTotalsSchema)
    series = ma.fields.List(ma.fields.Nested(PublicPeriodSchema))


class OrganizationAnalyticsSchema(PublicStatsSchema):
    organization_id = ma.fields.String()
    totals = ma.fields.Nested(OrganizationTotalsSchema)
    series = ma.fields.List(ma.fields.Nested(OrganizationPeriodSchema))


class PlatformAnalyticsSchema(PublicStatsSchema):
    totals = ma.fields.Nested(PlatformTotalsSchema)
    series = ma.fields.List(ma.fields.Nested(PlatformPeriodSchema))
    health = ma.fields.Nested(PlatformHealthSchema)
