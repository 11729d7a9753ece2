"""Data elements from gugus.reference: population (denominator of rates) and region counts."""

from __future__ import annotations

from . import Category, ElementSpec, Filter

SOURCE = "reference"
CELL_KINDS: set[str] = set()
REGION_WIDE_KINDS = {"region", "population"}

SEX = Category("sex", "Jenis kelamin", (("female", "Perempuan"), ("male", "Laki-laki")))


def specs() -> list[ElementSpec]:
    return [
        ElementSpec(
            "population",
            "Jumlah penduduk",
            "Population",
            "Penduduk kab/kota menurut data referensi (Dukcapil, tahun pada data wilayah). Nilai tetap, tidak "
            "berubah per bulan; provinsi dan nasional = jumlah kab/kotanya.",
            SOURCE,
            unit="people",
            time_aggregation="cumulative",
            grain="none",
            region_basis="kab/kota",
            categories=(SEX,),
            sort=90,
        ),
        ElementSpec(
            "kabkota_count",
            "Jumlah kabupaten/kota",
            "Number of kab/kota",
            "Satu untuk setiap kabupaten/kota (Kepmendagri 2025); penyebut indikator kelembagaan.",
            SOURCE,
            unit="regions",
            time_aggregation="cumulative",
            grain="none",
            region_basis="kab/kota",
            sort=91,
        ),
    ]


def extract(flt: Filter):
    from gugus.reference.models import Region

    qs = Region.objects.filter(level=2)
    if not flt.everything:
        if flt.month:
            return
        qs = qs.filter(code=flt.region)
    for code, total, male, female in qs.values_list("code", "population_total", "population_male", "population_female"):
        yield "kabkota_count", code, 0, "", 1.0
        if total:
            yield "population", code, 0, "", float(total)
        if male:
            yield "population", code, 0, "sex:male", float(male)
        if female:
            yield "population", code, 0, "sex:female", float(female)


def records(spec, disagg, region_code, period):
    return None
