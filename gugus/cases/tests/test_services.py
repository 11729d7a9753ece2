"""Registration, editing with versions, status life cycle, consent, perpetrators, merge."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gugus.audit.models import AuditEvent
from gugus.cases import services
from gugus.cases.matching import nik_hash, phone_hash
from gugus.cases.models import (
    Case,
    CaseEvent,
    CaseRevision,
    CaseStatus,
    Consent,
    Identity,
    NameToken,
    Perpetrator,
    StatusChange,
    Victim,
    VictimMerge,
)
from gugus.cases.tests.helpers import make_nik, register, victim_data
from gugus.core.errors import Conflict

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, where: str, param) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE {where} = %s", [param])
        return cur.fetchone()[0]


def test_register_creates_everything_and_encrypts_identity(personas):
    nik = make_nik(dt.date(2000, 5, 17), "female")
    case = register(
        personas.cw_a, nik=nik, phone="+62 812-3456-7890", address="Jl. Mawar 1", aliases=["Mbak Ami"], guardian_name=""
    )
    assert case.case_number == "3212-2026-000001"
    assert case.registering_org == personas.orgs["uptd-3212"] == case.owner_org
    assert case.region_id == "32.12" and case.origin_region_id == "32.12"
    assert case.status == CaseStatus.REGISTERED and not case.is_child and case.age_at_identification == 25
    assert list(case.route.values_list("stage", "region_id", "country_id")) == [
        ("recruitment", "32.12", None),
        ("transit", "21.71", None),
        ("exploitation", None, "MY"),
    ]
    ident = Identity.objects.get(victim=case.victim)
    assert ident.nik == nik and ident.phone == "081234567890"
    assert ident.nik_hash == nik_hash(nik) and ident.phone_hash == phone_hash("0812 3456 7890")
    # The database holds ciphertext and keyed hashes only.
    vid = str(case.victim_id).replace("-", "") if connection.vendor == "sqlite" else case.victim_id
    for column, plain in (
        ("nik", nik),
        ("full_name", "Siti Aminah"),
        ("phone", "081234567890"),
        ("address", "Jl. Mawar 1"),
        ("aliases", "Mbak Ami"),
    ):
        stored = _raw("cases_identity", column, "victim_id", vid)
        assert plain not in stored and "Siti" not in stored and stored.startswith("gAAAA")
    for column in ("nik_hash", "phone_hash"):
        stored = _raw("cases_identity", column, "victim_id", vid)
        assert nik not in stored and "0812" not in stored and len(stored) == 64
    assert NameToken.objects.filter(victim=case.victim).count() == 6  # 3 tokens × (exact, phonetic)
    assert StatusChange.objects.filter(case=case, to_status="registered").exists()
    assert CaseEvent.objects.filter(case=case, kind="registered").exists()
    ev = AuditEvent.objects.get(action="victim_register")
    assert ev.object_id == str(case.pk)
    assert nik not in str(ev.detail) and "Siti" not in str(ev.detail)


def test_case_numbers_are_sequential_per_region_and_year(personas):
    a = register(personas.cw_a)
    b = register(personas.cw_a, full_name="Budi Santoso", sex="male", birth_date=dt.date(1990, 1, 1))
    c = register(personas.cw_b)
    d = register(personas.cw_a, identification_date=dt.date(2025, 12, 30))
    assert [a.case_number, b.case_number] == ["3212-2026-000001", "3212-2026-000002"]
    assert c.case_number == "3201-2026-000001"
    assert d.case_number == "3212-2025-000001"


def test_child_flag_from_age_at_identification(personas):
    child = register(personas.cw_a, birth_date=dt.date(2010, 3, 3), guardian_name="Ibu Tini")
    assert child.is_child and child.age_at_identification == 15
    turned_18 = register(personas.cw_a, birth_date=dt.date(2008, 3, 2))
    assert not turned_18.is_child and turned_18.age_at_identification == 18
    est = register(personas.cw_a, birth_date=None, estimated_age=16)
    assert est.is_child and est.victim.age_estimated and est.victim.birth_year == 2010


def test_foreign_victim_needs_country(personas):
    with pytest.raises(ValidationError) as e:
        register(personas.cw_a, citizenship_status="wna", citizenship=None)
    assert "citizenship" in e.value.error_dict
    case = register(personas.cw_a, citizenship_status="wna", citizenship="Timor-Leste", document_number="TL123456")
    assert case.victim.citizenship_id == "TL"
    assert Identity.objects.get(victim=case.victim).document_number == "TL123456"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"nik": "12345"}, "nik"),
        ({"nik": make_nik(dt.date(2000, 5, 17), "female", kec="32.12.99")}, "nik"),  # no such kecamatan
        ({"nik": make_nik(dt.date(2000, 5, 17), "male")}, "nik"),  # sex encoded differs
        ({"nik": make_nik(dt.date(2001, 5, 17), "female")}, "nik"),  # birth date differs
        ({"birth_date": dt.date(2026, 3, 5)}, "birth_date"),  # after identification
        ({"identification_date": dt.date.today() + dt.timedelta(days=3)}, "identification_date"),
        ({"domicile_region": "99.99"}, "domicile_region"),
        ({"origin_region": "Kabupaten Tidakada"}, "origin_region"),
        ({"destination_country": "Atlantis"}, "destination_country"),
        ({"sector": "astronaut"}, "sector"),
        ({"exploitation_forms": ["nope"]}, "exploitation_forms"),
        ({"phone": "12"}, "phone"),
        ({"sex": "x"}, "sex"),
        ({"exploitation_start": dt.date(2026, 1, 1), "exploitation_end": dt.date(2025, 1, 1)}, "exploitation_end"),
        ({"full_name": "", "aliases": []}, "full_name"),
        ({"birth_date": None, "estimated_age": None}, "birth_date"),
        ({"route": [services.RouteLegData(stage="transit")]}, "route"),
        ({"route": [services.RouteLegData(stage="transit", country_code="XX")]}, "route"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(personas, override, field):
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        register(personas.cw_a, **override)
    assert field in e.value.error_dict
    for msgs in e.value.message_dict.values():
        for m in msgs:
            assert override.get("nik", "@@") not in m  # never echo the NIK
    assert Case.objects.count() == 0 and Victim.objects.count() == 0 and Identity.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_region_names_and_codes_resolve(personas):
    case = register(personas.cw_a, domicile_region="Kab. Lumajang", origin_region="3508")
    assert case.victim.domicile_region_id == "35.08" and case.origin_region_id == "35.08"


def test_only_roles_with_create_may_register(personas):
    for user in (personas.gt_kab, personas.executive, personas.provider, personas.police):
        with pytest.raises(PermissionDenied):
            register(user)
    assert Case.objects.count() == 0


def test_draft_saves_incomplete_then_registers_when_complete(personas):
    data = victim_data(is_draft=True, sex="", identification_channel="", birth_date=None, full_name="Ani")
    case = services.victim_register(actor=personas.cw_a, data=data)
    assert case.status == CaseStatus.DRAFT and case.is_draft
    with pytest.raises(ValidationError) as e:
        services.case_submit_draft(actor=personas.cw_a, case=case)
    assert "birth_date" in e.value.error_dict
    case = services.victim_update(
        actor=personas.cw_a, case=case, changes={"estimated_age": 20}, expected_version=case.version
    )
    services.case_submit_draft(actor=personas.cw_a, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and not case.is_draft
    # A draft with an invalid value is refused too.
    with pytest.raises(ValidationError):
        services.victim_register(actor=personas.cw_a, data=victim_data(is_draft=True, nik="1"))


def test_edit_bumps_version_records_revision_and_reindexes(personas):
    case = register(personas.cw_a)
    v = case.version
    case = services.victim_update(
        actor=personas.cw_a,
        case=case,
        expected_version=v,
        changes={"full_name": "Siti Aminah Rahayu", "sector": "agriculture"},
    )
    assert case.version == v + 1
    assert CaseRevision.objects.get(case=case, version=v + 1).fields == ["full_name", "sector"]
    assert Identity.objects.get(victim=case.victim).full_name == "Siti Aminah Rahayu"
    assert NameToken.objects.filter(victim=case.victim, kind="p").count() == 3
    ev = AuditEvent.objects.filter(action="victim_update").order_by("id").last()
    assert ev.detail["fields"] == ["full_name", "sector"] and "Rahayu" not in str(ev.detail)


def test_two_stale_editors_one_wins_other_gets_conflict_nothing_lost(personas):
    case = register(personas.cw_a)
    v = case.version
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    services.victim_update(
        actor=personas.cw_a, case=first, changes={"recruiting_agency": "PT Satu"}, expected_version=v
    )
    with pytest.raises(Conflict) as e:
        services.victim_update(
            actor=personas.sv_a,
            case=second,
            changes={"recruiting_agency": "PT Dua", "sector": "agriculture"},
            expected_version=v,
        )
    assert e.value.changed_fields == ["recruiting_agency"]
    assert e.value.current_version == v + 1
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.recruiting_agency == "PT Satu" and fresh.sector_id == "labour_sector.domestic_work"
    # A third editor with the right version wins again.
    services.victim_update(actor=personas.sv_a, case=fresh, changes={"sector": "agriculture"}, expected_version=v + 1)
    assert Case.objects.get(pk=case.pk).sector_id == "labour_sector.agriculture"


def test_edit_identity_needs_identity_rights(personas):
    from gugus.cases.models import CaseAccess

    case = register(personas.cw_a)
    with pytest.raises(PermissionDenied):
        services.victim_update(
            actor=personas.gt_kab, case=case, changes={"full_name": "X"}, expected_version=case.version
        )
    # A full-access organisation's case worker (a transfer) may edit.
    CaseAccess.objects.create(
        case=case, organisation=personas.orgs["uptd-3201"], level="full", source_type="transfer", source_id=case.pk
    )
    services.victim_update(
        actor=personas.cw_b, case=case, changes={"full_name": "Siti A."}, expected_version=case.version
    )


def test_status_life_cycle_with_history_and_reopen(personas):
    case = register(personas.cw_a)
    services.case_change_status(actor=personas.cw_a, case=case, to_status="assessed")
    services.case_change_status(actor=personas.cw_a, case=case, to_status="receiving_services")
    with pytest.raises(ValidationError):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="closed")  # no reason
    with pytest.raises(ValidationError):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="closed", closure_reason="bogus")
    with pytest.raises(ValidationError):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="draft")
    services.case_change_status(actor=personas.cw_a, case=case, to_status="reintegrated")
    services.case_change_status(actor=personas.cw_a, case=case, to_status="closed", closure_reason="reintegrated")
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason_id == "closure_reason.reintegrated" and case.closed_at
    with pytest.raises(ValidationError):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="registered")  # reason needed
    services.case_change_status(actor=personas.cw_a, case=case, to_status="registered", reason="korban kembali")
    case.refresh_from_db()
    assert case.status == "registered" and case.closure_reason_id is None and case.closed_at is None
    history = list(StatusChange.objects.filter(case=case).values_list("from_status", "to_status"))
    assert history == [
        ("", "registered"),
        ("registered", "assessed"),
        ("assessed", "receiving_services"),
        ("receiving_services", "reintegrated"),
        ("reintegrated", "closed"),
        ("closed", "registered"),
    ]
    with pytest.raises(Conflict):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="assessed", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.case_change_status(actor=personas.gt_kab, case=case, to_status="assessed")


def test_consent_for_a_child_is_given_by_the_guardian(personas):
    child = register(personas.cw_a, birth_date=dt.date(2012, 1, 1), guardian_name="Ibu")
    with pytest.raises(ValidationError) as e:
        services.consent_record(
            actor=personas.cw_a,
            case=child,
            purpose="services",
            granted=True,
            given_by="victim",
            date=dt.date(2026, 3, 2),
        )
    assert "given_by" in e.value.error_dict
    c = services.consent_record(
        actor=personas.cw_a,
        case=child,
        purpose="share_referral",
        granted=True,
        given_by="guardian",
        guardian_relation="ibu kandung",
        date=dt.date(2026, 3, 2),
    )
    assert c.given_by == "guardian"
    services.consent_withdraw(actor=personas.cw_a, consent=c)
    assert Consent.objects.get(pk=c.pk).withdrawn_on is not None
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=personas.cw_a,
            case=child,
            purpose="nope",
            granted=True,
            given_by="guardian",
            guardian_relation="ibu",
            date=dt.date(2026, 3, 2),
        )


def test_perpetrator_name_encrypted(personas):
    case = register(personas.cw_a)
    p = services.perpetrator_add(
        actor=personas.cw_a,
        case=case,
        name="Pak Joko Calo",
        role="perekrut",
        relation="sponsor",
        nationality="Indonesia",
    )
    stored = _raw(
        "cases_perpetrator", "name", "id", str(p.pk).replace("-", "") if connection.vendor == "sqlite" else p.pk
    )
    assert "Joko" not in stored
    assert Perpetrator.objects.get(pk=p.pk).name == "Pak Joko Calo"
    with pytest.raises(ValidationError):
        services.perpetrator_add(actor=personas.cw_a, case=case, name="", organisation_name="")
    services.perpetrator_remove(actor=personas.cw_a, perpetrator=p)
    assert not Perpetrator.objects.exists()


def test_merge_and_unmerge_restore_exactly(personas):
    a = register(personas.cw_a)
    b = register(personas.cw_a, full_name="Siti Aminah", phone="081234567890")
    with pytest.raises(PermissionDenied):
        services.victim_merge(actor=personas.cw_a, source_case=a, target_case=b)
    merge = services.victim_merge(actor=personas.sv_a, source_case=a, target_case=b, reason="orang yang sama")
    a.refresh_from_db()
    assert a.victim_id == b.victim_id
    source = Victim.objects.get(pk=merge.source_id)
    assert source.merged_into_id == b.victim_id
    assert AuditEvent.objects.filter(action="victim_merge").exists()
    with pytest.raises(ValidationError):
        services.victim_merge(actor=personas.sv_a, source_case=a, target_case=b)  # same victim now
    services.victim_unmerge(actor=personas.sv_a, merge=merge, reason="keliru")
    a.refresh_from_db()
    assert a.victim_id == source.pk != b.victim_id
    assert Victim.objects.get(pk=source.pk).merged_into_id is None
    assert VictimMerge.objects.get(pk=merge.pk).undone_at is not None
    assert AuditEvent.objects.filter(action="victim_unmerge").exists()
    with pytest.raises(ValidationError):
        services.victim_unmerge(actor=personas.sv_a, merge=merge)
    # Out of the supervisor's organisation: refused.
    c = register(personas.cw_b)
    with pytest.raises(PermissionDenied):
        services.victim_merge(actor=personas.sv_a, source_case=c, target_case=b)


def test_imports_may_lack_name_and_age_but_forms_may_not(personas):
    from gugus.cases.validation import registration_warnings, validate_victim_data

    data = victim_data(full_name="", birth_date=None)
    case = services.victim_register(actor=personas.cw_a, data=data)  # e.g. an import of old records
    assert case.age_at_identification is None and not case.is_child
    warnings = registration_warnings(data, validate_victim_data(data))
    assert any("Usia belum diketahui" in w for w in warnings)
    with pytest.raises(ValidationError) as e:
        services.victim_register(actor=personas.cw_a, data=data, complete=True)
    assert {"full_name", "birth_date"} <= set(e.value.error_dict)


def test_permission_error_is_also_a_validation_error_for_older_callers(personas):
    with pytest.raises(ValidationError):
        register(personas.gt_kab)
