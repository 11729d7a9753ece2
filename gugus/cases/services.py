"""Writes for cases: one function per action, keyword-only, actor first, one transaction, audited.

Every write that a user makes to a case file goes through here: registration (with its case
number), edits (optimistic locking on the case's `version`), status changes, consent records,
perpetrators, the route, and the merge / unmerge of duplicate victim records. Audit details and
timeline summaries never carry identity values (names, NIK, phone, address).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.core.errors import Conflict
from gugus.core.signals import announce
from gugus.core.versioning import save_versioned

from .matching import document_hash, nik_hash, phone_hash, token_hashes
from .models import (
    Case,
    CaseNumberCounter,
    CaseRevision,
    CaseStatus,
    Consent,
    Identity,
    NameToken,
    Perpetrator,
    RouteLeg,
    StatusChange,
    Victim,
    VictimMerge,
)
from .timeline import timeline_add
from .validation import age_on, code_set, resolve_country, validate_victim_data

__all__ = [
    "RouteLegData",
    "VictimData",
    "victim_register",
    "victim_update",
    "case_change_status",
    "case_submit_draft",
    "consent_record",
    "consent_withdraw",
    "perpetrator_add",
    "perpetrator_remove",
    "route_set",
    "victim_merge",
    "victim_unmerge",
    "organisation_for_action",
    "identity_index",
    "age_on",
    "victim_data_for_case",
]


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
    """What a registration carries. Identity fields are plain here and encrypted on save.

    Region and country fields take a code or a name ("32.12" or "Kab. Indramayu"; "MY" or
    "Malaysia"); code-list fields take the code without its list ("female", "hotline")."""

    sex: str
    identification_date: dt.date | None
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
    document_number: str = ""


IDENTITY_FIELDS = (
    "full_name",
    "aliases",
    "nik",
    "birth_date",
    "phone",
    "address",
    "guardian_name",
    "guardian_phone",
    "guardian_relation",
    "document_number",
)
VICTIM_FIELDS = (
    "sex",
    "estimated_age",
    "citizenship_status",
    "citizenship",
    "disability",
    "education",
    "occupation",
    "domicile_region",
)
CASE_FIELDS = (
    "identification_date",
    "identification_channel",
    "exploitation_forms",
    "means",
    "acts",
    "sector",
    "exploitation_start",
    "exploitation_end",
    "recruiter_relation",
    "recruiting_agency",
    "destination_country",
    "origin_region",
    "scope",
    "trafficking_status",
    "narrative",
    "route",
)
EDITABLE_FIELDS = frozenset(IDENTITY_FIELDS + VICTIM_FIELDS + CASE_FIELDS)

# Labels for conflict messages and revision lists (Bahasa Indonesia).
FIELD_LABELS = {
    "full_name": "nama lengkap",
    "aliases": "nama lain",
    "nik": "NIK",
    "birth_date": "tanggal lahir",
    "phone": "telepon",
    "address": "alamat",
    "guardian_name": "nama wali",
    "guardian_phone": "telepon wali",
    "guardian_relation": "hubungan wali",
    "document_number": "nomor paspor/dokumen",
    "sex": "jenis kelamin",
    "estimated_age": "perkiraan usia",
    "citizenship_status": "status kewarganegaraan",
    "citizenship": "negara kewarganegaraan",
    "disability": "disabilitas",
    "education": "pendidikan",
    "occupation": "pekerjaan",
    "domicile_region": "wilayah domisili",
    "identification_date": "tanggal identifikasi",
    "identification_channel": "jalur identifikasi",
    "exploitation_forms": "bentuk eksploitasi",
    "means": "cara",
    "acts": "tindakan",
    "sector": "sektor",
    "exploitation_start": "mulai eksploitasi",
    "exploitation_end": "akhir eksploitasi",
    "recruiter_relation": "hubungan dengan perekrut",
    "recruiting_agency": "agen perekrut",
    "destination_country": "negara tujuan",
    "origin_region": "wilayah asal",
    "scope": "lingkup",
    "trafficking_status": "status korban",
    "narrative": "kronologi",
    "route": "rute",
    "status": "status kasus",
}


# --- helpers ---------------------------------------------------------------------------------


def case_number_prefix(region_code: str | None) -> str:
    if not region_code or region_code == "ID":
        return "0000"
    return region_code.replace(".", "")[:4].ljust(4, "0")


def _next_case_number(region_code: str, year: int) -> str:
    """`PPKK-YYYY-NNNNNN`, unique: the counter row is incremented by one UPDATE (row lock until
    commit), so concurrent registrations in one kab/kota and year never draw the same number."""
    prefix = case_number_prefix(region_code)
    counters = CaseNumberCounter.objects.filter(prefix=prefix, year=year)
    while True:
        if not counters.update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    CaseNumberCounter.objects.create(prefix=prefix, year=year, last=1)
            except IntegrityError:
                counters.update(last=F("last") + 1)
        last = counters.values_list("last", flat=True).get()
        number = f"{prefix}-{year}-{last:06d}"
        # A number taken outside the counter (an import with its own numbers) is skipped.
        if not Case.objects.filter(case_number=number).exists():
            return number


def identity_index(*, victim: Victim, identity: Identity, new: bool = False) -> None:
    """Refresh the keyed hashes used for exact and candidate search (call before identity.save())."""
    identity.nik_hash = nik_hash(identity.nik)
    identity.phone_hash = phone_hash(identity.phone)
    identity.document_hash = document_hash(identity.document_number)
    names = " ".join([identity.full_name, *identity.aliases.splitlines()])
    if not new:
        NameToken.objects.filter(victim=victim).delete()
        # Records merged into this one keep being found under their names.
        for merged in Identity.objects.filter(victim__merged_into__isnull=False, victim__merged_into=victim).only(
            "full_name", "aliases"
        ):
            names += " " + " ".join([merged.full_name, *merged.aliases.splitlines()])
    NameToken.objects.bulk_create(
        [NameToken(victim=victim, kind=k, token_hash=h, birth_year=victim.birth_year) for k, h in token_hashes(names)]
    )


class ActionNotPermitted(ValidationError, PermissionDenied):
    """The actor's role does not allow this action. A PermissionDenied (403 in views and in this
    app's API) that is also a ValidationError, so callers written against the older contract
    ("services raise ValidationError") still catch it."""

    def __init__(self, message: str = "Peran Anda tidak mengizinkan tindakan ini."):
        ValidationError.__init__(self, message)


def organisation_for_action(actor, perm: str, organisation: Organisation | None = None) -> Organisation:
    """The organisation on whose behalf `actor` acts with `perm`."""
    scope = scope_for(actor)
    orgs = scope.orgs_with(perm)
    if organisation is not None:
        if organisation.pk not in orgs:
            raise ActionNotPermitted("Anda tidak bertindak atas nama organisasi ini.")
        return organisation
    if not orgs:
        raise ActionNotPermitted("Peran Anda tidak mengizinkan tindakan ini.")
    # Deterministic choice: the first membership granting the permission.
    for g in scope.grants:
        if perm in g.perms:
            return Organisation.objects.get(pk=g.organisation_id)
    raise ActionNotPermitted("Peran Anda tidak mengizinkan tindakan ini.")


def _require_case_perm(actor, case: Case, perm: str) -> None:
    from .selectors import cases_visible_to

    if not cases_visible_to(actor, perm).filter(pk=case.pk).exists():
        raise ActionNotPermitted("Peran Anda tidak mengizinkan tindakan ini pada kasus ini.")


def _code(list_key: str, code: str | None) -> str | None:
    return f"{list_key}.{code}" if code else None


def _record_revision(case: Case, fields_changed, actor) -> None:
    CaseRevision.objects.create(
        case=case,
        version=case.version,
        fields=sorted(set(fields_changed)),
        by=actor if getattr(actor, "pk", None) else None,
    )


def changed_since(case: Case, version: int) -> list[str]:
    """Names of the fields changed by revisions after `version` (for a stale editor)."""
    out: set[str] = set()
    for fs in CaseRevision.objects.filter(case=case, version__gt=version).values_list("fields", flat=True):
        out.update(fs)
    return sorted(out)


def _conflict(case: Case, expected_version: int, changed: list[str] | None = None) -> Conflict:
    current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
    changed = changed if changed is not None else changed_since(case, expected_version)
    labels = [FIELD_LABELS.get(f, f) for f in changed]
    msg = "Data telah diubah oleh pengguna lain sejak Anda membukanya; perubahan Anda belum disimpan."
    if labels:
        msg += " Yang berubah: " + ", ".join(labels) + "."
    return Conflict(msg, current_version=current, changed_fields=changed)


# --- register ------------------------------------------------------------------------------


def _fill_draft_defaults(data: VictimData) -> VictimData:
    if not data.is_draft:
        return data
    return replace(
        data,
        sex=data.sex or "unknown",
        identification_channel=data.identification_channel or "unknown",
        identification_date=data.identification_date or timezone.localdate(),
    )


def victim_register(
    *, actor, data: VictimData, organisation: Organisation | None = None, complete: bool = False
) -> Case:
    """Register a victim and open their case (a draft when `data.is_draft`).

    Raises ValidationError (field dict, Bahasa Indonesia) with nothing saved when the data are
    not valid; ActionNotPermitted (a PermissionDenied) when the actor may not register for
    `organisation`. `complete=True` (forms, API) also requires a name and an age."""
    org = organisation_for_action(actor, "victim.create", organisation)
    clean = validate_victim_data(data, complete=complete)
    data = _fill_draft_defaults(data)
    with transaction.atomic():
        victim = Victim.objects.create(
            sex_id=f"sex.{data.sex}",
            birth_year=clean["birth_year"],
            age_estimated=data.birth_date is None and data.estimated_age is not None,
            citizenship_status_id=f"citizenship_status.{clean['citizenship_status']}",
            citizenship_id=clean["citizenship"],
            disability_id=_code("disability", data.disability),
            education_id=_code("education", data.education),
            occupation_id=_code("occupation", data.occupation),
            domicile_region_id=clean["domicile_region"],
            is_demo=data.is_demo,
            created_by=actor,
            updated_by=actor,
        )
        identity = Identity(
            victim=victim,
            full_name=clean["full_name"],
            aliases="\n".join(clean["aliases"]),
            nik=clean["nik"],
            birth_date=data.birth_date.isoformat() if data.birth_date else "",
            phone=clean["phone"],
            address=(data.address or "").strip(),
            guardian_name=(data.guardian_name or "").strip(),
            guardian_phone=clean["guardian_phone"],
            guardian_relation=(data.guardian_relation or "").strip(),
            document_number=clean["document_number"],
        )
        identity_index(victim=victim, identity=identity, new=True)
        identity.save(force_insert=True)
        region_code = org.region_id
        status = CaseStatus.DRAFT if data.is_draft else CaseStatus.REGISTERED
        case = Case.objects.create(
            case_number=_next_case_number(region_code, data.identification_date.year),
            victim=victim,
            registering_org=org,
            owner_org=org,
            region_id=region_code,
            origin_region_id=clean["origin_region"] or clean["domicile_region"],
            status=status,
            is_draft=data.is_draft,
            trafficking_status=data.trafficking_status,
            identification_date=data.identification_date,
            identification_channel_id=f"identification_channel.{data.identification_channel}",
            age_at_identification=clean["age_at_identification"],
            is_child=clean["is_child"],
            scope=data.scope,
            sector_id=_code("labour_sector", data.sector),
            exploitation_start=data.exploitation_start,
            exploitation_end=data.exploitation_end,
            recruiter_relation_id=_code("recruiter_relation", data.recruiter_relation),
            recruiting_agency=(data.recruiting_agency or "").strip(),
            destination_country_id=clean["destination_country"],
            narrative=data.narrative or "",
            exploitation_codes=exploitation_key(clean["exploitation_forms"]),
            is_demo=data.is_demo,
            created_by=actor,
            updated_by=actor,
        )
        _set_codes(case, clean, new=True)
        _write_route(case, clean["route"], new=True)
        StatusChange.objects.create(case=case, from_status="", to_status=status, by=actor, reason="pendaftaran")
        timeline_add(
            case=case,
            kind="registered",
            summary=("Draf pendaftaran dibuat" if data.is_draft else "Korban didaftarkan") + f" oleh {org.name}",
            actor=actor,
            organisation=org,
            object_type="case",
            object_id=case.pk,
        )
        record(
            "victim_register",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            organisation_id=org.pk,
            region_code=region_code,
            detail={"case_number": case.case_number, "draft": data.is_draft, "child": clean["is_child"]},
        )
        announce_cells(case_cells(case_ids=[case.pk]))
    return case


def case_cells(*, case_ids=None, victim_ids=None) -> set[tuple[str | None, dt.date]]:
    """The analytics cells (region, date) the given cases count in: handling region and region
    of origin (none → national) in the identification month, and the handling region in the
    month of closing. Taken before and after a write, so monitoring recomputes the cell a case
    leaves as well as the one it enters."""
    qs = Case.objects.all()
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    if victim_ids is not None:
        qs = qs.filter(victim_id__in=list(victim_ids))
    cells: set[tuple[str | None, dt.date]] = set()
    for region, origin, idate, closed in qs.values_list(
        "region_id", "origin_region_id", "identification_date", "closed_at"
    ):
        cells.add((region, idate))
        cells.add((origin, idate))
        if closed:
            cells.add((region, closed))
    return cells


def announce_cells(cells) -> None:
    """`announce("case", region, date)` once per kab/kota × month among `cells` (the grain of the
    analytics store; monitoring deduplicates pending requests too)."""
    seen = set()
    for region, date in sorted(cells, key=lambda c: (c[0] or "", c[1])):
        key = ((region or "")[:5], date.year, date.month)
        if key not in seen:
            seen.add(key)
            announce("case", region, date)


def exploitation_key(codes) -> str:
    """ "|a|b|" for `Case.exploitation_codes` (sorted, so equal sets give equal keys)."""
    codes = sorted(set(codes or []))
    return "|" + "|".join(codes) + "|" if codes else ""


def _set_codes(case: Case, clean: dict, *, new: bool = False) -> None:
    if not new:
        case.exploitation_forms.set([f"exploitation.{c}" for c in clean["exploitation_forms"]])
        case.means.set([f"means.{c}" for c in clean["means"]])
        case.acts.set([f"act.{c}" for c in clean["acts"]])
        Case.objects.filter(pk=case.pk).update(exploitation_codes=exploitation_key(clean["exploitation_forms"]))
        return
    for manager, prefix, codes in (
        (Case.exploitation_forms, "exploitation", clean["exploitation_forms"]),
        (Case.means, "means", clean["means"]),
        (Case.acts, "act", clean["acts"]),
    ):
        if codes:
            through = manager.through
            through.objects.bulk_create([through(case_id=case.pk, code_id=f"{prefix}.{c}") for c in codes])


def _write_route(case: Case, route: list[dict], *, new: bool = False) -> None:
    if not new:
        RouteLeg.objects.filter(case=case).delete()
    RouteLeg.objects.bulk_create(
        [
            RouteLeg(
                case=case,
                seq=i,
                stage=leg["stage"],
                region_id=leg["region"],
                country_id=leg["country"],
                place_note=leg["place_note"],
                date_from=leg["date_from"],
                date_to=leg["date_to"],
            )
            for i, leg in enumerate(route, start=1)
        ]
    )


# --- edit ------------------------------------------------------------------------------------


def victim_data_for_case(case: Case) -> VictimData:
    """The current record as VictimData (identity decrypted in memory; not shown to anyone)."""
    victim = case.victim
    identity = Identity.objects.filter(victim=victim).first() or Identity(victim=victim)

    def code_of(key):
        return key.split(".", 1)[1] if key else None

    birth = dt.date.fromisoformat(identity.birth_date) if identity.birth_date else None
    return VictimData(
        sex=code_of(victim.sex_id),
        identification_date=case.identification_date,
        identification_channel=code_of(case.identification_channel_id),
        full_name=identity.full_name,
        aliases=[a for a in identity.aliases.splitlines() if a],
        nik=identity.nik,
        birth_date=birth,
        estimated_age=case.age_at_identification if (victim.age_estimated and not birth) else None,
        phone=identity.phone,
        address=identity.address,
        domicile_region=victim.domicile_region_id,
        citizenship_status=code_of(victim.citizenship_status_id),
        citizenship=victim.citizenship_id,
        disability=code_of(victim.disability_id),
        education=code_of(victim.education_id),
        occupation=code_of(victim.occupation_id),
        guardian_name=identity.guardian_name,
        guardian_phone=identity.guardian_phone,
        guardian_relation=identity.guardian_relation,
        exploitation_forms=sorted(c.split(".", 1)[1] for c in case.exploitation_forms.values_list("pk", flat=True)),
        means=sorted(c.split(".", 1)[1] for c in case.means.values_list("pk", flat=True)),
        acts=sorted(c.split(".", 1)[1] for c in case.acts.values_list("pk", flat=True)),
        sector=code_of(case.sector_id),
        exploitation_start=case.exploitation_start,
        exploitation_end=case.exploitation_end,
        recruiter_relation=code_of(case.recruiter_relation_id),
        recruiting_agency=case.recruiting_agency,
        destination_country=case.destination_country_id,
        origin_region=case.origin_region_id,
        scope=case.scope,
        trafficking_status=case.trafficking_status,
        route=[
            RouteLegData(
                stage=r.stage,
                region_code=r.region_id,
                country_code=r.country_id,
                place_note=r.place_note,
                date_from=r.date_from,
                date_to=r.date_to,
            )
            for r in case.route.all()
        ],
        narrative=case.narrative,
        is_draft=case.status == CaseStatus.DRAFT,
        is_demo=case.is_demo,
        document_number=identity.document_number,
    )


def _comparable(name: str, value):
    if name == "route":
        return [(r.stage, r.region_code, r.country_code, r.place_note or "", r.date_from, r.date_to) for r in value]
    if name in ("exploitation_forms", "means", "acts", "aliases"):
        return sorted(v for v in (value or []) if v)
    if value in ("", None):
        return None
    return value


def victim_update(*, actor, case: Case, changes: dict, expected_version: int) -> Case:
    """Apply `changes` (field → new value, the VictimData names) to the case file.

    One compare-and-set on the case's version decides between two concurrent editors: the one
    holding a stale version gets Conflict (409) naming what changed since, and nothing of theirs is
    written. Identity fields need `identity.edit` and identity access to this case."""
    from .selectors import can_view_identity

    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Isian ini tidak dapat diubah."))
    _require_case_perm(actor, case, "victim.edit")
    current = victim_data_for_case(case)
    new = replace(current, **changes)
    changed = [
        f.name
        for f in fields(VictimData)
        if f.name in changes
        and _comparable(f.name, getattr(current, f.name)) != _comparable(f.name, getattr(new, f.name))
    ]
    if "birth_date" in changes and changes["birth_date"] and "estimated_age" not in changes:
        new.estimated_age = None
    if any(f in IDENTITY_FIELDS for f in changed) and not (
        scope_for(actor).has("identity.edit") and can_view_identity(actor, case)
    ):
        raise ActionNotPermitted("Anda tidak berwenang mengubah identitas korban ini.")
    if case.version != expected_version:
        raise _conflict(case, expected_version)
    clean = validate_victim_data(new, draft=case.status == CaseStatus.DRAFT)
    with transaction.atomic():
        before = case_cells(case_ids=[case.pk])
        try:
            save_versioned(case, actor=actor, expected_version=expected_version, fields=[])
        except Conflict:
            raise _conflict(case, expected_version)
        if changed:
            _apply(case, new, clean, changed)
        _record_revision(case, changed, actor)
        if changed:
            timeline_add(
                case=case,
                kind="edited",
                summary="Data diubah: " + ", ".join(FIELD_LABELS.get(f, f) for f in changed),
                actor=actor,
                object_type="case",
                object_id=case.pk,
            )
        record(
            "victim_update",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            region_code=case.region_id,
            detail={"fields": changed, "version": case.version},
        )
        # The old cell too: a new identification date or origin moves the case out of it.
        announce_cells(before | case_cells(case_ids=[case.pk]))
    case.refresh_from_db()
    return case


def _apply(case: Case, new: VictimData, clean: dict, changed: list[str]) -> None:
    victim = case.victim
    old_birth_year = victim.birth_year
    victim.sex_id = f"sex.{new.sex}"
    victim.birth_year = clean["birth_year"]
    victim.age_estimated = new.birth_date is None and new.estimated_age is not None
    victim.citizenship_status_id = f"citizenship_status.{clean['citizenship_status']}"
    victim.citizenship_id = clean["citizenship"]
    victim.disability_id = _code("disability", new.disability)
    victim.education_id = _code("education", new.education)
    victim.occupation_id = _code("occupation", new.occupation)
    victim.domicile_region_id = clean["domicile_region"]
    victim.version = F("version") + 1
    victim.save()
    victim.refresh_from_db(fields=["version"])

    if any(f in IDENTITY_FIELDS for f in changed) or "birth_date" in changed or "estimated_age" in changed:
        identity = Identity.objects.filter(victim=victim).first() or Identity(victim=victim)
        identity.full_name = clean["full_name"]
        identity.aliases = "\n".join(clean["aliases"])
        identity.nik = clean["nik"]
        identity.birth_date = new.birth_date.isoformat() if new.birth_date else ""
        identity.phone = clean["phone"]
        identity.address = (new.address or "").strip()
        identity.guardian_name = (new.guardian_name or "").strip()
        identity.guardian_phone = clean["guardian_phone"]
        identity.guardian_relation = (new.guardian_relation or "").strip()
        identity.document_number = clean["document_number"]
        identity_index(victim=victim, identity=identity)
        identity.save()
    elif victim.birth_year != old_birth_year:
        NameToken.objects.filter(victim=victim).update(birth_year=victim.birth_year)

    Case.objects.filter(pk=case.pk).update(
        identification_date=new.identification_date,
        identification_channel_id=f"identification_channel.{new.identification_channel}",
        age_at_identification=clean["age_at_identification"],
        is_child=clean["is_child"],
        origin_region_id=clean["origin_region"] or clean["domicile_region"],
        sector_id=_code("labour_sector", new.sector),
        exploitation_start=new.exploitation_start,
        exploitation_end=new.exploitation_end,
        recruiter_relation_id=_code("recruiter_relation", new.recruiter_relation),
        recruiting_agency=(new.recruiting_agency or "").strip(),
        destination_country_id=clean["destination_country"],
        scope=new.scope,
        trafficking_status=new.trafficking_status,
        narrative=new.narrative or "",
    )
    if {"exploitation_forms", "means", "acts"} & set(changed):
        _set_codes(case, clean)
    if "route" in changed:
        _write_route(case, clean["route"])


def route_set(*, actor, case: Case, legs: list[RouteLegData], expected_version: int) -> Case:
    """Replace the route (recruitment, transit points, exploitation) as one versioned edit."""
    return victim_update(actor=actor, case=case, changes={"route": legs}, expected_version=expected_version)


# --- status ----------------------------------------------------------------------------------

ALLOWED_TRANSITIONS = {
    CaseStatus.DRAFT: {CaseStatus.REGISTERED, CaseStatus.CLOSED},
    CaseStatus.REGISTERED: {CaseStatus.ASSESSED, CaseStatus.RECEIVING_SERVICES, CaseStatus.CLOSED},
    CaseStatus.ASSESSED: {CaseStatus.RECEIVING_SERVICES, CaseStatus.CLOSED},
    CaseStatus.RECEIVING_SERVICES: {CaseStatus.REINTEGRATED, CaseStatus.CLOSED},
    CaseStatus.REINTEGRATED: {CaseStatus.CLOSED, CaseStatus.RECEIVING_SERVICES},
    CaseStatus.CLOSED: {CaseStatus.REGISTERED},  # reopen
}


def case_change_status(
    *,
    actor,
    case: Case,
    to_status: str,
    reason: str = "",
    closure_reason: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """Move the case along its life cycle; every change is kept (StatusChange) and on the timeline.

    Closing needs a closure reason (code list `closure_reason`); reopening a closed case needs a
    reason text. A draft becomes registered only when its data are complete."""
    if to_status not in CaseStatus.values:
        raise ValidationError({"to_status": f"Status '{to_status}' tidak dikenal."})
    if to_status not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise ValidationError(
            {
                "to_status": (
                    f"Status tidak dapat berubah dari '{CaseStatus(case.status).label}' ke '{CaseStatus(to_status).label}'."
                )
            }
        )
    if to_status == CaseStatus.CLOSED:
        if not closure_reason:
            raise ValidationError({"closure_reason": "Alasan penutupan wajib diisi."})
        if closure_reason not in code_set("closure_reason"):
            raise ValidationError({"closure_reason": f"Alasan penutupan '{closure_reason}' tidak dikenal."})
    if case.status == CaseStatus.CLOSED and not (reason or "").strip():
        raise ValidationError({"reason": "Alasan membuka kembali kasus wajib diisi."})
    if len(reason or "") > 300:
        raise ValidationError({"reason": "Alasan terlalu panjang (maksimal 300 karakter)."})
    if getattr(actor, "pk", None):
        _require_case_perm(actor, case, "victim.edit")
    if case.status == CaseStatus.DRAFT and to_status == CaseStatus.REGISTERED:
        validate_victim_data(victim_data_for_case(case), draft=False, complete=True)
    expected = case.version if expected_version is None else expected_version
    with transaction.atomic():
        before = case_cells(case_ids=[case.pk])
        old = case.status
        case.status = to_status
        case.is_draft = False
        case.closure_reason_id = f"closure_reason.{closure_reason}" if to_status == CaseStatus.CLOSED else None
        case.closed_at = timezone.localdate() if to_status == CaseStatus.CLOSED else None
        try:
            save_versioned(
                case,
                actor=actor,
                expected_version=expected,
                fields=["status", "is_draft", "closure_reason", "closed_at"],
            )
        except Conflict:
            case.status = old
            raise _conflict(case, expected)
        StatusChange.objects.create(
            case=case,
            from_status=old,
            to_status=to_status,
            reason=(reason or "").strip()[:300],
            closure_reason_id=case.closure_reason_id,
            by=actor if getattr(actor, "pk", None) else None,
        )
        _record_revision(case, ["status"], actor)
        verb = "Kasus dibuka kembali" if old == CaseStatus.CLOSED else "Status"
        timeline_add(
            case=case,
            kind="status",
            summary=f"{verb}: {CaseStatus(old).label} → {CaseStatus(to_status).label}",
            actor=actor,
            object_type="case",
            object_id=case.pk,
        )
        record(
            "case_status",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            region_code=case.region_id,
            detail={"from": old, "to": to_status, "closure_reason": closure_reason or ""},
        )
        # Closing or reopening moves the case in or out of a closing month's cell.
        announce_cells(before | case_cells(case_ids=[case.pk]))
    return case


def case_submit_draft(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """A draft becomes a registered case once its required data are there."""
    return case_change_status(
        actor=actor,
        case=case,
        to_status=CaseStatus.REGISTERED,
        reason="draf diselesaikan",
        expected_version=expected_version,
    )


# --- consent ---------------------------------------------------------------------------------


def consent_record(
    *,
    actor,
    case: Case,
    purpose: str,
    granted: bool,
    given_by: str,
    date: dt.date,
    method: str = Consent.Method.WRITTEN,
    guardian_relation: str = "",
) -> Consent:
    """Who consented to what, when (UU 27/2022 Ps 20–25). For a child it is the parent/guardian."""
    errors: dict[str, str] = {}
    if purpose not in code_set("consent_purpose"):
        errors["purpose"] = f"Tujuan persetujuan '{purpose}' tidak dikenal."
    if given_by not in Consent.GivenBy.values:
        errors["given_by"] = "Pemberi persetujuan harus korban atau orang tua/wali."
    elif case.is_child and given_by != Consent.GivenBy.GUARDIAN:
        errors["given_by"] = "Korban anak: persetujuan diberikan oleh orang tua/wali (UU 27/2022 Ps 25)."
    if given_by == Consent.GivenBy.GUARDIAN and not (guardian_relation or "").strip():
        errors["guardian_relation"] = "Hubungan wali dengan korban wajib diisi."
    if method not in Consent.Method.values:
        errors["method"] = "Cara persetujuan tidak dikenal."
    if date is None:
        errors["date"] = "Tanggal wajib diisi."
    elif date > timezone.localdate():
        errors["date"] = "Tanggal tidak boleh di masa depan."
    elif date < case.identification_date - dt.timedelta(days=366):
        errors["date"] = "Tanggal persetujuan jauh sebelum tanggal identifikasi."
    if len(guardian_relation or "") > 60:
        errors["guardian_relation"] = "Isian terlalu panjang."
    if errors:
        raise ValidationError(errors)
    _require_case_perm(actor, case, "consent.edit")
    with transaction.atomic():
        consent = Consent.objects.create(
            case=case,
            purpose_id=f"consent_purpose.{purpose}",
            granted=granted,
            given_by=given_by,
            guardian_relation=(guardian_relation or "").strip(),
            method=method,
            date=date,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        label = "diberikan" if granted else "ditolak"
        timeline_add(
            case=case,
            kind="consent",
            summary=f"Persetujuan ({purpose}) {label}",
            actor=actor,
            object_type="consent",
            object_id=consent.pk,
            at=None,
        )
        record(
            "consent_record",
            actor=actor,
            object_type="consent",
            object_id=consent.pk,
            region_code=case.region_id,
            detail={"case": str(case.pk), "purpose": purpose, "granted": granted, "given_by": given_by},
        )
    return consent


def consent_withdraw(*, actor, consent: Consent, date: dt.date | None = None) -> Consent:
    date = date or timezone.localdate()
    if consent.withdrawn_on:
        raise ValidationError({"withdrawn_on": "Persetujuan ini sudah dicabut."})
    if date < consent.date or date > timezone.localdate():
        raise ValidationError({"withdrawn_on": "Tanggal pencabutan tidak sah."})
    _require_case_perm(actor, consent.case, "consent.edit")
    with transaction.atomic():
        consent.withdrawn_on = date
        consent.save(update_fields=["withdrawn_on"])
        timeline_add(
            case=consent.case,
            kind="consent",
            summary=f"Persetujuan ({consent.purpose_id.split('.')[1]}) dicabut",
            actor=actor,
            object_type="consent",
            object_id=consent.pk,
        )
        record(
            "consent_withdraw",
            actor=actor,
            object_type="consent",
            object_id=consent.pk,
            region_code=consent.case.region_id,
            detail={"case": str(consent.case_id)},
        )
    return consent


# --- perpetrators ----------------------------------------------------------------------------


def perpetrator_add(
    *,
    actor,
    case: Case,
    name: str = "",
    role: str = "",
    sex: str | None = None,
    nationality: str | None = None,
    relation: str | None = None,
    organisation_name: str = "",
) -> Perpetrator:
    """An alleged perpetrator (name encrypted like a victim's)."""
    errors: dict[str, str] = {}
    if not (name or "").strip() and not (organisation_name or "").strip():
        errors["name"] = "Isi nama/alias pelaku atau nama perusahaan/jaringannya."
    if len(name or "") > 200:
        errors["name"] = "Nama terlalu panjang."
    if len(role or "") > 60:
        errors["role"] = "Peran terlalu panjang (maksimal 60 karakter)."
    if len(organisation_name or "") > 200:
        errors["organisation_name"] = "Nama perusahaan terlalu panjang."
    if sex and sex not in code_set("sex"):
        errors["sex"] = f"Jenis kelamin '{sex}' tidak dikenal."
    if relation and relation not in code_set("recruiter_relation"):
        errors["relation"] = f"Hubungan '{relation}' tidak dikenal."
    country = None
    if nationality:
        country = resolve_country(nationality)
        if country is None:
            errors["nationality"] = f"Negara '{nationality}' tidak dikenal."
    if errors:
        raise ValidationError(errors)
    _require_case_perm(actor, case, "victim.edit")
    with transaction.atomic():
        p = Perpetrator.objects.create(
            case=case,
            name=(name or "").strip(),
            role=(role or "").strip(),
            sex_id=_code("sex", sex),
            nationality_id=country,
            relation_id=_code("recruiter_relation", relation),
            organisation_name=(organisation_name or "").strip(),
        )
        timeline_add(
            case=case,
            kind="perpetrator",
            summary="Terduga pelaku dicatat",
            actor=actor,
            object_type="perpetrator",
            object_id=p.pk,
        )
        record(
            "perpetrator_add",
            actor=actor,
            object_type="perpetrator",
            object_id=p.pk,
            region_code=case.region_id,
            detail={"case": str(case.pk)},
        )
    return p


def perpetrator_remove(*, actor, perpetrator: Perpetrator, reason: str = "") -> None:
    case = perpetrator.case
    _require_case_perm(actor, case, "victim.edit")
    with transaction.atomic():
        pk = perpetrator.pk
        perpetrator.delete()
        timeline_add(
            case=case,
            kind="perpetrator",
            summary="Catatan terduga pelaku dihapus",
            actor=actor,
            object_type="perpetrator",
            object_id=pk,
        )
        record(
            "perpetrator_remove",
            actor=actor,
            object_type="perpetrator",
            object_id=pk,
            region_code=case.region_id,
            detail={"case": str(case.pk), "reason": (reason or "")[:200]},
        )


# --- merge -----------------------------------------------------------------------------------


def victim_merge(*, actor, source_case: Case, target_case: Case, reason: str = "") -> VictimMerge:
    """Merge the victim of `source_case` into the victim of `target_case` (a confirmed duplicate).

    The source's cases are re-pointed to the target victim; the source victim and its identity
    stay, marked `merged_into`, so `victim_unmerge` restores exactly what was. Needs `victim.merge`
    over both cases."""
    if not scope_for(actor).has("victim.merge"):
        raise ActionNotPermitted("Hanya supervisor yang dapat menggabungkan data korban.")
    _require_case_perm(actor, source_case, "victim.merge")
    _require_case_perm(actor, target_case, "victim.merge")
    source = Victim.objects.get(pk=source_case.victim_id)
    target = Victim.objects.get(pk=target_case.victim_id)
    if source.pk == target.pk:
        raise ValidationError({"target": "Kedua kasus sudah milik korban yang sama."})
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError({"target": "Salah satu data korban sudah digabung sebelumnya."})
    if len(reason or "") > 300:
        raise ValidationError({"reason": "Alasan terlalu panjang (maksimal 300 karakter)."})
    with transaction.atomic():
        moved = list(Case.objects.select_for_update().filter(victim=source).values_list("pk", flat=True))
        Case.objects.filter(pk__in=moved).update(
            victim=target, version=F("version") + 1, updated_at=timezone.now(), updated_by=actor
        )
        Victim.objects.filter(pk=source.pk).update(merged_into=target, version=F("version") + 1)
        # The target answers name searches for the merged record too (undone by victim_unmerge).
        NameToken.objects.filter(victim=source).update(victim=target, birth_year=target.birth_year)
        merge = VictimMerge.objects.create(
            source=source,
            target=target,
            moved_case_ids=[str(c) for c in moved],
            reason=(reason or "").strip(),
            merged_by=actor,
        )
        for case in Case.objects.filter(victim=target):
            _record_revision(case, ["victim"], actor)
            timeline_add(
                case=case,
                kind="merge",
                summary="Data korban ganda digabung (oleh supervisor)",
                actor=actor,
                object_type="victim_merge",
                object_id=merge.pk,
            )
        record(
            "victim_merge",
            actor=actor,
            object_type="victim",
            object_id=target.pk,
            region_code=target_case.region_id,
            detail={
                "merge": str(merge.pk),
                "source": str(source.pk),
                "target": str(target.pk),
                "cases": [str(c) for c in moved],
                "reason": (reason or "")[:300],
            },
        )
        # The person is now counted once, at the first case of both records: every cell of them.
        announce_cells(case_cells(victim_ids=[source.pk, target.pk]))
    return merge


def victim_unmerge(*, actor, merge: VictimMerge, reason: str = "") -> VictimMerge:
    """Undo a merge: the moved cases go back to the source victim, which is active again."""
    if not scope_for(actor).has("victim.merge"):
        raise ActionNotPermitted("Hanya supervisor yang dapat membatalkan penggabungan.")
    if merge.undone_at:
        raise ValidationError({"merge": "Penggabungan ini sudah dibatalkan."})
    cases = list(Case.objects.filter(pk__in=merge.moved_case_ids))
    for case in cases:
        _require_case_perm(actor, case, "victim.merge")
    with transaction.atomic():
        Case.objects.filter(pk__in=merge.moved_case_ids, victim=merge.target).update(
            victim=merge.source, version=F("version") + 1, updated_at=timezone.now(), updated_by=actor
        )
        Victim.objects.filter(pk=merge.source_id).update(merged_into=None, version=F("version") + 1)
        for victim in Victim.objects.filter(pk__in=[merge.source_id, merge.target_id]):
            identity = Identity.objects.filter(victim=victim).first()
            if identity is not None:
                identity_index(victim=victim, identity=identity)  # each record's own tokens again
                Identity.objects.filter(pk=identity.pk).update(
                    nik_hash=identity.nik_hash, phone_hash=identity.phone_hash, document_hash=identity.document_hash
                )
        merge.undone_at = timezone.now()
        merge.undone_by = actor
        merge.save(update_fields=["undone_at", "undone_by"])
        for case in Case.objects.filter(victim__in=[merge.source_id, merge.target_id]):
            _record_revision(case, ["victim"], actor)
            timeline_add(
                case=case,
                kind="merge",
                summary="Penggabungan data korban dibatalkan",
                actor=actor,
                object_type="victim_merge",
                object_id=merge.pk,
            )
        record(
            "victim_unmerge",
            actor=actor,
            object_type="victim",
            object_id=merge.target_id,
            detail={"merge": str(merge.pk), "cases": merge.moved_case_ids, "reason": (reason or "")[:300]},
        )
        announce_cells(case_cells(victim_ids=[merge.source_id, merge.target_id]))
    return merge
