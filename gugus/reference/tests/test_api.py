"""Reference data over the API and in the Django admin (Bahasa Indonesia)."""

from __future__ import annotations

import pytest
from django.test import Client

from gugus.reference.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas, api_for):
    return api_for(personas.executive)  # any authenticated role may read reference data


def test_anonymous_gets_401():
    for url in [
        "/api/v1/reference/regions",
        "/api/v1/reference/regions/32.12",
        "/api/v1/reference/countries",
        "/api/v1/reference/codelists/org_type",
    ]:
        assert Client().get(url).status_code == 401


def test_region_search_resolves_names(api):
    r = api.get("/api/v1/reference/regions", {"q": "Indramayu, Kab."}).json()
    assert r["resolved"] == "32.12" and [i["code"] for i in r["items"]] == ["32.12"]
    assert r["items"][0]["parent"] == "32" and r["items"][0]["kind"] == "kabupaten"
    r = api.get("/api/v1/reference/regions", {"q": "3212"}).json()
    assert r["resolved"] == "32.12"


def test_region_search_ambiguous_lists_candidates_without_guessing(api):
    r = api.get("/api/v1/reference/regions", {"q": "Bogor"}).json()
    assert r["resolved"] is None and r["ambiguous"] is True
    assert {i["code"] for i in r["items"]} == {"32.01", "32.71"}
    assert "ambigu" in r["message"]


def test_region_search_falls_back_to_name_search(api):
    r = api.get("/api/v1/reference/regions", {"q": "Jakarta"}).json()  # the province (short name)
    assert r["resolved"] == "31"
    r = api.get("/api/v1/reference/regions", {"q": "Lombok", "level": 2}).json()
    assert r["resolved"] is None and not r["ambiguous"]
    assert {"52.01", "52.02", "52.03"} <= {i["code"] for i in r["items"]}
    r = api.get("/api/v1/reference/regions", {"q": "Gotham"}).json()
    assert r["count"] == 0 and "Gotham" in r["message"]


def test_region_children_and_levels(api):
    r = api.get("/api/v1/reference/regions", {"parent": "32", "limit": 500}).json()
    codes = [i["code"] for i in r["items"]]
    assert r["count"] == 27 and "32.12" in codes and all(c.startswith("32.") for c in codes)
    r = api.get("/api/v1/reference/regions", {"level": 1, "limit": 100}).json()
    assert r["count"] == 38
    r = api.get("/api/v1/reference/regions", {"parent": "32.12"}).json()
    assert r["count"] == Region.objects.filter(parent_id="32.12").count() > 20
    r = api.get("/api/v1/reference/regions", {"level": 2, "limit": 10, "offset": 10}).json()
    assert r["count"] == 514 and len(r["items"]) == 10 and r["offset"] == 10
    assert api.get("/api/v1/reference/regions", {"limit": 100000}).json()["limit"] == 500
    assert api.get("/api/v1/reference/regions", {"level": "x"}).status_code == 422


def test_region_detail(api):
    r = api.get("/api/v1/reference/regions/32.12").json()
    assert r["name"] == "Kabupaten Indramayu" and r["population_year"] == 2025 and r["population_total"] > 1_000_000
    assert [p["code"] for p in r["parents"]] == ["ID", "32"]
    assert r["children_count"] > 20
    assert api.get("/api/v1/reference/regions/ID").json()["level"] == 0
    for bad in ["32.99", "99", "3x", "32.1", "..", "%00"]:
        resp = api.get(f"/api/v1/reference/regions/{bad}")
        assert resp.status_code == 404, bad
        assert resp.json() == {"detail": "Tidak ditemukan."}


def test_countries(api):
    rows = api.get("/api/v1/reference/countries").json()
    assert len(rows) >= 249
    by = {c["code"]: c for c in rows}
    assert by["NL"]["name_id"] == "Belanda" and by["MY"]["alpha3"] == "MYS"
    assert [c["code"] for c in api.get("/api/v1/reference/countries", {"q": "jepang"}).json()] == ["JP"]
    assert [c["code"] for c in api.get("/api/v1/reference/countries", {"q": "MYS"}).json()] == ["MY"]


def test_codelists(api):
    lists = {c["key"]: c for c in api.get("/api/v1/reference/codelists").json()}
    assert "org_type" in lists and lists["org_type"]["count"] > 20
    r = api.get("/api/v1/reference/codelists/exploitation").json()
    codes = {c["code"]: c for c in r["codes"]}
    assert codes["forced_labour_or_services"]["label_id"] == "Kerja atau pelayanan paksa"
    assert codes["forced_labour_or_services"]["key"] == "exploitation.forced_labour_or_services"
    assert r["version"] and r["name_id"]
    assert api.get("/api/v1/reference/codelists/nope").status_code == 404


# --- Django admin ------------------------------------------------------------------------------


def test_admin_is_in_bahasa_indonesia(personas, client_for):
    c = client_for(personas.admin)
    r = c.get("/admin/reference/region/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "wilayah" in body.lower() and "Cari" in body  # Django's own chrome, translated
    r = c.get("/admin/reference/codelist/org_type/change/")
    assert r.status_code == 200 and "Rumah aman" in r.content.decode()
    assert c.get("/admin/reference/country/NL/change/").status_code == 200


def test_admin_edits_population_with_year_and_source(personas, client_for):
    c = client_for(personas.admin)
    url = "/admin/reference/region/32.12/change/"
    r = c.post(
        url,
        {
            "population_male": "1000",
            "population_female": "1000",
            "population_total": "2000",
            "population_year": "2026",
            "population_source": "",
            "area_km2": "2076.266",
        },
    )
    assert r.status_code == 200 and "sumber data penduduk yang baru" in r.content.decode()
    r = c.post(
        url,
        {
            "population_male": "1000",
            "population_female": "999",
            "population_total": "2000",
            "population_year": "2026",
            "population_source": "BPS 2026",
            "area_km2": "2076.266",
        },
    )
    assert r.status_code == 200 and "tidak sama" in r.content.decode()
    r = c.post(
        url,
        {
            "population_male": "1000",
            "population_female": "1000",
            "population_total": "2000",
            "population_year": "2026",
            "population_source": "BPS 2026",
            "area_km2": "2076.266",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    region = Region.objects.get(pk="32.12")
    assert (region.population_total, region.population_year, region.population_source) == (2000, 2026, "BPS 2026")
    assert region.name == "Kabupaten Indramayu"


def test_admin_reference_lists_are_read_only(personas, client_for):
    c = client_for(personas.admin)
    assert c.post("/admin/reference/code/org_type.safe_house/change/", {"label_id": "x"}).status_code == 403
    assert c.get("/admin/reference/region/add/").status_code == 403
    assert c.get("/admin/reference/region/32.12.01/change/").status_code in (200, 403)
    # kecamatan carry no population: view only
    body = c.get("/admin/reference/region/32.12.01/change/").content.decode()
    assert 'name="population_total"' not in body
