"""Writes of the registry: one function per action, keyword-only, actor first, one transaction,
audited, announced to monitoring. Services check meaning and raise `ValidationError` with a field
dict of messages in Bahasa Indonesia, or `Conflict` for a stale edit; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.audit.services import record
from gugus.core.errors import Conflict
from gugus.core.signals import announce
from gugus.core.versioning import save_versioned
from gugus.reference.models import Code, Region, code_key

from .access import NOT_YOUR_REGION, can_edit_region
from .models import (
    FACILITY_FIELDS,
    NON_UNIT_TYPES,
    REACH_FIELDS,
    ActionPlan,
    Audience,
    BestPractice,
    BudgetLine,
    Decree,
    DecreeMember,
    PreventionActivity,
    RadActivity,
    RadActivityYear,
    RadStatus,
    Regulation,
    RegulationStatus,
    Replication,
    StaffCount,
    TaskForce,
    TaskForceStatus,
    TaskForceStatusChange,
    Training,
    TrainingParticipants,
    UnitProfile,
)

# A single TPPO budget line above Rp10 trillion is not a real figure but a typing slip.
MAX_RUPIAH = Decimal("10000000000000")
MAX_COUNT = 10_000_000
MIN_YEAR = 2000
LEVEL_OF_REGION = {0: "national", 1: "province", 2: "kabkota"}


def _today() -> dt.date:
    return timezone.localdate()


def _rp(value: Decimal) -> str:
    q = value.quantize(Decimal("0.01"))
    whole, _, cents = f"{q:,.2f}".partition(".")
    whole = whole.replace(",", ".")
    return f"Rp{whole}" + ("" if cents == "00" else f",{cents}")


class _Errors:
    """Collects field errors so the user sees all of them at once."""

    def __init__(self) -> None:
        self.d: dict[str, list[str]] = {}

    def add(self, field: str, msg: str) -> None:
        self.d.setdefault(field, []).append(msg)

    def has(self, field: str) -> bool:
        return field in self.d

    def raise_if_any(self) -> None:
        if self.d:
            raise ValidationError(self.d)


# ---------------------------------------------------------------------------------------------
# Field parsers: return the clean value or None (and record an error)


def _text(errs: _Errors, value, field: str, *, required: bool = False, max_length: int = 300, label: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        errs.add(field, f"{label or field.capitalize()} wajib diisi.")
    if len(text) > max_length:
        errs.add(field, f"Terlalu panjang (maksimal {max_length} karakter).")
    return text


def _region(errs: _Errors, code, field: str = "region", *, levels=(0, 1, 2)) -> Region | None:
    code = (code or "").strip() if isinstance(code, str) else code
    if not code:
        errs.add(field, "Wilayah wajib diisi.")
        return None
    region = Region.objects.filter(pk=code).first()
    if region is None:
        errs.add(field, f"Wilayah '{str(code)[:20]}' tidak dikenal.")
        return None
    if region.level not in levels:
        errs.add(field, "Data ini dicatat untuk tingkat nasional, provinsi atau kabupaten/kota.")
        return None
    return region


def _code(errs: _Errors, list_key: str, code, field: str, *, required: bool = True) -> str | None:
    if code in (None, ""):
        if required:
            errs.add(field, "Wajib dipilih.")
        return None
    code = str(code)
    if code.startswith(list_key + "."):
        code = code.split(".", 1)[1]
    key = code_key(list_key, code)
    if not Code.objects.filter(key=key, active=True).exists():
        errs.add(field, f"Kode '{code[:40]}' tidak ada dalam daftar '{list_key}'.")
        return None
    return key


def _org(errs: _Errors, org_id, field: str, *, required: bool = False) -> Organisation | None:
    if org_id in (None, ""):
        if required:
            errs.add(field, "Organisasi wajib dipilih.")
        return None
    org = Organisation.objects.defer("secret_location").filter(pk=str(org_id)).first() if _is_uuid(org_id) else None
    if org is None:
        errs.add(field, "Organisasi tidak dikenal.")
    return org


def _orgs(errs: _Errors, ids: Iterable, field: str) -> list[Organisation]:
    ids = [str(i) for i in (ids or []) if i not in (None, "")]
    if not ids:
        return []
    if not all(_is_uuid(i) for i in ids):
        errs.add(field, "Organisasi tidak dikenal.")
        return []
    found = list(Organisation.objects.defer("secret_location").filter(pk__in=ids))
    if len(found) != len(set(ids)):
        errs.add(field, "Ada organisasi yang tidak dikenal.")
    return found


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _money(errs: _Errors, value, field: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errs.add(field, "Jumlah wajib diisi.")
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errs.add(field, "Bukan angka rupiah yang sah (contoh: 150000000 atau 150000000.50).")
        return None
    if not amount.is_finite():
        errs.add(field, "Bukan angka rupiah yang sah.")
        return None
    if amount < 0:
        errs.add(field, "Jumlah tidak boleh negatif.")
        return None
    if amount > MAX_RUPIAH:
        errs.add(field, f"Jumlah {_rp(amount)} tidak wajar (maksimal {_rp(MAX_RUPIAH)} per baris).")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errs.add(field, "Rupiah paling banyak dua angka di belakang koma.")
        return None
    return amount.quantize(Decimal("0.01"))


def _decimal(errs: _Errors, value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        num = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errs.add(field, "Bukan angka yang sah.")
        return None
    if not num.is_finite() or num < 0 or num > Decimal("99999999999999"):
        errs.add(field, "Angka harus 0 atau lebih (dan wajar).")
        return None
    if num != num.quantize(Decimal("0.01")):
        errs.add(field, "Paling banyak dua angka di belakang koma.")
        return None
    return num


def _count(errs: _Errors, value, field: str, *, required: bool = False, maximum: int = MAX_COUNT) -> int | None:
    if value in (None, ""):
        if required:
            errs.add(field, "Wajib diisi.")
            return None
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        errs.add(field, "Bukan bilangan bulat.")
        return None
    if isinstance(value, float) and value != n:
        errs.add(field, "Bukan bilangan bulat.")
        return None
    if n < 0:
        errs.add(field, "Tidak boleh negatif.")
        return None
    if n > maximum:
        errs.add(field, f"Angka {n} tidak wajar (maksimal {maximum:,}).".replace(",", "."))
        return None
    return n


def _year(
    errs: _Errors, value, field: str, *, ahead: int = 0, minimum: int = MIN_YEAR, required: bool = True
) -> int | None:
    if value in (None, ""):
        if required:
            errs.add(field, "Tahun wajib diisi.")
        return None
    try:
        y = int(value)
    except (TypeError, ValueError):
        errs.add(field, "Tahun tidak sah.")
        return None
    top = _today().year + ahead
    if y < minimum or y > top:
        errs.add(field, f"Tahun {y} di luar rentang yang wajar ({minimum}–{top}).")
        return None
    return y


def _date(errs: _Errors, value, field: str, *, required: bool = True, future_ok: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errs.add(field, "Tanggal wajib diisi.")
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errs.add(field, "Tanggal tidak sah (format TTTT-BB-HH).")
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if value.year < MIN_YEAR:
        errs.add(field, f"Tanggal sebelum {MIN_YEAR} tidak wajar.")
        return None
    if not future_ok and value > _today():
        errs.add(field, "Tanggal tidak boleh di masa depan.")
        return None
    return value


def _choice(errs: _Errors, value, field: str, choices) -> str | None:
    valid = {c[0] for c in choices}
    if value not in valid:
        errs.add(field, f"Pilihan '{str(value)[:30]}' tidak dikenal.")
        return None
    return value


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes", "ya"}
    return bool(value)


# ---------------------------------------------------------------------------------------------
# Shared write mechanics


def _region_to_fill(actor, region_code) -> Region:
    """The region a new record is for, if the actor may fill it (else a field error, 422)."""
    errs = _Errors()
    region = _region(errs, region_code)
    errs.raise_if_any()
    _require_region(actor, region.code)
    return region


def _known_fields(raw, allowed) -> None:
    """A caller passing a field the record does not have is a programming error, not bad input."""
    unknown = set(raw) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")


def _require_region(actor, region_code: str, field: str = "region") -> None:
    if not can_edit_region(actor, region_code):
        raise ValidationError({field: NOT_YOUR_REGION})


def require_record_editable(actor, region_code: str) -> None:
    """An existing record the actor may not edit answers like a missing one (404)."""
    if not can_edit_region(actor, region_code):
        raise Http404


def _field_name(model, attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f.name
    return attname


def _apply(obj, values: dict) -> list[str]:
    """Set attributes (attnames); return the model field names that changed."""
    changed = []
    for attname, value in values.items():
        if getattr(obj, attname) != value:
            setattr(obj, attname, value)
            changed.append(_field_name(type(obj), attname))
    return changed


def _save_changes(obj, *, actor, expected_version, changed: list[str]) -> None:
    if expected_version is not None and expected_version != obj.version:
        # Loaded row is already newer than the editor's copy.
        raise Conflict(current_version=obj.version, changed_fields=changed)
    save_versioned(
        obj,
        actor=actor,
        expected_version=expected_version if expected_version is not None else obj.version,
        fields=changed,
    )


MAX_REASON = 500


def _clean_reason(reason) -> str:
    """Why a record is removed: kept in the audit trail, so it must be said (never identity data)."""
    errs = _Errors()
    text = _text(errs, reason, "reason", required=True, max_length=MAX_REASON, label="Alasan")
    errs.raise_if_any()
    return text


def _delete_versioned(obj, *, expected_version: int | None) -> None:
    """Delete the row only if it is still at the version the caller saw (cascading rows go with it)."""
    model = type(obj)
    version = expected_version if expected_version is not None else obj.version
    # delete() counts cascaded rows too: look at the model's own count only.
    deleted = model.objects.filter(pk=obj.pk, version=version).delete()[1].get(model._meta.label, 0)
    if deleted != 1:
        raise Conflict(current_version=model.objects.filter(pk=obj.pk).values_list("version", flat=True).first())


def _apply_saved(obj, values: dict, *, actor, expected_version) -> list[str]:
    """Set the clean values and save them under the version check; return what changed."""
    changed = _apply(obj, values)
    _save_changes(obj, actor=actor, expected_version=expected_version, changed=changed)
    return changed


def _audit(action: str, actor, obj, region_code: str, detail: dict | None = None, object_type: str = "") -> None:
    record(
        action,
        actor=actor,
        object_type=object_type or type(obj).__name__.lower(),
        object_id=obj.pk,
        region_code=region_code,
        detail=detail or {},
    )


def _unique_guard(fn):
    """A unique constraint hit by a concurrent writer becomes a clear error, not a 500."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except IntegrityError as exc:
            raise ValidationError(
                {"__all__": "Data yang sama sudah tercatat (mungkin baru saja oleh pengguna lain). Muat ulang halaman."}
            ) from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


