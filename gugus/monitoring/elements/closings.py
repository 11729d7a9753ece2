"""Data elements from the month closings (reporting completeness and timeliness, DHIS2's
"reporting rate"): reports expected, reports received, reports received on time."""

from __future__ import annotations

from django.utils import timezone

from . import ElementSpec, Filter

SOURCE = "closings"
CELL_KINDS = {"closing"}
REGION_WIDE_KINDS: set[str] = set()


def specs() -> list[ElementSpec]:
    basis = "kab/kota yang menutup bulan"
    return [
        ElementSpec(
            "months_expected",
            "Laporan bulanan yang diharapkan",
            "Monthly reports expected",
            "1 untuk setiap kab/kota × bulan yang sudah berakhir, sejak bulan pertama yang wajib ditutup "
            "(kebijakan pelaporan).",
            SOURCE,
            unit="reports",
            region_basis=basis,
            sort=70,
        ),
        ElementSpec(
            "months_closed",
            "Laporan bulanan diterima (bulan ditutup)",
            "Monthly reports received (months closed)",
            "Bulan yang sudah ditutup (dikonfirmasi) oleh sekretariat kab/kota, termasuk yang 'nihil'.",
            SOURCE,
            unit="reports",
            region_basis=basis,
            sort=71,
        ),
        ElementSpec(
            "months_closed_on_time",
            "Laporan bulanan tepat waktu",
            "Monthly reports on time",
            "Bulan yang ditutup paling lambat pada tanggal batas (kebijakan pelaporan) bulan berikutnya.",
            SOURCE,
            unit="reports",
            region_basis=basis,
            sort=72,
        ),
    ]


def expected_months() -> list[int]:
    from ..periods import add_months, month_key, month_range, parse_period
    from ..services import reporting_policy

    policy = reporting_policy()
    try:
        start = parse_period(policy.closing_start).first_month
    except ValueError:
        start = 202501
    last = add_months(month_key(timezone.localdate()), -1)
    return month_range(start, last) if start <= last else []


def extract(flt: Filter):
    from gugus.reference.models import Region

    from ..models import MonthClosing

    months = expected_months()
    regions = Region.objects.filter(level=2)
    closings = MonthClosing.objects.filter(reopened_at__isnull=True)
    if not flt.everything:
        regions = regions.filter(code=flt.region)
        closings = closings.filter(region_id=flt.region)
        if flt.month:
            months = [m for m in months if m == flt.month]
            closings = closings.filter(month=flt.month)
    month_set = set(months)
    for code in regions.values_list("code", flat=True):
        for m in months:
            yield "months_expected", code, m, "", 1.0
    for region, month, on_time in closings.values_list("region_id", "month", "on_time"):
        if month not in month_set:
            continue
        yield "months_closed", region, month, "", 1.0
        if on_time:
            yield "months_closed_on_time", region, month, "", 1.0


def records(spec, disagg, region_code, period):
    return None
