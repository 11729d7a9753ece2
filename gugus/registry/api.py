"""The registry API (/api/v1/registry/). Reads need `registry.view`; writes need the region's
secretariat (`registry.edit` on that very region) or the province data steward
(`registry.correct` over its subtree). A record the user may not edit answers 404; a new record
in a region the user may not fill answers 422 with `errors.region`. Edits carry the `version`
the client read; a stale one answers 409. Money is a decimal string (exact)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema, Status

from gugus.reference.models import ROOT_CODE, Region

from . import selectors as sel
from . import services as svc
from .access import require_view
from .models import REACH_FIELDS, StaffCount, UnitProfile
from .portrait import build_portrait, children_facts, default_year

router = Router(tags=["registry"])
MAX_LIMIT = 200


def _short(key: str | None) -> str | None:
    return key.split(".", 1)[1] if key else None


def _page(qs, limit: int, offset: int, out):
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [out(x) for x in qs[offset : offset + limit]],
    }


class PageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[dict]


def _changes(payload) -> tuple[int, dict]:
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return version, data


def _id(value) -> str | None:
    """Ids go to the services as text; an empty one stays None."""
    return str(value) if value else None


def _ids_to_text(data: dict, *keys: str) -> dict:
    for key in keys:
        if key in data:
            data[key] = _id(data[key])
    return data


def _editable(request, get, pk):
    """The record if the caller may edit its region; else 404, as if it were missing."""
    return sel.for_edit(request.auth, get(request.auth, pk))


def _patch(request, get, pk, payload, update, obj_kw: str, out, *id_keys: str):
    """A PATCH: the record in reach, the fields the client sent, the version it read."""
    obj = _editable(request, get, pk)
    version, data = _changes(payload)
    update(actor=request.auth, expected_version=version, **{obj_kw: obj}, **_ids_to_text(data, *id_keys))
    return out(obj)


def _created(request, create, data: dict, out, *id_keys: str):
    return Status(201, out(create(actor=request.auth, **_ids_to_text(data, *id_keys))))


def _filtered(qs, *, region: str | None = None, year: int | None = None, year_field: str = "", **exact):
    """The list filters: region subtree, calendar year of a date field, exact values (empty = no filter)."""
    if region:
        qs = qs.filter(sel.subtree_q("region__code", region))
    if year:
        _check_year(year)
        qs = qs.filter(**{f"{year_field}__year": year})
    for field, value in exact.items():
        if value:
            qs = qs.filter(**{field: value})
    return qs


def _key(list_key: str, code: str | None) -> str | None:
    return f"{list_key}.{code}" if code else None


# ---------------------------------------------------------------------------------------------
# regions and portraits


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    parent_code: str | None


def _region_out(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "kind": r.kind, "level": r.level, "parent_code": r.parent_id}


def _check_year(year: int) -> None:
    """A year filter outside the calendar the database can hold is bad input, not a crash."""
    if not 1900 <= year <= 2100:
        raise ValidationError({"year": "Tahun harus antara 1900 dan 2100."})


@router.get("/regions", response=list[RegionOut])
def regions_search(request, q: str = ""):
    return [_region_out(r) for r in sel.region_search(request.auth, q)]


@router.get("/regions/{code}/portrait", response=dict)
def region_portrait(request, code: str, year: int | None = None):
    region = sel.region_get_for_portrait(request.auth, code)
    year = year or default_year()
    if not 2000 <= year <= dt.date.today().year + 2:
        raise Http404
    p = build_portrait(request.auth, region, year)
    return {
        "region": _region_out(region),
        "year": year,
        "taskforce": None
        if p.taskforce is None
        else {
            "id": str(p.taskforce.pk),
            "status": p.taskforce_status,
            "current_decree": None
            if p.current_decree is None
            else {
                "id": str(p.current_decree.pk),
                "number": p.current_decree.number,
                "date": p.current_decree.date.isoformat(),
                "signed_by": p.current_decree.signed_by,
                "chair": p.current_decree.chair,
            },
            "decrees": len(p.decrees),
            "members": {sub: [m.organisation.name for m in ms] for sub, ms in p.members_by_sub},
        },
        "rad_status": p.rad_status,
        "plans": [
            {
                "id": str(x.pk),
                "title": x.title,
                "period_start": x.period_start,
                "period_end": x.period_end,
                "status": x.status,
                "in_rpjmd": x.in_rpjmd,
                "in_renstra_skpd": x.in_renstra_skpd,
            }
            for x in p.plans
        ],
        "budget": {
            "reported": p.budget_reported,
            "allocated": str(p.budget_totals["allocated"]),
            "realised": str(p.budget_totals["realised"]),
            "by_programme": {
                b["code"]: {
                    "allocated": str(b["allocated"]),
                    "realised": None if b["realised"] is None else str(b["realised"]),
                }
                for b in p.budget_by_programme
            },
            "flags": p.budget_flags,
        },
        "shelter_beds": p.shelter_beds,
        "staff": {"total": p.staff_totals[0], "trained": p.staff_totals[1]},
        "trainings": p.training_count,
        "training_participants": {"female": p.training_participants[0], "male": p.training_participants[1]},
        "regulations": [
            {
                "id": str(g.pk),
                "type": _short(g.reg_type_id),
                "number": g.number,
                "year": g.year,
                "title": g.title,
                "status": g.status,
            }
            for g in p.regulations
        ],
        "prevention": {
            "activities": p.prevention_count,
            "reached": p.prevention_reach_total,
            "media_audience": p.prevention_media,
        },
        "best_practices": [str(b.pk) for b in p.practices],
        "cases": p.cases,
        "flags": [label for _, label in p.flags],
        "children": [_child_out(k) for k in p.children],
    }


def _child_out(k: dict) -> dict:
    out = dict(k)
    for key in ("prevention", "repatriation"):
        out[key] = None if k[key] is None else str(k[key])
    return out


@router.get("/regions/{code}/children", response=list[dict])
def region_children(request, code: str, year: int | None = None):
    region = sel.region_get_for_portrait(request.auth, code)
    return [_child_out(k) for k in children_facts(request.auth, region, year or default_year())]


@router.get("/budgets/zero", response=list[dict])
def budgets_zero(request, year: int, programme: str = "prevention", level: int | None = None, within: str = ROOT_CODE):
    if programme not in {"prevention", "handling_repatriation"} or level not in (None, 1, 2):
        raise Http404
    rows = sel.zero_budget_regions(request.auth, year=year, programme=programme, level=level, within=within)
    return [{**r, "allocated": None if r["allocated"] is None else str(r["allocated"])} for r in rows]


# ---------------------------------------------------------------------------------------------
# task forces and decrees


class MemberIn(Schema):
    organisation_id: UUID
    sub_gt: str
    is_lead: bool = False


class TaskForceIn(Schema):
    region_code: str
    decree_number: str
    decree_date: dt.date
    signed_by: str
    chair: str
    decree_title: str = ""
    secretariat_id: UUID | None = None
    name: str = ""
    members: list[MemberIn] = []
    note: str = ""


class TaskForcePatch(Schema):
    version: int
    name: str | None = None
    note: str | None = None


class StatusIn(Schema):
    version: int
    status: str
    date: dt.date
    note: str = ""


class DecreeIn(Schema):
    number: str
    date: dt.date
    signed_by: str
    chair: str
    title: str = ""
    secretariat_id: UUID | None = None
    members: list[MemberIn] | None = Field(None, description="null: copy the previous decree's members")
    version: int | None = Field(None, description="the task force's version the client read")


class DecreePatch(Schema):
    version: int
    number: str | None = None
    date: dt.date | None = None
    signed_by: str | None = None
    chair: str | None = None
    title: str | None = None
    secretariat_id: UUID | None = None


def _decree_out(d) -> dict:
    return {
        "id": str(d.pk),
        "number": d.number,
        "date": d.date.isoformat(),
        "signed_by": d.signed_by,
        "title": d.title,
        "chair": d.chair,
        "secretariat_id": _id(d.secretariat_id),
        "supersedes_id": _id(d.supersedes_id),
        "version": d.version,
        "members": [
            {
                "id": str(m.pk),
                "organisation_id": str(m.organisation_id),
                "organisation": m.organisation.name,
                "sub_gt": _short(m.sub_gt_id),
                "is_lead": m.is_lead,
            }
            for m in d.members.select_related("organisation")
        ],
    }


def _taskforce_out(tf) -> dict:
    current = tf.current_decree
    return {
        "id": str(tf.pk),
        "region_code": tf.region_id,
        "level": _short(tf.level_id),
        "name": tf.name,
        "status": tf.status,
        "status_since": tf.status_since.isoformat(),
        "note": tf.note,
        "version": tf.version,
        "current_decree_id": str(current.pk) if current else None,
        "decrees": [_decree_out(d) for d in tf.decrees.order_by("-date")],
        "status_history": [
            {"status": h.status, "date": h.date.isoformat(), "note": h.note} for h in tf.status_history.all()
        ],
    }


@router.get("/taskforces", response=PageOut)
def taskforces_list(request, region: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0):
    require_view(request.auth)
    qs = _filtered(sel.taskforces_visible_to(request.auth).order_by("region_id"), region=region, status=status)
    return _page(
        qs,
        limit,
        offset,
        lambda tf: {
            "id": str(tf.pk),
            "region_code": tf.region_id,
            "name": tf.name,
            "status": tf.status,
            "level": _short(tf.level_id),
            "version": tf.version,
        },
    )


@router.post("/taskforces", response={201: dict})
def taskforce_create(request, payload: TaskForceIn):
    data = payload.model_dump()
    data["members"] = [dict(m, organisation_id=str(m["organisation_id"])) for m in data["members"]]
    tf = svc.taskforce_create(actor=request.auth, **data)
    return Status(201, _taskforce_out(tf))


@router.get("/taskforces/{tf_id}", response=dict)
def taskforce_get(request, tf_id: UUID):
    return _taskforce_out(sel.taskforce_get_for_user(request.auth, tf_id))


@router.patch("/taskforces/{tf_id}", response=dict)
def taskforce_patch(request, tf_id: UUID, payload: TaskForcePatch):
    return _patch(
        request, sel.taskforce_get_for_user, tf_id, payload, svc.taskforce_update, "task_force", _taskforce_out
    )


@router.post("/taskforces/{tf_id}/status", response=dict)
def taskforce_status(request, tf_id: UUID, payload: StatusIn):
    tf = _editable(request, sel.taskforce_get_for_user, tf_id)
    svc.taskforce_set_status(
        actor=request.auth,
        task_force=tf,
        expected_version=payload.version,
        status=payload.status,
        date=payload.date,
        note=payload.note,
    )
    return _taskforce_out(tf)


@router.post("/taskforces/{tf_id}/decrees", response={201: dict})
def decree_renew(request, tf_id: UUID, payload: DecreeIn):
    tf = _editable(request, sel.taskforce_get_for_user, tf_id)
    data = payload.model_dump()
    version = data.pop("version")
    if data["members"] is not None:
        data["members"] = [dict(m, organisation_id=str(m["organisation_id"])) for m in data["members"]]
    d = svc.decree_renew(actor=request.auth, task_force=tf, expected_version=version, **data)
    return Status(201, _decree_out(d))


@router.patch("/decrees/{decree_id}", response=dict)
def decree_patch(request, decree_id: UUID, payload: DecreePatch):
    return _patch(
        request, sel.decree_get_for_user, decree_id, payload, svc.decree_update, "decree", _decree_out, "secretariat_id"
    )


@router.post("/decrees/{decree_id}/members", response={201: dict})
def decree_member_add(request, decree_id: UUID, payload: MemberIn):
    d = _editable(request, sel.decree_get_for_user, decree_id)
    svc.decree_member_add(
        actor=request.auth,
        decree=d,
        organisation_id=str(payload.organisation_id),
        sub_gt=payload.sub_gt,
        is_lead=payload.is_lead,
    )
    return Status(201, _decree_out(d))


@router.delete("/decree-members/{member_id}", response={204: None})
def decree_member_remove(request, member_id: UUID):
    m = _editable(request, sel.member_get_for_user, member_id)
    svc.decree_member_remove(actor=request.auth, member=m)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# RAD


class RadPlanIn(Schema):
    region_code: str
    title: str
    period_start: int
    period_end: int
    status: str = "drafting"
    legal_basis: str = ""
    enacted_on: dt.date | None = None
    in_rpjmd: bool = False
    rpjmd_note: str = ""
    in_renstra_skpd: bool = False
    renstra_agency_ids: list[UUID] = []
    note: str = ""


class RadPlanPatch(Schema):
    version: int
    title: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    status: str | None = None
    legal_basis: str | None = None
    enacted_on: dt.date | None = None
    in_rpjmd: bool | None = None
    rpjmd_note: str | None = None
    in_renstra_skpd: bool | None = None
    renstra_agency_ids: list[UUID] | None = None
    note: str | None = None


class ActivityIn(Schema):
    name: str
    sub_gt: str | None = None
    indicator: str = ""
    unit: str = ""
    responsible_ids: list[UUID] = []


class ActivityPatch(Schema):
    version: int
    name: str | None = None
    sub_gt: str | None = None
    indicator: str | None = None
    unit: str | None = None
    responsible_ids: list[UUID] | None = None


class ActivityYearIn(Schema):
    target: Decimal | None = None
    realisation: Decimal | None = None
    note: str = ""
    version: int | None = Field(None, description="required when the year already has values")


def _plan_out(pl) -> dict:
    return {
        "id": str(pl.pk),
        "region_code": pl.region_id,
        "title": pl.title,
        "period_start": pl.period_start,
        "period_end": pl.period_end,
        "status": pl.status,
        "legal_basis": pl.legal_basis,
        "enacted_on": pl.enacted_on.isoformat() if pl.enacted_on else None,
        "in_rpjmd": pl.in_rpjmd,
        "rpjmd_note": pl.rpjmd_note,
        "in_renstra_skpd": pl.in_renstra_skpd,
        "renstra_agency_ids": [str(o) for o in pl.renstra_agencies.values_list("pk", flat=True)],
        "note": pl.note,
        "version": pl.version,
        "activities": [_activity_out(a) for a in pl.activities.prefetch_related("responsible", "years")],
    }


def _activity_out(a) -> dict:
    return {
        "id": str(a.pk),
        "name": a.name,
        "sub_gt": _short(a.sub_gt_id),
        "indicator": a.indicator,
        "unit": a.unit,
        "responsible_ids": [str(o.pk) for o in a.responsible.all()],
        "version": a.version,
        "years": [
            {
                "year": y.year,
                "target": None if y.target is None else str(y.target),
                "realisation": None if y.realisation is None else str(y.realisation),
                "note": y.note,
                "version": y.version,
            }
            for y in a.years.all()
        ],
    }


def _ids(values) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


@router.get("/plans", response=PageOut)
def plans_list(request, region: str | None = None, status: str | None = None, limit: int = 50, offset: int = 0):
    require_view(request.auth)
    qs = _filtered(
        sel.plans_visible_to(request.auth).order_by("region_id", "-period_start"), region=region, status=status
    )
    return _page(
        qs,
        limit,
        offset,
        lambda pl: {
            "id": str(pl.pk),
            "region_code": pl.region_id,
            "title": pl.title,
            "period_start": pl.period_start,
            "period_end": pl.period_end,
            "status": pl.status,
            "version": pl.version,
        },
    )


@router.post("/plans", response={201: dict})
def plan_create(request, payload: RadPlanIn):
    data = payload.model_dump()
    data["renstra_agency_ids"] = _ids(data["renstra_agency_ids"])
    return Status(201, _plan_out(svc.plan_create(actor=request.auth, **data)))


@router.get("/plans/{plan_id}", response=dict)
def plan_get(request, plan_id: UUID):
    return _plan_out(sel.plan_get_for_user(request.auth, plan_id))


@router.patch("/plans/{plan_id}", response=dict)
def plan_patch(request, plan_id: UUID, payload: RadPlanPatch):
    pl = _editable(request, sel.plan_get_for_user, plan_id)
    version, data = _changes(payload)
    if "renstra_agency_ids" in data:
        data["renstra_agency_ids"] = _ids(data["renstra_agency_ids"]) or []
    svc.plan_update(actor=request.auth, plan=pl, expected_version=version, **data)
    return _plan_out(pl)


@router.post("/plans/{plan_id}/activities", response={201: dict})
def activity_add(request, plan_id: UUID, payload: ActivityIn):
    pl = _editable(request, sel.plan_get_for_user, plan_id)
    data = payload.model_dump()
    data["responsible_ids"] = _ids(data["responsible_ids"])
    return Status(201, _activity_out(svc.activity_add(actor=request.auth, plan=pl, **data)))


@router.patch("/activities/{activity_id}", response=dict)
def activity_patch(request, activity_id: UUID, payload: ActivityPatch):
    a = _editable(request, sel.activity_get_for_user, activity_id)
    version, data = _changes(payload)
    if "responsible_ids" in data:
        data["responsible_ids"] = _ids(data["responsible_ids"]) or []
    svc.activity_update(actor=request.auth, activity=a, expected_version=version, **data)
    return _activity_out(a)


@router.put("/activities/{activity_id}/years/{year}", response=dict)
def activity_year(request, activity_id: UUID, year: int, payload: ActivityYearIn):
    a = _editable(request, sel.activity_get_for_user, activity_id)
    svc.activity_year_set(
        actor=request.auth,
        activity=a,
        year=year,
        target=payload.target,
        realisation=payload.realisation,
        note=payload.note,
        expected_version=payload.version,
    )
    return _activity_out(a)


# ---------------------------------------------------------------------------------------------
# budgets


class BudgetIn(Schema):
    region_code: str
    year: int
    source: str
    programme: str
    allocated: Decimal
    realised: Decimal | None = None
    agency_id: UUID | None = None
    note: str = ""


class BudgetPatch(Schema):
    version: int
    year: int | None = None
    source: str | None = None
    programme: str | None = None
    allocated: Decimal | None = None
    realised: Decimal | None = None
    agency_id: UUID | None = None
    note: str | None = None


class VersionIn(Schema):
    version: int


def _budget_out(b) -> dict:
    return {
        "id": str(b.pk),
        "region_code": b.region_id,
        "year": b.year,
        "source": _short(b.source_id),
        "programme": _short(b.programme_id),
        "agency_id": _id(b.agency_id),
        "allocated": str(b.allocated),
        "realised": None if b.realised is None else str(b.realised),
        "note": b.note,
        "version": b.version,
    }


@router.get("/budgets", response=PageOut)
def budgets_list(
    request,
    region: str | None = None,
    year: int | None = None,
    programme: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    require_view(request.auth)
    qs = sel.budgets_visible_to(request.auth).order_by("region_id", "-year", "programme_id", "source_id", "id")
    qs = _filtered(qs, region_id=region, year=year, programme_id=_key("budget_programme", programme))
    return _page(qs, limit, offset, _budget_out)


@router.post("/budgets", response={201: dict})
def budget_create(request, payload: BudgetIn):
    return _created(request, svc.budget_create, payload.model_dump(), _budget_out, "agency_id")


@router.get("/budgets/{budget_id}", response=dict)
def budget_get(request, budget_id: UUID):
    return _budget_out(sel.budget_get_for_user(request.auth, budget_id))


@router.patch("/budgets/{budget_id}", response=dict)
def budget_patch(request, budget_id: UUID, payload: BudgetPatch):
    return _patch(
        request, sel.budget_get_for_user, budget_id, payload, svc.budget_update, "budget", _budget_out, "agency_id"
    )


@router.delete("/budgets/{budget_id}", response={204: None})
def budget_delete(request, budget_id: UUID, version: int):
    b = _editable(request, sel.budget_get_for_user, budget_id)
    svc.budget_delete(actor=request.auth, budget=b, expected_version=version)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# service units and staff


class UnitProfileIn(Schema):
    version: int | None = Field(None, description="required when the unit already has a profile")
    beds: int | None = None
    beds_children: int | None = None
    counselling_room: bool = False
    medical_room: bool = False
    child_friendly_room: bool = False
    disability_access: bool = False
    open_24h: bool = False
    vehicle: bool = False
    facilities_note: str = ""
    as_of: dt.date | None = None


class StaffIn(Schema):
    year: int
    function: str
    total: int
    trained: int
    version: int | None = Field(None, description="required when the row already exists")


def _unit_out(u) -> dict:
    profile = UnitProfile.objects.filter(organisation=u).first()
    staff = StaffCount.objects.filter(unit=u).order_by("-year", "function_id")
    return {
        "id": str(u.pk),
        "name": u.name,
        "type": u.type_code,
        "region_code": u.region_id,
        "is_shelter": u.is_shelter,
        "beds": sel.unit_beds([u]).get(u.pk),
        "profile": None
        if profile is None
        else {
            "beds": profile.beds,
            "beds_children": profile.beds_children,
            **{
                f: getattr(profile, f)
                for f in [
                    "counselling_room",
                    "medical_room",
                    "child_friendly_room",
                    "disability_access",
                    "open_24h",
                    "vehicle",
                ]
            },
            "facilities_note": profile.facilities_note,
            "as_of": profile.as_of.isoformat(),
            "version": profile.version,
        },
        "staff": [
            {
                "year": s.year,
                "function": _short(s.function_id),
                "total": s.total,
                "trained": s.trained,
                "version": s.version,
            }
            for s in staff
        ],
    }


@router.get("/units", response=PageOut)
def units_list(request, region: str | None = None, shelters: bool = False, limit: int = 50, offset: int = 0):
    require_view(request.auth)
    qs = sel.units_visible_to(request.auth).order_by("region_id", "name")
    if region:
        qs = qs.filter(sel.subtree_q("region__code", region))
    if shelters:
        qs = qs.filter(org_type_id__in=sel.SHELTER_TYPE_KEYS)
    return _page(qs, limit, offset, _unit_out)


@router.get("/units/{unit_id}", response=dict)
def unit_get(request, unit_id: UUID):
    return _unit_out(sel.unit_get_for_user(request.auth, unit_id))


@router.put("/units/{unit_id}/profile", response=dict)
def unit_profile_put(request, unit_id: UUID, payload: UnitProfileIn):
    u = _editable(request, sel.unit_get_for_user, unit_id)
    data = payload.model_dump()
    version = data.pop("version")
    svc.unit_profile_save(actor=request.auth, organisation=u, expected_version=version, **data)
    return _unit_out(u)


@router.put("/units/{unit_id}/staff", response=dict)
def unit_staff_put(request, unit_id: UUID, payload: StaffIn):
    u = _editable(request, sel.unit_get_for_user, unit_id)
    data = payload.model_dump()
    version = data.pop("version")
    svc.staff_count_set(actor=request.auth, organisation=u, expected_version=version, **data)
    return _unit_out(u)


# ---------------------------------------------------------------------------------------------
# trainings


class ParticipantIn(Schema):
    agency_type: str
    organisation_id: UUID | None = None
    female: int = 0
    male: int = 0


class TrainingIn(Schema):
    region_code: str
    title: str
    topic: str
    start_date: dt.date
    end_date: dt.date | None = None
    organiser_id: UUID | None = None
    organiser_name: str = ""
    note: str = ""
    participants: list[ParticipantIn] = []


class TrainingPatch(Schema):
    version: int
    title: str | None = None
    topic: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    organiser_id: UUID | None = None
    organiser_name: str | None = None
    note: str | None = None
    participants: list[ParticipantIn] | None = None


def _training_out(t) -> dict:
    parts = list(t.participants.all())
    return {
        "id": str(t.pk),
        "region_code": t.region_id,
        "title": t.title,
        "topic": _short(t.topic_id),
        "start_date": t.start_date.isoformat(),
        "end_date": t.end_date.isoformat() if t.end_date else None,
        "organiser_id": _id(t.organiser_id),
        "organiser_name": t.organiser_name,
        "note": t.note,
        "version": t.version,
        "participants": [
            {
                "agency_type": _short(p.agency_type_id),
                "organisation_id": _id(p.organisation_id),
                "female": p.female,
                "male": p.male,
            }
            for p in parts
        ],
        "participants_total": {"female": sum(p.female for p in parts), "male": sum(p.male for p in parts)},
    }


def _participants(rows):
    if rows is None:
        return None
    return [dict(r, organisation_id=_id(r.get("organisation_id"))) for r in rows]


@router.get("/trainings", response=PageOut)
def trainings_list(
    request,
    region: str | None = None,
    year: int | None = None,
    topic: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    require_view(request.auth)
    qs = sel.trainings_visible_to(request.auth).order_by("-start_date", "id")
    qs = _filtered(qs, region=region, year=year, year_field="start_date", topic_id=_key("training_topic", topic))
    return _page(qs.prefetch_related("participants"), limit, offset, _training_out)


@router.post("/trainings", response={201: dict})
def training_create(request, payload: TrainingIn):
    data = payload.model_dump()
    data["participants"] = _participants(data["participants"])
    return _created(request, svc.training_create, data, _training_out, "organiser_id")


@router.get("/trainings/{training_id}", response=dict)
def training_get(request, training_id: UUID):
    return _training_out(sel.training_get_for_user(request.auth, training_id))


@router.patch("/trainings/{training_id}", response=dict)
def training_patch(request, training_id: UUID, payload: TrainingPatch):
    t = _editable(request, sel.training_get_for_user, training_id)
    version, data = _changes(payload)
    _ids_to_text(data, "organiser_id")
    if "participants" in data:
        data["participants"] = _participants(data["participants"])
    svc.training_update(actor=request.auth, training=t, expected_version=version, **data)
    return _training_out(t)


# ---------------------------------------------------------------------------------------------
# regulations


class RegulationIn(Schema):
    region_code: str
    reg_type: str
    number: str
    year: int
    title: str
    status: str = "enacted"
    note: str = ""


class RegulationPatch(Schema):
    version: int
    reg_type: str | None = None
    number: str | None = None
    year: int | None = None
    title: str | None = None
    status: str | None = None
    note: str | None = None


def _regulation_out(g) -> dict:
    return {
        "id": str(g.pk),
        "region_code": g.region_id,
        "reg_type": _short(g.reg_type_id),
        "number": g.number,
        "year": g.year,
        "title": g.title,
        "status": g.status,
        "note": g.note,
        "version": g.version,
    }


@router.get("/regulations", response=PageOut)
def regulations_list(request, region: str | None = None, limit: int = 50, offset: int = 0):
    require_view(request.auth)
    qs = _filtered(sel.regulations_visible_to(request.auth).order_by("region_id", "-year", "number"), region=region)
    return _page(qs, limit, offset, _regulation_out)


@router.post("/regulations", response={201: dict})
def regulation_create(request, payload: RegulationIn):
    return _created(request, svc.regulation_create, payload.model_dump(), _regulation_out)


@router.get("/regulations/{reg_id}", response=dict)
def regulation_get(request, reg_id: UUID):
    return _regulation_out(sel.regulation_get_for_user(request.auth, reg_id))


@router.patch("/regulations/{reg_id}", response=dict)
def regulation_patch(request, reg_id: UUID, payload: RegulationPatch):
    return _patch(
        request, sel.regulation_get_for_user, reg_id, payload, svc.regulation_update, "regulation", _regulation_out
    )


# ---------------------------------------------------------------------------------------------
# prevention activities


class PreventionIn(Schema):
    region_code: str
    date: dt.date
    kind: str
    title: str
    audience: str
    audience_note: str = ""
    organiser_id: UUID | None = None
    organiser_name: str = ""
    female_0_17: int = 0
    female_18_24: int = 0
    female_25_59: int = 0
    female_60: int = 0
    male_0_17: int = 0
    male_18_24: int = 0
    male_25_59: int = 0
    male_60: int = 0
    media_audience: int | None = None
    note: str = ""


class PreventionPatch(Schema):
    version: int
    date: dt.date | None = None
    kind: str | None = None
    title: str | None = None
    audience: str | None = None
    audience_note: str | None = None
    organiser_id: UUID | None = None
    organiser_name: str | None = None
    female_0_17: int | None = None
    female_18_24: int | None = None
    female_25_59: int | None = None
    female_60: int | None = None
    male_0_17: int | None = None
    male_18_24: int | None = None
    male_25_59: int | None = None
    male_60: int | None = None
    media_audience: int | None = None
    note: str | None = None


def _prevention_out(a) -> dict:
    return {
        "id": str(a.pk),
        "region_code": a.region_id,
        "date": a.date.isoformat(),
        "kind": _short(a.kind_id),
        "title": a.title,
        "audience": a.audience,
        "audience_note": a.audience_note,
        "organiser_id": _id(a.organiser_id),
        "organiser_name": a.organiser_name,
        "reached": {f: getattr(a, f) for f in REACH_FIELDS},
        "reached_total": a.reached_total,
        "media_audience": a.media_audience,
        "note": a.note,
        "version": a.version,
    }


@router.get("/prevention", response=PageOut)
def prevention_list(
    request,
    region: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    require_view(request.auth)
    qs = sel.prevention_visible_to(request.auth).order_by("-date", "id")
    qs = _filtered(qs, region=region, year=year, year_field="date", kind_id=_key("prevention_kind", kind))
    return _page(qs, limit, offset, _prevention_out)


@router.post("/prevention", response={201: dict})
def prevention_create(request, payload: PreventionIn):
    return _created(request, svc.prevention_create, payload.model_dump(), _prevention_out, "organiser_id")


@router.get("/prevention/{activity_id}", response=dict)
def prevention_get(request, activity_id: UUID):
    return _prevention_out(sel.prevention_get_for_user(request.auth, activity_id))


@router.patch("/prevention/{activity_id}", response=dict)
def prevention_patch(request, activity_id: UUID, payload: PreventionPatch):
    get, update = sel.prevention_get_for_user, svc.prevention_update
    return _patch(request, get, activity_id, payload, update, "activity", _prevention_out, "organiser_id")


# ---------------------------------------------------------------------------------------------
# best practices


class PracticeIn(Schema):
    region_code: str
    title: str
    what: str
    evidence: str
    organisation_id: UUID | None = None
    who: str = ""
    evidence_url: str = ""
    started_year: int | None = None


class PracticePatch(Schema):
    version: int
    title: str | None = None
    what: str | None = None
    evidence: str | None = None
    organisation_id: UUID | None = None
    who: str | None = None
    evidence_url: str | None = None
    started_year: int | None = None


class ReplicationIn(Schema):
    region_code: str
    year: int
    organisation_id: UUID | None = None
    note: str = ""


def _practice_out(b) -> dict:
    return {
        "id": str(b.pk),
        "region_code": b.region_id,
        "title": b.title,
        "what": b.what,
        "organisation_id": _id(b.organisation_id),
        "who": b.who,
        "evidence": b.evidence,
        "evidence_url": b.evidence_url,
        "started_year": b.started_year,
        "version": b.version,
        "replications": [
            {
                "region_code": r.region_id,
                "year": r.year,
                "note": r.note,
                "organisation_id": _id(r.organisation_id),
            }
            for r in b.replications.all()
        ],
    }


@router.get("/practices", response=PageOut)
def practices_list(request, region: str | None = None, limit: int = 50, offset: int = 0):
    require_view(request.auth)
    qs = sel.practices_visible_to(request.auth).prefetch_related("replications").order_by("title", "id")
    if region:
        qs = qs.filter(
            sel.subtree_q("region__code", region) | sel.subtree_q("replications__region__code", region)
        ).distinct()
    return _page(qs, limit, offset, _practice_out)


@router.post("/practices", response={201: dict})
def practice_create(request, payload: PracticeIn):
    return _created(request, svc.practice_create, payload.model_dump(), _practice_out, "organisation_id")


@router.get("/practices/{practice_id}", response=dict)
def practice_get(request, practice_id: UUID):
    return _practice_out(sel.practice_get_for_user(request.auth, practice_id))


@router.patch("/practices/{practice_id}", response=dict)
def practice_patch(request, practice_id: UUID, payload: PracticePatch):
    get, update = sel.practice_get_for_user, svc.practice_update
    return _patch(request, get, practice_id, payload, update, "practice", _practice_out, "organisation_id")


@router.post("/practices/{practice_id}/replications", response={201: dict})
def practice_replicate(request, practice_id: UUID, payload: ReplicationIn):
    b = sel.practice_get_for_user(request.auth, practice_id)
    svc.replication_add(
        actor=request.auth,
        practice=b,
        region_code=payload.region_code,
        year=payload.year,
        organisation_id=_id(payload.organisation_id),
        note=payload.note,
    )
    return Status(201, _practice_out(b))
