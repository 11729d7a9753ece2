"""Spreadsheet import end to end: validate, errors per row and column, commit modes,
re-import without duplicates, undo, real-world sheets."""

from __future__ import annotations

import io

import openpyxl
import pytest

from gugus.audit.models import AuditEvent
from gugus.cases.models import Case
from gugus.exchange.models import ImportRecord, ImportStatus, RowStatus

from .helpers import HEADER, commit, csv_bytes, run_import, victim_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_valid_xlsx_imports_every_row_through_the_service(personas):
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(5), HEADER))
    assert batch.status == ImportStatus.VALIDATED, batch.message
    assert (batch.rows_total, batch.rows_valid, batch.rows_invalid) == (5, 5, 0)
    batch = commit(personas.cw_a, batch)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.rows_committed == 5
    cases = Case.objects.filter(
        pk__in=list(ImportRecord.objects.filter(batch=batch).values_list("object_id", flat=True))
    )
    assert cases.count() == 5
    assert {c.owner_org_id for c in cases} == {personas.orgs["uptd-3212"].pk}
    # Registered in bulk by the cases app: one audit event for the chunk, listing every case.
    events = AuditEvent.objects.filter(action="victim_register_bulk")
    assert events.count() == 1
    assert set(events.get().detail["cases"]) == {str(c.pk) for c in cases}
    assert AuditEvent.objects.filter(action="import_commit", object_id=str(batch.pk)).exists()


def test_reimport_of_the_same_file_creates_no_duplicates(personas):
    content = xlsx_bytes(victim_rows(4), HEADER)
    first = commit(personas.cw_a, run_import(personas.cw_a, "victims", content))
    assert first.rows_committed == 4
    again = run_import(personas.cw_a, "victims", content)
    assert again.rows_already == 4 and again.rows_valid == 0
    assert Case.objects.count() == 4


def test_reimport_without_external_ids_uses_row_content(personas):
    header = HEADER[1:]
    rows = [r[1:] for r in victim_rows(3)]
    content = csv_bytes(rows, header)
    commit(personas.cw_a, run_import(personas.cw_a, "victims", content, "a.csv"))
    again = run_import(personas.cw_a, "victims", content, "a.csv")
    assert again.rows_already == 3
    assert Case.objects.count() == 3


def test_errors_per_row_and_column_in_indonesian(personas):
    rows = victim_rows(3)
    rows[1][1] = "31/02/2025"  # no such date
    rows[2][4] = "X"  # unknown sex
    rows[2][6] = "Kabupaten Antah Berantah"
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, HEADER))
    assert (batch.rows_valid, batch.rows_invalid) == (1, 2)
    bad = {r.row_number: r.errors for r in batch.rows.filter(status=RowStatus.INVALID)}
    assert "tidak ada di kalender" in bad[3]["Tanggal identifikasi"][0]
    assert "tidak ada dalam daftar" in bad[4]["Jenis kelamin"][0]
    assert "tidak dikenal" in bad[4]["Wilayah asal"][0]


def test_identity_values_never_in_error_messages(personas):
    rows = victim_rows(1)
    header = HEADER + ["NIK", "Telepon"]
    rows[0] += ["3212ABC", "bukan-nomor-0812"]
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, header))
    row = batch.rows.get()
    text = str(row.errors)
    assert row.status == RowStatus.INVALID
    assert "3212ABC" not in text and "bukan-nomor" not in text and "Korban Uji" not in text


def test_all_or_nothing_is_refused_while_rows_are_invalid_and_valid_only_skips_them(personas):
    from django.core.exceptions import ValidationError

    from gugus.exchange import services

    rows = victim_rows(3)
    rows[0][4] = ""
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, HEADER))
    with pytest.raises(ValidationError):
        services.import_commit(actor=personas.cw_a, batch=batch, mode="all_or_nothing")
    batch = commit(personas.cw_a, batch, "valid_only")
    assert batch.rows_committed == 2
    assert Case.objects.count() == 2


