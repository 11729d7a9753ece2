"""Reads of gugus.monitoring, always with the user.

Aggregates (dashboards, indicator values, completeness) are visible to anyone with
`monitoring.view` for the regions their grants cover: a region-reach role its membership
region's subtree; an organisation-reach role (case worker, provider) its organisation's
kab/kota. Out of scope = 404, the same answer as a region that does not exist.
Drill-through to the records behind a figure needs `victim.view` and shows only the cases the
user may see (cases.selectors.cases_visible_to).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from gugus.accounts.scope import scope_for
from gugus.reference.models import ROOT_CODE, Region, region_code_within, subtree_q

from .engine import analytics_region
from .models import MonthClosing

VIEW = "monitoring.view"


def monitoring_regions(user, perm: str = VIEW) -> set[str]:
    scope = scope_for(user)
    out = set()
    for g in scope.grants_with(perm):
        if g.reach == "region":
            out.add(g.region_code)
        else:
            out.add(analytics_region(g.organisation_region))
    return out


def can_view_region(user, code: str | None, perm: str = VIEW) -> bool:
    if not code:
        return False
    return any(region_code_within(code, r) for r in monitoring_regions(user, perm))


def region_get_for_user(user, code: str | None, perm: str = VIEW) -> Region:
    """A region (national, province or kab/kota) the user may see aggregates of; else 404."""
    code = (code or "").strip()
    if not code or len(code) > 13:
        raise Http404
    region = Region.objects.filter(code=code, level__lte=2).select_related("parent").first()
    if region is None or not can_view_region(user, region.code, perm):
        raise Http404
    return region


def default_region_code(user) -> str | None:
    regions = monitoring_regions(user)
    if not regions:
        return None
    return sorted(regions, key=lambda c: (c != ROOT_CODE, c.count("."), c))[0]


def visible_region_q(user, field: str, perm: str = VIEW) -> Q:
    q = Q(pk__in=[])
    for code in monitoring_regions(user, perm):
        q |= subtree_q(field, code)
    return q


def closings_visible_to(user) -> QuerySet[MonthClosing]:
    if not scope_for(user).has(VIEW):
        return MonthClosing.objects.none()
    return MonthClosing.objects.filter(visible_region_q(user, "region_id")).select_related("region")


def closing_get_for_user(user, closing_id) -> MonthClosing:
    try:
        pk = int(closing_id)
    except (TypeError, ValueError):
        raise Http404
    closing = closings_visible_to(user).filter(pk=pk).first()
    if closing is None:
        raise Http404
    return closing


def children_of(region: Region) -> list[Region]:
    """Provinces of the nation, kab/kota of a province; none below kab/kota."""
    if region.level == 0:
        return list(Region.objects.filter(level=1).order_by("code"))
    if region.level == 1:
        return list(Region.objects.filter(level=2, parent=region).order_by("code"))
    return []


def can_drill(user) -> bool:
    return scope_for(user).has("victim.view")


def drill_cases(user, spec, disagg: str, region_code: str, period):
    """The cases behind a figure, limited to those the user may see; None when the element has no
    case-level records. Raises Http404 without `victim.view` or outside the user's scope."""
    import importlib

    from gugus.cases.selectors import cases_visible_to

    from .elements import SOURCE_MODULES

    if not can_drill(user):
        raise Http404
    region_get_for_user(user, region_code)
    if spec.source not in SOURCE_MODULES or not getattr(spec, "available", True):
        return None
    # Only the element's own source module (not every source's catalogue, which queries the code lists).
    try:
        module = importlib.import_module(f"gugus.monitoring.elements.{spec.source}")
    except ImportError:
        return None
    qs = module.records(spec, disagg, region_code, period)
    if qs is None:
        return None
    # The visibility conditions join the same query (not `pk IN (visible cases)`): SQLite would
    # build the list of every visible case first, a scan of the whole case table.
    visible = cases_visible_to(user, "victim.view")
    return qs & (visible.distinct() if qs.query.distinct else visible)
