"""Property tests (hypothesis) of every parser and validator: NIK, region names, dates, money,
booleans, spreadsheet rows and headers, indicator formulas, field encryption and keyed hashes.

A parser of an app that does not exist yet is skipped with the module's name as the reason.
The common properties: a valid value written the ways people write it comes back unchanged;
any input at all gives a value or the parser's own error (never a crash); error messages never
repeat an identity number in full.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DB = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _need(module: str, *names: str):
    """The module, or a clear skip naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"{module} does not exist yet ({exc})")
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        pytest.skip(f"{module} has no {', '.join(missing)} yet")
    return mod


# ------------------------------------------------------------------------------------------------
# NIK
# ------------------------------------------------------------------------------------------------
def _kecamatan_codes():
    from gugus.reference.models import Region

    return list(Region.objects.filter(level=3).values_list("code", flat=True)[:3000])


def _nik(kec: str, birth: dt.date, female: bool, serial: int) -> str:
    return f"{kec.replace('.', '')}{birth.day + (40 if female else 0):02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@pytest.mark.django_db
@DB
@given(
    data=st.data(),
    birth=st.dates(dt.date(1940, 1, 1), dt.date(2025, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
    sep=st.sampled_from(["", " ", "."]),
)
def test_valid_nik_is_accepted_written_any_usual_way(data, birth, female, serial, sep):
    from gugus.cases.validation import validate_nik

    kec = data.draw(st.sampled_from(_kecamatan_codes()), label="kecamatan")
    nik = _nik(kec, birth, female, serial)
    written = sep.join([nik[0:4], nik[4:8], nik[8:12], nik[12:16]]) if sep else nik
    assert validate_nik(written) == nik
    assert validate_nik(nik, sex="female" if female else "male", birth_date=birth) == nik


@pytest.mark.django_db
@DB
@given(
    data=st.data(),
    birth=st.dates(dt.date(1940, 1, 1), dt.date(2025, 12, 31)),
    female=st.booleans(),
    serial=st.integers(1, 9999),
    shift=st.integers(1, 300),
)
def test_nik_inconsistent_with_sex_or_birth_date_is_refused(data, birth, female, serial, shift):
    from django.core.exceptions import ValidationError

    from gugus.cases.validation import validate_nik

    kec = data.draw(st.sampled_from(_kecamatan_codes()), label="kecamatan")
    nik = _nik(kec, birth, female, serial)
    with pytest.raises(ValidationError) as exc:
        validate_nik(nik, sex="male" if female else "female")
    assert nik not in " ".join(exc.value.messages)
    other = birth + dt.timedelta(days=shift)
    assume((other.month, other.day) != (birth.month, birth.day))
    with pytest.raises(ValidationError) as exc:
        validate_nik(nik, birth_date=other)
    assert nik not in " ".join(exc.value.messages)


@pytest.mark.django_db
@DB
@given(
    text=st.one_of(
        st.text(max_size=30), st.from_regex(r"\A[0-9]{10,20}\Z"), st.from_regex(r"\A[0-9]{6}[0-7][0-9][01][0-9]{7}\Z")
    )
)
def test_any_input_gives_a_nik_or_a_validation_error_that_does_not_repeat_it(text):
    from django.core.exceptions import ValidationError

    from gugus.cases.validation import validate_nik

    try:
        nik = validate_nik(text)
    except ValidationError as exc:
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 12:
            assert digits not in " ".join(exc.messages), "an error message repeats the NIK"
        return
    assert re.fullmatch(r"\d{16}", nik) and nik == re.sub(r"[\s.\-]", "", text.strip())


# ------------------------------------------------------------------------------------------------
# region names
# ------------------------------------------------------------------------------------------------
KAB_PREFIX = re.compile(r"^(Kabupaten|Kota)\s+", re.I)


def _kabkota():
    from gugus.reference.models import Region

    return list(Region.objects.filter(level=2).values_list("code", "name", "kind"))


def _variants(name: str, kind: str) -> list[str]:
    bare = KAB_PREFIX.sub("", name)
    short = "Kab." if kind == "kabupaten" else "Kota"
    long = "Kabupaten" if kind == "kabupaten" else "Kota"
    return [
        name,
        name.upper(),
        name.lower(),
        f"  {long}   {bare} ",
        f"{short} {bare}",
        f"{bare}, {short}",
        f"{long.upper()} {bare.upper()}",
        f"{short}{bare}" if kind == "kabupaten" else f"Kota {bare}",
        f"{bare} ({long})",
    ]


@pytest.mark.django_db
@DB
@given(data=st.data())
def test_every_kabkota_name_as_people_write_it_resolves_to_its_code(data):
    from gugus.reference.regions import RegionLookupError, resolve_region_code

    code, name, kind = data.draw(st.sampled_from(_kabkota()), label="kab/kota")
    variant = data.draw(st.sampled_from(_variants(name, kind)), label="written as")
    assert resolve_region_code(code) == code
    assert resolve_region_code(code.replace(".", "")) == code
    try:
        assert resolve_region_code(variant) == code
    except RegionLookupError as exc:  # a name two regions share is reported, never guessed
        assert exc.reason == "ambiguous", f"{variant!r}: {exc}"
        assert code in (getattr(exc, "codes", None) or " ".join(exc.candidates))
    bare = KAB_PREFIX.sub("", name)
    try:
        got = resolve_region_code(bare)
        assert got == code or got.count(".") == 0  # or the province of the same name
    except RegionLookupError as exc:
        assert exc.reason == "ambiguous"


@pytest.mark.django_db
@DB
@given(text=st.text(max_size=40))
def test_any_text_resolves_or_raises_region_lookup_error(text):
    from gugus.reference.models import Region
    from gugus.reference.regions import RegionLookupError, resolve_region_code

    try:
        code = resolve_region_code(text)
    except RegionLookupError as exc:
        assert exc.reason in ("unknown", "ambiguous", "malformed", "wrong_level")
        return
    assert code == "ID" or Region.objects.filter(code=code).exists()


@FAST
@given(text=st.text(max_size=60))
def test_region_name_key_is_idempotent_and_ignores_case_and_spacing(text):
    from gugus.reference.regions import name_key

    key, _ = name_key(text)
    assert name_key(key)[0] == key
    ascii_text = text.encode("ascii", "ignore").decode()
    assert name_key(ascii_text.upper())[0] == name_key(ascii_text.lower())[0]
    assert name_key("  " + ascii_text.replace(" ", "   ") + "\t")[0] == name_key(ascii_text)[0]


# ------------------------------------------------------------------------------------------------
# dates, money, booleans (spreadsheet cells)
# ------------------------------------------------------------------------------------------------
from gugus.monitoring.periods import MONTHS_ID  # noqa: E402  (one list of Indonesian month names)


def _excel_serial(d: dt.date) -> int:
    n = (d - dt.date(1899, 12, 30)).days
    return n if n >= 61 else n - 1 if n > 0 else n


@FAST
@given(d=st.dates(dt.date(1900, 3, 1), dt.date(2100, 12, 31)), style=st.integers(0, 8))
def test_a_date_written_as_people_do_parses_back(d, style):
    p = _need("gugus.exchange.parsing", "parse_date")
    written = [
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}-{d.month}-{d.year}",
        d.isoformat(),
        f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}",
        f"{d.day} {MONTHS_ID[d.month - 1].upper()} {d.year}",
        f"  {d.day}   {MONTHS_ID[d.month - 1][:3]}   {d.year} ",
        d,
        _excel_serial(d),
    ][style]
    assert p.parse_date(written) == d


