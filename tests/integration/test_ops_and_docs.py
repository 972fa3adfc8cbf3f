from __future__ import annotations

import json
import re


def test_health_answers(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok"}


def test_ready_checks_database_and_broker(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    checks = {"database": "ok", "broker": "ok", "chain": "ok"}
    assert response.get_json() == {"ready": True, "checks": checks}


def test_ready_is_503_when_the_database_is_down(make_app):
    down = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    response = make_app(database_url=down).test_client().get("/api/v1/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False
    assert body["checks"]["database"].startswith("error:")


def test_openapi_is_3_1_and_documents_problems(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/health" in spec["paths"]
    assert "Problem" in spec["components"]["schemas"]


def test_docs_render_from_local_assets_only(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert not re.search(r"https?://", html.replace("http://127.0.0.1", ""))
    for asset in assets:
        assert asset.startswith("/api/v1/docs/assets/")
        assert client.get(asset).status_code == 200


def test_json_logs_carry_the_request_id(make_app, capsys):
    client = make_app(log_format="json").test_client()
    client.get("/api/v1/health", headers={"X-Request-ID": "trace-42"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    access = [line for line in lines if line["logger"] == "app.access"]
    assert access
    assert access[-1]["request_id"] == "trace-42"
    assert access[-1]["status"] == 200
    assert {"ts", "level", "msg", "duration_ms"} <= access[-1].keys()


def test_the_pagination_header_is_documented_as_serialized_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    header = spec["components"]["headers"]["PAGINATION"]
    assert "application/json" in header["content"]
    listed = client.get("/api/v1/projects?page_size=5")
    assert json.loads(listed.headers["X-Pagination"])["total"] == 0