# ---------------------------------------------------------------------------------------------
# 1. Task force and decrees


def decree_number_key(number: str) -> str:
    return re.sub(r"\s+", "", number or "").casefold()


def _clean_decree(errs: _Errors, *, number, date, signed_by, chair, title="", secretariat_id=None) -> dict:
    return {
        "number": _text(errs, number, "decree_number", required=True, max_length=120, label="Nomor SK"),
        "date": _date(errs, date, "decree_date"),
        "signed_by": _text(errs, signed_by, "signed_by", required=True, max_length=160, label="Penanda tangan"),
        "chair": _text(errs, chair, "chair", required=True, max_length=200, label="Ketua"),
        "title": _text(errs, title, "decree_title", max_length=300),
        "secretariat": _org(errs, secretariat_id, "secretariat"),
    }


def _clean_members(errs: _Errors, members) -> list[tuple[Organisation, str, bool]]:
    out, seen = [], set()
    for m in members or []:
        get = m.get if isinstance(m, dict) else (lambda k, d=None, m=m: getattr(m, k, d))
        org = _org(errs, get("organisation_id"), "members", required=True)
        sub = _code(errs, "sub_gt", get("sub_gt"), "members")
        if org is None or sub is None:
            continue
        if (org.pk, sub) in seen:
            errs.add("members", f"{org.name} tercantum dua kali di sub gugus tugas yang sama.")
            continue
        seen.add((org.pk, sub))
        out.append((org, sub, _bool(get("is_lead", False))))
    return out


def _check_decree_number_free(errs: _Errors, task_force: TaskForce | None, number: str, *, exclude=None) -> None:
    if task_force is None or not number:
        return
    qs = Decree.objects.filter(task_force=task_force, number_key=decree_number_key(number))
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        errs.add("decree_number", f"SK nomor '{number}' sudah tercatat untuk gugus tugas wilayah ini.")


@_unique_guard
def taskforce_create(
    *,
    actor,
    region_code: str,
    decree_number: str,
    decree_date,
    signed_by: str,
    chair: str,
    decree_title: str = "",
    secretariat_id=None,
    name: str = "",
    members=(),
    note: str = "",
    is_demo: bool = False,
) -> TaskForce:
    """Record a region's task force with the decree that formed it (and its members)."""
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    if TaskForce.objects.filter(region=region).exists():
        errs.add("region", f"{region.name} sudah memiliki gugus tugas; catat SK pembaruannya di halaman gugus tugas.")
    decree = _clean_decree(
        errs,
        number=decree_number,
        date=decree_date,
        signed_by=signed_by,
        chair=chair,
        title=decree_title,
        secretariat_id=secretariat_id,
    )
    member_rows = _clean_members(errs, members)
    name = _text(errs, name, "name", max_length=200)
    note = _text(errs, note, "note", max_length=5000)
    errs.raise_if_any()
    with transaction.atomic():
        tf = TaskForce.objects.create(
            region=region,
            level_id=code_key("gt_level", LEVEL_OF_REGION[region.level]),
            name=name or (f"Gugus Tugas PP-TPPO {region.name}" if region.level else "Gugus Tugas PP-TPPO Nasional"),
            status=TaskForceStatus.ACTIVE,
            status_since=decree["date"],
            note=note,
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
        )
        TaskForceStatusChange.objects.create(
            task_force=tf, status=TaskForceStatus.ACTIVE, date=decree["date"], note="dibentuk", by=actor
        )
        d = Decree.objects.create(
            task_force=tf,
            number_key=decree_number_key(decree["number"]),
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
            **decree,
        )
        DecreeMember.objects.bulk_create(
            [DecreeMember(decree=d, organisation=o, sub_gt_id=s, is_lead=lead) for o, s, lead in member_rows]
        )
        _audit(
            "taskforce_create",
            actor,
            tf,
            region.code,
            {"decree": str(d.pk), "decree_number": d.number, "members": len(member_rows)},
            "taskforce",
        )
        announce("taskforce", region.code, decree["date"])
    return tf


