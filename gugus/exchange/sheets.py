"""Writing spreadsheets: import templates (with drop-down lists) and error sheets.

Every text cell written by the system goes through `escape_formula`, so a value like
`=HYPERLINK(...)` or `+62812…` opens as text, never as a formula (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .importers import EXTERNAL_ID, Field, Importer
from .lookups import CodeLookup
from .models import ImportBatch, RowStatus

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_ROWS = 20000  # rows covered by the drop-down validation
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_formula(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def region_options() -> list[str]:
    from gugus.reference.models import Region

    out = []
    for code, name, kind in (
        Region.objects.filter(level__in=(1, 2)).order_by("code").values_list("code", "name", "kind")
    ):
        prefix = {"kabupaten": "Kab. ", "kota": "Kota ", "provinsi": "Prov. "}.get(kind, "")
        label = name if name.lower().startswith(("kab", "kota", "prov")) else prefix + name
        out.append(f"{label} ({code})")
    return out


def country_options() -> list[str]:
    from gugus.reference.models import Country

    return [f"{name} ({code})" for code, name in Country.objects.order_by("name_id").values_list("code", "name_id")]


def field_options(f: Field) -> list[str]:
    if f.kind in ("code", "codes"):
        return [label for _code, label in CodeLookup(f.list_key).options()]
    if f.kind == "choice":
        return [label for _v, label in f.choices]
    if f.kind == "region":
        return region_options()
    if f.kind == "country":
        return country_options()
    if f.kind == "bool":
        return ["Ya", "Tidak"]
    return []


def template_xlsx(importer: Importer) -> bytes:
    """The import template: a 'Data' sheet with the header row, notes and validation (drop-down
    lists read from the hidden sheet '_daftar'), and a 'Petunjuk' sheet explaining each column."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"})
    datefmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    textfmt = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet("Data")
    guide = wb.add_worksheet("Petunjuk")
    lists = wb.add_worksheet("_daftar")
    lists.hide()
    fields = importer.all_fields
    list_col = 0
    for col, f in enumerate(fields):
        ws.write_string(0, col, f.label + (" *" if f.required else ""), req if f.required else head)
        ws.set_column(
            col,
            col,
            max(14, min(40, len(f.label) + 6)),
            datefmt
            if f.kind == "date"
            else (textfmt if f.key in ("nik", "phone", "guardian_phone", "external_id") else None),
        )
        note = f.help or ""
        if f.kind == "codes":
            note = (note + " Pilih dari daftar; untuk lebih dari satu, ketik dipisah titik koma (;).").strip()
        if note:
            ws.write_comment(0, col, note, {"x_scale": 2})
        options = field_options(f)
        if options:
            name = xl_col_to_name(list_col)
            lists.write_string(0, list_col, f.label)
            for i, opt in enumerate(options, start=1):
                lists.write_string(i, list_col, opt)
            source = f"='_daftar'!${name}$2:${name}${len(options) + 1}"
            ws.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "list",
                    "source": source,
                    "ignore_blank": True,
                    "error_type": "warning" if f.kind == "codes" else "stop",
                    "error_title": "Nilai tidak ada di daftar",
                    "error_message": "Pilih nilai dari daftar drop-down.",
                    "input_title": f.label[:32],
                    "input_message": "Pilih dari daftar."[:255],
                },
            )
            list_col += 1
        elif f.kind == "date":
            ws.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(1900, 1, 1),
                    "maximum": dt.date(2100, 12, 31),
                    "ignore_blank": True,
                    "error_type": "warning",
                    "input_title": "Tanggal",
                    "input_message": "Format hari/bulan/tahun, mis. 25/08/2015.",
                },
            )
        elif f.kind in ("int", "money"):
            ws.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "decimal" if f.kind == "money" else "integer",
                    "criteria": ">=",
                    "value": 0,
                    "ignore_blank": True,
                    "error_type": "warning",
                    "input_title": f.label[:32],
                    "input_message": "Angka tanpa titik pemisah ribuan juga boleh.",
                },
            )
    ws.freeze_panes(1, 0)
    ws.set_row(0, 36)
    # Guide sheet
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 80)
    guide.set_column(3, 3, 30)
    guide.write_string(0, 0, f"Templat impor: {importer.label}", bold)
    guide.write_string(1, 0, importer.description, wrap)
    guide.write_string(
        2,
        0,
        "Isi lembar 'Data' mulai baris 2. Kolom bertanda * wajib diisi. Tanggal: 25/08/2015 "
        "atau 25 Agustus 2015. Wilayah: pilih dari daftar atau tulis mis. 'Kab. Indramayu'. "
        "Jangan mengubah judul kolom. Rumus tidak dihitung: isi nilainya.",
        wrap,
    )
    guide.write_row(4, 0, ["Kolom", "Wajib", "Keterangan", "Contoh"], bold)
    for i, f in enumerate(fields, start=5):
        desc = f.help or {
            "code": "Pilih dari daftar.",
            "codes": "Pilih dari daftar; lebih dari satu dipisah ';'.",
            "region": "Nama atau kode wilayah Kemendagri.",
            "country": "Nama negara atau kode ISO.",
            "date": "Tanggal.",
            "int": "Bilangan bulat.",
            "money": "Rupiah.",
            "choice": "Pilih dari daftar.",
        }.get(f.kind, "Teks.")
        if f.identity:
            desc += " (data identitas: disimpan terenkripsi)"
        guide.write_string(i, 0, f.label)
        guide.write_string(i, 1, "ya" if f.required else "")
        guide.write_string(i, 2, desc, wrap)
        guide.write_string(i, 3, escape_formula(f.example))
    wb.close()
    return buf.getvalue()


