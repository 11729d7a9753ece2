"""The region-name resolver: names as people write them land on the right Kemendagri code;
an ambiguous name is reported, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gugus.reference.models import Region, region_code_within, subtree_q
from gugus.reference.regions import RegionLookupError, name_key, normalise_code, resolve_region_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, code",
    [
        ("Kab. Indramayu", "32.12"),
        ("KABUPATEN INDRAMAYU", "32.12"),
        ("Indramayu, Kab.", "32.12"),
        ("kab indramayu", "32.12"),
        ("Indramayu", "32.12"),
        ("Kota Bogor", "32.71"),
        ("Kab. Bogor", "32.01"),
        ("Bogor, Kota", "32.71"),
        ("Kabupaten Bogor", "32.01"),
        ("Kota Kupang", "53.71"),
        ("Kab Kupang", "53.01"),
        ("Kota Batam", "21.71"),
        ("32.12", "32.12"),
        ("3212", "32.12"),
        (" 32.12 ", "32.12"),
        ("32", "32"),
        ("Jawa Barat", "32"),
        ("Prov. Jawa Barat", "32"),
        ("Provinsi NTT", "53"),
        ("Kepri", "21"),
        ("Kep. Riau", "21"),
        ("DKI Jakarta", "31"),
        ("D.K.I. Jakarta", "31"),
        ("DI Yogyakarta", "34"),
        ("Daerah Istimewa Yogyakarta", "34"),
        ("Kota Yogyakarta", "34.71"),
        ("Kota Adm. Jakarta Selatan", "31.74"),
        ("Kab. Kep. Seribu", "31.01"),
        ("Kota Bau-Bau", "74.72"),
        ("Kota Baubau", "74.72"),
        ("Kota Pematang Siantar", "12.72"),
        ("Indonesia", "ID"),
    ],
)
def test_names_people_write(text, code):
    assert resolve_region_code(text) == code


@pytest.mark.parametrize("text", ["Bogor", "Kupang", "Bandung", "Yogyakarta", "bogor"])
def test_ambiguous_is_reported_with_candidates(text):
    with pytest.raises(RegionLookupError) as exc:
        resolve_region_code(text)
    err = exc.value
    assert err.reason == "ambiguous"
    assert len(err.codes) >= 2
    assert text in str(err) and "ambigu" in str(err)
    if text.lower() == "bogor":
        assert set(err.codes) == {"32.01", "32.71"}
        assert "Kota Bogor (32.71)" in str(err) and "Kabupaten Bogor (32.01)" in str(err)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Gotham", "unknown"),
        ("Kab. Gotham", "unknown"),
        ("Kota Indramayu", "unknown"),  # Indramayu is a kabupaten: the kind must agree
        ("32.99", "unknown"),
        ("3299", "unknown"),
        ("99", "unknown"),
        ("", "unknown"),
        ("Kota", "unknown"),
        ("3", "malformed"),
        ("32.1", "malformed"),
        ("32.123", "malformed"),
        ("32..12", "malformed"),
        ("32.12.01", "wrong_level"),
    ],
)
def test_unknown_and_malformed_name_the_value(text, reason):
    with pytest.raises(RegionLookupError) as exc:
        resolve_region_code(text)
    assert exc.value.reason == reason
    assert f"'{text}'" in str(exc.value)


def test_levels_and_within():
    assert resolve_region_code("32.12.01", levels=(3,)) == "32.12.01"
    assert resolve_region_code("Haurgeulis", levels=(3,)) == "32.12.01"
    assert resolve_region_code("Bogor", within="32.01", levels=(2, 3)) == "32.01"
    with pytest.raises(RegionLookupError):
        resolve_region_code("Kab. Indramayu", within="53")
    with pytest.raises(RegionLookupError):
        resolve_region_code("32.12", within="53")


def test_normalise_code():
    assert normalise_code("3212") == "32.12"
    assert normalise_code("321201") == "32.12.01"
    assert normalise_code("3212012001") == "32.12.01.2001"
    assert normalise_code("32.12") == "32.12"
    assert normalise_code("321") is None


def test_subtree_helpers():
    assert region_code_within("32.12", "32") and region_code_within("32.12.01", "32.12")
    assert not region_code_within("32.12", "3") and not region_code_within("33.01", "32")
    assert region_code_within("53.71", "ID") and not region_code_within(None, "ID")
    codes = set(Region.objects.filter(subtree_q("code", "32"), level=2).values_list("code", flat=True))
    assert "32.12" in codes and "32.01" in codes and not any(c.startswith("33") for c in codes)
    # "3" is not a prefix of "32": subtrees are whole code segments
    assert not Region.objects.filter(subtree_q("code", "3")).exists()


# --- property: any casing/punctuation/spacing/order variant of a kab/kota name with its kind ------

KABKOTA = None


def kabkota():
    global KABKOTA
    if KABKOTA is None:
        KABKOTA = [(r.code, r.kind, name_key(r.name)[0]) for r in Region.objects.filter(level=2).order_by("code")]
    return KABKOTA


KIND_SPELLINGS = {
    "kabupaten": ["Kab.", "Kab", "KAB.", "Kabupaten", "KABUPATEN", "kabupaten", "Kab ."],
    "kota": ["Kota", "KOTA", "kota", "Kodya", "Kotamadya"],
}
SEPARATORS = [" ", "  ", " - ", "-", ". ", "\u00a0", "\t"]


def recase(text: str, flags: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flags + [False] * len(text), strict=False))


@st.composite
def written_names(draw):
    code, kind, key = draw(st.sampled_from(kabkota()))
    words = key.split()
    sep = draw(st.sampled_from(SEPARATORS))
    name = sep.join(words)
    name = recase(name, draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name))))
    kind_word = draw(st.sampled_from(KIND_SPELLINGS[kind]))
    order = draw(st.sampled_from(["before", "after_comma", "after", "after_paren"]))
    text = {
        "before": f"{kind_word} {name}",
        "after_comma": f"{name}, {kind_word}",
        "after": f"{name} {kind_word}",
        "after_paren": f"{name} ({kind_word})",
    }[order]
    pad = draw(st.sampled_from(["", " ", "  ", "\n"]))
    return code, pad + text + pad


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=written_names())
def test_property_any_written_variant_lands_on_its_code(case):
    code, text = case
    assert resolve_region_code(text) == code, text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_property_resolver_never_guesses_or_crashes(text):
    """Any input either resolves to an existing region or raises RegionLookupError."""
    try:
        code = resolve_region_code(text)
    except RegionLookupError as exc:
        assert exc.reason in {"unknown", "ambiguous", "malformed", "wrong_level"}
        if exc.reason == "ambiguous":
            assert len(exc.codes) >= 2
        return
    assert Region.objects.filter(pk=code).exists()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digits=st.from_regex(r"\A\d{2}(\.\d{2})?\Z"))
def test_property_codes_resolve_exactly_or_unknown(digits):
    try:
        assert resolve_region_code(digits) == digits
    except RegionLookupError as exc:
        assert exc.reason == "unknown"
        assert not Region.objects.filter(pk=digits).exists()
