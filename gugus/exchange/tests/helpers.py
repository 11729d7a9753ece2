"""Building spreadsheets for tests."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

HEADER = [
    "ID Eksternal",
    "Tanggal identifikasi",
    "Jalur identifikasi",
    "Nama lengkap",
    "Jenis kelamin",
    "Perkiraan usia",
    "Wilayah asal",
    "Bentuk eksploitasi",
    "Negara tujuan",
]


def victim_rows(n: int, start: int = 1) -> list[list]:
    rows = []
    for i in range(start, start + n):
        rows.append(
            [
                f"R-{i}",
                "25/08/2025",
                "Hotline / SAPA 129",
                f"Korban Uji {i}",
                "P" if i % 2 else "L",
                20 + i % 30,
                "Kab. Indramayu",
                "Kerja atau pelayanan paksa",
                "Malaysia",
            ]
        )
    return rows


def xlsx_bytes(
    rows: list[list], header: list | None = None, *, title_rows: list[list] | None = None, sheet: str = "Data"
) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in title_rows or []:
        ws.append(r)
    if header is not None:
        ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], header: list | None = None, *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    import csv

    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    if header is not None:
        w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v) for v in r])
    return out.getvalue().encode(encoding)


def upload(name: str, content: bytes, mime: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=mime)


def run_import(user, kind: str, content: bytes, name: str = "data.xlsx"):
    """Upload + validate (inline, as the task would)."""
    from gugus.exchange import services

    batch = services.import_upload(actor=user, kind=kind, fileobj=io.BytesIO(content), filename=name)
    return services.import_validate_run(batch.pk)


def commit(user, batch, mode: str = "valid_only"):
    from gugus.exchange import services

    services.import_commit(actor=user, batch=batch, mode=mode)
    return services.import_commit_run(batch.pk, user.pk, mode)
