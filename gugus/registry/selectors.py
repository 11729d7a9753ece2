"""Reads of the registry, always with the user. The registry holds no personal data, so every
user with `registry.view` reads every region (see access.py); without it, everything is 404.
A getter for editing answers 404 when the user may not edit the record's region — the same
answer as a missing record.

The second half of this module holds the region-level *facts* monitoring computes indicators
from (task force active on a date, RAD enacted in a year, prevention budget, shelter beds,
trained staff). They read institutional data only and take no user: monitoring runs them in
background refreshes and publishes its own scoped views.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from gugus.accounts.models import SHELTER_TYPES, Organisation
from gugus.reference.models import ROOT_CODE, Region, region_code_within, subtree_q
from gugus.reference.regions import RegionLookupError, name_key, resolve_region_code

from .access import can_edit_region, can_view, require_view
from .models import (
    NON_UNIT_TYPES,
    ActionPlan,
    BestPractice,
    BudgetLine,
    Decree,
    DecreeMember,
    PreventionActivity,
    RadActivity,
    RadStatus,
    Regulation,
    StaffCount,
    TaskForce,
    TaskForceStatus,
    TaskForceStatusChange,
    Training,
    UnitProfile,
)

PORTRAIT_LEVELS = (0, 1, 2)
NON_UNIT_KEYS = {f"org_type.{t}" for t in NON_UNIT_TYPES}
SHELTER_TYPE_KEYS = {f"org_type.{t}" for t in SHELTER_TYPES}


def _uuid_or_404(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise Http404


def _qs_for(user, qs: QuerySet) -> QuerySet:
    return qs if can_view(user) else qs.none()


# ---------------------------------------------------------------------------------------------
# Regions


def region_get_for_portrait(user, code: str) -> Region:
    require_view(user)
    region = Region.objects.filter(pk=code, level__in=PORTRAIT_LEVELS).select_related("parent").first()
    if region is None:
        raise Http404
    return region


def region_search(user, q: str, *, limit: int = 30) -> list[Region]:
    """Regions (national, province, kab/kota) matching a code or a name as people write it."""
    require_view(user)
    q = (q or "").strip()
    if not q:
        return []
    try:
        code = resolve_region_code(q, levels=(1, 2))
        return list(Region.objects.filter(pk=code, level__in=PORTRAIT_LEVELS))
    except RegionLookupError as exc:
        if exc.reason == "ambiguous":
            codes = [c.rsplit("(", 1)[1].rstrip(")") for c in exc.candidates]
            return list(Region.objects.filter(pk__in=codes).order_by("code"))
    key = name_key(q)[0]
    if not key:
        return []
    qs = Region.objects.filter(level__in=PORTRAIT_LEVELS)
    for token in key.split():
        qs = qs.filter(name_key__contains=token)
    return list(qs.order_by("level", "code")[:limit])


def children_of(region: Region) -> QuerySet[Region]:
    if region.level >= 2:
        return Region.objects.none()
    return Region.objects.filter(parent=region, level=region.level + 1).order_by("code")


# ---------------------------------------------------------------------------------------------
# Lists and getters (scope: registry.view reads all; 404 otherwise)


def taskforces_visible_to(user) -> QuerySet[TaskForce]:
    return _qs_for(user, TaskForce.objects.select_related("region", "level"))


def decrees_visible_to(user) -> QuerySet[Decree]:
    return _qs_for(user, Decree.objects.select_related("task_force", "secretariat"))


def plans_visible_to(user) -> QuerySet[ActionPlan]:
    return _qs_for(user, ActionPlan.objects.select_related("region"))


def budgets_visible_to(user) -> QuerySet[BudgetLine]:
    return _qs_for(user, BudgetLine.objects.select_related("region", "source", "programme", "agency"))


def trainings_visible_to(user) -> QuerySet[Training]:
    return _qs_for(user, Training.objects.select_related("region", "topic", "organiser"))


def regulations_visible_to(user) -> QuerySet[Regulation]:
    return _qs_for(user, Regulation.objects.select_related("region", "reg_type"))


def prevention_visible_to(user) -> QuerySet[PreventionActivity]:
    return _qs_for(user, PreventionActivity.objects.select_related("region", "kind", "organiser"))


def practices_visible_to(user) -> QuerySet[BestPractice]:
    return _qs_for(user, BestPractice.objects.select_related("region", "organisation"))


def units_visible_to(user) -> QuerySet[Organisation]:
    """Service units and safe houses (never their secret location)."""
    qs = (
        Organisation.objects.defer("secret_location")
        .filter(active=True)
        .exclude(org_type_id__in=NON_UNIT_KEYS)
        .filter(Q(country__isnull=True) | Q(country_id="ID"))
        .select_related("org_type", "region")
    )
    return _qs_for(user, qs)


def organisations_for_choice(user, region: Region | None = None) -> QuerySet[Organisation]:
    """Organisations offered in forms (member agencies, organisers): the region's province, or all."""
    qs = Organisation.objects.defer("secret_location").filter(active=True).order_by("name")
    if region is not None and region.code != ROOT_CODE:
        qs = qs.filter(subtree_q("region__code", region.province_code) | Q(region_id=ROOT_CODE))
    return _qs_for(user, qs)


