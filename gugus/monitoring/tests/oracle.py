"""An independent computation of every shipped indicator straight from the ORM rows, in plain
Python (no SQL aggregation, no formula parser, no analytics store). The correctness test
compares it with the engine at every level and for months, quarters and years."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from gugus.monitoring.periods import Period

GIVEN = {"in_progress", "completed"}
SPM = {
    "complaint": {"complaint_intake", "outreach", "identification_assessment"},
    "health": {"health_physical", "health_psychological", "health_medicolegal", "urgent_first_aid"},
    "social_rehab": {"social_rehabilitation"},
    "spiritual": {"spiritual_guidance"},
    "legal_aid": {"legal_aid"},
    "repatriation": {"repatriation"},
    "reintegration": {"social_reintegration"},
}
DEADLINE_TYPES = {
    "health_physical",
    "health_psychological",
    "health_medicolegal",
    "urgent_first_aid",
    "social_rehabilitation",
    "repatriation",
    "social_reintegration",
}
DEADLINE_RIGHTS = {
    "health_rehabilitation",
    "social_rehabilitation",
    "repatriation",
    "social_reintegration",
    "urgent_first_aid",
    "lpsk_assistance",
    "protection_from_threats",
}
SHELTER_TYPES = {
    "safe_house",
    "rptc",
    "rpsa",
    "rpsw",
    "trauma_centre",
    "kemensos_sentra",
    "uptd_ppa_prov",
    "uptd_ppa_kabkota",
    "p2tp2a",
}
UNIT_TYPES = {"uptd_ppa_kabkota", "uptd_ppa_prov", "p2tp2a", "ppt_hospital", "ppt_police_hospital"}


def code(key):
    return key.split(".", 1)[1] if key else None


def mkey(d: dt.date) -> int:
    return d.year * 100 + d.month


def inside(region: str, scope: str) -> bool:
    """Whether an analytics region (≤ kab/kota) lies in `scope` (ID, a province, a kab/kota)."""
    return scope == "ID" or region == scope or region.startswith(scope + ".")


class Oracle:
    def __init__(self):
        from gugus.cases.models import Case

        self.today = timezone.localdate()
        self.facts: dict[tuple[str, str], list[tuple[str, int, float]]] = defaultdict(list)
        cases = list(Case.objects.all().prefetch_related("exploitation_forms").select_related("victim"))
        self.counted = [c for c in cases if self._counted(c)]
        self.counted_ids = {c.pk: c for c in self.counted}
        self._cases()
        self._care()
        self._referrals()
        self._registry()
        self._reference()
        self._closings()

    @staticmethod
    def _counted(c) -> bool:
        return (
            not c.is_draft
            and c.status != "draft"
            and c.trafficking_status != "not_a_victim"
            and c.closure_reason_id not in ("closure_reason.duplicate", "closure_reason.not_a_victim")
        )

    def add(self, element, disagg, region, key, value=1.0):
        self.facts[(element, disagg)].append(((region or "ID")[:5], key, float(value)))

    def add_all(self, element, dims: dict, region, key, value=1.0):
        self.add(element, "", region, key, value)
        for cat, opt in dims.items():
            if isinstance(opt, list | set | tuple):
                for o in opt:
                    self.add(element, f"{cat}:{o}", region, key, value)
            elif opt:
                self.add(element, f"{cat}:{opt}", region, key, value)

    # -------------------------------------------------------------- sources
    def _cases(self):
        by_victim = defaultdict(list)
        for c in self.counted:
            by_victim[c.victim_id].append(c)
        for c in self.counted:
            dims = {"sex": code(c.victim.sex_id), "age": "child" if c.is_child else "adult"}
            self.add_all("cases_identified", dims, c.region_id, mkey(c.identification_date))
            if c.closed_at:
                self.add("cases_closed", "", c.region_id, mkey(c.closed_at))
        for _victim, cs in by_victim.items():
            first = min(cs, key=lambda c: (c.identification_date, c.case_number))
            k = mkey(first.identification_date)
            dims = {
                "sex": code(first.victim.sex_id),
                "age": "child" if first.is_child else "adult",
                "citizenship": code(first.victim.citizenship_status_id),
                "scope": first.scope,
                "status": first.trafficking_status,
                "exploitation": [code(e.key) for e in first.exploitation_forms.all()],
            }
            self.add_all("victims_identified", dims, first.region_id, k)
            self.add_all("victims_origin", {"sex": dims["sex"], "age": dims["age"]}, first.origin_region_id or "ID", k)

    def _care(self):
        from gugus.care import models as care

        days = settings.RIGHTS_DEADLINE_DAYS
        served = defaultdict(set)
        for s in care.ServiceRecord.objects.all():
            c = self.counted_ids.get(s.case_id)
            if c is None:
                continue
            t = code(s.service_type_id)
            if s.status in GIVEN:
                when = s.started_on or s.completed_on or s.requested_on
                f = code(s.funding_source_id) or "unrecorded"
                self.add_all("services_given", {"service_type": t, "funding": f}, c.region_id, mkey(when))
                if s.cost:
                    self.add_all("services_cost", {"funding": f}, c.region_id, mkey(when), s.cost)
                if s.unfunded:
                    self.add_all("services_unfunded", {"service_type": t}, c.region_id, mkey(when))
                for g, types in SPM.items():
                    if t in types:
                        served[g].add(c.pk)
            if s.status != "cancelled" and t in DEADLINE_TYPES:
                self.add_all("services_due_7d", {"service_type": t}, c.region_id, mkey(s.requested_on))
                began = s.started_on or s.completed_on
                if began is not None and (began - s.requested_on).days <= days:
                    self.add_all("services_timely_7d", {"service_type": t}, c.region_id, mkey(s.requested_on))
        for leg in care.RepatriationLeg.objects.filter(status="completed"):
            if leg.case_id in self.counted_ids:
                served["repatriation"].add(leg.case_id)
        for lc in care.LegalCase.objects.exclude(police_report_date=None):
            if lc.case_id in self.counted_ids:
                served["law_enforcement"].add(lc.case_id)
        for ev in care.LegalEvent.objects.all():
            if ev.case_id in self.counted_ids:
                served["law_enforcement"].add(ev.case_id)
        for g, ids in served.items():
            for cid in ids:
                c = self.counted_ids[cid]
                self.add_all("cases_served", {"spm": g}, c.region_id, mkey(c.identification_date))
        for r in care.RightEntry.objects.all():
            c = self.counted_ids.get(r.case_id)
            if c is None or r.status in ("not_applicable", "refused_by_victim"):
                continue
            rc = code(r.right_id)
            if rc not in ("identity_confidentiality", "family_identity_confidentiality"):
                self.add_all("rights_applicable", {"right": rc}, c.region_id, mkey(c.identification_date))
                if r.status == "fulfilled":
                    self.add_all("rights_fulfilled", {"right": rc}, c.region_id, mkey(c.identification_date))
            if rc in DEADLINE_RIGHTS and r.applied_on and r.due_on:
                self.add_all("rights_due_7d", {"right": rc}, c.region_id, mkey(r.applied_on))
                if r.status == "fulfilled" and r.fulfilled_on and r.fulfilled_on <= r.due_on:
                    self.add_all("rights_timely_7d", {"right": rc}, c.region_id, mkey(r.applied_on))
        for st in care.ShelterStay.objects.all():
            c = self.counted_ids.get(st.case_id)
            if c is None:
                continue
            self.add("shelter_admissions", "", c.region_id, mkey(st.admitted_on))
            end = st.discharged_on or self.today
            if end == st.admitted_on:
                self.add("shelter_bed_days", "", c.region_id, mkey(end))
            day = st.admitted_on
            while day < end:  # one night at a time: as plain as it gets
                self.add("shelter_bed_days", "", c.region_id, mkey(day))
                day += dt.timedelta(days=1)
        for lc in care.LegalCase.objects.exclude(police_report_date=None):
            c = self.counted_ids.get(lc.case_id)
            if c is not None:
                self.add("police_reports", "", c.region_id, mkey(lc.police_report_date))
        for ev in care.LegalEvent.objects.filter(stage_id="legal_stage.verdict"):
            c = self.counted_ids.get(ev.case_id)
            if c is not None:
                self.add_all("verdicts", {"verdict": ev.verdict or "unrecorded"}, c.region_id, mkey(ev.date))
        for leg in care.RepatriationLeg.objects.filter(status="completed").exclude(arrived_on=None):
            c = self.counted_ids.get(leg.case_id)
            if c is not None:
                self.add_all(
                    "repatriation_legs_completed", {"leg": code(leg.leg_type_id)}, c.region_id, mkey(leg.arrived_on)
                )
        for fu in care.FollowUpVisit.objects.filter(due_on__lte=self.today):
            c = self.counted_ids.get(fu.case_id)
            if c is not None:
                self.add("followups_due", "", c.region_id, mkey(fu.due_on))
                if fu.visited_on:
                    self.add("followups_done", "", c.region_id, mkey(fu.due_on))
        for rs in care.Restitution.objects.exclude(ordered_on=None).exclude(ordered_amount=None):
            c = self.counted_ids.get(rs.case_id)
            if c is None:
                continue
            self.add("restitution_ordered", "", c.region_id, mkey(rs.ordered_on), rs.ordered_amount)
            self.add("restitution_ordered_cases", "", c.region_id, mkey(rs.ordered_on))
            self.add("restitution_paid_of_ordered", "", c.region_id, mkey(rs.ordered_on), rs.paid_amount)
        for p in care.RestitutionPayment.objects.all():
            c = self.counted_ids.get(p.case_id)
            if c is not None:
                self.add("restitution_paid", "", c.region_id, mkey(p.paid_on), p.amount)

    def _referrals(self):
        from gugus.referrals.models import Referral

        tz = ZoneInfo(settings.TIME_ZONE)
        for r in Referral.objects.exclude(status="cancelled"):
            c = self.counted_ids.get(r.case_id)
            if c is None:
                continue
            k = mkey(r.sent_at.astimezone(tz).date())
            dims = {"kind": r.kind}
            self.add_all("referrals_sent", dims, c.region_id, k)
            if r.accepted_at:
                self.add_all("referrals_accepted", dims, c.region_id, k)
            if r.status == "completed":
                self.add_all("referrals_completed", dims, c.region_id, k)
            if r.status == "declined":
                self.add_all("referrals_declined", dims, c.region_id, k)
            if r.status in ("sent", "accepted") and r.due_date < self.today:
                self.add_all("referrals_overdue", dims, c.region_id, k)

    def _registry(self):
        from gugus.registry import models as reg

        self.taskforces = []
        for tf in reg.TaskForce.objects.all():
            history = sorted((h.date, h.id, h.status) for h in tf.status_history.all()) or [
                (tf.status_since, 0, tf.status)
            ]
            self.taskforces.append((tf.region_id, history))
        self.plans = [
            (p.region_id, p.period_start, p.period_end, p.enacted_on)
            for p in reg.ActionPlan.objects.filter(status__in=["enacted", "expired"])
        ]
        for b in reg.BudgetLine.objects.all():
            k = b.year * 100
            dims = {"programme": code(b.programme_id), "source": code(b.source_id)}
            self.add_all("budget_allocated", dims, b.region_id, k, b.allocated)
            if b.realised:
                self.add_all("budget_realised", dims, b.region_id, k, b.realised)
        for s in reg.StaffCount.objects.select_related("unit"):
            self.add("staff_total", "", s.unit.region_id, s.year * 100, s.total)
            self.add("staff_trained", "", s.unit.region_id, s.year * 100, s.trained)

    def tf_active(self, scope: str, end_month: int) -> float:
        n = 0
        last_day = Period.of_month_key(end_month).end
        for region, history in self.taskforces:
            if region.count(".") != 1 or not inside(region, scope):
                continue
            state = None
            for date, _id, status in history:
                if date <= last_day:
                    state = status
            n += state == "active"
        return float(n)

    def rad_enacted(self, scope: str, end_month: int) -> float:
        regions = set()
        for region, start, end, enacted_on in self.plans:
            if region.count(".") != 1 or not inside(region, scope):
                continue
            first = max(mkey(enacted_on) if enacted_on else start * 100 + 1, start * 100 + 1)
            if first <= end_month <= end * 100 + 12:
                regions.add(region)
        return float(len(regions))

    def _reference(self):
        from gugus.accounts.models import Organisation
        from gugus.reference.models import Region
        from gugus.registry.models import UnitProfile

        self.kabkota = {r.code: r for r in Region.objects.filter(level=2)}
        profile = {p.organisation_id: p.beds for p in UnitProfile.objects.exclude(beds=None)}
        self.beds = defaultdict(float)
        self.with_unit = set()
        for o in Organisation.objects.filter(active=True).exclude(region_id="ID"):
            t = code(o.org_type_id)
            beds = profile.get(o.pk, o.capacity)
            if t in SHELTER_TYPES and beds:
                self.beds[o.region_id[:5]] += beds
            if t in UNIT_TYPES and "." in o.region_id:
                self.with_unit.add(o.region_id[:5])

    def _closings(self):
        from gugus.monitoring.models import MonthClosing
        from gugus.monitoring.services import reporting_policy

        policy = reporting_policy()
        start = int(policy.closing_start.replace("-", ""))
        cur = mkey(self.today)
        self.expected_months = set()
        k = start
        while k < cur:
            self.expected_months.add(k)
            k = k + 1 if k % 100 < 12 else (k // 100 + 1) * 100 + 1
        for c in MonthClosing.objects.filter(reopened_at=None):
            if c.month in self.expected_months:
                self.add("months_closed", "", c.region_id, c.month)
                if c.on_time:
                    self.add("months_closed_on_time", "", c.region_id, c.month)

    # -------------------------------------------------------------- values
    def flow(self, element: str, disagg: str, scope: str, period: Period) -> float:
        months = set(period.months)
        return sum(v for r, k, v in self.facts.get((element, disagg), []) if inside(r, scope) and k in months)

    def yearly(self, element: str, disagg: str, scope: str, period: Period) -> float | None:
        if period.kind != "year":
            return None
        return sum(
            v for r, k, v in self.facts.get((element, disagg), []) if inside(r, scope) and k == period.year * 100
        )

    def population(self, scope: str) -> float:
        return float(sum(r.population_total or 0 for c, r in self.kabkota.items() if inside(c, scope)))

    def kabkota_count(self, scope: str) -> float:
        return float(sum(1 for c in self.kabkota if inside(c, scope)))

    def months_expected(self, scope: str, period: Period) -> float:
        return float(len([m for m in period.months if m in self.expected_months]) * self.kabkota_count(scope))

    def indicator(self, code_: str, scope: str, period: Period) -> float | None:
        f, y = self.flow, self.yearly
        kinds = ["month", "quarter", "year"]

        def ratio(num, den, factor=100.0):
            if num is None or den is None or den == 0:
                return None
            return num / den * factor

        def need(kind):
            return kinds.index(period.kind) >= kinds.index(kind)

        ci = f("cases_identified", "", scope, period)
        spm = {
            f"spm_{g}": g
            for g in [
                "complaint",
                "health",
                "social_rehab",
                "spiritual",
                "law_enforcement",
                "legal_aid",
                "repatriation",
                "reintegration",
            ]
        }
        if code_ in spm:
            return ratio(f("cases_served", f"spm:{spm[code_]}", scope, period), ci) if need("quarter") else None
        end = period.last_month
        tf_share = ratio(self.tf_active(scope, end), self.kabkota_count(scope))
        rad_share = ratio(self.rad_enacted(scope, end), self.kabkota_count(scope))
        unit_cov = ratio(float(len([c for c in self.with_unit if inside(c, scope)])), self.kabkota_count(scope))
        table = {
            "rights_fulfilled": (
                "quarter",
                lambda: ratio(f("rights_fulfilled", "", scope, period), f("rights_applicable", "", scope, period)),
            ),
            "services_within_7d": (
                "month",
                lambda: ratio(f("services_timely_7d", "", scope, period), f("services_due_7d", "", scope, period)),
            ),
            "rights_within_7d": (
                "month",
                lambda: ratio(f("rights_timely_7d", "", scope, period), f("rights_due_7d", "", scope, period)),
            ),
            "unfunded_services_share": (
                "month",
                lambda: ratio(f("services_unfunded", "", scope, period), f("services_given", "", scope, period)),
            ),
            "referral_completion": (
                "month",
                lambda: ratio(f("referrals_completed", "", scope, period), f("referrals_sent", "", scope, period)),
            ),
            "referral_acceptance": (
                "month",
                lambda: ratio(f("referrals_accepted", "", scope, period), f("referrals_sent", "", scope, period)),
            ),
            "referral_overdue_share": (
                "month",
                lambda: ratio(f("referrals_overdue", "", scope, period), f("referrals_sent", "", scope, period)),
            ),
            "restitution_paid_ratio": (
                "year",
                lambda: ratio(
                    f("restitution_paid_of_ordered", "", scope, period), f("restitution_ordered", "", scope, period)
                ),
            ),
            "victims_per_100k": (
                "year",
                lambda: ratio(f("victims_identified", "", scope, period), self.population(scope), 100000.0),
            ),
            "victims_origin_per_100k": (
                "year",
                lambda: ratio(f("victims_origin", "", scope, period), self.population(scope), 100000.0),
            ),
            "child_share": (
                "month",
                lambda: ratio(
                    f("victims_identified", "age:child", scope, period), f("victims_identified", "", scope, period)
                ),
            ),
            "female_share": (
                "month",
                lambda: ratio(
                    f("victims_identified", "sex:female", scope, period), f("victims_identified", "", scope, period)
                ),
            ),
            "origin_child_share": (
                "year",
                lambda: ratio(f("victims_origin", "age:child", scope, period), f("victims_origin", "", scope, period)),
            ),
            "reporting_completeness": (
                "month",
                lambda: ratio(f("months_closed", "", scope, period), self.months_expected(scope, period)),
            ),
            "reporting_timeliness": (
                "month",
                lambda: ratio(f("months_closed_on_time", "", scope, period), self.months_expected(scope, period)),
            ),
            "tf_active_share": ("year", lambda: tf_share),
            "rad_enacted_share": ("year", lambda: rad_share),
            "integrated_unit_coverage": ("year", lambda: unit_cov),
            "prevention_budget_per_capita": (
                "year",
                lambda: ratio(
                    y("budget_allocated", "programme:prevention", scope, period), self.population(scope), 1.0
                ),
            ),
            "budget_realisation": (
                "year",
                lambda: ratio(y("budget_realised", "", scope, period), y("budget_allocated", "", scope, period)),
            ),
            "shelter_beds_per_100k": (
                "year",
                lambda: ratio(
                    sum(v for r, v in self.beds.items() if inside(r, scope)), self.population(scope), 100000.0
                ),
            ),
            "trained_staff_share": (
                "year",
                lambda: ratio(y("staff_trained", "", scope, period), y("staff_total", "", scope, period)),
            ),
            "institutional_readiness": (
                "year",
                lambda: None if None in (tf_share, rad_share, unit_cov) else (tf_share + rad_share + unit_cov) / 3,
            ),
        }
        if code_ not in table:
            raise KeyError(f"the oracle has no definition of '{code_}': add one")
        kind, fn = table[code_]
        return fn() if need(kind) else None
