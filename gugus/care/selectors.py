"""Reads of care records, always with the user. A record out of scope and a missing record get
the same answer (Http404), and counts only ever cover what the user may see."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gugus.accounts.models import SHELTER_TYPES, Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.cases.models import Case
from gugus.cases.selectors import can_view_identity, case_get_for_user

from .access import ALL, OWN, READ, care_access, care_q, user_org_ids
from .models import (
    FollowUpVisit,
    LegalCase,
    LegalEvent,
    PlanStatus,
    ReintegrationPlan,
    RepatriationLeg,
    Restitution,
    ServiceRecord,
    ShelterStay,
)
from .rights import RightState, derive


def _uuid_or_404(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Http404


def _case_records(qs: QuerySet, user, case: Case, reach: str | None, *org_fields: str) -> QuerySet:
    """One case's records for a user whose reach over the case (`care_access`) is already known:
    the same rows as `care_q` — all of them for ALL/READ, the user's organisations' for OWN,
    none out of scope — without asking the database about the scope again."""
    if reach is None:
        return qs.none()
    qs = qs.filter(case=case)
    if reach == OWN:
        orgs = user_org_ids(user)
        mine = Q(pk__in=[])
        for f in org_fields:
            mine |= Q(**{f"{f}__in": orgs})
        qs = qs.filter(mine)
    return qs


def _access(user, case: Case, access):
    """`access(perm)` → reach: the caller's cached answers, or `care_access` asked afresh."""
    return access or (lambda perm: care_access(user, case, perm))


def _get(qs: QuerySet, pk, kind: str, user):
    obj = qs.filter(pk=_uuid_or_404(pk)).first()
    if obj is None:
        record("access_denied_or_missing", actor=user, object_type=kind, object_id=str(pk)[:64])
        raise Http404
    return obj


# ---------------------------------------------------------------- services


SERVICE_ORGS = ("provider_org_id",)


def services_visible_to(user) -> QuerySet[ServiceRecord]:
    return _services().filter(care_q(user, "service.view", *SERVICE_ORGS))


def _services() -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.select_related(
        "service_type",
        "provider_org",
        "funding_source",
        "alt_funding_source",
        "payer_org",
        "alt_payer_org",
        "case",
    )


def services_for_case(user, case: Case, access=None) -> QuerySet[ServiceRecord]:
    reach = _access(user, case, access)("service.view")
    return _case_records(_services(), user, case, reach, *SERVICE_ORGS).order_by("-requested_on", "-created_at")


def service_get_for_user(user, service_id) -> ServiceRecord:
    return _get(services_visible_to(user), service_id, "service", user)


def case_for(user, case_id, perm: str) -> Case:
    """The case, if the user may see its care records with `perm` (else Http404)."""
    return case_get_for_user(user, case_id, perm)


# ---------------------------------------------------------------- shelter


def shelters_visible_to(user) -> QuerySet[Organisation]:
    """Shelters with their current occupancy. Capacity and occupancy are not personal, so any
    user who works with services or aggregates sees them; the location never appears here."""
    scope = scope_for(user)
    if not (scope.has("service.view") or scope.has("aggregate.view")):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(org_type_id__in=[f"org_type.{t}" for t in SHELTER_TYPES], active=True)
        .annotate(occupied=Count("shelter_stays", filter=Q(shelter_stays__discharged_on__isnull=True)))
        .select_related("org_type", "region")
        .only("id", "name", "org_type", "region", "capacity", "is_demo")
        .order_by("region_id", "name")
    )


def shelter_get_for_user(user, shelter_id) -> Organisation:
    return _get(shelters_visible_to(user), shelter_id, "shelter", user)


def shelter_location_for_user(user, shelter_id) -> str:
    """A safe house's exact location (identity-grade). Only the shelter's own staff, or a user
    who may see the identity of a victim staying there now, gets it; every view is audited.
    Anyone else — and a shelter that does not exist — gets Http404."""
    shelter = Organisation.objects.filter(pk=_uuid_or_404(shelter_id), active=True).first()
    via, via_case = None, None
    if shelter is not None and shelter.is_shelter:
        if shelter.pk in user_org_ids(user):
            via = "staff"
        else:
            stays = ShelterStay.objects.filter(shelter=shelter, discharged_on__isnull=True).select_related("case")
            for stay in stays.filter(case_id__in=_visible_case_ids(user)):
                if can_view_identity(user, stay.case):
                    via, via_case = "case", stay.case
                    break
    if via is None:
        record("access_denied_or_missing", actor=user, object_type="shelter_location", object_id=str(shelter_id)[:64])
        raise Http404
    record(
        "shelter_location_view",
        actor=user,
        object_type="organisation",
        object_id=shelter.pk,
        organisation_id=shelter.pk,
        region_code=shelter.region_id,
        detail={"via": via, "case": str(via_case.pk) if via_case else None},
    )
    return shelter.secret_location or ""


def _visible_case_ids(user):
    from gugus.cases.selectors import case_ids_visible_to

    return case_ids_visible_to(user, "victim.view")


def stays_visible_to(user) -> QuerySet[ShelterStay]:
    return ShelterStay.objects.filter(care_q(user, "service.view", "shelter_id")).select_related("shelter", "case")


