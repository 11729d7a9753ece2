"""Parsers and calendar rules (hypothesis for the parsers)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from gugus.care.rules import (
    MAX_AMOUNT,
    SERVICE_PROVIDER_TYPES,
    UU21_ARTICLES,
    add_months,
    add_weekdays,
    allowed_org_types,
    amount_error,
    parse_amount,
    parse_articles,
    rights_deadline,
)


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_amount_indonesian_thousands(n):
    text = f"{n:,}".replace(",", ".")
    assert parse_amount(text) == Decimal(n)
    assert parse_amount(f"Rp {text}") == Decimal(n)
    assert parse_amount(n) == Decimal(n)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_parse_amount_with_cents(whole, cents):
    text = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    assert parse_amount(text) == Decimal(f"{whole}.{cents:02d}")


@given(st.text(max_size=30))
def test_parse_amount_never_crashes(text):
    try:
        v = parse_amount(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert v is None or isinstance(v, Decimal)


def test_amount_limits():
    assert amount_error(Decimal("-1")) == "Jumlah tidak boleh negatif."
    assert "10 miliar" in amount_error(MAX_AMOUNT + 1)
    assert amount_error(MAX_AMOUNT) is None
    assert amount_error(Decimal("1.005")) is not None
    assert amount_error(None) is None


def test_parse_articles_forms():
    assert parse_articles("Pasal 2 ayat (1), Ps 17") == ["2(1)", "17"]
    assert parse_articles("2(1) jo. 17 UU 21/2007") == ["2(1)", "17"]
    assert parse_articles("Ps. 10 ayat 2; 11") == ["10(2)", "11"]
    assert parse_articles("") == []
    for bad in ("Pasal 18", "Pasal 1", "99", "abc"):
        with pytest.raises(ValueError):
            parse_articles(bad)


@given(st.lists(st.sampled_from(sorted(UU21_ARTICLES)), min_size=1, max_size=5))
def test_parse_articles_roundtrip(nums):
    text = ", ".join(f"Pasal {n}" for n in nums)
    assert parse_articles(text) == list(dict.fromkeys(str(n) for n in nums))


@given(st.text(max_size=40))
def test_parse_articles_never_crashes(text):
    try:
        out = parse_articles(text)
    except ValueError:
        return
    assert all(int(a.split("(")[0]) in UU21_ARTICLES for a in out)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.sampled_from([1, 3, 6, 12]))
def test_add_months(d, m):
    out = add_months(d, m)
    assert (out.year * 12 + out.month) - (d.year * 12 + d.month) == m
    assert out.day <= d.day


def test_add_months_clamps():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_rights_deadline_calendar_and_working_days():
    friday = dt.date(2026, 11, 13)
    with override_settings(RIGHTS_DEADLINE_DAYS=7, RIGHTS_DEADLINE_WORKING_DAYS=False):
        assert rights_deadline(friday) == dt.date(2026, 11, 20)
    with override_settings(RIGHTS_DEADLINE_DAYS=7, RIGHTS_DEADLINE_WORKING_DAYS=True):
        assert rights_deadline(friday) == dt.date(2026, 11, 24)  # lokal-id working days
        # A year lokal-id has no holiday data for falls back to Monday-Friday.
        assert rights_deadline(dt.date(2020, 3, 6)) == add_weekdays(dt.date(2020, 3, 6), 7) == dt.date(2020, 3, 17)


def test_service_table_covers_every_service_code(db):
    from gugus.reference.models import Code

    codes = set(Code.objects.filter(code_list_id="service_type").values_list("code", flat=True))
    org_types = set(Code.objects.filter(code_list_id="org_type").values_list("code", flat=True))
    assert set(SERVICE_PROVIDER_TYPES) == codes - {"other"}
    assert allowed_org_types("other") is None
    for types in SERVICE_PROVIDER_TYPES.values():
        assert types <= org_types
    assert "puskesmas" in allowed_org_types("health_physical")
    assert "court" not in allowed_org_types("legal_aid")