@FAST
@given(d=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_two_digit_years_land_in_the_last_hundred_years(d):
    p = _need("gugus.exchange.parsing", "parse_date")
    got = p.parse_date(f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}")
    assert (got.month, got.day, got.year % 100) == (d.month, d.day, d.year % 100)
    this_year = dt.date.today().year
    assert this_year - 100 < got.year <= this_year


@FAST
@given(
    value=st.one_of(
        st.text(max_size=40),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=True),
        st.decimals(allow_nan=False),
        st.none(),
        st.booleans(),
    )
)
def test_any_cell_gives_a_date_none_or_a_cell_error(value):
    p = _need("gugus.exchange.parsing", "parse_date", "CellError")
    try:
        got = p.parse_date(value)
    except p.CellError as exc:
        assert len(str(exc)) < 200
        return
    assert got is None or isinstance(got, dt.date)


def _id_format(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped if cents == "00" and int(whole) >= 1000 else f"{grouped},{cents}"


def _en_format(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@FAST
@given(
    amount=st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2, allow_nan=False),
    style=st.integers(0, 5),
    negative=st.booleans(),
)
def test_money_written_indonesian_or_english_parses_to_the_same_amount(amount, style, negative):
    p = _need("gugus.exchange.parsing", "parse_decimal")
    written = [
        _id_format(amount),
        "Rp " + _id_format(amount),
        "Rp." + _id_format(amount),
        _en_format(amount),
        f"{amount:.2f}",
        "IDR " + _id_format(amount),
    ][style]
    if negative and amount and style in (0, 3, 4):  # a sign before the digits ("-1.500,00")
        written = "-" + written
        amount = -amount
    assert p.parse_decimal(written) == amount


@FAST
@given(
    value=st.one_of(
        st.text(max_size=40), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none(), st.booleans()
    )
)
def test_any_cell_gives_a_number_none_or_a_cell_error(value):
    p = _need("gugus.exchange.parsing", "parse_decimal", "parse_int", "parse_bool", "CellError")
    for fn in (p.parse_decimal, p.parse_int, p.parse_bool):
        try:
            got = fn(value)
        except p.CellError:
            continue
        assert got is None or isinstance(got, Decimal | int | bool)


@FAST
@given(word=st.sampled_from(["ya", "Ya", "YA", " iya ", "yes", "Benar", "1", "x", "tidak", "Tidak", "TDK", "no", "0"]))
def test_yes_no_words(word):
    p = _need("gugus.exchange.parsing", "parse_bool")
    assert p.parse_bool(word) is (word.strip().lower() in {"ya", "iya", "yes", "benar", "1", "x"})


def test_a_dash_means_no():
    p = _need("gugus.exchange.parsing", "parse_bool")
    assert p.parse_bool("-") is False


# ------------------------------------------------------------------------------------------------
# spreadsheet rows and headers
# ------------------------------------------------------------------------------------------------
CELL = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" -'éèñçüÄ", max_codepoint=255
        ),
        min_size=1,
        max_size=15,
    )
    .map(str.strip)
    .filter(bool)
)


