"""Service records: meaning checks, funding rules, audit, timeline, scope of service providers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import ServiceRecord
from gugus.care.selectors import service_get_for_user, services_for_case, services_visible_to
from gugus.cases.models import CaseEvent
from gugus.core.errors import Conflict

from .conftest import days

pytestmark = pytest.mark.django_db


def _svc(actor, case, org, **kw):
    base = {"service_type": "health_physical", "provider_org": org, "requested_on": days(10)}
    base.update(kw)
    return services.service_create(actor=actor, case=case, **base)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_create_completed_service_records_audit_timeline_and_rights(personas, make_case, orgs):
    case = make_case()
    s = _svc(
        personas.cw_a,
        case,
        orgs["puskesmas-3212"],
        status="completed",
        started_on=days(9),
        completed_on=days(3),
        cost="2.500.000",
        funding_source="apbd_kabkota",
        outcome="pulih",
    )
    assert s.cost == Decimal("2500000") and not s.unfunded and s.warnings == []
    assert CaseEvent.objects.filter(case=case, kind="service_create", object_id=str(s.pk)).exists()
    ev = AuditEvent.objects.get(action="service_create", object_id=str(s.pk))
    assert ev.detail["service_type"] == "health_physical" and "Korban" not in str(ev.detail)
    right = case.rights.get(right_id="right.health_rehabilitation")
    assert right.status == "fulfilled" and right.fulfilled_on == days(9)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"status": "completed", "started_on": days(5), "completed_on": days(6)}, "completed_on"),
        ({"status": "in_progress", "started_on": days(12)}, "started_on"),
        ({"requested_on": days(-3)}, "requested_on"),
        ({"status": "in_progress", "started_on": days(-1)}, "started_on"),
        ({"cost": "-5000"}, "cost"),
        ({"cost": Decimal("10000000000.01")}, "cost"),
        ({"cost": "dua juta"}, "cost"),
        ({"status": "completed", "started_on": days(5)}, "completed_on"),
        ({"status": "in_progress"}, "started_on"),
        ({"status": "requested", "started_on": days(5)}, "status"),
        ({"status": "refused_by_victim", "started_on": days(5), "completed_on": days(4)}, "completed_on"),
        ({"funding_source": "apbn", "bpjs_claim_refused": True}, "bpjs_claim_refused"),
        (
            {"funding_source": "bpjs_jkn", "bpjs_claim_refused": True, "alt_funding_source": "bpjs_jkn"},
            "alt_funding_source",
        ),
        ({"funding_source": "apbn", "alt_funding_source": "lpsk"}, "alt_funding_source"),
        ({"funding_source": "gratis"}, "funding_source"),
        ({"status": "done"}, "status"),
        ({"service_type": "shelter"}, "service_type"),
        ({"service_type": "bogus"}, "service_type"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(personas, make_case, orgs, kw, field):
    case = make_case()
    before = (
        ServiceRecord.objects.count(),
        AuditEvent.objects.filter(action="service_create").count(),
        CaseEvent.objects.filter(kind="service_create").count(),
    )
    with pytest.raises(ValidationError) as exc:
        _svc(personas.cw_a, case, orgs["puskesmas-3212"], **kw)
    assert field in errors_of(exc), errors_of(exc)
    assert all(m and "Traceback" not in m for msgs in errors_of(exc).values() for m in msgs)
    assert (
        ServiceRecord.objects.count(),
        AuditEvent.objects.filter(action="service_create").count(),
        CaseEvent.objects.filter(kind="service_create").count(),
    ) == before


def test_wrong_org_type_names_the_org_and_service(personas, make_case, orgs):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        _svc(personas.cw_a, case, orgs["polres-3212"], service_type="health_psychological")
    msg = errors_of(exc)["provider_org"][0]
    assert "Unit PPA Polres Indramayu" in msg and "tidak dapat memberikan layanan" in msg
    with pytest.raises(ValidationError):
        _svc(personas.cw_a, case, orgs["rptc-3212"], service_type="legal_aid")
    with pytest.raises(ValidationError):
        _svc(personas.cw_a, case, orgs["puskesmas-3212"], service_type="legal_aid")
    assert not ServiceRecord.objects.filter(case=case).exists()
    assert _svc(personas.cw_a, case, orgs["lpsk"], service_type="legal_aid").pk
    assert _svc(personas.cw_a, case, orgs["polres-3212"], service_type="other").pk


def test_bpjs_warning_refusal_and_alternative_funding(personas, make_case, orgs):
    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"], funding_source="bpjs_jkn")
    assert any("Perpres 82/2018" in w for w in s.warnings) and not s.unfunded
    refused = _svc(personas.cw_a, case, orgs["puskesmas-3212"], funding_source="bpjs_jkn", bpjs_claim_refused=True)
    assert refused.unfunded and any("pembayar pengganti" in w for w in refused.warnings)
    paid = services.service_update(
        actor=personas.cw_a,
        service=refused,
        expected_version=refused.version,
        alt_funding_source="apbd_kabkota",
        alt_payer_org=orgs["gt-3212"],
    )
    assert not paid.unfunded and paid.alt_funding_source_id == "funding_source.apbd_kabkota"
    none = _svc(personas.cw_a, case, orgs["puskesmas-3212"], funding_source="none")
    assert none.unfunded
    assert set(ServiceRecord.objects.filter(case=case, unfunded=True).values_list("pk", flat=True)) == {none.pk}


def test_update_with_stale_version_conflicts(personas, make_case, orgs):
    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"])
    services.service_update(
        actor=personas.cw_a, service=s, expected_version=1, status="in_progress", started_on=days(8)
    )
    stale = ServiceRecord.objects.get(pk=s.pk)
    stale.version = 1
    with pytest.raises(Conflict):
        services.service_update(actor=personas.sv_a, service=stale, expected_version=1, outcome="x")
    with pytest.raises(ValidationError):
        services.service_update(actor=personas.cw_a, service=s, expected_version=2, case="x")


def test_out_of_scope_writers_get_404(personas, make_case, orgs):
    case = make_case()
    for user in (personas.cw_b, personas.gt_kab, personas.police, personas.provider, personas.executive):
        with pytest.raises(Http404):
            _svc(user, case, orgs["puskesmas-3212"])
    assert not ServiceRecord.objects.exists()


def test_service_provider_sees_and_edits_only_its_own_records(personas, make_case, orgs, refer):
    case = make_case(personas.cw_batam)
    other = _svc(personas.cw_batam, case, orgs["uptd-2171"], service_type="health_psychological")
    with pytest.raises(Http404):
        _svc(personas.provider, case, orgs["rs-2171"])
    refer(case, orgs["rs-2171"])
    mine = _svc(personas.provider, case, orgs["rs-2171"], service_type="health_medicolegal")
    with pytest.raises(ValidationError) as exc:
        _svc(personas.provider, case, orgs["puskesmas-3212"])
    assert "organisasi Anda" in errors_of(exc)["provider_org"][0]
    assert list(services_for_case(personas.provider, case)) == [mine]
    with pytest.raises(Http404):
        service_get_for_user(personas.provider, other.pk)
    with pytest.raises(Http404):
        services.service_update(actor=personas.provider, service=other, expected_version=1, outcome="x")
    services.service_update(actor=personas.provider, service=mine, expected_version=1, outcome="visum selesai")
    # the owning case worker sees both; another region's worker none
    assert set(services_for_case(personas.cw_batam, case)) == {mine, other}
    assert not services_visible_to(personas.cw_a).filter(case=case).exists()
    # police (no service.view) never see services
    assert not services_visible_to(personas.police).exists()


def test_secretariat_reads_region_but_cannot_write(personas, make_case, orgs):
    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"])
    assert service_get_for_user(personas.gt_kab, s.pk) == s
    assert service_get_for_user(personas.province, s.pk) == s
    with pytest.raises(Http404):
        service_get_for_user(personas.province_ntt, s.pk)
    with pytest.raises(Http404):
        services.service_update(actor=personas.gt_kab, service=s, expected_version=1, outcome="x")


def test_missing_and_hidden_get_same_answer(personas, make_case, orgs):
    import uuid

    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"])
    for ident in (s.pk, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404):
            service_get_for_user(personas.cw_b, ident)


def test_started_date_not_before_case_history_limits(personas, make_case, orgs):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        _svc(personas.cw_a, case, orgs["puskesmas-3212"], requested_on=dt.date(1980, 1, 1))
    assert "requested_on" in errors_of(exc)


# --- delete (undoing an import) ---------------------------------------------------------------------


def _announced(django_capture_on_commit_callbacks, fn):
    """Run fn and return the (kind, region, date) announcements it sent on commit."""
    from gugus.core.signals import record_changed

    seen = []

    def listener(sender=None, **kw):
        seen.append((kw["kind"], kw["region_code"], kw["date"]))

    record_changed.connect(listener, dispatch_uid="care-test-delete")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            fn()
    finally:
        record_changed.disconnect(dispatch_uid="care-test-delete")
    return seen


def test_delete_service_audits_reason_timeline_rights_and_announces(
    personas, make_case, orgs, django_capture_on_commit_callbacks
):
    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"], status="completed", started_on=days(9), completed_on=days(3))
    assert case.rights.get(right_id="right.health_rehabilitation").status == "fulfilled"
    seen = _announced(
        django_capture_on_commit_callbacks,
        lambda: services.service_delete(actor=personas.cw_a, service=s, reason="Impor batch salah dibatalkan"),
    )
    assert ("service", case.region_id, days(10)) in seen
    assert not ServiceRecord.objects.filter(pk=s.pk).exists()
    ev = AuditEvent.objects.get(action="service_delete", object_id=str(s.pk))
    assert ev.object_type == "service" and ev.detail["reason"] == "Impor batch salah dibatalkan"
    assert ev.detail["service_type"] == "health_physical" and "Korban" not in str(ev.detail)
    assert CaseEvent.objects.filter(case=case, kind="service_delete", object_id=str(s.pk)).exists()
    assert case.rights.get(right_id="right.health_rehabilitation").status != "fulfilled"


def test_delete_service_refuses_out_of_scope_stale_no_reason_and_shelter(personas, make_case, orgs, refer):
    case = make_case()
    s = _svc(personas.cw_a, case, orgs["puskesmas-3212"])
    for user in (personas.cw_b, personas.gt_kab, personas.police, personas.provider, personas.executive):
        with pytest.raises(Http404):
            services.service_delete(actor=user, service=s, reason="salah")
    with pytest.raises(ValidationError) as exc:
        services.service_delete(actor=personas.cw_a, service=s, reason="  ")
    assert "reason" in errors_of(exc)
    with pytest.raises(Conflict):
        services.service_delete(actor=personas.cw_a, service=s, reason="salah", expected_version=s.version + 1)
    assert ServiceRecord.objects.filter(pk=s.pk).exists()
    assert not AuditEvent.objects.filter(action="service_delete").exists()
    # a referred provider deletes only what its own organisation provided
    batam = make_case(personas.cw_batam)
    other = _svc(personas.cw_batam, batam, orgs["uptd-2171"], service_type="health_psychological")
    refer(batam, orgs["rs-2171"])
    mine = _svc(personas.provider, batam, orgs["rs-2171"], service_type="health_medicolegal")
    with pytest.raises(Http404):
        services.service_delete(actor=personas.provider, service=other, reason="salah")
    services.service_delete(actor=personas.provider, service=mine, reason="salah catat")
    assert list(ServiceRecord.objects.filter(case=batam)) == [other]
    # a shelter stay's service goes with the stay
    shelter = orgs["rumah-aman-2171"]
    stay = services.shelter_admit(actor=personas.cw_batam, case=batam, shelter=shelter, admitted_on=days(5))
    with pytest.raises(ValidationError) as exc:
        services.service_delete(actor=personas.cw_batam, service=stay.service, reason="salah")
    assert "service_type" in errors_of(exc)
    assert ServiceRecord.objects.filter(pk=stay.service_id).exists()