def test_all_or_nothing_rolls_back_when_the_service_refuses_a_row(personas, monkeypatch):
    from django.core.exceptions import ValidationError

    from gugus.exchange import importers

    calls = {"n": 0}
    real = importers.VICTIMS.commit

    def flaky(actor, data, org):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError({"sex": "Ditolak oleh layanan."})
        return real(actor, data, org)

    monkeypatch.setattr(importers.VICTIMS, "commit", flaky)
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(4), HEADER))
    batch = commit(personas.cw_a, batch, "all_or_nothing")
    assert batch.status == ImportStatus.FAILED
    assert Case.objects.count() == 0
    assert not ImportRecord.objects.exists()
    assert "tidak ada yang disimpan" in batch.message


def test_cancel_saves_nothing(personas):
    from gugus.exchange import services

    batch = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(2), HEADER))
    services.import_cancel(actor=personas.cw_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert Case.objects.count() == 0


def test_undo_reverses_through_the_services_and_allows_reimport(personas):
    from gugus.exchange import services

    content = xlsx_bytes(victim_rows(3), HEADER)
    batch = commit(personas.cw_a, run_import(personas.cw_a, "victims", content))
    services.import_undo(actor=personas.cw_a, batch=batch)
    batch = services.import_undo_run(batch.pk, personas.cw_a.pk)
    assert batch.status == ImportStatus.UNDONE, batch.message
    cases = Case.objects.filter(
        pk__in=list(ImportRecord.objects.filter(batch=batch).values_list("object_id", flat=True))
    )
    # Either removed by a cases service, or closed as a duplicate record: no live case remains.
    assert not cases.exclude(status="closed").exists()
    assert AuditEvent.objects.filter(action="import_undo", object_id=str(batch.pk)).exists()
    again = run_import(personas.cw_a, "victims", content)
    assert again.rows_valid == 3 and again.rows_already == 0


def test_real_world_sheet_title_rows_merged_header_spaces_dates(personas):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DATA KORBAN TPPO KABUPATEN INDRAMAYU 2025"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["No", "  Tanggal Identifikasi ", "Jalur identifikasi", "IDENTITAS", None, "Asal"])
    ws.merge_cells("D3:E3")
    ws.append([None, None, None, "Nama", "JK", "Kab/Kota"])
    import datetime as dt

    ws.append([1, "25 Agustus 2025", "hotline", "  Siti   Aminah ", "P", "Kab. Indramayu"])
    ws.append([2, 45894, "Hotline / SAPA 129", "Dewi", "Perempuan", "KOTA KUPANG"])
    ws.append([3, dt.datetime(2025, 8, 27), "hotline", "Budi", "L", "32.12"])
    ws.append([4, "26/08/2025", "hotline", "Rina", "p", "3212"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = run_import(personas.cw_a, "victims", buf.getvalue())
    # Usia is missing: every row asks for a birth date or an estimated age.
    assert batch.status == ImportStatus.VALIDATED, batch.message
    assert batch.header_row == 4
    assert batch.rows_total == 4
    messages = [m for r in batch.rows.all() for msgs in r.errors.values() for m in msgs]
    assert all("usia" in m.lower() or "lahir" in m.lower() for m in messages), messages


def test_latin1_semicolon_csv(personas):
    header = ["Tanggal identifikasi", "Jalur identifikasi", "Nama lengkap", "Jenis kelamin", "Usia", "Wilayah asal"]
    rows = [["25/08/2025", "Hotline / SAPA 129", "Désirée Sánchez", "Perempuan", "19", "Kab. Indramayu"]]
    content = csv_bytes(rows, header, delimiter=";", encoding="cp1252")
    batch = run_import(personas.cw_a, "victims", content, "data.csv")
    assert batch.status == ImportStatus.VALIDATED, batch.message
    assert batch.encoding == "cp1252" and batch.delimiter == ";"
    assert batch.rows_valid == 1, list(batch.rows.values_list("errors", flat=True))
    commit(personas.cw_a, batch)
    from gugus.cases.models import Identity

    assert Identity.objects.get().full_name == "Désirée Sánchez"


def test_error_sheet_has_the_rows_and_an_error_column(personas):
    from gugus.exchange.sheets import error_sheet

    rows = victim_rows(2)
    rows[1][1] = "kemarin"
    batch = run_import(personas.cw_a, "victims", xlsx_bytes(rows, HEADER))
    content, mime, name = error_sheet(batch)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(ws.values)
    assert list(values[0][: len(HEADER)]) == HEADER and values[0][len(HEADER)] == "Kesalahan"
    assert values[1][len(HEADER)] in (None, "")
    assert "Tanggal identifikasi" in values[2][len(HEADER)]
    assert values[2][3] == "Korban Uji 2"


def test_other_organisation_cannot_see_or_commit(personas):
    from django.http import Http404

    from gugus.exchange.selectors import import_get_for_user

    batch = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(1), HEADER))
    with pytest.raises(Http404):
        import_get_for_user(personas.cw_b, batch.pk)


def _undo(user, batch):
    from gugus.exchange import services

    services.import_undo(actor=user, batch=batch)
    return services.import_undo_run(batch.pk, user.pk)


def test_undo_really_removes_the_imported_victims(personas):
    from gugus.audit.services import verify_chain
    from gugus.cases.models import Identity, NameToken, StatusChange, Victim

    batch = commit(personas.cw_a, run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(4), HEADER)))
    case_ids = list(ImportRecord.objects.filter(batch=batch).values_list("object_id", flat=True))
    victim_ids = list(Case.objects.filter(pk__in=case_ids).values_list("victim_id", flat=True))
    batch = _undo(personas.cw_a, batch)
    assert batch.status == ImportStatus.UNDONE and not batch.message
    assert not Case.objects.filter(pk__in=case_ids).exists()
    assert not Victim.objects.filter(pk__in=victim_ids).exists()
    assert not Identity.objects.filter(victim_id__in=victim_ids).exists()
    assert not NameToken.objects.filter(victim_id__in=victim_ids).exists()
    assert not StatusChange.objects.filter(case_id__in=case_ids).exists()
    assert set(batch.rows.values_list("status", flat=True)) == {RowStatus.UNDONE}
    assert AuditEvent.objects.filter(action="victim_discard").exists()
    assert verify_chain().ok


