"""The cases section of the region portrait: victims identified in the region by year, sex,
age (child/adult), citizenship, form of exploitation, and origin vs handled.

Aggregates only: counts of distinct victims, never a list, never an identity field (nothing here
touches `cases.Identity`). Logged-in officials with `aggregate.view` see the counts unsuppressed
(published figures are suppressed by `publish`, not here). Counted: registered cases that are not
drafts and not 'bukan korban'; a victim is counted once per figure.

"Handled" = the case is handled by a unit in the region (Case.region in the subtree);
"origin" = the victim comes from the region (Case.origin_region in the subtree).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear, Left
from django.template.loader import render_to_string

from gugus.accounts.scope import scope_for
from gugus.cases.models import Case
from gugus.reference.models import ROOT_CODE, Code, Country, Region, subtree_q

TREND_YEARS = 5


def can_see_figures(user) -> bool:
    return scope_for(user).has("aggregate.view")


def _counted():
    return Case.objects.filter(is_draft=False).exclude(trafficking_status=Case.TraffickingStatus.NOT_A_VICTIM)


def _year_q(year: int) -> Q:
    return Q(identification_date__gte=dt.date(year, 1, 1), identification_date__lt=dt.date(year + 1, 1, 1))


def _distinct_victims(qs) -> int:
    return qs.aggregate(n=Count("victim_id", distinct=True))["n"] or 0


def _labelled(rows, labels: dict, key: str) -> list[tuple[str, int]]:
    out = [(labels.get(r[key], r[key] or "Tidak diketahui"), r["n"]) for r in rows]
    return sorted(out, key=lambda x: (-x[1], x[0]))


def case_figures(region: Region, year: int) -> dict:
    """The figures for one region and year (aggregates only)."""
    code = region.code
    base = _counted()
    handled = base.filter(subtree_q("region__code", code)).filter(_year_q(year))
    origin = base.filter(subtree_q("origin_region__code", code)).filter(_year_q(year))
    labels = dict(
        Code.objects.filter(code_list__in=["sex", "citizenship_status", "exploitation"]).values_list("key", "label_id")
    )
    by_sex = handled.values("victim__sex_id").annotate(n=Count("victim_id", distinct=True))
    by_cit = handled.values("victim__citizenship_status_id").annotate(n=Count("victim_id", distinct=True))
    by_form = (
        handled.filter(exploitation_forms__isnull=False)
        .values("exploitation_forms")
        .annotate(n=Count("victim_id", distinct=True))
    )
    countries = dict(Country.objects.values_list("code", "name_id"))
    by_dest = (
        handled.filter(destination_country__isnull=False)
        .exclude(destination_country_id="ID")
        .values("destination_country_id")
        .annotate(n=Count("victim_id", distinct=True))
        .order_by("-n")[:5]
    )
    first = year - TREND_YEARS + 1
    trend_rows = (
        base.filter(subtree_q("region__code", code))
        .filter(identification_date__gte=dt.date(first, 1, 1), identification_date__lt=dt.date(year + 1, 1, 1))
        .annotate(y=ExtractYear("identification_date"))
        .values("y")
        .annotate(n=Count("victim_id", distinct=True))
    )
    trend = {r["y"]: r["n"] for r in trend_rows}
    victims = Count("victim_id", distinct=True)
    local_q = subtree_q("origin_region__code", code) if code != ROOT_CODE else Q()
    totals = handled.aggregate(
        handled=victims,
        local=Count("victim_id", distinct=True, filter=local_q) if code != ROOT_CODE else victims,
        children=Count("victim_id", distinct=True, filter=Q(is_child=True)),
        adults=Count("victim_id", distinct=True, filter=Q(is_child=False, age_at_identification__isnull=False)),
        transnational=Count("victim_id", distinct=True, filter=Q(scope=Case.Scope.TRANSNATIONAL)),
    )
    return {
        "year": year,
        "handled": totals["handled"] or 0,
        "origin": _distinct_victims(origin),
        "handled_local_origin": totals["local"] or 0,
        "children": totals["children"] or 0,
        "adults": totals["adults"] or 0,
        "transnational": totals["transnational"] or 0,
        "by_sex": _labelled(by_sex, labels, "victim__sex_id"),
        "by_citizenship": _labelled(by_cit, labels, "victim__citizenship_status_id"),
        "by_exploitation": _labelled(by_form, labels, "exploitation_forms"),
        "by_destination": [
            (countries.get(r["destination_country_id"], r["destination_country_id"]), r["n"]) for r in by_dest
        ],
        "trend": [(y, trend.get(y, 0)) for y in range(first, year + 1)],
    }


def victims_by_child(region: Region, year: int) -> dict[str, int]:
    """child region code -> distinct victims handled there in `year` (one grouped query)."""
    if region.level >= 2:
        return {}
    width = 2 if region.code == ROOT_CODE else len(region.code) + 3
    qs = _counted().filter(_year_q(year))
    if region.code != ROOT_CODE:
        qs = qs.filter(subtree_q("region__code", region.code)).exclude(region_id=region.code)
    rows = qs.annotate(child=Left("region_id", width)).values("child").annotate(n=Count("victim_id", distinct=True))
    return {r["child"]: r["n"] for r in rows}


def render_case_section(request, region, year) -> str:
    if not can_see_figures(request.user):
        return ""
    figures = case_figures(region, year)
    return render_to_string(
        "registry/_case_figures.html",
        {
            "f": figures,
            "region": region,
            "year": year,
            "can_list_cases": scope_for(request.user).has("victim.view"),
        },
        request=request,
    )
