# ruff: noqa: S608 - SQL is assembled from model table names and fixed fragments; every value is a bound parameter.
"""Data elements from gugus.referrals: referrals and transfers sent, accepted, completed,
declined, overdue. Region: the kab/kota handling the case; month: when the referral was sent
(local date). Accepted/completed/declined/overdue are a cohort of the sending month, so each is
a subset of "sent" in every cell."""

from __future__ import annotations

from django.utils import timezone

from .. import sql
from . import Category, ElementSpec, Filter, SourceUnavailable, code_suffix, marginals
from .cases import counted_q, counted_sql

SOURCE = "referrals"
# extract() yields one row per key, regions already analytics regions (SQL SUBSTR).
NORMALISED = True
CELL_KINDS: set[str] = set()
REGION_WIDE_KINDS = {"referral", "transfer", "case"}
OPEN = ("sent", "accepted")


def _model():
    try:
        from gugus.referrals.models import Referral

        for f in ("kind", "case", "status", "sent_at", "accepted_at", "completed_at", "declined_at", "due_date"):
            Referral._meta.get_field(f)
        return Referral
    except Exception as exc:  # noqa: BLE001
        raise SourceUnavailable(f"Model gugus.referrals.Referral belum lengkap: {exc}")


def specs() -> list[ElementSpec]:
    _model()
    kind = Category("kind", "Jenis", (("referral", "Rujukan layanan"), ("transfer", "Pengalihan")))
    basis = "kab/kota penanganan kasus; bulan pengiriman (kohort)"
    return [
        ElementSpec(
            "referrals_sent",
            "Rujukan dikirim",
            "Referrals sent",
            "Rujukan layanan dan pengalihan yang dikirim, menurut tanggal kirim (tidak termasuk yang "
            "dibatalkan pengirim).",
            SOURCE,
            region_basis=basis,
            categories=(kind,),
            sort=50,
        ),
        ElementSpec(
            "referrals_accepted",
            "Rujukan diterima",
            "Referrals accepted",
            "Kohort bulan kirim: yang diterima penerima (termasuk yang kemudian selesai).",
            SOURCE,
            region_basis=basis,
            categories=(kind,),
            sort=51,
        ),
        ElementSpec(
            "referrals_completed",
            "Rujukan selesai",
            "Referrals completed",
            "Kohort bulan kirim: yang selesai (layanan diberikan / pengalihan tuntas).",
            SOURCE,
            region_basis=basis,
            categories=(kind,),
            sort=52,
        ),
        ElementSpec(
            "referrals_declined",
            "Rujukan ditolak",
            "Referrals declined",
            "Kohort bulan kirim: yang ditolak penerima.",
            SOURCE,
            region_basis=basis,
            categories=(kind,),
            sort=53,
        ),
        ElementSpec(
            "referrals_overdue",
            "Rujukan terlambat",
            "Referrals overdue",
            "Kohort bulan kirim: yang masih terbuka (menunggu atau diterima) dan sudah melewati batas "
            "waktunya, per hari ini.",
            SOURCE,
            region_basis=basis,
            categories=(kind,),
            sort=54,
        ),
    ]


def extract(flt: Filter):
    Referral = _model()
    from gugus.cases.models import Case

    from .care import _case_filter

    r, c = sql.table(Referral), sql.table(Case)
    counted, cp = counted_sql("c")
    cf, cfp = _case_filter(flt, "r.case_id")
    today = timezone.localdate()
    open_in, open_p = sql.in_list(OPEN)
    acc: dict = {}
    for reg, period, kind, n, accepted, completed, declined, overdue in sql.fetch(
        f"SELECT {sql.region_or_constant('c.region_id', flt.region)}, {sql.month_of_ts('r.sent_at')}, r.kind, COUNT(*), "
        f"SUM(CASE WHEN r.accepted_at IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN r.status IN {open_in} AND r.due_date < %s THEN 1 ELSE 0 END) "
        f"FROM {r} r JOIN {c} c ON c.id = r.case_id WHERE {counted} AND r.status <> %s{cf} GROUP BY 1, 2, 3",
        ["completed", "declined"] + open_p + [today] + cp + ["cancelled"] + cfp,
    ):
        for element, value in (
            ("referrals_sent", n),
            ("referrals_accepted", accepted),
            ("referrals_completed", completed),
            ("referrals_declined", declined),
            ("referrals_overdue", overdue),
        ):
            if value:
                marginals((reg, int(period)), {"kind": code_suffix(kind)}, float(value), acc, element)
    for (element, reg, period, disagg), value in acc.items():
        yield element, reg, period, disagg, value


def records(spec, disagg, region_code, period):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from gugus.cases.models import Case

    from .cases import analytics_region_q

    Referral = _model()
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    qs = Referral.objects.exclude(status="cancelled").filter(sent_at__range=(start, end))
    if spec.code == "referrals_accepted":
        qs = qs.filter(accepted_at__isnull=False)
    elif spec.code == "referrals_completed":
        qs = qs.filter(status="completed")
    elif spec.code == "referrals_declined":
        qs = qs.filter(status="declined")
    elif spec.code == "referrals_overdue":
        qs = qs.filter(status__in=OPEN, due_date__lt=timezone.localdate())
    cat, _, opt = disagg.partition(":")
    if cat == "kind":
        qs = qs.filter(kind=opt)
    return Case.objects.filter(counted_q(), analytics_region_q("region_id", region_code), pk__in=qs.values("case_id"))
