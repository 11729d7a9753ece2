"""Registering and discarding many victims at once (spreadsheet imports).

`victim_register` costs ~27 queries per victim; a 100,000-row import cannot afford that. Here the
same records are written per chunk with `bulk_create`, a few queries for the whole chunk:

    reg = VictimBulkRegistration(actor=user, organisation=org, source="import:<batch id>")
    case_id = reg.add(data)        # validates now (ValidationError for this row), writes nothing
    ...
    with transaction.atomic():
        reg.flush()                # writes every added victim; one audit event for the chunk

What a registration writes is the same as `victim_register`: the victim, the encrypted identity
with its keyed hashes and name tokens (with the birth year), the case with a number from the
counter, its codes and route, the first status, the timeline entry, and the monitoring
announcement (once per region and month). The audit trail gets one `victim_register_bulk` event per
flush listing the cases (the chain's head is locked once per chunk, not once per victim).

`victims_discard` removes imported victims again (undo of an import), but only those nothing has
been added to since: see `discard_blockers`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.core.signals import announce

from .matching import document_hash, nik_hash, phone_hash, token_hashes
from .models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    Identity,
    NameToken,
    RouteLeg,
    StatusChange,
    Victim,
)
from .services import VictimData, case_number_prefix, exploitation_key, organisation_for_action
from .validation import validate_victim_data

__all__ = [
    "VictimBulkRegistration",
    "victims_register_bulk",
    "discard_blockers",
    "victims_discard",
    "victim_discard",
]

AUDIT_IDS = 1000  # case ids listed per audit event


@dataclass
class _Pending:
    data: VictimData
    clean: dict
    victim_id: uuid.UUID
    case_id: uuid.UUID


def _code(list_key: str, code: str | None) -> str | None:
    return f"{list_key}.{code}" if code else None


def _month(d: dt.date | None) -> dt.date | None:
    return d.replace(day=1) if d else None


class VictimBulkRegistration:
    """Collects validated registrations and writes them together (see the module docstring).

    One instance may be flushed many times (one flush per chunk, inside the chunk's transaction).
    Drafts are not supported: an import registers complete records."""

    def __init__(self, *, actor, organisation=None, source: str = "", complete: bool = False):
        self.actor = actor
        self.org = organisation_for_action(actor, "victim.create", organisation)
        self.source = source[:80]
        self.complete = complete
        self._pending: list[_Pending] = []

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, data: VictimData) -> uuid.UUID:
        """Validate one registration (ValidationError, field dict, nothing kept) and queue it.
        Returns the id its case will have once flushed."""
        if data.is_draft:
            raise ValidationError({"__all__": "Draf tidak dapat didaftarkan secara massal."})
        clean = validate_victim_data(data, complete=self.complete)
        p = _Pending(data, clean, uuid.uuid4(), uuid.uuid4())
        self._pending.append(p)
        return p.case_id

    def discard_pending(self) -> None:
        self._pending.clear()

    # ------------------------------------------------------------------ writing

    def flush(self) -> list[uuid.UUID]:
        """Write everything added since the last flush; returns the case ids in order.
        Must run inside the caller's transaction (the chunk's): all of it or none of it."""
        pending, self._pending = self._pending, []
        if not pending:
            return []
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("VictimBulkRegistration.flush() must run inside transaction.atomic()")
        actor_id = getattr(self.actor, "pk", None)
        org = self.org
        region_code = org.region_id
        now = timezone.now()
        numbers = self._case_numbers(region_code, [p.data.identification_date.year for p in pending])

        victims, identities, tokens, cases = [], [], [], []
        through: dict[str, list] = defaultdict(list)
        legs, history, events = [], [], []
        announcements: set[tuple[str, dt.date | None]] = set()
        children = 0
        for p, number in zip(pending, numbers, strict=True):
            d, c = p.data, p.clean
            victims.append(
                {
                    "id": p.victim_id,
                    "sex_id": f"sex.{d.sex}",
                    "birth_year": c["birth_year"],
                    "age_estimated": d.birth_date is None and d.estimated_age is not None,
                    "citizenship_status_id": f"citizenship_status.{c['citizenship_status']}",
                    "citizenship_id": c["citizenship"],
                    "disability_id": _code("disability", d.disability),
                    "education_id": _code("education", d.education),
                    "occupation_id": _code("occupation", d.occupation),
                    "domicile_region_id": c["domicile_region"],
                    "is_demo": d.is_demo,
                    "created_by_id": actor_id,
                    "updated_by_id": actor_id,
                }
            )
            identity = {
                "victim_id": p.victim_id,
                "full_name": c["full_name"],
                "aliases": "\n".join(c["aliases"]),
                "nik": c["nik"],
                "birth_date": d.birth_date.isoformat() if d.birth_date else "",
                "phone": c["phone"],
                "address": (d.address or "").strip(),
                "guardian_name": (d.guardian_name or "").strip(),
                "guardian_phone": c["guardian_phone"],
                "guardian_relation": (d.guardian_relation or "").strip(),
                "document_number": c["document_number"],
                "nik_hash": nik_hash(c["nik"]),
                "phone_hash": phone_hash(c["phone"]),
                "document_hash": document_hash(c["document_number"]),
            }
            identities.append(identity)
            names = " ".join([c["full_name"], *c["aliases"]])
            tokens.extend(
                {"victim_id": p.victim_id, "kind": k, "token_hash": h, "birth_year": c["birth_year"]}
                for k, h in token_hashes(names)
            )
            origin = c["origin_region"] or c["domicile_region"]
            cases.append(
                {
                    "id": p.case_id,
                    "case_number": number,
                    "victim_id": p.victim_id,
                    "registering_org_id": org.pk,
                    "owner_org_id": org.pk,
                    "region_id": region_code,
                    "origin_region_id": origin,
                    "status": CaseStatus.REGISTERED,
                    "is_draft": False,
                    "trafficking_status": d.trafficking_status,
                    "identification_date": d.identification_date,
                    "identification_channel_id": f"identification_channel.{d.identification_channel}",
                    "age_at_identification": c["age_at_identification"],
                    "is_child": c["is_child"],
                    "scope": d.scope,
                    "sector_id": _code("labour_sector", d.sector),
                    "exploitation_start": d.exploitation_start,
                    "exploitation_end": d.exploitation_end,
                    "recruiter_relation_id": _code("recruiter_relation", d.recruiter_relation),
                    "recruiting_agency": (d.recruiting_agency or "").strip(),
                    "destination_country_id": c["destination_country"],
                    "narrative": d.narrative or "",
                    "exploitation_codes": exploitation_key(c["exploitation_forms"]),
                    "is_demo": d.is_demo,
                    "created_by_id": actor_id,
                    "updated_by_id": actor_id,
                }
            )
            for attr, prefix in (("exploitation_forms", "exploitation"), ("means", "means"), ("acts", "act")):
                for code in c[attr]:
                    through[attr].append((p.case_id, f"{prefix}.{code}"))
            for i, leg in enumerate(c["route"], start=1):
                legs.append(
                    {
                        "case_id": p.case_id,
                        "seq": i,
                        "stage": leg["stage"],
                        "region_id": leg["region"],
                        "country_id": leg["country"],
                        "place_note": leg["place_note"],
                        "date_from": leg["date_from"],
                        "date_to": leg["date_to"],
                    }
                )
            history.append(
                {
                    "case_id": p.case_id,
                    "from_status": "",
                    "to_status": CaseStatus.REGISTERED,
                    "by_id": actor_id,
                    "reason": "pendaftaran",
                    "at": now,
                }
            )
            events.append(
                {
                    "case_id": p.case_id,
                    "at": now,
                    "kind": "registered",
                    "summary": f"Korban didaftarkan oleh {org.name} (impor berkas)"[:300],
                    "actor_id": actor_id,
                    "organisation_id": org.pk,
                    "object_type": "case",
                    "object_id": str(p.case_id),
                }
            )
            children += bool(c["is_child"])
            announcements.add((region_code, _month(d.identification_date)))
            if origin:
                announcements.add((origin, _month(d.identification_date)))

        insert_rows(Victim, victims)
        insert_rows(Identity, identities)
        insert_rows(NameToken, tokens)
        insert_rows(Case, cases)
        for attr, pairs in through.items():
            model = getattr(Case, attr).through
            insert_rows(model, [{"case_id": cid, "code_id": code} for cid, code in pairs])
        insert_rows(RouteLeg, legs)
        insert_rows(StatusChange, history)
        insert_rows(CaseEvent, events)
        ids = [p.case_id for p in pending]
        for start in range(0, len(ids), AUDIT_IDS):
            part = ids[start : start + AUDIT_IDS]
            record(
                "victim_register_bulk",
                actor=self.actor,
                object_type="case",
                object_id=part[0],
                organisation_id=org.pk,
                region_code=region_code,
                detail={
                    "source": self.source,
                    "count": len(part),
                    "children": children if start == 0 else None,
                    "cases": [str(i) for i in part],
                    "case_numbers": [numbers[start], numbers[start + len(part) - 1]],
                },
            )
        for region, month in sorted(announcements, key=lambda a: (a[0], a[1] or dt.date.min)):
            announce("case", region, month)
        return ids

    def _case_numbers(self, region_code: str, years: list[int]) -> list[str]:
        """Numbers for every pending case, in order: one counter UPDATE per year (the row stays
        locked until the chunk commits, as in `victim_register`); numbers already taken outside
        the counter are skipped."""
        prefix = case_number_prefix(region_code)
        wanted: dict[int, int] = defaultdict(int)
        for y in years:
            wanted[y] += 1
        pools: dict[int, list[str]] = {}
        for year, n in wanted.items():
            pool: list[str] = []
            while len(pool) < n:
                need = n - len(pool)
                last = _counter_take(prefix, year, need)
                fresh = [f"{prefix}-{year}-{k:06d}" for k in range(last - need + 1, last + 1)]
                taken = set(Case.objects.filter(case_number__in=fresh).values_list("case_number", flat=True))
                pool.extend(x for x in fresh if x not in taken)
            pools[year] = pool[::-1]
        return [pools[y].pop() for y in years]


def _converter(field, conn):
    """Python value -> what the driver takes for this column, chosen once per column (what
    `get_db_prep_save` does per value, minus its generic dispatch)."""
    target = field.target_field if field.is_relation else field
    if not type(target).__module__.startswith("django."):
        # A project field (encrypted text …) prepares its own values.
        return lambda v, f=field: f.get_db_prep_save(v, conn)
    kind = target.get_internal_type()
    if kind == "UUIDField":
        if conn.features.has_native_uuid_field:
            return lambda v: v if v is None or isinstance(v, uuid.UUID) else uuid.UUID(str(v))
        return lambda v: v.hex if isinstance(v, uuid.UUID) else (None if v is None else uuid.UUID(str(v)).hex)
    if kind == "DateTimeField":
        return conn.ops.adapt_datetimefield_value
    if kind == "DateField":
        return conn.ops.adapt_datefield_value
    if kind in _PLAIN_TYPES:
        return None
    return lambda v, f=field: f.get_db_prep_save(v, conn)


_PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "BooleanField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "AutoField",
    "BigAutoField",
}


def insert_rows(model, objs: list) -> None:
    """INSERT rows — unsaved instances, or dicts of attname -> value (cheaper: no model __init__;
    left-out columns get their default) — with one `executemany` (SQLite) or `COPY` (PostgreSQL).

    `bulk_create` compiles SQL and prepares every value through the field API, and on SQLite
    splits the rows into statements of at most 999 parameters (~30 cases each): for an import
    that costs more than the database's own work. Here columns and converters are chosen once
    per table; auto-increment ids are left to the database (no RETURNING: the caller does not
    need them); `auto_now`/`auto_now_add` columns get the current time, as `pre_save` would."""
    if not objs:
        return
    conn = transaction.get_connection()
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    convs = [_converter(f, conn) for f in fields]
    stamps = [i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    attnames = [f.attname for f in fields]
    # Columns a dict row leaves out get the field's default (called per row: uuid4 …).
    defaults = [f.get_default for f in fields]
    if isinstance(objs[0], dict) and not set(objs[0]) <= set(attnames):
        raise ValueError(f"{model._meta.label}: unknown columns {sorted(set(objs[0]) - set(attnames))}")
    rows = []
    for obj in objs:
        d = obj if isinstance(obj, dict) else obj.__dict__
        row = [d[a] if a in d else default() for a, default in zip(attnames, defaults, strict=True)]
        for i in stamps:
            row[i] = now
        rows.append(tuple(v if c is None or v is None else c(v) for v, c in zip(row, convs, strict=True)))
    table = conn.ops.quote_name(model._meta.db_table)
    cols = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    # One transaction (as bulk_create): outside one, SQLite would commit every row of executemany.
    with transaction.atomic(savepoint=False), conn.cursor() as cur:
        if conn.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model, values are parameters.
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def _counter_take(prefix: str, year: int, n: int) -> int:
    """Advance the (prefix, year) counter by n; returns its new last value."""
    counters = CaseNumberCounter.objects.filter(prefix=prefix, year=year)
    if not counters.update(last=F("last") + n):
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(prefix=prefix, year=year, last=n)
        except IntegrityError:
            counters.update(last=F("last") + n)
    return counters.values_list("last", flat=True).get()


def victims_register_bulk(*, actor, items: Iterable[VictimData], organisation=None, source: str = "") -> list:
    """Register many victims in one transaction. Returns the case ids in order.
    A ValidationError names the first invalid item (`{"item": n, ...}`); nothing is saved then."""
    reg = VictimBulkRegistration(actor=actor, organisation=organisation, source=source)
    for n, data in enumerate(items):
        try:
            reg.add(data)
        except ValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            raise ValidationError({"item": [str(n)], **detail})
    with transaction.atomic():
        return reg.flush()


# --------------------------------------------------------------------------------------- discard

# What a registration itself writes, per case: nothing else may hang on a case or victim that is
# to be discarded. Counted relations: more rows than registration wrote means someone added some.
_OWN_COUNTED = {StatusChange: 1, CaseEvent: 1}
# Written by the registration and changed only by edits that also raise the case's version.
_OWN_CASE = {RouteLeg}
_OWN_VICTIM = {Identity, NameToken, Case}

REASON_CHANGED = "Data kasus sudah diubah sejak diimpor."
REASON_MERGED = "Data korban sudah digabung dengan data lain."
REASON_OTHER_CASES = "Korban memiliki kasus lain."
REASON_STATUS = "Status kasus sudah berubah sejak diimpor."


def _reverse_relations(model) -> list[tuple[type[models.Model], str]]:
    """Every (model, FK attname) that points at `model`, hidden ones included, except the
    automatic many-to-many tables of `model`'s own fields (its codes)."""
    own_through = {f.remote_field.through for f in model._meta.many_to_many}
    out = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        related = rel.related_model
        if related in own_through:
            continue
        out.append((related, rel.field.attname))
    return out


