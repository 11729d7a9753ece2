"""Cell parsers and file readers: pure, property-tested."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gugus.exchange import parsing
from gugus.exchange.parsing import CellError, FileRejected, parse_date, parse_decimal
from gugus.monitoring.periods import MONTHS_ID  # noqa: E402  (one list of Indonesian month names)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_dates_in_every_written_form(d):
    assert parse_date(f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}") == d
    assert parse_date(f"{d.day:02d}/{d.month:02d}/{d.year}") == d
    assert parse_date(f"{d.day}-{d.month}-{d.year}") == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(dt.datetime(d.year, d.month, d.day, 13, 5)) == d
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(float(serial)) == d


def test_date_examples_and_errors():
    assert parse_date("25 Agustus 2015") == dt.date(2015, 8, 25)
    assert parse_date("25/08/2015") == dt.date(2015, 8, 25)
    assert parse_date(" Senin, 25 Agt 2015 ") == dt.date(2015, 8, 25)
    assert parse_date(42241) == dt.date(2015, 8, 25)
    for bad in ("31/02/2015", "08/25/2015", "kemarin", "2015-13-01"):
        with pytest.raises(CellError):
            parse_date(bad)
    with pytest.raises(CellError):
        parse_date(parsing.Formula("=TODAY()"))


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_indonesian_and_english_numbers(x):
    whole = int(x)
    cents = int((x - whole) * 100)
    indo = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    eng = f"{whole:,}.{cents:02d}"
    assert parse_decimal(indo) == Decimal(f"{whole}.{cents:02d}")
    assert parse_decimal(eng) == Decimal(f"{whole}.{cents:02d}")
    assert parse_decimal("Rp " + f"{whole:,}".replace(",", ".")) == whole


@given(st.text(max_size=40))
def test_parsers_never_crash(text):
    for fn in (parse_date, parse_decimal, parsing.parse_bool, parsing.clean_text):
        with contextlib.suppress(CellError):
            fn(text)


def test_stray_spaces_and_nbsp():
    assert parsing.clean_text("  Siti\u00a0  Aminah \n") == "Siti Aminah"


def _table(content: bytes, name="x.csv"):
    return parsing.open_table(io.BytesIO(content), name)


def test_csv_encodings_and_delimiters():
    t = _table("a;b\nÉ;ü\n".encode("cp1252"))
    assert (t.encoding, t.delimiter) == ("cp1252", ";")
    assert list(t.rows)[1][1] == ["É", "ü"]
    t = _table("\ufeffa,b\nx,y\n".encode())
    assert t.encoding == "utf-8-sig" and t.delimiter == ","
    t = _table("a\tb\nx\ty\n".encode("utf-16"))
    assert t.encoding == "utf-16"


def test_unknown_encoding_and_binary_are_refused():
    with pytest.raises(FileRejected, match="Pengodean"):
        _table(b"a,b\n\x81\x8d\x8f\x90\x9d,x\n")
    with pytest.raises(FileRejected, match="biner"):
        _table(b"a,b\x00\x01\x02\n")


def test_macro_old_xls_corrupt_and_size():
    with pytest.raises(FileRejected, match="makro"):
        parsing.sniff_format(b"PK\x03\x04", "data.xlsm")
    with pytest.raises(FileRejected, match=".xls"):
        _table(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "data.xls")
    with pytest.raises(FileRejected, match="rusak"):
        _table(b"PK\x03\x04garbage" * 10, "data.xlsx")
    with pytest.raises(FileRejected, match="terlalu besar"):
        parsing.check_size(200 * 1024 * 1024)
    with pytest.raises(FileRejected, match="kosong"):
        parsing.check_size(0)


def test_zip_with_vba_project_is_refused():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/vbaProject.bin", b"\0\1")
    with pytest.raises(FileRejected, match="makro"):
        _table(buf.getvalue(), "data.xlsx")


def test_empty_rows_stop_reading_and_row_cap():
    rows = [(i, ["x"]) for i in range(1, 4)] + [(i, ["", None]) for i in range(4, 1_000_000)]
    out = list(parsing.data_rows(iter(rows), limit=10))
    assert len(out) == 3
    with pytest.raises(FileRejected, match="lebih dari"):
        list(parsing.data_rows(iter([(i, ["x"]) for i in range(20)]), limit=10))


def test_header_found_below_titles_and_in_two_rows():
    specs = [
        parsing.ColumnSpec("name", "Nama"),
        parsing.ColumnSpec("sex", "Jenis kelamin", ("JK",)),
        parsing.ColumnSpec("date", "Tanggal identifikasi"),
    ]
    rows = [
        (1, ["LAPORAN"]),
        (2, []),
        (3, ["No", "Identitas", None, "Tanggal Identifikasi*"]),
        (4, [None, "Nama", "JK", None]),
        (5, [1, "A", "P", "1/1/2020"]),
    ]
    m = parsing.match_header(rows, specs)
    assert m.row_number == 4
    assert set(m.mapping.values()) == {"name", "sex", "date"}
