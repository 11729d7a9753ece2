"""Imports of registry data (budgets, prevention, trainings) and care services, through their
apps' services: validated by a rolled-back service call, committed through the service."""

from __future__ import annotations

import pytest

from gugus.exchange import services
from gugus.exchange.models import ImportStatus, RowStatus

from .helpers import commit, csv_bytes, run_import, xlsx_bytes

pytestmark = pytest.mark.django_db


def _available(kind):
    from gugus.exchange.importers import importer_for

    if not importer_for(kind).available():
        pytest.skip(f"{kind}: service of the owning app not available")


def test_budgets_import_and_undo(personas):
    _available("budgets")
    from gugus.registry.models import BudgetLine

    header = ["Wilayah", "Tahun anggaran", "Sumber anggaran", "Program", "Pagu (Rp)", "Realisasi (Rp)"]
    rows = [
        ["Kab. Indramayu", 2025, "APBD", "Pencegahan", "Rp 150.000.000", "100.000.000"],
        ["32.12", 2025, "APBD", "Penanganan: pemulangan", 25000000, None],
        ["Kab. Bogor", 2025, "APBD", "Pencegahan", "1.000", None],  # not the secretariat's region
        ["Kab. Indramayu", 2025, "Dana gaib", "Pencegahan", "-5", None],
    ]
    batch = run_import(personas.gt_kab, "budgets", xlsx_bytes(rows, header))
    assert batch.status == ImportStatus.VALIDATED, batch.message
    assert (batch.rows_valid, batch.rows_invalid) == (2, 2)
    errors = {r.row_number: r.errors for r in batch.rows.filter(status=RowStatus.INVALID)}
    assert "Wilayah" in errors[4]
    assert "Sumber anggaran" in errors[5] and "Pagu (Rp)" in errors[5]
    assert not BudgetLine.objects.exists()  # validation left nothing behind
    batch = commit(personas.gt_kab, batch)
    assert batch.rows_committed == 2
    assert BudgetLine.objects.count() == 2
    services.import_undo(actor=personas.gt_kab, batch=batch)
    batch = services.import_undo_run(batch.pk, personas.gt_kab.pk)
    assert batch.status == ImportStatus.UNDONE, batch.message
    assert not BudgetLine.objects.exists()


def test_prevention_and_trainings(personas):
    _available("prevention")
    _available("trainings")
    from gugus.registry.models import PreventionActivity, Training

    header = ["Wilayah", "Tanggal", "Jenis kegiatan", "Judul", "Sasaran", "Penyelenggara", "Peserta Perempuan 18-24"]
    rows = [
        [
            "Kab. Indramayu",
            "12 Maret 2025",
            "Sosialisasi",
            "Sosialisasi TPPO di desa",
            "Calon pekerja migran",
            "Dinas PPPA",
            40,
        ]
    ]
    batch = commit(personas.gt_kab, run_import(personas.gt_kab, "prevention", xlsx_bytes(rows, header)))
    assert batch.rows_committed == 1, list(batch.rows.values_list("errors", flat=True))
    assert PreventionActivity.objects.get().female_18_24 == 40
    header = [
        "Wilayah",
        "Judul",
        "Topik",
        "Tanggal mulai",
        "Penyelenggara",
        "Jenis instansi peserta",
        "Peserta perempuan",
        "Peserta laki-laki",
    ]
    rows = [
        [
            "32.12",
            "Pelatihan identifikasi korban",
            "Identifikasi korban",
            "01/02/2025",
            "GT Kab. Indramayu",
            "UPTD PPA Kabupaten/Kota",
            5,
            3,
        ]
    ]
    batch = commit(personas.gt_kab, run_import(personas.gt_kab, "trainings", csv_bytes(rows, header), "p.csv"))
    assert batch.rows_committed == 1, list(batch.rows.values_list("errors", flat=True))
    assert Training.objects.get().participants.get().female == 5


