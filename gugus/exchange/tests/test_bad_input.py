"""Bad files: a clear message, nothing imported, the server unharmed."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from gugus.cases.models import Case
from gugus.exchange import services
from gugus.exchange.models import ImportBatch, ImportRow, ImportStatus

from .helpers import HEADER, run_import, victim_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_wrong_template_is_rejected_with_the_expected_columns(personas):
    batch = run_import(personas.cw_a, "victims", xlsx_bytes([[1, 2, 3]], ["Tahun", "Pagu", "Program"]))
    assert batch.status == ImportStatus.REJECTED
    assert "templat" in batch.message.lower()
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_missing_required_column(personas):
    header = [h for h in HEADER if h != "Jenis kelamin"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "Jenis kelamin"] for r in victim_rows(2)]
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, header))
    assert batch.status == ImportStatus.REJECTED
    assert "Jenis kelamin" in batch.message


def test_corrupt_xlsx(personas):
    content = xlsx_bytes(victim_rows(3), HEADER)
    broken = content[:200] + b"\0" * 50 + content[250:]
    with pytest.raises(ValidationError):
        services.import_upload(
            actor=personas.cw_a, kind="victims", fileobj=io.BytesIO(b"\xd0\xcf\x11\xe0" + b"0" * 10), filename="x.xls"
        )
    batch = run_import(personas.cw_a, "victims", broken)
    assert batch.status == ImportStatus.REJECTED
    assert Case.objects.count() == 0


def test_million_empty_rows_stops_early(personas):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(HEADER)
    for r in victim_rows(2):
        ws.append(r)
    for _ in range(5000):  # far past the empty-row stop; the stop is what matters, not the count
        ws.append([None] * len(HEADER))
    ws.append(victim_rows(1, start=99)[0])  # after the stop: not read
    buf = io.BytesIO()
    wb.save(buf)
    batch = run_import(personas.cw_a, "victims", buf.getvalue())
    assert batch.status == ImportStatus.VALIDATED
    assert batch.rows_total == 2


def test_formulas_are_never_evaluated(personas):
    rows = victim_rows(2)
    rows[0][5] = "=20+5"
    rows[1][3] = '=HYPERLINK("http://x","y")'
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, HEADER))
    assert batch.rows_invalid == 2
    assert any("rumus" in w for w in batch.warnings)
    msgs = [m for r in batch.rows.all() for ms in r.errors.values() for m in ms]
    assert all("rumus" in m for m in msgs)


def test_upload_over_the_limit_is_refused_before_reading(personas, client_for, settings):
    settings.GUGUS_MAX_UPLOAD_BYTES = 1024
    client = client_for(personas.cw_a)
    big = io.BytesIO(b"a" * 200_000)
    big.name = "big.csv"
    r = client.post("/pertukaran/impor/baru/", {"kind": "victims", "file": big})
    assert r.status_code == 413
    assert "terlalu besar" in r.content.decode()
    assert not ImportBatch.objects.exists()


def test_too_many_rows(personas, settings):
    settings.GUGUS_IMPORT_MAX_ROWS = 3
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(5), HEADER))
    assert batch.status == ImportStatus.REJECTED
    assert "lebih dari 3" in batch.message


def test_unknown_encoding_csv(personas):
    batch = run_import(personas.cw_a, "victims", b"Nama,Jenis kelamin\n\x81\x8d\x90,P\n", "x.csv")
    assert batch.status == ImportStatus.REJECTED
    assert "Pengodean" in batch.message


def test_roles_without_permission_cannot_import(personas):
    for who in (personas.executive, personas.provider, personas.police, personas.admin):
        with pytest.raises(ValidationError):
            services.import_upload(actor=who, kind="victims", fileobj=io.BytesIO(b"a,b\n1,2\n"), filename="a.csv")
    with pytest.raises(ValidationError):  # a secretariat imports registry data, not victims
        services.import_upload(
            actor=personas.gt_kab, kind="victims", fileobj=io.BytesIO(b"a,b\n1,2\n"), filename="a.csv"
        )


def test_upload_just_over_the_limit_is_refused_by_the_service(personas, client_for, settings):
    settings.GUGUS_MAX_UPLOAD_BYTES = 1024
    big = io.BytesIO(b"a" * 5000)
    big.name = "big.csv"
    r = client_for(personas.cw_a).post("/pertukaran/impor/baru/", {"kind": "victims", "file": big})
    assert r.status_code == 422
    assert "terlalu besar" in r.content.decode()
    assert not ImportBatch.objects.exists()
