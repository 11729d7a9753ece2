"""The legal track and restitution: law enforcement edits, case workers read."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import LegalEvent, Restitution, RestitutionPayment
from gugus.care.selectors import legal_events_for_case, legal_for_case, restitutions_overdue
from gugus.cases.models import Perpetrator

from .conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def batam_case(personas, make_case):
    return make_case(personas.cw_batam)


def test_police_records_the_track(personas, batam_case, orgs):
    case = batam_case
    p1 = Perpetrator.objects.create(case=case, role="perekrut")
    ev = services.legal_event_add(
        actor=personas.police,
        case=case,
        stage="police_report",
        date=days(90),
        organisation=orgs["polres-2171"],
        reference_number="LP/B/123/XI/2026",
    )
    legal = legal_for_case(personas.police, case)
    assert legal.police_report_number == "LP/B/123/XI/2026" and legal.police_unit == orgs["polres-2171"]
    services.legal_event_add(
        actor=personas.police,
        case=case,
        stage="suspect_named",
        date=days(80),
        organisation=orgs["polres-2171"],
        suspects=[p1.pk],
        articles="Pasal 2 ayat (1)",
    )
    services.legal_event_add(
        actor=personas.police, case=case, stage="file_complete_p21", date=days(60), organisation=orgs["kejari-2171"]
    )
    verdict = services.legal_event_add(
        actor=personas.police,
        case=case,
        stage="verdict",
        date=days(20),
        organisation=orgs["pn-2171"],
        verdict="convicted",
        articles="2(1), 17",
        sentence_months=72,
        fine="200.000.000",
        suspects=[p1],
    )
    assert verdict.articles == "2(1), 17" and verdict.fine == Decimal("200000000")
    legal.refresh_from_db()
    assert legal.stage_id == "legal_stage.verdict" and legal.court_org == orgs["pn-2171"]
    assert legal.prosecutor_org == orgs["kejari-2171"]
    assert [e.stage_code for e in legal_events_for_case(personas.cw_batam, case)] == [
        "police_report",
        "suspect_named",
        "file_complete_p21",
        "verdict",
    ]
    assert case.events.filter(kind="legal_event").count() == 4
    audit = AuditEvent.objects.filter(action="legal_event_add", object_id=str(verdict.pk)).get()
    assert audit.detail["articles"] == ["2(1)", "17"]
    assert ev.pk


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"stage": "verdict", "verdict": "convicted", "sentence_months": 12}, "articles"),
        ({"stage": "verdict", "verdict": "convicted", "articles": "2"}, "sentence_months"),
        ({"stage": "verdict", "verdict": "convicted", "articles": "2", "sentence_months": 9999}, "sentence_months"),
        ({"stage": "verdict", "verdict": "convicted", "articles": "Pasal 18", "sentence_months": 12}, "articles"),
        ({"stage": "verdict"}, "verdict"),
        ({"stage": "verdict", "verdict": "acquitted", "sentence_months": 5}, "sentence_months"),
        ({"stage": "investigation", "sentence_months": 5}, "sentence_months"),
        ({"stage": "verdict", "verdict": "convicted", "articles": "2", "sentence_months": 12, "fine": "-1"}, "fine"),
        ({"stage": "trial", "organisation": "polres-2171"}, "organisation"),
        ({"stage": "investigation", "date": days(-1)}, "date"),
        ({"stage": "teleport"}, "stage"),
    ],
)
def test_bad_legal_events(personas, batam_case, orgs, kw, field):
    kw = dict(kw)
    if kw.get("organisation"):
        kw["organisation"] = orgs[kw["organisation"]]
    kw.setdefault("date", days(5))
    with pytest.raises(ValidationError) as exc:
        services.legal_event_add(actor=personas.police, case=batam_case, **kw)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not LegalEvent.objects.exists()


def test_suspects_must_be_the_cases_perpetrators(personas, batam_case, make_case):
    other = make_case(personas.cw_batam)
    stranger = Perpetrator.objects.create(case=other, role="x")
    with pytest.raises(ValidationError) as exc:
        services.legal_event_add(
            actor=personas.police, case=batam_case, stage="suspect_named", date=days(3), suspects=[stranger.pk]
        )
    assert "suspects" in exc.value.message_dict


def test_event_before_police_report_refused(personas, batam_case):
    services.legal_case_save(
        actor=personas.police, case=batam_case, police_report_number="LP/1", police_report_date=days(10)
    )
    with pytest.raises(ValidationError) as exc:
        services.legal_event_add(actor=personas.police, case=batam_case, stage="investigation", date=days(11))
    assert "laporan polisi" in exc.value.message_dict["date"][0]


def test_case_workers_read_but_do_not_edit(personas, batam_case, make_case):
    services.legal_case_save(
        actor=personas.police, case=batam_case, police_report_number="LP/1", police_report_date=days(10)
    )
    assert legal_for_case(personas.cw_batam, batam_case).police_report_number == "LP/1"
    with pytest.raises(Http404):
        services.legal_event_add(actor=personas.cw_batam, case=batam_case, stage="investigation", date=days(3))
    with pytest.raises(Http404):
        services.restitution_save(actor=personas.cw_batam, case=batam_case, requested_on=days(3))
    # police of Batam reach no case of Indramayu
    indramayu = make_case()
    with pytest.raises(Http404):
        services.legal_event_add(actor=personas.police, case=indramayu, stage="investigation", date=days(3))
    with pytest.raises(Http404):
        legal_for_case(personas.police, indramayu)
    with pytest.raises(Http404):
        legal_for_case(personas.provider, batam_case)


def test_lpsk_dates(personas, batam_case):
    with pytest.raises(ValidationError) as exc:
        services.legal_case_save(
            actor=personas.police,
            case=batam_case,
            lpsk_protection="granted",
            lpsk_applied_on=days(3),
            lpsk_decided_on=days(5),
        )
    assert "lpsk_decided_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.legal_case_save(actor=personas.police, case=batam_case, lpsk_protection="applied")
    with pytest.raises(ValidationError):
        services.legal_case_save(actor=personas.police, case=batam_case, police_unit=personas.orgs["pn-2171"])


def test_restitution_payments(personas, batam_case):
    r = services.restitution_save(
        actor=personas.police,
        case=batam_case,
        requested_on=days(100),
        requested_amount="50.000.000",
        lpsk_assessed_on=days(80),
        lpsk_assessed_amount="40.000.000",
    )
    assert r.status_id == "restitution_status.lpsk_assessed"
    with pytest.raises(ValidationError) as exc:
        services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(1), amount="1000")
    assert "belum diputus" in exc.value.message_dict["amount"][0]
    r = services.restitution_save(
        actor=personas.police, case=batam_case, ordered_on=days(45), ordered_amount="30.000.000"
    )
    assert r.status_id == "restitution_status.awarded"
    assert [x.pk for x in restitutions_overdue(personas.police)] == [r.pk]
    services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(10), amount="10.000.000")
    r.refresh_from_db()
    assert (r.paid_amount, r.outstanding, r.status_id) == (10000000, 20000000, "restitution_status.paid_partial")
    with pytest.raises(ValidationError) as exc:
        services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(5), amount="20.000.001")
    assert "melebihi sisa" in exc.value.message_dict["amount"][0]
    for bad in ("-5", "0", "99999999999999"):
        with pytest.raises(ValidationError):
            services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(5), amount=bad)
    with pytest.raises(ValidationError):
        services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(-2), amount="1")
    assert RestitutionPayment.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.restitution_save(actor=personas.police, case=batam_case, ordered_amount="5.000.000")
    assert "sudah dibayar" in exc.value.message_dict["ordered_amount"][0]
    services.restitution_payment_add(actor=personas.police, case=batam_case, paid_on=days(1), amount="20.000.000")
    r = Restitution.objects.get(pk=r.pk)
    assert r.status_id == "restitution_status.paid_full" and r.outstanding == 0
    assert restitutions_overdue(personas.police) == []
    assert AuditEvent.objects.filter(action="restitution_payment_add").count() == 2
