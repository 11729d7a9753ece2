"""Writes of gugus.monitoring: one function per action, keyword-only, actor first, one
transaction, audited. Meaning is checked here (Bahasa Indonesia messages)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.audit.services import record
from gugus.core.errors import Conflict
from gugus.core.signals import announce
from gugus.core.versioning import save_versioned
from gugus.reference.models import Region
from gugus.reference.regions import RegionLookupError, resolve_region_code

from . import indicators as ind
from .models import (
    CompositeIndex,
    ContextSeries,
    ContextValue,
    IndexComponent,
    Indicator,
    IndicatorTarget,
    MonthClosing,
    ReportingPolicy,
)
from .periods import PeriodError, add_months, key_to_date, month_key, parse_period


def reporting_policy() -> ReportingPolicy:
    policy = ReportingPolicy.objects.order_by("id").first()
    if policy is None:
        policy = ReportingPolicy.objects.create()
    return policy


def _definitions_changed() -> None:
    from .engine import bump_data_version

    transaction.on_commit(bump_data_version)


def _require(actor, perm: str) -> None:
    if not scope_for(actor).has(perm):
        raise PermissionDenied("Anda tidak berwenang untuk tindakan ini.")


# ---------------------------------------------------------------- month closing


def closing_due_date(month: int, due_day: int | None = None) -> dt.date:
    """The date by which `month` (yyyymm) must be closed: day `due_day` of the next month."""
    day = due_day if due_day is not None else reporting_policy().closing_due_day
    nxt = key_to_date(add_months(month, 1))
    return nxt.replace(day=day)


def _closable_region(actor, region_code: str) -> Region:
    scope = scope_for(actor)
    if not scope.has("monitoring.close"):
        raise PermissionDenied("Hanya sekretariat gugus tugas atau wali data yang dapat menutup bulan.")
    region = Region.objects.filter(code=region_code).first()
    # Out of scope and missing give the same answer.
    if region is None or not scope.covers_region("monitoring.close", region.code):
        raise Http404
    if region.level != 2:
        raise ValidationError({"region": "Penutupan bulan dilakukan per kabupaten/kota."})
    return region


def closing_close(
    *, actor, region_code: str, month: str | int, note: str = "", no_new_cases: bool | None = None
) -> MonthClosing:
    """A kab/kota secretariat confirms a month's data ("no new cases" included). Closing a month
    that has not ended, or one already closed, is refused."""
    region = _closable_region(actor, region_code)
    errors: dict[str, list[str]] = {}
    try:
        period = parse_period(str(month))
        if period.kind != "month":
            raise PeriodError("Bulan harus ditulis 2026-10.")
    except PeriodError as exc:
        raise ValidationError({"month": str(exc)})
    key = period.first_month
    today = timezone.localdate()
    if key >= month_key(today):
        errors["month"] = ["Bulan yang belum berakhir tidak dapat ditutup."]
    if len(note or "") > 300:
        errors["note"] = ["Catatan paling banyak 300 karakter."]
    if errors:
        raise ValidationError(errors)
    from gugus.cases.models import Case
    from gugus.reference.models import subtree_q

    from .elements.cases import counted_q

    count = Case.objects.filter(
        counted_q(), subtree_q("region_id", region.code), identification_date__range=(period.start, period.end)
    ).count()
    if no_new_cases and count:
        raise ValidationError(
            {"no_new_cases": f"Tercatat {count} kasus baru pada bulan ini; tidak dapat dinyatakan nihil."}
        )
    due = closing_due_date(key)
    now = timezone.now()
    with transaction.atomic():
        existing = MonthClosing.objects.select_for_update().filter(region=region, month=key).order_by("pk").first()
        if existing is not None and existing.reopened_at is None:
            raise Conflict(f"{period.label} untuk {region.name} sudah ditutup.", current_version=existing.version)
        values = {
            "closed_at": now,
            "closed_by": actor if getattr(actor, "pk", None) else None,
            "due_date": due,
            "on_time": timezone.localtime(now).date() <= due,
            "cases_count": count,
            "no_new_cases": count == 0,
            "note": (note or "").strip(),
            "reopened_at": None,
            "reopen_reason": "",
        }
        if existing is None:
            try:
                with transaction.atomic():
                    closing = MonthClosing.objects.create(
                        region=region,
                        month=key,
                        created_by=values["closed_by"],
                        updated_by=values["closed_by"],
                        **values,
                    )
            except IntegrityError:
                raise Conflict(f"{period.label} untuk {region.name} sudah ditutup.")
        else:
            for k, v in values.items():
                setattr(existing, k, v)
            save_versioned(existing, actor=actor, expected_version=existing.version, fields=list(values))
            closing = existing
        record(
            "month_close",
            actor=actor,
            object_type="month_closing",
            object_id=closing.pk,
            region_code=region.code,
            detail={"month": period.code, "on_time": closing.on_time, "cases": count},
        )
        announce("closing", region.code, period.start)
    return closing


def closing_reopen(*, actor, closing: MonthClosing, reason: str, expected_version: int | None = None) -> MonthClosing:
    """Reopen a closed month (a correction is needed). It must be closed again; the new closing
    date decides timeliness."""
    _closable_region(actor, closing.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Sebutkan alasan membuka kembali."})
    if len(reason) > 300:
        raise ValidationError({"reason": "Alasan paling banyak 300 karakter."})
    if closing.reopened_at is not None:
        raise ValidationError({"closing": "Bulan ini sudah dibuka kembali."})
    with transaction.atomic():
        closing.reopened_at = timezone.now()
        closing.reopen_reason = reason
        save_versioned(closing, actor=actor, expected_version=expected_version, fields=["reopened_at", "reopen_reason"])
        record(
            "month_reopen",
            actor=actor,
            object_type="month_closing",
            object_id=closing.pk,
            region_code=closing.region_id,
            detail={"month": closing.month},
        )
        announce("closing", closing.region_id, key_to_date(closing.month))
    return closing


# ---------------------------------------------------------------- reporting policy


def policy_update(*, actor, data: dict, expected_version: int | None = None) -> ReportingPolicy:
    _require(actor, "indicator.edit")
    policy = reporting_policy()
    errors: dict[str, list[str]] = {}
    values = {}

    def int_in(name, lo, hi, label):
        if name not in data:
            return
        try:
            v = int(data[name])
            if not lo <= v <= hi:
                raise ValueError
            values[name] = v
        except (TypeError, ValueError):
            errors[name] = [f"{label} harus bilangan {lo}–{hi}."]

    int_in("closing_due_day", 1, 28, "Tanggal batas")
    int_in("warning_window", 3, 36, "Jendela")
    int_in("warning_min_count", 1, 1000, "Jumlah minimum")
    if "warning_sd" in data:
        try:
            v = Decimal(str(data["warning_sd"]))
            if not Decimal("0.5") <= v <= Decimal("5"):
                raise InvalidOperation
            values["warning_sd"] = v
        except (InvalidOperation, ValueError):
            errors["warning_sd"] = ["Ambang simpangan baku 0,5–5."]
    if "closing_start" in data:
        try:
            p = parse_period(str(data["closing_start"]))
            if p.kind != "month":
                raise PeriodError("")
            values["closing_start"] = p.code
        except PeriodError:
            errors["closing_start"] = ["Bulan pertama ditulis 2025-01."]
    if "warning_element" in data:
        from .models import DataElement

        if not DataElement.objects.filter(code=data["warning_element"], time_aggregation="sum").exists():
            errors["warning_element"] = ["Elemen data arus (jumlah per bulan) tidak dikenal."]
        else:
            values["warning_element"] = data["warning_element"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _definitions_changed()
        for k, v in values.items():
            setattr(policy, k, v)
        save_versioned(policy, actor=actor, expected_version=expected_version, fields=list(values))
        record(
            "monitoring_policy_update",
            actor=actor,
            object_type="reporting_policy",
            object_id=policy.pk,
            detail={"fields": sorted(values)},
        )
    return policy


# ---------------------------------------------------------------- indicators

EDITABLE = [
    "name_id",
    "name_en",
    "definition",
    "definition_en",
    "group",
    "numerator",
    "numerator_label",
    "denominator",
    "denominator_label",
    "factor",
    "unit_label",
    "period_type",
    "direction",
    "min_value",
    "max_value",
    "decimals",
    "legal_basis",
]


def indicator_create(*, actor, data: dict) -> Indicator:
    """The national secretariat adds an indicator without code: formulas over data elements."""
    _require(actor, "indicator.edit")
    cleaned = ind.validate_definition(data)
    with transaction.atomic():
        _definitions_changed()
        indicator = Indicator.objects.create(
            origin=Indicator.Origin.USER,
            created_by=actor,
            updated_by=actor,
            **{k: cleaned[k] for k in ["code", *EDITABLE]},
        )
        record(
            "indicator_create",
            actor=actor,
            object_type="indicator",
            object_id=indicator.code,
            detail={"numerator": indicator.numerator, "denominator": indicator.denominator},
        )
    return indicator


def indicator_update(*, actor, indicator: Indicator, data: dict, expected_version: int | None) -> Indicator:
    _require(actor, "indicator.edit")
    cleaned = ind.validate_definition(data, current=indicator)
    changed = [k for k in EDITABLE if getattr(indicator, k) != cleaned[k]]
    active = data.get("active")
    if active is not None and bool(active) != indicator.active:
        cleaned["active"] = bool(active)
        changed.append("active")
    if not changed:
        return indicator
    with transaction.atomic():
        _definitions_changed()
        for k in changed:
            setattr(indicator, k, cleaned[k])
        save_versioned(indicator, actor=actor, expected_version=expected_version, fields=changed)
        record(
            "indicator_update",
            actor=actor,
            object_type="indicator",
            object_id=indicator.code,
            detail={"fields": changed},
        )
    return indicator


def indicator_target_set(
    *, actor, indicator: Indicator, year, value, region_code: str | None = None, note: str = ""
) -> IndicatorTarget | None:
    """Set (or with an empty value, clear) the target of a year, nationally or for one region."""
    _require(actor, "indicator.edit")
    year, v = ind.validate_target(indicator, year, value)
    region = None
    if region_code and region_code != "ID":
        region = Region.objects.filter(code=region_code, level__lte=2).first()
        if region is None:
            raise ValidationError({"region": "Wilayah tidak dikenal."})
    if len(note or "") > 200:
        raise ValidationError({"note": "Catatan paling banyak 200 karakter."})
    with transaction.atomic():
        _definitions_changed()
        target = (
            IndicatorTarget.objects.select_for_update()
            .filter(indicator=indicator, year=year, region=region)
            .order_by("pk")
            .first()
        )
        if v is None:
            if target is not None:
                target.delete()
            record(
                "indicator_target_clear",
                actor=actor,
                object_type="indicator",
                object_id=indicator.code,
                region_code=region.code if region else "",
                detail={"year": year},
            )
            return None
        if target is None:
            target = IndicatorTarget.objects.create(
                indicator=indicator,
                year=year,
                region=region,
                value=v,
                note=(note or "").strip(),
                created_by=actor,
                updated_by=actor,
            )
        else:
            target.value, target.note = v, (note or "").strip()
            save_versioned(target, actor=actor, expected_version=target.version, fields=["value", "note"])
        record(
            "indicator_target_set",
            actor=actor,
            object_type="indicator",
            object_id=indicator.code,
            region_code=region.code if region else "",
            detail={"year": year, "value": str(v)},
        )
    return target


# ---------------------------------------------------------------- composite index weights


def index_weights_update(
    *, actor, index: CompositeIndex, weights: dict, expected_version: int | None
) -> CompositeIndex:
    _require(actor, "indicator.edit")
    components = {c.key: c for c in index.components.all()}
    errors: dict[str, list[str]] = {}
    new = {}
    for key, raw in weights.items():
        if key not in components:
            errors[key] = ["Komponen tidak dikenal."]
            continue
        try:
            w = Decimal(str(raw).replace(",", "."))
            if not Decimal("0") <= w <= Decimal("100"):
                raise InvalidOperation
            new[key] = w
        except (InvalidOperation, ValueError):
            errors[key] = ["Bobot harus angka 0–100."]
    total = sum(new.get(k, c.weight) for k, c in components.items())
    if not errors and total <= 0:
        errors["__all__"] = ["Jumlah bobot harus lebih dari nol."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _definitions_changed()
        save_versioned(index, actor=actor, expected_version=expected_version, fields=["name_id"])
        for key, w in new.items():
            IndexComponent.objects.filter(pk=components[key].pk).update(weight=w)
        record(
            "index_weights_update",
            actor=actor,
            object_type="composite_index",
            object_id=index.code,
            detail={k: str(v) for k, v in new.items()},
        )
    return index


# ---------------------------------------------------------------- context data

MAX_CONTEXT_ROWS = 20000


def context_import(*, actor, series_code: str, text: str, source_note: str = "", is_demo: bool = False) -> dict:
    """Import context values from CSV text with columns `region,year,value` (region: a code such
    as 32.12 or a name such as "Kab. Indramayu"). All rows are checked before anything is saved;
    existing values for the same region and year are replaced."""
    _require(actor, "indicator.edit")
    series = ContextSeries.objects.filter(code=series_code).first()
    if series is None:
        raise ValidationError({"series": "Seri data konteks tidak dikenal."})
    rows = list(csv.DictReader(io.StringIO(text or "")))
    if not rows:
        raise ValidationError({"file": "Berkas kosong atau tanpa baris data (kolom: region,year,value)."})
    if len(rows) > MAX_CONTEXT_ROWS:
        raise ValidationError({"file": f"Paling banyak {MAX_CONTEXT_ROWS} baris sekali impor."})
    missing = {"region", "year", "value"} - set(rows[0].keys())
    if missing:
        raise ValidationError({"file": f"Kolom wajib tidak ada: {', '.join(sorted(missing))}."})
    errors: list[str] = []
    clean: dict[tuple[str, int], Decimal] = {}
    for n, row in enumerate(rows, start=2):
        try:
            code = resolve_region_code(row.get("region") or "", levels=(1, 2))
        except RegionLookupError as exc:
            errors.append(f"Baris {n}: {exc}")
            continue
        try:
            year = int((row.get("year") or "").strip())
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(f"Baris {n}: tahun tidak sah.")
            continue
        raw = (row.get("value") or "").strip().replace(" ", "")
        if "," in raw and "." in raw:
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", ".")
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"Baris {n}: nilai '{raw[:20]}' bukan angka.")
            continue
        if (
            series.min_value is not None
            and value < series.min_value
            or (series.max_value is not None and value > series.max_value)
        ):
            errors.append(f"Baris {n}: nilai di luar rentang seri ({series.min_value}–{series.max_value}).")
            continue
        if (code, year) in clean:
            errors.append(f"Baris {n}: wilayah dan tahun yang sama muncul dua kali.")
            continue
        clean[(code, year)] = value
    if errors:
        raise ValidationError({"file": errors[:50]})
    with transaction.atomic():
        _definitions_changed()
        for (code, year), value in clean.items():
            ContextValue.objects.update_or_create(
                series=series,
                region_id=code,
                year=year,
                defaults={
                    "value": value,
                    "source_note": (source_note or "")[:200],
                    "imported_by": actor if getattr(actor, "pk", None) else None,
                    "is_demo": is_demo,
                },
            )
        record(
            "context_import",
            actor=actor,
            object_type="context_series",
            object_id=series.code,
            detail={"rows": len(clean)},
        )
    return {"rows": len(clean), "series": series.code}
