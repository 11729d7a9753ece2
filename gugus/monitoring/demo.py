"""Demo data for monitoring (synthetic, deterministic for a seed): month closings with gaps (some
kab/kota never report, some late), context data (migrant-worker placements, poverty rate),
targets for a few indicators, then a full rebuild of the analytics store."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

# Provinces the reference names as main origins (REFERENCE.md §10): more migrant placements.
ORIGIN_PROVINCES = {"32", "33", "35", "36", "52", "53", "61", "18", "12", "16", "73", "71", "11"}
# Demo kab/kota with a fixed reporting profile (the personas' regions).
PROFILES = {"32.12": "diligent", "32.01": "late", "53.71": "gaps", "21.71": "diligent", "52.03": "never"}
DEMO_TARGETS = [
    ("spm_health", 2026, 80),
    ("spm_complaint", 2026, 100),
    ("referral_completion", 2026, 75),
    ("reporting_completeness", 2026, 90),
    ("services_within_7d", 2026, 85),
]


def _months(first: int, last: int) -> list[int]:
    out, k = [], first
    while k <= last:
        out.append(k)
        k = k + 1 if k % 100 < 12 else (k // 100 + 1) * 100 + 1
    return out


def populate(ctx) -> None:
    from gugus.cases.models import Case
    from gugus.reference.models import Region

    from . import engine
    from .elements.cases import counted_q
    from .loader import ensure_loaded
    from .models import ContextValue, IndicatorTarget, MonthClosing
    from .services import closing_due_date, reporting_policy

    ensure_loaded()
    rng = ctx.rng
    tz = ZoneInfo(settings.TIME_ZONE)
    policy = reporting_policy()
    first = int(policy.closing_start.replace("-", ""))
    today_key = ctx.today.year * 100 + ctx.today.month
    last = today_key - 1 if today_key % 100 > 1 else (today_key // 100 - 1) * 100 + 12
    months = _months(first, last)
    kabkota = list(Region.objects.filter(level=2).order_by("code").values_list("code", "population_total"))
    counts = Counter()
    for region, date in Case.objects.filter(counted_q()).values_list("region_id", "identification_date"):
        counts[(region[:5], date.year * 100 + date.month)] += 1
    gt_user = ctx.users.get("gt-3212")
    closings = []
    profile_count = Counter()
    for code, _pop in kabkota:
        profile = PROFILES.get(code) or rng.choices(["diligent", "late", "gaps", "never"], [55, 20, 13, 12])[0]
        profile_count[profile] += 1
        if profile == "never":
            continue
        for m in months:
            if code == "32.12" and m == last:
                continue  # left open for the demo secretariat (gt-3212) to close
            if profile == "gaps" and rng.random() < 0.35:
                continue
            due = closing_due_date(m, policy.closing_due_day)
            late = rng.random() < (0.7 if profile == "late" else 0.08)
            day = due + dt.timedelta(days=rng.randint(1, 25)) if late else due - dt.timedelta(days=rng.randint(0, 9))
            if day > ctx.today:
                continue
            closed_at = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=tz)
            n = counts.get((code, m), 0)
            closings.append(
                MonthClosing(
                    region_id=code,
                    month=m,
                    closed_at=closed_at,
                    closed_by=gt_user if code == "32.12" else None,
                    due_date=due,
                    on_time=not late,
                    cases_count=n,
                    no_new_cases=n == 0,
                    note="DEMO" if n == 0 else "",
                    created_by=gt_user if code == "32.12" else None,
                )
            )
    MonthClosing.objects.bulk_create(closings, batch_size=2000, ignore_conflicts=True)

    values = []
    for code, pop in kabkota:
        pop = pop or 100000
        prov = code[:2]
        rate = rng.uniform(1.5, 9.0) if prov in ORIGIN_PROVINCES else rng.uniform(0.05, 1.2)
        poverty = (
            rng.uniform(12, 32)
            if prov in {"53", "81", "82", "91", "92", "94", "95", "96", "97"}
            else rng.uniform(3.5, 16)
        )
        for year in (2024, 2025, 2026):
            placements = int(pop / 1000 * rate * rng.uniform(0.85, 1.15))
            values.append(
                ContextValue(
                    series_id="migrant_departures",
                    region_id=code,
                    year=year,
                    value=Decimal(placements),
                    source_note="DEMO (sintetis)",
                    is_demo=True,
                )
            )
            if year < 2026:
                values.append(
                    ContextValue(
                        series_id="poverty_rate",
                        region_id=code,
                        year=year,
                        value=Decimal(f"{poverty * rng.uniform(0.95, 1.05):.2f}"),
                        source_note="DEMO (sintetis)",
                        is_demo=True,
                    )
                )
    ContextValue.objects.bulk_create(values, batch_size=2000, ignore_conflicts=True)

    from .models import Indicator

    for code, year, value in DEMO_TARGETS:
        ind = Indicator.objects.filter(code=code).first()
        if ind is not None:
            IndicatorTarget.objects.get_or_create(
                indicator=ind,
                year=year,
                region=None,
                defaults={"value": Decimal(value), "note": "DEMO (bukan target resmi)"},
            )
    report = engine.rebuild_all(note="demo")
    ctx.say(
        f"{len(closings)} penutupan bulan ({profile_count['never']} kab/kota tidak pernah melapor), "
        f"{len(values)} data konteks, {len(DEMO_TARGETS)} target, analitik: {report.rows} nilai"
    )
