"""The victims API: create, list/search, detail (identity only when permitted), PATCH with
versions (409), status, consent, perpetrators, route, merge; bad bodies never save anything."""

import datetime as dt
import json

import pytest

from gugus.audit.models import AuditEvent
from gugus.cases.models import Case, Identity, Victim
from gugus.cases.tests.helpers import make_nik, register

pytestmark = pytest.mark.django_db

BODY = {
    "full_name": "Rina Marlina",
    "sex": "female",
    "birth_date": "2001-04-05",
    "identification_date": "2026-02-01",
    "identification_channel": "deportation",
    "domicile_region": "Kab. Indramayu",
    "exploitation_forms": ["forced_labour_or_services"],
    "sector": "domestic_work",
    "destination_country": "Malaysia",
    "scope": "transnational",
    "route": [
        {"stage": "recruitment", "region": "32.12"},
        {"stage": "transit", "region": "Kota Batam"},
        {"stage": "exploitation", "country": "MY"},
    ],
}


def post(client, url, body, **kw):
    return client.post(url, data=json.dumps(body), content_type="application/json", **kw)


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_create_then_read_with_identity_for_the_owner(personas, api_for):
    api = api_for(personas.cw_a)
    r = post(api, "/api/v1/victims/", BODY)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["case_number"].startswith("3212-2026-") and out["version"] == 1
    assert out["identity"]["full_name"] == "Rina Marlina" and out["identity_visible"]
    assert [leg["stage"] for leg in out["route"]] == ["recruitment", "transit", "exploitation"]
    assert out["route"][1]["region"] == "21.71" and out["destination_country"] == "MY"
    detail = api.get(f"/api/v1/victims/{out['id']}").json()
    assert detail["identity"]["full_name"] == "Rina Marlina"
    assert AuditEvent.objects.filter(action="identity_view", object_id=out["victim_id"]).exists()


def test_identity_withheld_from_roles_without_identity_access(personas, api_for):
    case = register(personas.cw_a)
    for user in (personas.gt_kab, personas.province, personas.national, personas.steward):
        r = api_for(user).get(f"/api/v1/victims/{case.pk}")
        assert r.status_code == 200
        assert r.json()["identity"] is None and not r.json()["identity_visible"]
        assert "Siti" not in r.content.decode()
        assert api_for(user).get(f"/api/v1/victims/{case.pk}/identity").status_code == 403
    assert api_for(personas.cw_a).get(f"/api/v1/victims/{case.pk}/identity").json()["full_name"] == "Siti Aminah"


def test_out_of_scope_is_404_and_executive_sees_nothing(personas, api_for):
    case = register(personas.cw_a)
    for user in (personas.cw_b, personas.executive, personas.admin, personas.province_ntt):
        api = api_for(user)
        assert api.get(f"/api/v1/victims/{case.pk}").status_code == 404
        assert patch(api, f"/api/v1/victims/{case.pk}", {"version": 1, "sector": "agriculture"}).status_code == 404
    r = api_for(personas.executive).get("/api/v1/victims/")
    assert r.status_code == 200 and r.json()["items"] == []
    assert api_for(None).get("/api/v1/victims/").status_code == 401


def test_list_search_and_paging(personas, api_for):
    for i in range(5):
        register(personas.cw_a, full_name=f"Ani Lestari {i}", identification_date=dt.date(2025, 1, 1 + i))
    api = api_for(personas.cw_a)
    r = api.get("/api/v1/victims/?limit=2&sort=-date")
    data = r.json()
    assert r.status_code == 200 and len(data["items"]) == 2 and data["has_more"] and data["count"] == 5
    r2 = api.get(f"/api/v1/victims/?limit=2&sort=-date&cursor={data['next_cursor']}")
    assert {i["id"] for i in r2.json()["items"]}.isdisjoint({i["id"] for i in data["items"]})
    assert len(api.get("/api/v1/victims/?limit=2&offset=4").json()["items"]) == 1
    s = post(api, "/api/v1/victims/search", {"q": "lestari ani"}).json()
    assert s["count"] == 5
    assert api.get("/api/v1/victims/?status=bogus").status_code == 422
    assert api.get("/api/v1/victims/?limit=5000").status_code == 422
    assert "full_name" not in api.get("/api/v1/victims/").content.decode()


