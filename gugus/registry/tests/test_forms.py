"""Shape parsing: Rupiah as people write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gugus.registry.forms import format_rupiah, parse_rupiah

amounts = st.decimals(
    min_value=0, max_value=Decimal("99999999999999.99"), places=2, allow_nan=False, allow_infinity=False
)


@given(amounts)
def test_format_then_parse_is_exact(value):
    assert parse_rupiah(format_rupiah(value)) == value
    assert parse_rupiah("Rp" + format_rupiah(value)) == value
    assert parse_rupiah(f"{value:.2f}") == value  # machine style


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150000000", "150000000"),
        ("150.000.000", "150000000"),
        ("Rp 150.000.000,50", "150000000.50"),
        ("Rp150.000.000,-", "150000000"),
        ("1,500,000", "1500000"),
        ("1,500,000.25", "1500000.25"),
        ("2500,5", "2500.5"),
        ("2500.75", "2500.75"),
        ("1.500", "1500"),
    ],
)
def test_known_spellings(text, expected):
    assert parse_rupiah(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "Rp", "abc", "1.50.0", "12,3456", "1.000,000.00", "-5", "1e9", "15.5.2024"])
def test_rejects_garbage(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


@given(st.text(max_size=30))
def test_never_crashes(text):
    try:
        value = parse_rupiah(text)
    except ValueError:
        return
    assert value >= 0
