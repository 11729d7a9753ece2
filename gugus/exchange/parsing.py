"""Reading spreadsheets as people really fill them in.

Pure functions, no database: `open_table(fileobj, filename)` streams rows from XLSX (openpyxl
read-only mode) or CSV (encoding and delimiter detected), and the `parse_*` helpers turn one
cell into a Python value or raise `CellError` with a message in Bahasa Indonesia.

Guards against bad input (each raises `FileRejected` with a clear message, before anything is
written): size over `GUGUS_MAX_UPLOAD_BYTES`, macros (.xlsm / vbaProject.bin), old binary .xls,
corrupt ZIP/XML, a zip bomb (uncompressed size cap), binary or unknown-encoding CSV. Reading
stops after `MAX_CONSECUTIVE_EMPTY` empty rows and refuses more than `max_rows` data rows.
Formulas are never evaluated: a formula cell arrives as `Formula("=...")` and the importer
reports it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

MAX_CONSECUTIVE_EMPTY = 200
HEADER_SCAN_ROWS = 30
DEFAULT_MAX_ROWS = 200_000
# A sheet's XML may be far larger than its zip; beyond this it is a zip bomb, not a register.
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
CSV_SNIFF_BYTES = 64 * 1024


class FileRejected(ValueError):
    """The whole file is refused. The message is safe to show (no cell values)."""


class CellError(ValueError):
    """One cell's value is not acceptable. The message is in Bahasa Indonesia."""


@dataclass(frozen=True)
class Formula:
    """A formula cell, kept as text and never evaluated."""

    text: str

    def __str__(self) -> str:
        return self.text


