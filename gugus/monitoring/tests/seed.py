"""A deterministic synthetic data set touching every data element: cases (with drafts, excluded
cases, repeat victims, exploitation forms, unknown origins), care records, referrals, registry
records and month closings. Direct ORM writes (fast); no identities."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from .factories import make_case, make_victim, org_for

REGIONS = ["32.12", "32.01", "21.71", "53.71", "32"]  # the last: a province-level unit
ORIGINS = ["32.12", "32.01", "53.71", "53.03", "52.03", None]
EXPLOITATION = ["prostitution", "forced_labour_or_services", "online_scam", "sexual_exploitation"]
SERVICE_TYPES = [
    "complaint_intake",
    "identification_assessment",
    "health_physical",
    "health_psychological",
    "social_rehabilitation",
    "spiritual_guidance",
    "legal_aid",
    "repatriation",
    "social_reintegration",
    "urgent_first_aid",
    "shelter",
    "case_management",
]
STATUSES = ["requested", "in_progress", "completed", "completed", "cancelled", "not_provided", "refused_by_victim"]
FUNDING = ["apbd_kabkota", "apbn", "lpsk", "none", None, "bpjs_jkn", "jamkesda"]
RIGHTS = [
    "health_rehabilitation",
    "social_rehabilitation",
    "repatriation",
    "legal_aid",
    "restitution",
    "identity_confidentiality",
    "urgent_first_aid",
]
RIGHT_STATUS = ["pending", "fulfilled", "fulfilled", "not_fulfilled", "not_applicable", "refused_by_victim"]


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def seed(*, n: int = 120, seed_value: int = 7) -> dict:
    from gugus.care import models as care
    from gugus.cases.models import Consent
    from gugus.referrals.models import Referral
    from gugus.registry import models as reg

    from ..models import MonthClosing

    rng = random.Random(seed_value)
    today = timezone.localdate()
    start, end = dt.date(2025, 1, 1), min(today - dt.timedelta(days=5), dt.date(2026, 10, 31))
    cases = []
    victims = []
    for i in range(n):
        region = rng.choice(REGIONS)
        victim = rng.choice(victims) if victims and rng.random() < 0.12 else None
        kw = {}
        r = rng.random()
        if r < 0.05:
            kw["draft"] = True
        elif r < 0.08:
            kw["status"] = "not_a_victim"
        elif r < 0.10:
            kw["closure"] = "duplicate"
            kw["closed_at"] = _date(rng, start, end)
        elif r < 0.18:
            kw["closed_at"] = _date(rng, start, end)
            kw["case_status"] = "closed"
            kw["closure"] = "services_completed"
        elif r < 0.55:
            kw["status"] = "actual"
        case = make_case(
            region=region,
            date=_date(rng, start, end),
            origin=rng.choice(ORIGINS),
            victim=victim,
            sex=rng.choice(["female", "female", "male", "unknown"]),
            child=rng.random() < 0.35,
            cit=rng.choice(["wni", "wni", "wni", "wna", "unknown"]),
            scope=rng.choice(["domestic", "transnational"]),
            exploitation=rng.sample(EXPLOITATION, rng.randint(0, 2)),
            **kw,
        )
        if kw.get("closed_at") and case.closed_at < case.identification_date:
            case.closed_at = case.identification_date
            case.save(update_fields=["closed_at"])
        cases.append(case)
        victims.append(case.victim)
    extra = make_victim()
    victims.append(extra)

    provider = org_for("21.71", "ppt_hospital")
    shelter_org = org_for("21.71", "safe_house", capacity=5)
    police = org_for("21.71", "police_unit_ppa")
    for case in cases:
        base = case.identification_date
        for _ in range(rng.randint(0, 4)):
            stype = rng.choice(SERVICE_TYPES)
            status = rng.choice(STATUSES)
            requested = base + dt.timedelta(days=rng.randint(0, 40))
            started = (
                requested + dt.timedelta(days=rng.randint(0, 15))
                if status in ("in_progress", "completed") and rng.random() < 0.85
                else None
            )
            completed = (
                (started or requested) + dt.timedelta(days=rng.randint(0, 20))
                if status == "completed" and rng.random() < 0.7
                else None
            )
            fund = rng.choice(FUNDING)
            refused = fund == "bpjs_jkn" and rng.random() < 0.5
            care.ServiceRecord.objects.create(
                case=case,
                service_type_id=f"service_type.{stype}",
                provider_org=provider,
                status=status,
                requested_on=requested,
                started_on=started,
                completed_on=completed,
                funding_source_id=f"funding_source.{fund}" if fund else None,
                cost=Decimal(rng.randint(0, 500)) * 1000 if rng.random() < 0.7 else None,
                bpjs_claim_refused=refused,
                unfunded=(fund == "none") or refused,
            )
        for right in rng.sample(RIGHTS, rng.randint(0, 4)):
            status = rng.choice(RIGHT_STATUS)
            applied = base + dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.8 else None
            due = applied + dt.timedelta(days=7) if applied else None
            fulfilled = (applied or base) + dt.timedelta(days=rng.randint(0, 14)) if status == "fulfilled" else None
            care.RightEntry.objects.create(
                case=case,
                right_id=f"right.{right}",
                status=status,
                applied_on=applied,
                due_on=due,
                fulfilled_on=fulfilled,
            )
        if rng.random() < 0.3:
            admitted = base + dt.timedelta(days=rng.randint(0, 10))
            discharged = admitted + dt.timedelta(days=rng.randint(0, 70)) if rng.random() < 0.7 else None
            if discharged and discharged > today:
                discharged = None
            care.ShelterStay.objects.create(
                case=case, shelter=shelter_org, admitted_on=admitted, discharged_on=discharged
            )
        if rng.random() < 0.3:
            lc = care.LegalCase.objects.create(
                case=case,
                police_report_date=base + dt.timedelta(days=rng.randint(0, 30)) if rng.random() < 0.7 else None,
                police_unit=police,
            )
            if rng.random() < 0.5:
                care.LegalEvent.objects.create(
                    legal_case=lc,
                    case=case,
                    stage_id="legal_stage.verdict",
                    date=base + dt.timedelta(days=rng.randint(30, 200)),
                    verdict=rng.choice(["convicted", "acquitted", ""]),
                )
        if rng.random() < 0.2:
            ordered = base + dt.timedelta(days=rng.randint(30, 300))
            amount = Decimal(rng.randint(1, 50)) * 1_000_000
            paid = min(amount, Decimal(rng.randint(0, 60)) * 1_000_000)
            rs = care.Restitution.objects.create(
                case=case,
                status_id="restitution_status.awarded",
                ordered_on=ordered,
                ordered_amount=amount,
                paid_amount=paid,
            )
            if paid:
                care.RestitutionPayment.objects.create(
                    restitution=rs, case=case, amount=paid, paid_on=ordered + dt.timedelta(days=rng.randint(0, 90))
                )
        if rng.random() < 0.2:
            care.RepatriationLeg.objects.create(
                case=case,
                leg_type_id="repatriation_leg.province_to_district",
                responsible_org=provider,
                from_region_id="53",
                to_region_id="53.71",
                status=rng.choice(["completed", "planned"]),
                arrived_on=base + dt.timedelta(days=rng.randint(1, 60)),
            )
        if rng.random() < 0.15:
            plan = care.ReintegrationPlan.objects.create(
                case=case, responsible_org=provider, return_on=base + dt.timedelta(days=30)
            )
            for m in (1, 3, 6):
                due = plan.return_on + dt.timedelta(days=30 * m)
                visited = rng.random() < 0.6 and due <= today
                care.FollowUpVisit.objects.create(
                    plan=plan,
                    case=case,
                    month=m,
                    due_on=due,
                    visited_on=due if visited else None,
                    outcome="stable" if visited else "",
                )
        if rng.random() < 0.35:
            consent = Consent.objects.create(
                case=case, purpose_id="consent_purpose.share_referral", granted=True, given_by="victim", date=base
            )
            sent = timezone.make_aware(
                dt.datetime.combine(
                    base + dt.timedelta(days=rng.randint(0, 25)), dt.time(rng.choice([0, 1, 12, 23]), 30)
                )
            )
            status = rng.choice(["sent", "accepted", "completed", "declined", "cancelled"])
            Referral.objects.create(
                case=case,
                from_org=case.owner_org,
                to_org=provider,
                service_type_id="service_type.health_physical",
                reason="uji",
                due_date=sent.date() + dt.timedelta(days=rng.choice([3, 7, 400])),
                status=status,
                consent=consent,
                sent_at=sent,
                decline_reason="penuh" if status == "declined" else "",
                accepted_at=sent + dt.timedelta(days=1) if status in ("accepted", "completed") else None,
                completed_at=sent + dt.timedelta(days=5) if status == "completed" else None,
                kind=rng.choice(["referral", "referral", "transfer"]),
            )
    # Registry.
    for code in ["32.12", "32.01", "21.71", "53.71", "32", "53.03"]:
        level = {0: "national", 1: "province", 2: "kabkota"}[code.count(".") + 1 if code != "ID" else 0]
        tf = reg.TaskForce.objects.create(
            region_id=code,
            level_id=f"gt_level.{level}",
            name=f"GT {code}",
            status="active",
            status_since=dt.date(2024, 3, 1),
        )
        reg.TaskForceStatusChange.objects.create(task_force=tf, status="active", date=dt.date(2024, 3, 1))
        if code == "32.01":
            reg.TaskForceStatusChange.objects.create(task_force=tf, status="inactive", date=dt.date(2025, 6, 15))
            reg.TaskForceStatusChange.objects.create(task_force=tf, status="active", date=dt.date(2026, 2, 1))
        if code == "53.03":
            reg.TaskForceStatusChange.objects.create(task_force=tf, status="dissolved", date=dt.date(2025, 9, 1))
    reg.ActionPlan.objects.create(
        region_id="32.12",
        title="RAD",
        period_start=2024,
        period_end=2025,
        status="enacted",
        enacted_on=dt.date(2024, 5, 2),
    )
    reg.ActionPlan.objects.create(
        region_id="32.12",
        title="RAD 2",
        period_start=2026,
        period_end=2030,
        status="enacted",
        enacted_on=dt.date(2026, 3, 9),
    )
    reg.ActionPlan.objects.create(region_id="21.71", title="RAD", period_start=2025, period_end=2029, status="drafting")
    reg.ActionPlan.objects.create(
        region_id="32", title="RAD prov", period_start=2023, period_end=2027, status="enacted", enacted_on=None
    )
    for code in ["32.12", "32.01", "21.71", "32", "ID"]:
        for year in (2025, 2026):
            for prog in ("prevention", "handling_repatriation"):
                alloc = Decimal(rng.randint(10, 900)) * 1_000_000
                reg.BudgetLine.objects.create(
                    region_id=code,
                    year=year,
                    source_id="budget_source.apbd",
                    programme_id=f"budget_programme.{prog}",
                    allocated=alloc,
                    realised=alloc * Decimal("0.8") if rng.random() < 0.7 else None,
                )
    for org in [provider, shelter_org, org_for("32.12"), org_for("53.71")]:
        for year in (2025, 2026):
            total = rng.randint(2, 12)
            reg.StaffCount.objects.create(
                unit=org,
                year=year,
                function_id="staff_function.case_manager",
                total=total,
                trained=rng.randint(0, total),
            )
    reg.UnitProfile.objects.create(organisation=shelter_org, beds=9, as_of=dt.date(2026, 1, 1))
    # Month closings: some on time, some late, one reopened; 53.71 never closes.
    from ..services import closing_due_date

    for code in ["32.12", "32.01", "21.71"]:
        for month in (202501, 202502, 202503, 202601, 202602, 202609):
            if code == "32.01" and month == 202502:
                continue
            due = closing_due_date(month, 10)
            late = rng.random() < 0.3
            closed = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=5 if late else -3), dt.time(9)))
            MonthClosing.objects.create(
                region_id=code,
                month=month,
                closed_at=closed,
                due_date=due,
                on_time=not late,
                reopened_at=timezone.now() if (code == "21.71" and month == 202602) else None,
            )
    return {"cases": cases, "victims": victims}
