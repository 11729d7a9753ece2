"""Permission matrix of gugus.audit: the trail (page and API) for holders of `audit.view`
(supervisors, province/national secretariats, administrators); everyone else 404.
Framework: gugus/core/tests/matrix.py."""

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
HOLDERS = {"sv_a", "province", "national", "admin"}
K = "audit."


def build(world: World) -> None:
    from gugus.audit.services import record

    p = world.personas
    world.objects[K + "in_a"] = record(
        "matrix_event",
        actor=p.cw_a,
        object_type="case",
        object_id="matrix-a",
        region_code="32.12",
        organisation_id=p.orgs["uptd-3212"].pk,
    )
    world.objects[K + "out"] = record(
        "matrix_event",
        actor=p.cw_kupang,
        object_type="case",
        object_id="matrix-k",
        region_code="53.71",
        organisation_id=p.orgs["uptd-5371"].pk,
    )


def each(method: str, url: str, expected_holder: int, expected_other: int, anonymous: int) -> list[MatrixCase]:
    out = []
    for who in PERSONAS:
        expected = anonymous if who == "anonymous" else expected_holder if who in HOLDERS else expected_other
        out.append(MatrixCase(method, url, None, who, expected))
    return out


def matrix_cases(world: World) -> list[MatrixCase]:
    cases: list[MatrixCase] = []
    for url in (
        "/api/v1/audit/events",
        "/api/v1/audit/events?object_type=case&limit=5",
        "/api/v1/audit/events?object_id=matrix-k",
        "/api/v1/audit/events?action=login&offset=100000",
    ):
        cases += each("GET", url, 200, 404, 401)
    # malformed filters: the schema answers 422 before anything is looked up
    cases += each("GET", "/api/v1/audit/events?since=kemarin", 422, 422, 401)
    for url in (
        "/audit/",
        "/audit/?action=matrix_event&page=2",
        "/audit/?since=2026-01-01&until=2025-01-01",
        "/audit/?object_id=matrix-k",
    ):
        cases += each("GET", url, 200, 404, 302)
    cases += each("POST", "/api/v1/audit/events", 405, 405, 405)  # method checked before auth
    return cases
