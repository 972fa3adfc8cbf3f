"""Multipart forms that carry fields and files together, read and documented as one
schema (location `form_and_files`): flask-smorest documents a single request body per
operation, so separate `form` and `files` arguments would leave the fields out of the
OpenAPI document."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from app.http.common.blueprint import ApiBlueprint

LOCATION = "form_and_files"


class MultipartParser(FlaskParser):
    __location_map__ = {**FlaskParser.__location_map__, LOCATION: "load_form_and_files"}
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        LOCATION: ma.EXCLUDE,  # as for `form` and `files`
    }

    def load_form_and_files(self, req: Request, schema: ma.Schema) -> Any:
        fields: MultiDict[str, Any] = MultiDict(req.form)
        fields.update(req.files)
        return self._makeproxy(fields, schema)


class MultipartBlueprint(ApiBlueprint):
    """A blueprint whose operations may take `location="form_and_files"` arguments."""

    def __init__(self, name: str, import_name: str, *, description: str) -> None:
        super().__init__(name, import_name, description=description)
        # flask-smorest reads both through the blueprint: these apply to this one alone.
        self.smorest.ARGUMENTS_PARSER = MultipartParser()
        self.smorest.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
            **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
            LOCATION: "multipart/form-data",
        }