def _label(model) -> str:
    return str(model._meta.verbose_name_plural or model._meta.verbose_name)


def discard_blockers(case_ids: Iterable) -> dict[str, str]:
    """For each case id that may NOT be discarded, why (Bahasa Indonesia, no identity values).
    A case may be discarded only as it was registered: version 1 (no edit, status change or
    merge), its victim at version 1 with no other case and no merge, and nothing recorded on it
    since by any app (services, referrals, consent, perpetrators, shelter stays, timeline entries …).
    Ids of cases that no longer exist are not reported."""
    ids = [str(i) for i in case_ids]
    out: dict[str, str] = {}
    rows = list(
        Case.objects.filter(pk__in=ids).values_list(
            "pk", "version", "status", "victim_id", "victim__version", "victim__merged_into_id"
        )
    )
    victim_of: dict[str, str] = {}
    for pk, version, status, victim_id, victim_version, merged_into in rows:
        key = str(pk)
        victim_of[key] = victim_id
        if merged_into is not None:
            out[key] = REASON_MERGED
        elif status != CaseStatus.REGISTERED:
            out[key] = REASON_STATUS
        elif version != 1 or victim_version != 1:
            out[key] = REASON_CHANGED
    live = [k for k in victim_of if k not in out]
    if not live:
        return out
    uuids = [uuid.UUID(k) for k in live]
    # Relations of the case.
    for model, attname in _reverse_relations(Case):
        if model in _OWN_CASE:
            continue
        qs = model._default_manager.filter(**{f"{attname}__in": uuids})
        allowed = _OWN_COUNTED.get(model, 0)
        if allowed:
            hit = qs.values(attname).annotate(n=Count("pk")).filter(n__gt=allowed).values_list(attname, flat=True)
        else:
            hit = qs.values_list(attname, flat=True).distinct()
        for cid in hit:
            out.setdefault(str(cid), f"Sudah ada data baru pada kasus ini ({_label(model)}).")
    # Relations of the victim.
    victims = {victim_of[k]: k for k in live}
    vids = list(victims)
    for model, attname in _reverse_relations(Victim):
        if model in _OWN_VICTIM and model is not Case:
            continue
        qs = model._default_manager.filter(**{f"{attname}__in": vids})
        if model is Case:
            hit = qs.values(attname).annotate(n=Count("pk")).filter(n__gt=1).values_list(attname, flat=True)
            reason = REASON_OTHER_CASES
        else:
            hit = qs.values_list(attname, flat=True).distinct()
            reason = REASON_MERGED if model is Victim else f"Sudah ada data baru pada korban ini ({_label(model)})."
        for vid in hit:
            key = victims.get(vid) or victims.get(str(vid))
            if key:
                out.setdefault(key, reason)
    return out


