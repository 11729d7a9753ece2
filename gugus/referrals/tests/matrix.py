"""Permission matrix of gugus.referrals (framework: gugus/core/tests/matrix.py).

World: two Indramayu cases (uptd-3212, the `cw_a` persona's organisation); hand-overs from
there to the Batam hospital (the `provider` persona) in each state; a coordination meeting
of the Indramayu task force with an overdue action item owned by uptd-3212.

Every write that succeeds targets its own object, and checks on non-parties answer the same
whatever the object's state (visibility → 404, then party → 422, then state), so the cases
may run in any order.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

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
K = "referrals."


def build(world: World) -> None:
    from gugus.referrals import services
    from gugus.referrals.tests.factories import make_case

    p = world.personas
    o = p.orgs
    today = timezone.localdate()

    def send(case, to_key, service):
        data = services.HandoverData(
            to_org=o[to_key], due_date=today + dt.timedelta(days=7), reason="Rujukan matriks", service_type=service
        )
        return services.referral_send(actor=p.cw_a, case=case, data=data)

    case_i = make_case(o["uptd-3212"], user=p.cw_a, origin_region="32.12")
    case_i2 = make_case(o["uptd-3212"], user=p.cw_a, origin_region="32.12")
    accepted = send(case_i, "rs-2171", "health_physical")
    services.referral_accept(actor=p.provider, referral=accepted)
    world.objects.update(
        {
            K + "case": case_i,
            K + "case2": case_i2,
            K + "accepted": accepted,
            K + "pending": send(case_i, "rs-2171", "health_psychological"),
            K + "to_decline": send(case_i, "rs-2171", "urgent_first_aid"),
            K + "to_cancel": send(case_i, "puskesmas-3212", "health_physical"),
            K + "page_pending": send(case_i, "rs-2171", "health_medicolegal"),
        }
    )
    meeting = services.meeting_create(
        actor=p.gt_kab,
        region_code="32.12",
        date=today - dt.timedelta(days=20),
        title="Rakor matriks",
        participants=[o["uptd-3212"], o["polres-3212"]],
    )
    item = services.action_item_add(
        actor=p.gt_kab,
        meeting=meeting,
        description="Tindak lanjut matriks",
        owner_org=o["uptd-3212"],
        deadline=today - dt.timedelta(days=2),
    )
    world.objects.update({K + "meeting": meeting, K + "item": item})


def _each(method, url, body, expected: dict, default) -> list[MatrixCase]:
    return [MatrixCase(method, url, body, who, expected.get(who, default)) for who in PERSONAS]


def matrix_cases(world: World) -> list[MatrixCase]:
    ob = world.objects
    p = world.personas
    o = p.orgs
    today = timezone.localdate()
    acc, pend, dec, canc, page_pend = (
        ob[K + k] for k in ("accepted", "pending", "to_decline", "to_cancel", "page_pending")
    )
    case_i, case_i2 = ob[K + "case"], ob[K + "case2"]
    meeting, item = ob[K + "meeting"], ob[K + "item"]
    due = (today + dt.timedelta(days=7)).isoformat()
    cases: list[MatrixCase] = []

    # Who may see the Indramayu hand-overs: the two parties' users and the regions covering 32.12.
    sees = {
        "cw_a": 200,
        "sv_a": 200,
        "provider": 200,
        "gt_kab": 200,
        "province": 200,
        "steward": 200,
        "national": 200,
        "anonymous": 401,
    }
    hidden = 404

    # --- API: lists are 200 for everyone signed in (empty when nothing is in scope)
    for url in (
        "/api/v1/referrals",
        "/api/v1/referrals?box=inbox",
        "/api/v1/referrals?box=overdue",
        "/api/v1/notifications",
        "/api/v1/meetings",
        "/api/v1/action-items?box=overdue",
        "/api/v1/referral-measures?by=region",
    ):
        cases += _each("GET", url, None, {"anonymous": 401}, 200)
    cases += _each("GET", f"/api/v1/referrals/{acc.pk}", None, sees, hidden)
    cases += _each("GET", f"/api/v1/referrals/{pend.pk}", None, sees, hidden)

    # create: only the owner organisation's case workers/supervisors; region roles see the case but may not send
    create_expect = {
        "cw_a": 201,
        "sv_a": 201,
        "gt_kab": 422,
        "province": 422,
        "steward": 422,
        "national": 422,
        "anonymous": 401,
    }
    services_by = {"cw_a": ("rs-2171", "health_physical"), "sv_a": ("rptc-3212", "shelter")}
    for who in PERSONAS:
        to_key, service = services_by.get(who, ("puskesmas-3212", "urgent_first_aid"))
        body = {
            "case_id": str(case_i2.pk),
            "to_org_id": str(o[to_key].pk),
            "service_type": service,
            "reason": "Rujukan uji matriks",
            "due_date": due,
        }
        cases.append(MatrixCase("POST", "/api/v1/referrals", body, who, create_expect.get(who, hidden)))

    # act: the receiver succeeds; those who see it but are not addressed get 422; the rest 404
    not_party = {k: (422 if v == 200 else v) for k, v in sees.items()}
    cases += _each("POST", f"/api/v1/referrals/{pend.pk}/accept", {}, {**not_party, "provider": 200}, hidden)
    cases += _each(
        "POST",
        f"/api/v1/referrals/{dec.pk}/decline",
        {"reason": "Kapasitas penuh"},
        {**not_party, "provider": 200},
        hidden,
    )
    cases += _each(
        "POST",
        f"/api/v1/referrals/{acc.pk}/complete",
        {"note": "selesai"},
        {**not_party, "provider": (200, 422), "cw_a": (200, 422), "sv_a": (200, 422)},
        hidden,
    )
    # cancel: the sender; the hospital cannot even see a referral to the puskesmas
    cases += _each(
        "POST",
        f"/api/v1/referrals/{canc.pk}/cancel",
        {"reason": "Korban pindah"},
        {**not_party, "provider": 404, "cw_a": 200, "sv_a": (200, 422)},
        hidden,
    )

    # meetings: the secretariat, participants (uptd-3212: cw_a, sv_a) and covering secretariats
    meet_sees = {"cw_a": 200, "sv_a": 200, "gt_kab": 200, "province": 200, "national": 200, "anonymous": 401}
    cases += _each("GET", f"/api/v1/meetings/{meeting.pk}", None, meet_sees, hidden)
    cases += _each("GET", f"/api/v1/action-items/{item.pk}", None, meet_sees, hidden)
    meeting_body = {
        "region": "32.12",
        "date": today.isoformat(),
        "title": "Rakor baru",
        "participant_ids": [str(o["uptd-3212"].pk)],
    }
    cases += _each(
        "POST",
        "/api/v1/meetings",
        meeting_body,
        {"gt_kab": 201, "province": 201, "national": 201, "anonymous": 401},
        422,
    )
    cases += _each(
        "PATCH",
        f"/api/v1/meetings/{meeting.pk}",
        {"expected_version": 1, "decisions": "Keputusan"},
        {
            "gt_kab": (200, 409),
            "province": (200, 409),
            "national": (200, 409),
            "cw_a": 422,
            "sv_a": 422,
            "anonymous": 401,
        },
        hidden,
    )
    cases += _each(
        "POST",
        f"/api/v1/meetings/{meeting.pk}/action-items",
        {
            "description": "Tindak lanjut baru",
            "owner_org_id": str(o["polres-3212"].pk),
            "deadline": (today + dt.timedelta(days=5)).isoformat(),
        },
        {"gt_kab": 201, "province": 201, "national": 201, "cw_a": 422, "sv_a": 422, "anonymous": 401},
        hidden,
    )
    cases += _each(
        "PATCH",
        f"/api/v1/action-items/{item.pk}",
        {"status": "in_progress"},
        {
            "cw_a": (200, 422),
            "sv_a": (200, 422),
            "gt_kab": (200, 422),
            "province": (200, 422),
            "national": (200, 422),
            "anonymous": 401,
        },
        hidden,
    )

    # --- pages
    pages_all = {"anonymous": 302}
    for url in (
        "/rujukan/rapat/",
        "/rujukan/tindak-lanjut/?box=overdue",
        "/rujukan/notifikasi/",
        "/rujukan/notifikasi/lencana/",
        "/rujukan/ukuran/",
    ):
        cases += _each("GET", url, None, pages_all, 200)
    cases += _each("GET", "/rujukan/", None, {"executive": 404, "admin": 404, "anonymous": 302}, 200)
    page_sees = {**sees, "anonymous": 302}
    cases += _each("GET", f"/rujukan/{acc.pk}/", None, page_sees, hidden)
    cases += _each(
        "POST",
        f"/rujukan/{page_pend.pk}/terima/",
        {"note": ""},
        {**{k: (422 if v == 200 else v) for k, v in page_sees.items()}, "provider": 302},
        hidden,
    )
    for url in (f"/rujukan/kasus/{case_i.pk}/baru/", f"/rujukan/kasus/{case_i.pk}/tujuan/?kind=transfer"):
        cases += _each("GET", url, None, {"cw_a": 200, "sv_a": 200, "anonymous": 302}, hidden)
    cases += _each(
        "POST",
        f"/rujukan/kasus/{case_i.pk}/baru/",
        {
            "kind": "referral",
            "to_org": str(o["uptd-3212"].pk),
            "service_type": "shelter",
            "reason": "Rujukan ke diri sendiri",
            "due_date": due,
        },
        {"cw_a": 422, "sv_a": 422, "anonymous": 302},
        hidden,
    )
    cases += _each("GET", f"/rujukan/rapat/{meeting.pk}/", None, {**meet_sees, "anonymous": 302}, hidden)
    cases += _each(
        "GET", "/rujukan/rapat/baru/", None, {"gt_kab": 200, "province": 200, "national": 200, "anonymous": 302}, hidden
    )
    cases += _each(
        "GET",
        f"/rujukan/rapat/{meeting.pk}/ubah/",
        None,
        {"gt_kab": 200, "province": 200, "national": 200, "anonymous": 302},
        hidden,
    )
    return cases