def _get(qs: QuerySet, pk):
    obj = qs.filter(pk=_uuid_or_404(pk)).first()
    if obj is None:
        raise Http404
    return obj


def taskforce_get_for_user(user, pk) -> TaskForce:
    return _get(taskforces_visible_to(user), pk)


def decree_get_for_user(user, pk) -> Decree:
    return _get(decrees_visible_to(user), pk)


def plan_get_for_user(user, pk) -> ActionPlan:
    return _get(plans_visible_to(user), pk)


def activity_get_for_user(user, pk) -> RadActivity:
    return _get(_qs_for(user, RadActivity.objects.select_related("plan", "plan__region")), pk)


def budget_get_for_user(user, pk) -> BudgetLine:
    return _get(budgets_visible_to(user), pk)


def training_get_for_user(user, pk) -> Training:
    return _get(trainings_visible_to(user), pk)


def regulation_get_for_user(user, pk) -> Regulation:
    return _get(regulations_visible_to(user), pk)


def prevention_get_for_user(user, pk) -> PreventionActivity:
    return _get(prevention_visible_to(user), pk)


def practice_get_for_user(user, pk) -> BestPractice:
    return _get(practices_visible_to(user), pk)


def unit_get_for_user(user, pk) -> Organisation:
    return _get(units_visible_to(user), pk)


def member_get_for_user(user, pk) -> DecreeMember:
    return _get(_qs_for(user, DecreeMember.objects.select_related("decree", "decree__task_force", "organisation")), pk)


def region_of(obj) -> str:
    """The region a registry record belongs to (for the edit check)."""
    if isinstance(obj, Decree):
        return obj.task_force.region_id
    if isinstance(obj, DecreeMember):
        return obj.decree.task_force.region_id
    if isinstance(obj, RadActivity):
        return obj.plan.region_id
    return obj.region_id


def for_edit(user, obj):
    """`obj` if the user may edit its region; otherwise 404 (as if it did not exist)."""
    if not can_edit_region(user, region_of(obj)):
        raise Http404
    return obj


# ---------------------------------------------------------------------------------------------
# Facts for the portrait and for monitoring (institutional data only; no user)


def status_on(task_force_ids: Iterable | None, on: dt.date) -> dict:
    """task force id -> its status on `on` (None if not yet formed)."""
    qs = TaskForceStatusChange.objects.filter(date__lte=on).order_by("task_force_id", "date", "id")
    if task_force_ids is not None:
        qs = qs.filter(task_force_id__in=list(task_force_ids))
    out = {}
    for tf_id, status in qs.values_list("task_force_id", "status"):
        out[tf_id] = status
    return out


def taskforce_status_by_region(on: dt.date, codes: Iterable[str] | None = None) -> dict[str, str | None]:
    """region code -> task force status on `on` ('active' | 'inactive' | 'dissolved'), for regions
    that have a task force record (formed on or before `on`)."""
    tfs = TaskForce.objects.all()
    if codes is not None:
        tfs = tfs.filter(region_id__in=list(codes))
    pairs = dict(tfs.values_list("pk", "region_id"))
    statuses = status_on(pairs.keys(), on)
    return {pairs[tf]: s for tf, s in statuses.items()}