def test_patch_requires_version_and_stale_gets_409_with_changed_fields(personas, api_for):
    case = register(personas.cw_a)
    a, b = api_for(personas.cw_a), api_for(personas.sv_a)
    url = f"/api/v1/victims/{case.pk}"
    assert patch(a, url, {"sector": "agriculture"}).status_code == 422  # no version
    r1 = patch(a, url, {"version": 1, "recruiting_agency": "PT Satu", "phone": "0813-1111-2222"})
    assert r1.status_code == 200 and r1.json()["version"] == 2
    r2 = patch(b, url, {"version": 1, "recruiting_agency": "PT Dua"})
    assert r2.status_code == 409
    assert set(r2.json()["changed_fields"]) == {"recruiting_agency", "phone"}
    assert r2.json()["current_version"] == 2
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.recruiting_agency == "PT Satu"
    assert patch(b, url, {"version": 2, "recruiting_agency": "PT Dua"}).status_code == 200


def test_write_roles(personas, api_for):
    case = register(personas.cw_a)
    assert post(api_for(personas.gt_kab), "/api/v1/victims/", BODY).status_code == 403
    assert post(api_for(personas.executive), "/api/v1/victims/", BODY).status_code == 403
    r = patch(api_for(personas.gt_kab), f"/api/v1/victims/{case.pk}", {"version": 1, "sector": "agriculture"})
    assert r.status_code == 403
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[1, 2]", 400),
        (json.dumps({**BODY, "nik": "123"}), 422),
        (json.dumps({**BODY, "birth_date": "2027-01-01"}), 422),
        (json.dumps({**BODY, "identification_date": "2099-01-01"}), 422),
        (json.dumps({**BODY, "domicile_region": "Atlantis"}), 422),
        (json.dumps({**BODY, "destination_country": "Wakanda"}), 422),
        (json.dumps({**BODY, "sector": "astronaut"}), 422),
        (json.dumps({**BODY, "unknown_field": 1}), 422),
        (json.dumps({**BODY, "birth_date": "17-05-2000"}), 422),
        (json.dumps({**BODY, "narrative": "x" * 300_000}), 413),
    ],
)
def test_bad_bodies_structured_errors_nothing_saved(personas, api_for, raw, status):
    r = api_for(personas.cw_a).post("/api/v1/victims/", data=raw, content_type="application/json")
    assert r.status_code == status, r.content
    body = r.json()
    assert "detail" in body
    if status == 422:
        assert "errors" in body
    assert "123" not in json.dumps(body.get("errors", {})) or status != 422
    assert Victim.objects.count() == 0 and Identity.objects.count() == 0 and Case.objects.count() == 0


