"""Data elements from gugus.accounts: service units and shelter capacity (current registry)."""

from __future__ import annotations

from . import Category, ElementSpec, Filter, code_suffix

SOURCE = "accounts"
CELL_KINDS: set[str] = set()
REGION_WIDE_KINDS = {"organisation", "unit"}

INTEGRATED_UNIT_TYPES = ("uptd_ppa_kabkota", "uptd_ppa_prov", "p2tp2a", "ppt_hospital", "ppt_police_hospital")


def _shelter_types() -> tuple[str, ...]:
    from gugus.accounts.models import SHELTER_TYPES

    return tuple(sorted(SHELTER_TYPES))


def specs() -> list[ElementSpec]:
    shelter_cat = Category("org_type", "Jenis lembaga", tuple((t, t) for t in _shelter_types()))
    unit_cat = Category("org_type", "Jenis lembaga", tuple((t, t) for t in INTEGRATED_UNIT_TYPES))
    return [
        ElementSpec(
            "shelter_beds",
            "Tempat tidur rumah aman/penampungan",
            "Shelter beds",
            "Kapasitas tempat tidur lembaga penampungan yang aktif (rumah aman, RPTC, RPSA/RPSW, pusat trauma, "
            "sentra Kemensos, UPTD PPA/P2TP2A dengan penampungan), menurut registri saat ini: jumlah tempat "
            "tidur di profil unit bila dicatat, selain itu kapasitas organisasi.",
            SOURCE,
            unit="beds",
            time_aggregation="cumulative",
            grain="none",
            region_basis="wilayah lembaga (kab/kota)",
            categories=(shelter_cat,),
            sort=80,
        ),
        ElementSpec(
            "service_units",
            "Unit pelayanan terpadu",
            "Integrated service units",
            "Jumlah unit pelayanan terpadu aktif (UPTD PPA, P2TP2A, PPT rumah sakit), menurut registri saat ini.",
            SOURCE,
            unit="units",
            time_aggregation="cumulative",
            grain="none",
            region_basis="wilayah lembaga (kab/kota)",
            categories=(unit_cat,),
            sort=81,
        ),
        ElementSpec(
            "kabkota_with_unit",
            "Kab/kota yang memiliki unit pelayanan terpadu",
            "Kab/kota with an integrated unit",
            "1 untuk kab/kota yang memiliki minimal satu unit pelayanan terpadu aktif (UU 21/2007 Ps 46: PPT di "
            "setiap kab/kota).",
            SOURCE,
            unit="regions",
            time_aggregation="cumulative",
            grain="none",
            region_basis="kab/kota",
            sort=82,
        ),
    ]


def _profile_beds() -> dict:
    """Beds from the registry's unit profiles where recorded (they override Organisation.capacity,
    as in the registry's own figures); empty when the registry is not available."""
    try:
        from gugus.registry.models import UnitProfile

        return dict(UnitProfile.objects.filter(beds__isnull=False).values_list("organisation_id", "beds"))
    except Exception:  # noqa: BLE001 - the registry is optional for this element
        return {}


def extract(flt: Filter):
    from gugus.accounts.models import Organisation

    if not flt.everything and flt.month:
        return
    qs = Organisation.objects.filter(active=True).exclude(region_id="ID")
    if not flt.everything:
        from .cases import analytics_region_q

        qs = qs.filter(analytics_region_q("region_id", flt.region))
    shelters = {f"org_type.{t}" for t in _shelter_types()}
    units = {f"org_type.{t}" for t in INTEGRATED_UNIT_TYPES}
    with_unit = set()
    profile_beds = _profile_beds()
    for org_id, region, otype, capacity in qs.values_list("id", "region_id", "org_type_id", "capacity"):
        capacity = profile_beds.get(org_id, capacity)
        if otype in shelters and capacity:
            yield "shelter_beds", region, 0, "", float(capacity)
            yield "shelter_beds", region, 0, f"org_type:{code_suffix(otype)}", float(capacity)
        if otype in units:
            yield "service_units", region, 0, "", 1.0
            yield "service_units", region, 0, f"org_type:{code_suffix(otype)}", 1.0
            if region.count(".") >= 1:
                with_unit.add(region[:5])
    for region in sorted(with_unit):
        yield "kabkota_with_unit", region, 0, "", 1.0


def records(spec, disagg, region_code, period):
    return None
