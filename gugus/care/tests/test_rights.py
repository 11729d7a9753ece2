"""The rights checklist: derived where the records say, by hand with a reason otherwise, 7-day clock."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings

from gugus.care import services
from gugus.care.rights import derive, rights_refresh_many
from gugus.care.rules import add_weekdays
from gugus.care.selectors import rights_for_case

from .conftest import days

pytestmark = pytest.mark.django_db


def by_code(states):
    return {s.code: s for s in states}


def test_fresh_case_checklist(personas, make_case):
    case = make_case()
    r = by_code(rights_for_case(personas.cw_a, case))
    assert len(r) == 15
    assert r["identity_confidentiality"].status == "fulfilled" and r["identity_confidentiality"].source == "system"
    assert r["integrated_service"].status == "fulfilled"  # registered at a UPTD PPA
    assert r["protection_abroad"].status == "not_applicable"  # domestic case
    assert r["foreign_victim_protection"].status == "not_applicable"  # WNI
    assert r["health_rehabilitation"].status == "pending" and r["health_rehabilitation"].source == "none"
    assert not any(s.overdue() for s in r.values())


def test_health_service_drives_the_right_and_its_clock(personas, make_case, orgs):
    case = make_case()
    s = services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="health_psychological",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(10),
    )
    r = by_code(derive(case))["health_rehabilitation"]
    assert (r.status, r.applied_on, r.due_on) == ("pending", days(10), days(3))
    assert r.overdue() and case.rights.get(right_id="right.health_rehabilitation").due_on == days(3)
    services.service_update(actor=personas.cw_a, service=s, expected_version=s.version, status="refused_by_victim")
    assert by_code(derive(case))["health_rehabilitation"].status == "refused_by_victim"
    s.refresh_from_db()
    services.service_update(
        actor=personas.cw_a,
        service=s,
        expected_version=s.version,
        status="completed",
        started_on=days(2),
        completed_on=days(1),
    )
    r = by_code(derive(case))["health_rehabilitation"]
    assert r.status == "fulfilled" and r.fulfilled_on == days(2) and r.late() and not r.overdue()


def test_not_provided_means_not_fulfilled(personas, make_case, orgs):
    case = make_case()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="legal_aid",
        provider_org=orgs["lpsk"],
        requested_on=days(3),
        status="not_provided",
    )
    assert by_code(derive(case))["legal_aid"].status == "not_fulfilled"


def test_manual_status_needs_reason_and_evidence_wins(personas, make_case, orgs):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        services.right_set(actor=personas.cw_a, case=case, right="social_rehabilitation", status="refused_by_victim")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.right_set(actor=personas.cw_a, case=case, right="no_such_right", status="pending", reason="x")
    with pytest.raises(ValidationError):
        services.right_set(
            actor=personas.cw_a,
            case=case,
            right="special_examination_room",
            status="fulfilled",
            reason="diperiksa di RPK",
        )  # date missing
    entry = services.right_set(
        actor=personas.cw_a,
        case=case,
        right="special_examination_room",
        status="fulfilled",
        reason="diperiksa di RPK Polres",
        fulfilled_on=days(4),
    )
    assert entry.status == "fulfilled" and entry.source == "manual"
    services.right_set(
        actor=personas.cw_a,
        case=case,
        right="social_rehabilitation",
        status="refused_by_victim",
        reason="korban menolak",
        applied_on=days(20),
    )
    r = by_code(derive(case))["social_rehabilitation"]
    assert (r.status, r.source, r.manual_reason) == ("refused_by_victim", "manual", "korban menolak")
    assert not r.overdue()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="social_rehabilitation",
        provider_org=orgs["rptc-3212"],
        requested_on=days(5),
        status="in_progress",
        started_on=days(4),
    )
    r = by_code(derive(case))["social_rehabilitation"]
    assert (r.status, r.source) == ("fulfilled", "derived")


def test_manual_application_date_starts_the_clock(personas, make_case):
    case = make_case()
    services.right_set(actor=personas.cw_a, case=case, right="urgent_first_aid", status="", applied_on=days(9))
    r = by_code(derive(case))["urgent_first_aid"]
    assert r.status == "pending" and r.due_on == days(2) and r.overdue()
    with override_settings(RIGHTS_DEADLINE_WORKING_DAYS=True):
        r = by_code(derive(case))["urgent_first_aid"]
        assert r.due_on >= add_weekdays(days(9), 5)  # working days: later than calendar days


def test_restitution_and_lpsk_rights(personas, make_case, orgs):
    case = make_case(personas.cw_batam)
    services.legal_case_save(actor=personas.police, case=case, lpsk_protection="applied", lpsk_applied_on=days(10))
    assert by_code(derive(case))["protection_from_threats"].status == "pending"
    services.legal_case_save(actor=personas.police, case=case, lpsk_protection="granted", lpsk_decided_on=days(5))
    assert by_code(derive(case))["protection_from_threats"].status == "fulfilled"
    services.restitution_save(
        actor=personas.police, case=case, requested_on=days(60), ordered_on=days(40), ordered_amount="10000000"
    )
    r = by_code(derive(case))["restitution"]
    assert r.status == "pending" and r.due_on == days(10) and r.overdue()
    services.restitution_payment_add(actor=personas.police, case=case, paid_on=days(2), amount="10.000.000")
    r = by_code(derive(case))["restitution"]
    assert r.status == "fulfilled" and r.fulfilled_on == days(2)


def test_lpsk_assistance_from_lpsk_funded_services(personas, make_case, orgs):
    case = make_case()
    services.service_create(
        actor=personas.cw_a,
        case=case,
        service_type="health_psychological",
        provider_org=orgs["puskesmas-3212"],
        requested_on=days(6),
        status="in_progress",
        started_on=days(5),
        funding_source="lpsk",
    )
    assert by_code(derive(case))["lpsk_assistance"].status == "fulfilled"


def test_who_sees_and_sets_rights(personas, make_case, orgs, refer):
    case = make_case(personas.cw_batam)
    assert rights_for_case(personas.police, case)  # beside the legal track
    assert rights_for_case(personas.cw_batam, case)
    with pytest.raises(Http404):
        rights_for_case(personas.cw_a, case)
    refer(case, orgs["rs-2171"])
    with pytest.raises(Http404):
        rights_for_case(personas.provider, case)  # only its own referred service
    with pytest.raises(Http404):
        services.right_set(actor=personas.provider, case=case, right="legal_aid", status="pending", reason="x")
    services.right_set(
        actor=personas.police,
        case=case,
        right="special_examination_room",
        status="fulfilled",
        reason="RPK Polresta",
        fulfilled_on=days(1),
    )


def test_bulk_refresh_is_idempotent(personas, make_case):
    cases = [make_case() for _ in range(3)]
    n1 = rights_refresh_many([c.pk for c in cases])
    n2 = rights_refresh_many([c.pk for c in cases])
    assert n1 == 45 and n2 == 0
