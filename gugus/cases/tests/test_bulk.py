"""Bulk registration (imports) writes what `victim_register` writes; discard removes only what
nothing has been added to since."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from gugus.audit.models import AuditEvent
from gugus.audit.services import verify_chain
from gugus.cases.bulk import VictimBulkRegistration, discard_blockers, victim_discard, victims_discard
from gugus.cases.models import Case, CaseEvent, Identity, NameToken, StatusChange, Victim
from gugus.cases.services import VictimData, consent_record, victim_register, victim_update

pytestmark = pytest.mark.django_db


def _data(i: int, **kw) -> VictimData:
    base = {
        "sex": "female" if i % 2 else "male",
        "identification_date": dt.date(2025, 1 + i % 12, 1 + i % 28),
        "identification_channel": "hotline",
        "full_name": f"Siti Nurhaliza {i}",
        "aliases": [f"Ani {i}"],
        "birth_date": dt.date(2000, 1 + i % 12, 1 + i % 28),
        "phone": "0812-3456-7890",
        "domicile_region": "32.12",
        "exploitation_forms": ["forced_labour_or_services"],
        "means": ["deception"],
        "destination_country": "MY",
        "scope": "transnational",
    }
    base.update(kw)
    return VictimData(**base)


def _snapshot(case: Case) -> dict:
    v, ident = case.victim, Identity.objects.get(victim=case.victim)
    skip = {"id", "case_number", "created_at", "updated_at", "victim", "narrative"}
    case_fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if f.name not in skip}
    victim_fields = {
        f.attname: getattr(v, f.attname)
        for f in Victim._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at"}
    }
    identity_fields = {
        f.attname: getattr(ident, f.attname)
        for f in Identity._meta.concrete_fields
        if f.name not in {"victim", "updated_at"}
    }
    return {
        "case": case_fields,
        "victim": victim_fields,
        "identity": identity_fields,
        "tokens": sorted(NameToken.objects.filter(victim=v).values_list("kind", "token_hash", "birth_year")),
        "forms": sorted(case.exploitation_forms.values_list("pk", flat=True)),
        "means": sorted(case.means.values_list("pk", flat=True)),
        "history": list(StatusChange.objects.filter(case=case).values_list("from_status", "to_status", "reason")),
        "events": list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)),
    }


def test_bulk_registration_writes_what_victim_register_writes(personas):
    single = victim_register(actor=personas.cw_a, data=_data(1))
    reg = VictimBulkRegistration(actor=personas.cw_a, source="test")
    ids = [reg.add(_data(1)), reg.add(_data(2))]
    with transaction.atomic():
        assert reg.flush() == ids
    bulk = Case.objects.get(pk=ids[0])
    assert _snapshot(bulk) == _snapshot(single)
    numbers = sorted([single.case_number, *Case.objects.filter(pk__in=ids).values_list("case_number", flat=True)])
    assert len(set(numbers)) == 3
    # One audit event for the chunk, listing its cases; the chain still verifies.
    ev = AuditEvent.objects.get(action="victim_register_bulk")
    assert ev.detail["cases"] == [str(i) for i in ids] and ev.detail["source"] == "test"
    assert "Siti" not in str(ev.detail)
    assert verify_chain().ok
    # The next single registration draws a fresh number from the advanced counter.
    later = victim_register(actor=personas.cw_a, data=_data(3))
    assert later.case_number not in numbers


def test_invalid_row_is_refused_when_added_and_nothing_is_written(personas):
    reg = VictimBulkRegistration(actor=personas.cw_a)
    with pytest.raises(ValidationError) as exc:
        reg.add(_data(1, nik="1234"))
    assert "nik" in exc.value.message_dict
    assert len(reg) == 0
    with transaction.atomic():
        assert reg.flush() == []
    assert not Case.objects.exists()


def test_only_roles_that_register_may_bulk_register(personas):
    with pytest.raises(ValidationError):
        VictimBulkRegistration(actor=personas.police)


def _bulk(personas, n: int) -> list[str]:
    reg = VictimBulkRegistration(actor=personas.cw_a)
    for i in range(n):
        reg.add(_data(i))
    with transaction.atomic():
        return [str(i) for i in reg.flush()]


def test_discard_removes_untouched_victims_entirely(personas):
    ids = _bulk(personas, 3)
    victims = list(Case.objects.filter(pk__in=ids).values_list("victim_id", flat=True))
    gone, kept = victims_discard(actor=personas.cw_a, case_ids=ids, reason="Impor dibatalkan")
    assert sorted(gone) == sorted(ids) and kept == {}
    assert not Case.objects.filter(pk__in=ids).exists()
    assert not Victim.objects.filter(pk__in=victims).exists()
    assert not Identity.objects.filter(victim_id__in=victims).exists()
    assert not NameToken.objects.filter(victim_id__in=victims).exists()
    assert not StatusChange.objects.filter(case_id__in=ids).exists()
    assert not CaseEvent.objects.filter(case_id__in=ids).exists()
    assert not Case.exploitation_forms.through.objects.filter(case_id__in=ids).exists()
    ev = AuditEvent.objects.get(action="victim_discard")
    assert sorted(ev.detail["cases"]) == sorted(ids) and ev.detail["reason"] == "Impor dibatalkan"
    assert verify_chain().ok


def test_discard_keeps_victims_something_was_added_to_and_says_why(personas):
    edited, consented, untouched = _bulk(personas, 3)
    case = Case.objects.get(pk=edited)
    victim_update(actor=personas.cw_a, case=case, changes={"recruiting_agency": "PT Contoh"}, expected_version=1)
    consent_record(
        actor=personas.cw_a,
        case=Case.objects.get(pk=consented),
        purpose="services",
        granted=True,
        given_by="victim",
        date=dt.date(2025, 6, 1),
    )
    blockers = discard_blockers([edited, consented, untouched])
    assert set(blockers) == {edited, consented}
    gone, kept = victims_discard(actor=personas.cw_a, case_ids=[edited, consented, untouched], reason="x")
    assert gone == [untouched]
    assert "diubah" in kept[edited]
    assert "data baru" in kept[consented]
    assert Case.objects.filter(pk__in=[edited, consented]).count() == 2


def test_discard_needs_the_registering_organisation(personas):
    (cid,) = _bulk(personas, 1)
    gone, kept = victims_discard(actor=personas.cw_b, case_ids=[cid], reason="x")
    assert gone == [] and cid in kept
    assert Case.objects.filter(pk=cid).exists()


def test_victim_discard_one(personas):
    (cid,) = _bulk(personas, 1)
    victim = Case.objects.get(pk=cid).victim
    victim_discard(actor=personas.cw_a, victim=victim, reason="Salah input")
    assert not Victim.objects.filter(pk=victim.pk).exists()
    with pytest.raises(ValidationError):
        victim_discard(
            actor=personas.cw_a, victim=victim_register(actor=personas.cw_a, data=_data(5)).victim, reason=""
        )


def test_insert_rows_fills_defaults_and_timestamps_and_refuses_unknown_columns(personas):
    from gugus.cases.bulk import insert_rows

    reg = VictimBulkRegistration(actor=personas.cw_a, source="test")
    case_id = reg.add(_data(4))
    with transaction.atomic():
        reg.flush()
    case = Case.objects.get(pk=case_id)
    # auto_now / auto_now_add columns get the time of the write, defaults their default.
    assert case.created_at is not None and case.updated_at is not None and case.version == 1
    assert case.victim.created_at is not None and case.victim.version == 1
    with pytest.raises(ValueError, match="unknown columns"):
        insert_rows(StatusChange, [{"case_id": case_id, "to_status": "registered", "no_such_column": 1}])
    assert StatusChange.objects.filter(case=case).count() == 1
