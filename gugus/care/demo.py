"""Demo data for care (synthetic, deterministic for a seed, `is_demo=True`, bulk inserts).

For the demo cases (`ctx.case_ids`): services with realistic funding (including unfunded ones
and BPJS/JKN claims refused under Perpres 82/2018), shelter stays that bring some shelters to or
over capacity, repatriation legs, reintegration plans with overdue follow-ups, the legal track
with verdicts and unpaid/overdue restitution, and the stored rights checklist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from gugus.accounts.models import SHELTER_TYPES
from gugus.cases.models import Case, CaseEvent, Perpetrator

from .models import (
    FollowUpVisit,
    LegalCase,
    LegalEvent,
    LegStatus,
    LpskProtection,
    ReintegrationPlan,
    RepatriationLeg,
    Restitution,
    RestitutionPayment,
    RightEntry,
    ServiceRecord,
    ServiceStatus,
    ShelterStay,
)
from .rights import rights_refresh_many
from .rules import ESCORT_DISABILITIES, FOLLOWUP_MONTHS, add_months, allowed_org_types

FUNDING_WEIGHTS = [
    ("apbd_kabkota", 22),
    ("apbd_prov", 8),
    ("apbn", 8),
    ("bpjs_jkn", 14),
    ("jamkesda", 8),
    ("lpsk", 8),
    ("donor_ngo", 5),
    ("iom", 3),
    ("self_family", 4),
    ("none", 15),
    (None, 5),
]
HEALTH = ["health_physical", "health_psychological", "health_medicolegal", "urgent_first_aid"]
OUTCOMES = ["pulih", "dirujuk lanjut", "pendampingan berlanjut", "stabil", ""]


class _Demo:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.orgs = [o for o in ctx.orgs.values() if o.active]
        self.by_type = defaultdict(list)
        for o in self.orgs:
            self.by_type[o.type_code].append(o)
        self.services, self.stays, self.legs, self.plans, self.visits = [], [], [], [], []
        self.legal, self.events, self.suspects, self.restitutions, self.payments = [], [], [], [], []
        self.timeline, self.manual_rights = [], []
        # Guarantees, so every demo shows each problem at least once (then chance takes over).
        self.forced_funding = [("bpjs_jkn", None), ("bpjs_jkn", "lpsk"), ("none", None)]
        self.force_unpaid = True
        self.force_lazy_followups = True
        self.force_verdict = True

    # ------------------------------------------------------------ helpers

    def pick_org(self, types, region: str | None):
        cands = [o for t in sorted(types) for o in self.by_type.get(t, [])]
        if not cands:
            return None
        if region:
            near = [o for o in cands if o.region_id == region] or [
                o for o in cands if o.region_id.split(".")[0] == region.split(".")[0]
            ]
            if near:
                cands = near
        return self.rng.choice(cands)

    def funding(self):
        total = sum(w for _, w in FUNDING_WEIGHTS)
        x = self.rng.uniform(0, total)
        for code, w in FUNDING_WEIGHTS:
            x -= w
            if x <= 0:
                return code
        return None

    def date_after(self, start: dt.date, lo: int, hi: int) -> dt.date | None:
        d = start + dt.timedelta(days=self.rng.randint(lo, hi))
        return d if d <= self.today else None

    def note(self, case, kind, summary, org, obj_type, obj_id, on: dt.date):
        at = dt.datetime.combine(min(on, self.today), dt.time(9, self.rng.randint(0, 59)), tzinfo=dt.UTC)
        self.timeline.append(
            CaseEvent(
                case=case,
                at=at,
                kind=kind,
                summary=summary[:300],
                organisation=org,
                object_type=obj_type,
                object_id=str(obj_id),
            )
        )

    # ------------------------------------------------------------ services

    def service(self, case, stype, *, region=None, status=None, requested=None, funding="auto", provider=None):
        provider = provider or self.pick_org(allowed_org_types(stype) or {"other"}, region or case.region_id)
        if provider is None:
            return None
        requested = requested or self.date_after(case.identification_date, 0, 12) or case.identification_date
        age = (self.today - requested).days
        if status is None:
            r = self.rng.random()
            if age < 10:
                status = ServiceStatus.REQUESTED if r < 0.5 else ServiceStatus.IN_PROGRESS
            else:
                status = (
                    ServiceStatus.COMPLETED
                    if r < 0.7
                    else ServiceStatus.IN_PROGRESS
                    if r < 0.82
                    else ServiceStatus.REQUESTED
                    if r < 0.88
                    else ServiceStatus.REFUSED_BY_VICTIM
                    if r < 0.94
                    else ServiceStatus.NOT_PROVIDED
                )
        started = completed = None
        if status in (ServiceStatus.IN_PROGRESS, ServiceStatus.COMPLETED):
            # most start within the 7-day window, some well after it
            started = self.date_after(requested, 0, 4 if self.rng.random() < 0.75 else 25) or requested
            if status == ServiceStatus.COMPLETED:
                completed = self.date_after(started, 0, 40)
                if completed is None:
                    status = ServiceStatus.IN_PROGRESS
        fund = self.funding() if funding == "auto" else funding
        refused = alt = None
        if stype in HEALTH and funding == "auto" and self.forced_funding:
            fund, alt = self.forced_funding.pop(0)
            refused = fund == "bpjs_jkn" or None
        elif fund == "bpjs_jkn" and stype in HEALTH and self.rng.random() < 0.7:
            refused = True
            alt = self.rng.choice(["apbd_kabkota", "lpsk", "jamkesda", "none", None])
        elif fund == "bpjs_jkn" and stype not in HEALTH:
            fund = "apbd_kabkota"
        unfunded = fund == "none" or bool(refused and alt in (None, "none"))
        cost = None
        if status != ServiceStatus.REQUESTED or self.rng.random() < 0.3:
            cost = Decimal(self.rng.randrange(100_000, 15_000_000, 50_000))
        s = ServiceRecord(
            case=case,
            service_type_id=f"service_type.{stype}",
            provider_org=provider,
            status=status,
            requested_on=requested,
            started_on=started,
            completed_on=completed,
            outcome=self.rng.choice(OUTCOMES) if status == ServiceStatus.COMPLETED else "",
            cost=cost,
            funding_source_id=f"funding_source.{fund}" if fund else None,
            payer_org=provider if fund in ("apbd_kabkota", "apbn") else None,
            bpjs_claim_refused=bool(refused),
            alt_funding_source_id=f"funding_source.{alt}" if alt else None,
            unfunded=unfunded,
            is_demo=True,
        )
        self.services.append(s)
        self.note(case, "service_create", f"Layanan {stype} oleh {provider.name}", provider, "service", s.pk, requested)
        return s

    # ------------------------------------------------------------ shelters

    def shelters(self, cases):
        """Open stays that bring shelters near (or, with a reason, over) capacity; past stays too."""
        shelters = [o for o in self.orgs if o.type_code in SHELTER_TYPES and o.capacity]
        recent = sorted(cases, key=lambda c: c.identification_date, reverse=True)
        busy: set = set()
        i = 0
        for n, sh in enumerate(sorted(shelters, key=lambda o: o.name)):
            target = sh.capacity - (0 if n % 3 == 0 else 1 if n % 3 == 1 else sh.capacity // 2)
            over = n % 5 == 0
            for k in range(target + (1 if over else 0)):
                while i < len(recent) and recent[i].pk in busy:
                    i += 1
                if i >= len(recent):
                    return
                case = recent[i]
                busy.add(case.pk)
                admitted = self.date_after(case.identification_date, 0, 5) or case.identification_date
                self.stay(
                    case,
                    sh,
                    admitted,
                    None,
                    over_reason="korban anak; tidak ada tempat lain" if k >= sh.capacity else "",
                )
        for case in recent[i:]:
            if case.pk in busy or self.rng.random() > 0.25 or not shelters:
                continue
            sh = self.rng.choice(shelters)
            admitted = self.date_after(case.identification_date, 0, 5) or case.identification_date
            discharged = self.date_after(admitted, 3, 60)
            if discharged is None:
                continue
            self.stay(case, sh, admitted, discharged)

    def stay(self, case, shelter, admitted, discharged, over_reason=""):
        svc = self.service(
            case,
            "shelter",
            status=ServiceStatus.COMPLETED if discharged else ServiceStatus.IN_PROGRESS,
            requested=admitted,
            provider=shelter,
        )
        svc.started_on, svc.completed_on = admitted, discharged
        svc.status = ServiceStatus.COMPLETED if discharged else ServiceStatus.IN_PROGRESS
        st = ShelterStay(
            case=case,
            shelter=shelter,
            service=svc,
            admitted_on=admitted,
            discharged_on=discharged,
            over_capacity=bool(over_reason),
            over_capacity_reason=over_reason,
            is_demo=True,
            discharge_reason="kembali ke keluarga" if discharged else "",
        )
        self.stays.append(st)
        self.note(case, "shelter_admit", f"Masuk {shelter.name}", shelter, "shelter_stay", st.pk, admitted)

    # ------------------------------------------------------------ repatriation and reintegration

    def repatriation(self, case):
        victim = case.victim
        escort = case.is_child or victim.disability_id in ESCORT_DISABILITIES
        origin = case.origin_region_id or case.region_id
        province = origin.split(".")[0]
        start = self.date_after(case.identification_date, 1, 20) or case.identification_date
        legs = []
        if victim.citizenship_status_id != "citizenship_status.wni" and victim.citizenship_id not in (None, "ID"):
            legs.append(
                ("foreign_return", {"iom", "foreign_embassy"}, (case.region_id, None), (None, victim.citizenship_id))
            )
        else:
            if case.scope == "transnational":
                legs.append(
                    (
                        "abroad_to_debarkation",
                        {"bp2mi_upt", "mofa_mission"},
                        (None, case.destination_country_id or "MY"),
                        ("65.03", None),
                    )
                )
                legs.append(
                    (
                        "debarkation_to_province",
                        {"kemensos_sentra", "dinsos_prov", "bp2mi_upt"},
                        ("65.03", None),
                        (province, None),
                    )
                )
            legs.append(("province_to_district", {"dinsos_prov"}, (province, None), (origin, None)))
            legs.append(("district_to_family", {"dinsos_kabkota", "uptd_ppa_kabkota"}, (origin, None), (origin, None)))
        day = start
        stop = self.rng.random() < 0.25  # some returns stall on the way
        done_all = True
        for n, (leg_type, types, frm, to) in enumerate(legs):
            org = self.pick_org(types, origin) or self.pick_org(allowed_org_types("repatriation"), origin)
            arrived = None if (stop and n == len(legs) - 1) else self.date_after(day, 0, 3)
            status = LegStatus.COMPLETED if arrived else LegStatus.PLANNED
            done_all = done_all and arrived is not None
            fund = self.rng.choice(["apbn", "apbd_prov", "apbd_kabkota", "iom", "none"])
            g = RepatriationLeg(
                case=case,
                leg_type_id=f"repatriation_leg.{leg_type}",
                responsible_org=org,
                from_region_id=frm[0],
                from_country_id=frm[1],
                to_region_id=to[0],
                to_country_id=to[1],
                status=status,
                planned_on=day,
                departed_on=day if arrived else None,
                arrived_on=arrived,
                cost=Decimal(self.rng.randrange(250_000, 8_000_000, 50_000)),
                funding_source_id=f"funding_source.{fund}",
                funder_org=org if fund != "none" else None,
                escort_required=escort,
                escorted=escort or self.rng.random() < 0.3,
                is_demo=True,
            )
            self.legs.append(g)
            self.note(
                case,
                "repatriation_leg_create",
                f"Pemulangan: {leg_type} oleh {org.name}",
                org,
                "repatriation_leg",
                g.pk,
                day,
            )
            day = arrived or day
        return day if done_all else None

    def reintegration(self, case, return_on):
        org = self.pick_org(allowed_org_types("social_reintegration"), case.origin_region_id or case.region_id)
        plan = ReintegrationPlan(
            case=case,
            responsible_org=org,
            return_on=return_on,
            destination_region_id=case.origin_region_id,
            is_demo=True,
            arrangement=self.rng.choice(["family", "family", "family", "substitute_family"]),
            goals="Kembali bersekolah/bekerja; pendampingan psikososial; pelatihan keterampilan.",
        )
        self.plans.append(plan)
        diligent = self.rng.random() < 0.6 and not self.force_lazy_followups
        if add_months(return_on, 1) < self.today:
            self.force_lazy_followups = False
        for m in FOLLOWUP_MONTHS:
            due = add_months(return_on, m)
            visited = outcome = None
            if due <= self.today and (diligent or self.rng.random() < 0.3):
                visited = min(self.today, due + dt.timedelta(days=self.rng.randint(-3, 10)))
                outcome = self.rng.choice(["stable", "stable", "needs_support", "at_risk", "unreachable"])
            self.visits.append(
                FollowUpVisit(
                    plan=plan,
                    case=case,
                    month=m,
                    due_on=due,
                    visited_on=visited,
                    outcome=outcome or "",
                    visited_by_org=org if visited else None,
                    is_demo=True,
                )
            )
        self.note(
            case,
            "reintegration_plan",
            f"Rencana reintegrasi oleh {org.name}",
            org,
            "reintegration_plan",
            plan.pk,
            return_on,
        )

    # ------------------------------------------------------------ legal

    def legal_track(self, case, perps):
        police = self.pick_org({"police_unit_ppa"}, case.region_id)
        prosecutor = self.pick_org({"prosecutor"}, case.region_id)
        court = self.pick_org({"court"}, case.region_id)
        report = self.date_after(case.identification_date, 0, 10)
        if report is None or police is None:
            return
        lc = LegalCase(
            case=case,
            police_report_number=f"LP/B/{self.rng.randint(10, 999)}/{report.year}/DEMO",
            police_report_date=report,
            police_unit=police,
            is_demo=True,
        )
        stages = [
            ("police_report", 0, police),
            ("investigation", 3, police),
            ("suspect_named", 20, police),
            ("file_complete_p21", 60, prosecutor),
            ("prosecution", 75, prosecutor),
            ("trial", 90, court),
            ("verdict", 150, court),
        ]
        depth = self.rng.choice([1, 2, 3, 4, 5, 6, 7, 7, 7, 7])
        forced = self.force_verdict and report + dt.timedelta(days=200) < self.today
        if forced:
            depth, self.force_verdict = 7, False
        last = None
        for stage, offset, org in stages[:depth]:
            day = report if stage == "police_report" else report + dt.timedelta(days=offset + self.rng.randint(0, 10))
            if day > self.today:
                break
            ev = LegalEvent(
                legal_case=lc,
                case=case,
                stage_id=f"legal_stage.{stage}",
                date=day,
                organisation=org,
                is_demo=True,
                reference_number=lc.police_report_number if stage == "police_report" else "",
            )
            if stage == "suspect_named":
                ev.articles = "2(1)"
            if stage == "verdict":
                ev.verdict = "convicted" if forced or self.rng.random() < 0.85 else "acquitted"
                if ev.verdict == "convicted":
                    ev.articles = self.rng.choice(["2(1)", "2(1), 17", "4", "6", "2(1), 10"])
                    ev.sentence_months = self.rng.choice([36, 48, 60, 72, 84, 120])
                    ev.fine = Decimal(self.rng.choice([120, 200, 300, 600])) * 1_000_000
            self.events.append(ev)
            if stage in ("suspect_named", "verdict"):
                for p in perps:
                    self.suspects.append((ev, p))
            self.note(case, "legal_event", f"Proses hukum: {stage}", org, "legal_event", ev.pk, day)
            last = ev
        if last is None:
            return
        lc.stage_id, lc.stage_date = last.stage_id, last.date
        lc.prosecutor_org = prosecutor if depth >= 4 else None
        lc.court_org = court if depth >= 6 else None
        if self.rng.random() < 0.2:
            lc.lpsk_protection = self.rng.choice([LpskProtection.APPLIED, LpskProtection.GRANTED])
            lc.lpsk_applied_on = report
            if lc.lpsk_protection == LpskProtection.GRANTED:
                lc.lpsk_decided_on = min(self.today, report + dt.timedelta(days=self.rng.randint(3, 20)))
        self.legal.append(lc)
        if (
            last.stage_id == "legal_stage.verdict"
            and last.verdict == "convicted"
            and (forced or self.rng.random() < 0.8)
        ):
            self.restitution(case, report, last.date)

    def restitution(self, case, requested, ordered_on):
        amount = Decimal(self.rng.randrange(5_000_000, 150_000_000, 500_000))
        r = Restitution(
            case=case,
            requested_on=requested,
            requested_amount=amount * Decimal("1.5"),
            lpsk_assessed_on=requested + dt.timedelta(days=20),
            lpsk_assessed_amount=amount * Decimal("1.2"),
            ordered_on=ordered_on,
            ordered_amount=amount,
            is_demo=True,
        )
        mode = self.rng.random()
        if self.force_unpaid and ordered_on < self.today - dt.timedelta(days=30):
            mode, self.force_unpaid = 0.9, False
        paid = Decimal(0)
        if mode < 0.35:  # paid in full within the 30 days
            day = min(self.today, ordered_on + dt.timedelta(days=self.rng.randint(5, 28)))
            self.payments.append(RestitutionPayment(restitution=r, case=case, paid_on=day, amount=amount, is_demo=True))
            paid = amount
        elif mode < 0.6:  # partly paid
            part = (amount * Decimal(self.rng.choice(["0.25", "0.5"]))).quantize(Decimal("1"))
            day = min(self.today, ordered_on + dt.timedelta(days=self.rng.randint(10, 45)))
            self.payments.append(RestitutionPayment(restitution=r, case=case, paid_on=day, amount=part, is_demo=True))
            paid = part
        r.paid_amount = paid
        r.status_id = (
            "restitution_status.paid_full"
            if paid == amount
            else "restitution_status.paid_partial"
            if paid
            else "restitution_status.awarded"
        )
        self.restitutions.append(r)
        self.note(case, "restitution", "Restitusi diputus", None, "restitution", r.pk, ordered_on)

    # ------------------------------------------------------------ run

    def run(self, cases):
        perps = defaultdict(list)
        for p in Perpetrator.objects.filter(case__in=cases).order_by("created_at"):
            perps[p.case_id].append(p)
        for case in cases:
            r = self.rng.random
            self.service(
                case,
                "identification_assessment",
                provider=case.owner_org
                if case.owner_org.type_code in allowed_org_types("identification_assessment")
                else None,
                requested=case.identification_date,
                funding="apbd_kabkota",
            )
            for _ in range(self.rng.choice([0, 1, 1, 2])):
                self.service(case, self.rng.choice(HEALTH))
            if r() < 0.45:
                self.service(case, "social_rehabilitation")
            if r() < 0.4:
                self.service(case, "legal_aid")
            if r() < 0.15:
                self.service(case, self.rng.choice(["economic_empowerment", "spiritual_guidance", "education"]))
            if r() < 0.5 and (self.today - case.identification_date).days > 20:
                back = self.repatriation(case)
                if back and r() < 0.8:
                    self.reintegration(case, back)
            if r() < 0.55 or (self.force_verdict and case.identification_date < self.today - dt.timedelta(days=230)):
                self.legal_track(case, perps.get(case.pk, []))
            if r() < 0.2:
                self.manual_rights.append(
                    RightEntry(
                        case=case,
                        right_id="right.special_examination_room",
                        manual_status="fulfilled",
                        manual_reason="Diperiksa di ruang pelayanan khusus Unit PPA",
                        manual_fulfilled_on=min(self.today, case.identification_date + dt.timedelta(days=3)),
                    )
                )
        self.shelters(cases)

    def save(self):
        ServiceRecord.objects.bulk_create(self.services, batch_size=1000)
        ShelterStay.objects.bulk_create(self.stays, batch_size=1000)
        RepatriationLeg.objects.bulk_create(self.legs, batch_size=1000)
        ReintegrationPlan.objects.bulk_create(self.plans, batch_size=1000)
        FollowUpVisit.objects.bulk_create(self.visits, batch_size=1000)
        LegalCase.objects.bulk_create(self.legal, batch_size=1000)
        LegalEvent.objects.bulk_create(self.events, batch_size=1000)
        through = LegalEvent.suspects.through
        through.objects.bulk_create(
            [through(legalevent_id=e.pk, perpetrator_id=p.pk) for e, p in self.suspects], batch_size=1000
        )
        Restitution.objects.bulk_create(self.restitutions, batch_size=1000)
        RestitutionPayment.objects.bulk_create(self.payments, batch_size=1000)
        RightEntry.objects.bulk_create(self.manual_rights, batch_size=1000)
        CaseEvent.objects.bulk_create(self.timeline, batch_size=2000)


def populate(ctx) -> None:
    ids = list(ctx.case_ids)
    if not ids:
        ctx.say("tidak ada kasus demo; layanan dilewati")
        return
    if ServiceRecord.objects.filter(case_id__in=ids[:50]).exists():
        ctx.say("layanan demo sudah ada")
        return
    cases = list(
        Case.objects.filter(pk__in=ids)
        .exclude(is_draft=True)
        .select_related("victim", "owner_org", "owner_org__org_type")
        .order_by("identification_date", "case_number")
    )
    demo = _Demo(ctx)
    demo.run(cases)
    demo.save()
    for start in range(0, len(cases), 500):
        rights_refresh_many([c.pk for c in cases[start : start + 500]])
    unfunded = sum(1 for s in demo.services if s.unfunded)
    refused = sum(1 for s in demo.services if s.bpjs_claim_refused)
    ctx.say(
        f"{len(demo.services)} layanan ({unfunded} tanpa dana, {refused} klaim BPJS ditolak), "
        f"{len(demo.stays)} masa tinggal, {len(demo.legs)} tahap pemulangan, {len(demo.plans)} rencana "
        f"reintegrasi, {len(demo.legal)} perkara, {len(demo.restitutions)} restitusi"
    )
