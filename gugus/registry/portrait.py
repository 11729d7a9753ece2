"""The portrait of one region: everything the registry knows about it, for one year, plus the
key facts of its children regions. Used by the page, the API and the export alike.

Government instruments (task force, RAD, budget, regulations) are the region's own; things
located in the territory (units, beds, staff, trainings, prevention, cases) are summed over the
region's whole subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from gugus.reference.models import ROOT_CODE, Code, Region, subtree_q

from . import case_figures as cf
from .access import can_edit_region
from .models import (
    AGE_GROUPS,
    FACILITY_FIELDS,
    REACH_FIELDS,
    SEXES,
    ActionPlan,
    BestPractice,
    BudgetLine,
    DecreeMember,
    PreventionActivity,
    RadStatus,
    Regulation,
    Replication,
    StaffCount,
    TaskForce,
    Training,
    TrainingParticipants,
    UnitProfile,
)
from .selectors import (
    SHELTER_TYPE_KEYS,
    budget_by_region,
    children_of,
    rad_status_by_region,
    rollup,
    shelter_beds_by_region,
    staff_latest,
    taskforce_status_by_region,
    trained_staff_by_region,
    unit_beds,
    units_visible_to,
)

LIST_CAP = 50
WATCHED_PROGRAMMES = {"prevention": "Pencegahan", "handling_repatriation": "Pemulangan"}


def default_year() -> int:
    return timezone.localdate().year


def reference_date(year: int) -> dt.date:
    """The date a year's facts are read on: today for this year, 31 December for past years."""
    today = timezone.localdate()
    return today if year >= today.year else dt.date(year, 12, 31)


@dataclass
class Portrait:
    region: Region
    year: int
    ancestors: list = field(default_factory=list)
    can_edit: bool = False
    taskforce: TaskForce | None = None
    taskforce_status: str | None = None
    decrees: list = field(default_factory=list)
    current_decree: object = None
    members_by_sub: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    rad_status: str = RadStatus.NONE
    budget_lines: list = field(default_factory=list)
    budget_by_programme: list = field(default_factory=list)
    budget_totals: dict = field(default_factory=dict)
    budget_years: list = field(default_factory=list)
    budget_reported: bool = False
    budget_flags: list = field(default_factory=list)
    subtree_budget: dict = field(default_factory=dict)
    units: list = field(default_factory=list)
    units_by_type: list = field(default_factory=list)
    shelter_beds: int = 0
    staff_by_function: list = field(default_factory=list)
    staff_totals: tuple = (0, 0)
    trainings: list = field(default_factory=list)
    training_count: int = 0
    training_by_agency: list = field(default_factory=list)
    training_participants: tuple = (0, 0)
    regulations: list = field(default_factory=list)
    prevention: list = field(default_factory=list)
    prevention_count: int = 0
    prevention_by_kind: list = field(default_factory=list)
    prevention_reach: list = field(default_factory=list)
    prevention_reach_total: int = 0
    prevention_media: int = 0
    practices: list = field(default_factory=list)
    replicated_here: list = field(default_factory=list)
    children: list = field(default_factory=list)
    cases: dict | None = None
    flags: list = field(default_factory=list)


def _labels(list_key: str) -> dict:
    return dict(Code.objects.filter(code_list_id=list_key).values_list("key", "label_id"))


def build_portrait(user, region: Region, year: int, *, with_cases: bool = True) -> Portrait:
    p = Portrait(region=region, year=year, can_edit=can_edit_region(user, region.code))
    codes = region.ancestors_codes()[:-1]
    p.ancestors = list(Region.objects.filter(pk__in=codes).order_by("level"))
    on = reference_date(year)
    _taskforce(p, on)
    _plans(p)
    _budget(p)
    _units(p, user)
    _trainings(p)
    p.regulations = list(
        Regulation.objects.filter(region=region).select_related("reg_type").order_by("-year", "number")
    )
    _prevention(p)
    _practices(p)
    p.children = children_facts(user, region, year)
    if with_cases and cf.can_see_figures(user):
        p.cases = cf.case_figures(region, year)
    _flags(p)
    return p


