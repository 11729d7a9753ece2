"""The partner API: import through the API with a token, exports, OpenAPI documentation."""

from __future__ import annotations

import io

import pytest

from gugus.cases.models import Case

from .helpers import HEADER, victim_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_import_through_the_api(personas, api_for):
    api = api_for(personas.cw_a)
    f = io.BytesIO(xlsx_bytes(victim_rows(3), HEADER))
    f.name = "data.xlsx"
    r = api.post("/api/v1/imports", {"kind": "victims", "file": f})
    assert r.status_code == 201, r.content
    batch = r.json()
    assert batch["status"] == "validated" and batch["rows_valid"] == 3
    r = api.post(f"/api/v1/imports/{batch['id']}/commit", data={"mode": "valid_only"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "committed"
    assert Case.objects.count() == 3
    rows = api.get(f"/api/v1/imports/{batch['id']}/rows").json()
    assert rows["count"] == 3 and all(x["status"] == "committed" for x in rows["items"])
    # a second commit is refused
    r = api.post(f"/api/v1/imports/{batch['id']}/commit", data={"mode": "valid_only"}, content_type="application/json")
    assert r.status_code == 422


def test_api_upload_errors_are_422(personas, api_for):
    api = api_for(personas.cw_a)
    f = io.BytesIO(b"PK\x03\x04 not really")
    f.name = "x.xlsm"
    r = api.post("/api/v1/imports", {"kind": "victims", "file": f})
    assert r.status_code == 422
    assert "makro" in r.json()["errors"]["file"][0]
    r = api.post("/api/v1/imports", {"kind": "victims"})
    assert r.status_code == 422


def test_openapi_documents_the_partner_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for p in (
        "/api/v1/imports",
        "/api/v1/exports/ctdc",
        "/api/v1/exports/htcds",
        "/api/v1/exports/{kind}.csv",
        "/api/v1/opendata/{dataset}",
        "/api/v1/opendata/datapackage.json",
        "/api/v1/help-directory",
        "/api/v1/reports",
    ):
        assert p in paths, p
    assert "multipart/form-data" in paths["/api/v1/imports"]["post"]["requestBody"]["content"]


def test_template_has_dropdowns_from_a_hidden_sheet(personas, client_for):
    import openpyxl

    r = client_for(personas.cw_a).get("/pertukaran/templat/victims.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Data", "Petunjuk", "_daftar"]
    assert wb["_daftar"].sheet_state == "hidden"
    ws = wb["Data"]
    sources = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert sources and all(s.startswith("'_daftar'!") for s in sources)
    regions = [c.value for c in wb["_daftar"]["A"] if c.value]
    lists = {wb["_daftar"].cell(1, i).value: i for i in range(1, 40) if wb["_daftar"].cell(1, i).value}
    col = lists["Wilayah domisili"]
    values = [wb["_daftar"].cell(r, col).value for r in range(2, 700) if wb["_daftar"].cell(r, col).value]
    assert "Kabupaten Indramayu (32.12)" in values and len(values) > 500
    assert regions
    # the template itself is importable: a filled row validates
    from gugus.exchange.importers import VICTIMS

    assert [c.value for c in ws[1]][0].startswith("ID Eksternal")
    assert len(list(ws[1])) == len(VICTIMS.all_fields)
