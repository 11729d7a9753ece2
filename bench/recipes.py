"""Recipes for the records that hang on a case: services, referrals (with their status history
and the access they grant), legal tracks (with steps and restitution).

Each recipe writes columns for one chunk of cases through the BulkWriter and keeps every check
constraint of its model (dates in order, a declined referral has a reason, ...). When an app's
model changes so that a recipe no longer fits, the data set summary names the failure and the
benchmarks that need those records say they could not measure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .bulk import to_db, uuid_hex_list

SERVICE_TYPES = [
    ("complaint_intake", 10),
    ("identification_assessment", 8),
    ("case_management", 12),
    ("accompaniment", 8),
    ("health_physical", 12),
    ("health_psychological", 9),
    ("health_medicolegal", 3),
    ("urgent_first_aid", 2),
    ("shelter", 6),
    ("social_rehabilitation", 7),
    ("spiritual_guidance", 3),
    ("legal_aid", 6),
    ("repatriation", 6),
    ("social_reintegration", 4),
    ("reintegration_followup", 2),
    ("economic_empowerment", 2),
]
SERVICE_STATUS = [
    ("completed", 55),
    ("in_progress", 20),
    ("requested", 15),
    ("refused_by_victim", 3),
    ("not_provided", 4),
    ("cancelled", 3),
]
FUNDING = [
    ("apbd_kabkota", 35),
    ("apbd_prov", 10),
    ("apbn", 10),
    ("dak", 5),
    ("bpjs_jkn", 8),
    ("jamkesda", 5),
    ("lpsk", 5),
    ("donor_ngo", 5),
    ("iom", 3),
    ("self_family", 3),
    ("none", 8),
    ("other", 3),
]
REFERRAL_STATUS = [("sent", 12), ("accepted", 23), ("completed", 50), ("declined", 8), ("cancelled", 7)]
LEGAL_STAGES = [
    "police_report",
    "investigation",
    "suspect_named",
    "file_complete_p21",
    "prosecution",
    "trial",
    "verdict",
    "final",
]


@dataclass
class CaseRows:
    """The cases of one chunk (parallel lists)."""

    case_ids: list[str]
    victim_ids: list[str]
    org_ids: list[str]
    region_codes: list[str]
    dates: list[dt.date]


def _expand(pairs):
    out = []
    for value, weight in pairs:
        out += [value] * weight
    return out


class Recipes:
    def __init__(self, gen):
        self.gen = gen
        self.rng = gen.rng
        self.today = gen.today
        self.service_types = _expand(SERVICE_TYPES)
        self.service_status = _expand(SERVICE_STATUS)
        self.funding = _expand(FUNDING)
        self.referral_status = _expand(REFERRAL_STATUS)
        self._stamp: dict = {}

    def stamp(self, d: dt.date, hour: int = 9) -> str:
        key = (d, hour)
        s = self._stamp.get(key)
        if s is None:
            s = self._stamp[key] = to_db(dt.datetime.combine(d, dt.time(hour), tzinfo=dt.UTC), self.gen.vendor)
        return s

    # -- services -----------------------------------------------------------------------------------
    def services(self, writer, model, rows: CaseRows, idx: list[int]) -> int:
        rnd = self.rng.random
        today = self.today
        types, statuses, funding = self.service_types, self.service_status, self.funding
        nt, ns, nf = len(types), len(statuses), len(funding)
        org_ids = self.gen.org_ids
        no = len(org_ids)
        cols = {
            k: []
            for k in (
                "case_id",
                "service_type_id",
                "provider_org_id",
                "status",
                "requested_on",
                "started_on",
                "completed_on",
                "cost",
                "funding_source_id",
                "bpjs_claim_refused",
                "alt_funding_source_id",
                "unfunded",
                "created_at",
                "updated_at",
            )
        }
        a = {k: v.append for k, v in cols.items()}
        one_day = dt.timedelta(days=1)
        for i in idx:
            base = rows.dates[i]
            status = statuses[int(rnd() * ns)]
            req = base + one_day * int(rnd() * 90)
            if req > today:
                req = today
            started = completed = None
            if status in ("completed", "in_progress"):
                started = req + one_day * int(rnd() * 10)
                if started > today:
                    started = today
                if status == "completed":
                    completed = started + one_day * int(rnd() * 45)
                    if completed > today:
                        completed = today
            fund = funding[int(rnd() * nf)]
            refused = fund == "bpjs_jkn" and rnd() < 0.3
            alt = "funding_source.apbd_kabkota" if refused and rnd() < 0.5 else None
            a["case_id"](rows.case_ids[i])
            a["service_type_id"]("service_type." + types[int(rnd() * nt)])
            a["provider_org_id"](rows.org_ids[i] if rnd() < 0.7 else org_ids[int(rnd() * no)])
            a["status"](status)
            a["requested_on"](req.isoformat())
            a["started_on"](started.isoformat() if started else None)
            a["completed_on"](completed.isoformat() if completed else None)
            a["cost"](f"{int(rnd() * 20_000) * 1000}.00" if rnd() < 0.6 else None)
            a["funding_source_id"]("funding_source." + fund)
            a["bpjs_claim_refused"](refused)
            a["alt_funding_source_id"](alt)
            a["unfunded"](fund == "none" or (refused and alt is None))
            s = self.stamp(req)
            a["created_at"](s)
            a["updated_at"](s)
        n = len(idx)
        cols["id"] = uuid_hex_list(self.rng, n)
        return writer.insert(model, n, {**cols, "is_demo": True, "version": 1, "outcome": ""})

    # -- referrals ----------------------------------------------------------------------------------
    def referrals(self, writer, model, rows: CaseRows, idx: list[int]) -> int:
        from django.apps import apps

        rnd = self.rng.random
        today = self.today
        org_ids = self.gen.org_ids
        no = len(org_ids)
        statuses, types = self.referral_status, self.service_types
        n = len(idx)
        ids = uuid_hex_list(self.rng, n)
        cols = {
            k: []
            for k in (
                "id",
                "kind",
                "case_id",
                "from_org_id",
                "to_org_id",
                "service_type_id",
                "reason",
                "due_date",
                "status",
                "consent_override_reason",
                "decline_reason",
                "cancel_reason",
                "sent_at",
                "accepted_at",
                "declined_at",
                "completed_at",
                "cancelled_at",
                "created_at",
                "updated_at",
            )
        }
        a = {k: v.append for k, v in cols.items()}
        hist = {k: [] for k in ("referral_id", "from_status", "to_status", "at", "organisation_id", "note")}
        access = {k: [] for k in ("id", "case_id", "organisation_id", "level", "source_type", "source_id")}
        one_day = dt.timedelta(days=1)
        for j, i in enumerate(idx):
            frm = rows.org_ids[i]
            to = org_ids[int(rnd() * no)]
            if to == frm:
                to = org_ids[(org_ids.index(to) + 1) % no]
            sent = rows.dates[i] + one_day * int(rnd() * 60)
            if sent > today:
                sent = today
            status = statuses[int(rnd() * len(statuses))]
            transfer = rnd() < 0.1
            accepted = sent + one_day * int(rnd() * 5) if status in ("accepted", "completed") else None
            completed = accepted + one_day * int(rnd() * 30) if status == "completed" else None
            if accepted and accepted > today:
                accepted = today
            if completed and completed > today:
                completed = today
            a["id"](ids[j])
            a["kind"]("transfer" if transfer else "referral")
            a["case_id"](rows.case_ids[i])
            a["from_org_id"](frm)
            a["to_org_id"](to)
            a["service_type_id"](None if transfer else "service_type." + types[int(rnd() * len(types))])
            a["reason"]("Kebutuhan layanan (data sintetis)")
            a["due_date"]((sent + one_day * 7).isoformat())
            a["status"](status)
            a["consent_override_reason"]("Data sintetis untuk uji beban")
            a["decline_reason"]("Kapasitas penuh" if status == "declined" else "")
            a["cancel_reason"]("Dibatalkan" if status == "cancelled" else "")
            a["sent_at"](self.stamp(sent, 8))
            a["accepted_at"](self.stamp(accepted, 10) if accepted else None)
            a["declined_at"](self.stamp(sent + one_day if sent < today else sent, 10) if status == "declined" else None)
            a["completed_at"](self.stamp(completed, 15) if completed else None)
            a["cancelled_at"](self.stamp(sent, 12) if status == "cancelled" else None)
            a["created_at"](self.stamp(sent, 8))
            a["updated_at"](self.stamp(sent, 8))
            hist["referral_id"].append(ids[j])
            hist["from_status"].append("")
            hist["to_status"].append("sent")
            hist["at"].append(self.stamp(sent, 8))
            hist["organisation_id"].append(frm)
            hist["note"].append("")
            if status != "sent":
                hist["referral_id"].append(ids[j])
                hist["from_status"].append("sent")
                hist["to_status"].append(status)
                hist["at"].append(self.stamp(accepted or sent, 10))
                hist["organisation_id"].append(to)
                hist["note"].append("")
            if status in ("accepted", "completed"):
                access["id"].append(None)
                access["case_id"].append(rows.case_ids[i])
                access["organisation_id"].append(to)
                access["level"].append("full" if transfer else "service")
                access["source_type"].append("transfer" if transfer else "referral")
                access["source_id"].append(ids[j])
        writer.insert(model, n, {**cols, "is_demo": True, "version": 1, "outcome_note": ""})
        try:
            history = apps.get_model("referrals", "ReferralStatusChange")
            writer.insert(history, len(hist["referral_id"]), {**hist, "by_id": self.gen.user_id})
        except LookupError:
            pass
        from gugus.cases.models import CaseAccess

        k = len(access["case_id"])
        access["id"] = uuid_hex_list(self.rng, k)
        writer.insert(CaseAccess, k, {**access, "granted_at": self.stamp(today)})
        return n

    # -- legal track --------------------------------------------------------------------------------
    def legal(self, writer, model, rows: CaseRows, idx: list[int]) -> int:
        from django.apps import apps

        rnd = self.rng.random
        today = self.today
        idx = sorted(set(idx))  # one legal case per victim case
        n = len(idx)
        ids = uuid_hex_list(self.rng, n)
        one_day = dt.timedelta(days=1)
        cols = {
            k: []
            for k in (
                "id",
                "case_id",
                "police_report_number",
                "police_report_date",
                "stage_id",
                "stage_date",
                "lpsk_protection",
                "lpsk_applied_on",
                "lpsk_decided_on",
            )
        }
        ev = {k: [] for k in ("legal_case_id", "case_id", "stage_id", "date")}
        rest = {k: [] for k in ("case_id", "status_id", "ordered_on", "ordered_amount", "paid_amount")}
        for j, i in enumerate(idx):
            report = rows.dates[i] + one_day * int(rnd() * 30)
            if report > today:
                report = today
            depth = 1 + int(rnd() * len(LEGAL_STAGES))
            day = report
            for s in LEGAL_STAGES[:depth]:
                ev["legal_case_id"].append(ids[j])
                ev["case_id"].append(rows.case_ids[i])
                ev["stage_id"].append("legal_stage." + s)
                ev["date"].append(day.isoformat())
                day = min(today, day + one_day * int(rnd() * 60))
            last_date = ev["date"][-1]
            lpsk = "granted" if rnd() < 0.3 else "none"
            cols["id"].append(ids[j])
            cols["case_id"].append(rows.case_ids[i])
            cols["police_report_number"].append(f"LP/B/{j % 999 + 1}/{report.year}/SINTETIS")
            cols["police_report_date"].append(report.isoformat())
            cols["stage_id"].append("legal_stage." + LEGAL_STAGES[depth - 1])
            cols["stage_date"].append(last_date)
            cols["lpsk_protection"].append(lpsk)
            cols["lpsk_applied_on"].append(report.isoformat() if lpsk != "none" else None)
            cols["lpsk_decided_on"].append(min(today, report + one_day * 20).isoformat() if lpsk != "none" else None)
            if depth >= 7:  # a verdict: restitution ordered, sometimes paid
                ordered = int(rnd() * 200) * 1_000_000 + 5_000_000
                paid = 0 if rnd() < 0.6 else (ordered if rnd() < 0.5 else ordered // 2)
                rest["case_id"].append(rows.case_ids[i])
                rest["status_id"].append(
                    "restitution_status." + ("paid_full" if paid == ordered else "paid_partial" if paid else "awarded")
                )
                rest["ordered_on"].append(last_date)
                rest["ordered_amount"].append(f"{ordered}.00")
                rest["paid_amount"].append(f"{paid}.00")
        writer.insert(model, n, {**cols, "is_demo": True, "version": 1})
        try:
            events = apps.get_model("care", "LegalEvent")
            k = len(ev["case_id"])
            writer.insert(events, k, {**ev, "id": uuid_hex_list(self.rng, k), "is_demo": True, "version": 1})
        except LookupError:
            pass
        try:
            restitution = apps.get_model("care", "Restitution")
            k = len(rest["case_id"])
            writer.insert(restitution, k, {**rest, "id": uuid_hex_list(self.rng, k), "is_demo": True, "version": 1})
        except LookupError:
            pass
        return n


# kind → (model label, recipe method name, records per case)
KINDS = {
    "services": ("care.ServiceRecord", "services", None),  # per case = services / victims
    "referrals": ("referrals.Referral", "referrals", 0.3),
    "legal": ("care.LegalCase", "legal", 0.2),
}
