"""Permission matrix of gugus.reference: reference data is readable by every signed-in role
(nothing personal in it), anonymous gets 401; unknown codes answer 404; the admin of reference
data is for administrators. Framework: gugus/core/tests/matrix.py."""

from __future__ import annotations

from gugus.core.tests.matrix import MatrixCase, World

PERSONAS = [
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


def each(method: str, url: str, expected: dict, default) -> list[MatrixCase]:
    return [MatrixCase(method, url, None, who, expected.get(who, default)) for who in PERSONAS]


def matrix_cases(world: World) -> list[MatrixCase]:
    cases: list[MatrixCase] = []
    for url in (
        "/api/v1/reference/regions?q=Kab.%20Indramayu",
        "/api/v1/reference/regions?q=Bogor",
        "/api/v1/reference/regions?parent=32&level=2",
        "/api/v1/reference/regions/32.12",
        "/api/v1/reference/countries",
        "/api/v1/reference/codelists",
        "/api/v1/reference/codelists/org_type",
    ):
        cases += each("GET", url, {"anonymous": 401}, 200)
    for url in (
        "/api/v1/reference/regions/99.99",
        "/api/v1/reference/regions/bukan-kode",
        "/api/v1/reference/codelists/tidak-ada",
    ):
        cases += each("GET", url, {"anonymous": 401}, 404)
    cases += each("GET", "/api/v1/reference/regions?level=x", {"anonymous": 401}, 422)
    cases += each("POST", "/api/v1/reference/regions", {}, 405)  # method checked before auth
    for url in (
        "/admin/reference/region/",
        "/admin/reference/region/32.12/change/",
        "/admin/reference/codelist/",
        "/admin/reference/country/",
    ):
        cases += each("GET", url, {"admin": 200}, 302)
    return cases