def test_services_import_refers_to_visible_cases_only(personas):
    _available("services")
    import datetime as dt

    from gugus.care.models import ServiceRecord
    from gugus.cases.services import VictimData, victim_register

    mine = victim_register(
        actor=personas.cw_a,
        data=VictimData(
            sex="female",
            identification_date=dt.date(2025, 3, 1),
            identification_channel="hotline",
            full_name="A",
            estimated_age=20,
        ),
    )
    other = victim_register(
        actor=personas.cw_b,
        data=VictimData(
            sex="female",
            identification_date=dt.date(2025, 3, 1),
            identification_channel="hotline",
            full_name="B",
            estimated_age=20,
        ),
    )
    header = ["Nomor kasus", "Jenis layanan", "Tanggal permintaan", "Tanggal mulai", "Tanggal selesai", "Sumber dana"]
    rows = [
        [mine.case_number, "Pendampingan", "02/03/2025", "02/03/2025", "03/03/2025", "APBD Kabupaten/Kota"],
        [other.case_number, "Pendampingan", "02/03/2025", None, None, None],
    ]
    batch = run_import(personas.cw_a, "services", xlsx_bytes(rows, header))
    assert (batch.rows_valid, batch.rows_invalid) == (1, 1), list(batch.rows.values_list("errors", flat=True))
    bad = batch.rows.get(status=RowStatus.INVALID).errors
    assert "Nomor kasus" in bad
    batch = commit(personas.cw_a, batch)
    assert ServiceRecord.objects.get().case_id == mine.pk
    # Undo goes through care.services.service_delete (once it exists); the case stays.
    from gugus.exchange.importers import importer_for

    if importer_for("services").undo_available():
        services.import_undo(actor=personas.cw_a, batch=batch)
        batch = services.import_undo_run(batch.pk, personas.cw_a.pk)
        assert batch.status == ImportStatus.UNDONE, batch.message
        assert not ServiceRecord.objects.exists()
        assert batch.rows.get(row_number=2).status == RowStatus.UNDONE


@pytest.mark.parametrize(
    ("kind", "service"),
    [("prevention", "prevention_activity_delete"), ("trainings", "training_delete")],
)
def test_prevention_and_training_imports_are_undone_through_the_delete_service(personas, kind, service):
    _available(kind)
    from gugus.exchange.importers import importer_for
    from gugus.registry.models import PreventionActivity, Training

    if not importer_for(kind).undo_available():
        pytest.skip(f"registry.services.{service} does not exist yet")
    if kind == "prevention":
        header = ["Wilayah", "Tanggal", "Jenis kegiatan", "Judul", "Sasaran", "Penyelenggara"]
        rows = [
            ["Kab. Indramayu", "12 Maret 2025", "Sosialisasi", f"Sosialisasi {i}", "Orang tua", "Dinas"] for i in (1, 2)
        ]
        model = PreventionActivity
    else:
        header = ["Wilayah", "Judul", "Topik", "Tanggal mulai", "Penyelenggara"]
        rows = [["32.12", f"Pelatihan {i}", "Identifikasi korban", "01/02/2025", "GT Kab. Indramayu"] for i in (1, 2)]
        model = Training
    batch = commit(personas.gt_kab, run_import(personas.gt_kab, kind, xlsx_bytes(rows, header)))
    assert batch.rows_committed == 2, list(batch.rows.values_list("errors", flat=True))
    # One of them is edited after the import: it is kept, the other removed.
    edited = model.objects.order_by("created_at").first()
    model.objects.filter(pk=edited.pk).update(version=2)
    services.import_undo(actor=personas.gt_kab, batch=batch)
    batch = services.import_undo_run(batch.pk, personas.gt_kab.pk)
    assert batch.status == ImportStatus.UNDONE, batch.message
    assert list(model.objects.values_list("pk", flat=True)) == [edited.pk]
    assert batch.rows.filter(status=RowStatus.KEPT).count() == 1
    assert batch.rows.filter(status=RowStatus.UNDONE).count() == 1
