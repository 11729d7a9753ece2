"""Permission matrix of the exchange app: imports, templates, exports, standard exports."""

from __future__ import annotations

import datetime as dt
import io

from gugus.core.tests.matrix import MatrixCase


def build(world) -> None:
    from gugus.cases.services import VictimData, victim_register
    from gugus.exchange import services

    from .helpers import HEADER, victim_rows, xlsx_bytes

    p = world.personas
    victim_register(
        actor=p.cw_a,
        data=VictimData(
            sex="female",
            identification_date=dt.date(2025, 1, 5),
            identification_channel="hotline",
            full_name="Matriks",
            estimated_age=22,
        ),
    )
    batch = services.import_upload(
        actor=p.cw_a, kind="victims", fileobj=io.BytesIO(xlsx_bytes(victim_rows(2), HEADER)), filename="matriks.xlsx"
    )
    world.objects["exchange.batch_a"] = services.import_validate_run(batch.pk)


def matrix_cases(world) -> list[MatrixCase]:
    b = world.objects["exchange.batch_a"].pk
    cases = []

    def add(method, url, body, expectations: dict):
        for persona, status in expectations.items():
            cases.append(MatrixCase(method, url, body, persona, status))

    add(
        "GET",
        "/pertukaran/",
        None,
        {
            "cw_a": 200,
            "sv_a": 200,
            "gt_kab": 200,
            "province": 200,
            "national": 200,
            "steward": 200,
            "executive": 404,
            "provider": 404,
            "police": 404,
            "admin": 404,
            "anonymous": 302,
        },
    )
    add(
        "GET",
        "/pertukaran/impor/baru/",
        None,
        {
            "cw_a": 200,
            "gt_kab": 200,
            "steward": 200,
            "executive": 404,
            "police": 404,
            "provider": 404,
            "anonymous": 302,
        },
    )
    add(
        "GET",
        f"/pertukaran/impor/{b}/",
        None,
        {"cw_a": 200, "sv_a": 200, "cw_b": 404, "province": 404, "national": 404, "executive": 404, "anonymous": 302},
    )
    add("GET", f"/pertukaran/impor/{b}/progres/", None, {"cw_a": 200, "cw_b": 404, "anonymous": 302})
    add("GET", f"/pertukaran/impor/{b}/kesalahan/", None, {"cw_a": 200, "sv_a": 404, "cw_b": 404, "anonymous": 302})
    add(
        "POST",
        f"/pertukaran/impor/{b}/simpan/",
        {"mode": "bogus"},
        {"cw_b": 404, "executive": 404, "anonymous": 302, "cw_a": 302},
    )
    add("POST", f"/pertukaran/impor/{b}/batal/", {}, {"cw_b": 404, "province": 404})
    add("POST", f"/pertukaran/impor/{b}/urungkan/", {}, {"cw_b": 404, "executive": 404})
    add(
        "GET",
        "/pertukaran/templat/victims.xlsx",
        None,
        {"cw_a": 200, "sv_a": 200, "gt_kab": 404, "executive": 404, "anonymous": 302},
    )
    add("GET", "/pertukaran/templat/budgets.xlsx", None, {"gt_kab": 200, "province": 200, "cw_a": 404})
    add(
        "GET",
        "/pertukaran/ekspor/",
        None,
        {"cw_a": 200, "province": 200, "executive": 404, "provider": 404, "anonymous": 302},
    )
    add(
        "GET",
        "/pertukaran/ekspor/cases.csv",
        None,
        {
            "cw_a": 200,
            "cw_b": 200,
            "province": 200,
            "national": 200,
            "executive": 404,
            "provider": 404,
            "police": 404,
            "admin": 404,
            "anonymous": 302,
        },
    )
    add("GET", "/pertukaran/ekspor/cases.xlsx", None, {"sv_a": 200, "executive": 404})
    add("GET", "/pertukaran/ekspor/nothing.csv", None, {"cw_a": 404})
    add(
        "GET",
        "/pertukaran/ekspor/standar/ctdc.csv",
        None,
        {"cw_a": 200, "national": 200, "executive": 404, "provider": 404, "anonymous": 302},
    )
    add("GET", "/pertukaran/ekspor/standar/htcds.csv", None, {"province": 200, "admin": 404})
    # API
    add(
        "GET",
        "/api/v1/imports",
        None,
        {"cw_a": 200, "gt_kab": 200, "executive": 404, "provider": 404, "anonymous": 401},
    )
    add("GET", "/api/v1/imports/kinds", None, {"cw_a": 200, "executive": 200, "anonymous": 401})
    add(
        "GET",
        f"/api/v1/imports/{b}",
        None,
        {"cw_a": 200, "sv_a": 200, "cw_b": 404, "national": 404, "executive": 404, "anonymous": 401},
    )
    add("GET", f"/api/v1/imports/{b}/rows", None, {"cw_a": 200, "cw_b": 404})
    add("GET", f"/api/v1/imports/{b}/errors", None, {"cw_a": 200, "sv_a": 404, "cw_b": 404})
    add(
        "POST", f"/api/v1/imports/{b}/commit", {"mode": "valid_only"}, {"cw_b": 404, "executive": 404, "anonymous": 401}
    )
    add("POST", f"/api/v1/imports/{b}/undo", None, {"cw_b": 404})
    add("GET", "/api/v1/imports/templates/victims.xlsx", None, {"cw_a": 200, "gt_kab": 404, "anonymous": 401})
    add(
        "GET",
        "/api/v1/exports/cases.csv",
        None,
        {"cw_a": 200, "province": 200, "executive": 404, "provider": 404, "anonymous": 401},
    )
    add("GET", "/api/v1/exports/cases.xlsx", None, {"national": 200, "executive": 404})
    add("POST", "/api/v1/exports/cases", {"format": "csv"}, {"cw_a": 200, "executive": 404, "anonymous": 401})
    add(
        "POST",
        "/api/v1/exports/cases",
        {"format": "csv", "identities": True, "password": "x"},
        {"cw_a": 422, "province": 422},
    )
    add("GET", "/api/v1/exports/ctdc", None, {"cw_a": 200, "national": 200, "executive": 404, "anonymous": 401})
    add("GET", "/api/v1/exports/htcds", None, {"province": 200, "provider": 404})
    return cases
