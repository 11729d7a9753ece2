"""Cheap aggregates of the care records for a region and a period, for monitoring, the region
portrait and the API summary. Never a person: counts and sums only.

These functions do not check permissions: callers pass only what the user may see (monitoring
and the portrait require `aggregate.view`). `by="region"` counts cases by the region where they
are handled (`Case.region`), `by="origin"` by the victim's region of origin.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DateField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from gugus.accounts.models import SHELTER_TYPES, Organisation

from .models import (
    FollowUpVisit,
    LegalEvent,
    PlanStatus,
    Restitution,
    RestitutionPayment,
    RightEntry,
    RightStatus,
    ServiceRecord,
    ServiceStatus,
    ShelterStay,
)
from .rules import RESTITUTION_PAYMENT_DAYS, region_q


def _case_region_q(region_code: str, by: str = "region", prefix: str = "case__") -> Q:
    return region_q(f"{prefix}{'origin_region' if by == 'origin' else 'region'}", region_code)


def _period(qs, field: str, start: dt.date | None, end: dt.date | None):
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


def service_summary(
    region_code: str, start: dt.date | None = None, end: dt.date | None = None, *, by: str = "region"
) -> dict:
    """Services requested in the period: totals, by type, by funding source, unfunded, refused BPJS
    claims, cost, and how many started within 7 days of the request (UU 21/2007 Ps 52(1))."""
    qs = _period(ServiceRecord.objects.filter(_case_region_q(region_code, by)), "requested_on", start, end)
    totals = qs.aggregate(
        total=Count("id"),
        unfunded=Count("id", filter=Q(unfunded=True)),
        bpjs_refused=Count("id", filter=Q(bpjs_claim_refused=True)),
        completed=Count("id", filter=Q(status=ServiceStatus.COMPLETED)),
        started=Count("id", filter=Q(started_on__isnull=False)),
        cost=Sum("cost"),
        victims=Count("case__victim_id", distinct=True),
    )
    deadline = ExpressionWrapper(F("requested_on") + dt.timedelta(days=7), output_field=DateField())
    totals["started_within_7_days"] = (
        qs.filter(started_on__isnull=False).annotate(_dl=deadline).filter(started_on__lte=F("_dl")).count()
    )
    totals["cost"] = totals["cost"] or Decimal(0)
    by_type = dict(qs.values_list("service_type_id").annotate(n=Count("id")).order_by())
    by_funding = dict(qs.values_list("funding_source_id").annotate(n=Count("id")).order_by())
    totals["by_type"] = {k.split(".", 1)[1]: v for k, v in by_type.items()}
    totals["by_funding"] = {(k.split(".", 1)[1] if k else "unknown"): v for k, v in by_funding.items()}
    return totals


def bed_days(region_code: str, start: dt.date, end: dt.date, *, by: str = "region") -> int:
    """Nights spent in shelters within [start, end] by victims of the region's cases."""
    today = timezone.localdate()
    qs = ShelterStay.objects.filter(_case_region_q(region_code, by), admitted_on__lte=end).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gte=start)
    )
    total = 0
    for admitted, discharged in qs.values_list("admitted_on", "discharged_on").iterator():
        lo = max(admitted, start)
        hi = min(discharged or today, end, today)
        if hi > lo:
            total += (hi - lo).days
    return total


def shelter_occupancy(region_code: str) -> list[dict]:
    """Each active shelter in the region (by the shelter's own region): capacity and beds taken."""
    rows = (
        Organisation.objects.filter(
            region_q("region", region_code), active=True, org_type_id__in=[f"org_type.{t}" for t in SHELTER_TYPES]
        )
        .annotate(occupied=Count("shelter_stays", filter=Q(shelter_stays__discharged_on__isnull=True)))
        .values("id", "name", "org_type_id", "region_id", "capacity", "occupied")
        .order_by("region_id", "name")
    )
    return [{**r, "org_type": r.pop("org_type_id").split(".", 1)[1]} for r in rows]