def error_sheet(batch: ImportBatch) -> tuple[bytes, str, str]:
    """The uploaded rows as they were, with a 'Kesalahan' column: (content, mime, filename).
    Same format as the upload (XLSX or CSV)."""
    header = list(batch.header or [])
    rows = batch.rows.all().order_by("row_number").only("row_number", "status", "errors", "raw")
    base = (batch.filename.rsplit(".", 1)[0] or "impor")[:80]

    def message(row) -> str:
        if row.status == RowStatus.ALREADY:
            return "Sudah pernah diimpor (tidak digandakan)."
        if row.status in (RowStatus.INVALID, RowStatus.FAILED):
            return "; ".join(f"{col}: {m}" for col, msgs in (row.errors or {}).items() for m in msgs)
        return ""

    if batch.file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=batch.delimiter or ",")
        writer.writerow([escape_formula(h) for h in header] + ["Kesalahan"])
        for row in rows.iterator(chunk_size=1000):
            cells = json.loads(row.raw or "[]")[: len(header)]
            cells += [""] * (len(header) - len(cells))
            writer.writerow([escape_formula(c) for c in cells] + [escape_formula(message(row))])
        return ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{base}-kesalahan.csv"
    with tempfile.TemporaryFile() as tmp:
        wb = xlsxwriter.Workbook(
            tmp,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        ws = wb.add_worksheet("Data")
        head = wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
        bad = wb.add_format({"font_color": "#B3261E", "text_wrap": True})
        width = len(header)
        for col, h in enumerate(header):
            ws.write_string(0, col, escape_formula(h), head)
        ws.write_string(0, width, "Kesalahan", head)
        ws.set_column(width, width, 60)
        for r, row in enumerate(rows.iterator(chunk_size=1000), start=1):
            cells = json.loads(row.raw or "[]")
            for col, c in enumerate(cells[:width]):
                if c != "":
                    ws.write_string(r, col, escape_formula(c))
            msg = message(row)
            if msg:
                ws.write_string(r, width, msg, bad)
        ws.freeze_panes(1, 0)
        wb.close()
        tmp.seek(0)
        return tmp.read(), XLSX_MIME, f"{base}-kesalahan.xlsx"


def external_id_label() -> str:
    return EXTERNAL_ID.label
