"""Data elements from gugus.registry: task forces active, RAD in force, budgets, staff and
training, prevention reach. Region: the region the instrument belongs to (a province's own task
force or budget stays at province level, so kab/kota figures are never mixed with it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .. import sql
from . import Category, ElementSpec, Filter, SourceUnavailable, code_suffix, marginals

SOURCE = "registry"
CELL_KINDS: set[str] = set()
REGION_WIDE_KINDS = {"taskforce", "rad", "budget", "unit", "staff", "training", "prevention", "regulation"}

LEVEL = Category("level", "Tingkat", (("national", "Nasional"), ("province", "Provinsi"), ("kabkota", "Kab/kota")))


def _models():
    try:
        from gugus.registry import models as m

        for name in (
            "TaskForce",
            "TaskForceStatusChange",
            "ActionPlan",
            "BudgetLine",
            "StaffCount",
            "Training",
            "TrainingParticipants",
            "PreventionActivity",
        ):
            getattr(m, name)
        return m
    except (ImportError, AttributeError) as exc:
        raise SourceUnavailable(f"Model gugus.registry belum lengkap: {exc}")


def _codes(list_key: str) -> tuple[tuple[str, str], ...]:
    from gugus.reference.models import Code

    return tuple(Code.objects.filter(code_list_id=list_key).order_by("sort").values_list("code", "label_id"))


def level_of(code: str) -> str:
    if code == "ID":
        return "national"
    return "province" if "." not in code else "kabkota"


def specs() -> list[ElementSpec]:
    _models()
    programme = Category("programme", "Program", _codes("budget_programme"))
    source = Category("source", "Sumber dana", _codes("budget_source"))
    function = Category("function", "Fungsi", _codes("staff_function"))
    sex = Category("sex", "Jenis kelamin", (("female", "Perempuan"), ("male", "Laki-laki")))
    return [
        ElementSpec(
            "tf_active",
            "Gugus tugas aktif",
            "Task forces active",
            "Wilayah yang gugus tugasnya berstatus aktif pada akhir periode (riwayat status gugus "
            "tugas). Disimpan sebagai perubahan (+1 aktif, −1 tidak aktif/dibubarkan), sehingga nilainya "
            "adalah posisi akhir periode.",
            SOURCE,
            unit="regions",
            time_aggregation="cumulative",
            region_basis="wilayah gugus tugas",
            categories=(LEVEL,),
            sort=60,
        ),
        ElementSpec(
            "rad_enacted",
            "RAD berlaku",
            "Regional action plan in force",
            "Wilayah dengan RAD PP-TPPO yang ditetapkan dan berlaku pada akhir periode (dari tanggal "
            "penetapan, atau awal tahun mulai, sampai akhir tahun terakhirnya).",
            SOURCE,
            unit="regions",
            time_aggregation="cumulative",
            region_basis="wilayah RAD",
            categories=(LEVEL,),
            sort=61,
        ),
        ElementSpec(
            "budget_allocated",
            "Anggaran (pagu, Rp)",
            "Budget allocated (IDR)",
            "Pagu anggaran TPPO per tahun anggaran, menurut program dan sumber dana.",
            SOURCE,
            unit="idr",
            grain="year",
            region_basis="wilayah pemilik anggaran",
            categories=(programme, source),
            sort=62,
        ),
        ElementSpec(
            "budget_realised",
            "Realisasi anggaran (Rp)",
            "Budget realised (IDR)",
            "Realisasi anggaran TPPO per tahun anggaran, menurut program dan sumber dana.",
            SOURCE,
            unit="idr",
            grain="year",
            region_basis="wilayah pemilik anggaran",
            categories=(programme, source),
            sort=63,
        ),
        ElementSpec(
            "staff_total",
            "Petugas layanan",
            "Service staff",
            "Jumlah petugas unit layanan menurut data tahunan unit.",
            SOURCE,
            unit="people",
            grain="year",
            region_basis="wilayah unit",
            categories=(function,),
            sort=64,
        ),
        ElementSpec(
            "staff_trained",
            "Petugas terlatih TPPO",
            "Staff trained on TPPO",
            "Dari petugas unit layanan, yang sudah terlatih penanganan TPPO (data tahunan unit).",
            SOURCE,
            unit="people",
            grain="year",
            region_basis="wilayah unit",
            categories=(function,),
            sort=65,
        ),
        ElementSpec(
            "training_participants",
            "Peserta pelatihan",
            "Training participants",
            "Peserta pelatihan TPPO menurut tanggal mulai pelatihan.",
            SOURCE,
            unit="people",
            region_basis="wilayah pelatihan",
            categories=(sex,),
            sort=66,
        ),
        ElementSpec(
            "prevention_reached",
            "Jangkauan kegiatan pencegahan",
            "People reached by prevention",
            "Orang yang dijangkau kegiatan pencegahan (KIE, sosialisasi, kelompok sebaya), menurut "
            "tanggal kegiatan; tanpa khalayak media yang tidak terpilah.",
            SOURCE,
            unit="people",
            region_basis="wilayah kegiatan",
            categories=(sex,),
            sort=67,
        ),
    ]


def _in_flt(flt: Filter, code: str) -> bool:
    return flt.everything or code[: sql.KABKOTA_LEN] == flt.region


def _month(d: dt.date) -> int:
    return d.year * 100 + d.month


def _deltas(intervals: list[tuple[int, int | None]]) -> dict[int, int]:
    """Month-key deltas for the union of [start, end] month intervals (end None = open)."""
    from ..periods import add_months

    merged: list[tuple[int, int | None]] = []
    for start, end in sorted(intervals, key=lambda x: x[0]):
        if merged and (merged[-1][1] is None or start <= add_months(merged[-1][1], 1)):
            prev_start, prev_end = merged[-1]
            merged[-1] = (prev_start, None if (prev_end is None or end is None) else max(prev_end, end))
        else:
            merged.append((start, end))
    out: dict[int, int] = defaultdict(int)
    for start, end in merged:
        out[start] += 1
        if end is not None:
            out[add_months(end, 1)] -= 1
    return out


def extract(flt: Filter):
    m = _models()
    acc: dict = {}
    # Task forces: state at each month end from the status history.
    history = defaultdict(list)
    for tf_id, status, date in m.TaskForceStatusChange.objects.values_list("task_force_id", "status", "date"):
        history[tf_id].append((date, status))
    for tf_id, region, status, since in m.TaskForce.objects.values_list("id", "region_id", "status", "status_since"):
        if not _in_flt(flt, region):
            continue
        changes = sorted(history.get(tf_id) or [(since, status)])
        # state per month end: the last change dated in that month decides
        by_month: dict[int, str] = {}
        for date, st in changes:
            by_month[_month(date)] = st
        state = False
        for month in sorted(by_month):
            now = by_month[month] == "active"
            if now != state:
                marginals((region, month), {"level": level_of(region)}, 1.0 if now else -1.0, acc, "tf_active")
                state = now
    # RAD in force.
    plans = defaultdict(list)
    for region, start, end, status, enacted_on in m.ActionPlan.objects.values_list(
        "region_id", "period_start", "period_end", "status", "enacted_on"
    ):
        if status not in ("enacted", "expired") or not _in_flt(flt, region):
            continue
        first = _month(enacted_on) if enacted_on else start * 100 + 1
        first = max(first, start * 100 + 1)
        last = end * 100 + 12
        if first <= last:
            plans[region].append((first, last))
    for region, intervals in plans.items():
        for month, delta in _deltas(intervals).items():
            if delta:
                marginals((region, month), {"level": level_of(region)}, float(delta), acc, "rad_enacted")
    # Budgets (per year: key yyyy00).
    for region, year, programme, source, allocated, realised in m.BudgetLine.objects.values_list(
        "region_id", "year", "programme_id", "source_id", "allocated", "realised"
    ):
        if not _in_flt(flt, region):
            continue
        dims = {"programme": code_suffix(programme), "source": code_suffix(source)}
        if allocated:
            marginals((region, year * 100), dims, float(allocated), acc, "budget_allocated")
        if realised:
            marginals((region, year * 100), dims, float(realised), acc, "budget_realised")
    # Staff (per year), by the unit's region.
    for region, year, function, total, trained in m.StaffCount.objects.values_list(
        "unit__region_id", "year", "function_id", "total", "trained"
    ):
        if not _in_flt(flt, region):
            continue
        dims = {"function": code_suffix(function)}
        marginals((region, year * 100), dims, float(total), acc, "staff_total")
        marginals((region, year * 100), dims, float(trained), acc, "staff_trained")
    # Training participants, by the training's region and start month.
    for region, start, female, male in m.TrainingParticipants.objects.values_list(
        "training__region_id", "training__start_date", "female", "male"
    ):
        if not _in_flt(flt, region):
            continue
        k = _month(start)
        if female:
            marginals((region, k), {"sex": "female"}, float(female), acc, "training_participants")
        if male:
            marginals((region, k), {"sex": "male"}, float(male), acc, "training_participants")
    # Prevention reach.
    fields = [f.name for f in m.PreventionActivity._meta.get_fields()]
    reach = [f for f in fields if f.startswith(("female_", "male_")) and f[-1].isdigit()]
    for row in m.PreventionActivity.objects.values("region_id", "date", *reach):
        if not _in_flt(flt, row["region_id"]):
            continue
        k = _month(row["date"])
        female = sum(row[f] or 0 for f in reach if f.startswith("female_"))
        male = sum(row[f] or 0 for f in reach if f.startswith("male_"))
        if female:
            marginals((row["region_id"], k), {"sex": "female"}, float(female), acc, "prevention_reached")
        if male:
            marginals((row["region_id"], k), {"sex": "male"}, float(male), acc, "prevention_reached")
    for (element, region, period, disagg), value in acc.items():
        yield element, region, period, disagg, value


def records(spec, disagg, region_code, period):
    return None  # registry figures are not case-level; their records are on the region portrait
