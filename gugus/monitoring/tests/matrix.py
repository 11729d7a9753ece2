"""Permission matrix of gugus.monitoring: every page and API endpoint × personas × in/out of scope.

Aggregates: any role with monitoring.view, for the regions its grants cover (region-reach roles
their membership region's subtree; organisation-reach roles their organisation's kab/kota).
Out of scope → 404. Missing permission → 403. Drill-through to records: victim.view in scope.
Month closing: monitoring.close in scope. Indicators, targets, weights, context: indicator.edit.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

try:
    from gugus.core.tests.matrix import MatrixCase, World
except ImportError:  # pragma: no cover - the shared framework may not exist yet
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class MatrixCase:
        method: str
        url: str
        body: dict | None
        persona: str
        expected: int | tuple[int, ...]
        note: str = ""

        @property
        def is_api(self) -> bool:
            return self.url.startswith("/api/")

    @dataclass
    class World:
        personas: object
        objects: dict = field(default_factory=dict)


ALL = ["cw_a", "cw_b", "sv_a", "provider", "police", "gt_kab", "province", "steward", "national", "executive", "admin"]
# Who may see aggregates of which region (True = in scope).
SEES = {
    "ID": {"national", "admin"},
    "32": {"province", "steward", "executive", "national", "admin"},
    "32.12": {"cw_a", "sv_a", "gt_kab", "province", "steward", "executive", "national", "admin"},
    "21.71": {"provider", "police", "national", "admin"},
}
DRILL = {"32.12": {"cw_a", "sv_a", "gt_kab", "province", "steward", "national"}}
CLOSE = {"gt_kab", "province", "steward"}  # monitoring.close; covering 32.12
EDIT = {"national", "admin"}  # indicator.edit


def build(world: World) -> None:
    from gugus.monitoring import engine
    from gugus.monitoring.tests.factories import make_case

    world.objects["monitoring.case"] = make_case(region="32.12", date=dt.date(2026, 2, 2), origin="32.12")
    engine.rebuild_all()


def _prev_month() -> str:
    today = timezone.localdate()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _scoped(method: str, url: str, region: str, ok: int = 200, body=None) -> list[MatrixCase]:
    return [MatrixCase(method, url, body, p, ok if p in SEES[region] else 404) for p in ALL]


def matrix_cases(world: World) -> list[MatrixCase]:
    month = _prev_month()
    cases: list[MatrixCase] = []
    add = cases.extend
    # Pages --------------------------------------------------------------
    add(MatrixCase("GET", "/monitoring/", None, p, 302) for p in ALL)
    for region in ("ID", "32", "32.12", "21.71"):
        add(_scoped("GET", f"/monitoring/wilayah/{region}/?periode=2026", region))
    add(_scoped("GET", "/monitoring/wilayah/32.12/unduh/trend.csv?periode=2026", "32.12"))
    add(_scoped("GET", "/monitoring/wilayah/32/unduh/ranking.csv?periode=2026", "32"))
    add(MatrixCase("GET", "/monitoring/indikator/", None, p, 200) for p in ALL)
    add(_scoped("GET", "/monitoring/indikator/spm_health/?wilayah=32.12", "32.12"))
    add(MatrixCase("GET", "/monitoring/elemen/", None, p, 200) for p in ALL)
    add(_scoped("GET", "/monitoring/kelengkapan/?wilayah=32.12&periode=2026", "32.12"))
    add(_scoped("GET", "/monitoring/skor/?wilayah=32&tahun=2026", "32"))
    add(_scoped("GET", "/monitoring/kerentanan/?wilayah=32.12&tahun=2026", "32.12"))
    add(MatrixCase("GET", "/monitoring/konteks/", None, p, 200) for p in ALL)
    add(
        MatrixCase(
            "GET",
            "/monitoring/telusur/?elemen=victims_identified&wilayah=32.12&periode=2026",
            None,
            p,
            200 if p in DRILL["32.12"] else 404,
        )
        for p in ALL
    )
    add(MatrixCase("GET", "/monitoring/indikator/baru/", None, p, 200 if p in EDIT else 403) for p in ALL)
    add(MatrixCase("GET", "/monitoring/indikator/spm_health/ubah/", None, p, 200 if p in EDIT else 403) for p in ALL)
    add(MatrixCase("GET", "/monitoring/pengaturan/", None, p, 200 if p in EDIT else 403) for p in ALL)
    add(
        MatrixCase(
            "POST",
            "/monitoring/indikator/spm_health/target/",
            {"year": 2026, "value": "80"},
            p,
            302 if p in EDIT else 403,
        )
        for p in ALL
    )
    add(
        MatrixCase("POST", "/monitoring/penutupan/", {"region": "32.12", "month": month}, p, 302 if p in CLOSE else 403)
        for p in ALL
    )
    add(
        MatrixCase(
            "POST",
            "/monitoring/penutupan/",
            {"region": "32.01", "month": month},
            p,
            302 if p in ("province", "steward") else (404 if p == "gt_kab" else 403),
        )
        for p in ALL
    )
    # API ------------------------------------------------------------------
    add(MatrixCase("GET", "/api/v1/indicators", None, p, 200) for p in ALL)
    add(MatrixCase("GET", "/api/v1/indicators/spm_health", None, p, 200) for p in ALL)
    add(MatrixCase("GET", "/api/v1/data-elements", None, p, 200) for p in ALL)
    add(MatrixCase("GET", "/api/v1/closings", None, p, 200) for p in ALL)
    for region in ("32", "32.12", "ID"):
        add(_scoped("GET", f"/api/v1/indicators/child_share/values?region={region}&period=2026", region))
        add(_scoped("GET", f"/api/v1/dashboards/{region}?period=2026", region))
        add(_scoped("GET", f"/api/v1/completeness?region={region}&period=2026", region))
    add(
        MatrixCase(
            "POST", "/api/v1/closings", {"region": "32.12", "month": month}, p, (201, 409) if p in CLOSE else 403
        )
        for p in ALL
    )
    add(
        MatrixCase("POST", "/api/v1/closings", {"region": "53.71", "month": month}, p, 404 if p in CLOSE else 403)
        for p in ALL
    )
    add(
        MatrixCase(
            "POST",
            "/api/v1/indicators",
            {"code": "matrix_test", "name_id": "Uji", "definition": "Uji", "numerator": "cases_identified"},
            p,
            (201, 422) if p in EDIT else 403,
        )
        for p in ALL
    )
    add(
        MatrixCase(
            "PUT", "/api/v1/indicators/spm_health/targets", {"year": 2026, "value": 70}, p, 200 if p in EDIT else 403
        )
        for p in ALL
    )
    # Anonymous: pages redirect to the login, the API answers 401.
    add(
        [
            MatrixCase("GET", "/monitoring/wilayah/32/", None, "anonymous", 302),
            MatrixCase("GET", "/api/v1/indicators", None, "anonymous", 401),
            MatrixCase("GET", "/api/v1/dashboards/32", None, "anonymous", 401),
            MatrixCase("POST", "/api/v1/closings", {"region": "32.12", "month": month}, "anonymous", 401),
        ]
    )
    return cases
