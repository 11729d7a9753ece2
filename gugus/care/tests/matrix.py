"""Permission matrix of the care app: every list/detail/write endpoint (API and pages) × personas ×
in/out of scope. Framework: gugus/core/tests/matrix.py.

The world: case A (Kab. Indramayu 32.12, case worker cw_a) and case B (Kota Batam 21.71,
registered by the Batam case worker, referred to the Batam hospital — the `provider` persona —,
staying in the Batam safe house, on the legal track of the Batam police — the `police` persona).
Writes that can succeed only once in a shared world (an admission, a plan) accept the repeat's
422 for the permitted personas; stale versions accept 409. Denied personas always get 404
(401 for anonymous API calls, a login redirect for anonymous pages).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from gugus.core.tests.matrix import MatrixCase

ALL = (
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
)
SERVICE_VIEW = {"cw_a", "cw_b", "sv_a", "provider", "gt_kab", "province", "steward", "national"}
LEGAL_VIEW = {"cw_a", "cw_b", "sv_a", "police", "gt_kab", "province", "steward", "national"}
AGGREGATE = set(ALL) - {"anonymous"}


def _day(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


def build(world) -> None:
    from gugus.care import services
    from gugus.cases.models import CaseAccess, Perpetrator
    from gugus.cases.services import VictimData, victim_register

    p = world.personas
    orgs = p.orgs
    cw_batam = p.cw_batam

    def case_for(user):
        return victim_register(
            actor=user,
            data=VictimData(
                sex="female",
                identification_date=timezone.localdate() - dt.timedelta(days=200),
                identification_channel="hotline",
                estimated_age=22,
                full_name="Korban Matriks",
            ),
        )

    a = case_for(p.cw_a)
    a2 = case_for(p.cw_a)
    b = case_for(cw_batam)
    CaseAccess.objects.create(
        case=b, organisation=orgs["rs-2171"], level="service", source_type="referral", source_id=uuid.uuid4()
    )
    day = timezone.localdate() - dt.timedelta(days=100)
    o = world.objects
    o["care.case_a"], o["care.case_a2"], o["care.case_b"] = a, a2, b
    o["care.service_a"] = services.service_create(
        actor=p.cw_a, case=a, service_type="health_physical", provider_org=orgs["puskesmas-3212"], requested_on=day
    )
    o["care.service_b_own"] = services.service_create(
        actor=p.provider, case=b, service_type="health_medicolegal", provider_org=orgs["rs-2171"], requested_on=day
    )
    o["care.service_b_other"] = services.service_create(
        actor=cw_batam, case=b, service_type="legal_aid", provider_org=orgs["uptd-2171"], requested_on=day
    )
    o["care.shelter"] = orgs["rumah-aman-2171"]
    o["care.stay_b"] = services.shelter_admit(actor=cw_batam, case=b, shelter=orgs["rumah-aman-2171"], admitted_on=day)
    o["care.stay_a"] = services.shelter_admit(actor=p.cw_a, case=a, shelter=orgs["rptc-3212"], admitted_on=day)
    o["care.leg_a"] = services.repatriation_leg_create(
        actor=p.cw_a,
        case=a,
        leg_type="district_to_family",
        responsible_org=orgs["dinsos-5371"],
        from_region="53.71",
        to_region="32.12",
        planned_on=day,
    )
    o["care.plan_a"] = services.reintegration_plan_create(
        actor=p.cw_a, case=a, responsible_org=orgs["uptd-3212"], return_on=day
    )
    o["care.visit_a"] = o["care.plan_a"].visits.get(month=1)
    o["care.plan_b"] = services.reintegration_plan_create(
        actor=cw_batam, case=b, responsible_org=orgs["uptd-2171"], return_on=day
    )
    o["care.perp_b"] = Perpetrator.objects.create(case=b, role="perekrut")
    services.legal_case_save(
        actor=p.police,
        case=b,
        police_report_number="LP/MATRIKS/1",
        police_report_date=day - dt.timedelta(days=30),
        police_unit=orgs["polres-2171"],
    )
    services.restitution_save(
        actor=p.police, case=b, requested_on=day - dt.timedelta(days=20), ordered_on=day, ordered_amount="90000000"
    )


def _expect(personas_ok: set, ok, denied=404, anon=401):
    def f(persona):
        if persona == "anonymous":
            return anon
        return ok if persona in personas_ok else denied

    return f


def _rows(method, url, body, ok_for: set, ok, *, api=True, denied=404):
    anon = 401 if api else 302
    f = _expect(ok_for, ok, denied, anon)
    return [MatrixCase(method, url, body, who, f(who)) for who in ALL]


def matrix_cases(world) -> list[MatrixCase]:
    o = world.objects
    a, a2, b = o["care.case_a"].pk, o["care.case_a2"].pk, o["care.case_b"].pk
    orgs = world.personas.orgs
    svc_a, own_b, other_b = o["care.service_a"].pk, o["care.service_b_own"].pk, o["care.service_b_other"].pk
    stay_a, leg_a, visit_a = o["care.stay_a"].pk, o["care.leg_a"].pk, o["care.visit_a"].pk
    shelter = o["care.shelter"].pk
    writers_a = {"cw_a", "sv_a"}
    readers_a = {"cw_a", "sv_a", "gt_kab", "province", "steward", "national"}
    readers_b_services = {"provider", "national"}
    legal_b = {"police", "national"}
    legal_a = {"cw_a", "sv_a", "gt_kab", "province", "steward", "national"}
    rights_a = readers_a
    rights_b = {"police", "national"}
    svc_body = {
        "service_type": "health_psychological",
        "provider_org": str(orgs["puskesmas-3212"].pk),
        "requested_on": _day(3),
    }
    leg_body = {
        "leg_type": "province_to_district",
        "responsible_org": str(orgs["dinsos-53"].pk),
        "from_region": "53",
        "to_region": "53.71",
        "planned_on": _day(1),
    }
    cases: list[MatrixCase] = []
    add = cases.extend
    # --- API: services
    add(_rows("GET", f"/api/v1/cases/{a}/services", None, readers_a, 200))
    add(_rows("GET", f"/api/v1/cases/{b}/services", None, readers_b_services, 200))
    add(_rows("POST", f"/api/v1/cases/{a}/services", svc_body, writers_a, 201))
    add(_rows("GET", f"/api/v1/services/{svc_a}", None, readers_a, 200))
    add(_rows("GET", f"/api/v1/services/{own_b}", None, {"provider", "national"}, 200))
    add(_rows("GET", f"/api/v1/services/{other_b}", None, {"national"}, 200))
    add(_rows("GET", f"/api/v1/services/{uuid.uuid4()}", None, set(), 200))
    add(_rows("PATCH", f"/api/v1/services/{svc_a}", {"version": 1, "outcome": "matriks"}, writers_a, (200, 409)))
    add(_rows("PATCH", f"/api/v1/services/{own_b}", {"version": 1, "outcome": "visum"}, {"provider"}, (200, 409)))
    add(_rows("PATCH", f"/api/v1/services/{other_b}", {"version": 1, "outcome": "x"}, set(), 200))
    # --- API: shelters
    add(_rows("GET", "/api/v1/shelters", None, AGGREGATE, 200))
    add(_rows("GET", f"/api/v1/shelters/{shelter}", None, AGGREGATE, 200))
    add(_rows("GET", f"/api/v1/shelters/{shelter}/location", None, {"provider"}, 200))
    add(_rows("GET", f"/api/v1/cases/{a}/shelter-stays", None, readers_a, 200))
    add(_rows("GET", f"/api/v1/cases/{b}/shelter-stays", None, readers_b_services, 200))
    add(
        _rows(
            "POST",
            f"/api/v1/cases/{a2}/shelter-stays",
            {"shelter": str(orgs["rptc-3212"].pk), "admitted_on": _day(2)},
            writers_a,
            (201, 422),
        )
    )
    add(_rows("POST", f"/api/v1/shelter-stays/{stay_a}/discharge", {"discharged_on": _day(1)}, writers_a, (200, 422)))
    # --- API: repatriation
    add(_rows("GET", f"/api/v1/cases/{a}/repatriation", None, readers_a, 200))
    add(_rows("POST", f"/api/v1/cases/{a}/repatriation", leg_body, writers_a, 201))
    add(_rows("GET", f"/api/v1/repatriation-legs/{leg_a}", None, readers_a, 200))
    add(_rows("PATCH", f"/api/v1/repatriation-legs/{leg_a}", {"version": 1, "note": "matriks"}, writers_a, (200, 409)))
    # --- API: reintegration and follow-ups
    add(_rows("GET", f"/api/v1/cases/{a}/reintegration", None, readers_a, 200))
    add(_rows("GET", f"/api/v1/cases/{b}/reintegration", None, {"national"}, 200))
    add(
        _rows(
            "POST",
            f"/api/v1/cases/{a2}/reintegration",
            {"responsible_org": str(orgs["uptd-3212"].pk), "return_on": _day(5)},
            writers_a,
            (201, 422),
        )
    )
    add(_rows("PATCH", f"/api/v1/cases/{a}/reintegration", {"version": 1, "goals": "matriks"}, writers_a, (200, 409)))
    add(_rows("GET", "/api/v1/followups", None, SERVICE_VIEW, 200))
    add(_rows("GET", "/api/v1/followups?overdue=true&mine=false", None, SERVICE_VIEW, 200))
    add(_rows("GET", "/api/v1/followups/overdue", None, SERVICE_VIEW, 200))
    add(
        _rows(
            "POST",
            f"/api/v1/followups/{visit_a}/visit",
            {"visited_on": _day(1), "outcome": "stable"},
            writers_a,
            (200, 409),
        )
    )
    # --- API: rights
    add(_rows("GET", f"/api/v1/cases/{a}/rights", None, rights_a, 200))
    add(_rows("GET", f"/api/v1/cases/{b}/rights", None, rights_b, 200))
    add(
        _rows(
            "PUT",
            f"/api/v1/cases/{a}/rights/legal_aid",
            {"status": "refused_by_victim", "reason": "menolak"},
            writers_a,
            200,
        )
    )
    add(
        _rows(
            "PUT",
            f"/api/v1/cases/{b}/rights/special_examination_room",
            {"status": "fulfilled", "reason": "RPK", "fulfilled_on": _day(2)},
            {"police"},
            200,
        )
    )
    # --- API: legal and restitution
    add(_rows("GET", f"/api/v1/cases/{a}/legal", None, legal_a, 200))
    add(_rows("GET", f"/api/v1/cases/{b}/legal", None, legal_b, 200))
    add(
        _rows(
            "PUT",
            f"/api/v1/cases/{b}/legal",
            {"lpsk_protection": "applied", "lpsk_applied_on": _day(3)},
            {"police"},
            (200, 409),
        )
    )
    add(_rows("POST", f"/api/v1/cases/{b}/legal/events", {"stage": "investigation", "date": _day(4)}, {"police"}, 201))
    add(_rows("POST", f"/api/v1/cases/{a}/legal/events", {"stage": "investigation", "date": _day(4)}, set(), 201))
    add(_rows("GET", f"/api/v1/cases/{b}/restitution", None, legal_b, 200))
    add(_rows("PUT", f"/api/v1/cases/{b}/restitution", {"requested_amount": "100000000"}, {"police"}, (200, 409)))
    add(
        _rows(
            "POST",
            f"/api/v1/cases/{b}/restitution/payments",
            {"paid_on": _day(1), "amount": "1000000"},
            {"police"},
            201,
        )
    )
    add(_rows("GET", "/api/v1/restitution/overdue", None, LEGAL_VIEW, 200))
    add(_rows("GET", "/api/v1/care/summary?region=32", None, AGGREGATE, 200))
    # --- pages
    page = {"api": False}
    add(_rows("GET", "/layanan/", None, AGGREGATE, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{a}/", None, readers_a, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{b}/", None, readers_b_services | legal_b, 200, **page))
    add(_rows("GET", "/layanan/rumah-aman/", None, AGGREGATE, 200, **page))
    add(_rows("POST", f"/layanan/rumah-aman/{shelter}/lokasi/", {}, {"provider"}, 200, **page))
    add(_rows("GET", "/layanan/tindak-lanjut/", None, SERVICE_VIEW, 200, **page))
    add(_rows("GET", "/layanan/restitusi/", None, LEGAL_VIEW, 200, **page))
    add(_rows("GET", f"/layanan/layanan/{svc_a}/", None, readers_a, 200, **page))
    add(_rows("GET", f"/layanan/layanan/{other_b}/", None, {"national"}, 200, **page))
    add(_rows("GET", f"/layanan/pemulangan/{leg_a}/", None, readers_a, 200, **page))
    # Forms fetched on demand from the case file: only for those who may post them.
    add(_rows("GET", f"/layanan/kasus/{a}/formulir/layanan/", None, writers_a, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{a}/formulir/hak/", None, writers_a, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{b}/formulir/hukum-tahap/", None, {"police"}, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{b}/formulir/restitusi-bayar/", None, {"police"}, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{a}/formulir/kunjungan/{visit_a}/", None, writers_a, 200, **page))
    add(_rows("GET", f"/layanan/kasus/{b}/formulir/kunjungan/{visit_a}/", None, set(), 200, **page))
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{a}/layanan/",
            {
                "service_type": "legal_aid",
                "provider_org": str(orgs["lsm-5371"].pk),
                "status": "requested",
                "requested_on": _day(2),
            },
            writers_a,
            302,
            **page,
        )
    )
    add(_rows("POST", f"/layanan/kasus/{a}/pemulangan/", leg_body | {"status": "planned"}, writers_a, 302, **page))
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{a}/hak/",
            {"right": "legal_aid", "status": "", "applied_on": _day(2)},
            writers_a,
            302,
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{b}/hukum/tahap/",
            {"stage": "investigation", "date": _day(3)},
            {"police"},
            302,
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{b}/restitusi/bayar/",
            {"paid_on": _day(1), "amount": "1000"},
            {"police"},
            302,
            **page,
        )
    )
    vp, dp = f"v{visit_a.hex[:8]}", f"d{stay_a.hex[:8]}"
    add(
        _rows(
            "POST",
            f"/layanan/tindak-lanjut/{visit_a}/",
            {f"{vp}-visited_on": _day(1), f"{vp}-outcome": "stable", "from": "list"},
            writers_a,
            302,
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{a2}/rumah-aman/",
            {"shelter": str(orgs["rptc-3212"].pk), "admitted_on": _day(1)},
            writers_a,
            (302, 422),
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/tinggal/{stay_a}/keluar/",
            {f"{dp}-discharged_on": _day(0)},
            writers_a,
            (302, 422),
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{a2}/reintegrasi/",
            {"responsible_org": str(orgs["uptd-3212"].pk), "return_on": _day(1), "arrangement": "family"},
            writers_a,
            (302, 422),
            **page,
        )
    )
    add(_rows("POST", f"/layanan/kasus/{a}/reintegrasi/status/", {"status": "active"}, writers_a, 302, **page))
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{b}/hukum/",
            {
                "police_report_number": "LP/MATRIKS/1",
                "police_report_date": _day(130),
                "lpsk_protection": "applied",
                "lpsk_applied_on": _day(3),
            },
            {"police"},
            302,
            **page,
        )
    )
    add(
        _rows(
            "POST",
            f"/layanan/kasus/{b}/restitusi/",
            {"requested_on": _day(120), "ordered_on": _day(100), "ordered_amount": "90.000.000"},
            {"police"},
            302,
            **page,
        )
    )
    svc_form = {
        "service_type": "health_physical",
        "provider_org": str(orgs["puskesmas-3212"].pk),
        "status": "requested",
        "requested_on": _day(100),
        "outcome": "halaman",
        "version": "1",
    }
    add(_rows("POST", f"/layanan/layanan/{svc_a}/", svc_form, writers_a, (302, 422), **page))
    leg_form = {
        "leg_type": "district_to_family",
        "responsible_org": str(orgs["dinsos-5371"].pk),
        "from_region": "53.71",
        "to_region": "32.12",
        "status": "planned",
        "planned_on": _day(100),
        "note": "halaman",
        "version": "1",
    }
    add(_rows("POST", f"/layanan/pemulangan/{leg_a}/", leg_form, writers_a, (302, 422), **page))
    return cases
