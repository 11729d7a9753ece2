"""Load the shipped indicators, context series and composite indices (data/indicators.toml),
idempotently. Shipped definitions are refreshed when the file's version changes; targets are
never shipped and never touched; index weights are reset only when the file version changes."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from . import formula
from .models import CompositeIndex, ContextSeries, IndexComponent, Indicator

DATA_FILE = Path(__file__).parent / "data" / "indicators.toml"


class ShippedDataError(ValueError):
    pass


def read_shipped(text: str | None = None) -> dict:
    data = tomllib.loads(text if text is not None else DATA_FILE.read_text(encoding="utf-8"))
    codes = set()
    for row in data.get("indicator", []):
        code = row["code"]
        if code in codes:
            raise ShippedDataError(f"Indikator '{code}' ganda.")
        codes.add(code)
        for f in ("numerator", "denominator"):
            try:
                formula.parse(str(row.get(f, "1")))
            except formula.FormulaError as exc:
                raise ShippedDataError(f"Indikator '{code}', {f}: {exc}")
    return data


def _dec(v):
    return None if v is None else Decimal(str(v))


def load_shipped(text: str | None = None) -> dict:
    data = read_shipped(text)
    version = str(data.get("version", "0"))
    report = {"indicators_created": 0, "indicators_updated": 0, "series": 0, "indices": 0}
    with transaction.atomic():
        for row in data.get("context_series", []):
            ContextSeries.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_id": row["name"][0],
                    "name_en": row["name"][1],
                    "kind": row.get("kind", "count"),
                    "unit": row.get("unit", ""),
                    "source": row.get("source", ""),
                    "description": row.get("description", ""),
                    "min_value": _dec(row.get("min")),
                    "max_value": _dec(row.get("max")),
                },
            )
            report["series"] += 1
        for row in data.get("indicator", []):
            values = {
                "name_id": row["name"][0],
                "name_en": row["name"][1],
                "definition": row["definition"],
                "definition_en": row.get("definition_en", ""),
                "group": row.get("group", ""),
                "numerator": row["numerator"],
                "numerator_label": row.get("numerator_label", ""),
                "denominator": str(row.get("denominator", "1")),
                "denominator_label": row.get("denominator_label", ""),
                "factor": _dec(row.get("factor", 1)),
                "unit_label": row.get("unit", ""),
                "period_type": row.get("period_type", "year"),
                "direction": row.get("direction", "higher"),
                "min_value": _dec(row.get("min")),
                "max_value": _dec(row.get("max")),
                "decimals": int(row.get("decimals", 1)),
                "legal_basis": row.get("legal_basis", ""),
                "sort": int(row.get("sort", 500)),
                "origin": Indicator.Origin.SHIPPED,
                "shipped_version": version,
            }
            existing = Indicator.objects.filter(code=row["code"]).first()
            if existing is None:
                Indicator.objects.create(code=row["code"], **values)
                report["indicators_created"] += 1
            elif existing.shipped_version != version:
                Indicator.objects.filter(pk=existing.pk).update(**values)
                report["indicators_updated"] += 1
        for row in data.get("index", []):
            index = CompositeIndex.objects.filter(code=row["code"]).first()
            if index is not None and index.shipped_version == version:
                continue
            values = {
                "name_id": row["name"][0],
                "name_en": row["name"][1],
                "method": row["method"].strip(),
                "higher_is": row.get("higher_is", "lebih baik"),
                "shipped_version": version,
            }
            if index is None:
                index = CompositeIndex.objects.create(code=row["code"], **values)
            else:
                CompositeIndex.objects.filter(pk=index.pk).update(**values)
            index.components.all().delete()
            for n, comp in enumerate(row.get("component", [])):
                IndexComponent.objects.create(
                    index=index,
                    key=comp["key"],
                    sort=n,
                    label=comp.get("label", ""),
                    indicator=Indicator.objects.filter(code=comp["indicator"]).first()
                    if comp.get("indicator")
                    else None,
                    context_series_id=comp.get("context"),
                    context_per_100k=bool(comp.get("per_100k", False)),
                    years=int(comp.get("years", 1)),
                    weight=_dec(comp["weight"]),
                    invert=bool(comp.get("invert", False)),
                    normalisation=comp.get("normalisation", "minmax"),
                )
            report["indices"] += 1
    return report


def ensure_loaded() -> None:
    """Elements synced and shipped data loaded (after migrate, before a rebuild)."""
    from .engine import sync_elements

    sync_elements()
    load_shipped()