@FAST
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=15),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_csv_in_any_usual_encoding_and_delimiter_reads_back_the_same_rows(rows, encoding, delimiter):
    p = _need("gugus.exchange.parsing", "open_table")
    header = ["Nama Korban", "Tanggal Lahir", "Wilayah Asal"]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    raw = buf.getvalue().encode(encoding)
    table = p.open_table(io.BytesIO(raw), "data.csv")
    got = [cells for _, cells in table.rows]
    assert got == [header, *rows]


SPECS = [
    ("nama", "Nama lengkap"),
    ("tanggal_lahir", "Tanggal lahir"),
    ("wilayah", "Wilayah asal"),
    ("jenis_kelamin", "Jenis kelamin"),
]


@FAST
@given(
    order=st.permutations(range(len(SPECS))),
    titles=st.integers(0, 4),
    decorate=st.lists(st.sampled_from(["", "*", " (wajib)", "upper", "spaces"]), min_size=4, max_size=4),
)
def test_the_header_row_is_found_below_titles_in_any_column_order(order, titles, decorate):
    p = _need("gugus.exchange.parsing", "match_header", "ColumnSpec")
    specs = [p.ColumnSpec(k, label) for k, label in SPECS]
    cells = []
    for i, d in zip(order, decorate, strict=True):
        label = SPECS[i][1]
        label = {
            "*": label + " *",
            " (wajib)": label + " (wajib)",
            "upper": label.upper(),
            "spaces": "  " + label.replace(" ", "   "),
        }.get(d, label)
        cells.append(label)
    rows = [(n + 1, ["Laporan Gugus Tugas PP-TPPO" if n == 0 else "", "", ""]) for n in range(titles)]
    rows.append((titles + 1, cells))
    rows.append((titles + 2, ["Siti", "01/02/2000", "Kab. Indramayu", "P"]))
    match = p.match_header(rows, specs)
    assert match is not None and match.row_number == titles + 1
    assert {match.mapping[col]: SPECS[i][0] for col, i in enumerate(order)} == {SPECS[i][0]: SPECS[i][0] for i in order}


@FAST
@given(blanks=st.integers(0, 450), filled=st.integers(0, 30))
def test_reading_stops_after_a_long_run_of_empty_rows(blanks, filled):
    p = _need("gugus.exchange.parsing", "data_rows", "MAX_CONSECUTIVE_EMPTY")
    rows = [(i, ["x"]) for i in range(filled)] + [(filled + i, ["", None]) for i in range(blanks)] + [(10**6, ["late"])]
    got = list(p.data_rows(iter(rows), limit=1000))
    assert len(got) == filled + (1 if blanks < p.MAX_CONSECUTIVE_EMPTY else 0)