def _taskforce(p: Portrait, on: dt.date) -> None:
    tf = TaskForce.objects.filter(region=p.region).select_related("level").first()
    p.taskforce = tf
    if tf is None:
        return
    p.taskforce_status = taskforce_status_by_region(on, [p.region.code]).get(p.region.code)
    p.decrees = list(tf.decrees.select_related("secretariat").order_by("-date"))
    current = [d for d in p.decrees if d.date <= on]
    p.current_decree = current[0] if current else None
    if p.current_decree is not None:
        groups: OrderedDict = OrderedDict()
        for m in (
            DecreeMember.objects.filter(decree=p.current_decree)
            .select_related("organisation", "sub_gt")
            .order_by("sub_gt__sort", "-is_lead", "organisation__name")
        ):
            groups.setdefault(m.sub_gt.label_id, []).append(m)
        p.members_by_sub = list(groups.items())


def _plans(p: Portrait) -> None:
    plans = (
        ActionPlan.objects.filter(region=p.region)
        .annotate(n_activities=Count("activities"))
        .prefetch_related("renstra_agencies")
        .order_by("-period_start")
    )
    p.plans = list(plans)
    p.rad_status = rad_status_by_region(p.year, [p.region.code]).get(p.region.code, RadStatus.NONE)


def _budget(p: Portrait) -> None:
    code, year = p.region.code, p.year
    lines = list(
        BudgetLine.objects.filter(region=p.region, year=year)
        .select_related("source", "programme", "agency")
        .order_by("programme__sort", "source__sort")
    )
    p.budget_lines = lines
    p.budget_reported = bool(lines)
    programmes = list(Code.objects.filter(code_list_id="budget_programme").order_by("sort"))
    per = {pr.key: [Decimal("0.00"), Decimal("0.00"), False] for pr in programmes}
    for line in lines:
        row = per[line.programme_id]
        row[0] += line.allocated
        if line.realised is not None:
            row[1] += line.realised
            row[2] = True
    p.budget_by_programme = [
        {
            "key": pr.key,
            "code": pr.code,
            "label": pr.label_id,
            "allocated": per[pr.key][0],
            "realised": per[pr.key][1] if per[pr.key][2] else None,
            "rate": (per[pr.key][1] / per[pr.key][0] * 100).quantize(Decimal("0.1"))
            if per[pr.key][2] and per[pr.key][0]
            else None,
        }
        for pr in programmes
    ]
    alloc = sum((line.allocated for line in lines), Decimal("0.00"))
    realised = sum((line.realised for line in lines if line.realised is not None), Decimal("0.00"))
    p.budget_totals = {"allocated": alloc, "realised": realised}
    years = (
        BudgetLine.objects.filter(region=p.region)
        .values("year", "programme_id")
        .annotate(a=Sum("allocated"))
        .order_by("year")
    )
    by_year: dict = defaultdict(
        lambda: {"total": Decimal("0.00"), "prevention": Decimal("0.00"), "handling_repatriation": Decimal("0.00")}
    )
    for r in years:
        row = by_year[r["year"]]
        row["total"] += r["a"]
        short = r["programme_id"].split(".", 1)[1]
        if short in row:
            row[short] += r["a"]
    p.budget_years = [{"year": y, **v} for y, v in sorted(by_year.items())]
    for prog, label in WATCHED_PROGRAMMES.items():
        amount = next((b["allocated"] for b in p.budget_by_programme if b["code"] == prog), Decimal("0.00"))
        if not p.budget_reported:
            p.budget_flags.append({"programme": prog, "label": label, "state": "unreported"})
        elif amount == 0:
            p.budget_flags.append({"programme": prog, "label": label, "state": "zero"})
    if p.region.level < 2:
        sub = (
            BudgetLine.objects.filter(subtree_q("region__code", code), year=year)
            .exclude(region_id=code)
            .aggregate(a=Sum("allocated"), r=Sum("realised"), n=Count("region_id", distinct=True))
        )
        p.subtree_budget = {
            "allocated": sub["a"] or Decimal("0.00"),
            "realised": sub["r"] or Decimal("0.00"),
            "regions": sub["n"],
        }