def taskforce_active_on(region_code: str, on: dt.date) -> bool:
    """Monitoring: did the region have an active task force on `on`?"""
    return taskforce_status_by_region(on, [region_code]).get(region_code) == TaskForceStatus.ACTIVE


def regions_with_active_taskforce(on: dt.date, codes: Iterable[str] | None = None) -> set[str]:
    return {c for c, s in taskforce_status_by_region(on, codes).items() if s == TaskForceStatus.ACTIVE}


def rad_status_by_region(year: int, codes: Iterable[str] | None = None) -> dict[str, str]:
    """region code -> the RAD status in `year`: 'enacted' if a plan in force covers the year,
    else 'drafting' if one is being prepared, else 'expired' if only past plans exist, else 'none'.
    (A stored 'expired' plan was in force during its own period.) Regions absent = 'none'."""
    qs = ActionPlan.objects.all()
    if codes is not None:
        qs = qs.filter(region_id__in=list(codes))
    rank = {RadStatus.NONE: 0, RadStatus.EXPIRED: 1, RadStatus.DRAFTING: 2, RadStatus.ENACTED: 3}
    out: dict[str, str] = {}
    for code, start, end, status, enacted_on in qs.values_list(
        "region_id", "period_start", "period_end", "status", "enacted_on"
    ):
        eff = RadStatus.NONE
        in_force = status in (RadStatus.ENACTED, RadStatus.EXPIRED) and (enacted_on is None or enacted_on.year <= year)
        if start <= year <= end and in_force:
            eff = RadStatus.ENACTED
        elif status == RadStatus.DRAFTING and end >= year:
            eff = RadStatus.DRAFTING
        elif status in (RadStatus.ENACTED, RadStatus.EXPIRED) and end < year:
            eff = RadStatus.EXPIRED
        if rank[eff] > rank.get(out.get(code, RadStatus.NONE), 0):
            out[code] = eff
    return out


def regions_with_enacted_rad(year: int, codes: Iterable[str] | None = None) -> set[str]:
    """Monitoring: regions with a RAD in force in `year`."""
    return {c for c, s in rad_status_by_region(year, codes).items() if s == RadStatus.ENACTED}


def budget_reported_regions(year: int, codes: Iterable[str] | None = None) -> set[str]:
    qs = BudgetLine.objects.filter(year=year)
    if codes is not None:
        qs = qs.filter(region_id__in=list(codes))
    return set(qs.values_list("region_id", flat=True).distinct())


def budget_by_region(
    year: int, programme: str, codes: Iterable[str] | None = None, field: str = "allocated"
) -> dict[str, Decimal]:
    """region code -> the region's own allocation (or realisation) for a programme area in `year`.
    Regions that reported any budget for the year but nothing for the programme get Decimal(0);
    regions that reported nothing for the year are absent (unknown, not zero)."""
    reported = budget_reported_regions(year, codes)
    out = {c: Decimal("0.00") for c in reported}
    qs = BudgetLine.objects.filter(year=year, programme_id=f"budget_programme.{programme}")
    if codes is not None:
        qs = qs.filter(region_id__in=list(codes))
    for code, total in qs.values("region_id").annotate(t=Sum(field)).values_list("region_id", "t"):
        out[code] = total or Decimal("0.00")
    return out


def prevention_budget_by_region(year: int, codes: Iterable[str] | None = None) -> dict[str, Decimal]:
    """Monitoring: prevention allocation per region (own government) in `year`."""
    return budget_by_region(year, "prevention", codes)


def unit_beds(units: Iterable[Organisation]) -> dict:
    """organisation id -> beds: the registry profile's count, else the organisation's capacity."""
    units = list(units)
    profiles = dict(
        UnitProfile.objects.filter(organisation__in=[u.pk for u in units], beds__isnull=False).values_list(
            "organisation_id", "beds"
        )
    )
    return {u.pk: profiles.get(u.pk, u.capacity) for u in units}


