"""The open-data portal: releases, public API and pages, metadata, HXL, datapackage, DP."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from gugus.audit.models import AuditEvent
from gugus.publish import opendata, services
from gugus.publish.models import Release

from .factories import make_cases

pytestmark = pytest.mark.django_db
K = 11


@pytest.fixture
def world(personas):
    make_cases(personas.cw_a, 14, 2024, origin="32.12")
    make_cases(personas.cw_a, 3, 2024, origin="32.01", sex="male", age=15, forms=("prostitution",))
    make_cases(personas.cw_kupang, 9, 2024, origin="53.71", age=40)
    make_cases(personas.cw_kupang, 13, 2025, origin="53.71", citizenship_status="wna", citizenship="TL")
    make_cases(personas.cw_a, 4, 2023, origin="32.12")  # 2023 has < 11 victims nationally: not published
    return personas


def _all_cells(rel: Release):
    return [v for t in rel.tables.values() for row in t["values"] for v in row]


def test_release_never_publishes_a_cell_below_threshold(world):
    rel = services.release_create(actor=world.national, method="suppression")
    assert rel.years == [2024, 2025]
    assert all(v is None or v == 0 or v >= K for v in _all_cells(rel))
    assert set(rel.tables) == set(opendata.DATASETS)
    prov = rel.tables["korban-provinsi-tahun"]
    assert prov["values"][-1][-1] == 39  # grand total published
    assert AuditEvent.objects.filter(action="opendata_release", object_id=str(rel.pk)).exists()


def test_only_publishers_may_release(world):
    for who in (world.cw_a, world.executive, world.province):
        with pytest.raises(ValidationError):
            services.release_create(actor=who)


def test_public_api_without_login(world, client):
    rel = services.release_create(actor=world.national, synthetic_epsilon=None)
    r = client.get("/api/v1/opendata/")
    assert r.status_code == 200
    slugs = {d["slug"] for d in r.json()}
    assert "korban-jenis-kelamin" in slugs
    meta = r.json()[0]["metadata"]
    for key in ("konsep", "definisi", "klasifikasi", "satuan", "sumber_data", "tanggal_rilis"):
        assert meta[key]
    t = client.get("/api/v1/opendata/korban-provinsi-tahun").json()
    assert all(v is None or v == 0 or v >= K for row in t["values"] for v in row)
    assert client.get("/api/v1/opendata/tidak-ada").status_code == 404
    releases = client.get("/api/v1/opendata/releases").json()
    assert releases["items"][0]["id"] == str(rel.pk)


def test_csv_has_hxl_row_and_datapackage_describes_it(world, client):
    services.release_create(actor=world.national)
    r = client.get("/data-terbuka/korban-jenis-kelamin.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0][0] == "tahun" and rows[1][0] == "#date+year"
    assert all(cell.startswith("#") for cell in rows[1])
    dp = client.get("/data-terbuka/datapackage.json").json()
    assert dp["profile"] == "data-package"
    res = {x["name"]: x for x in dp["resources"]}
    assert res["korban-jenis-kelamin"]["path"] == "korban-jenis-kelamin.csv"
    assert res["korban-jenis-kelamin"]["dialect"]["commentRows"] == [2]
    assert res["korban-jenis-kelamin"]["x_satu_data"]["satuan"] == "orang (korban)"


def test_pages_are_public(world, client):
    services.release_create(actor=world.national)
    assert client.get("/data-terbuka/").status_code == 200
    r = client.get("/data-terbuka/korban-provinsi-tahun/")
    assert r.status_code == 200
    assert "Metadata" in r.content.decode()


def test_dp_release_records_epsilon_and_keeps_threshold(world, client):
    rel = services.release_create(actor=world.national, method="dp", epsilon=2.0, years=[2024, 2025])
    assert rel.epsilon == 2.0
    assert rel.accounting["epsilon_total"] == 2.0
    assert sum(t["epsilon"] for t in rel.accounting["tables"].values()) == pytest.approx(2.0)
    assert all(v is None or v == 0 or v >= K for v in _all_cells(rel))
    with pytest.raises(ValidationError):
        services.release_create(actor=world.national, method="dp")  # ε required
    with pytest.raises(ValidationError):
        services.release_create(actor=world.national, method="dp", epsilon=50)


def test_synthetic_file_carries_epsilon(world, client, monkeypatch):
    import random

    rng = random.Random(3)
    records = [
        {
            "year": rng.choice([2024, 2025]),
            "province": rng.choice(["32", "53", "21"]),
            "sex": rng.choice(["female", "male"]),
            "age": rng.choice(["0_17", "18_24", "25_39"]),
            "exploitation": rng.choice(["labour", "sexual"]),
            "citizenship": "wni",
        }
        for _ in range(600)
    ]
    monkeypatch.setattr(opendata, "victim_records", lambda **kw: records)
    rel = services.release_create(actor=world.national, synthetic_epsilon=4.0)
    assert rel.synthetic_csv and rel.synthetic_meta["epsilon"] == 4.0
    r = client.get("/api/v1/opendata/synthetic.csv")
    assert r.status_code == 200
    lines = r.content.decode().splitlines()
    assert lines[0].startswith("year,") and lines[1].startswith("#date+year")
    dp = client.get("/api/v1/opendata/datapackage.json").json()
    assert dp["x_privacy"]["synthetic_epsilon"] == 4.0


def test_no_synthetic_file_from_too_few_records(world):
    rel = services.release_create(actor=world.national, synthetic_epsilon=4.0)
    assert not rel.synthetic_csv and rel.synthetic_epsilon is None
    assert "Tidak dibuat" in rel.synthetic_meta["note"]


def test_suppressed_tables_recoverability_on_real_release(world):
    from gugus.publish import suppression

    rel = services.release_create(actor=world.national)
    for slug, t in rel.tables.items():
        values = t["values"]
        if sum(v is None for row in values for v in row) and len(values) * len(values[0]) <= 20:
            assert suppression.recoverable_cells(values) == set(), slug


def test_demo_creates_one_release(world):
    from gugus.core.demo import DemoContext
    from gugus.publish import demo

    ctx = DemoContext(seed=1, victims=0)
    ctx.users.update(world.ctx.users)
    demo.populate(ctx)
    demo.populate(ctx)  # idempotent
    rel = Release.objects.get(is_demo=True)
    assert rel.tables and all(v is None or v == 0 or v >= K for v in _all_cells(rel))


def test_publishing_with_no_publishable_year_says_so(personas, client_for):
    """Fewer than k victims in every year: the release holds no table, and the publisher is told
    so instead of a plain "published" (the browser journey once hit this silently)."""
    make_cases(personas.cw_a, 3, 2024, origin="32.12")
    client = client_for(personas.national)
    r = client.post("/data-terbuka/terbitkan/", {"title": "Kosong"}, follow=True)
    assert r.status_code == 200
    rel = Release.objects.get(title="Kosong")
    assert rel.tables == {}
    page = r.content.decode()
    assert "tanpa tabel" in page and f"sedikitnya {K} korban" in page


def test_publishing_a_year_with_k_victims_gives_a_csv(personas, client_for, client):
    make_cases(personas.cw_a, K, 2024, origin="32.12")
    r = client_for(personas.national).post("/data-terbuka/terbitkan/", {"title": "Cukup"}, follow=True)
    assert "Rilis data terbuka diterbitkan." in r.content.decode()
    package = client.get("/data-terbuka/datapackage.json").json()
    paths = [res["path"] for res in package["resources"]]
    assert "korban-provinsi-tahun.csv" in paths
    rows = list(csv.reader(io.StringIO(client.get("/data-terbuka/korban-provinsi-tahun.csv").content.decode())))
    assert rows[0][0] == "kode_provinsi" and rows[-1][-1] == str(K)
