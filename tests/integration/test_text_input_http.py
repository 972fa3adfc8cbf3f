"""Typed text through HTTP: control, bidirectional and invisible characters are refused
with the field named, text is stored in NFC, lengths are bounded (and the OpenAPI
document says so), multi-line text keeps its lines, and an uploaded file's name is a
bounded display name."""

from __future__ import annotations

import pytest

from tests.integration.identity import signed_in
from tests.integration.test_documents_http import _upload
from tests.integration.test_projects_http import BODY, _issuer

BAD = [pytest.param("\x00", id="NUL"), pytest.param("\u202e", id="RLO")]


def _refused(response, field: str):
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "validation_failed"
    assert field in body["errors"], body
    return " ".join(body["errors"][field])


@pytest.mark.parametrize("char", BAD)
def test_a_project_name_with_a_control_or_bidi_character_is_refused(app, client, char):
    issuer = _issuer(app, client)
    created = issuer.post("/api/v1/projects", json={**BODY, "name": f"Mata{char}Atlântica"})
    assert f"U+{ord(char):04X}" in _refused(created, "name")
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    edited = issuer.patch(f"/api/v1/projects/{pid}", json={"region": f"Bahia{char}"})
    _refused(edited, "region")


@pytest.mark.parametrize("char", BAD)
def test_a_display_name_with_a_control_or_bidi_character_is_refused(app, client, char):
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "email": "ada@example.org",
            "password": "Correct-Horse-42",
            "display_name": f"Ada{char}Lovelace",
        },
    )
    _refused(registered, "display_name")
    ada = signed_in(app, client, "lovelace@example.org")
    _refused(ada.patch("/api/v1/me", json={"display_name": f"Ada{char}"}), "display_name")


def test_text_is_stored_in_nfc(app, client):
    issuer = _issuer(app, client)
    decomposed = "Cafe\u0301 da Mata"
    created = issuer.post("/api/v1/projects", json={**BODY, "name": decomposed})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == "Café da Mata"
    pid = created.get_json()["id"]
    assert issuer.get(f"/api/v1/projects/{pid}").get_json()["name"] == "Café da Mata"
    ada = signed_in(app, client, "ada@example.org")
    renamed = ada.patch("/api/v1/me", json={"display_name": "  Jose\u0301  "})
    assert renamed.get_json()["display_name"] == "José"


def test_an_over_long_name_is_refused_with_the_limit(app, client):
    issuer = _issuer(app, client)
    message = _refused(issuer.post("/api/v1/projects", json={**BODY, "name": "x" * 201}), "name")
    assert "200" in message
    ada = signed_in(app, client, "ada@example.org")
    message = _refused(ada.patch("/api/v1/me", json={"display_name": "y" * 101}), "display_name")
    assert "100" in message


def test_a_blank_name_is_refused(app, client):
    issuer = _issuer(app, client)
    _refused(issuer.post("/api/v1/projects", json={**BODY, "name": " \u3000 "}), "name")


def test_a_multiline_description_keeps_its_lines(app, client):
    issuer = _issuer(app, client)
    description = "Goals:\r\n\t- restore 500 ha\n\t- monitor yearly"
    created = issuer.post("/api/v1/projects", json={**BODY, "description": description})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["description"] == "Goals:\n\t- restore 500 ha\n\t- monitor yearly"
    # a single-line field refuses the same line break
    _refused(issuer.post("/api/v1/projects", json={**BODY, "name": "two\nlines"}), "name")


def test_a_domain_validation_failure_has_the_validation_code(app, client):
    issuer = _issuer(app, client)
    response = issuer.post("/api/v1/projects", json={**BODY, "country": "XX"})
    _refused(response, "country")


def test_a_very_long_filename_is_kept_bounded_with_its_extension(app, client):
    issuer = _issuer(app, client)
    pid = issuer.post("/api/v1/projects", json=BODY).get_json()["id"]
    uploaded = _upload(issuer, pid, filename="r\u202e" + "a" * 5000 + ".pdf")
    assert uploaded.status_code == 201, uploaded.get_json()
    filename = uploaded.get_json()["filename"]
    assert len(filename) == 255
    assert filename.startswith("raaa")
    assert filename.endswith("a.pdf")
    listed = issuer.get(f"/api/v1/projects/{pid}/documents").get_json()
    assert [d["filename"] for d in listed] == [filename]


def test_the_openapi_document_states_each_text_rule(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    project = next(s for n, s in schemas.items() if n.startswith("ProjectCreate"))
    name, description = project["properties"]["name"], project["properties"]["description"]
    assert name["maxLength"] == 200
    assert name["minLength"] == 1
    assert "\\u202e" in name["pattern"]
    assert description["maxLength"] == 20_000
    assert "\\r\\n" in description["pattern"]
    register = next(s for n, s in schemas.items() if n.startswith("Register"))
    assert register["properties"]["display_name"]["maxLength"] == 100