def taskforce_update(*, actor, task_force: TaskForce, expected_version: int | None, name=None, note=None) -> TaskForce:
    require_record_editable(actor, task_force.region_id)
    errs = _Errors()
    values = {}
    if name is not None:
        values["name"] = _text(errs, name, "name", required=True, max_length=200, label="Nama")
    if note is not None:
        values["note"] = _text(errs, note, "note", max_length=5000)
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(task_force, values, actor=actor, expected_version=expected_version)
        _audit("taskforce_update", actor, task_force, task_force.region_id, {"fields": changed}, "taskforce")
        announce("taskforce", task_force.region_id, _today())
    return task_force


def taskforce_set_status(
    *, actor, task_force: TaskForce, expected_version: int | None, status: str, date, note: str = ""
) -> TaskForce:
    require_record_editable(actor, task_force.region_id)
    errs = _Errors()
    status = _choice(errs, status, "status", TaskForceStatus.choices)
    date = _date(errs, date, "date")
    note = _text(errs, note, "note", max_length=300)
    if status and status == task_force.status:
        errs.add("status", f"Status gugus tugas sudah '{TaskForceStatus(status).label}'.")
    last = task_force.status_history.order_by("-date", "-id").first()
    if date and last and date < last.date:
        errs.add("date", f"Tanggal tidak boleh sebelum perubahan status terakhir ({last.date:%d-%m-%Y}).")
    if status == TaskForceStatus.DISSOLVED and not note:
        errs.add("note", "Sebutkan dasar pembubaran (mis. nomor keputusan).")
    errs.raise_if_any()
    with transaction.atomic():
        old = task_force.status
        _apply_saved(
            task_force, {"status": status, "status_since": date}, actor=actor, expected_version=expected_version
        )
        TaskForceStatusChange.objects.create(task_force=task_force, status=status, date=date, note=note, by=actor)
        _audit("taskforce_status", actor, task_force, task_force.region_id, {"from": old, "to": status}, "taskforce")
        announce("taskforce", task_force.region_id, date)
    return task_force