def restitution_summary(
    region_code: str, start: dt.date | None = None, end: dt.date | None = None, *, by: str = "region"
) -> dict:
    """Restitution ordered in the period (count, amount), paid on it, outstanding, overdue (> 30 days)."""
    today = timezone.localdate()
    base = Restitution.objects.filter(_case_region_q(region_code, by))
    ordered = _period(base.filter(ordered_amount__isnull=False), "ordered_on", start, end)
    agg = ordered.aggregate(n=Count("id"), ordered=Sum("ordered_amount"), paid=Sum("paid_amount"))
    overdue = ordered.filter(
        ordered_on__lt=today - dt.timedelta(days=RESTITUTION_PAYMENT_DAYS), paid_amount__lt=F("ordered_amount")
    ).count()
    payments = _period(RestitutionPayment.objects.filter(_case_region_q(region_code, by)), "paid_on", start, end)
    ordered_sum, paid_sum = agg["ordered"] or Decimal(0), agg["paid"] or Decimal(0)
    return {
        "requested": _period(base.filter(requested_on__isnull=False), "requested_on", start, end).count(),
        "ordered_count": agg["n"],
        "ordered_amount": ordered_sum,
        "paid_on_ordered": paid_sum,
        "outstanding": ordered_sum - paid_sum,
        "overdue": overdue,
        "paid_in_period": payments.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        "fully_paid": ordered.filter(paid_amount__gte=F("ordered_amount")).count(),
    }


def rights_summary(region_code: str, *, by: str = "region") -> dict:
    """Stored checklist rows of the region's cases: {right: {status: n}}, plus overdue requests."""
    today = timezone.localdate()
    qs = RightEntry.objects.filter(_case_region_q(region_code, by))
    out: dict = {}
    for right_id, status, n in qs.values_list("right_id", "status").annotate(n=Count("id")).order_by():
        out.setdefault(right_id.split(".", 1)[1], {})[status] = n
    overdue = qs.filter(status__in=[RightStatus.PENDING, RightStatus.NOT_FULFILLED], due_on__lt=today).count()
    fulfilled = qs.filter(status=RightStatus.FULFILLED).exclude(source="system").count()
    return {"by_right": out, "overdue": overdue, "fulfilled": fulfilled}


def followup_summary(region_code: str, *, by: str = "region") -> dict:
    today = timezone.localdate()
    qs = FollowUpVisit.objects.filter(_case_region_q(region_code, by))
    return qs.aggregate(
        due=Count("id", filter=Q(due_on__lte=today)),
        done=Count("id", filter=Q(visited_on__isnull=False)),
        overdue=Count("id", filter=Q(visited_on__isnull=True, due_on__lt=today, plan__status=PlanStatus.ACTIVE)),
    )


def legal_summary(
    region_code: str, start: dt.date | None = None, end: dt.date | None = None, *, by: str = "region"
) -> dict:
    """Steps of the criminal process in the period, by stage, and verdicts by outcome."""
    qs = _period(LegalEvent.objects.filter(_case_region_q(region_code, by)), "date", start, end)
    by_stage = dict(qs.values_list("stage_id").annotate(n=Count("id")).order_by())
    verdicts = dict(qs.filter(stage_id="legal_stage.verdict").values_list("verdict").annotate(n=Count("id")).order_by())
    return {
        "by_stage": {k.split(".", 1)[1]: v for k, v in by_stage.items()},
        "verdicts": verdicts,
        "cases_with_police_report": qs.filter(stage_id="legal_stage.police_report")
        .values("case_id")
        .distinct()
        .count(),
    }


def care_summary(region_code: str, start: dt.date, end: dt.date, *, by: str = "region") -> dict:
    return {
        "region": region_code,
        "start": start,
        "end": end,
        "by": by,
        "services": service_summary(region_code, start, end, by=by),
        "bed_days": bed_days(region_code, start, end, by=by),
        "restitution": restitution_summary(region_code, start, end, by=by),
        "rights": rights_summary(region_code, by=by),
        "followups": followup_summary(region_code, by=by),
        "legal": legal_summary(region_code, start, end, by=by),
    }
