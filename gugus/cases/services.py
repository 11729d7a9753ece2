"""Writes for cases: one function per action, keyword-only, actor first, one transaction, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.core.signals import announce

from .matching import nik_hash, phone_hash, token_hashes
from .models import Case, CaseNumberCounter, CaseStatus, Identity, NameToken, RouteLeg, StatusChange, Victim
from .timeline import timeline_add


@dataclass
class RouteLegData:
    stage: str
    region_code: str | None = None
    country_code: str | None = None
    place_note: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class VictimData:
    """What a registration carries. Identity fields are plain here and encrypted on save."""

    sex: str
    identification_date: dt.date
    identification_channel: str
    full_name: str = ""
    aliases: list[str] = field(default_factory=list)
    nik: str = ""
    birth_date: dt.date | None = None
    estimated_age: int | None = None
    phone: str = ""
    address: str = ""
    domicile_region: str | None = None
    citizenship_status: str = "wni"
    citizenship: str | None = "ID"
    disability: str | None = None
    education: str | None = None
    occupation: str | None = None
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_relation: str = ""
    exploitation_forms: list[str] = field(default_factory=list)
    means: list[str] = field(default_factory=list)
    acts: list[str] = field(default_factory=list)
    sector: str | None = None
    exploitation_start: dt.date | None = None
    exploitation_end: dt.date | None = None
    recruiter_relation: str | None = None
    recruiting_agency: str = ""
    destination_country: str | None = None
    origin_region: str | None = None
    scope: str = "domestic"
    trafficking_status: str = "possible"
    route: list[RouteLegData] = field(default_factory=list)
    narrative: str = ""
    is_draft: bool = False
    is_demo: bool = False


def _next_case_number(region_code: str, year: int) -> str:
    prefix = region_code.replace(".", "")[:4].ljust(4, "0")
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def identity_index(*, victim: Victim, identity: Identity) -> None:
    """Refresh the keyed hashes used for exact and candidate search."""
    identity.nik_hash = nik_hash(identity.nik)
    identity.phone_hash = phone_hash(identity.phone)
    names = " ".join([identity.full_name, *identity.aliases.splitlines()])
    NameToken.objects.filter(victim=victim).delete()
    NameToken.objects.bulk_create([NameToken(victim=victim, kind=k, token_hash=h) for k, h in token_hashes(names)])


def organisation_for_action(actor, perm: str, organisation: Organisation | None = None) -> Organisation:
    """The organisation on whose behalf `actor` acts with `perm`."""
    scope = scope_for(actor)
    orgs = scope.orgs_with(perm)
    if organisation is not None:
        if organisation.pk not in orgs:
            raise ValidationError("Anda tidak bertindak atas nama organisasi ini.")
        return organisation
    if not orgs:
        raise ValidationError("Peran Anda tidak mengizinkan tindakan ini.")
    # Deterministic choice: the first membership granting the permission.
    for g in scope.grants:
        if perm in g.perms:
            return Organisation.objects.get(pk=g.organisation_id)
    raise ValidationError("Peran Anda tidak mengizinkan tindakan ini.")


def victim_register(*, actor, data: VictimData, organisation: Organisation | None = None) -> Case:
    """Register a victim and open their case. Validation happens in `validation.validate_victim_data`."""
    from .validation import validate_victim_data

    org = organisation_for_action(actor, "victim.create", organisation)
    clean = validate_victim_data(data)
    with transaction.atomic():
        age = None
        if data.birth_date:
            age = age_on(data.birth_date, data.identification_date)
        elif data.estimated_age is not None:
            age = data.estimated_age
        victim = Victim.objects.create(
            sex_id=f"sex.{data.sex}",
            birth_year=data.birth_date.year if data.birth_date else (
                data.identification_date.year - data.estimated_age if data.estimated_age is not None else None),
            age_estimated=data.birth_date is None and data.estimated_age is not None,
            citizenship_status_id=f"citizenship_status.{data.citizenship_status}",
            citizenship_id=data.citizenship,
            disability_id=f"disability.{data.disability}" if data.disability else None,
            education_id=f"education.{data.education}" if data.education else None,
            occupation_id=f"occupation.{data.occupation}" if data.occupation else None,
            domicile_region_id=data.domicile_region,
            is_demo=data.is_demo,
            created_by=actor, updated_by=actor,
        )
        identity = Identity(
            victim=victim, full_name=data.full_name.strip(), aliases="\n".join(a.strip() for a in data.aliases if a.strip()),
            nik=clean.get("nik", ""), birth_date=data.birth_date.isoformat() if data.birth_date else "",
            phone=clean.get("phone", ""), address=data.address.strip(), guardian_name=data.guardian_name.strip(),
            guardian_phone=data.guardian_phone.strip(), guardian_relation=data.guardian_relation.strip(),
        )
        identity_index(victim=victim, identity=identity)
        identity.save()
        region_code = org.region_id
        case = Case.objects.create(
            case_number=_next_case_number(region_code if region_code != "ID" else "0000", data.identification_date.year),
            victim=victim, registering_org=org, owner_org=org, region_id=region_code,
            origin_region_id=data.origin_region or data.domicile_region,
            status=CaseStatus.DRAFT if data.is_draft else CaseStatus.REGISTERED,
            is_draft=data.is_draft,
            trafficking_status=data.trafficking_status,
            identification_date=data.identification_date,
            identification_channel_id=f"identification_channel.{data.identification_channel}",
            age_at_identification=age, is_child=age is not None and age < 18,
            scope=data.scope, sector_id=f"labour_sector.{data.sector}" if data.sector else None,
            exploitation_start=data.exploitation_start, exploitation_end=data.exploitation_end,
            recruiter_relation_id=f"recruiter_relation.{data.recruiter_relation}" if data.recruiter_relation else None,
            recruiting_agency=data.recruiting_agency.strip(), destination_country_id=data.destination_country,
            narrative=data.narrative, is_demo=data.is_demo, created_by=actor, updated_by=actor,
        )
        case.exploitation_forms.set([f"exploitation.{c}" for c in data.exploitation_forms])
        case.means.set([f"means.{c}" for c in data.means])
        case.acts.set([f"act.{c}" for c in data.acts])
        RouteLeg.objects.bulk_create(
            [
                RouteLeg(case=case, seq=i, stage=leg.stage, region_id=leg.region_code, country_id=leg.country_code,
                         place_note=leg.place_note, date_from=leg.date_from, date_to=leg.date_to)
                for i, leg in enumerate(data.route, start=1)
            ]
        )
        StatusChange.objects.create(case=case, from_status="", to_status=case.status, by=actor, reason="pendaftaran")
        timeline_add(case=case, kind="registered", summary=f"Korban didaftarkan oleh {org.name}", actor=actor,
                     organisation=org, object_type="case", object_id=case.pk)
        record("victim_register", actor=actor, object_type="case", object_id=case.pk, organisation_id=org.pk,
               region_code=region_code, detail={"case_number": case.case_number})
        announce("case", case.region_id, case.identification_date)
        if case.origin_region_id:
            announce("case", case.origin_region_id, case.identification_date)
    return case


ALLOWED_TRANSITIONS = {
    CaseStatus.DRAFT: {CaseStatus.REGISTERED},
    CaseStatus.REGISTERED: {CaseStatus.ASSESSED, CaseStatus.RECEIVING_SERVICES, CaseStatus.CLOSED},
    CaseStatus.ASSESSED: {CaseStatus.RECEIVING_SERVICES, CaseStatus.CLOSED},
    CaseStatus.RECEIVING_SERVICES: {CaseStatus.REINTEGRATED, CaseStatus.CLOSED},
    CaseStatus.REINTEGRATED: {CaseStatus.CLOSED, CaseStatus.RECEIVING_SERVICES},
    CaseStatus.CLOSED: {CaseStatus.REGISTERED},  # reopen
}


def case_change_status(*, actor, case: Case, to_status: str, reason: str = "", closure_reason: str | None = None,
                       expected_version: int | None = None) -> Case:
    from gugus.core.versioning import save_versioned

    if to_status not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise ValidationError(
            f"Status tidak dapat berubah dari '{CaseStatus(case.status).label}' ke '{CaseStatus(to_status).label}'."
        )
    if to_status == CaseStatus.CLOSED and not closure_reason:
        raise ValidationError({"closure_reason": "Alasan penutupan wajib diisi."})
    if case.status == CaseStatus.CLOSED and not reason.strip():
        raise ValidationError({"reason": "Alasan membuka kembali kasus wajib diisi."})
    with transaction.atomic():
        old = case.status
        case.status = to_status
        case.is_draft = False
        case.closure_reason_id = f"closure_reason.{closure_reason}" if to_status == CaseStatus.CLOSED else None
        case.closed_at = timezone.localdate() if to_status == CaseStatus.CLOSED else None
        save_versioned(case, actor=actor, expected_version=expected_version,
                       fields=["status", "is_draft", "closure_reason", "closed_at"])
        StatusChange.objects.create(case=case, from_status=old, to_status=to_status, reason=reason.strip()[:300], by=actor)
        timeline_add(case=case, kind="status", summary=f"Status: {CaseStatus(old).label} → {CaseStatus(to_status).label}",
                     actor=actor, object_type="case", object_id=case.pk)
        record("case_status", actor=actor, object_type="case", object_id=case.pk, region_code=case.region_id,
               detail={"from": old, "to": to_status})
        announce("case", case.region_id, case.identification_date)
    return case
