"""Duplicate candidates: NIK, phone, spelling-variant names with compatible birth year and origin;
out-of-scope candidates reveal only the holding organisation."""

import datetime as dt

import pytest

from gugus.audit.models import AuditEvent
from gugus.cases.duplicates import find_candidates
from gugus.cases.tests.helpers import make_nik, register, victim_data

pytestmark = pytest.mark.django_db


def _probe(**kw):
    return victim_data(**kw)


def test_same_nik_is_a_strong_candidate_even_with_another_name(personas):
    nik = make_nik(dt.date(2000, 5, 17), "female")
    case = register(personas.cw_a, nik=nik)
    cands = find_candidates(personas.cw_a, _probe(full_name="Totally Different", nik=nik))
    assert len(cands) == 1 and cands[0].strong and "NIK sama" in cands[0].reasons
    assert cands[0].case_number == case.case_number and cands[0].in_scope
    assert cands[0].name == "Siti Aminah"  # the case worker may see identities of her organisation


def test_same_phone_is_a_candidate(personas):
    register(personas.cw_a, phone="0812-3456-7890")
    cands = find_candidates(personas.cw_a, _probe(full_name="X Y", phone="+62 812 3456 7890", birth_date=None))
    assert cands and "nomor telepon sama" in cands[0].reasons


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Siti Aminah", "Sitti Aminah"),
        ("Siti Aminah", "Aminah Siti"),  # swapped order
        ("Siti Aminah", "St. Aminah"),
        ("Soekarni Djojo", "Sukarni Joyo"),  # old spelling
        ("Nur Fatimah", "Noor Fatima"),
        ("Muhammad Yusuf", "Moch. Yusuf"),
        ("Sumiati", "Sumiati Rahayu"),  # single name vs full name
        ("Yanie Saleh", "Yani Salleh"),
        ("Hj. Chairunnisa", "Khairunisa"),
    ],
)
def test_name_variants_are_found(personas, stored, typed):
    register(personas.cw_a, full_name=stored)
    cands = find_candidates(personas.cw_a, _probe(full_name=typed))
    assert cands, f"{typed!r} should match {stored!r}"
    assert "nama mirip" in cands[0].reasons


def test_name_alone_is_not_enough_when_birth_year_or_origin_or_sex_differ(personas):
    register(personas.cw_a, full_name="Siti Aminah", birth_date=dt.date(2000, 5, 17))
    assert not find_candidates(personas.cw_a, _probe(full_name="Siti Aminah", birth_date=dt.date(1990, 1, 1)))
    assert not find_candidates(
        personas.cw_a, _probe(full_name="Siti Aminah", origin_region="53.03", domicile_region="53.03")
    )
    assert not find_candidates(personas.cw_a, _probe(full_name="Siti Aminah", sex="male"))
    # Within ±2 years and the same province: a candidate.
    assert find_candidates(
        personas.cw_a, _probe(full_name="Siti Aminah", birth_date=None, estimated_age=27, origin_region="32.09")
    )


def test_common_parts_alone_do_not_match(personas):
    register(personas.cw_a, full_name="Siti Nurhaliza")
    assert not find_candidates(personas.cw_a, _probe(full_name="Siti Aminah"))
    register(personas.cw_a, full_name="Budi Hartono", sex="male", birth_date=dt.date(2000, 1, 1))
    assert not find_candidates(
        personas.cw_a, _probe(full_name="Budi Santoso", sex="male", birth_date=dt.date(2000, 1, 1))
    )


def test_out_of_scope_candidate_names_only_the_organisation(personas):
    nik = make_nik(dt.date(2000, 5, 17), "female")
    register(personas.cw_b, nik=nik, origin_region="32.01", domicile_region="32.01")
    cands = find_candidates(personas.cw_a, _probe(nik=nik))
    assert len(cands) == 1
    c = cands[0]
    assert not c.in_scope and c.case_number is None and c.name is None and c.case_id is None
    assert c.birth_year is None and c.status is None
    assert c.message == "Kemungkinan data yang sudah ada dipegang oleh UPTD PPA Kabupaten Bogor"
    assert set(c.as_dict()) == {"in_scope", "organisation", "message", "score", "reasons"}


def test_check_is_audited_without_identity_values(personas):
    register(personas.cw_a)
    find_candidates(personas.cw_a, _probe(full_name="Siti Aminah"))
    ev = AuditEvent.objects.filter(action="identity_view").order_by("id").last()  # the name was shown: an identity view
    assert ev.detail["purpose"] == "duplicate_check" and ev.detail["candidates"] == 1
    assert "Siti" not in str(ev.detail) and "Aminah" not in str(ev.detail)
    # Without identity rights nothing is shown; the check is still recorded.
    find_candidates(personas.gt_kab, _probe(full_name="Siti Aminah"))
    ev = AuditEvent.objects.order_by("id").last()
    assert ev.action == "duplicate_check" and ev.detail["candidates"] == 1 and "victims" not in ev.detail


def test_merged_record_answers_for_its_target(personas):
    from gugus.cases.services import victim_merge

    a = register(personas.cw_a, full_name="Siti Aminah")
    b = register(personas.cw_a, full_name="Sitti Aminah")
    victim_merge(actor=personas.sv_a, source_case=a, target_case=b, reason="sama")
    cands = find_candidates(personas.cw_a, _probe(full_name="Siti Aminah"))
    assert len(cands) == 1 and cands[0].victim_id == str(b.victim_id)


def test_exclude_self_when_editing(personas):
    a = register(personas.cw_a)
    assert not find_candidates(personas.cw_a, _probe(), exclude_victim=a.victim_id)