def max_upload_bytes() -> int:
    return int(getattr(settings, "GUGUS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "GUGUS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def check_size(size: int | None) -> None:
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise FileRejected(f"Berkas terlalu besar ({human_size(size)}); batas unggahan {human_size(limit)}.")
    if size == 0:
        raise FileRejected("Berkas kosong.")


# --------------------------------------------------------------------------- text helpers


def fold(text: str) -> str:
    """Lowercase ASCII with single spaces: for comparing headers and labels."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def header_key(text: str) -> str:
    """A header as a key: folded, without '*' markers and '(hint)' parts."""
    text = re.sub(r"\([^)]*\)", " ", str(text or ""))
    return fold(text.replace("*", " "))


def clean_text(value) -> str:
    """A cell as trimmed text: NBSP and runs of whitespace become one space."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip()


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- dates

MONTHS = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
_WORD_DATE = re.compile(r"^(\d{1,2})\s*[-\s./]?\s*([a-z]+)\.?\s*[-\s./,]?\s*(\d{2}|\d{4})$")
_NUM_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY_NAMES = re.compile(r"^(senin|selasa|rabu|kamis|jumat|sabtu|minggu|ahad)\s*,?\s*")
# Excel's serial day numbers for 1900-01-01 .. 2100-12-31.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 1, 73415


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        pivot = dt.date.today().year % 100
        y += 2000 if y <= pivot else 1900
    return y


def _make_date(y: int, m: int, d: int, raw: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CellError(f"Tanggal '{raw}' tidak ada di kalender.")


def excel_serial_to_date(serial: float) -> dt.date:
    # Excel's day 60 is the fictitious 29 Feb 1900; days after it are shifted by one.
    n = int(serial)
    base = dt.date(1899, 12, 31) if n < 60 else dt.date(1899, 12, 30)
    return base + dt.timedelta(days=n)


def parse_date(value) -> dt.date | None:
    """A date from a cell: date/datetime cells, Excel serial numbers, '25 Agustus 2015',
    '25/08/2015', '25-08-15', '2015-08-25'. Numeric dates are day first (Indonesian usage)."""
    if is_empty(value):
        return None
    if isinstance(value, Formula):
        raise CellError("Sel berisi rumus; rumus tidak dihitung. Ketik tanggalnya.")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("Bukan tanggal.")
    if isinstance(value, int | float | Decimal):
        if EXCEL_SERIAL_MIN <= float(value) <= EXCEL_SERIAL_MAX:
            return excel_serial_to_date(float(value))
        raise CellError(f"Angka {value} bukan tanggal.")
    raw = clean_text(value)
    text = _DAY_NAMES.sub("", raw.lower()).strip()
    if re.fullmatch(r"\d{1,5}(\.0+)?", text):
        n = float(text)
        if EXCEL_SERIAL_MIN <= n <= EXCEL_SERIAL_MAX and n > 31:
            return excel_serial_to_date(n)
    m = _ISO_DATE.match(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    m = _NUM_DATE.match(text)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if mo > 12:
            raise CellError(f"Tanggal '{raw}' tidak sah; gunakan urutan hari/bulan/tahun, mis. 25/08/2015.")
        return _make_date(y, mo, d, raw)
    m = _WORD_DATE.match(text)
    if m and m.group(2) in MONTHS:
        return _make_date(_year(m.group(3)), MONTHS[m.group(2)], int(m.group(1)), raw)
    raise CellError(f"Tanggal '{raw[:40]}' tidak dikenali; contoh yang benar: 25/08/2015 atau 25 Agustus 2015.")


# --------------------------------------------------------------------------- numbers


def parse_decimal(value) -> Decimal | None:
    """A number, Indonesian or English written: 'Rp 1.500.000', '1.500.000,50', '1,500,000.50'."""
    if is_empty(value):
        return None
    if isinstance(value, Formula):
        raise CellError("Sel berisi rumus; rumus tidak dihitung. Ketik angkanya.")
    if isinstance(value, bool):
        raise CellError("Bukan angka.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    raw = clean_text(value)
    text = re.sub(r"(?i)^rp\.?\s*|\s|idr", "", raw)
    neg = text.startswith("-")
    text = text.lstrip("-+")
    if not text or not re.fullmatch(r"[\d.,]+", text):
        raise CellError(f"'{raw[:40]}' bukan angka.")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        dec = "." if text.rfind(".") > text.rfind(",") else ","
        thou = "," if dec == "." else "."
        text = text.replace(thou, "").replace(dec, ".")
    elif dots > 1 or commas > 1:
        text = text.replace("." if dots else ",", "")
    elif dots == 1 or commas == 1:
        sep = "." if dots else ","
        head, tail = text.split(sep)
        text = head + tail if len(tail) == 3 and head else head + "." + tail
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{raw[:40]}' bukan angka.")
    return -number if neg else number


def parse_int(value) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"'{clean_text(value)[:40]}' harus bilangan bulat.")
    return int(number)


TRUE_WORDS = {"ya", "y", "iya", "yes", "true", "benar", "1", "v", "x", "ada"}
FALSE_WORDS = {"tidak", "t", "tdk", "no", "n", "false", "salah", "0", "-", "tidak ada"}


def parse_bool(value) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    text = clean_text(value)
    # Punctuation-only answers ("-") fold to nothing: compare them as written.
    key = fold(text) or text
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError(f"Isi 'Ya' atau 'Tidak', bukan '{text[:40]}'.")


def split_multi(value) -> list[str]:
    """A multi-choice cell: items separated by ';', ',', '/', '|' or new lines."""
    text = clean_text(value)
    if not text:
        return []
    return [p.strip() for p in re.split(r"[;,|\n/]+", str(value)) if p.strip()]


# --------------------------------------------------------------------------- reading files


@dataclass
class Table:
    """Rows of one sheet, streamed. `rows` yields (sheet row number, list of cell values)."""

    rows: Iterator[tuple[int, list]]
    file_format: str  # "xlsx" | "csv"
    encoding: str = ""
    delimiter: str = ""
    warnings: list[str] = field(default_factory=list)
    close: object = None
    estimated_rows: int = 0


def sniff_format(head: bytes, filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise FileRejected(
            "Berkas berisi makro (.xlsm) tidak diterima. Simpan sebagai .xlsx (Buku Kerja Excel) lalu unggah lagi."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(
            "Format .xls lama (atau berkas Office terenkripsi) tidak didukung. Simpan sebagai .xlsx lalu unggah lagi."
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if name.endswith((".xlsx", ".xls")):
        raise FileRejected("Berkas bukan buku kerja Excel yang sah (rusak atau salah format).")
    return "csv"


def open_table(fileobj, filename: str, *, size: int | None = None) -> Table:
    """Open an uploaded file as a Table. `fileobj` must be seekable binary."""
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    check_size(size)
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    fmt = sniff_format(head, filename)
    if fmt == "xlsx":
        return _open_xlsx(fileobj)
    return _open_csv(fileobj)


def _open_xlsx(fileobj) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(fileobj) as zf:
            names = zf.namelist()
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected("Berkas Excel rusak atau bukan .xlsx yang sah.")
    if "xl/workbook.xml" not in names:
        raise FileRejected("Berkas ZIP ini bukan buku kerja Excel (.xlsx).")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRejected("Berkas berisi makro tidak diterima. Simpan sebagai .xlsx tanpa makro lalu unggah lagi.")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected("Isi berkas Excel terlalu besar setelah dibuka. Pecah menjadi beberapa berkas.")
    fileobj.seek(0)
    try:
        wb = openpyxl.load_workbook(fileobj, read_only=True, data_only=False, keep_links=False)
    except Exception:  # noqa: BLE001 - any parser failure is a corrupt file for the user
        raise FileRejected("Berkas Excel rusak dan tidak dapat dibaca.")
    ws = None
    for candidate in wb.worksheets:
        if getattr(candidate, "sheet_state", "visible") == "visible" and candidate.title != "_daftar":
            ws = candidate
            break
    if ws is None:
        wb.close()
        raise FileRejected("Buku kerja tidak memiliki lembar yang terlihat.")
    try:
        estimated = int(ws.max_row or 0)
    except (TypeError, ValueError):
        estimated = 0
    table = Table(rows=iter(()), file_format="xlsx", close=wb.close, estimated_rows=min(estimated, max_rows()))

    def rows() -> Iterator[tuple[int, list]]:
        formulas = 0
        try:
            for idx, row in enumerate(ws.iter_rows(), start=1):
                values = []
                for cell in row:
                    v = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (
                        isinstance(v, str) and v.startswith("=") and len(v) > 1
                    ):
                        formulas += 1
                        v = Formula(str(v))
                    elif hasattr(v, "text") and not isinstance(v, str):  # ArrayFormula / DataTableFormula
                        formulas += 1
                        v = Formula(str(getattr(v, "text", "")))
                    values.append(v)
                yield idx, values
        except FileRejected:
            raise
        except Exception:  # noqa: BLE001
            raise FileRejected("Berkas Excel rusak di tengah lembar; tidak ada yang diimpor.")
        finally:
            if formulas:
                table.warnings.append(f"{formulas} sel berisi rumus. Rumus tidak dihitung; isi sel dengan nilainya.")

    table.rows = rows()
    return table


ENCODINGS = ("utf-8-sig", "cp1252")


def detect_encoding(fileobj) -> str:
    """The encoding of a text file: UTF-16 by BOM, UTF-8, then Windows-1252 (Latin-1 superset).
    Binary content (NUL bytes, many control characters) or bytes neither can decode are refused."""
    fileobj.seek(0)
    head = fileobj.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for enc in ENCODINGS:
        fileobj.seek(0)
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
        controls = total = 0
        try:
            while True:
                chunk = fileobj.read(1024 * 1024)
                if not chunk:
                    decoder.decode(b"", final=True)
                    break
                if b"\x00" in chunk:
                    raise FileRejected("Berkas bukan teks CSV (berisi data biner). Unggah .xlsx atau .csv.")
                text = decoder.decode(chunk)
                total += len(text)
                controls += sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        except UnicodeDecodeError:
            continue
        if total and controls / total > 0.01:
            raise FileRejected("Berkas bukan teks CSV (berisi data biner). Unggah .xlsx atau .csv.")
        return enc
    raise FileRejected(
        "Pengodean teks CSV tidak dikenali (bukan UTF-8 maupun Windows-1252/Latin-1). "
        "Simpan ulang sebagai 'CSV UTF-8' lalu unggah lagi."
    )


def detect_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines() if ln.strip()][:20]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t|").delimiter
    except csv.Error:
        counts = {d: sum(ln.count(d) for ln in lines) for d in ";,\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _open_csv(fileobj) -> Table:
    encoding = detect_encoding(fileobj)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    sample = text.read(CSV_SNIFF_BYTES)
    delimiter = detect_delimiter(sample)
    text.seek(0)
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for idx, row in enumerate(reader, start=1):
                yield idx, [Formula(v) if v.startswith("=") and len(v) > 1 else v for v in row]
        except csv.Error:
            raise FileRejected("Berkas CSV rusak (tanda kutip tidak tertutup atau baris terlalu panjang).")

    return Table(rows=rows(), file_format="csv", encoding=encoding, delimiter=delimiter, close=text.detach)


# --------------------------------------------------------------------------- header detection


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {header_key(self.label), header_key(self.key.replace("_", " ")), *(header_key(a) for a in self.aliases)}


@dataclass
class HeaderMatch:
    row_number: int
    mapping: dict[int, str]  # column index -> spec key
    header_cells: list[str]
    unknown: list[str]


def match_header(rows: list[tuple[int, list]], specs: list[ColumnSpec]) -> HeaderMatch | None:
    """Find the header row among the first rows by matching known column names.

    Handles title rows above the header, merged group headers (a group name in the row above,
    carried to the right over its merged cells), and two-row headers ("Identitas" / "Nama")."""
    lookup: dict[str, str] = {}
    for spec in specs:
        for k in spec.header_keys():
            lookup.setdefault(k, spec.key)
    best: HeaderMatch | None = None
    best_score = 0
    prev_filled: list[str] = []
    for row_number, cells in rows[:HEADER_SCAN_ROWS]:
        texts = [clean_text(c) for c in cells]
        mapping: dict[int, str] = {}
        used: set[str] = set()
        for i, t in enumerate(texts):
            candidates = [header_key(t)]
            above = prev_filled[i] if i < len(prev_filled) else ""
            if above:
                candidates += [header_key(f"{above} {t}"), header_key(above) if not t else ""]
            for cand in candidates:
                key = lookup.get(cand) if cand else None
                if key and key not in used:
                    mapping[i] = key
                    used.add(key)
                    break
        score = len(mapping)
        if score > best_score:
            best_score = score
            unknown = [t for i, t in enumerate(texts) if t and i not in mapping]
            best = HeaderMatch(row_number, mapping, texts, unknown)
        filled, carry = [], ""
        for t in texts:
            carry = t or carry
            filled.append(carry if any(texts) else "")
        prev_filled = filled
    if best is None or best_score < min(2, len(specs)):
        return None
    return best


def data_rows(rows: Iterator[tuple[int, list]], *, limit: int | None = None) -> Iterator[tuple[int, list]]:
    """Non-empty rows; stops after MAX_CONSECUTIVE_EMPTY empty rows; refuses more than `limit` rows."""
    limit = limit or max_rows()
    empty = 0
    count = 0
    for row_number, cells in rows:
        if all(is_empty(c) for c in cells):
            empty += 1
            if empty >= MAX_CONSECUTIVE_EMPTY:
                return
            continue
        empty = 0
        count += 1
        if count > limit:
            raise FileRejected(
                f"Berkas memuat lebih dari {limit:,} baris data; pecah menjadi beberapa berkas.".replace(",", ".")
            )
        yield row_number, cells