def stays_for_case(user, case: Case, access=None) -> QuerySet[ShelterStay]:
    reach = _access(user, case, access)("service.view")
    qs = ShelterStay.objects.select_related("shelter", "case")
    return _case_records(qs, user, case, reach, "shelter_id").order_by("-admitted_on")


def stay_get_for_user(user, stay_id) -> ShelterStay:
    return _get(stays_visible_to(user), stay_id, "shelter_stay", user)


# ---------------------------------------------------------------- repatriation


LEG_ORGS = ("responsible_org_id", "escort_org_id")


def legs_visible_to(user) -> QuerySet[RepatriationLeg]:
    return _legs().filter(care_q(user, "service.view", *LEG_ORGS))


def _legs() -> QuerySet[RepatriationLeg]:
    return RepatriationLeg.objects.select_related(
        "leg_type",
        "responsible_org",
        "from_region",
        "from_country",
        "to_region",
        "to_country",
        "funding_source",
        "funder_org",
        "escort_org",
        "case",
    )


def legs_for_case(user, case: Case, access=None) -> QuerySet[RepatriationLeg]:
    reach = _access(user, case, access)("service.view")
    return _case_records(_legs(), user, case, reach, *LEG_ORGS).order_by("planned_on", "created_at")


def leg_get_for_user(user, leg_id) -> RepatriationLeg:
    return _get(legs_visible_to(user), leg_id, "repatriation_leg", user)


# ---------------------------------------------------------------- reintegration


def plans_visible_to(user) -> QuerySet[ReintegrationPlan]:
    return ReintegrationPlan.objects.filter(care_q(user, "service.view", "responsible_org_id")).select_related(
        "responsible_org", "destination_region", "case"
    )


def plan_for_case(user, case: Case, access=None) -> ReintegrationPlan | None:
    reach = _access(user, case, access)("service.view")
    qs = ReintegrationPlan.objects.select_related("responsible_org", "destination_region", "case")
    return _case_records(qs, user, case, reach, "responsible_org_id").first()


def followups_visible_to(user) -> QuerySet[FollowUpVisit]:
    return FollowUpVisit.objects.filter(care_q(user, "service.view", "plan__responsible_org_id")).select_related(
        "plan", "plan__responsible_org", "case", "visited_by_org"
    )


def followups_overdue(qs: QuerySet[FollowUpVisit], today: dt.date | None = None) -> QuerySet[FollowUpVisit]:
    today = today or timezone.localdate()
    return qs.filter(visited_on__isnull=True, due_on__lt=today, plan__status=PlanStatus.ACTIVE)


def followups_for_org(user, *, only_mine: bool = True, overdue: bool = False) -> QuerySet[FollowUpVisit]:
    """Follow-ups the user sees; `only_mine` keeps those whose plan their organisation leads."""
    qs = followups_visible_to(user)
    if only_mine:
        qs = qs.filter(plan__responsible_org_id__in=user_org_ids(user))
    if overdue:
        qs = followups_overdue(qs)
    return qs.order_by("due_on", "month")


def followup_get_for_user(user, visit_id) -> FollowUpVisit:
    return _get(followups_visible_to(user), visit_id, "followup", user)


# ---------------------------------------------------------------- rights


def rights_for_case(user, case: Case, access=None) -> list[RightState]:
    """The checklist, freshly derived. Seen by those with full reach over the case for services
    or the legal track (not by a provider who only sees its own referred service)."""
    if not can_see_rights(user, case, access):
        raise Http404
    return derive(case)


def can_see_rights(user, case: Case, access=None) -> bool:
    ask = _access(user, case, access)
    return ask("service.view") in (ALL, READ) or ask("legal.view") in (ALL, READ)


def can_edit_rights(user, case: Case, access=None) -> bool:
    ask = _access(user, case, access)
    return ask("service.edit") == ALL or ask("legal.edit") == ALL


# ---------------------------------------------------------------- legal


def legal_cases_visible_to(user) -> QuerySet[LegalCase]:
    return LegalCase.objects.filter(care_q(user, "legal.view")).select_related(
        "police_unit", "prosecutor_org", "court_org", "stage", "case"
    )


def legal_for_case(user, case: Case, access=None) -> LegalCase | None:
    if _access(user, case, access)("legal.view") is None:
        raise Http404
    return (
        LegalCase.objects.filter(case=case)
        .select_related("police_unit", "prosecutor_org", "court_org", "stage")
        .first()
    )


def legal_events_for_case(user, case: Case, access=None) -> QuerySet[LegalEvent]:
    if _access(user, case, access)("legal.view") is None:
        raise Http404
    return (
        LegalEvent.objects.filter(case=case)
        .select_related("stage", "organisation")
        .prefetch_related("suspects")
        .order_by("date", "created_at")
    )


def restitution_for_case(user, case: Case, access=None) -> Restitution | None:
    if _access(user, case, access)("legal.view") is None:
        raise Http404
    return Restitution.objects.filter(case=case).select_related("status").prefetch_related("payments").first()


def restitutions_visible_to(user) -> QuerySet[Restitution]:
    return Restitution.objects.filter(care_q(user, "legal.view")).select_related("status", "case")


def restitutions_overdue(user, today: dt.date | None = None) -> list[Restitution]:
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=30)
    qs = restitutions_visible_to(user).filter(ordered_on__lt=cutoff, ordered_amount__isnull=False)
    return [r for r in qs.order_by("ordered_on") if r.is_overdue(today)]
