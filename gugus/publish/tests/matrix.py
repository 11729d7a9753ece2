"""Permission matrix of the publish app: open data (public), help directory (public), releases,
annual reports."""

from __future__ import annotations

from gugus.core.tests.matrix import MatrixCase


def build(world) -> None:
    from gugus.publish import services
    from gugus.publish.models import ReportJob

    p = world.personas
    world.objects["publish.release"] = services.release_create(actor=p.national, title="Matriks")
    world.objects["publish.report_32"] = ReportJob.objects.create(
        region_id="32",
        year=2025,
        requested_by=p.province,
        status=ReportJob.Status.DONE,
        progress=100,
        pdf=b"%PDF-1.7 matriks",
        xlsx=b"PK",
    )


def matrix_cases(world) -> list[MatrixCase]:
    job = world.objects["publish.report_32"].pk
    everyone = [
        "cw_a",
        "cw_b",
        "sv_a",
        "provider",
        "police",
        "gt_kab",
        "province",
        "steward",
        "national",
        "executive",
        "admin",
        "anonymous",
    ]
    cases = []

    def add(method, url, body, expectations: dict):
        for persona, status in expectations.items():
            cases.append(MatrixCase(method, url, body, persona, status))

    for url in (
        "/data-terbuka/",
        "/data-terbuka/datapackage.json",
        "/bantuan/",
        "/bantuan/?q=Kota+Batam",
        "/api/v1/opendata/",
        "/api/v1/opendata/releases",
        "/api/v1/opendata/datapackage.json",
        "/api/v1/help-directory?q=Batam",
    ):
        add("GET", url, None, dict.fromkeys(everyone, 200))
    add("GET", "/data-terbuka/tidak-ada/", None, {"anonymous": 404})
    add("GET", "/api/v1/opendata/tidak-ada", None, {"anonymous": 404})
    add(
        "GET",
        "/data-terbuka/terbitkan/",
        None,
        {
            "national": 200,
            "steward": 200,
            "cw_a": 404,
            "province": 404,
            "executive": 404,
            "admin": 404,
            "anonymous": 302,
        },
    )
    add("POST", "/data-terbuka/terbitkan/", {"method": "dp"}, {"national": 422, "cw_a": 404, "executive": 404})
    add(
        "POST",
        "/api/v1/opendata/releases",
        {"method": "dp"},
        {"national": 422, "steward": 422, "cw_a": 404, "executive": 404, "anonymous": 401},
    )
    add(
        "GET",
        "/laporan/",
        None,
        {
            "province": 200,
            "executive": 200,
            "national": 200,
            "gt_kab": 200,
            "steward": 200,
            "cw_a": 404,
            "provider": 404,
            "admin": 404,
            "anonymous": 302,
        },
    )
    add(
        "GET",
        f"/laporan/{job}/",
        None,
        {
            "province": 200,
            "executive": 200,
            "national": 200,
            "steward": 200,
            "gt_kab": 404,
            "cw_a": 404,
            "province_ntt": 404,
            "anonymous": 302,
        },
    )
    add("GET", f"/laporan/{job}.pdf", None, {"province": 200, "executive": 200, "province_ntt": 404, "cw_a": 404})
    add("GET", f"/laporan/{job}.exe", None, {"province": 404})
    add("POST", "/laporan/", {"region": "32", "year": "1800"}, {"province": 422, "executive": 404, "cw_a": 404})
    add("POST", "/laporan/", {"region": "53", "year": "2025"}, {"province": 422})
    add("GET", "/api/v1/reports", None, {"province": 200, "executive": 200, "cw_a": 404, "anonymous": 401})
    add(
        "GET",
        f"/api/v1/reports/{job}",
        None,
        {"province": 200, "executive": 200, "province_ntt": 404, "cw_a": 404, "anonymous": 401},
    )
    add("GET", f"/api/v1/reports/{job}.pdf", None, {"executive": 200, "cw_b": 404})
    add(
        "POST",
        "/api/v1/reports",
        {"region": "32", "year": 1800},
        {"province": 422, "executive": 404, "cw_a": 404, "anonymous": 401},
    )
    return cases
