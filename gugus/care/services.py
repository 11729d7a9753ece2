"""Writes of the care app: one function per action, keyword-only, actor first, one transaction,
an audit event inside it, the case timeline, and `announce` for monitoring.

Meaning is checked here (shape in forms/schemas): every problem is collected into one
`ValidationError({field: [message, …]})` in Bahasa Indonesia and nothing is written.
Organisations may be passed as `Organisation` or UUID; codes as plain codes ("health_physical").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.cases.models import Case, Perpetrator
from gugus.cases.timeline import timeline_add
from gugus.core.errors import Conflict
from gugus.core.signals import announce
from gugus.core.versioning import save_versioned
from gugus.reference.models import Code, Country, Region

from .access import ALL, OWN, care_access, require_write, user_org_ids
from .models import (
    FollowUpOutcome,
    FollowUpVisit,
    LegalCase,
    LegalEvent,
    LegStatus,
    LpskProtection,
    PlanStatus,
    ReintegrationPlan,
    RepatriationLeg,
    Restitution,
    RestitutionPayment,
    RightEntry,
    RightStatus,
    ServiceRecord,
    ServiceStatus,
    ShelterStay,
    Verdict,
)
from .rights import rights_refresh
from .rules import (
    ESCORT_DISABILITIES,
    FOLLOWUP_MONTHS,
    FUNDING_BPJS,
    FUNDING_NONE,
    MAX_AMOUNT,
    MAX_SENTENCE_MONTHS,
    add_months,
    allowed_org_types,
    amount_error,
    parse_amount,
    parse_articles,
)

SERVICE_FIELDS = (
    "service_type",
    "provider_org",
    "status",
    "requested_on",
    "started_on",
    "completed_on",
    "outcome",
    "cost",
    "funding_source",
    "payer_org",
    "bpjs_claim_refused",
    "alt_funding_source",
    "alt_payer_org",
)
LEG_FIELDS = (
    "leg_type",
    "responsible_org",
    "from_region",
    "from_country",
    "to_region",
    "to_country",
    "status",
    "planned_on",
    "departed_on",
    "arrived_on",
    "cost",
    "funding_source",
    "funder_org",
    "medical_condition",
    "escorted",
    "escort_org",
    "note",
)
POLICE_TYPES = {"police_unit_ppa", "police_bareskrim"}
STAGE_ORG_TYPES = {
    "police_report": POLICE_TYPES,
    "investigation": POLICE_TYPES,
    "suspect_named": POLICE_TYPES,
    "stopped_sp3": POLICE_TYPES,
    "file_complete_p21": {"prosecutor"},
    "prosecution": {"prosecutor"},
    "trial": {"court"},
    "verdict": {"court"},
    "appeal": {"court", "prosecutor"},
    "final": {"court"},
}


# ---------------------------------------------------------------- helpers


class Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _today() -> dt.date:
    return timezone.localdate()


def _org(value, field: str, errors: Errors, *, required: bool = False) -> Organisation | None:
    if value in (None, ""):
        if required:
            errors.add(field, "Organisasi wajib dipilih.")
        return None
    if isinstance(value, Organisation):
        return value
    try:
        return Organisation.objects.get(pk=value, active=True)
    except (Organisation.DoesNotExist, ValueError, ValidationError):
        errors.add(field, "Organisasi tidak dikenal.")
        return None


def _code(list_key: str, value, field: str, errors: Errors, *, required: bool = False) -> str | None:
    """The code key (`list.code`) or None; unknown codes are an error naming the value."""
    if value in (None, ""):
        if required:
            errors.add(field, "Wajib diisi.")
        return None
    value = str(value)
    key = value if value.startswith(list_key + ".") else f"{list_key}.{value}"
    if not Code.objects.filter(key=key, active=True).exists():
        errors.add(field, f"Kode '{value[:40]}' tidak ada dalam daftar {list_key}.")
        return None
    return key


def _label(key: str | None) -> str:
    if not key:
        return "-"
    code = Code.objects.filter(key=key).only("label_id", "label_en").first()
    return code.label if code else key.split(".", 1)[-1]


def _date(value, field: str, errors: Errors, *, required: bool = False, future_ok: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.add(field, "Tanggal wajib diisi.")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, "Tanggal tidak sah (format TTTT-BB-HH).")
            return None
    if not future_ok and value > _today():
        errors.add(field, "Tanggal tidak boleh di masa depan.")
        return None
    if value.year < 1990 or value.year > _today().year + 5:
        errors.add(field, "Tanggal tidak masuk akal.")
        return None
    return value


def _money(value, field: str, errors: Errors) -> Decimal | None:
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        errors.add(field, str(exc))
        return None
    problem = amount_error(amount)
    if problem:
        errors.add(field, problem)
        return None
    return amount


def _region(value, field: str, errors: Errors) -> str | None:
    if value in (None, ""):
        return None
    code = value.pk if isinstance(value, Region) else str(value)
    if not Region.objects.filter(pk=code).exists():
        errors.add(field, f"Wilayah '{code[:20]}' tidak dikenal.")
        return None
    return code


def _country(value, field: str, errors: Errors) -> str | None:
    if value in (None, ""):
        return None
    code = value.pk if isinstance(value, Country) else str(value).upper()
    if not Country.objects.filter(pk=code).exists():
        errors.add(field, f"Negara '{code[:20]}' tidak dikenal.")
        return None
    return code


def _type_label(org: Organisation) -> str:
    return _label(org.org_type_id)


def _check_provider(service_type: str, org: Organisation, field: str, errors: Errors) -> None:
    allowed = allowed_org_types(service_type)
    if allowed is not None and org.type_code not in allowed:
        errors.add(
            field,
            f"{org.name} ({_type_label(org)}) tidak dapat memberikan layanan "
            f"'{_label('service_type.' + service_type)}'. Pilih organisasi dengan jenis yang sesuai.",
        )


def _acting_org(actor, perm: str, preferred=None) -> Organisation | None:
    scope = scope_for(actor)
    orgs = scope.orgs_with(perm)
    if preferred is not None and getattr(preferred, "pk", preferred) in orgs:
        return preferred if isinstance(preferred, Organisation) else Organisation.objects.filter(pk=preferred).first()
    for g in scope.grants:
        if perm in g.perms:
            return Organisation.objects.filter(pk=g.organisation_id).first()
    return None


def _announce(kind: str, case: Case, date: dt.date | None) -> None:
    announce(kind, case.region_id, date)
    if case.origin_region_id and case.origin_region_id != case.region_id:
        announce(kind, case.origin_region_id, date)


def _logged(
    actor,
    case: Case,
    action: str,
    summary: str,
    *,
    obj,
    object_type: str,
    kind: str,
    date: dt.date | None,
    org: Organisation | None = None,
    detail: dict | None = None,
    timeline_kind: str = "",
    refresh_rights: bool = True,
) -> None:
    """The tail of every care write, inside its transaction: the case timeline, the audit event
    (ids and codes only, never identity), the rights refresh and the announcement to monitoring."""
    timeline_add(
        case=case,
        kind=timeline_kind or action,
        summary=summary,
        actor=actor,
        organisation=org,
        object_type=object_type,
        object_id=obj.pk,
    )
    record(
        action,
        actor=actor,
        object_type=object_type,
        object_id=obj.pk,
        organisation_id=org.pk if org else None,
        region_code=case.region_id,
        detail={"case": str(case.pk), **(detail or {})},
    )
    if refresh_rights:
        rights_refresh(case)
    _announce(kind, case, date)


def _require_record_write(actor, case: Case, org_id, perm: str = "service.edit") -> str:
    """Write access to one existing care record: full reach, or a referred organisation's reach
    over the records its own organisation provides or is responsible for; else 404."""
    reach = require_write(actor, case, perm)
    if reach == OWN and org_id not in user_org_ids(actor):
        raise Http404
    return reach


def _apply(obj, values: dict) -> list[str]:
    """Set the values that differ; return the changed fields (without `_id`)."""
    changed = []
    for f, v in values.items():
        if getattr(obj, f) != v:
            setattr(obj, f, v)
            changed.append(f.removesuffix("_id"))
    return changed


def _rupiah(amount) -> str:
    from lokal import format_rupiah

    return format_rupiah(int(amount)) if amount is not None else "-"


# ---------------------------------------------------------------- services


def _validate_service(
    data: dict, *, case: Case, reach: str, actor, current: ServiceRecord | None = None, allow_shelter: bool = False
) -> dict:
    """Clean values for a service record (for create: all fields; for update: merged with current)."""
    e = Errors()
    out: dict = {}
    stype = _code("service_type", data.get("service_type"), "service_type", e, required=True)
    out["service_type_id"] = stype
    type_code = stype.split(".", 1)[1] if stype else None
    if type_code == "shelter" and not allow_shelter:
        e.add("service_type", "Layanan penampungan dicatat melalui penerimaan di rumah aman/shelter.")
    org = _org(data.get("provider_org"), "provider_org", e, required=True)
    out["provider_org"] = org
    if org and type_code:
        _check_provider(type_code, org, "provider_org", e)
    if org and reach == OWN and org.pk not in user_org_ids(actor):
        e.add("provider_org", "Anda hanya dapat mencatat layanan yang diberikan organisasi Anda.")
    status = data.get("status") or ServiceStatus.REQUESTED
    if status not in ServiceStatus.values:
        e.add("status", f"Status '{str(status)[:30]}' tidak dikenal.")
    out["status"] = status
    requested = _date(data.get("requested_on"), "requested_on", e, required=True)
    started = _date(data.get("started_on"), "started_on", e)
    completed = _date(data.get("completed_on"), "completed_on", e)
    out.update(requested_on=requested, started_on=started, completed_on=completed)
    if requested and started and started < requested:
        e.add("started_on", "Tanggal mulai tidak boleh sebelum tanggal permintaan.")
    if started and completed and completed < started:
        e.add("completed_on", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
    if requested and completed and completed < requested and not started:
        e.add("completed_on", "Tanggal selesai tidak boleh sebelum tanggal permintaan.")
    if status == ServiceStatus.REQUESTED and (started or completed):
        e.add("status", "Layanan yang sudah dimulai tidak berstatus 'Diminta'; ubah statusnya.")
    if status == ServiceStatus.IN_PROGRESS:
        if not started:
            e.add("started_on", "Tanggal mulai wajib diisi untuk layanan yang sedang berjalan.")
        if completed:
            e.add("completed_on", "Layanan yang sedang berjalan belum punya tanggal selesai.")
    if status == ServiceStatus.COMPLETED:
        if not started and "started_on" not in e:
            e.add("started_on", "Tanggal mulai wajib diisi untuk layanan yang selesai.")
        if not completed and "completed_on" not in e:
            e.add("completed_on", "Tanggal selesai wajib diisi untuk layanan yang selesai.")
    if status in (ServiceStatus.REFUSED_BY_VICTIM, ServiceStatus.NOT_PROVIDED, ServiceStatus.CANCELLED) and completed:
        e.add("completed_on", "Layanan yang tidak diberikan tidak punya tanggal selesai.")
    out["outcome"] = (data.get("outcome") or "").strip()[:500]
    out["cost"] = _money(data.get("cost"), "cost", e)
    funding = _code("funding_source", data.get("funding_source"), "funding_source", e)
    out["funding_source_id"] = funding
    out["payer_org"] = _org(data.get("payer_org"), "payer_org", e)
    refused = bool(data.get("bpjs_claim_refused"))
    alt = _code("funding_source", data.get("alt_funding_source"), "alt_funding_source", e)
    alt_payer = _org(data.get("alt_payer_org"), "alt_payer_org", e)
    if refused and funding != f"funding_source.{FUNDING_BPJS}":
        e.add("bpjs_claim_refused", "Penolakan klaim hanya dicatat untuk layanan dengan sumber dana BPJS/JKN.")
    if (alt or alt_payer) and not refused:
        e.add("alt_funding_source", "Sumber dana pengganti hanya diisi bila klaim BPJS/JKN ditolak.")
    if alt == f"funding_source.{FUNDING_BPJS}":
        e.add("alt_funding_source", "Sumber dana pengganti tidak boleh BPJS/JKN lagi.")
    out.update(bpjs_claim_refused=refused, alt_funding_source_id=alt, alt_payer_org=alt_payer)
    none = f"funding_source.{FUNDING_NONE}"
    out["unfunded"] = funding == none or (refused and (alt is None or alt == none))
    e.raise_if_any()
    return out


def _norm(value) -> str:
    """A comparable text for a submitted value (organisation, code key, date or text)."""
    if value is None:
        return ""
    if isinstance(value, Organisation):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text.split(".", 1)[1] if text.startswith("service_type.") else text


def _service_payload(s: ServiceRecord) -> dict:
    return {f: getattr(s, f) for f in SERVICE_FIELDS}


def service_create(
    *,
    actor,
    case: Case,
    service_type: str,
    provider_org,
    requested_on,
    status: str = "requested",
    started_on=None,
    completed_on=None,
    outcome: str = "",
    cost=None,
    funding_source=None,
    payer_org=None,
    bpjs_claim_refused: bool = False,
    alt_funding_source=None,
    alt_payer_org=None,
    is_demo: bool = False,
    _allow_shelter: bool = False,
) -> ServiceRecord:
    """Record a service to the victim of `case` (requested, given, refused…)."""
    reach = require_write(actor, case, "service.edit")
    data = {
        "service_type": service_type,
        "provider_org": provider_org,
        "status": status,
        "requested_on": requested_on,
        "started_on": started_on,
        "completed_on": completed_on,
        "outcome": outcome,
        "cost": cost,
        "funding_source": funding_source,
        "payer_org": payer_org,
        "bpjs_claim_refused": bpjs_claim_refused,
        "alt_funding_source": alt_funding_source,
        "alt_payer_org": alt_payer_org,
    }
    clean = _validate_service(data, case=case, reach=reach, actor=actor, allow_shelter=_allow_shelter)
    with transaction.atomic():
        service = ServiceRecord.objects.create(case=case, is_demo=is_demo, created_by=actor, updated_by=actor, **clean)
        _service_logged(
            actor,
            service,
            "service_create",
            f"Layanan {_label(service.service_type_id)} "
            f"oleh {service.provider_org.name}: {service.get_status_display()}",
        )
    return service


def _service_logged(
    actor, service: ServiceRecord, action: str, summary: str, changed: list[str] | None = None, reason: str = ""
) -> None:
    detail = {
        "service_type": service.type_code,
        "status": service.status,
        "provider_org": str(service.provider_org_id),
        "unfunded": service.unfunded,
    }
    if changed is not None:
        detail["changed"] = changed
    if reason:
        detail["reason"] = reason
    _logged(
        actor,
        service.case,
        action,
        summary,
        obj=service,
        object_type="service",
        kind="service",
        date=service.requested_on,
        org=service.provider_org,
        detail=detail,
    )


def service_update(*, actor, service: ServiceRecord, expected_version: int | None = None, **changes) -> ServiceRecord:
    """Change a service record (status, dates, outcome, cost, funding…). Unknown fields are refused."""
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom ini tidak dapat diubah."))
    case = service.case
    reach = _require_record_write(actor, case, service.provider_org_id)
    linked = ShelterStay.objects.filter(service=service).exists()
    if linked:
        locked = ("service_type", "provider_org", "status", "requested_on", "started_on", "completed_on")
        current = {
            "service_type": service.type_code,
            "provider_org": str(service.provider_org_id),
            "status": service.status,
            "requested_on": service.requested_on,
            "started_on": service.started_on,
            "completed_on": service.completed_on,
        }
        bad = [f for f in locked if f in changes and _norm(changes[f]) != _norm(current[f])]
        if bad:
            raise ValidationError(
                dict.fromkeys(bad, "Status dan tanggal layanan penampungan mengikuti data masuk/keluar rumah aman.")
            )
    data = _service_payload(service)
    data["service_type"] = service.service_type_id
    data["funding_source"] = service.funding_source_id
    data["alt_funding_source"] = service.alt_funding_source_id
    data.update(changes)
    clean = _validate_service(data, case=case, reach=reach, actor=actor, current=service, allow_shelter=linked)
    changed = _apply(service, clean)
    with transaction.atomic():
        if changed:
            save_versioned(service, actor=actor, expected_version=expected_version, fields=changed)
        _service_logged(
            actor,
            service,
            "service_update",
            f"Layanan {_label(service.service_type_id)} diperbarui: {service.get_status_display()}",
            changed=[c for c in changed if c != "unfunded"],
        )
    return service


def service_delete(*, actor, service: ServiceRecord, reason: str, expected_version: int | None = None) -> None:
    """Remove a service record entered by mistake (e.g. undoing an import). Same reach as an edit;
    a shelter stay's service goes with the stay, not alone. The audit event and the case timeline
    keep what it was and why it went; rights and monitoring figures are recomputed."""
    _require_record_write(actor, service.case, service.provider_org_id)
    why = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    e = Errors()
    if not why:
        e.add("reason", "Alasan penghapusan wajib diisi.")
    elif len(why) > 500:
        e.add("reason", "Terlalu panjang (maksimal 500 karakter).")
    if ShelterStay.objects.filter(service=service).exists():
        e.add("service_type", "Layanan penampungan mengikuti data masuk/keluar rumah aman dan tidak dihapus sendiri.")
    e.raise_if_any()
    with transaction.atomic():
        version = expected_version if expected_version is not None else service.version
        if ServiceRecord.objects.filter(pk=service.pk, version=version).delete()[1].get(ServiceRecord._meta.label) != 1:
            raise Conflict(
                current_version=ServiceRecord.objects.filter(pk=service.pk).values_list("version", flat=True).first()
            )
        _service_logged(
            actor,
            service,
            "service_delete",
            f"Layanan {_label(service.service_type_id)} oleh {service.provider_org.name} dihapus",
            reason=why,
        )


# ---------------------------------------------------------------- shelter


def shelter_occupancy(shelter: Organisation) -> int:
    return ShelterStay.objects.filter(shelter=shelter, discharged_on__isnull=True).count()


def shelter_admit(
    *,
    actor,
    case: Case,
    shelter,
    admitted_on,
    over_capacity_reason: str = "",
    cost=None,
    funding_source=None,
    is_demo: bool = False,
) -> ShelterStay:
    """Admit the victim to a bed. The shelter row is locked (SELECT … FOR UPDATE; on SQLite the
    IMMEDIATE transaction serialises writers), so two admissions to the last bed cannot both pass."""
    reach = require_write(actor, case, "service.edit")
    e = Errors()
    org = _org(shelter, "shelter", e, required=True)
    if org is not None and not org.is_shelter:
        e.add("shelter", f"{org.name} ({_type_label(org)}) bukan rumah aman atau shelter.")
    if org is not None and reach == OWN and org.pk not in user_org_ids(actor):
        e.add("shelter", "Anda hanya dapat menerima korban di rumah aman organisasi Anda.")
    admitted = _date(admitted_on, "admitted_on", e, required=True)
    cost_v = _money(cost, "cost", e)
    funding = _code("funding_source", funding_source, "funding_source", e)
    reason = (over_capacity_reason or "").strip()[:300]
    e.raise_if_any()
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        if ShelterStay.objects.filter(case=case, discharged_on__isnull=True).exists():
            raise ValidationError(
                {"shelter": "Korban masih tercatat tinggal di rumah aman/shelter; catat keluar dulu."}
            )
        occupied = shelter_occupancy(locked)
        over = locked.capacity is not None and occupied >= locked.capacity
        if over and not reason:
            raise ValidationError(
                {
                    "over_capacity_reason": f"Rumah aman/shelter penuh ({occupied}/{locked.capacity} "
                    "tempat tidur terisi). Penerimaan melebihi kapasitas memerlukan alasan."
                }
            )
        service = ServiceRecord.objects.create(
            case=case,
            service_type_id="service_type.shelter",
            provider_org=locked,
            status=ServiceStatus.IN_PROGRESS,
            requested_on=admitted,
            started_on=admitted,
            cost=cost_v,
            funding_source_id=funding,
            unfunded=funding == f"funding_source.{FUNDING_NONE}",
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        stay = ShelterStay.objects.create(
            case=case,
            shelter=locked,
            service=service,
            admitted_on=admitted,
            over_capacity=over,
            over_capacity_reason=reason if over else "",
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        _logged(
            actor,
            case,
            "shelter_admit",
            f"Masuk {locked.name}" + (" (melebihi kapasitas)" if over else ""),
            obj=stay,
            object_type="shelter_stay",
            kind="shelter_stay",
            date=admitted,
            org=locked,
            detail={"over_capacity": over, "occupied_before": occupied},
        )
    return stay


def shelter_discharge(
    *, actor, stay: ShelterStay, discharged_on, reason: str = "", expected_version: int | None = None
) -> ShelterStay:
    case = stay.case
    _require_record_write(actor, case, stay.shelter_id)
    e = Errors()
    if stay.discharged_on is not None:
        e.add("discharged_on", "Korban sudah tercatat keluar.")
    day = _date(discharged_on, "discharged_on", e, required=True)
    if day and day < stay.admitted_on:
        e.add("discharged_on", "Tanggal keluar tidak boleh sebelum tanggal masuk.")
    e.raise_if_any()
    with transaction.atomic():
        stay.discharged_on = day
        stay.discharge_reason = (reason or "").strip()[:300]
        save_versioned(
            stay, actor=actor, expected_version=expected_version, fields=["discharged_on", "discharge_reason"]
        )
        if stay.service_id:
            svc = ServiceRecord.objects.select_for_update().get(pk=stay.service_id)
            svc.status, svc.completed_on = ServiceStatus.COMPLETED, day
            save_versioned(svc, actor=actor, expected_version=svc.version, fields=["status", "completed_on"])
        _logged(
            actor,
            case,
            "shelter_discharge",
            f"Keluar dari {stay.shelter.name}",
            obj=stay,
            object_type="shelter_stay",
            kind="shelter_stay",
            date=day,
            org=stay.shelter,
        )
    return stay


# ---------------------------------------------------------------- repatriation


def _validate_leg(data: dict, *, case: Case, reach: str, actor) -> dict:
    e = Errors()
    out: dict = {}
    leg_key = _code("repatriation_leg", data.get("leg_type"), "leg_type", e, required=True)
    out["leg_type_id"] = leg_key
    leg = leg_key.split(".", 1)[1] if leg_key else None
    org = _org(data.get("responsible_org"), "responsible_org", e, required=True)
    out["responsible_org"] = org
    if org is not None:
        allowed = allowed_org_types("repatriation")
        if org.type_code not in allowed:
            e.add("responsible_org", f"{org.name} ({_type_label(org)}) tidak bertanggung jawab atas pemulangan.")
        if reach == OWN and org.pk not in user_org_ids(actor):
            e.add("responsible_org", "Anda hanya dapat mencatat tahap pemulangan organisasi Anda.")
    fr, fc = _region(data.get("from_region"), "from_region", e), _country(data.get("from_country"), "from_country", e)
    tr, tc = _region(data.get("to_region"), "to_region", e), _country(data.get("to_country"), "to_country", e)
    out.update(from_region_id=fr, from_country_id=fc, to_region_id=tr, to_country_id=tc)
    if not (fr or fc) and "from_region" not in e and "from_country" not in e:
        e.add("from_region", "Isi asal tahap ini (wilayah atau negara).")
    if not (tr or tc) and "to_region" not in e and "to_country" not in e:
        e.add("to_region", "Isi tujuan tahap ini (wilayah atau negara).")
    victim = case.victim
    foreign = victim.citizenship_status_id != "citizenship_status.wni"
    if leg == "abroad_to_debarkation":
        if not fc or fc == "ID":
            e.add("from_country", "Tahap luar negeri → debarkasi berangkat dari negara lain.")
        if not tr:
            e.add("to_region", "Isi wilayah debarkasi di Indonesia.")
    elif leg == "foreign_return":
        if not foreign:
            e.add("leg_type", "Pemulangan ke negara asal hanya untuk korban WNA.")
        if not tc or tc == "ID":
            e.add("to_country", "Isi negara asal korban WNA.")
        elif victim.citizenship_id and victim.citizenship_id != "ID" and tc != victim.citizenship_id:
            e.add("to_country", f"Korban WNA dipulangkan ke negara kewarganegaraannya ({victim.citizenship.name_id}).")
    elif leg:
        if fc or tc:
            e.add("to_country", "Tahap ini berlangsung di dalam negeri; isi wilayah, bukan negara.")
        if leg in ("debarkation_to_province", "province_to_district", "district_to_family") and not (fr and tr):
            e.add("to_region", "Isi wilayah asal dan tujuan tahap ini.")
    status = data.get("status") or LegStatus.PLANNED
    if status not in LegStatus.values:
        e.add("status", f"Status '{str(status)[:30]}' tidak dikenal.")
    out["status"] = status
    planned = _date(data.get("planned_on"), "planned_on", e, future_ok=True)
    departed = _date(data.get("departed_on"), "departed_on", e)
    arrived = _date(data.get("arrived_on"), "arrived_on", e)
    out.update(planned_on=planned, departed_on=departed, arrived_on=arrived)
    if departed and arrived and arrived < departed:
        e.add("arrived_on", "Tanggal tiba tidak boleh sebelum tanggal berangkat.")
    if status == LegStatus.PLANNED and (departed or arrived):
        e.add("status", "Tahap yang sudah berangkat tidak berstatus 'Direncanakan'.")
    if status == LegStatus.IN_PROGRESS:
        if not departed:
            e.add("departed_on", "Isi tanggal berangkat.")
        if arrived:
            e.add("arrived_on", "Tahap dalam perjalanan belum punya tanggal tiba.")
    if status == LegStatus.COMPLETED and not arrived and "arrived_on" not in e:
        e.add("arrived_on", "Isi tanggal tiba untuk tahap yang selesai.")
    out["cost"] = _money(data.get("cost"), "cost", e)
    out["funding_source_id"] = _code("funding_source", data.get("funding_source"), "funding_source", e)
    out["funder_org"] = _org(data.get("funder_org"), "funder_org", e)
    medical = bool(data.get("medical_condition"))
    escorted = bool(data.get("escorted"))
    out.update(
        medical_condition=medical,
        escorted=escorted,
        escort_org=_org(data.get("escort_org"), "escort_org", e),
        note=(data.get("note") or "").strip()[:300],
    )
    required = case.is_child or medical or victim.disability_id in ESCORT_DISABILITIES
    out["escort_required"] = required
    if required and not escorted and status != LegStatus.CANCELLED:
        why = "anak" if case.is_child else "dengan kondisi medis/psikologis"
        e.add("escorted", f"Korban {why} wajib didampingi pada setiap tahap pemulangan.")
    if out["escort_org"] is not None and not escorted:
        e.add("escort_org", "Instansi pendamping diisi hanya bila korban didampingi.")
    e.raise_if_any()
    return out


def repatriation_leg_create(*, actor, case: Case, is_demo: bool = False, **data) -> RepatriationLeg:
    unknown = set(data) - set(LEG_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom tidak dikenal."))
    reach = require_write(actor, case, "service.edit")
    clean = _validate_leg(data, case=case, reach=reach, actor=actor)
    with transaction.atomic():
        leg = RepatriationLeg.objects.create(case=case, is_demo=is_demo, created_by=actor, updated_by=actor, **clean)
        _leg_logged(actor, leg, "repatriation_leg_create")
    return leg


def _leg_logged(actor, leg: RepatriationLeg, action: str, changed: list[str] | None = None) -> None:
    detail = {"leg_type": leg.type_code, "status": leg.status, "escort_required": leg.escort_required}
    if changed is not None:
        detail["changed"] = changed
    _logged(
        actor,
        leg.case,
        action,
        f"Pemulangan: {_label(leg.leg_type_id)} ({leg.get_status_display()}) oleh {leg.responsible_org.name}",
        obj=leg,
        object_type="repatriation_leg",
        kind="repatriation",
        date=leg.arrived_on or leg.departed_on or leg.planned_on,
        org=leg.responsible_org,
        detail=detail,
    )


def repatriation_leg_update(
    *, actor, leg: RepatriationLeg, expected_version: int | None = None, **changes
) -> RepatriationLeg:
    unknown = set(changes) - set(LEG_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom ini tidak dapat diubah."))
    case = leg.case
    reach = _require_record_write(actor, case, leg.responsible_org_id)
    data = {
        f: getattr(leg, f + "_id")
        if f in ("leg_type", "from_region", "from_country", "to_region", "to_country", "funding_source")
        else getattr(leg, f)
        for f in LEG_FIELDS
    }
    data.update(changes)
    clean = _validate_leg(data, case=case, reach=reach, actor=actor)
    changed = _apply(leg, clean)
    with transaction.atomic():
        if changed:
            save_versioned(leg, actor=actor, expected_version=expected_version, fields=changed)
        _leg_logged(actor, leg, "repatriation_leg_update", changed=changed)
    return leg


# ---------------------------------------------------------------- reintegration


def _followup_dates(return_on: dt.date) -> list[tuple[int, dt.date]]:
    return [(m, add_months(return_on, m)) for m in FOLLOWUP_MONTHS]


def reintegration_plan_create(
    *,
    actor,
    case: Case,
    responsible_org,
    return_on,
    destination_region=None,
    arrangement: str = "family",
    goals: str = "",
    is_demo: bool = False,
) -> ReintegrationPlan:
    """A reintegration plan; follow-up visits are generated at 1, 3, 6 and 12 months after return."""
    reach = require_write(actor, case, "service.edit")
    e = Errors()
    org = _org(responsible_org, "responsible_org", e, required=True)
    if org is not None:
        if org.type_code not in allowed_org_types("social_reintegration"):
            e.add("responsible_org", f"{org.name} ({_type_label(org)}) tidak menangani reintegrasi sosial.")
        if reach == OWN and org.pk not in user_org_ids(actor):
            e.add("responsible_org", "Anda hanya dapat membuat rencana untuk organisasi Anda.")
    day = _date(return_on, "return_on", e, required=True, future_ok=True)
    region = _region(destination_region, "destination_region", e)
    if arrangement not in ReintegrationPlan.Arrangement.values:
        e.add("arrangement", "Pengaturan tinggal tidak dikenal.")
    if ReintegrationPlan.objects.filter(case=case).exists():
        e.add("case", "Rencana reintegrasi untuk kasus ini sudah ada; ubah rencana yang ada.")
    e.raise_if_any()
    with transaction.atomic():
        plan = ReintegrationPlan.objects.create(
            case=case,
            responsible_org=org,
            return_on=day,
            destination_region_id=region,
            arrangement=arrangement,
            goals=(goals or "").strip(),
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        FollowUpVisit.objects.bulk_create(
            [
                FollowUpVisit(
                    plan=plan, case=case, month=m, due_on=due, is_demo=is_demo, created_by=actor, updated_by=actor
                )
                for m, due in _followup_dates(day)
            ]
        )
        _logged(
            actor,
            case,
            "reintegration_plan_create",
            f"Rencana reintegrasi oleh {org.name}; "
            f"kunjungan tindak lanjut bulan ke-{', '.join(map(str, FOLLOWUP_MONTHS))}",
            obj=plan,
            object_type="reintegration_plan",
            kind="reintegration",
            date=day,
            org=org,
            timeline_kind="reintegration_plan",
        )
    return plan


def reintegration_plan_update(
    *, actor, plan: ReintegrationPlan, expected_version: int | None = None, **changes
) -> ReintegrationPlan:
    allowed = {"responsible_org", "return_on", "destination_region", "arrangement", "goals", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom ini tidak dapat diubah."))
    case = plan.case
    _require_record_write(actor, case, plan.responsible_org_id)
    e = Errors()
    if "responsible_org" in changes:
        org = _org(changes["responsible_org"], "responsible_org", e, required=True)
        if org is not None and org.type_code not in allowed_org_types("social_reintegration"):
            e.add("responsible_org", f"{org.name} ({_type_label(org)}) tidak menangani reintegrasi sosial.")
        changes["responsible_org"] = org
    if "return_on" in changes:
        changes["return_on"] = _date(changes["return_on"], "return_on", e, required=True, future_ok=True)
        if FollowUpVisit.objects.filter(
            plan=plan, visited_on__isnull=False, visited_on__lt=changes["return_on"] or dt.date.min
        ).exists():
            e.add("return_on", "Sudah ada kunjungan sebelum tanggal kembali yang baru.")
    if "destination_region" in changes:
        changes["destination_region_id"] = _region(changes.pop("destination_region"), "destination_region", e)
    if "arrangement" in changes and changes["arrangement"] not in ReintegrationPlan.Arrangement.values:
        e.add("arrangement", "Pengaturan tinggal tidak dikenal.")
    if "status" in changes and changes["status"] not in PlanStatus.values:
        e.add("status", "Status tidak dikenal.")
    e.raise_if_any()
    changed = _apply(plan, changes)
    with transaction.atomic():
        if changed:
            save_versioned(plan, actor=actor, expected_version=expected_version, fields=changed)
        if "return_on" in changed:
            for visit in FollowUpVisit.objects.filter(plan=plan, visited_on__isnull=True):
                visit.due_on = add_months(plan.return_on, visit.month)
                visit.save(update_fields=["due_on"])
        _logged(
            actor,
            case,
            "reintegration_plan_update",
            f"Rencana reintegrasi diperbarui: {plan.get_status_display()}",
            obj=plan,
            object_type="reintegration_plan",
            kind="reintegration",
            date=plan.return_on,
            org=plan.responsible_org,
            detail={"changed": changed},
        )
    return plan


def followup_record(
    *, actor, visit: FollowUpVisit, visited_on, outcome: str, note: str = "", expected_version: int | None = None
) -> FollowUpVisit:
    """Record (or correct) the outcome of a follow-up visit."""
    case = visit.case
    plan = visit.plan
    _require_record_write(actor, case, plan.responsible_org_id)
    e = Errors()
    day = _date(visited_on, "visited_on", e, required=True)
    if day and day < plan.return_on:
        e.add("visited_on", "Kunjungan tindak lanjut tidak boleh sebelum tanggal kembali.")
    if outcome not in FollowUpOutcome.values:
        e.add("outcome", "Pilih hasil kunjungan.")
    e.raise_if_any()
    org = _acting_org(actor, "service.edit", plan.responsible_org)
    with transaction.atomic():
        visit.visited_on, visit.outcome, visit.note = day, outcome, (note or "").strip()[:500]
        visit.visited_by_org = org
        save_versioned(
            visit,
            actor=actor,
            expected_version=expected_version,
            fields=["visited_on", "outcome", "note", "visited_by_org"],
        )
        _logged(
            actor,
            case,
            "followup_record",
            f"Kunjungan tindak lanjut bulan ke-{visit.month}: {visit.get_outcome_display()}",
            obj=visit,
            object_type="followup",
            kind="reintegration",
            date=day,
            org=org,
            detail={"month": visit.month, "outcome": outcome},
            timeline_kind="followup_visit",
            refresh_rights=False,
        )
    return visit


# ---------------------------------------------------------------- rights


def right_set(
    *,
    actor,
    case: Case,
    right: str,
    status: str,
    reason: str = "",
    applied_on=None,
    fulfilled_on=None,
    expected_version: int | None = None,
) -> RightEntry:
    """Set a right's status by hand (with a reason), and/or its application date. `status=""`
    clears the hand-set status. Evidence of fulfilment in the records still wins (see rights.py)."""
    if care_access(actor, case, "service.edit") != ALL and care_access(actor, case, "legal.edit") != ALL:
        raise Http404
    e = Errors()
    key = _code("right", right, "right", e, required=True)
    if status and status not in RightStatus.values:
        e.add("status", "Status tidak dikenal.")
    reason = (reason or "").strip()[:300]
    if status and not reason:
        e.add("reason", "Alasan wajib diisi bila status ditetapkan petugas.")
    applied = _date(applied_on, "applied_on", e)
    fulfilled = _date(fulfilled_on, "fulfilled_on", e)
    if status == RightStatus.FULFILLED and not fulfilled:
        e.add("fulfilled_on", "Isi tanggal hak terpenuhi.")
    if fulfilled and status != RightStatus.FULFILLED:
        e.add("fulfilled_on", "Tanggal terpenuhi hanya untuk status 'Terpenuhi'.")
    if applied and fulfilled and fulfilled < applied:
        e.add("fulfilled_on", "Tanggal terpenuhi tidak boleh sebelum tanggal permohonan.")
    e.raise_if_any()
    with transaction.atomic():
        entry, _ = RightEntry.objects.select_for_update().get_or_create(
            case=case, right_id=key, defaults={"created_by": actor, "updated_by": actor}
        )
        entry.manual_status, entry.manual_reason = status or "", reason if status else ""
        entry.manual_applied_on, entry.manual_fulfilled_on = applied, fulfilled
        save_versioned(
            entry,
            actor=actor,
            expected_version=expected_version,
            fields=["manual_status", "manual_reason", "manual_applied_on", "manual_fulfilled_on"],
        )
        rights_refresh(case)
        entry.refresh_from_db()
        label = _label(key)
        _logged(
            actor,
            case,
            "right_set",
            f"Hak '{label}': {entry.get_status_display()}",
            obj=entry,
            object_type="right",
            kind="right",
            date=applied or _today(),
            detail={"right": key.split(".", 1)[1], "manual_status": status or None, "applied_on": applied},
            refresh_rights=False,  # refreshed above, before the entry is re-read
        )
    return entry


# ---------------------------------------------------------------- legal track


def _require_legal(actor, case: Case) -> None:
    if care_access(actor, case, "legal.edit") is None:
        raise Http404


def _legal_org(value, field: str, types: set[str], errors: Errors, what: str) -> Organisation | None:
    org = _org(value, field, errors)
    if org is not None and org.type_code not in types:
        errors.add(field, f"{org.name} ({_type_label(org)}) bukan {what}.")
    return org


def legal_case_save(*, actor, case: Case, expected_version: int | None = None, **fields) -> LegalCase:
    """Create or update the legal track's header: police report, prosecutor, court, LPSK protection."""
    allowed = {
        "police_report_number",
        "police_report_date",
        "police_unit",
        "prosecutor_org",
        "court_org",
        "lpsk_protection",
        "lpsk_applied_on",
        "lpsk_decided_on",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom tidak dikenal."))
    _require_legal(actor, case)
    legal = LegalCase.objects.filter(case=case).first()
    current = {f: getattr(legal, f) for f in allowed} if legal else {}
    data = {**current, **fields}
    e = Errors()
    clean = {
        "police_report_number": (data.get("police_report_number") or "").strip()[:80],
        "police_report_date": _date(data.get("police_report_date"), "police_report_date", e),
        "police_unit": _legal_org(data.get("police_unit"), "police_unit", POLICE_TYPES, e, "unit kepolisian"),
        "prosecutor_org": _legal_org(data.get("prosecutor_org"), "prosecutor_org", {"prosecutor"}, e, "kejaksaan"),
        "court_org": _legal_org(data.get("court_org"), "court_org", {"court"}, e, "pengadilan"),
        "lpsk_applied_on": _date(data.get("lpsk_applied_on"), "lpsk_applied_on", e),
        "lpsk_decided_on": _date(data.get("lpsk_decided_on"), "lpsk_decided_on", e),
    }
    prot = data.get("lpsk_protection") or LpskProtection.NONE
    if prot not in LpskProtection.values:
        e.add("lpsk_protection", "Status perlindungan LPSK tidak dikenal.")
    clean["lpsk_protection"] = prot
    if prot != LpskProtection.NONE and not clean["lpsk_applied_on"] and "lpsk_applied_on" not in e:
        e.add("lpsk_applied_on", "Isi tanggal permohonan ke LPSK.")
    if (
        prot in (LpskProtection.GRANTED, LpskProtection.REJECTED)
        and not clean["lpsk_decided_on"]
        and "lpsk_decided_on" not in e
    ):
        e.add("lpsk_decided_on", "Isi tanggal keputusan LPSK.")
    if clean["lpsk_applied_on"] and clean["lpsk_decided_on"] and clean["lpsk_decided_on"] < clean["lpsk_applied_on"]:
        e.add("lpsk_decided_on", "Keputusan LPSK tidak boleh sebelum permohonannya.")
    if prot == LpskProtection.NONE and (clean["lpsk_applied_on"] or clean["lpsk_decided_on"]):
        e.add("lpsk_protection", "Pilih status perlindungan LPSK untuk tanggal yang diisi.")
    if clean["police_report_number"] and not clean["police_report_date"] and "police_report_date" not in e:
        e.add("police_report_date", "Isi tanggal laporan polisi.")
    e.raise_if_any()
    with transaction.atomic():
        if legal is None:
            legal = LegalCase.objects.create(case=case, created_by=actor, updated_by=actor, **clean)
            changed = [k for k, v in clean.items() if v not in (None, "", LpskProtection.NONE)]
        else:
            changed = [k for k, v in clean.items() if getattr(legal, k) != v]
            for k in changed:
                setattr(legal, k, clean[k])
            if changed:
                save_versioned(legal, actor=actor, expected_version=expected_version, fields=changed)
        summary = "Perkara diperbarui"
        if "lpsk_protection" in changed:
            summary = f"Perlindungan LPSK: {legal.get_lpsk_protection_display()}"
        elif "police_report_number" in changed:
            summary = "Laporan polisi dicatat"
        _logged(
            actor,
            case,
            "legal_case_save",
            summary,
            obj=legal,
            object_type="legal_case",
            kind="legal",
            date=legal.police_report_date or _today(),
            detail={"changed": changed},
            timeline_kind="legal_case",
        )
    return legal


def legal_event_add(
    *,
    actor,
    case: Case,
    stage: str,
    date,
    organisation=None,
    reference_number: str = "",
    articles: str = "",
    verdict: str = "",
    sentence_months=None,
    fine=None,
    suspects=(),
    note: str = "",
    is_demo: bool = False,
) -> LegalEvent:
    """Add a step of the criminal process; suspects must be the case's own recorded perpetrators."""
    _require_legal(actor, case)
    e = Errors()
    key = _code("legal_stage", stage, "stage", e, required=True)
    code = key.split(".", 1)[1] if key else None
    day = _date(date, "date", e, required=True)
    org = _org(organisation, "organisation", e)
    if org is not None and code in STAGE_ORG_TYPES and org.type_code not in STAGE_ORG_TYPES[code]:
        e.add("organisation", f"{org.name} ({_type_label(org)}) tidak menangani tahap '{_label(key)}'.")
    legal = LegalCase.objects.filter(case=case).first()
    if day and legal and legal.police_report_date and code != "police_report" and day < legal.police_report_date:
        e.add("date", "Tahap ini tidak boleh sebelum tanggal laporan polisi.")
    try:
        arts = parse_articles(articles or "")
    except ValueError as exc:
        e.add("articles", str(exc))
        arts = []
    if verdict and verdict not in Verdict.values:
        e.add("verdict", "Amar putusan tidak dikenal.")
    if code == "verdict" and not verdict:
        e.add("verdict", "Isi amar putusan.")
    if code not in ("verdict", "appeal", "final") and verdict:
        e.add("verdict", "Amar putusan hanya untuk tahap putusan atau banding.")
    months = None
    if sentence_months not in (None, ""):
        try:
            months = int(sentence_months)
        except (TypeError, ValueError):
            e.add("sentence_months", "Lama pidana harus angka (bulan).")
        else:
            if not 1 <= months <= MAX_SENTENCE_MONTHS:
                e.add("sentence_months", f"Lama pidana harus 1–{MAX_SENTENCE_MONTHS} bulan.")
    fine_v = _money(fine, "fine", e)
    if verdict == Verdict.CONVICTED:
        if not arts and "articles" not in e:
            e.add("articles", "Putusan pidana menyebut pasal UU 21/2007 yang terbukti.")
        if months is None and "sentence_months" not in e:
            e.add("sentence_months", "Isi lama pidana penjara (bulan).")
    if verdict in (Verdict.ACQUITTED, Verdict.RELEASED) and (months or fine_v):
        e.add("sentence_months", "Putusan bebas/lepas tidak memuat pidana.")
    if code not in ("verdict", "appeal", "final") and (months or fine_v):
        e.add("sentence_months", "Pidana hanya dicatat pada tahap putusan atau banding.")
    suspect_ids = [str(getattr(s, "pk", s)) for s in (suspects or [])]
    found = []
    if suspect_ids:
        try:
            found = list(Perpetrator.objects.filter(case=case, pk__in=suspect_ids))
        except ValidationError:
            found = []
        if len(found) != len(set(suspect_ids)):
            e.add("suspects", "Tersangka harus dipilih dari terduga pelaku yang tercatat pada kasus ini.")
    e.raise_if_any()
    with transaction.atomic():
        if legal is None:
            legal = LegalCase.objects.create(case=case, is_demo=is_demo, created_by=actor, updated_by=actor)
        event = LegalEvent.objects.create(
            legal_case=legal,
            case=case,
            stage_id=key,
            date=day,
            organisation=org,
            reference_number=(reference_number or "").strip()[:80],
            articles=", ".join(arts),
            verdict=verdict or "",
            sentence_months=months,
            fine=fine_v,
            note=(note or "").strip()[:500],
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        if found:
            event.suspects.set(found)
        header = []
        if code == "police_report" and not legal.police_report_date:
            legal.police_report_date = day
            legal.police_report_number = legal.police_report_number or event.reference_number
            if org is not None and legal.police_unit_id is None:
                legal.police_unit = org
            header += ["police_report_date", "police_report_number", "police_unit"]
        if org is not None and code in ("file_complete_p21", "prosecution") and legal.prosecutor_org_id is None:
            legal.prosecutor_org = org
            header.append("prosecutor_org")
        if org is not None and code in ("trial", "verdict") and legal.court_org_id is None:
            legal.court_org = org
            header.append("court_org")
        if legal.stage_date is None or day >= legal.stage_date:
            legal.stage_id, legal.stage_date = key, day
            header += ["stage", "stage_date"]
        if header:
            save_versioned(legal, actor=actor, expected_version=legal.version, fields=sorted(set(header)))
        summary = f"Proses hukum: {_label(key)}"
        if verdict:
            summary += f" — {event.get_verdict_display()}"
            if months:
                summary += f", {months} bulan"
        _logged(
            actor,
            case,
            "legal_event_add",
            summary,
            obj=event,
            object_type="legal_event",
            kind="legal",
            date=day,
            org=org,
            detail={"stage": code, "verdict": verdict or None, "articles": arts, "suspects": len(found)},
            timeline_kind="legal_event",
        )
    return event


RESTITUTION_MANUAL_STATUSES = {
    "not_informed",
    "informed",
    "lpsk_application",
    "lpsk_assessed",
    "in_indictment",
    "awarded",
    "deposited",
    "unpaid_substitute_detention",
    "civil_claim",
}


def _restitution_status(r: Restitution, explicit: str | None) -> str:
    if r.ordered_amount and r.paid_amount >= r.ordered_amount:
        return "restitution_status.paid_full"
    if r.paid_amount > 0:
        return "restitution_status.paid_partial"
    if explicit:
        return f"restitution_status.{explicit}"
    if r.ordered_amount is not None:
        return "restitution_status.awarded"
    if r.lpsk_assessed_on:
        return "restitution_status.lpsk_assessed"
    if r.requested_on:
        return "restitution_status.lpsk_application"
    return r.status_id or "restitution_status.not_informed"


def restitution_save(*, actor, case: Case, expected_version: int | None = None, **fields) -> Restitution:
    """Create or update restitution: request, LPSK assessment, the amount ordered (and status)."""
    allowed = {
        "status",
        "requested_on",
        "requested_amount",
        "lpsk_assessed_on",
        "lpsk_assessed_amount",
        "ordered_on",
        "ordered_amount",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Kolom tidak dikenal."))
    _require_legal(actor, case)
    r = Restitution.objects.filter(case=case).first()
    e = Errors()
    current = {f: getattr(r, f) for f in allowed - {"status"}} if r else {}
    data = {**current, **{k: v for k, v in fields.items() if k != "status"}}
    clean = {
        "requested_on": _date(data.get("requested_on"), "requested_on", e),
        "requested_amount": _money(data.get("requested_amount"), "requested_amount", e),
        "lpsk_assessed_on": _date(data.get("lpsk_assessed_on"), "lpsk_assessed_on", e),
        "lpsk_assessed_amount": _money(data.get("lpsk_assessed_amount"), "lpsk_assessed_amount", e),
        "ordered_on": _date(data.get("ordered_on"), "ordered_on", e),
        "ordered_amount": _money(data.get("ordered_amount"), "ordered_amount", e),
    }
    status = fields.get("status") or None
    if status and status not in RESTITUTION_MANUAL_STATUSES:
        e.add("status", "Status ini ditetapkan dari pembayaran, atau tidak dikenal.")
    if clean["requested_on"] and clean["lpsk_assessed_on"] and clean["lpsk_assessed_on"] < clean["requested_on"]:
        e.add("lpsk_assessed_on", "Penilaian LPSK tidak boleh sebelum permohonan.")
    if clean["requested_on"] and clean["ordered_on"] and clean["ordered_on"] < clean["requested_on"]:
        e.add("ordered_on", "Putusan restitusi tidak boleh sebelum permohonannya.")
    if (
        bool(clean["ordered_on"]) != bool(clean["ordered_amount"] is not None)
        and "ordered_on" not in e
        and "ordered_amount" not in e
    ):
        e.add("ordered_amount", "Isi tanggal dan jumlah restitusi yang diputus bersama-sama.")
    if clean["lpsk_assessed_amount"] is not None and not clean["lpsk_assessed_on"] and "lpsk_assessed_on" not in e:
        e.add("lpsk_assessed_on", "Isi tanggal penilaian LPSK.")
    paid = r.paid_amount if r else Decimal(0)
    if paid and clean["ordered_amount"] is not None and clean["ordered_amount"] < paid:
        e.add("ordered_amount", f"Jumlah diputus tidak boleh kurang dari yang sudah dibayar ({_rupiah(paid)}).")
    if paid and clean["ordered_amount"] is None and "ordered_amount" not in e:
        e.add("ordered_amount", "Sudah ada pembayaran; jumlah diputus tidak dapat dihapus.")
    e.raise_if_any()
    with transaction.atomic():
        if r is None:
            r = Restitution(case=case, created_by=actor, updated_by=actor, **clean)
            r.status_id = _restitution_status(r, status)
            r.save()
            changed = [k for k, v in clean.items() if v is not None]
        else:
            r = Restitution.objects.select_for_update().get(pk=r.pk)
            changed = [k for k, v in clean.items() if getattr(r, k) != v]
            for k in changed:
                setattr(r, k, clean[k])
            new_status = _restitution_status(r, status)
            if new_status != r.status_id:
                r.status_id = new_status
                changed.append("status")
            if changed:
                save_versioned(r, actor=actor, expected_version=expected_version, fields=changed)
        _logged(
            actor,
            case,
            "restitution_save",
            f"Restitusi: {_label(r.status_id)}",
            obj=r,
            object_type="restitution",
            kind="restitution",
            date=r.ordered_on or r.requested_on or _today(),
            detail={"changed": changed, "status": r.status_id.split(".", 1)[1]},
            timeline_kind="restitution",
        )
    return r


def restitution_payment_add(
    *, actor, case: Case, paid_on, amount, note: str = "", is_demo: bool = False
) -> RestitutionPayment:
    """Record a restitution payment. Payments never exceed the ordered amount (row locked)."""
    _require_legal(actor, case)
    e = Errors()
    day = _date(paid_on, "paid_on", e, required=True)
    value = _money(amount, "amount", e)
    if value is not None and value <= 0:
        e.add("amount", "Jumlah pembayaran harus lebih dari nol.")
    if value is None and "amount" not in e:
        e.add("amount", "Jumlah pembayaran wajib diisi.")
    e.raise_if_any()
    with transaction.atomic():
        r = Restitution.objects.select_for_update().filter(case=case).first()
        if r is None or r.ordered_amount is None:
            raise ValidationError({"amount": "Restitusi belum diputus; catat jumlah yang diputus lebih dulu."})
        if day < (r.requested_on or day):
            raise ValidationError({"paid_on": "Tanggal bayar tidak boleh sebelum permohonan restitusi."})
        outstanding = r.ordered_amount - r.paid_amount
        if value > outstanding:
            raise ValidationError(
                {
                    "amount": f"Pembayaran {_rupiah(value)} melebihi sisa restitusi yang diputus "
                    f"({_rupiah(outstanding)} dari {_rupiah(r.ordered_amount)})."
                }
            )
        payment = RestitutionPayment.objects.create(
            restitution=r,
            case=case,
            paid_on=day,
            amount=value,
            note=(note or "").strip()[:300],
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        r.paid_amount = r.paid_amount + value
        r.status_id = _restitution_status(r, None)
        save_versioned(r, actor=actor, expected_version=r.version, fields=["paid_amount", "status"])
        _logged(
            actor,
            case,
            "restitution_payment_add",
            f"Pembayaran restitusi {_rupiah(value)}; sisa {_rupiah(r.ordered_amount - r.paid_amount)}",
            obj=payment,
            object_type="restitution_payment",
            kind="restitution",
            date=day,
            detail={"amount": str(value), "outstanding": str(r.ordered_amount - r.paid_amount)},
            timeline_kind="restitution_payment",
        )
    return payment


__all__ = [
    "MAX_AMOUNT",
    "followup_record",
    "legal_case_save",
    "legal_event_add",
    "reintegration_plan_create",
    "reintegration_plan_update",
    "repatriation_leg_create",
    "repatriation_leg_update",
    "restitution_payment_add",
    "restitution_save",
    "right_set",
    "service_create",
    "service_update",
    "shelter_admit",
    "shelter_discharge",
]
