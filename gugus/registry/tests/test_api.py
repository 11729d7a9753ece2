"""The registry API: create, read, versioned edit (409), scope (404/422), bad input (422)."""

from __future__ import annotations

import datetime as dt

import pytest

from gugus.audit.models import AuditEvent
from gugus.registry.models import BudgetLine, Decree, TaskForce

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


def _post(client, url, body):
    return client.post(f"{API}{url}", body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(f"{API}{url}", body, content_type="application/json")


def _put(client, url, body):
    return client.put(f"{API}{url}", body, content_type="application/json")


def test_anonymous_is_refused(client):
    assert client.get(f"{API}/budgets").status_code == 401


def test_budget_api(personas, api_for, today):
    kab = api_for(personas.gt_kab)
    body = {
        "region_code": "32.12",
        "year": today.year - 1,
        "source": "apbd",
        "programme": "prevention",
        "allocated": "150000000.10",
        "realised": "150000000.20",
    }
    r = _post(kab, "/budgets", body)
    assert r.status_code == 422 and "melebihi pagu" in r.json()["errors"]["realised"][0]
    r = _post(kab, "/budgets", {**body, "region_code": "32.01"})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["region"]
    assert not BudgetLine.objects.exists()
    r = _post(kab, "/budgets", {**body, "note": "tambahan APBD-P"})
    assert r.status_code == 201
    b = r.json()
    assert b["allocated"] == "150000000.10" and b["realised"] == "150000000.20" and b["version"] == 1
    r = _patch(kab, f"/budgets/{b['id']}", {"version": 1, "allocated": "160000000"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = _patch(kab, f"/budgets/{b['id']}", {"version": 1, "allocated": "170000000"})
    assert r.status_code == 409 and r.json()["current_version"] == 2
    r = _patch(api_for(personas.province), f"/budgets/{b['id']}", {"version": 2, "allocated": "1"})
    assert r.status_code == 404
    r = _patch(api_for(personas.steward), f"/budgets/{b['id']}", {"version": 2, "note": "dikoreksi wali data"})
    assert r.status_code == 200
    r = api_for(personas.executive).get(f"{API}/budgets", {"region": "32.12", "limit": 5000})
    assert r.status_code == 200 and r.json()["count"] == 1 and r.json()["limit"] == 200
    assert api_for(personas.cw_b).get(f"{API}/budgets/{b['id']}").status_code == 200  # institutional data
    assert kab.delete(f"{API}/budgets/{b['id']}?version=3").status_code == 204
    assert AuditEvent.objects.filter(action="budget_delete").exists()


def test_taskforce_api(personas, api_for):
    kab = api_for(personas.gt_kab)
    body = {
        "region_code": "32.12",
        "decree_number": "188/1/2019",
        "decree_date": "2019-04-01",
        "signed_by": "Bupati Indramayu",
        "chair": "Wakil Bupati",
        "members": [
            {
                "organisation_id": str(personas.orgs["uptd-3212"].pk),
                "sub_gt": "social_rehab_repatriation_reintegration",
                "is_lead": True,
            }
        ],
    }
    assert _post(api_for(personas.province), "/taskforces", body).status_code == 422
    r = _post(kab, "/taskforces", body)
    assert r.status_code == 201
    tf = r.json()
    r = _post(
        kab,
        f"/taskforces/{tf['id']}/decrees",
        {"number": "188/1/2019", "date": "2024-02-01", "signed_by": "Bupati", "chair": "Wakil"},
    )
    assert r.status_code == 422 and "decree_number" in r.json()["errors"]
    assert Decree.objects.count() == 1
    r = _post(
        kab,
        f"/taskforces/{tf['id']}/decrees",
        {"number": "188/9/2024", "date": "2024-02-01", "signed_by": "Bupati", "chair": "Wakil", "version": 1},
    )
    assert r.status_code == 201 and r.json()["supersedes_id"] == tf["current_decree_id"]
    assert len(r.json()["members"]) == 1
    got = kab.get(f"{API}/taskforces/{tf['id']}").json()
    assert len(got["decrees"]) == 2 and got["version"] == 2
    r = _post(kab, f"/taskforces/{tf['id']}/status", {"version": 1, "status": "inactive", "date": "2025-01-01"})
    assert r.status_code == 409
    r = _post(kab, f"/taskforces/{tf['id']}/status", {"version": 2, "status": "inactive", "date": "2025-01-01"})
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    assert api_for(personas.cw_a).get(f"{API}/taskforces", {"region": "32"}).json()["count"] == 1
    r = _patch(kab, f"/decrees/{got['decrees'][0]['id']}", {"version": 1, "number": "188/9a/2024"})
    assert r.status_code == 200 and r.json()["number"] == "188/9a/2024"


def test_plan_api(personas, api_for):
    kab = api_for(personas.gt_kab)
    r = _post(kab, "/plans", {"region_code": "32.12", "title": "RAD", "period_start": 2026, "period_end": 2024})
    assert r.status_code == 422 and "period_end" in r.json()["errors"]
    r = _post(
        kab,
        "/plans",
        {
            "region_code": "32.12",
            "title": "RAD",
            "period_start": 2025,
            "period_end": 2029,
            "status": "enacted",
            "legal_basis": "Perbup 2/2025",
            "in_rpjmd": True,
            "renstra_agency_ids": [str(personas.orgs["uptd-3212"].pk)],
        },
    )
    assert r.status_code == 201
    plan = r.json()
    assert plan["in_renstra_skpd"] is True
    r = _post(kab, f"/plans/{plan['id']}/activities", {"name": "Pelatihan aparat", "unit": "orang"})
    act = r.json()
    r = _put(kab, f"/activities/{act['id']}/years/2025", {"target": "40", "realisation": "35.5"})
    assert r.status_code == 200 and r.json()["years"][0]["realisation"] == "35.50"
    assert _put(kab, f"/activities/{act['id']}/years/2025", {"target": "41"}).status_code == 409
    assert _put(kab, f"/activities/{act['id']}/years/2040", {"target": "41"}).status_code == 422
    r = _patch(kab, f"/plans/{plan['id']}", {"version": 1, "period_end": 2024})
    assert r.status_code == 422


def test_units_api_never_carries_secret_location(personas, api_for, today):
    nat = api_for(personas.national)
    r = nat.get(f"{API}/units", {"region": "21.71", "shelters": True})
    assert r.status_code == 200 and "Rahasia" not in r.content.decode()
    names = [u["name"] for u in r.json()["items"]]
    assert "Rumah Aman Batam (DEMO)" in names
    unit = personas.orgs["uptd-3212"]
    kab = api_for(personas.gt_kab)
    r = _put(kab, f"/units/{unit.pk}/profile", {"beds": 11, "open_24h": True})
    assert r.status_code == 200 and r.json()["beds"] == 11
    assert _put(kab, f"/units/{unit.pk}/profile", {"beds": 12}).status_code == 409
    assert _put(kab, f"/units/{personas.orgs['rumah-aman-2171'].pk}/profile", {"beds": 1}).status_code == 404
    r = _put(
        kab, f"/units/{unit.pk}/staff", {"year": today.year, "function": "social_worker", "total": 2, "trained": 4}
    )
    assert r.status_code == 422 and "trained" in r.json()["errors"]


def test_other_records_api(personas, api_for, today):
    kab = api_for(personas.gt_kab)
    r = _post(
        kab,
        "/trainings",
        {
            "region_code": "32.12",
            "title": "Identifikasi korban",
            "topic": "victim_identification",
            "start_date": (today - dt.timedelta(days=5)).isoformat(),
            "organiser_name": "IOM",
            "participants": [{"agency_type": "police_unit_ppa", "female": 2, "male": 6}],
        },
    )
    assert r.status_code == 201 and r.json()["participants_total"] == {"female": 2, "male": 6}
    r = _post(
        kab, "/regulations", {"region_code": "32.12", "reg_type": "pergub", "number": "1", "year": 2020, "title": "x"}
    )
    assert r.status_code == 422
    r = _post(
        kab,
        "/regulations",
        {"region_code": "32.12", "reg_type": "perbup", "number": "1", "year": 2020, "title": "Gugus tugas"},
    )
    assert r.status_code == 201
    r = _post(
        kab,
        "/prevention",
        {
            "region_code": "32.12",
            "date": today.isoformat(),
            "kind": "mass_media",
            "title": "Radio",
            "audience": "general_public",
            "organiser_name": "RRI",
            "media_audience": 20000,
        },
    )
    assert r.status_code == 201 and r.json()["reached_total"] == 0
    r = _post(
        kab, "/practices", {"region_code": "32.12", "title": "Forum anak", "what": "x", "who": "forum", "evidence": "y"}
    )
    bp = r.json()
    r = _post(
        api_for(personas.province_ntt), f"/practices/{bp['id']}/replications", {"region_code": "53", "year": today.year}
    )
    assert r.status_code == 201 and r.json()["replications"][0]["region_code"] == "53"
    assert api_for(personas.executive).get(f"{API}/practices", {"region": "53"}).json()["count"] == 1


def test_portrait_api(personas, api_for, today):
    TaskForce.objects.all().delete()
    r = api_for(personas.executive).get(f"{API}/regions/32/portrait")
    assert r.status_code == 200
    data = r.json()
    assert data["taskforce"] is None and "Belum ada gugus tugas" in data["flags"]
    assert data["cases"]["handled"] == 0 and len(data["children"]) == 27
    assert api_for(personas.executive).get(f"{API}/regions/32.12.01/portrait").status_code == 404
    r = api_for(personas.executive).get(f"{API}/budgets/zero", {"year": today.year, "level": 1})
    assert r.status_code == 200 and len(r.json()) == 38
    assert api_for(personas.cw_a).get(f"{API}/regions", {"q": "indramayu"}).json()[0]["code"] == "32.12"
