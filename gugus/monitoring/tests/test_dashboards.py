"""Dashboards (national → province → kab/kota), SVG charts with their tables and CSV, the tile
map, rankings, early warning, drill-through only for victim.view in scope, indices, context
data, settings, the API."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from gugus.audit.models import AuditEvent
from gugus.monitoring import engine, services
from gugus.monitoring.completeness import early_warnings, usual_range
from gugus.monitoring.models import CompositeIndex, ContextValue, IndexComponent
from gugus.monitoring.periods import Period
from gugus.reference.models import Region

from .factories import make_case
from .seed import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(personas):
    seed(n=50)
    engine.rebuild_all()
    return personas


def test_national_dashboard_has_map_ranking_charts_tables_and_csv(built, client_for):
    c = client_for(built.national)
    r = c.get("/monitoring/")
    assert r.status_code == 302 and r["Location"].endswith("/monitoring/wilayah/ID/")
    r = c.get("/monitoring/wilayah/ID/?periode=2026")
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count("<svg") >= 4  # trend, map, breakdowns
    assert "Jabar" in body and 'href="/monitoring/wilayah/32/?periode=2026"' in body  # tile map drill-down
    assert "Peringkat provinsi" in body and "Unduh CSV" in body and "Kelengkapan" in body
    assert "Tabel data" in body
    # The CSV of the map has one row per province.
    r = c.get("/monitoring/wilayah/ID/unduh/map.csv?periode=2026")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + Region.objects.filter(level=1).count()
    for key in ("trend", "ranking", "indicators", "completeness", "victims_identified-sex"):
        assert c.get(f"/monitoring/wilayah/ID/unduh/{key}.csv?periode=2026").status_code == 200
    assert c.get("/monitoring/wilayah/ID/unduh/nothing.csv").status_code == 404


def test_drill_down_national_to_province_to_kabkota(built, client_for):
    c = client_for(built.national)
    prov = c.get("/monitoring/wilayah/32/?periode=2026").content.decode()
    assert "Peringkat kabupaten/kota" in prov and 'href="/monitoring/wilayah/32.12/?periode=2026"' in prov
    kab = c.get("/monitoring/wilayah/32.12/?periode=2026-03")
    assert kab.status_code == 200 and "Maret 2026" in kab.content.decode()
    assert c.get("/monitoring/wilayah/32.12/?periode=2026Q1").status_code == 200


@pytest.mark.parametrize(
    "persona, home, allowed, denied",
    [
        ("province", "32", ["32", "32.12", "32.01"], ["ID", "53", "21.71"]),
        ("executive", "32", ["32", "32.12"], ["ID", "53.71"]),
        ("gt_kab", "32.12", ["32.12"], ["32", "32.01", "ID"]),
        ("cw_a", "32.12", ["32.12"], ["32.01", "32"]),
        ("provider", "21.71", ["21.71"], ["32.12"]),
        ("national", "ID", ["ID", "53", "53.71"], []),
    ],
)
def test_dashboards_are_scoped_by_region(personas, client_for, persona, home, allowed, denied):
    c = client_for(getattr(personas, persona))
    r = c.get("/monitoring/")
    assert r.status_code == 302 and r["Location"].endswith(f"/monitoring/wilayah/{home}/")
    for code in allowed:
        assert c.get(f"/monitoring/wilayah/{code}/").status_code == 200, code
    for code in denied + ["99.99", "32.12.01"]:
        assert c.get(f"/monitoring/wilayah/{code}/").status_code == 404, code


def test_executive_sees_aggregates_but_never_the_records(personas, client_for):
    make_case(region="32.12", date=dt.date(2026, 2, 2))
    engine.rebuild_all()
    c = client_for(personas.executive)
    body = c.get("/monitoring/wilayah/32/?periode=2026").content.decode()
    assert "Korban teridentifikasi" in body and "/monitoring/telusur/" not in body
    assert c.get("/monitoring/telusur/?elemen=victims_identified&wilayah=32&periode=2026").status_code == 404
    assert "/kasus/" not in body


def test_drill_through_lists_only_the_cases_the_user_may_see(built, client_for):
    from gugus.cases.selectors import cases_visible_to
    from gugus.monitoring.elements.cases import counted_q, first_case_q

    period = "2025"
    c = client_for(built.province)
    r = c.get(f"/monitoring/telusur/?elemen=victims_identified&wilayah=32.12&periode={period}")
    assert r.status_code == 200
    body = r.content.decode()
    figure = engine.element_values({("victims_identified", "")}, "32.12", [Period.whole_year(2025)])["2025"][None][
        ("victims_identified", "")
    ]
    expected = cases_visible_to(built.province).filter(
        counted_q(), first_case_q(), region_id="32.12", identification_date__year=2025
    )
    assert expected.count() == figure  # the province sees every case behind its figure
    for case in expected[:5]:
        assert case.case_number in body
    assert AuditEvent.objects.filter(action="monitoring_drill").exists()
    # A case worker of another kab/kota sees none of them (and the region is out of scope).
    assert (
        client_for(built.cw_b)
        .get(f"/monitoring/telusur/?elemen=victims_identified&wilayah=32.12&periode={period}")
        .status_code
        == 404
    )
    # Disaggregated drill-through.
    r = c.get("/monitoring/telusur/?elemen=cases_served&rincian=spm:health&wilayah=32&periode=2025")
    assert r.status_code == 200
    assert (
        c.get("/monitoring/telusur/?elemen=victims_identified&rincian=colour:red&wilayah=32&periode=2025").status_code
        == 404
    )


def test_early_warning_flags_a_rise_above_the_usual_range(personas, client_for):
    for m in range(1, 13):
        make_case(region="32.12", date=dt.date(2025, m, 10))
        if m % 3 == 0:
            make_case(region="32.12", date=dt.date(2025, m, 12))
    for d in range(1, 9):
        make_case(region="32.12", date=dt.date(2026, 1, d))
    make_case(region="32.01", date=dt.date(2026, 1, 3))
    engine.rebuild_all()
    flags = early_warnings(Region.objects.get(code="32"), Period.month(2026, 1))
    assert [w.region for w in flags] == ["32.12"]
    w = flags[0]
    assert w.value == 8 and w.value > w.threshold
    mean, sd, upper = usual_range(w.history, 2.0)
    assert upper == pytest.approx(w.threshold)
    # The minimum count keeps small numbers quiet.
    services.policy_update(actor=personas.national, data={"warning_min_count": 9})
    assert early_warnings(Region.objects.get(code="32"), Period.month(2026, 1)) == []
    services.policy_update(actor=personas.national, data={"warning_min_count": 5})
    body = client_for(personas.province).get("/monitoring/wilayah/32/?periode=2026-01").content.decode()
    assert "Peringatan dini" in body and "di atas rentang biasa" in body


def test_scorecard_and_vulnerability_pages_show_their_method(built, client_for, personas):
    c = client_for(built.province)
    r = c.get("/monitoring/skor/?wilayah=32&tahun=2025")
    assert r.status_code == 200 and "Metode" in r.content.decode() and "Kabupaten Indramayu" in r.content.decode()
    r = c.get("/monitoring/kerentanan/?wilayah=32&tahun=2026")
    assert r.status_code == 200 and "tiga tahun" in r.content.decode()
    r = c.get("/monitoring/kerentanan/?wilayah=32&tahun=2026&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert c.get("/monitoring/skor/?wilayah=53").status_code == 404


def test_vulnerability_index_uses_context_data_and_configurable_weights(built):
    from gugus.monitoring.indices import compute

    text = 'region,year,value\n32.12,2026,12.5\nKab. Bogor,2026,"7,5"\n53.71,2025,20\n'
    res = services.context_import(actor=built.national, series_code="poverty_rate", text=text)
    assert res["rows"] == 3
    assert ContextValue.objects.get(series_id="poverty_rate", region_id="32.01").value == 7.5
    index = CompositeIndex.objects.get(code="vulnerability")
    regions = ["32.12", "32.01", "53.71", "21.71"]
    out = compute(index, "ID", regions, 2026, group="region")
    pov = {r: next(c for c in out[r].components if c.key == "poverty_rate") for r in regions}
    assert pov["53.71"].score == 100 and pov["32.01"].score == 0  # min–max over the compared set
    assert pov["21.71"].value is None
    assert 0 < out["21.71"].coverage < 1
    # Weights are data: only the poverty rate counts now.
    weights = {c.key: 0 for c in index.components.all()} | {"poverty_rate": 1}
    services.index_weights_update(actor=built.national, index=index, weights=weights, expected_version=index.version)
    out = compute(index, "ID", regions, 2026, group="region")
    assert out["53.71"].value == 100 and out["53.71"].rank == 1 and out["21.71"].value is None
    with pytest.raises(Exception):  # noqa: B017
        services.index_weights_update(
            actor=built.national, index=index, weights={"poverty_rate": -1}, expected_version=index.version + 1
        )


def test_context_import_refuses_bad_rows_and_saves_nothing(personas, client_for):
    built = personas
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.context_import(
            actor=built.national,
            series_code="poverty_rate",
            text="region,year,value\n32.12,2026,12\nKota Atlantis,2026,3\n32.01,2026,140\n",
        )
    msg = str(exc.value)
    assert "Baris 3" in msg and "Baris 4" in msg
    assert not ContextValue.objects.exists()
    upload = io.BytesIO(b"region,year,value\n32.12,2026,12\n")
    upload.name = "miskin.csv"
    r = client_for(built.national).post("/monitoring/konteks/", {"series": "poverty_rate", "file": upload})
    assert r.status_code == 302 and ContextValue.objects.count() == 1
    assert client_for(built.province).post("/monitoring/konteks/", {"series": "poverty_rate"}).status_code == 403


def test_performance_index_ranks_regions_with_enough_coverage(built):
    from gugus.monitoring.indices import compute

    index = CompositeIndex.objects.get(code="performance")
    kids = list(Region.objects.filter(parent_id="32").values_list("code", flat=True))
    out = compute(index, "32", kids, 2025)
    ranked = sorted((r for r in out.values() if r.rank), key=lambda r: r.rank)
    assert ranked and all(0 <= r.value <= 100 for r in ranked)
    assert all(r.coverage >= 0.5 for r in ranked)
    assert [r.value for r in ranked] == sorted((r.value for r in ranked), reverse=True)
    assert IndexComponent.objects.filter(index=index).count() >= 10


def test_settings_page_is_for_the_national_secretariat(personas, client_for):
    built = personas
    assert client_for(built.province).get("/monitoring/pengaturan/").status_code == 403
    c = client_for(built.national)
    assert c.get("/monitoring/pengaturan/").status_code == 200
    index = CompositeIndex.objects.get(code="performance")
    r = c.post(
        "/monitoring/pengaturan/",
        {"what": "weights", "index": "performance", "version": index.version, "w_spm_health": "20"},
    )
    assert r.status_code == 302
    assert IndexComponent.objects.get(index=index, key="spm_health").weight == 20


def test_catalogue_pages(personas, client_for):
    built = personas
    c = client_for(built.executive)
    body = c.get("/monitoring/indikator/").content.decode()
    assert "spm_health" in body and "Tambah indikator" not in body
    assert c.get("/monitoring/indikator/spm_health/?wilayah=32").status_code == 200
    assert c.get("/monitoring/indikator/nope/").status_code == 404
    assert c.get("/monitoring/indikator/spm_health/?wilayah=53").status_code == 404
    assert "victims_identified" in c.get("/monitoring/elemen/").content.decode()
    assert c.get("/monitoring/konteks/").status_code == 200


def test_region_portrait_shows_the_indicator_section(built, client_for):
    r = client_for(built.province).get("/wilayah/32/?tahun=2025")
    if r.status_code != 200:
        pytest.skip("registry portrait not available")
    assert "Dasbor lengkap" in r.content.decode()


def test_api_indicators_values_elements_and_dashboards(built, api_for):
    api = api_for(built.province)
    r = api.get("/api/v1/indicators?limit=5")
    assert r.status_code == 200 and r.json()["count"] >= 30 and len(r.json()["items"]) == 5
    r = api.get("/api/v1/indicators/child_share/values?region=32&period=2025&children=true")
    data = r.json()
    assert r.status_code == 200 and data["region"] == "32" and len(data["children"]) == 27
    r = api.get("/api/v1/indicators/child_share/values?region=32.12&period=2025-13")
    assert r.status_code == 422
    assert api.get("/api/v1/indicators/child_share/values?region=53").status_code == 404
    assert api.get("/api/v1/indicators/nope/values?region=32").status_code == 404
    r = api.get("/api/v1/data-elements?limit=200")
    assert r.status_code == 200 and any(e["code"] == "victims_identified" for e in r.json()["items"])
    r = api.get("/api/v1/dashboards/32?period=2026")
    d = r.json()
    assert r.status_code == 200 and d["region"]["code"] == "32" and "trend" in d["charts"]
    assert "identity" not in r.content.decode().lower()
    assert api.get("/api/v1/dashboards/ID").status_code == 404
    r = api.post(
        "/api/v1/indicators",
        {"code": "x_test", "name_id": "x", "definition": "x", "numerator": "victims_identified"},
        content_type="application/json",
    )
    assert r.status_code == 403
    nat = api_for(built.national)
    r = nat.post(
        "/api/v1/indicators",
        {"code": "x_test", "name_id": "x", "definition": "x", "numerator": "victims_identfied"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "numerator" in r.json()["errors"]
    r = nat.post(
        "/api/v1/indicators",
        {
            "code": "x_test",
            "name_id": "x",
            "definition": "x",
            "numerator": "victims_identified",
            "denominator": "population",
            "factor": 100000,
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    r = nat.put("/api/v1/indicators/x_test/targets", {"year": 2026, "value": 5}, content_type="application/json")
    assert r.status_code == 200 and r.json()["targets"][0]["value"] == 5
    assert api_for(None).get("/api/v1/indicators").status_code == 401


def test_a_new_target_shows_at_once_on_a_cached_dashboard(personas, django_capture_on_commit_callbacks):
    from gugus.monitoring.dashboard import dashboard_data
    from gugus.monitoring.models import Indicator

    engine.rebuild_all()
    region = Region.objects.get(code="32")
    period = Period.whole_year(2026)
    before = {k["code"]: k for k in dashboard_data(region, period)["kpis"]}
    assert before["spm_health"]["target"] is None
    with django_capture_on_commit_callbacks(execute=True):
        services.indicator_target_set(
            actor=personas.national, indicator=Indicator.objects.get(code="spm_health"), year=2026, value=77
        )
    after = {k["code"]: k for k in dashboard_data(region, period)["kpis"]}
    assert after["spm_health"]["target"] == 77


def test_indicator_numerators_link_to_their_records_for_case_readers_only(built, client_for):
    body = client_for(built.province).get("/monitoring/wilayah/32/?periode=2025").content.decode()
    assert "elemen=cases_served&amp;rincian=spm%3Ahealth" in body or "elemen=cases_served&rincian=spm%3Ahealth" in body
    r = client_for(built.province).get(
        "/monitoring/telusur/?elemen=cases_served&rincian=spm:health&wilayah=32&periode=2025"
    )
    assert r.status_code == 200
    body = client_for(built.executive).get("/monitoring/wilayah/32/?periode=2025").content.decode()
    assert "/monitoring/telusur/" not in body


def test_drill_through_counts_at_most_a_cap_of_cases(built, client_for, monkeypatch):
    """A national figure stands for very many cases: the page counts up to a cap and says so."""
    from gugus.monitoring.views import CappedPaginator

    c = client_for(built.province)
    url = "/monitoring/telusur/?elemen=victims_identified&wilayah=32&periode=2025"
    body = c.get(url).content.decode()
    assert "lebih dari" not in body
    shown = int(body.split("boleh Anda lihat: ", 1)[1].split(" kasus", 1)[0])
    assert shown >= 2
    monkeypatch.setattr(CappedPaginator, "CAP", shown - 1)
    assert f"lebih dari {shown - 1} kasus" in c.get(url).content.decode()
