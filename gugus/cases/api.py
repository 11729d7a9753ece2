"""Victims and their cases over the API (`/api/v1/victims/…`). The id in URLs is the case UUID.

Bodies are read here, before any parsing, so an oversized body (413) or malformed JSON (400)
gets a structured answer and nothing is saved; shape errors are 422 with field errors (the
offending input is never echoed back). Identity appears only for users who may see it, and
each such view is audited.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from contextlib import contextmanager
from typing import Literal

import pydantic
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from gugus.accounts.scope import scope_for

from . import services
from .duplicates import find_candidates
from .models import Case, CaseStatus, Consent, Identity, Perpetrator, VictimMerge
from .selectors import (
    MAX_LIMIT,
    case_allows,
    case_get_for_user,
    case_search,
    case_timeline,
    cases_visible_to,
    identity_case_ids,
    identity_get_for_user,
)
from .validation import registration_warnings, validate_victim_data

router = Router(tags=["victims"])

MAX_BODY_BYTES = 256 * 1024


# --- schemas -------------------------------------------------------------------------------

Stage = Literal["recruitment", "transit", "exploitation", "identification"]


class _In(Schema):
    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)


class CaseRouteLegIn(_In):
    stage: Stage
    region: str | None = Field(None, max_length=80, description="Kode atau nama wilayah Indonesia")
    country: str | None = Field(None, max_length=60, description="Kode ISO atau nama negara")
    place_note: str = Field("", max_length=200)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class _VictimFields(_In):
    full_name: str = Field("", max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=10)
    nik: str = Field("", max_length=24)
    sex: str = Field("", max_length=20)
    birth_date: dt.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=110)
    phone: str = Field("", max_length=24)
    address: str = Field("", max_length=500)
    document_number: str = Field("", max_length=30)
    guardian_name: str = Field("", max_length=200)
    guardian_relation: str = Field("", max_length=60)
    guardian_phone: str = Field("", max_length=24)
    domicile_region: str | None = Field(None, max_length=80)
    citizenship_status: str = Field("wni", max_length=20)
    citizenship: str | None = Field(None, max_length=60)
    disability: str | None = Field(None, max_length=48)
    education: str | None = Field(None, max_length=48)
    occupation: str | None = Field(None, max_length=48)
    identification_date: dt.date | None = None
    identification_channel: str = Field("", max_length=48)
    trafficking_status: Literal["possible", "actual", "not_a_victim"] = "possible"
    scope: Literal["domestic", "transnational"] = "domestic"
    origin_region: str | None = Field(None, max_length=80)
    exploitation_forms: list[str] = Field(default_factory=list, max_length=20)
    means: list[str] = Field(default_factory=list, max_length=20)
    acts: list[str] = Field(default_factory=list, max_length=20)
    sector: str | None = Field(None, max_length=48)
    exploitation_start: dt.date | None = None
    exploitation_end: dt.date | None = None
    recruiter_relation: str | None = Field(None, max_length=48)
    recruiting_agency: str = Field("", max_length=200)
    destination_country: str | None = Field(None, max_length=60)
    narrative: str = Field("", max_length=20000)
    route: list[CaseRouteLegIn] = Field(default_factory=list, max_length=20)


class VictimIn(_VictimFields):
    is_draft: bool = False
    ignore_duplicates: bool = Field(False, description="Daftarkan walau ada kemungkinan duplikat (sudah diperiksa)")


class VictimPatch(_In):
    version: int = Field(..., ge=1, description="Versi yang sedang Anda ubah (dari GET)")
    full_name: str | None = Field(None, max_length=200)
    aliases: list[str] | None = Field(None, max_length=10)
    nik: str | None = Field(None, max_length=24)
    sex: str | None = Field(None, max_length=20)
    birth_date: dt.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=110)
    phone: str | None = Field(None, max_length=24)
    address: str | None = Field(None, max_length=500)
    document_number: str | None = Field(None, max_length=30)
    guardian_name: str | None = Field(None, max_length=200)
    guardian_relation: str | None = Field(None, max_length=60)
    guardian_phone: str | None = Field(None, max_length=24)
    domicile_region: str | None = Field(None, max_length=80)
    citizenship_status: str | None = Field(None, max_length=20)
    citizenship: str | None = Field(None, max_length=60)
    disability: str | None = Field(None, max_length=48)
    education: str | None = Field(None, max_length=48)
    occupation: str | None = Field(None, max_length=48)
    identification_date: dt.date | None = None
    identification_channel: str | None = Field(None, max_length=48)
    trafficking_status: Literal["possible", "actual", "not_a_victim"] | None = None
    scope: Literal["domestic", "transnational"] | None = None
    origin_region: str | None = Field(None, max_length=80)
    exploitation_forms: list[str] | None = Field(None, max_length=20)
    means: list[str] | None = Field(None, max_length=20)
    acts: list[str] | None = Field(None, max_length=20)
    sector: str | None = Field(None, max_length=48)
    exploitation_start: dt.date | None = None
    exploitation_end: dt.date | None = None
    recruiter_relation: str | None = Field(None, max_length=48)
    recruiting_agency: str | None = Field(None, max_length=200)
    destination_country: str | None = Field(None, max_length=60)
    narrative: str | None = Field(None, max_length=20000)
    route: list[CaseRouteLegIn] | None = Field(None, max_length=20)


class DuplicateCheckIn(_VictimFields):
    exclude_case_id: uuid.UUID | None = None


class VictimSearchIn(_In):
    q: str | None = Field(None, max_length=200)
    nik: str | None = Field(None, max_length=24)
    phone: str | None = Field(None, max_length=24)
    region: str | None = Field(None, max_length=80)
    status: str | None = Field(None, max_length=120)
    exploitation: str | None = Field(None, max_length=200)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    child: bool | None = None
    sort: str = "-date"
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)
    cursor: str | None = Field(None, max_length=200)


class CaseStatusIn(_In):
    version: int = Field(..., ge=1)
    to_status: str = Field(..., max_length=20)
    reason: str = Field("", max_length=300)
    closure_reason: str | None = Field(None, max_length=48)


class CaseConsentIn(_In):
    purpose: str = Field(..., max_length=48)
    granted: bool
    given_by: Literal["victim", "guardian"]
    guardian_relation: str = Field("", max_length=60)
    method: Literal["written", "recorded", "oral_witnessed"] = "written"
    date: dt.date


class CasePerpetratorIn(_In):
    name: str = Field("", max_length=200)
    role: str = Field("", max_length=60)
    sex: str | None = Field(None, max_length=20)
    nationality: str | None = Field(None, max_length=60)
    relation: str | None = Field(None, max_length=48)
    organisation_name: str = Field("", max_length=200)


class CaseRouteIn(_In):
    version: int = Field(..., ge=1)
    legs: list[CaseRouteLegIn] = Field(default_factory=list, max_length=20)


class VictimMergeIn(_In):
    into_case_id: uuid.UUID
    reason: str = Field(..., min_length=3, max_length=300)


class VictimUnmergeIn(_In):
    reason: str = Field("", max_length=300)


class CaseOrgOut(Schema):
    id: uuid.UUID
    name: str


class VictimIdentityOut(Schema):
    full_name: str
    aliases: list[str]
    nik: str
    birth_date: str
    phone: str
    address: str
    document_number: str
    guardian_name: str
    guardian_relation: str
    guardian_phone: str
    narrative: str


class CaseRouteLegOut(Schema):
    seq: int
    stage: str
    region: str | None
    region_name: str | None
    country: str | None
    country_name: str | None
    place_note: str
    date_from: dt.date | None
    date_to: dt.date | None


class CasePerpetratorOut(Schema):
    id: uuid.UUID
    name: str | None = Field(None, description="Hanya untuk pengguna dengan akses identitas atau penegak hukum")
    role: str
    sex: str | None
    nationality: str | None
    relation: str | None
    organisation_name: str


class CaseConsentOut(Schema):
    id: uuid.UUID
    purpose: str
    granted: bool
    given_by: str
    guardian_relation: str
    method: str
    date: dt.date
    withdrawn_on: dt.date | None


class CaseStatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    closure_reason: str | None
    at: dt.datetime


class VictimListItem(Schema):
    id: uuid.UUID
    case_number: str
    version: int
    status: str
    identification_date: dt.date
    region: str
    origin_region: str | None
    owner_org: CaseOrgOut
    is_child: bool
    age_at_identification: int | None
    sex: str | None
    destination_country: str | None
    exploitation_forms: list[str]
    updated_at: dt.datetime


class VictimListOut(Schema):
    items: list[VictimListItem]
    count: int
    count_capped: bool
    has_more: bool
    next_cursor: str | None
    limit: int
    offset: int


class VictimOut(Schema):
    id: uuid.UUID
    victim_id: uuid.UUID
    case_number: str
    version: int
    status: str
    is_draft: bool
    trafficking_status: str
    identification_date: dt.date
    identification_channel: str | None
    registering_org: CaseOrgOut
    owner_org: CaseOrgOut
    region: str
    origin_region: str | None
    age_at_identification: int | None
    is_child: bool
    sex: str | None
    birth_year: int | None
    age_estimated: bool
    citizenship_status: str | None
    citizenship: str | None
    disability: str | None
    education: str | None
    occupation: str | None
    domicile_region: str | None
    scope: str
    exploitation_forms: list[str]
    means: list[str]
    acts: list[str]
    sector: str | None
    exploitation_start: dt.date | None
    exploitation_end: dt.date | None
    recruiter_relation: str | None
    recruiting_agency: str
    destination_country: str | None
    closure_reason: str | None
    closed_at: dt.date | None
    route: list[CaseRouteLegOut]
    perpetrators: list[CasePerpetratorOut]
    consents: list[CaseConsentOut]
    status_history: list[CaseStatusChangeOut]
    identity_visible: bool
    identity: VictimIdentityOut | None = Field(
        None, description="Hanya bila Anda berwenang melihat identitas (diaudit)"
    )
    warnings: list[str] = Field(default_factory=list)


class DuplicateCandidateOut(Schema):
    in_scope: bool
    organisation: str
    message: str
    score: int
    reasons: list[str]
    case_id: uuid.UUID | None = None
    case_number: str | None = None
    name: str | None = None
    birth_year: int | None = None
    status: str | None = None


class DuplicateCandidatesOut(Schema):
    candidates: list[DuplicateCandidateOut]


class VictimDuplicatesFound(Schema):
    detail: str
    candidates: list[DuplicateCandidateOut]


class CaseMessage(Schema):
    detail: str


class CaseEventOut(Schema):
    at: dt.datetime
    kind: str
    summary: str
    organisation: str | None


class VictimMergeOut(Schema):
    id: uuid.UUID
    source_victim: uuid.UUID
    target_victim: uuid.UUID
    moved_case_ids: list[str]
    merged_at: dt.datetime
    undone_at: dt.datetime | None


# --- helpers -------------------------------------------------------------------------------


def _inline_schema(model) -> dict:
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _body_doc(model) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": _inline_schema(model)}}}}


def _body(request, model):
    """Parse a JSON body into `model`: 413 when too large, 400 when not JSON, 422 on shape."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise HttpError(413, f"Badan permintaan terlalu besar (maksimal {MAX_BODY_BYTES // 1024} KB).")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise HttpError(413, f"Badan permintaan terlalu besar (maksimal {MAX_BODY_BYTES // 1024} KB).")
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(413, f"Badan permintaan terlalu besar (maksimal {MAX_BODY_BYTES // 1024} KB).")
    try:
        data = json.loads(raw.decode("utf-8") if raw else "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HttpError(400, "Badan permintaan bukan JSON yang sah.")
    if not isinstance(data, dict):
        raise HttpError(400, "Badan permintaan harus berupa objek JSON.")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise NinjaValidationError([{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in errors])


@contextmanager
def _permission():
    try:
        yield
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Peran Anda tidak mengizinkan tindakan ini.")


def _code(key: str | None) -> str | None:
    return key.split(".", 1)[1] if key else None


def _legs(legs) -> list[services.RouteLegData]:
    return [
        services.RouteLegData(
            stage=leg.stage,
            region_code=leg.region,
            country_code=leg.country,
            place_note=leg.place_note,
            date_from=leg.date_from,
            date_to=leg.date_to,
        )
        for leg in legs
    ]


def _victim_data(body: _VictimFields, *, draft: bool) -> services.VictimData:
    values = body.model_dump(exclude={"route", "is_draft", "ignore_duplicates", "exclude_case_id"})
    return services.VictimData(
        sex=values.pop("sex"),
        identification_date=values.pop("identification_date"),
        identification_channel=values.pop("identification_channel"),
        route=_legs(body.route),
        is_draft=draft,
        **values,
    )


def _org(org) -> dict:
    return {"id": org.pk, "name": org.name}


def _perpetrators(case: Case, show_names: bool) -> list[dict]:
    return [
        {
            "id": p.pk,
            "name": p.name if show_names else None,
            "role": p.role,
            "sex": _code(p.sex_id),
            "nationality": p.nationality_id,
            "relation": _code(p.relation_id),
            "organisation_name": p.organisation_name,
        }
        for p in case.perpetrators.order_by("created_at")
    ]


def _show_perpetrator_names(user, case: Case, identity_visible: bool) -> bool:
    return identity_visible or scope_for(user).has("legal.edit")


def _case_out(user, case: Case, *, identity: Identity | None, warnings=None) -> dict:
    case = Case.objects.select_related("victim", "owner_org", "registering_org").get(pk=case.pk)
    victim = case.victim
    show_perp = _show_perpetrator_names(user, case, identity is not None)
    return {
        "id": case.pk,
        "victim_id": victim.pk,
        "case_number": case.case_number,
        "version": case.version,
        "status": case.status,
        "is_draft": case.is_draft,
        "trafficking_status": case.trafficking_status,
        "identification_date": case.identification_date,
        "identification_channel": _code(case.identification_channel_id),
        "registering_org": _org(case.registering_org),
        "owner_org": _org(case.owner_org),
        "region": case.region_id,
        "origin_region": case.origin_region_id,
        "age_at_identification": case.age_at_identification,
        "is_child": case.is_child,
        "sex": _code(victim.sex_id),
        "birth_year": victim.birth_year,
        "age_estimated": victim.age_estimated,
        "citizenship_status": _code(victim.citizenship_status_id),
        "citizenship": victim.citizenship_id,
        "disability": _code(victim.disability_id),
        "education": _code(victim.education_id),
        "occupation": _code(victim.occupation_id),
        "domicile_region": victim.domicile_region_id,
        "scope": case.scope,
        "exploitation_forms": sorted(_code(k) for k in case.exploitation_forms.values_list("pk", flat=True)),
        "means": sorted(_code(k) for k in case.means.values_list("pk", flat=True)),
        "acts": sorted(_code(k) for k in case.acts.values_list("pk", flat=True)),
        "sector": _code(case.sector_id),
        "exploitation_start": case.exploitation_start,
        "exploitation_end": case.exploitation_end,
        "recruiter_relation": _code(case.recruiter_relation_id),
        "recruiting_agency": case.recruiting_agency,
        "destination_country": case.destination_country_id,
        "closure_reason": _code(case.closure_reason_id),
        "closed_at": case.closed_at,
        "route": [
            {
                "seq": r.seq,
                "stage": r.stage,
                "region": r.region_id,
                "region_name": r.region.name if r.region else None,
                "country": r.country_id,
                "country_name": r.country.name_id if r.country else None,
                "place_note": r.place_note,
                "date_from": r.date_from,
                "date_to": r.date_to,
            }
            for r in case.route.select_related("region", "country")
        ],
        "perpetrators": _perpetrators(case, show_perp),
        "consents": [
            {
                "id": c.pk,
                "purpose": _code(c.purpose_id),
                "granted": c.granted,
                "given_by": c.given_by,
                "guardian_relation": c.guardian_relation,
                "method": c.method,
                "date": c.date,
                "withdrawn_on": c.withdrawn_on,
            }
            for c in case.consents.all()
        ],
        "status_history": [
            {
                "from_status": s.from_status,
                "to_status": s.to_status,
                "reason": s.reason,
                "closure_reason": _code(s.closure_reason_id),
                "at": s.at,
            }
            for s in case.status_history.all()
        ],
        "identity_visible": identity is not None,
        "identity": None
        if identity is None
        else {
            "full_name": identity.full_name,
            "aliases": [a for a in identity.aliases.splitlines() if a],
            "nik": identity.nik,
            "birth_date": identity.birth_date,
            "phone": identity.phone,
            "address": identity.address,
            "document_number": identity.document_number,
            "guardian_name": identity.guardian_name,
            "guardian_relation": identity.guardian_relation,
            "guardian_phone": identity.guardian_phone,
            "narrative": case.narrative,
        },
        "warnings": warnings or [],
    }


def _list_out(page) -> dict:
    through = Case.exploitation_forms.through
    codes: dict = {c.pk: [] for c in page.items}
    for case_id, code_id in through.objects.filter(case_id__in=list(codes)).values_list("case_id", "code_id"):
        codes[case_id].append(_code(code_id))
    return {
        "items": [
            {
                "id": c.pk,
                "case_number": c.case_number,
                "version": c.version,
                "status": c.status,
                "identification_date": c.identification_date,
                "region": c.region_id,
                "origin_region": c.origin_region_id,
                "owner_org": _org(c.owner_org),
                "is_child": c.is_child,
                "age_at_identification": c.age_at_identification,
                "sex": _code(c.victim.sex_id),  # joined in by the search
                "destination_country": c.destination_country_id,
                "exploitation_forms": sorted(codes.get(c.pk, [])),
                "updated_at": c.updated_at,
            }
            for c in page.items
        ],
        "count": page.count,
        "count_capped": page.count_capped,
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
        "limit": page.limit,
        "offset": page.offset,
    }


def _search(user, **filters) -> dict:
    if not scope_for(user).has("victim.view"):
        return {
            "items": [],
            "count": 0,
            "count_capped": False,
            "has_more": False,
            "next_cursor": None,
            "limit": filters.get("limit", 50),
            "offset": filters.get("offset", 0),
        }
    return _list_out(case_search(user, **filters))


def _editable_case(request, case_id, perm: str = "victim.edit") -> Case:
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, perm):
        raise HttpError(403, "Peran Anda tidak mengizinkan tindakan ini pada kasus ini.")
    return case


# --- endpoints -----------------------------------------------------------------------------


@router.get("/victims/", response=VictimListOut, summary="Daftar dan cari kasus korban (dalam cakupan)")
def victims_list(
    request,
    q: str | None = None,
    nik: str | None = None,
    region: str | None = None,
    status: str | None = None,
    exploitation: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    child: bool | None = None,
    sort: str = "-date",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
):
    """Filters: `q` (case number, name, NIK or phone), `nik`, `region` (code or name; subtree; origin
    or handling), `status` and `exploitation` (comma-separated codes), `date_from`/`date_to`
    (identification date). Paged by `limit` (≤200) and `offset` (≤10 000) or `cursor`
    (`next_cursor` of the previous page). Prefer `POST /victims/search` for names and NIKs: a
    query string can end up in proxy logs."""
    return _search(
        request.user,
        q=q,
        nik=nik,
        region=region,
        status=status,
        exploitation=exploitation,
        date_from=date_from,
        date_to=date_to,
        child=child,
        sort=sort,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )


@router.post(
    "/victims/search",
    response=VictimListOut,
    openapi_extra=_body_doc(VictimSearchIn),
    summary="Cari kasus dengan kriteria di badan permintaan (tanpa identitas di URL)",
)
def victims_search(request):
    body = _body(request, VictimSearchIn)
    return _search(request.user, **body.model_dump())


@router.post(
    "/victims/",
    response={201: VictimOut, 409: VictimDuplicatesFound},
    openapi_extra=_body_doc(VictimIn),
    summary="Daftarkan korban (atau simpan draf)",
)
def victims_create(request):
    """Registers a victim and opens the case. Unless `ignore_duplicates` is true, possible existing
    records answer 409 with the candidates (out-of-scope ones name only the holding organisation)."""
    body = _body(request, VictimIn)
    if not scope_for(request.user).has("victim.create"):
        raise HttpError(403, "Peran Anda tidak mengizinkan pendaftaran korban.")
    data = _victim_data(body, draft=body.is_draft)
    clean = validate_victim_data(data, complete=True)  # bad input is 422 before any duplicate search
    if not body.is_draft and not body.ignore_duplicates:
        candidates = find_candidates(request.user, data)
        if candidates:
            return Status(
                409,
                {
                    "detail": "Ada kemungkinan data korban yang sama. Periksa kandidat; kirim ulang dengan "
                    "ignore_duplicates=true bila orangnya berbeda.",
                    "candidates": [c.as_dict() for c in candidates],
                },
            )
    with _permission():
        case = services.victim_register(actor=request.user, data=data, complete=True)
    identity = identity_get_for_user(request.user, case, purpose="register")
    return Status(201, _case_out(request.user, case, identity=identity, warnings=registration_warnings(data, clean)))


@router.post(
    "/victims/check-duplicates",
    response=DuplicateCandidatesOut,
    openapi_extra=_body_doc(DuplicateCheckIn),
    summary="Kemungkinan data yang sudah ada (sebelum mendaftar)",
)
def victims_check_duplicates(request):
    body = _body(request, DuplicateCheckIn)
    if not scope_for(request.user).has("victim.create"):
        raise HttpError(403, "Peran Anda tidak mengizinkan pendaftaran korban.")
    exclude = None
    if body.exclude_case_id:
        exclude = case_get_for_user(request.user, body.exclude_case_id).victim_id
    data = body.model_dump(exclude={"route", "exclude_case_id"})
    return {"candidates": [c.as_dict() for c in find_candidates(request.user, data, exclude_victim=exclude)]}


@router.get("/victims/{case_id}", response=VictimOut, summary="Berkas kasus korban")
def victims_detail(request, case_id: str):
    case = case_get_for_user(request.user, case_id)
    identity = identity_get_for_user(request.user, case, purpose="api_detail")
    return _case_out(request.user, case, identity=identity)


@router.patch(
    "/victims/{case_id}",
    response=VictimOut,
    openapi_extra=_body_doc(VictimPatch),
    summary="Ubah berkas kasus (wajib `version`; versi basi → 409)",
)
def victims_update(request, case_id: str):
    body = _body(request, VictimPatch)
    case = _editable_case(request, case_id)
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    if "route" in changes:
        changes["route"] = _legs(body.route or [])
    for k in ("aliases", "exploitation_forms", "means", "acts"):
        if k in changes and changes[k] is None:
            changes[k] = []
    for k in (
        "full_name",
        "nik",
        "phone",
        "address",
        "document_number",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "recruiting_agency",
        "narrative",
    ):
        if k in changes and changes[k] is None:
            changes[k] = ""
    with _permission():
        case = services.victim_update(actor=request.user, case=case, changes=changes, expected_version=body.version)
    identity = identity_get_for_user(request.user, case, purpose="api_update")
    return _case_out(request.user, case, identity=identity)


@router.get(
    "/victims/{case_id}/identity",
    response={200: VictimIdentityOut, 403: CaseMessage},
    summary="Identitas korban (hanya bila berwenang; diaudit)",
)
def victims_identity(request, case_id: str):
    case = case_get_for_user(request.user, case_id)
    identity = identity_get_for_user(request.user, case, purpose="api_identity")
    if identity is None:
        return Status(403, {"detail": "Anda tidak berwenang melihat identitas korban ini."})
    return Status(
        200,
        {
            "full_name": identity.full_name,
            "aliases": [a for a in identity.aliases.splitlines() if a],
            "nik": identity.nik,
            "birth_date": identity.birth_date,
            "phone": identity.phone,
            "address": identity.address,
            "document_number": identity.document_number,
            "guardian_name": identity.guardian_name,
            "guardian_relation": identity.guardian_relation,
            "guardian_phone": identity.guardian_phone,
            "narrative": case.narrative,
        },
    )


@router.post(
    "/victims/{case_id}/status",
    response=VictimOut,
    openapi_extra=_body_doc(CaseStatusIn),
    summary="Ubah status kasus (tutup dengan alasan, buka kembali)",
)
def victims_status(request, case_id: str):
    body = _body(request, CaseStatusIn)
    case = _editable_case(request, case_id)
    with _permission():
        services.case_change_status(
            actor=request.user,
            case=case,
            to_status=body.to_status,
            reason=body.reason,
            closure_reason=body.closure_reason,
            expected_version=body.version,
        )
    return _case_out(request.user, case, identity=identity_get_for_user(request.user, case, purpose="api_status"))


@router.put(
    "/victims/{case_id}/route",
    response=VictimOut,
    openapi_extra=_body_doc(CaseRouteIn),
    summary="Ganti rute (perekrutan, transit, eksploitasi)",
)
def victims_route(request, case_id: str):
    body = _body(request, CaseRouteIn)
    case = _editable_case(request, case_id)
    with _permission():
        case = services.route_set(actor=request.user, case=case, legs=_legs(body.legs), expected_version=body.version)
    return _case_out(request.user, case, identity=identity_get_for_user(request.user, case, purpose="api_route"))


@router.get("/victims/{case_id}/consents", response=list[CaseConsentOut])
def victims_consents(request, case_id: str):
    case = case_get_for_user(request.user, case_id)
    return [
        {
            "id": c.pk,
            "purpose": _code(c.purpose_id),
            "granted": c.granted,
            "given_by": c.given_by,
            "guardian_relation": c.guardian_relation,
            "method": c.method,
            "date": c.date,
            "withdrawn_on": c.withdrawn_on,
        }
        for c in case.consents.all()
    ]


@router.post(
    "/victims/{case_id}/consents",
    response={201: CaseConsentOut},
    openapi_extra=_body_doc(CaseConsentIn),
    summary="Catat persetujuan (anak: oleh orang tua/wali)",
)
def victims_consent_add(request, case_id: str):
    body = _body(request, CaseConsentIn)
    case = _editable_case(request, case_id, "consent.edit")
    with _permission():
        c = services.consent_record(actor=request.user, case=case, **body.model_dump())
    return Status(
        201,
        {
            "id": c.pk,
            "purpose": _code(c.purpose_id),
            "granted": c.granted,
            "given_by": c.given_by,
            "guardian_relation": c.guardian_relation,
            "method": c.method,
            "date": c.date,
            "withdrawn_on": c.withdrawn_on,
        },
    )


@router.post("/victims/{case_id}/consents/{consent_id}/withdraw", response=CaseConsentOut)
def victims_consent_withdraw(request, case_id: str, consent_id: uuid.UUID):
    case = _editable_case(request, case_id, "consent.edit")
    consent = get_object_or_404(Consent, pk=consent_id, case=case)
    with _permission():
        c = services.consent_withdraw(actor=request.user, consent=consent)
    return {
        "id": c.pk,
        "purpose": _code(c.purpose_id),
        "granted": c.granted,
        "given_by": c.given_by,
        "guardian_relation": c.guardian_relation,
        "method": c.method,
        "date": c.date,
        "withdrawn_on": c.withdrawn_on,
    }


@router.get("/victims/{case_id}/perpetrators", response=list[CasePerpetratorOut])
def victims_perpetrators(request, case_id: str):
    case = case_get_for_user(request.user, case_id)
    return _perpetrators(
        case, _show_perpetrator_names(request.user, case, bool(identity_case_ids(request.user, [case])))
    )


@router.post(
    "/victims/{case_id}/perpetrators",
    response={201: CasePerpetratorOut},
    openapi_extra=_body_doc(CasePerpetratorIn),
    summary="Catat terduga pelaku (nama dienkripsi)",
)
def victims_perpetrator_add(request, case_id: str):
    body = _body(request, CasePerpetratorIn)
    case = _editable_case(request, case_id)
    with _permission():
        p = services.perpetrator_add(actor=request.user, case=case, **body.model_dump())
    return Status(
        201,
        {
            "id": p.pk,
            "name": p.name,
            "role": p.role,
            "sex": _code(p.sex_id),
            "nationality": p.nationality_id,
            "relation": _code(p.relation_id),
            "organisation_name": p.organisation_name,
        },
    )


@router.delete("/victims/{case_id}/perpetrators/{perpetrator_id}", response={204: None})
def victims_perpetrator_remove(request, case_id: str, perpetrator_id: uuid.UUID):
    case = _editable_case(request, case_id)
    p = get_object_or_404(Perpetrator, pk=perpetrator_id, case=case)
    with _permission():
        services.perpetrator_remove(actor=request.user, perpetrator=p)
    return Status(204, None)


@router.get("/victims/{case_id}/timeline", response=list[CaseEventOut], summary="Linimasa berkas kasus")
def victims_timeline(request, case_id: str, limit: int = 200):
    case = case_get_for_user(request.user, case_id)
    return [
        {
            "at": e.at,
            "kind": e.kind,
            "summary": e.summary,
            "organisation": e.organisation.name if e.organisation else None,
        }
        for e in case_timeline(case, limit=max(1, min(limit, 500)))
    ]


def _merge_out(m: VictimMerge) -> dict:
    return {
        "id": m.pk,
        "source_victim": m.source_id,
        "target_victim": m.target_id,
        "moved_case_ids": m.moved_case_ids,
        "merged_at": m.merged_at,
        "undone_at": m.undone_at,
    }


@router.post(
    "/victims/{case_id}/merge",
    response={201: VictimMergeOut},
    openapi_extra=_body_doc(VictimMergeIn),
    summary="Supervisor: gabungkan data korban kasus ini ke kasus lain (dapat dibatalkan)",
)
def victims_merge(request, case_id: str):
    body = _body(request, VictimMergeIn)
    case = _editable_case(request, case_id, "victim.merge")
    target = case_get_for_user(request.user, body.into_case_id)
    with _permission():
        merge = services.victim_merge(actor=request.user, source_case=case, target_case=target, reason=body.reason)
    return Status(201, _merge_out(merge))


@router.post(
    "/victims/merges/{merge_id}/undo",
    response=VictimMergeOut,
    openapi_extra=_body_doc(VictimUnmergeIn),
    summary="Supervisor: batalkan penggabungan",
)
def victims_unmerge(request, merge_id: uuid.UUID):
    body = _body(request, VictimUnmergeIn)
    merge = get_object_or_404(VictimMerge, pk=merge_id)
    if not cases_visible_to(request.user, "victim.merge").filter(pk__in=merge.moved_case_ids).exists():
        raise HttpError(404, "Tidak ditemukan.")
    with _permission():
        merge = services.victim_unmerge(actor=request.user, merge=merge, reason=body.reason)
    return _merge_out(merge)


__all__ = ["router", "CaseStatus"]