def _units(p: Portrait, user) -> None:
    region = p.region
    units_qs = units_visible_to(user).filter(subtree_q("region__code", region.code))
    # List the units located in this region itself (and, for a kab/kota, below it); a province or
    # the nation summarises its kab/kota through the children table.
    listed = units_qs if region.level >= 2 else units_qs.filter(region_id=region.code)
    listed = list(listed.order_by("org_type__sort", "name")[: LIST_CAP * 2])
    beds = unit_beds(listed)
    profiles = {pr.organisation_id: pr for pr in UnitProfile.objects.filter(organisation__in=[u.pk for u in listed])}
    latest = staff_latest(p.year, region.code)
    staff = defaultdict(lambda: [0, 0])
    for unit_id, _region, _fn, total, trained in latest:
        staff[unit_id][0] += total
        staff[unit_id][1] += trained
    for u in listed:
        prof = profiles.get(u.pk)
        p.units.append(
            {
                "org": u,
                "type": u.org_type.label_id,
                "is_shelter": u.org_type_id in SHELTER_TYPE_KEYS,
                "is_safe_house": u.org_type_id == "org_type.safe_house",
                "beds": beds.get(u.pk),
                "facilities": [
                    UnitProfile._meta.get_field(f).verbose_name
                    for f in FACILITY_FIELDS
                    if prof is not None and getattr(prof, f)
                ],
                "profile": prof,
                "staff": tuple(staff.get(u.pk, (0, 0))),
            }
        )
    p.units_by_type = list(units_qs.values("org_type__label_id").annotate(n=Count("id")).order_by("-n"))
    beds_all = shelter_beds_by_region(within=region.code)
    p.shelter_beds = sum(beds_all.values())
    labels = _labels("staff_function")
    per_fn: dict = defaultdict(lambda: [0, 0])
    for _unit, _region, fn, total, trained in latest:
        per_fn[fn][0] += total
        per_fn[fn][1] += trained
    p.staff_by_function = sorted(
        ({"label": labels.get(k, k), "total": v[0], "trained": v[1]} for k, v in per_fn.items()),
        key=lambda r: -r["total"],
    )
    p.staff_totals = (sum(v[0] for v in per_fn.values()), sum(v[1] for v in per_fn.values()))


def _year_range(year: int) -> dict:
    return {"gte": dt.date(year, 1, 1), "lt": dt.date(year + 1, 1, 1)}


def _trainings(p: Portrait) -> None:
    r = _year_range(p.year)
    qs = Training.objects.filter(
        subtree_q("region__code", p.region.code), start_date__gte=r["gte"], start_date__lt=r["lt"]
    )
    p.training_count = qs.count()
    p.trainings = list(
        qs.select_related("topic", "organiser", "region")
        .annotate(female=Sum("participants__female"), male=Sum("participants__male"))
        .order_by("-start_date")[:LIST_CAP]
    )
    parts = (
        TrainingParticipants.objects.filter(training__in=qs)
        .values("agency_type__label_id")
        .annotate(f=Sum("female"), m=Sum("male"))
        .order_by("agency_type__label_id")
    )
    p.training_by_agency = [
        {"label": x["agency_type__label_id"], "female": x["f"] or 0, "male": x["m"] or 0} for x in parts
    ]
    p.training_participants = (
        sum(x["female"] for x in p.training_by_agency),
        sum(x["male"] for x in p.training_by_agency),
    )