def shelter_beds_by_region(codes: Iterable[str] | None = None, within: str | None = None) -> dict[str, int]:
    """Monitoring: beds in safe houses and shelters (rumah aman, RPTC, RPSA, UPTD PPA …) per the
    unit's own region. Roll up with `rollup`/`subtree_total`."""
    qs = Organisation.objects.defer("secret_location").filter(active=True, org_type_id__in=SHELTER_TYPE_KEYS)
    if codes is not None:
        qs = qs.filter(region_id__in=list(codes))
    if within:
        qs = qs.filter(subtree_q("region__code", within))
    units = list(qs.only("id", "region_id", "capacity"))
    beds = unit_beds(units)
    out: dict[str, int] = defaultdict(int)
    for u in units:
        out[u.region_id] += beds.get(u.pk) or 0
    return dict(out)


def staff_latest(year: int, within: str | None = None) -> list[tuple]:
    """(unit id, unit region, function key, total, trained): per unit and function, the latest
    count reported for `year` or before."""
    qs = StaffCount.objects.filter(year__lte=year)
    if within:
        qs = qs.filter(subtree_q("unit__region__code", within))
    latest: dict[tuple, tuple] = {}
    for unit_id, region, fn, _year, total, trained in qs.order_by("year").values_list(
        "unit_id", "unit__region_id", "function_id", "year", "total", "trained"
    ):
        latest[(unit_id, fn)] = (unit_id, region, fn, total, trained)
    return list(latest.values())


def trained_staff_by_region(year: int, within: str | None = None) -> dict[str, tuple[int, int]]:
    """Monitoring: region code (the unit's) -> (staff, of whom trained), latest count ≤ `year`."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _unit, region, _fn, total, trained in staff_latest(year, within):
        out[region][0] += total
        out[region][1] += trained
    return {k: (v[0], v[1]) for k, v in out.items()}


def child_code_of(code: str, parent_code: str) -> str | None:
    """The code of `parent_code`'s child region containing `code` (None if not below it)."""
    if not region_code_within(code, parent_code) or code == parent_code:
        return None
    parts = code.split(".")
    depth = 1 if parent_code == ROOT_CODE else len(parent_code.split(".")) + 1
    if len(parts) < depth:
        return None
    return ".".join(parts[:depth])


def rollup(values: dict, parent_code: str) -> dict:
    """Sum per-region values into the children of `parent_code` (subtree totals)."""
    out: dict = {}
    for code, v in values.items():
        child = child_code_of(code, parent_code)
        if child is None or v is None:
            continue
        if isinstance(v, tuple):
            prev = out.get(child, (0,) * len(v))
            out[child] = tuple(a + b for a, b in zip(prev, v, strict=True))
        else:
            out[child] = out.get(child, 0) + v
    return out


def subtree_total(values: dict, code: str):
    total = None
    for c, v in values.items():
        if v is None or not region_code_within(c, code):
            continue
        if isinstance(v, tuple):
            total = tuple(a + b for a, b in zip(total or (0,) * len(v), v, strict=True))
        else:
            total = (total or 0) + v
    return total


def zero_budget_regions(
    user, *, year: int, programme: str = "prevention", level: int | None = None, within: str = ROOT_CODE
) -> list[dict]:
    """Regions whose own government allocated nothing to `programme` in `year`: 'zero' (reported
    budgets, none for this programme) and 'unreported' (no budget lines at all for the year)."""
    require_view(user)
    regions = Region.objects.filter(level__in=(level,) if level is not None else (1, 2))
    if within != ROOT_CODE:
        regions = regions.filter(subtree_q("code", within))
    regions = list(regions.order_by("code").values_list("code", "name", "level"))
    amounts = budget_by_region(year, programme, [c for c, _, _ in regions])
    out = []
    for code, name, lvl in regions:
        amount = amounts.get(code)
        if amount is None:
            out.append({"code": code, "name": name, "level": lvl, "state": "unreported", "allocated": None})
        elif amount == 0:
            out.append({"code": code, "name": name, "level": lvl, "state": "zero", "allocated": amount})
    return out
