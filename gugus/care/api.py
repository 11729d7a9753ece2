"""API of the care app (mounted at /api/v1/). Thin: parse → selector/service → serialise.

Out of scope and missing answer 404 alike; bad meaning answers 422 `{"detail", "errors"}`; a
stale `version` answers 409. Lists page with `limit` (≤ 200) and `offset`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from gugus.accounts.scope import scope_for
from gugus.reference.models import Region

from . import aggregates, selectors, services
from .models import FollowUpVisit, LegalCase, LegalEvent, ReintegrationPlan, RepatriationLeg, Restitution, ShelterStay

router = Router(tags=["care"])
MAX_LIMIT = 200


class Paging(Schema):
    limit: int = 50
    offset: int = 0


def _page(qs, paging: Paging, fn) -> dict:
    limit = max(1, min(paging.limit, MAX_LIMIT))
    offset = max(0, paging.offset)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [fn(x) for x in qs[offset : offset + limit]],
    }


def _require_any(request, *perms: str) -> None:
    """Lists answer 404 to a user whose role has none of `perms` (as a single record would)."""
    scope = scope_for(request.user)
    if not any(scope.has(p) for p in perms):
        raise Http404


def _changes(body) -> tuple[int | None, dict]:
    """The fields the client sent, and the version it read (popped: it goes as `expected_version`)."""
    changes = body.dict(exclude_unset=True)
    return changes.pop("version", None), changes


def _code(key: str | None) -> str | None:
    return key.split(".", 1)[1] if key else None


def _org(org) -> dict | None:
    if org is None:
        return None
    return {"id": org.pk, "name": org.name, "type": org.type_code}


def _money(v) -> str | None:
    return None if v is None else f"{v:.2f}"


# ---------------------------------------------------------------- schemas


class OrgRef(Schema):
    id: UUID
    name: str
    type: str


class ServiceOut(Schema):
    id: UUID
    case_id: UUID
    service_type: str
    service_type_label: str
    provider_org: OrgRef
    status: str
    requested_on: dt.date
    started_on: dt.date | None
    completed_on: dt.date | None
    outcome: str
    cost: str | None
    funding_source: str | None
    payer_org: OrgRef | None
    bpjs_claim_refused: bool
    alt_funding_source: str | None
    alt_payer_org: OrgRef | None
    unfunded: bool
    warnings: list[str]
    shelter_stay: bool
    version: int


class ServiceIn(Schema):
    service_type: str
    provider_org: UUID
    requested_on: dt.date
    status: str = "requested"
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    outcome: str = ""
    cost: Decimal | None = None
    funding_source: str | None = None
    payer_org: UUID | None = None
    bpjs_claim_refused: bool = False
    alt_funding_source: str | None = None
    alt_payer_org: UUID | None = None


class ServicePatch(Schema):
    version: int
    service_type: str | None = None
    provider_org: UUID | None = None
    requested_on: dt.date | None = None
    status: str | None = None
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    outcome: str | None = None
    cost: Decimal | None = None
    funding_source: str | None = None
    payer_org: UUID | None = None
    bpjs_claim_refused: bool | None = None
    alt_funding_source: str | None = None
    alt_payer_org: UUID | None = None


def service_out(s) -> dict:
    return {
        "id": s.pk,
        "case_id": s.case_id,
        "service_type": s.type_code,
        "service_type_label": s.service_type.label,
        "provider_org": _org(s.provider_org),
        "status": s.status,
        "requested_on": s.requested_on,
        "started_on": s.started_on,
        "completed_on": s.completed_on,
        "outcome": s.outcome,
        "cost": _money(s.cost),
        "funding_source": _code(s.funding_source_id),
        "payer_org": _org(s.payer_org),
        "bpjs_claim_refused": s.bpjs_claim_refused,
        "alt_funding_source": _code(s.alt_funding_source_id),
        "alt_payer_org": _org(s.alt_payer_org),
        "unfunded": s.unfunded,
        "warnings": s.warnings,
        "shelter_stay": hasattr(s, "shelter_stay"),
        "version": s.version,
    }


class Page(Schema):
    count: int
    limit: int
    offset: int


class ServicePage(Page):
    items: list[ServiceOut]


# ---------------------------------------------------------------- services


@router.get("/cases/{case_id}/services", response=ServicePage, summary="Layanan pada kasus")
def list_case_services(request, case_id: UUID, paging: Query[Paging]):
    case = selectors.case_for(request.user, case_id, "service.view")
    return _page(selectors.services_for_case(request.user, case), paging, service_out)


@router.post("/cases/{case_id}/services", response={201: ServiceOut}, summary="Catat layanan")
def create_service(request, case_id: UUID, body: ServiceIn):
    case = selectors.case_for(request.user, case_id, "service.edit")
    s = services.service_create(actor=request.user, case=case, **body.dict())
    return Status(201, service_out(selectors.service_get_for_user(request.user, s.pk)))


@router.get("/services/{service_id}", response=ServiceOut, summary="Satu layanan")
def get_service(request, service_id: UUID):
    return service_out(selectors.service_get_for_user(request.user, service_id))


@router.patch("/services/{service_id}", response=ServiceOut, summary="Ubah layanan (dengan versi)")
def patch_service(request, service_id: UUID, body: ServicePatch):
    s = selectors.service_get_for_user(request.user, service_id)
    version, changes = _changes(body)
    services.service_update(actor=request.user, service=s, expected_version=version, **changes)
    return service_out(selectors.service_get_for_user(request.user, service_id))


# ---------------------------------------------------------------- shelters


class ShelterOut(Schema):
    id: UUID
    name: str
    type: str
    region: str
    capacity: int | None
    occupied: int
    free: int | None
    over_capacity: bool


def shelter_out(o) -> dict:
    free = None if o.capacity is None else o.capacity - o.occupied
    return {
        "id": o.pk,
        "name": o.name,
        "type": o.type_code,
        "region": o.region_id,
        "capacity": o.capacity,
        "occupied": o.occupied,
        "free": free,
        "over_capacity": free is not None and free < 0,
    }


class ShelterPage(Page):
    items: list[ShelterOut]


class ShelterFilter(Paging):
    region: str | None = None


@router.get("/shelters", response=ShelterPage, summary="Rumah aman/shelter: keterisian (tanpa lokasi)")
def list_shelters(request, f: Query[ShelterFilter]):
    _require_any(request, "service.view", "aggregate.view")
    qs = selectors.shelters_visible_to(request.user)
    if f.region:
        from .rules import region_q

        qs = qs.filter(region_q("region", f.region))
    return _page(qs, f, shelter_out)


@router.get("/shelters/{shelter_id}", response=ShelterOut, summary="Satu rumah aman/shelter (tanpa lokasi)")
def get_shelter(request, shelter_id: UUID):
    return shelter_out(selectors.shelter_get_for_user(request.user, shelter_id))


class LocationOut(Schema):
    shelter_id: UUID
    location: str


@router.get(
    "/shelters/{shelter_id}/location",
    response=LocationOut,
    summary="Lokasi rahasia rumah aman (setingkat identitas; diaudit)",
)
def get_shelter_location(request, shelter_id: UUID):
    return {"shelter_id": shelter_id, "location": selectors.shelter_location_for_user(request.user, shelter_id)}


class StayOut(Schema):
    id: UUID
    case_id: UUID
    shelter: OrgRef
    admitted_on: dt.date
    discharged_on: dt.date | None
    over_capacity: bool
    over_capacity_reason: str
    discharge_reason: str
    service_id: UUID | None
    version: int


def stay_out(s: ShelterStay) -> dict:
    return {
        "id": s.pk,
        "case_id": s.case_id,
        "shelter": _org(s.shelter),
        "admitted_on": s.admitted_on,
        "discharged_on": s.discharged_on,
        "over_capacity": s.over_capacity,
        "over_capacity_reason": s.over_capacity_reason,
        "discharge_reason": s.discharge_reason,
        "service_id": s.service_id,
        "version": s.version,
    }


class StayPage(Page):
    items: list[StayOut]


class StayIn(Schema):
    shelter: UUID
    admitted_on: dt.date
    over_capacity_reason: str = ""
    cost: Decimal | None = None
    funding_source: str | None = None


class DischargeIn(Schema):
    discharged_on: dt.date
    reason: str = ""
    version: int | None = None


@router.get("/cases/{case_id}/shelter-stays", response=StayPage, summary="Masa tinggal di rumah aman")
def list_stays(request, case_id: UUID, paging: Query[Paging]):
    case = selectors.case_for(request.user, case_id, "service.view")
    return _page(selectors.stays_for_case(request.user, case), paging, stay_out)


@router.post("/cases/{case_id}/shelter-stays", response={201: StayOut}, summary="Terima korban di rumah aman")
def admit(request, case_id: UUID, body: StayIn):
    case = selectors.case_for(request.user, case_id, "service.edit")
    stay = services.shelter_admit(actor=request.user, case=case, **body.dict())
    return Status(201, stay_out(stay))


@router.post("/shelter-stays/{stay_id}/discharge", response=StayOut, summary="Catat korban keluar")
def discharge(request, stay_id: UUID, body: DischargeIn):
    stay = selectors.stay_get_for_user(request.user, stay_id)
    services.shelter_discharge(
        actor=request.user,
        stay=stay,
        discharged_on=body.discharged_on,
        reason=body.reason,
        expected_version=body.version,
    )
    return stay_out(selectors.stay_get_for_user(request.user, stay_id))


# ---------------------------------------------------------------- repatriation


class LegOut(Schema):
    id: UUID
    case_id: UUID
    leg_type: str
    leg_type_label: str
    responsible_org: OrgRef
    from_region: str | None
    from_country: str | None
    to_region: str | None
    to_country: str | None
    status: str
    planned_on: dt.date | None
    departed_on: dt.date | None
    arrived_on: dt.date | None
    cost: str | None
    funding_source: str | None
    funder_org: OrgRef | None
    medical_condition: bool
    escort_required: bool
    escorted: bool
    escort_org: OrgRef | None
    note: str
    version: int


def leg_out(g: RepatriationLeg) -> dict:
    return {
        "id": g.pk,
        "case_id": g.case_id,
        "leg_type": g.type_code,
        "leg_type_label": g.leg_type.label,
        "responsible_org": _org(g.responsible_org),
        "from_region": g.from_region_id,
        "from_country": g.from_country_id,
        "to_region": g.to_region_id,
        "to_country": g.to_country_id,
        "status": g.status,
        "planned_on": g.planned_on,
        "departed_on": g.departed_on,
        "arrived_on": g.arrived_on,
        "cost": _money(g.cost),
        "funding_source": _code(g.funding_source_id),
        "funder_org": _org(g.funder_org),
        "medical_condition": g.medical_condition,
        "escort_required": g.escort_required,
        "escorted": g.escorted,
        "escort_org": _org(g.escort_org),
        "note": g.note,
        "version": g.version,
    }


class LegPage(Page):
    items: list[LegOut]


class LegIn(Schema):
    leg_type: str
    responsible_org: UUID
    from_region: str | None = None
    from_country: str | None = None
    to_region: str | None = None
    to_country: str | None = None
    status: str = "planned"
    planned_on: dt.date | None = None
    departed_on: dt.date | None = None
    arrived_on: dt.date | None = None
    cost: Decimal | None = None
    funding_source: str | None = None
    funder_org: UUID | None = None
    medical_condition: bool = False
    escorted: bool = False
    escort_org: UUID | None = None
    note: str = ""


class LegPatch(Schema):
    version: int
    leg_type: str | None = None
    responsible_org: UUID | None = None
    from_region: str | None = None
    from_country: str | None = None
    to_region: str | None = None
    to_country: str | None = None
    status: str | None = None
    planned_on: dt.date | None = None
    departed_on: dt.date | None = None
    arrived_on: dt.date | None = None
    cost: Decimal | None = None
    funding_source: str | None = None
    funder_org: UUID | None = None
    medical_condition: bool | None = None
    escorted: bool | None = None
    escort_org: UUID | None = None
    note: str | None = None


@router.get("/cases/{case_id}/repatriation", response=LegPage, summary="Tahap pemulangan kasus")
def list_legs(request, case_id: UUID, paging: Query[Paging]):
    case = selectors.case_for(request.user, case_id, "service.view")
    return _page(selectors.legs_for_case(request.user, case), paging, leg_out)


@router.post("/cases/{case_id}/repatriation", response={201: LegOut}, summary="Catat tahap pemulangan")
def create_leg(request, case_id: UUID, body: LegIn):
    case = selectors.case_for(request.user, case_id, "service.edit")
    leg = services.repatriation_leg_create(actor=request.user, case=case, **body.dict())
    return Status(201, leg_out(selectors.leg_get_for_user(request.user, leg.pk)))


@router.get("/repatriation-legs/{leg_id}", response=LegOut, summary="Satu tahap pemulangan")
def get_leg(request, leg_id: UUID):
    return leg_out(selectors.leg_get_for_user(request.user, leg_id))


@router.patch("/repatriation-legs/{leg_id}", response=LegOut, summary="Ubah tahap pemulangan (dengan versi)")
def patch_leg(request, leg_id: UUID, body: LegPatch):
    leg = selectors.leg_get_for_user(request.user, leg_id)
    version, changes = _changes(body)
    services.repatriation_leg_update(actor=request.user, leg=leg, expected_version=version, **changes)
    return leg_out(selectors.leg_get_for_user(request.user, leg_id))


# ---------------------------------------------------------------- reintegration


class FollowUpOut(Schema):
    id: UUID
    case_id: UUID
    plan_id: UUID
    responsible_org: OrgRef
    month: int
    due_on: dt.date
    visited_on: dt.date | None
    outcome: str
    note: str
    overdue: bool
    version: int


def followup_out(v: FollowUpVisit) -> dict:
    today = timezone.localdate()
    return {
        "id": v.pk,
        "case_id": v.case_id,
        "plan_id": v.plan_id,
        "responsible_org": _org(v.plan.responsible_org),
        "month": v.month,
        "due_on": v.due_on,
        "visited_on": v.visited_on,
        "outcome": v.outcome,
        "note": v.note,
        "overdue": v.visited_on is None and v.due_on < today and v.plan.status == "active",
        "version": v.version,
    }


class PlanOut(Schema):
    id: UUID
    case_id: UUID
    responsible_org: OrgRef
    return_on: dt.date
    destination_region: str | None
    arrangement: str
    goals: str
    status: str
    version: int
    followups: list[FollowUpOut]


def plan_out(p: ReintegrationPlan) -> dict:
    visits = p.visits.select_related("plan", "plan__responsible_org").order_by("month")
    return {
        "id": p.pk,
        "case_id": p.case_id,
        "responsible_org": _org(p.responsible_org),
        "return_on": p.return_on,
        "destination_region": p.destination_region_id,
        "arrangement": p.arrangement,
        "goals": p.goals,
        "status": p.status,
        "version": p.version,
        "followups": [followup_out(v) for v in visits],
    }


class ReintegrationPlanIn(Schema):
    responsible_org: UUID
    return_on: dt.date
    destination_region: str | None = None
    arrangement: str = "family"
    goals: str = ""


class ReintegrationPlanPatch(Schema):
    version: int
    responsible_org: UUID | None = None
    return_on: dt.date | None = None
    destination_region: str | None = None
    arrangement: str | None = None
    goals: str | None = None
    status: str | None = None


@router.get("/cases/{case_id}/reintegration", response=PlanOut, summary="Rencana reintegrasi dan tindak lanjut")
def get_plan(request, case_id: UUID):
    case = selectors.case_for(request.user, case_id, "service.view")
    plan = selectors.plan_for_case(request.user, case)
    if plan is None:
        raise Http404
    return plan_out(plan)


@router.post("/cases/{case_id}/reintegration", response={201: PlanOut}, summary="Buat rencana reintegrasi")
def create_plan(request, case_id: UUID, body: ReintegrationPlanIn):
    case = selectors.case_for(request.user, case_id, "service.edit")
    plan = services.reintegration_plan_create(actor=request.user, case=case, **body.dict())
    return Status(201, plan_out(plan))


@router.patch("/cases/{case_id}/reintegration", response=PlanOut, summary="Ubah rencana reintegrasi")
def patch_plan(request, case_id: UUID, body: ReintegrationPlanPatch):
    case = selectors.case_for(request.user, case_id, "service.view")
    plan = selectors.plan_for_case(request.user, case)
    if plan is None:
        raise Http404
    version, changes = _changes(body)
    services.reintegration_plan_update(actor=request.user, plan=plan, expected_version=version, **changes)
    return plan_out(ReintegrationPlan.objects.get(pk=plan.pk))


class FollowUpPage(Page):
    items: list[FollowUpOut]


class FollowUpFilter(Paging):
    overdue: bool = False
    mine: bool = True


@router.get("/followups", response=FollowUpPage, summary="Kunjungan tindak lanjut (yang terlambat: overdue=true)")
def list_followups(request, f: Query[FollowUpFilter]):
    _require_any(request, "service.view")
    qs = selectors.followups_for_org(request.user, only_mine=f.mine, overdue=f.overdue)
    return _page(qs, f, followup_out)


@router.get("/followups/overdue", response=FollowUpPage, summary="Kunjungan tindak lanjut yang terlambat")
def list_followups_overdue(request, f: Query[FollowUpFilter]):
    _require_any(request, "service.view")
    qs = selectors.followups_for_org(request.user, only_mine=f.mine, overdue=True)
    return _page(qs, f, followup_out)


class VisitIn(Schema):
    visited_on: dt.date
    outcome: str
    note: str = ""
    version: int | None = None


@router.post("/followups/{visit_id}/visit", response=FollowUpOut, summary="Catat hasil kunjungan")
def record_visit(request, visit_id: UUID, body: VisitIn):
    visit = selectors.followup_get_for_user(request.user, visit_id)
    services.followup_record(
        actor=request.user,
        visit=visit,
        visited_on=body.visited_on,
        outcome=body.outcome,
        note=body.note,
        expected_version=body.version,
    )
    return followup_out(selectors.followup_get_for_user(request.user, visit_id))


# ---------------------------------------------------------------- rights


class RightOut(Schema):
    right: str
    label: str
    legal_basis: str
    status: str
    source: str
    applied_on: dt.date | None
    due_on: dt.date | None
    fulfilled_on: dt.date | None
    overdue: bool
    late: bool
    evidence: str
    manual_status: str
    manual_reason: str
    version: int | None


def right_out(r) -> dict:
    return {
        "right": r.code,
        "label": r.label,
        "legal_basis": r.legal_basis,
        "status": r.status,
        "source": r.source,
        "applied_on": r.applied_on,
        "due_on": r.due_on,
        "fulfilled_on": r.fulfilled_on,
        "overdue": r.overdue(),
        "late": r.late(),
        "evidence": r.evidence,
        "manual_status": r.manual_status,
        "manual_reason": r.manual_reason,
        "version": r.version,
    }


class RightIn(Schema):
    status: str = ""
    reason: str = ""
    applied_on: dt.date | None = None
    fulfilled_on: dt.date | None = None
    version: int | None = None


@router.get("/cases/{case_id}/rights", response=list[RightOut], summary="Daftar periksa hak korban")
def list_rights(request, case_id: UUID):
    case = selectors.case_for(request.user, case_id, "victim.view")
    return [right_out(r) for r in selectors.rights_for_case(request.user, case)]


@router.put("/cases/{case_id}/rights/{right}", response=RightOut, summary="Tetapkan status hak (dengan alasan)")
def set_right(request, case_id: UUID, right: str, body: RightIn):
    case = selectors.case_for(request.user, case_id, "victim.view")
    if not selectors.can_edit_rights(request.user, case):
        raise Http404
    services.right_set(
        actor=request.user,
        case=case,
        right=right,
        status=body.status,
        reason=body.reason,
        applied_on=body.applied_on,
        fulfilled_on=body.fulfilled_on,
        expected_version=body.version,
    )
    for r in selectors.rights_for_case(request.user, case):
        if r.code == right:
            return right_out(r)
    raise Http404


# ---------------------------------------------------------------- legal


class LegalEventOut(Schema):
    id: UUID
    stage: str
    stage_label: str
    date: dt.date
    organisation: OrgRef | None
    reference_number: str
    articles: list[str]
    verdict: str
    sentence_months: int | None
    fine: str | None
    suspects: list[UUID]
    note: str


def legal_event_out(ev: LegalEvent) -> dict:
    return {
        "id": ev.pk,
        "stage": ev.stage_code,
        "stage_label": ev.stage.label,
        "date": ev.date,
        "organisation": _org(ev.organisation),
        "reference_number": ev.reference_number,
        "articles": [a for a in ev.articles.split(", ") if a],
        "verdict": ev.verdict,
        "sentence_months": ev.sentence_months,
        "fine": _money(ev.fine),
        "suspects": [p.pk for p in ev.suspects.all()],
        "note": ev.note,
    }


class LegalOut(Schema):
    case_id: UUID
    id: UUID | None
    police_report_number: str
    police_report_date: dt.date | None
    police_unit: OrgRef | None
    prosecutor_org: OrgRef | None
    court_org: OrgRef | None
    stage: str | None
    stage_date: dt.date | None
    lpsk_protection: str
    lpsk_applied_on: dt.date | None
    lpsk_decided_on: dt.date | None
    version: int | None
    events: list[LegalEventOut]


def legal_out(case, legal: LegalCase | None, events) -> dict:
    return {
        "case_id": case.pk,
        "id": legal.pk if legal else None,
        "police_report_number": legal.police_report_number if legal else "",
        "police_report_date": legal.police_report_date if legal else None,
        "police_unit": _org(legal.police_unit) if legal else None,
        "prosecutor_org": _org(legal.prosecutor_org) if legal else None,
        "court_org": _org(legal.court_org) if legal else None,
        "stage": _code(legal.stage_id) if legal else None,
        "stage_date": legal.stage_date if legal else None,
        "lpsk_protection": legal.lpsk_protection if legal else "none",
        "lpsk_applied_on": legal.lpsk_applied_on if legal else None,
        "lpsk_decided_on": legal.lpsk_decided_on if legal else None,
        "version": legal.version if legal else None,
        "events": [legal_event_out(e) for e in events],
    }


class LegalIn(Schema):
    version: int | None = None
    police_report_number: str | None = None
    police_report_date: dt.date | None = None
    police_unit: UUID | None = None
    prosecutor_org: UUID | None = None
    court_org: UUID | None = None
    lpsk_protection: str | None = None
    lpsk_applied_on: dt.date | None = None
    lpsk_decided_on: dt.date | None = None


class LegalEventIn(Schema):
    stage: str
    date: dt.date
    organisation: UUID | None = None
    reference_number: str = ""
    articles: str = ""
    verdict: str = ""
    sentence_months: int | None = None
    fine: Decimal | None = None
    suspects: list[UUID] = []
    note: str = ""


def _legal_response(request, case):
    legal = selectors.legal_for_case(request.user, case)
    return legal_out(case, legal, selectors.legal_events_for_case(request.user, case))


@router.get("/cases/{case_id}/legal", response=LegalOut, summary="Proses hukum kasus")
def get_legal(request, case_id: UUID):
    case = selectors.case_for(request.user, case_id, "legal.view")
    return _legal_response(request, case)


@router.put("/cases/{case_id}/legal", response=LegalOut, summary="Catat/ubah data perkara (penegak hukum)")
def put_legal(request, case_id: UUID, body: LegalIn):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    version, fields = _changes(body)
    services.legal_case_save(actor=request.user, case=case, expected_version=version, **fields)
    return _legal_response(request, case)


@router.post("/cases/{case_id}/legal/events", response={201: LegalEventOut}, summary="Tambah tahap perkara")
def add_legal_event(request, case_id: UUID, body: LegalEventIn):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    ev = services.legal_event_add(actor=request.user, case=case, **body.dict())
    return Status(201, legal_event_out(ev))


class PaymentOut(Schema):
    id: UUID
    paid_on: dt.date
    amount: str
    note: str


class RestitutionOut(Schema):
    case_id: UUID
    id: UUID | None
    status: str
    requested_on: dt.date | None
    requested_amount: str | None
    lpsk_assessed_on: dt.date | None
    lpsk_assessed_amount: str | None
    ordered_on: dt.date | None
    ordered_amount: str | None
    paid_amount: str
    outstanding: str | None
    deadline_on: dt.date | None
    overdue: bool
    version: int | None
    payments: list[PaymentOut]


def restitution_out(case, r: Restitution | None) -> dict:
    if r is None:
        return {
            "case_id": case.pk,
            "id": None,
            "status": "not_informed",
            "requested_on": None,
            "requested_amount": None,
            "lpsk_assessed_on": None,
            "lpsk_assessed_amount": None,
            "ordered_on": None,
            "ordered_amount": None,
            "paid_amount": "0.00",
            "outstanding": None,
            "deadline_on": None,
            "overdue": False,
            "version": None,
            "payments": [],
        }
    return {
        "case_id": case.pk,
        "id": r.pk,
        "status": _code(r.status_id),
        "requested_on": r.requested_on,
        "requested_amount": _money(r.requested_amount),
        "lpsk_assessed_on": r.lpsk_assessed_on,
        "lpsk_assessed_amount": _money(r.lpsk_assessed_amount),
        "ordered_on": r.ordered_on,
        "ordered_amount": _money(r.ordered_amount),
        "paid_amount": _money(r.paid_amount),
        "outstanding": _money(r.outstanding),
        "deadline_on": r.deadline_on,
        "overdue": r.is_overdue(timezone.localdate()),
        "version": r.version,
        "payments": [
            {"id": p.pk, "paid_on": p.paid_on, "amount": _money(p.amount), "note": p.note}
            for p in r.payments.order_by("paid_on", "created_at")
        ],
    }


class RestitutionIn(Schema):
    version: int | None = None
    status: str | None = None
    requested_on: dt.date | None = None
    requested_amount: Decimal | None = None
    lpsk_assessed_on: dt.date | None = None
    lpsk_assessed_amount: Decimal | None = None
    ordered_on: dt.date | None = None
    ordered_amount: Decimal | None = None


class PaymentIn(Schema):
    paid_on: dt.date
    amount: Decimal
    note: str = ""


@router.get("/cases/{case_id}/restitution", response=RestitutionOut, summary="Restitusi kasus")
def get_restitution(request, case_id: UUID):
    case = selectors.case_for(request.user, case_id, "legal.view")
    return restitution_out(case, selectors.restitution_for_case(request.user, case))


@router.put("/cases/{case_id}/restitution", response=RestitutionOut, summary="Catat/ubah restitusi (penegak hukum)")
def put_restitution(request, case_id: UUID, body: RestitutionIn):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    version, fields = _changes(body)
    services.restitution_save(actor=request.user, case=case, expected_version=version, **fields)
    return restitution_out(case, selectors.restitution_for_case(request.user, case))


@router.post(
    "/cases/{case_id}/restitution/payments", response={201: RestitutionOut}, summary="Catat pembayaran restitusi"
)
def add_payment(request, case_id: UUID, body: PaymentIn):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    services.restitution_payment_add(actor=request.user, case=case, **body.dict())
    return Status(201, restitution_out(case, selectors.restitution_for_case(request.user, case)))


class RestitutionListItem(Schema):
    case_id: UUID
    case_number: str
    status: str
    ordered_on: dt.date | None
    ordered_amount: str | None
    paid_amount: str
    outstanding: str | None
    deadline_on: dt.date | None


@router.get(
    "/restitution/overdue",
    response=list[RestitutionListItem],
    summary="Restitusi yang belum dibayar lebih dari 30 hari setelah putusan",
)
def list_restitution_overdue(request):
    _require_any(request, "legal.view")
    return [
        {
            "case_id": r.case_id,
            "case_number": r.case.case_number,
            "status": _code(r.status_id),
            "ordered_on": r.ordered_on,
            "ordered_amount": _money(r.ordered_amount),
            "paid_amount": _money(r.paid_amount),
            "outstanding": _money(r.outstanding),
            "deadline_on": r.deadline_on,
        }
        for r in selectors.restitutions_overdue(request.user)[:MAX_LIMIT]
    ]


# ---------------------------------------------------------------- aggregates


class SummaryFilter(Schema):
    region: str = "ID"
    year: int | None = None
    by: str = "region"


@router.get("/care/summary", summary="Ringkasan agregat layanan, hak dan proses hukum suatu wilayah")
def care_summary(request, f: Query[SummaryFilter]):
    scope = scope_for(request.user)
    if not scope.has("aggregate.view") or not Region.objects.filter(pk=f.region).exists():
        raise Http404
    year = f.year or timezone.localdate().year
    if not 2000 <= year <= 2100 or f.by not in ("region", "origin"):
        raise Http404
    out = aggregates.care_summary(f.region, dt.date(year, 1, 1), dt.date(year, 12, 31), by=f.by)
    return _jsonable(out)


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return v