@_unique_guard
def decree_renew(
    *,
    actor,
    task_force: TaskForce,
    number: str,
    date,
    signed_by: str,
    chair: str,
    title: str = "",
    secretariat_id=None,
    members=None,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> Decree:
    """A new decree supersedes the one in force (both kept). `members=None` copies the previous
    decree's members; a list replaces them. A renewal of an inactive or dissolved task force
    makes it active again from the decree's date."""
    require_record_editable(actor, task_force.region_id)
    errs = _Errors()
    data = _clean_decree(
        errs, number=number, date=date, signed_by=signed_by, chair=chair, title=title, secretariat_id=secretariat_id
    )
    member_rows = None if members is None else _clean_members(errs, members)
    errs.raise_if_any()
    with transaction.atomic():
        tf = TaskForce.objects.select_for_update().get(pk=task_force.pk)
        if expected_version is not None and tf.version != expected_version:
            raise Conflict(current_version=tf.version)
        current = tf.decrees.filter(superseded_by__isnull=True).order_by("-date").first()
        _check_decree_number_free(errs, tf, data["number"])
        if current and data["date"] and data["date"] <= current.date:
            errs.add(
                "decree_date",
                f"Tanggal SK baru harus setelah SK yang berlaku ({current.number}, {current.date:%d-%m-%Y}).",
            )
        errs.raise_if_any()
        new = Decree.objects.create(
            task_force=tf,
            number_key=decree_number_key(data["number"]),
            supersedes=current,
            is_demo=is_demo,
            created_by=actor,
            updated_by=actor,
            **data,
        )
        if member_rows is None and current is not None:
            member_rows = [
                (m.organisation, m.sub_gt_id, m.is_lead) for m in current.members.select_related("organisation")
            ]
        DecreeMember.objects.bulk_create(
            [DecreeMember(decree=new, organisation=o, sub_gt_id=s, is_lead=lead) for o, s, lead in member_rows or []]
        )
        changed = []
        if tf.status != TaskForceStatus.ACTIVE:
            changed = _apply(tf, {"status": TaskForceStatus.ACTIVE, "status_since": data["date"]})
            TaskForceStatusChange.objects.create(
                task_force=tf,
                status=TaskForceStatus.ACTIVE,
                date=data["date"],
                note=f"dibentuk kembali dengan SK {new.number}"[:300],
                by=actor,
            )
        save_versioned(tf, actor=actor, expected_version=tf.version, fields=changed)
        task_force.version, task_force.status, task_force.status_since = tf.version, tf.status, tf.status_since
        _audit(
            "decree_renew",
            actor,
            new,
            tf.region_id,
            {"task_force": str(tf.pk), "supersedes": str(current.pk) if current else None, "number": new.number},
            "decree",
        )
        announce("taskforce", tf.region_id, data["date"])
    return new


@_unique_guard
def decree_update(
    *,
    actor,
    decree: Decree,
    expected_version: int | None,
    number=None,
    date=None,
    signed_by=None,
    chair=None,
    title=None,
    secretariat_id=...,
) -> Decree:
    """Correct a decree's details (a typo in the number, the date)."""
    tf = decree.task_force
    require_record_editable(actor, tf.region_id)
    errs = _Errors()
    merged = _clean_decree(
        errs,
        number=decree.number if number is None else number,
        date=decree.date if date is None else date,
        signed_by=decree.signed_by if signed_by is None else signed_by,
        chair=decree.chair if chair is None else chair,
        title=decree.title if title is None else title,
        secretariat_id=decree.secretariat_id if secretariat_id is ... else secretariat_id,
    )
    _check_decree_number_free(errs, tf, merged["number"], exclude=decree)
    d = merged["date"]
    if d and decree.supersedes_id and d <= decree.supersedes.date:
        errs.add("decree_date", f"Tanggal harus setelah SK yang digantikan ({decree.supersedes.date:%d-%m-%Y}).")
    nxt = Decree.objects.filter(supersedes=decree).first()
    if d and nxt and d >= nxt.date:
        errs.add("decree_date", f"Tanggal harus sebelum SK penggantinya ({nxt.date:%d-%m-%Y}).")
    errs.raise_if_any()
    values = {
        "number": merged["number"],
        "number_key": decree_number_key(merged["number"]),
        "date": d,
        "signed_by": merged["signed_by"],
        "chair": merged["chair"],
        "title": merged["title"],
        "secretariat_id": merged["secretariat"].pk if merged["secretariat"] else None,
    }
    with transaction.atomic():
        changed = _apply_saved(decree, values, actor=actor, expected_version=expected_version)
        _audit("decree_update", actor, decree, tf.region_id, {"fields": changed}, "decree")
        announce("taskforce", tf.region_id, d)
    return decree


@_unique_guard
def decree_member_add(*, actor, decree: Decree, organisation_id, sub_gt: str, is_lead: bool = False) -> DecreeMember:
    tf = decree.task_force
    require_record_editable(actor, tf.region_id)
    errs = _Errors()
    org = _org(errs, organisation_id, "organisation", required=True)
    sub = _code(errs, "sub_gt", sub_gt, "sub_gt")
    if org and sub and DecreeMember.objects.filter(decree=decree, organisation=org, sub_gt_id=sub).exists():
        errs.add("organisation", f"{org.name} sudah menjadi anggota sub gugus tugas ini.")
    errs.raise_if_any()
    with transaction.atomic():
        m = DecreeMember.objects.create(decree=decree, organisation=org, sub_gt_id=sub, is_lead=_bool(is_lead))
        _audit(
            "decree_member_add",
            actor,
            m,
            tf.region_id,
            {"decree": str(decree.pk), "organisation": str(org.pk), "sub_gt": sub},
            "decree_member",
        )
        announce("taskforce", tf.region_id, _today())
    return m


def decree_member_remove(*, actor, member: DecreeMember) -> None:
    tf = member.decree.task_force
    require_record_editable(actor, tf.region_id)
    with transaction.atomic():
        detail = {
            "decree": str(member.decree_id),
            "organisation": str(member.organisation_id),
            "sub_gt": member.sub_gt_id,
        }
        _audit("decree_member_remove", actor, member, tf.region_id, detail, "decree_member")
        member.delete()
        announce("taskforce", tf.region_id, _today())


# ---------------------------------------------------------------------------------------------
# 2. Regional action plan (RAD)

PLAN_FIELDS = [
    "title",
    "period_start",
    "period_end",
    "status",
    "legal_basis",
    "enacted_on",
    "in_rpjmd",
    "rpjmd_note",
    "in_renstra_skpd",
    "note",
]


def _clean_plan(errs: _Errors, region: Region, raw: dict, *, exclude: ActionPlan | None = None) -> dict:
    v = {
        "title": _text(errs, raw.get("title"), "title", required=True, max_length=300, label="Judul"),
        "period_start": _year(errs, raw.get("period_start"), "period_start", ahead=10, minimum=2005),
        "period_end": _year(errs, raw.get("period_end"), "period_end", ahead=15, minimum=2005),
        "status": _choice(errs, raw.get("status") or RadStatus.DRAFTING, "status", RadStatus.choices),
        "legal_basis": _text(errs, raw.get("legal_basis"), "legal_basis", max_length=300),
        "enacted_on": _date(errs, raw.get("enacted_on"), "enacted_on", required=False),
        "in_rpjmd": _bool(raw.get("in_rpjmd")),
        "rpjmd_note": _text(errs, raw.get("rpjmd_note"), "rpjmd_note", max_length=300),
        "in_renstra_skpd": _bool(raw.get("in_renstra_skpd")),
        "note": _text(errs, raw.get("note"), "note", max_length=5000),
    }
    s, e = v["period_start"], v["period_end"]
    if s and e:
        if e < s:
            errs.add("period_end", f"Periode RAD berakhir ({e}) sebelum dimulai ({s}).")
        elif e - s > 9:
            errs.add("period_end", f"Periode {s}–{e} terlalu panjang (RAD umumnya 5 tahun, maksimal 10).")
        else:
            others = ActionPlan.objects.filter(region=region, period_start__lte=e, period_end__gte=s)
            if exclude is not None:
                others = others.exclude(pk=exclude.pk)
            other = others.first()
            if other is not None:
                errs.add(
                    "period_start",
                    f"Periode bertumpang tindih dengan RAD {other.period_start}–{other.period_end} "
                    "yang sudah tercatat untuk wilayah ini.",
                )
    if v["status"] in (RadStatus.ENACTED, RadStatus.EXPIRED) and not v["legal_basis"]:
        errs.add("legal_basis", "RAD yang ditetapkan wajib menyebut dasar hukumnya (mis. Pergub/Perbup nomor …).")
    if v["enacted_on"] and v["status"] in (RadStatus.NONE, RadStatus.DRAFTING):
        errs.add("enacted_on", "Tanggal penetapan hanya untuk RAD yang sudah ditetapkan.")
    return v


def plan_create(*, actor, region_code: str, renstra_agency_ids=(), is_demo: bool = False, **raw) -> ActionPlan:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    _known_fields(raw, PLAN_FIELDS)
    values = _clean_plan(errs, region, raw)
    agencies = _orgs(errs, renstra_agency_ids, "renstra_agencies")
    errs.raise_if_any()
    if agencies:
        values["in_renstra_skpd"] = True
    with transaction.atomic():
        plan = ActionPlan.objects.create(region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values)
        plan.renstra_agencies.set(agencies)
        _audit(
            "rad_create",
            actor,
            plan,
            region.code,
            {"period": f"{plan.period_start}-{plan.period_end}", "status": plan.status},
            "rad",
        )
        announce("rad", region.code, dt.date(plan.period_start, 1, 1))
    return plan


def plan_update(
    *, actor, plan: ActionPlan, expected_version: int | None, renstra_agency_ids=None, **changes
) -> ActionPlan:
    require_record_editable(actor, plan.region_id)
    _known_fields(changes, PLAN_FIELDS)
    raw = {f: getattr(plan, f) for f in PLAN_FIELDS}
    raw.update(changes)
    errs = _Errors()
    values = _clean_plan(errs, plan.region, raw, exclude=plan)
    agencies = None if renstra_agency_ids is None else _orgs(errs, renstra_agency_ids, "renstra_agencies")
    errs.raise_if_any()
    if agencies:
        values["in_renstra_skpd"] = True
    with transaction.atomic():
        changed = _apply(plan, values)
        if agencies is not None:
            old = set(plan.renstra_agencies.values_list("pk", flat=True))
            if old != {a.pk for a in agencies}:
                plan.renstra_agencies.set(agencies)
                changed.append("renstra_agencies")
        _save_changes(
            plan,
            actor=actor,
            expected_version=expected_version,
            changed=[c for c in changed if c != "renstra_agencies"],
        )
        _audit("rad_update", actor, plan, plan.region_id, {"fields": changed, "status": plan.status}, "rad")
        announce("rad", plan.region_id, dt.date(plan.period_start, 1, 1))
    return plan


def _clean_activity(errs: _Errors, raw: dict) -> dict:
    return {
        "name": _text(errs, raw.get("name"), "name", required=True, max_length=300, label="Kegiatan"),
        "sub_gt_id": _code(errs, "sub_gt", raw.get("sub_gt"), "sub_gt", required=False),
        "indicator": _text(errs, raw.get("indicator"), "indicator", max_length=300),
        "unit": _text(errs, raw.get("unit"), "unit", max_length=60),
    }


def activity_add(
    *, actor, plan: ActionPlan, name: str, sub_gt=None, indicator: str = "", unit: str = "", responsible_ids=()
) -> RadActivity:
    require_record_editable(actor, plan.region_id)
    errs = _Errors()
    values = _clean_activity(errs, {"name": name, "sub_gt": sub_gt, "indicator": indicator, "unit": unit})
    orgs = _orgs(errs, responsible_ids, "responsible")
    errs.raise_if_any()
    with transaction.atomic():
        sort = plan.activities.count() + 1
        act = RadActivity.objects.create(plan=plan, sort=sort, created_by=actor, updated_by=actor, **values)
        act.responsible.set(orgs)
        _audit("rad_activity_add", actor, act, plan.region_id, {"plan": str(plan.pk)}, "rad_activity")
        announce("rad", plan.region_id, dt.date(plan.period_start, 1, 1))
    return act


def activity_update(
    *, actor, activity: RadActivity, expected_version: int | None, responsible_ids=None, **changes
) -> RadActivity:
    plan = activity.plan
    require_record_editable(actor, plan.region_id)
    raw = {"name": activity.name, "sub_gt": activity.sub_gt_id, "indicator": activity.indicator, "unit": activity.unit}
    raw.update(changes)
    errs = _Errors()
    values = _clean_activity(errs, raw)
    orgs = None if responsible_ids is None else _orgs(errs, responsible_ids, "responsible")
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(activity, values, actor=actor, expected_version=expected_version)
        if orgs is not None:
            activity.responsible.set(orgs)
            changed.append("responsible")
        _audit("rad_activity_update", actor, activity, plan.region_id, {"fields": changed}, "rad_activity")
        announce("rad", plan.region_id, dt.date(plan.period_start, 1, 1))
    return activity


@_unique_guard
def activity_year_set(
    *,
    actor,
    activity: RadActivity,
    year,
    target=None,
    realisation=None,
    note: str = "",
    expected_version: int | None = None,
) -> RadActivityYear:
    """Target and realisation of an activity for one year of the plan. Creating needs no version;
    changing an existing year needs the version the editor saw (else 409)."""
    plan = activity.plan
    require_record_editable(actor, plan.region_id)
    errs = _Errors()
    y = _year(errs, year, "year", ahead=15, minimum=2005)
    if y and not (plan.period_start <= y <= plan.period_end):
        errs.add("year", f"Tahun {y} di luar periode RAD ({plan.period_start}–{plan.period_end}).")
    values = {
        "target": _decimal(errs, target, "target"),
        "realisation": _decimal(errs, realisation, "realisation"),
        "note": _text(errs, note, "note", max_length=300),
    }
    if y and values["realisation"] is not None and y > _today().year:
        errs.add("realisation", f"Realisasi tahun {y} belum dapat diisi.")
    errs.raise_if_any()
    with transaction.atomic():
        row = RadActivityYear.objects.select_for_update().filter(activity=activity, year=y).first()
        if row is None:
            if expected_version not in (None, 0):
                raise Conflict(current_version=None)
            row = RadActivityYear.objects.create(
                activity=activity, year=y, created_by=actor, updated_by=actor, **values
            )
            action = "rad_year_create"
            changed = list(values)
        else:
            if expected_version is None:
                raise Conflict(
                    "Target/realisasi tahun ini sudah diisi orang lain; muat ulang halaman.",
                    current_version=row.version,
                )
            changed = _apply_saved(row, values, actor=actor, expected_version=expected_version)
            action = "rad_year_update"
        _audit(
            action,
            actor,
            row,
            plan.region_id,
            {"activity": str(activity.pk), "year": y, "fields": changed},
            "rad_activity_year",
        )
        announce("rad", plan.region_id, dt.date(y, 1, 1))
    return row


# ---------------------------------------------------------------------------------------------
# 3. Budgets

BUDGET_FIELDS = ["year", "source", "programme", "agency_id", "allocated", "realised", "note"]


def _clean_budget(errs: _Errors, region: Region, raw: dict, *, exclude: BudgetLine | None = None) -> dict:
    v = {
        "year": _year(errs, raw.get("year"), "year", ahead=2),
        "source_id": _code(errs, "budget_source", raw.get("source"), "source"),
        "programme_id": _code(errs, "budget_programme", raw.get("programme"), "programme"),
        "allocated": _money(errs, raw.get("allocated"), "allocated"),
        "realised": _money(errs, raw.get("realised"), "realised", required=False),
        "note": _text(errs, raw.get("note"), "note", max_length=2000),
    }
    agency = _org(errs, raw.get("agency_id"), "agency")
    v["agency_id"] = agency.pk if agency else None
    alloc, real = v["allocated"], v["realised"]
    if real is not None and v["year"] and v["year"] > _today().year:
        errs.add("realised", f"Realisasi tahun anggaran {v['year']} belum dapat diisi.")
    elif alloc is not None and real is not None and real > alloc and not v["note"]:
        errs.add("realised", f"Realisasi ({_rp(real)}) melebihi pagu ({_rp(alloc)}): jelaskan di kolom catatan.")
    if v["year"] and v["source_id"] and v["programme_id"] and not errs.d:
        dup = BudgetLine.objects.filter(
            region=region,
            year=v["year"],
            source_id=v["source_id"],
            programme_id=v["programme_id"],
            agency_id=v["agency_id"],
        )
        if exclude is not None:
            dup = dup.exclude(pk=exclude.pk)
        if dup.exists():
            errs.add(
                "programme",
                "Baris anggaran untuk tahun, sumber, program dan instansi ini sudah ada; ubah baris yang ada.",
            )
    return v


def budget_create(
    *,
    actor,
    region_code: str,
    year,
    source: str,
    programme: str,
    allocated,
    realised=None,
    agency_id=None,
    note: str = "",
    is_demo: bool = False,
) -> BudgetLine:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    values = _clean_budget(
        errs,
        region,
        {
            "year": year,
            "source": source,
            "programme": programme,
            "allocated": allocated,
            "realised": realised,
            "agency_id": agency_id,
            "note": note,
        },
    )
    errs.raise_if_any()
    with transaction.atomic():
        line = BudgetLine.objects.create(region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values)
        _audit(
            "budget_create",
            actor,
            line,
            region.code,
            {
                "year": line.year,
                "programme": line.programme_id,
                "source": line.source_id,
                "allocated": str(line.allocated),
                "realised": str(line.realised) if line.realised is not None else None,
            },
            "budget",
        )
        announce("budget", region.code, dt.date(line.year, 1, 1))
    return line


def budget_update(*, actor, budget: BudgetLine, expected_version: int | None, **changes) -> BudgetLine:
    require_record_editable(actor, budget.region_id)
    _known_fields(changes, BUDGET_FIELDS)
    raw = {
        "year": budget.year,
        "source": budget.source_id,
        "programme": budget.programme_id,
        "agency_id": budget.agency_id,
        "allocated": budget.allocated,
        "realised": budget.realised,
        "note": budget.note,
    }
    raw.update(changes)
    errs = _Errors()
    values = _clean_budget(errs, budget.region, raw, exclude=budget)
    errs.raise_if_any()
    with transaction.atomic():
        before = {"allocated": str(budget.allocated), "realised": str(budget.realised)}
        changed = _apply_saved(budget, values, actor=actor, expected_version=expected_version)
        _audit(
            "budget_update",
            actor,
            budget,
            budget.region_id,
            {
                "fields": changed,
                "before": before,
                "after": {"allocated": str(budget.allocated), "realised": str(budget.realised)},
            },
            "budget",
        )
        announce("budget", budget.region_id, dt.date(budget.year, 1, 1))
    return budget


def budget_delete(*, actor, budget: BudgetLine, expected_version: int | None) -> None:
    """Remove a line entered by mistake (the audit keeps what it held)."""
    require_record_editable(actor, budget.region_id)
    with transaction.atomic():
        _delete_versioned(budget, expected_version=expected_version)
        _audit(
            "budget_delete",
            actor,
            budget,
            budget.region_id,
            {
                "year": budget.year,
                "programme": budget.programme_id,
                "source": budget.source_id,
                "allocated": str(budget.allocated),
            },
            "budget",
        )
        announce("budget", budget.region_id, dt.date(budget.year, 1, 1))


# ---------------------------------------------------------------------------------------------
# 4. Service units: profile (beds, facilities), staff counts; trainings


def is_service_unit(org: Organisation) -> bool:
    return org.active and org.type_code not in NON_UNIT_TYPES and (org.country_id in (None, "ID"))


def unit_profile_save(
    *,
    actor,
    organisation: Organisation,
    expected_version: int | None = None,
    beds=None,
    beds_children=None,
    facilities_note: str = "",
    as_of=None,
    **facilities,
) -> UnitProfile:
    """Create or change a unit's profile. Creating needs no version; changing needs the one seen."""
    require_record_editable(actor, organisation.region_id)
    if not is_service_unit(organisation):
        raise ValidationError({"organisation": "Organisasi ini bukan unit layanan."})
    _known_fields(facilities, FACILITY_FIELDS)
    errs = _Errors()
    values = {
        "beds": _count(errs, beds, "beds", maximum=10_000) if beds not in (None, "") else None,
        "beds_children": _count(errs, beds_children, "beds_children", maximum=10_000)
        if beds_children not in (None, "")
        else None,
        "facilities_note": _text(errs, facilities_note, "facilities_note", max_length=2000),
        "as_of": _date(errs, as_of or _today(), "as_of"),
        **{f: _bool(facilities.get(f, False)) for f in FACILITY_FIELDS},
    }
    if values["beds_children"] is not None and (values["beds"] or 0) < values["beds_children"]:
        errs.add("beds_children", "Tempat tidur anak tidak boleh melebihi jumlah tempat tidur.")
    errs.raise_if_any()
    with transaction.atomic():
        profile = UnitProfile.objects.select_for_update().filter(organisation=organisation).first()
        if profile is None:
            if expected_version not in (None, 0):
                raise Conflict(current_version=None)
            profile = UnitProfile.objects.create(
                organisation=organisation, created_by=actor, updated_by=actor, **values
            )
            changed = list(values)
            action = "unit_profile_create"
        else:
            if expected_version is None:
                raise Conflict("Profil unit ini sudah diisi; muat ulang halaman.", current_version=profile.version)
            changed = _apply_saved(profile, values, actor=actor, expected_version=expected_version)
            action = "unit_profile_update"
        _audit(
            action,
            actor,
            profile,
            organisation.region_id,
            {"organisation": str(organisation.pk), "fields": changed},
            "unit_profile",
        )
        announce("unit", organisation.region_id, values["as_of"])
    return profile


@_unique_guard
def staff_count_set(
    *, actor, organisation: Organisation, year, function: str, total, trained, expected_version: int | None = None
) -> StaffCount:
    """How many staff of a function the unit has in a year, and how many are trained (counts, no names)."""
    require_record_editable(actor, organisation.region_id)
    if not is_service_unit(organisation):
        raise ValidationError({"organisation": "Organisasi ini bukan unit layanan."})
    errs = _Errors()
    y = _year(errs, year, "year")
    fn = _code(errs, "staff_function", function, "function")
    total = _count(errs, total, "total", required=True, maximum=100_000)
    trained = _count(errs, trained, "trained", required=True, maximum=100_000)
    if total is not None and trained is not None and trained > total:
        errs.add("trained", f"Staf terlatih ({trained}) melebihi jumlah staf ({total}).")
    errs.raise_if_any()
    with transaction.atomic():
        row = StaffCount.objects.select_for_update().filter(unit=organisation, year=y, function_id=fn).first()
        if row is None:
            if expected_version not in (None, 0):
                raise Conflict(current_version=None)
            row = StaffCount.objects.create(
                unit=organisation,
                year=y,
                function_id=fn,
                total=total,
                trained=trained,
                created_by=actor,
                updated_by=actor,
            )
            action, _changed = "staff_count_create", ["total", "trained"]
        else:
            if expected_version is None:
                raise Conflict(
                    "Jumlah staf untuk fungsi dan tahun ini sudah diisi; muat ulang halaman.",
                    current_version=row.version,
                )
            _apply_saved(row, {"total": total, "trained": trained}, actor=actor, expected_version=expected_version)
            action = "staff_count_update"
        _audit(
            action,
            actor,
            row,
            organisation.region_id,
            {"organisation": str(organisation.pk), "year": y, "function": fn, "total": total, "trained": trained},
            "staff_count",
        )
        announce("staff", organisation.region_id, dt.date(y, 1, 1))
    return row


TRAINING_FIELDS = ["title", "topic", "start_date", "end_date", "organiser_id", "organiser_name", "note"]


def _clean_training(errs: _Errors, raw: dict) -> dict:
    v = {
        "title": _text(errs, raw.get("title"), "title", required=True, max_length=300, label="Judul"),
        "topic_id": _code(errs, "training_topic", raw.get("topic"), "topic"),
        "start_date": _date(errs, raw.get("start_date"), "start_date"),
        "end_date": _date(errs, raw.get("end_date"), "end_date", required=False),
        "organiser_name": _text(errs, raw.get("organiser_name"), "organiser_name", max_length=200),
        "note": _text(errs, raw.get("note"), "note", max_length=5000),
    }
    org = _org(errs, raw.get("organiser_id"), "organiser")
    v["organiser_id"] = org.pk if org else None
    if not v["organiser_id"] and not v["organiser_name"] and not errs.has("organiser"):
        errs.add("organiser", "Sebutkan penyelenggara (pilih organisasi atau tulis namanya).")
    if v["start_date"] and v["end_date"] and v["end_date"] < v["start_date"]:
        errs.add("end_date", "Tanggal selesai sebelum tanggal mulai.")
    return v


def _clean_participants(errs: _Errors, rows) -> list[dict]:
    out, seen = [], set()
    for r in rows or []:
        get = r.get if isinstance(r, dict) else (lambda k, d=None, r=r: getattr(r, k, d))
        agency = _code(errs, "org_type", get("agency_type"), "participants")
        org = _org(errs, get("organisation_id"), "participants")
        female = _count(errs, get("female"), "participants", maximum=100_000)
        male = _count(errs, get("male"), "participants", maximum=100_000)
        if agency is None or female is None or male is None:
            continue
        key = (agency, org.pk if org else None)
        if key in seen:
            errs.add("participants", "Satu jenis instansi/instansi tercantum dua kali; gabungkan jumlahnya.")
            continue
        seen.add(key)
        if female + male:
            out.append(
                {"agency_type_id": agency, "organisation_id": org.pk if org else None, "female": female, "male": male}
            )
    return out


def _participant_summary(rows: list[dict]) -> dict:
    return {"female": sum(r["female"] for r in rows), "male": sum(r["male"] for r in rows)}


def training_create(*, actor, region_code: str, participants=(), is_demo: bool = False, **raw) -> Training:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    _known_fields(raw, TRAINING_FIELDS)
    values = _clean_training(errs, raw)
    rows = _clean_participants(errs, participants)
    errs.raise_if_any()
    with transaction.atomic():
        t = Training.objects.create(region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values)
        TrainingParticipants.objects.bulk_create([TrainingParticipants(training=t, **r) for r in rows])
        _audit(
            "training_create",
            actor,
            t,
            region.code,
            {"topic": t.topic_id, "date": t.start_date, **_participant_summary(rows)},
            "training",
        )
        announce("training", region.code, t.start_date)
    return t


def training_update(
    *, actor, training: Training, expected_version: int | None, participants=None, **changes
) -> Training:
    require_record_editable(actor, training.region_id)
    _known_fields(changes, TRAINING_FIELDS)
    raw = {
        "title": training.title,
        "topic": training.topic_id,
        "start_date": training.start_date,
        "end_date": training.end_date,
        "organiser_id": training.organiser_id,
        "organiser_name": training.organiser_name,
        "note": training.note,
    }
    raw.update(changes)
    errs = _Errors()
    values = _clean_training(errs, raw)
    rows = None if participants is None else _clean_participants(errs, participants)
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(training, values, actor=actor, expected_version=expected_version)
        detail = {"fields": changed}
        if rows is not None:
            training.participants.all().delete()
            TrainingParticipants.objects.bulk_create([TrainingParticipants(training=training, **r) for r in rows])
            detail["participants"] = _participant_summary(rows)
        _audit("training_update", actor, training, training.region_id, detail, "training")
        announce("training", training.region_id, training.start_date)
    return training


def training_delete(*, actor, training: Training, reason: str, expected_version: int | None = None) -> None:
    """Remove a training entered by mistake (e.g. undoing an import), with its participant rows.
    The audit event keeps what it held (counts, never names) and why it went."""
    require_record_editable(actor, training.region_id)
    why = _clean_reason(reason)
    with transaction.atomic():
        rows = list(training.participants.values("female", "male"))
        training.participants.all().delete()
        _delete_versioned(training, expected_version=expected_version)
        _audit(
            "training_delete",
            actor,
            training,
            training.region_id,
            {
                "topic": training.topic_id,
                "date": training.start_date,
                **_participant_summary(rows),
                "reason": why,
            },
            "training",
        )
        announce("training", training.region_id, training.start_date)


# ---------------------------------------------------------------------------------------------
# 5. Local regulations

REGULATION_FIELDS = ["reg_type", "number", "year", "title", "status", "note"]
# Which government issues which instrument (Perda: any regional government).
REGULATION_LEVELS = {
    "perda": {"provinsi", "kabupaten", "kota"},
    "pergub": {"provinsi"},
    "perbup": {"kabupaten"},
    "perwali": {"kota"},
}


def _clean_regulation(errs: _Errors, region: Region, raw: dict, *, exclude: Regulation | None = None) -> dict:
    v = {
        "reg_type_id": _code(errs, "regulation_type", raw.get("reg_type"), "reg_type"),
        "number": _text(errs, raw.get("number"), "number", required=True, max_length=60, label="Nomor"),
        "year": _year(errs, raw.get("year"), "year", ahead=1, minimum=1945),
        "title": _text(errs, raw.get("title"), "title", required=True, max_length=400, label="Judul"),
        "status": _choice(errs, raw.get("status") or RegulationStatus.ENACTED, "status", RegulationStatus.choices),
        "note": _text(errs, raw.get("note"), "note", max_length=5000),
    }
    kind = v["reg_type_id"].split(".", 1)[1] if v["reg_type_id"] else None
    allowed = REGULATION_LEVELS.get(kind or "")
    if allowed and region.kind not in allowed:
        label = Code.objects.get(pk=v["reg_type_id"]).label_id
        errs.add("reg_type", f"{label} tidak diterbitkan oleh {region.get_kind_display().lower()}.")
    if v["reg_type_id"] and v["number"] and v["year"]:
        dup = Regulation.objects.filter(
            region=region, reg_type_id=v["reg_type_id"], number__iexact=v["number"], year=v["year"]
        )
        if exclude is not None:
            dup = dup.exclude(pk=exclude.pk)
        if dup.exists():
            errs.add("number", f"Peraturan nomor {v['number']} tahun {v['year']} sudah tercatat untuk wilayah ini.")
    return v


@_unique_guard
def regulation_create(*, actor, region_code: str, is_demo: bool = False, **raw) -> Regulation:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    _known_fields(raw, REGULATION_FIELDS)
    values = _clean_regulation(errs, region, raw)
    errs.raise_if_any()
    with transaction.atomic():
        reg = Regulation.objects.create(region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values)
        _audit(
            "regulation_create",
            actor,
            reg,
            region.code,
            {"type": reg.reg_type_id, "number": reg.number, "year": reg.year},
            "regulation",
        )
        announce("regulation", region.code, dt.date(reg.year, 1, 1))
    return reg


@_unique_guard
def regulation_update(*, actor, regulation: Regulation, expected_version: int | None, **changes) -> Regulation:
    require_record_editable(actor, regulation.region_id)
    _known_fields(changes, REGULATION_FIELDS)
    raw = {f: getattr(regulation, f) for f in ["number", "year", "title", "status", "note"]}
    raw["reg_type"] = regulation.reg_type_id
    raw.update(changes)
    errs = _Errors()
    values = _clean_regulation(errs, regulation.region, raw, exclude=regulation)
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(regulation, values, actor=actor, expected_version=expected_version)
        _audit("regulation_update", actor, regulation, regulation.region_id, {"fields": changed}, "regulation")
        announce("regulation", regulation.region_id, dt.date(regulation.year, 1, 1))
    return regulation


# ---------------------------------------------------------------------------------------------
# 6. Prevention activities

PREVENTION_FIELDS = [
    "date",
    "organiser_id",
    "organiser_name",
    "kind",
    "title",
    "audience",
    "audience_note",
    "media_audience",
    "note",
    *REACH_FIELDS,
]


def _clean_prevention(errs: _Errors, raw: dict) -> dict:
    v = {
        "date": _date(errs, raw.get("date"), "date"),
        "kind_id": _code(errs, "prevention_kind", raw.get("kind"), "kind"),
        "title": _text(errs, raw.get("title"), "title", required=True, max_length=300, label="Judul"),
        "audience": _choice(errs, raw.get("audience"), "audience", Audience.choices),
        "audience_note": _text(errs, raw.get("audience_note"), "audience_note", max_length=200),
        "organiser_name": _text(errs, raw.get("organiser_name"), "organiser_name", max_length=200),
        "note": _text(errs, raw.get("note"), "note", max_length=5000),
        "media_audience": None
        if raw.get("media_audience") in (None, "")
        else _count(errs, raw.get("media_audience"), "media_audience", maximum=300_000_000),
    }
    for f in REACH_FIELDS:
        v[f] = _count(errs, raw.get(f), f, maximum=1_000_000)
    org = _org(errs, raw.get("organiser_id"), "organiser")
    v["organiser_id"] = org.pk if org else None
    if not v["organiser_id"] and not v["organiser_name"] and not errs.has("organiser"):
        errs.add("organiser", "Sebutkan penyelenggara (pilih organisasi atau tulis namanya).")
    return v


def prevention_create(*, actor, region_code: str, is_demo: bool = False, **raw) -> PreventionActivity:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    _known_fields(raw, PREVENTION_FIELDS)
    values = _clean_prevention(errs, raw)
    errs.raise_if_any()
    with transaction.atomic():
        a = PreventionActivity.objects.create(
            region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values
        )
        _audit(
            "prevention_create",
            actor,
            a,
            region.code,
            {"kind": a.kind_id, "date": a.date, "reached": a.reached_total},
            "prevention",
        )
        announce("prevention", region.code, a.date)
    return a


def prevention_update(
    *, actor, activity: PreventionActivity, expected_version: int | None, **changes
) -> PreventionActivity:
    require_record_editable(actor, activity.region_id)
    _known_fields(changes, PREVENTION_FIELDS)
    raw = {f: getattr(activity, f) for f in PREVENTION_FIELDS if f != "kind"}
    raw["kind"] = activity.kind_id
    raw.update(changes)
    errs = _Errors()
    values = _clean_prevention(errs, raw)
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(activity, values, actor=actor, expected_version=expected_version)
        _audit("prevention_update", actor, activity, activity.region_id, {"fields": changed}, "prevention")
        announce("prevention", activity.region_id, activity.date)
    return activity


def prevention_activity_delete(
    *, actor, activity: PreventionActivity, reason: str, expected_version: int | None = None
) -> None:
    """Remove a prevention activity entered by mistake (e.g. undoing an import); the audit event
    keeps its kind, date and reach and the reason."""
    require_record_editable(actor, activity.region_id)
    why = _clean_reason(reason)
    with transaction.atomic():
        _delete_versioned(activity, expected_version=expected_version)
        _audit(
            "prevention_delete",
            actor,
            activity,
            activity.region_id,
            {"kind": activity.kind_id, "date": activity.date, "reached": activity.reached_total, "reason": why},
            "prevention",
        )
        announce("prevention", activity.region_id, activity.date)


# ---------------------------------------------------------------------------------------------
# 7. Best practices and their replication

PRACTICE_FIELDS = ["title", "what", "organisation_id", "who", "evidence", "evidence_url", "started_year"]


def _clean_practice(errs: _Errors, raw: dict) -> dict:
    v = {
        "title": _text(errs, raw.get("title"), "title", required=True, max_length=300, label="Judul"),
        "what": _text(errs, raw.get("what"), "what", required=True, max_length=10000, label="Uraian"),
        "who": _text(errs, raw.get("who"), "who", max_length=300),
        "evidence": _text(errs, raw.get("evidence"), "evidence", required=True, max_length=10000, label="Bukti hasil"),
        "evidence_url": _text(errs, raw.get("evidence_url"), "evidence_url", max_length=200),
        "started_year": _year(errs, raw.get("started_year"), "started_year", required=False),
    }
    if v["evidence_url"]:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(v["evidence_url"])
        except ValidationError:
            errs.add("evidence_url", "Tautan tidak sah (awali dengan https://).")
    org = _org(errs, raw.get("organisation_id"), "organisation")
    v["organisation_id"] = org.pk if org else None
    if not v["organisation_id"] and not v["who"] and not errs.has("organisation"):
        errs.add("who", "Sebutkan pelaksananya (pilih organisasi atau tulis uraiannya).")
    return v


def practice_create(*, actor, region_code: str, is_demo: bool = False, **raw) -> BestPractice:
    region = _region_to_fill(actor, region_code)
    errs = _Errors()
    _known_fields(raw, PRACTICE_FIELDS)
    values = _clean_practice(errs, raw)
    errs.raise_if_any()
    with transaction.atomic():
        p = BestPractice.objects.create(region=region, is_demo=is_demo, created_by=actor, updated_by=actor, **values)
        _audit("best_practice_create", actor, p, region.code, {}, "best_practice")
        announce("best_practice", region.code, _today())
    return p


def practice_update(*, actor, practice: BestPractice, expected_version: int | None, **changes) -> BestPractice:
    require_record_editable(actor, practice.region_id)
    _known_fields(changes, PRACTICE_FIELDS)
    raw = {f: getattr(practice, f) for f in PRACTICE_FIELDS}
    raw.update(changes)
    errs = _Errors()
    values = _clean_practice(errs, raw)
    errs.raise_if_any()
    with transaction.atomic():
        changed = _apply_saved(practice, values, actor=actor, expected_version=expected_version)
        _audit("best_practice_update", actor, practice, practice.region_id, {"fields": changed}, "best_practice")
        announce("best_practice", practice.region_id, _today())
    return practice


@_unique_guard
def replication_add(
    *, actor, practice: BestPractice, region_code: str, year, organisation_id=None, note: str = ""
) -> Replication:
    """Record that a region replicated a practice: by the replicating region's secretariat or the
    practice's own."""
    errs = _Errors()
    region = _region(errs, region_code)
    errs.raise_if_any()
    if not (can_edit_region(actor, region.code) or can_edit_region(actor, practice.region_id)):
        raise ValidationError({"region": NOT_YOUR_REGION})
    if region.code == practice.region_id:
        errs.add("region", "Wilayah asal praktik tidak dapat mereplikasi praktiknya sendiri.")
    elif Replication.objects.filter(practice=practice, region=region).exists():
        errs.add("region", f"Replikasi di {region.name} sudah tercatat.")
    y = _year(errs, year, "year")
    if y and practice.started_year and y < practice.started_year:
        errs.add("year", f"Replikasi tidak mungkin sebelum praktik dimulai ({practice.started_year}).")
    org = _org(errs, organisation_id, "organisation")
    note = _text(errs, note, "note", max_length=5000)
    errs.raise_if_any()
    with transaction.atomic():
        r = Replication.objects.create(
            practice=practice, region=region, organisation=org, year=y, note=note, created_by=actor, updated_by=actor
        )
        _audit(
            "best_practice_replicate", actor, r, region.code, {"practice": str(practice.pk), "year": y}, "replication"
        )
        announce("best_practice", region.code, dt.date(y, 1, 1))
    return r
