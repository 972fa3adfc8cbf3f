"""Schemas of reports: what is asked, and a report's status with its download link."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.domain.projects.model import ProjectType
from app.domain.reports.model import GROUPINGS, METRICS, ReportFormat, ReportKind
from app.http.common.schemas import Vintage

ID = validate.Length(min=1, max=64)


class FiltersSchema(ma.Schema):
    project_id = ma.fields.String(validate=ID)
    country = ma.fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    vintage = Vintage()
    type = ma.fields.String(validate=validate.OneOf([t.value for t in ProjectType]))


class ReportRequestSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf([k.value for k in ReportKind]))
    format = ma.fields.String(
        required=True, validate=validate.OneOf([f.value for f in ReportFormat])
    )
    period_start = ma.fields.Date(required=True, metadata={"example": "2026-01-01"})
    period_end = ma.fields.Date(
        required=True, metadata={"example": "2026-12-31", "description": "included"}
    )
    organization_id = ma.fields.String(load_default=None, validate=ID)
    project_id = ma.fields.String(load_default=None, validate=ID)
    email = ma.fields.Email(
        load_default=None,
        validate=validate.Length(max=320),
        metadata={"description": "where the download link (never the file) is sent once ready"},
    )
    metrics = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(METRICS)),
        load_default=list,
        validate=validate.Length(max=len(METRICS)),
        metadata={"description": "custom reports: the metrics, as columns"},
    )
    filters = ma.fields.Nested(FiltersSchema, load_default=dict)
    group_by = ma.fields.String(load_default=None, validate=validate.OneOf(GROUPINGS))


class QueuedSchema(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String()


class ReportSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    format = ma.fields.String()
    status = ma.fields.String(metadata={"description": "queued, running, ready or failed"})
    failure = ma.fields.String(allow_none=True)
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    scope = ma.fields.String(metadata={"description": "platform, organization or user"})
    organization_id = ma.fields.String(allow_none=True)
    project_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    finished_at = ma.fields.DateTime(allow_none=True)
    size = ma.fields.Integer(allow_none=True)
    download_url = ma.fields.String(
        allow_none=True, metadata={"description": "when ready: a signed link, valid one hour"}
    )
    expires_at = ma.fields.DateTime(allow_none=True)


class DownloadArgs(ma.Schema):
    expires = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=2**40))
    signature = ma.fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