def _prevention(p: Portrait) -> None:
    r = _year_range(p.year)
    qs = PreventionActivity.objects.filter(
        subtree_q("region__code", p.region.code), date__gte=r["gte"], date__lt=r["lt"]
    )
    p.prevention_count = qs.count()
    p.prevention = list(qs.select_related("kind", "organiser", "region").order_by("-date")[:LIST_CAP])
    sums = qs.aggregate(**{f: Sum(f) for f in REACH_FIELDS}, media=Sum("media_audience"))
    p.prevention_reach = [
        {"age": label, **{sex: sums[f"{sex}_{age}"] or 0 for sex, _ in SEXES}} for age, label in AGE_GROUPS
    ]
    p.prevention_reach_total = sum(sums[f] or 0 for f in REACH_FIELDS)
    p.prevention_media = sums["media"] or 0
    p.prevention_by_kind = list(qs.values("kind__label_id").annotate(n=Count("id")).order_by("-n"))


def _practices(p: Portrait) -> None:
    code = p.region.code
    p.practices = list(
        BestPractice.objects.filter(subtree_q("region__code", code))
        .select_related("region", "organisation")
        .prefetch_related("replications__region")
        .order_by("title")[:LIST_CAP]
    )
    p.replicated_here = list(
        Replication.objects.filter(subtree_q("region__code", code))
        .select_related("practice", "practice__region", "region")
        .order_by("-year")[:LIST_CAP]
    )


def _flags(p: Portrait) -> None:
    if p.taskforce is None:
        p.flags.append(("bad", "Belum ada gugus tugas"))
    elif p.taskforce_status != "active":
        p.flags.append(("warn", "Gugus tugas tidak aktif"))
    if p.rad_status != RadStatus.ENACTED:
        p.flags.append(
            (
                "bad" if p.rad_status == RadStatus.NONE else "warn",
                {"none": "Belum ada RAD", "drafting": "RAD masih disusun", "expired": "RAD sudah berakhir"}[
                    p.rad_status
                ],
            )
        )
    for f in p.budget_flags:
        if f["state"] == "zero":
            p.flags.append(("bad", f"Anggaran {f['label'].lower()} {p.year} nol"))
    if not p.budget_reported:
        p.flags.append(("warn", f"Anggaran {p.year} belum dilaporkan"))
    if p.shelter_beds == 0:
        p.flags.append(("warn", "Tidak ada tempat tidur rumah aman/shelter tercatat"))


def children_facts(user, region: Region, year: int) -> list[dict]:
    """Each child region with the same key facts: task force, RAD, own prevention and
    repatriation budget, shelter beds, staff trained, victims identified this year."""
    kids = list(children_of(region).values_list("code", "name", "kind", "population_total"))
    if not kids:
        return []
    codes = [k[0] for k in kids]
    on = reference_date(year)
    tf = taskforce_status_by_region(on, codes)
    rad = rad_status_by_region(year, codes)
    prev = budget_by_region(year, "prevention", codes)
    repat = budget_by_region(year, "handling_repatriation", codes)
    beds = rollup(shelter_beds_by_region(within=None if region.code == ROOT_CODE else region.code), region.code)
    staff = rollup(trained_staff_by_region(year, None if region.code == ROOT_CODE else region.code), region.code)
    victims = cf.victims_by_child(region, year) if cf.can_see_figures(user) else None
    out = []
    for code, name, kind, pop in kids:
        out.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "population": pop,
                "taskforce": tf.get(code),
                "rad": rad.get(code, RadStatus.NONE),
                "prevention": prev.get(code),
                "repatriation": repat.get(code),
                "beds": beds.get(code, 0),
                "staff": staff.get(code, (0, 0))[0],
                "trained": staff.get(code, (0, 0))[1],
                "victims": None if victims is None else victims.get(code, 0),
            }
        )
    return out


def staff_counts_for_unit(unit) -> list[StaffCount]:
    return list(StaffCount.objects.filter(unit=unit).select_related("function").order_by("-year", "function__sort"))
