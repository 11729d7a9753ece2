"""Name folding (REFERENCE.md §11), NIK and phone validation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gugus.cases.matching import (
    folded_name,
    name_tokens,
    normalise_phone,
    phonetic_key,
    query_phonetic_hashes,
    token_hashes,
)
from gugus.cases.tests.helpers import make_nik
from gugus.cases.validation import validate_nik, validate_phone


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Soekarno", "Sukarno"),
        ("Djoko", "Joko"),
        ("Tjahjo", "Cahyo"),
        ("Jahja", "Yahya"),
        ("Njoman", "Nyoman"),
        ("Sjamsul", "Syamsul"),
        ("Chairul", "Khairul"),
        ("Khairul", "Hairul"),
        ("Saleh", "Salleh"),
        ("Yanie", "Yani"),
        ("Yuliani", "Juliani"),
        ("Fatimah", "Fatima"),
        ("Zaenal", "Zainal"),
        ("Noor", "Nur"),
        ("Nurul", "Nur"),
        ("St.", "Siti"),
        ("Moch.", "Muhammad"),
        ("M. Yusuf", "Mohammad Yusuf"),
        ("Muhamad", "Mohamad"),
        ("Abd.", "Abdul"),
        ("Ramadhan", "Ramadan"),
        ("Achmad", "Ahmad"),
    ],
)
def test_spelling_variants_fold_to_one_key(a, b):
    assert [phonetic_key(t) for t in name_tokens(a)] == [phonetic_key(t) for t in name_tokens(b)]


def test_honorifics_and_connectors_are_not_names():
    assert name_tokens("Hj. Siti Aminah binti H. Abdullah, S.Pd.") == ["siti", "aminah", "abdullah"]
    assert name_tokens("Drs. Ir. Budi Santoso, M.M.") == ["budi", "santoso"]
    assert folded_name("Hj. St. Noor Aisyah") == folded_name("Siti Nur Aisah")


def test_order_does_not_matter_for_search_hashes():
    assert query_phonetic_hashes("Santoso Budi") == query_phonetic_hashes("budi SANTOSO")
    assert query_phonetic_hashes("Djoko Soesilo") == query_phonetic_hashes("Joko Susilo")


def test_hashes_are_keyed_and_hold_no_plain_name():
    hashes = token_hashes("Siti Aminah")
    assert len(hashes) == 4 and all(len(h) == 64 for _, h in hashes)
    assert not any("siti" in h for _, h in hashes)


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_folding_never_crashes_and_is_idempotent(name):
    for tok in name_tokens(name):
        key = phonetic_key(tok)
        assert key == key.lower()
        assert phonetic_key(key) == phonetic_key(key)  # stable


@given(st.text(alphabet="0123456789 -+()", max_size=20))
@settings(max_examples=100, deadline=None)
def test_phone_normalisation_keeps_only_digits(raw):
    assert normalise_phone(raw).isdigit() or normalise_phone(raw) == ""


def test_phone_forms_are_one_number():
    assert normalise_phone("+62 812-3456-7890") == normalise_phone("0812 3456 7890") == normalise_phone("6281234567890")
    assert validate_phone("+62 812 3456 7890") == "081234567890"
    with pytest.raises(ValidationError):
        validate_phone("12345")


@pytest.mark.django_db
@given(
    birth=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2025, 12, 31)),
    sex=st.sampled_from(["female", "male"]),
    serial=st.integers(min_value=1, max_value=9999),
)
@settings(max_examples=40, deadline=None)
def test_valid_synthetic_niks_pass_and_mismatches_fail(birth, sex, serial):
    nik = make_nik(birth, sex, serial=serial)
    assert validate_nik(nik, sex=sex, birth_date=birth) == nik
    assert validate_nik(nik[:4] + " " + nik[4:]) == nik  # spaces allowed
    other = "male" if sex == "female" else "female"
    with pytest.raises(ValidationError):
        validate_nik(nik, sex=other, birth_date=birth)
    with pytest.raises(ValidationError):
        validate_nik(nik, sex=sex, birth_date=birth + dt.timedelta(days=1))


@pytest.mark.django_db
@given(st.text(max_size=30))
@settings(max_examples=60, deadline=None)
def test_arbitrary_text_is_never_a_valid_nik_unless_it_really_is_one(raw):
    try:
        digits = validate_nik(raw)
    except ValidationError as exc:
        assert raw.strip() == "" or raw.strip() not in " ".join(exc.messages) or len(raw.strip()) < 3
    else:
        assert len(digits) == 16 and digits.isdigit()


@pytest.mark.django_db
def test_nik_rules():
    good = make_nik(dt.date(1999, 12, 31), "female", kec="53.03.01")
    assert validate_nik(good, sex="female") == good
    for bad in [
        "123",
        "a" * 16,
        "3212010101990000",
        make_nik(dt.date(1999, 1, 1), "male", kec="32.12.99"),
        "0012014501900001",
        "3212013201900001",
    ]:
        with pytest.raises(ValidationError):
            validate_nik(bad)