def test_undo_keeps_victims_changed_since_and_says_why_per_row(personas):
    from gugus.cases.services import victim_update

    batch = commit(personas.cw_a, run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(3), HEADER)))
    rec = ImportRecord.objects.filter(batch=batch).order_by("row_number").first()
    case = Case.objects.get(pk=rec.object_id)
    victim_update(actor=personas.cw_a, case=case, changes={"recruiting_agency": "PT Contoh"}, expected_version=1)
    batch = _undo(personas.cw_a, batch)
    assert batch.status == ImportStatus.UNDONE
    assert "1 data dipertahankan" in batch.message
    assert Case.objects.filter(pk=case.pk).exists()
    ids = list(ImportRecord.objects.filter(batch=batch).values_list("object_id", flat=True))
    assert Case.objects.filter(pk__in=ids).count() == 1
    kept = batch.rows.get(status=RowStatus.KEPT)
    assert kept.row_number == rec.row_number
    assert "diubah" in kept.errors["Pembatalan impor"][0]
    # The kept record stays live: importing the file again does not duplicate it.
    rec.refresh_from_db()
    assert rec.undone_at is None
    again = run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(3), HEADER))
    assert (again.rows_already, again.rows_valid) == (1, 2)


def test_valid_only_commit_in_bulk_skips_a_row_the_service_refuses(personas, monkeypatch):
    from django.core.exceptions import ValidationError

    from gugus.exchange import importers

    calls = {"n": 0}
    real = importers.VICTIMS.commit

    def flaky(actor, data, org):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ValidationError({"sex": "Ditolak oleh layanan."})
        return real(actor, data, org)

    monkeypatch.setattr(importers.VICTIMS, "commit", flaky)
    batch = commit(personas.cw_a, run_import(personas.cw_a, "victims", xlsx_bytes(victim_rows(4), HEADER)))
    assert (batch.rows_committed, batch.rows_failed) == (3, 1)
    failed = batch.rows.get(status=RowStatus.FAILED)
    assert failed.errors == {"Jenis kelamin": ["Ditolak oleh layanan."]}
    assert Case.objects.count() == 3
    committed = batch.rows.filter(status=RowStatus.COMMITTED)
    assert set(committed.values_list("object_id", flat=True)) == {
        str(pk) for pk in Case.objects.values_list("pk", flat=True)
    }
