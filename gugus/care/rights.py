"""The rights checklist (UU 21/2007 Ps 44-55): derived from the records where it can be.

Rule, per right and case:
1. evidence of fulfilment in the records (a service being or having been provided, a completed
   repatriation, an LPSK decision, restitution paid in full…) → `fulfilled`;
2. otherwise a status a worker set by hand (with a reason) → that status;
3. otherwise what the records say (`pending` while requested, `refused_by_victim`,
   `not_fulfilled` when the provider could not give it, `not_applicable` decided by the system);
4. otherwise `pending` with no record.

The 7-day clock (Ps 52(1), 53) runs from the application date (set by hand, or the earliest
request among the records); `due_on` = `rules.rights_deadline(applied_on)`. Requests still
pending after `due_on` are flagged. Restitution's clock is 30 days from the court order.

`derive_many` computes with a handful of queries for any number of cases; `rights_refresh`
stores the effective rows (`RightEntry`) so monitoring can count them cheaply.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from gugus.reference.models import Code

from .models import (
    LegalCase,
    LegStatus,
    LpskProtection,
    PlanStatus,
    ReintegrationPlan,
    RepatriationLeg,
    Restitution,
    RightEntry,
    RightSource,
    RightStatus,
    ServiceRecord,
    ServiceStatus,
)
from .rules import RESTITUTION_PAYMENT_DAYS, RIGHTS_WITH_DEADLINE, UPTD, rights_deadline

SERVICE_RIGHTS = {
    "health_rehabilitation": {"health_physical", "health_psychological", "health_medicolegal"},
    "social_rehabilitation": {"social_rehabilitation"},
    "social_reintegration": {"social_reintegration"},
    "urgent_first_aid": {"urgent_first_aid"},
    "legal_aid": {"legal_aid"},
    "repatriation": {"repatriation"},
}
LPSK_ASSISTANCE_TYPES = {
    "health_physical",
    "health_psychological",
    "urgent_first_aid",
    "social_rehabilitation",
    "accompaniment",
}
INTEGRATED_ORG_TYPES = UPTD | {"ppt_hospital", "ppt_police_hospital"}
SYSTEM_FULFILLED = {"identity_confidentiality", "family_identity_confidentiality"}
OPEN = {RightStatus.PENDING, RightStatus.NOT_FULFILLED}


@dataclass
class Derived:
    status: str
    applied_on: dt.date | None = None
    fulfilled_on: dt.date | None = None
    evidence: str = ""
    source: str = RightSource.DERIVED


@dataclass
class RightState:
    code: str
    label: str
    legal_basis: str
    status: str
    source: str
    applied_on: dt.date | None
    due_on: dt.date | None
    fulfilled_on: dt.date | None
    evidence: str
    manual_status: str = ""
    manual_reason: str = ""
    version: int | None = None

    @property
    def status_label(self) -> str:
        return RightStatus(self.status).label

    @property
    def source_label(self) -> str:
        return RightSource(self.source).label

    def overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN and self.due_on is not None and today > self.due_on

    def late(self) -> bool:
        return (
            self.status == RightStatus.FULFILLED
            and self.due_on is not None
            and self.fulfilled_on is not None
            and self.fulfilled_on > self.due_on
        )

    @property
    def is_overdue(self) -> bool:
        return self.overdue()


def _from_services(rows: list[dict], types: set[str], evidence_prefix: str = "layanan") -> Derived | None:
    rel = [r for r in rows if r["type"] in types and r["status"] != ServiceStatus.CANCELLED]
    if not rel:
        return None
    applied = min(r["requested_on"] for r in rel)
    given = [r for r in rel if r["status"] in (ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED)]
    if given:
        first = min(given, key=lambda r: r["started_on"] or r["completed_on"] or r["requested_on"])
        return Derived(
            RightStatus.FULFILLED,
            applied,
            first["started_on"] or first["completed_on"],
            f"{evidence_prefix}:{first['id']}",
        )
    if any(r["status"] == ServiceStatus.REQUESTED for r in rel):
        return Derived(RightStatus.PENDING, applied, None, f"{evidence_prefix}:{rel[0]['id']}")
    if any(r["status"] == ServiceStatus.NOT_PROVIDED for r in rel):
        return Derived(RightStatus.NOT_FULFILLED, applied, None, f"{evidence_prefix}:{rel[0]['id']}")
    return Derived(RightStatus.REFUSED_BY_VICTIM, applied, None, f"{evidence_prefix}:{rel[0]['id']}")


def _from_legs(legs: list[dict], types: set[str] | None = None) -> Derived | None:
    rel = [g for g in legs if g["status"] != LegStatus.CANCELLED and (types is None or g["type"] in types)]
    if not rel:
        return None
    starts = [g["planned_on"] or g["departed_on"] or g["created"] for g in rel]
    applied = min(starts)
    if all(g["status"] == LegStatus.COMPLETED for g in rel):
        return Derived(RightStatus.FULFILLED, applied, max(g["arrived_on"] for g in rel), f"pemulangan:{rel[-1]['id']}")
    return Derived(RightStatus.PENDING, applied, None, f"pemulangan:{rel[0]['id']}")


def _derive_case(code: str, info: dict, today: dt.date) -> Derived | None:
    services = info["services"]
    if code in SYSTEM_FULFILLED:
        return Derived(
            RightStatus.FULFILLED,
            None,
            info["identification_date"],
            "sistem: data identitas terenkripsi",
            RightSource.SYSTEM,
        )
    if code == "integrated_service":
        if info["registering_type"] in INTEGRATED_ORG_TYPES:
            return Derived(RightStatus.FULFILLED, None, info["identification_date"], "pendaftaran di PPT/UPTD PPA")
        given = [
            r
            for r in services
            if r["provider_type"] in INTEGRATED_ORG_TYPES
            and r["status"] in (ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED)
        ]
        if given:
            first = min(r["started_on"] or r["requested_on"] for r in given)
            return Derived(RightStatus.FULFILLED, None, first, f"layanan:{given[0]['id']}")
        return None
    if code == "protection_from_threats":
        legal = info["legal"]
        if not legal or legal["lpsk_protection"] == LpskProtection.NONE:
            return None
        status = {
            LpskProtection.APPLIED: RightStatus.PENDING,
            LpskProtection.GRANTED: RightStatus.FULFILLED,
            LpskProtection.REJECTED: RightStatus.NOT_FULFILLED,
        }[legal["lpsk_protection"]]
        return Derived(
            status,
            legal["lpsk_applied_on"],
            legal["lpsk_decided_on"] if status == RightStatus.FULFILLED else None,
            "keputusan LPSK",
        )
    if code == "restitution":
        r = info["restitution"]
        if not r:
            return None
        ordered, paid = r["ordered_amount"], r["paid_amount"] or 0
        if ordered and paid >= ordered:
            return Derived(RightStatus.FULFILLED, r["requested_on"], r["last_paid_on"], "restitusi dibayar lunas")
        if r["status"] == "restitution_status.unpaid_substitute_detention":
            return Derived(RightStatus.NOT_FULFILLED, r["requested_on"], None, "restitusi tidak dibayar")
        if r["requested_on"] or ordered:
            return Derived(RightStatus.PENDING, r["requested_on"] or r["ordered_on"], None, "restitusi dalam proses")
        return None
    if code == "repatriation":
        return _from_legs(info["legs"]) or _from_services(services, SERVICE_RIGHTS["repatriation"])
    if code == "social_reintegration":
        plan = info["plan"]
        if plan and plan["status"] != PlanStatus.DISCONTINUED:
            applied = min(plan["created"], plan["return_on"])
            if plan["return_on"] <= today:
                return Derived(RightStatus.FULFILLED, applied, plan["return_on"], "rencana reintegrasi")
            got = _from_services(services, SERVICE_RIGHTS[code])
            return got or Derived(RightStatus.PENDING, applied, None, "rencana reintegrasi")
        return _from_services(services, SERVICE_RIGHTS[code])
    if code == "protection_abroad":
        if info["scope"] == "domestic":
            return Derived(RightStatus.NOT_APPLICABLE, None, None, "kasus dalam negeri", RightSource.SYSTEM)
        return _from_legs(info["legs"], {"abroad_to_debarkation"})
    if code == "foreign_victim_protection":
        if info["citizenship_status"] == "citizenship_status.wni":
            return Derived(RightStatus.NOT_APPLICABLE, None, None, "korban WNI", RightSource.SYSTEM)
        return _from_legs(info["legs"], {"foreign_return"})
    if code == "lpsk_assistance":
        rows = [
            r
            for r in services
            if r["type"] in LPSK_ASSISTANCE_TYPES
            and ("lpsk" in (r["funding"], r["alt_funding"]) or r["provider_type"] == "lpsk")
        ]
        return _from_services(rows, LPSK_ASSISTANCE_TYPES, "layanan LPSK")
    if code in SERVICE_RIGHTS:
        return _from_services(services, SERVICE_RIGHTS[code])
    return None


def _combine(code: str, derived: Derived | None, manual: RightEntry | None) -> tuple:
    """(status, source, applied_on, fulfilled_on, evidence) by the rule in the module docstring."""
    m_status = manual.manual_status if manual else ""
    m_applied = manual.manual_applied_on if manual else None
    if derived and derived.status == RightStatus.FULFILLED:
        out = (derived.status, derived.source, derived.applied_on, derived.fulfilled_on, derived.evidence)
    elif m_status:
        fulfilled = manual.manual_fulfilled_on if m_status == RightStatus.FULFILLED else None
        out = (
            m_status,
            RightSource.MANUAL,
            derived.applied_on if derived else None,
            fulfilled,
            derived.evidence if derived else "",
        )
    elif derived:
        out = (derived.status, derived.source, derived.applied_on, derived.fulfilled_on, derived.evidence)
    else:
        out = (RightStatus.PENDING, RightSource.NONE, None, None, "")
    status, source, applied, fulfilled, evidence = out
    applied = m_applied or applied
    return status, source, applied, fulfilled, evidence


def _due(code: str, applied: dt.date | None, info: dict) -> dt.date | None:
    if code == "restitution":
        r = info["restitution"]
        return r["ordered_on"] + dt.timedelta(days=RESTITUTION_PAYMENT_DAYS) if r and r["ordered_on"] else None
    if code in RIGHTS_WITH_DEADLINE and applied:
        return rights_deadline(applied)
    return None


def _inputs(case_ids: list) -> dict:
    from gugus.cases.models import Case

    info: dict = {}
    for c in Case.objects.filter(pk__in=case_ids).values(
        "pk",
        "scope",
        "identification_date",
        "registering_org__org_type_id",
        "victim__citizenship_status_id",
    ):
        info[c["pk"]] = {
            "scope": c["scope"],
            "identification_date": c["identification_date"],
            "registering_type": (c["registering_org__org_type_id"] or ".").split(".", 1)[1],
            "citizenship_status": c["victim__citizenship_status_id"],
            "services": [],
            "legs": [],
            "plan": None,
            "legal": None,
            "restitution": None,
        }
    for s in (
        ServiceRecord.objects.filter(case_id__in=case_ids)
        .values(
            "id",
            "case_id",
            "service_type_id",
            "status",
            "requested_on",
            "started_on",
            "completed_on",
            "provider_org__org_type_id",
            "funding_source_id",
            "alt_funding_source_id",
        )
        .order_by("requested_on", "created_at")
    ):
        info[s["case_id"]]["services"].append(
            {
                "id": s["id"],
                "type": s["service_type_id"].split(".", 1)[1],
                "status": s["status"],
                "requested_on": s["requested_on"],
                "started_on": s["started_on"],
                "completed_on": s["completed_on"],
                "provider_type": s["provider_org__org_type_id"].split(".", 1)[1],
                "funding": (s["funding_source_id"] or ".").split(".", 1)[1],
                "alt_funding": (s["alt_funding_source_id"] or ".").split(".", 1)[1],
            }
        )
    for g in (
        RepatriationLeg.objects.filter(case_id__in=case_ids)
        .values(
            "id",
            "case_id",
            "leg_type_id",
            "status",
            "planned_on",
            "departed_on",
            "arrived_on",
            "created_at",
        )
        .order_by("created_at")
    ):
        info[g["case_id"]]["legs"].append(
            {
                "id": g["id"],
                "type": g["leg_type_id"].split(".", 1)[1],
                "status": g["status"],
                "planned_on": g["planned_on"],
                "departed_on": g["departed_on"],
                "arrived_on": g["arrived_on"],
                "created": timezone.localdate(g["created_at"]),
            }
        )
    for p in ReintegrationPlan.objects.filter(case_id__in=case_ids).values(
        "case_id", "status", "return_on", "created_at"
    ):
        info[p["case_id"]]["plan"] = {
            "status": p["status"],
            "return_on": p["return_on"],
            "created": timezone.localdate(p["created_at"]),
        }
    for lc in LegalCase.objects.filter(case_id__in=case_ids).values(
        "case_id", "lpsk_protection", "lpsk_applied_on", "lpsk_decided_on"
    ):
        info[lc["case_id"]]["legal"] = lc
    for r in Restitution.objects.filter(case_id__in=case_ids).values(
        "id",
        "case_id",
        "status",
        "requested_on",
        "ordered_on",
        "ordered_amount",
        "paid_amount",
    ):
        r["last_paid_on"] = None
        info[r["case_id"]]["restitution"] = r
    rest_ids = {v["restitution"]["id"]: k for k, v in info.items() if v["restitution"]}
    if rest_ids:
        from django.db.models import Max

        from .models import RestitutionPayment

        for row in (
            RestitutionPayment.objects.filter(restitution_id__in=rest_ids)
            .values("restitution_id")
            .annotate(last=Max("paid_on"))
        ):
            info[rest_ids[row["restitution_id"]]]["restitution"]["last_paid_on"] = row["last"]
    return info


_RIGHT_CODES: dict = {}


def _right_codes() -> list[tuple[str, str, str]]:
    """The rights code list in the active language, kept a minute (reference data, changed only by
    `load_reference`; the same policy as the forms' code choices)."""
    from django.utils.translation import get_language

    from .forms import CODE_CACHE_SECONDS

    key, now = get_language() or "id", time.monotonic()
    hit = _RIGHT_CODES.get(key)
    if hit is None or now - hit[0] > CODE_CACHE_SECONDS:
        rows = [(c.code, c.label, c.legal_basis) for c in Code.objects.filter(code_list_id="right", active=True)]
        hit = _RIGHT_CODES[key] = (now, rows)
    return hit[1]


def derive_many(case_ids: list) -> dict:
    """{case_id: [RightState, …]} for the given cases (no writes)."""
    today = timezone.localdate()
    info = _inputs(case_ids)
    manual: dict = defaultdict(dict)
    for e in RightEntry.objects.filter(case_id__in=case_ids):
        manual[e.case_id][e.right_id] = e
    codes = _right_codes()
    out: dict = {}
    for case_id, ci in info.items():
        states = []
        for code, label, basis in codes:
            entry = manual[case_id].get(f"right.{code}")
            status, source, applied, fulfilled, evidence = _combine(code, _derive_case(code, ci, today), entry)
            states.append(
                RightState(
                    code=code,
                    label=label,
                    legal_basis=basis,
                    status=status,
                    source=source,
                    applied_on=applied,
                    due_on=_due(code, applied, ci),
                    fulfilled_on=fulfilled,
                    evidence=evidence,
                    manual_status=entry.manual_status if entry else "",
                    manual_reason=entry.manual_reason if entry else "",
                    version=entry.version if entry else None,
                )
            )
        out[case_id] = states
    return out


def derive(case) -> list[RightState]:
    return derive_many([case.pk]).get(case.pk, [])


FIELDS = ("status", "source", "applied_on", "due_on", "fulfilled_on", "evidence")


def rights_refresh_many(case_ids: list) -> int:
    """Store the effective checklist of each case (insert missing rows, update changed ones)."""
    states = derive_many(case_ids)
    existing = {(e.case_id, e.right_id): e for e in RightEntry.objects.filter(case_id__in=case_ids)}
    create, update = [], []
    now = timezone.now()
    for case_id, rows in states.items():
        for st in rows:
            key = (case_id, f"right.{st.code}")
            values = {
                "status": st.status,
                "source": st.source,
                "applied_on": st.applied_on,
                "due_on": st.due_on,
                "fulfilled_on": st.fulfilled_on,
                "evidence": st.evidence[:120],
            }
            e = existing.get(key)
            if e is None:
                create.append(RightEntry(case_id=case_id, right_id=key[1], **values))
            elif any(getattr(e, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(e, f, v)
                e.updated_at = now
                update.append(e)
    RightEntry.objects.bulk_create(create, batch_size=1000)
    RightEntry.objects.bulk_update(update, [*FIELDS, "updated_at"], batch_size=1000)
    return len(create) + len(update)


def rights_refresh(case) -> None:
    rights_refresh_many([case.pk])