# ------------------------------------------------------------------------------------------------
# indicator formulas
# ------------------------------------------------------------------------------------------------
NAMES = st.sampled_from(["victims", "children", "services", "budget", "population"])


def _ast():
    leaf = st.one_of(
        st.integers(0, 1000).map(lambda n: ("num", n)),
        NAMES.map(lambda n: ("ref", n)),
        st.tuples(NAMES, st.sampled_from(["sex:female", "age:child"])).map(lambda t: ("dref", *t)),
    )
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from("+-*/"), kids, kids).map(lambda t: ("op", *t)),
            kids.map(lambda k: ("neg", k)),
        ),
        max_leaves=12,
    )


def _render(node) -> str:
    kind = node[0]
    if kind == "num":
        return str(node[1])
    if kind == "ref":
        return node[1]
    if kind == "dref":
        return f"{node[1]}[{node[2]}]"
    if kind == "neg":
        return f"-({_render(node[1])})"
    return f"({_render(node[2])} {node[1]} {_render(node[3])})"


def _value(node, env):
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind in ("ref", "dref"):
        return env.get(node[1] if kind == "ref" else f"{node[1]}[{node[2]}]")
    if kind == "neg":
        v = _value(node[1], env)
        return None if v is None else -v
    a, b = _value(node[2], env), _value(node[3], env)
    if a is None or b is None:
        return None
    if node[1] == "/":
        return None if b == 0 else a / b
    return {"+": a + b, "-": a - b, "*": a * b}[node[1]]


@FAST
@given(
    tree=_ast(),
    values=st.dictionaries(
        st.sampled_from(
            ["victims", "children", "services", "budget", "population", "victims[sex:female]", "children[age:child]"]
        ),
        st.one_of(st.none(), st.integers(0, 50).map(float)),
        max_size=7,
    ),
)
def test_a_formula_evaluates_as_written_and_never_raises(tree, values):
    f = _need("gugus.monitoring.formula", "parse", "evaluate")
    text = _render(tree)
    assume(len(text) <= getattr(f, "MAX_LENGTH", 500))
    node = f.parse(text)

    def resolve(ref):
        return values.get(str(ref))

    assert f.evaluate(node, resolve) == _value(tree, values)


@FAST
@given(text=st.text(alphabet="abcxyz_019 +-*/()[]:.$%'\"", max_size=80))
def test_any_text_parses_or_raises_a_formula_error(text):
    f = _need("gugus.monitoring.formula", "parse", "FormulaError")
    try:
        f.parse(text)
    except f.FormulaError as exc:
        assert str(exc)


def test_deep_nesting_is_refused_not_a_crash():
    f = _need("gugus.monitoring.formula", "parse", "FormulaError")
    with pytest.raises(f.FormulaError):
        f.parse("(" * 300 + "1" + ")" * 300)
    with pytest.raises(f.FormulaError):
        f.parse("-" * 400 + "1")


# ------------------------------------------------------------------------------------------------
# identity: encryption and keyed hashes
# ------------------------------------------------------------------------------------------------
@FAST
@given(text=st.text(max_size=200))
def test_field_encryption_round_trips_and_hides_the_text(text):
    from gugus.accounts.crypto import decrypt, encrypt

    token = encrypt(text)
    assert decrypt(token) == text
    if len(text) >= 4:
        assert text not in token


@FAST
@given(digits=st.from_regex(r"\A[0-9]{16}\Z"), sep=st.sampled_from(["", " ", "-", "."]))
def test_nik_hash_ignores_formatting_and_separates_purposes(digits, sep):
    from gugus.cases.matching import nik_hash, phone_hash

    written = sep.join([digits[:4], digits[4:8], digits[8:12], digits[12:]])
    assert nik_hash(written) == nik_hash(digits)
    assert nik_hash(digits) != phone_hash(digits)
    assert digits not in nik_hash(digits)


@FAST
@given(name=st.from_regex(r"\A[A-Za-z]{2,20}\Z"), other=st.from_regex(r"\A[A-Za-z]{2,20}\Z"))
def test_name_token_hashes_ignore_case_order_and_spacing(name, other):
    from gugus.cases.matching import token_hashes

    full = f"{name} {other}"
    assert set(token_hashes(full)) == set(token_hashes(f"  {other.upper()}   {name.lower()} "))