def victims_discard(*, actor, cases: Iterable[Case] | None = None, case_ids: Iterable | None = None, reason: str):
    """Remove victims registered by mistake (an undone import): victim, identity, name tokens,
    case, its codes, route, status history and timeline. Only cases `discard_blockers` finds
    nothing against are removed; the rest are kept. The actor needs `victim.create` on the
    organisation that registered each case. One audit event (`victim_discard`) per call lists
    what went and why; monitoring is told once per region and month.

    Returns (discarded case ids, {kept case id: why}). Call it inside a transaction per chunk."""
    from .selectors import cases_visible_to

    ids = [str(c.pk) for c in cases] if cases is not None else [str(i) for i in case_ids or []]
    why = (reason or "").strip()[:300]
    if not why:
        raise ValidationError({"reason": "Alasan penghapusan wajib diisi."})
    if not ids:
        return [], {}
    with transaction.atomic():
        blocked = discard_blockers(ids)
        visible = {
            str(pk) for pk in cases_visible_to(actor, "victim.create").filter(pk__in=ids).values_list("pk", flat=True)
        }
        rows = list(
            Case.objects.filter(pk__in=[i for i in ids if i not in blocked]).values_list(
                "pk", "victim_id", "region_id", "origin_region_id", "identification_date", "registering_org_id"
            )
        )
        may = scope_for(actor).orgs_with("victim.create")
        gone, victims, announcements = [], [], set()
        for pk, victim_id, region, origin, idate, reg_org in rows:
            key = str(pk)
            if key not in visible or reg_org not in may:
                blocked[key] = "Anda tidak berwenang menghapus kasus ini."
                continue
            gone.append(pk)
            victims.append(victim_id)
            announcements.add((region, _month(idate)))
            if origin:
                announcements.add((origin, _month(idate)))
        gone_keys = {str(g) for g in gone}
        for i in ids:
            if i not in blocked and i not in gone_keys:
                blocked[i] = "Kasus tidak ditemukan."
        if gone:
            # Children first: the case protects its victim; cascades take codes, route, history,
            # timeline, identity and name tokens.
            Case.objects.filter(pk__in=gone).delete()
            Victim.objects.filter(pk__in=victims).delete()
            for start in range(0, len(gone), AUDIT_IDS):
                part = gone[start : start + AUDIT_IDS]
                record(
                    "victim_discard",
                    actor=actor,
                    object_type="case",
                    object_id=part[0],
                    detail={"count": len(part), "cases": [str(g) for g in part], "reason": why},
                )
            for region, month in sorted(announcements, key=lambda a: (a[0], a[1] or dt.date.min)):
                announce("case", region, month)
    return [str(g) for g in gone], {k: v for k, v in blocked.items() if k in set(ids)}


def victim_discard(*, actor, victim: Victim, reason: str) -> None:
    """Remove one victim registered by mistake (with their only case); ValidationError saying
    why when something has been recorded on them since (see `discard_blockers`)."""
    case_ids = list(Case.objects.filter(victim=victim).values_list("pk", flat=True))
    if len(case_ids) != 1:
        raise ValidationError({"__all__": REASON_OTHER_CASES if case_ids else "Korban tidak memiliki kasus."})
    with transaction.atomic():
        _, kept = victims_discard(actor=actor, case_ids=case_ids, reason=reason)
        if kept:
            raise ValidationError({"__all__": next(iter(kept.values()))})