def test_field_errors_are_indonesian_and_per_field(personas, api_for):
    r = post(
        api_for(personas.cw_a),
        "/api/v1/victims/",
        {**BODY, "birth_date": "2026-03-01", "nik": make_nik(dt.date(2000, 1, 1), "male")},
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert "birth_date" in errors and "nik" in errors
    assert "tidak boleh setelah tanggal identifikasi" in errors["birth_date"][0]


def test_duplicates_answer_409_until_acknowledged(personas, api_for):
    nik = make_nik(dt.date(2001, 4, 5), "female")
    register(
        personas.cw_b,
        full_name="Rina Marlina",
        nik=nik,
        birth_date=dt.date(2001, 4, 5),
        origin_region="32.01",
        domicile_region="32.01",
    )
    api = api_for(personas.cw_a)
    check = post(
        api, "/api/v1/victims/check-duplicates", {**{k: v for k, v in BODY.items() if k != "route"}, "nik": nik}
    ).json()
    assert len(check["candidates"]) == 1
    assert check["candidates"][0] == {
        "in_scope": False,
        "organisation": "UPTD PPA Kabupaten Bogor",
        "message": "Kemungkinan data yang sudah ada dipegang oleh UPTD PPA Kabupaten Bogor",
        "score": 100,
        "reasons": ["NIK sama", "nama mirip"],
        "case_id": None,
        "case_number": None,
        "name": None,
        "birth_year": None,
        "status": None,
    }
    r = post(api, "/api/v1/victims/", {**BODY, "nik": nik})
    assert r.status_code == 409 and r.json()["candidates"][0]["organisation"] == "UPTD PPA Kabupaten Bogor"
    assert Case.objects.count() == 1
    r = post(api, "/api/v1/victims/", {**BODY, "nik": nik, "ignore_duplicates": True})
    assert r.status_code == 201


def test_status_consent_perpetrator_route_timeline(personas, api_for):
    case = register(personas.cw_a, birth_date=dt.date(2012, 2, 2), guardian_name="Ibu")
    api = api_for(personas.cw_a)
    base = f"/api/v1/victims/{case.pk}"
    r = post(api, f"{base}/status", {"version": 1, "to_status": "closed"})
    assert r.status_code == 422 and "closure_reason" in r.json()["errors"]
    r = post(api, f"{base}/status", {"version": 1, "to_status": "assessed"})
    assert r.status_code == 200 and r.json()["status"] == "assessed"
    assert post(api, f"{base}/status", {"version": 1, "to_status": "receiving_services"}).status_code == 409
    r = post(
        api, f"{base}/consents", {"purpose": "services", "granted": True, "given_by": "victim", "date": "2026-03-02"}
    )
    assert r.status_code == 422  # a child: the guardian consents
    r = post(
        api,
        f"{base}/consents",
        {
            "purpose": "services",
            "granted": True,
            "given_by": "guardian",
            "guardian_relation": "ibu",
            "date": "2026-03-02",
        },
    )
    assert r.status_code == 201
    cid = r.json()["id"]
    assert post(api, f"{base}/consents/{cid}/withdraw", {}).json()["withdrawn_on"]
    r = post(api, f"{base}/perpetrators", {"name": "Pak Calo", "role": "sponsor", "relation": "sponsor"})
    assert r.status_code == 201
    pid = r.json()["id"]
    names = [p["name"] for p in api_for(personas.gt_kab).get(f"{base}/perpetrators").json()]
    assert names == [None]  # masked without identity rights
    assert api.delete(f"{base}/perpetrators/{pid}").status_code == 204
    version = api.get(base).json()["version"]
    r = api.put(
        f"{base}/route",
        data=json.dumps(
            {
                "version": version,
                "legs": [
                    {"stage": "recruitment", "region": "52.03"},
                    {"stage": "transit", "region": "65.03"},
                    {"stage": "exploitation", "country": "Malaysia"},
                ],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200 and [x["region"] for x in r.json()["route"]] == ["52.03", "65.03", None]
    kinds = [e["kind"] for e in api.get(f"{base}/timeline").json()]
    assert {"registered", "status", "consent", "perpetrator", "edited"} <= set(kinds)


def test_merge_and_undo_over_the_api(personas, api_for):
    a = register(personas.cw_a)
    b = register(personas.cw_a, full_name="Sitti Aminah")
    body = {"into_case_id": str(b.pk), "reason": "orang yang sama"}
    assert post(api_for(personas.cw_a), f"/api/v1/victims/{a.pk}/merge", body).status_code == 403
    r = post(api_for(personas.sv_a), f"/api/v1/victims/{a.pk}/merge", body)
    assert r.status_code == 201
    a.refresh_from_db()
    assert a.victim_id == b.victim_id
    r = post(api_for(personas.sv_a), f"/api/v1/victims/merges/{r.json()['id']}/undo", {"reason": "keliru"})
    assert r.status_code == 200 and r.json()["undone_at"]
    a.refresh_from_db()
    assert a.victim_id != b.victim_id
