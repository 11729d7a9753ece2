"""Open data: aggregate tables of identified victims that cannot single anyone out.

A release (`models.Release`) is computed once and stored; the portal and the API only serve
what a release holds. Each dataset is a two-way table with its margins:

- `korban-provinsi-tahun`: origin province × year;
- `korban-jenis-kelamin`, `korban-kelompok-umur`, `korban-bentuk-eksploitasi`,
  `korban-kewarganegaraan`: year × category (national).

Protection, method "suppression" (default): only years whose national total is ≥ k are
published (so the year totals and the grand total shared by all tables are never suppressed
and tables cannot be combined against each other); then primary suppression of 1 ≤ n < k and
complementary suppression inside each table (see suppression.py). Method "dp": counts get
noise from OpenDP's geometric mechanism (ε split evenly over the tables; one victim is one
count in each table, so each table has L1 sensitivity 1), margins are sums of noisy cells, and
small noisy cells are still withheld so no published cell is below the threshold.

A DP synthetic record-level file (pac-synth, aggregate-seeded, ε in the metadata) can be added.
Never reads identities: only the pseudonymous case and victim attributes below.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from . import suppression

UNKNOWN_PROVINCE = "99"
NATIONAL_ROW = "Jumlah"


def threshold() -> int:
    return int(getattr(settings, "OPEN_DATA_MIN_CELL", 11))


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    hxl: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    concept: str
    definition: str
    classification: str
    row_label: str
    row_hxl: tuple[str, ...]
    categories: tuple[Category, ...] = ()  # columns (empty: the years are the columns)


SEX = (
    Category("female", "Perempuan", "#affected+x_trafficking+f"),
    Category("male", "Laki-laki", "#affected+x_trafficking+m"),
    Category("unknown", "Tidak diketahui", "#affected+x_trafficking+x_sex_unknown"),
)
AGE = (
    Category("0_17", "Anak (0–17)", "#affected+x_trafficking+children"),
    Category("18_24", "18–24", "#affected+x_trafficking+adults+x_age18_24"),
    Category("25_39", "25–39", "#affected+x_trafficking+adults+x_age25_39"),
    Category("40", "40+", "#affected+x_trafficking+adults+x_age40plus"),
    Category("unknown", "Tidak diketahui", "#affected+x_trafficking+x_age_unknown"),
)
EXPLOITATION = (
    Category("sexual", "Eksploitasi seksual", "#affected+x_trafficking+x_sexual"),
    Category("labour", "Kerja/pelayanan paksa", "#affected+x_trafficking+x_labour"),
    Category("sexual_labour", "Seksual dan kerja paksa", "#affected+x_trafficking+x_sexual_labour"),
    Category("other", "Bentuk lain", "#affected+x_trafficking+x_other"),
    Category("unknown", "Tidak diketahui", "#affected+x_trafficking+x_unknown"),
)
CITIZENSHIP = (
    Category("wni", "WNI", "#affected+x_trafficking+x_citizen"),
    Category("wna", "WNA", "#affected+x_trafficking+x_foreign"),
    Category("unknown", "Tanpa kewarganegaraan / tidak diketahui", "#affected+x_trafficking+x_unknown"),
)

COMMON_DEFINITION = (
    "Korban tindak pidana perdagangan orang (UU 21/2007 Ps 1) yang teridentifikasi dan tercatat "
    "sebagai kasus di Gugus, menurut tahun tanggal identifikasi. Tidak termasuk draf dan kasus yang "
    "dinyatakan bukan korban. Satu kasus = satu korban teridentifikasi."
)

DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        Dataset(
            "korban-provinsi-tahun",
            "Korban TPPO teridentifikasi menurut provinsi asal dan tahun",
            "Korban TPPO teridentifikasi",
            COMMON_DEFINITION,
            "Provinsi asal korban (kode Kepmendagri 300.2.2-2138/2025; 99 = luar negeri/tidak diketahui) × tahun",
            "Provinsi",
            ("#adm1+code", "#adm1+name"),
        ),
        Dataset(
            "korban-jenis-kelamin",
            "Korban TPPO teridentifikasi menurut tahun dan jenis kelamin",
            "Korban TPPO teridentifikasi",
            COMMON_DEFINITION,
            "Tahun × jenis kelamin (daftar kode 'sex')",
            "Tahun",
            ("#date+year",),
            SEX,
        ),
        Dataset(
            "korban-kelompok-umur",
            "Korban TPPO teridentifikasi menurut tahun dan kelompok umur",
            "Korban TPPO teridentifikasi",
            COMMON_DEFINITION + " Umur saat identifikasi.",
            "Tahun × kelompok umur (0–17, 18–24, 25–39, 40+)",
            "Tahun",
            ("#date+year",),
            AGE,
        ),
        Dataset(
            "korban-bentuk-eksploitasi",
            "Korban TPPO teridentifikasi menurut tahun dan bentuk eksploitasi",
            "Korban TPPO teridentifikasi",
            COMMON_DEFINITION + " Bentuk eksploitasi dikelompokkan seperti CTDC; "
            "korban yang mengalami eksploitasi seksual dan kerja paksa sekaligus dihitung sekali.",
            "Tahun × kelompok bentuk eksploitasi (UU 21/2007 Ps 1 angka 7, dikelompokkan menurut CTDC)",
            "Tahun",
            ("#date+year",),
            EXPLOITATION,
        ),
        Dataset(
            "korban-kewarganegaraan",
            "Korban TPPO teridentifikasi menurut tahun dan kewarganegaraan",
            "Korban TPPO teridentifikasi",
            COMMON_DEFINITION,
            "Tahun × status kewarganegaraan (WNI/WNA)",
            "Tahun",
            ("#date+year",),
            CITIZENSHIP,
        ),
    )
}

SEXUAL_FORMS = {"prostitution", "sexual_exploitation", "reproductive_organ_exploitation"}
LABOUR_FORMS = {"forced_labour_or_services", "labour_or_ability_exploitation", "online_scam", "slavery_or_similar"}


def age_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 18:
        return "0_17"
    if age < 25:
        return "18_24"
    if age < 40:
        return "25_39"
    return "40"


def exploitation_class(forms: set[str]) -> str:
    forms = {f for f in forms if f != "unknown"}
    sexual, labour = bool(forms & SEXUAL_FORMS), bool(forms & LABOUR_FORMS)
    if sexual and labour:
        return "sexual_labour"
    if sexual:
        return "sexual"
    if labour:
        return "labour"
    return "other" if forms else "unknown"


# --------------------------------------------------------------------------- records


def victim_records(*, region_code: str | None = None, year: int | None = None) -> list[dict]:
    """One small dict per counted case: year, origin province, sex, age group, exploitation
    class, citizenship group. Pseudonymous attributes only."""
    from gugus.cases.models import Case
    from gugus.reference.models import subtree_q

    qs = Case.objects.exclude(is_draft=True).exclude(trafficking_status="not_a_victim")
    if region_code and region_code != "ID":
        qs = qs.filter(subtree_q("region_id", region_code) | subtree_q("origin_region_id", region_code))
    if year:
        qs = qs.filter(identification_date__year=year)
    forms: dict = {}
    for case_id, code_id in Case.exploitation_forms.through.objects.filter(case__in=qs.values("pk")).values_list(
        "case_id", "code_id"
    ):
        forms.setdefault(case_id, set()).add(code_id.split(".", 1)[1])
    out = []
    for pk, idate, origin, sex, age, cstatus in qs.values_list(
        "pk",
        "identification_date",
        "origin_region_id",
        "victim__sex_id",
        "age_at_identification",
        "victim__citizenship_status_id",
    ).iterator(chunk_size=5000):
        status = (cstatus or "").split(".", 1)[-1]
        out.append(
            {
                "year": idate.year,
                "province": origin.split(".")[0] if origin and origin != "ID" else UNKNOWN_PROVINCE,
                "sex": (sex or "sex.unknown").split(".", 1)[1],
                "age": age_group(age),
                "exploitation": exploitation_class(forms.get(pk, set())),
                "citizenship": status if status in ("wni", "wna") else "unknown",
            }
        )
    return out


# --------------------------------------------------------------------------- tables


@dataclass
class Table:
    slug: str
    row_keys: list[str]
    row_labels: list[str]
    col_keys: list[str]
    col_labels: list[str]
    values: list[list[int | None]]  # extended: margins in the last row and column; None = withheld

    def to_dict(self) -> dict:
        return {
            "rows": self.row_keys,
            "row_labels": self.row_labels,
            "cols": self.col_keys,
            "col_labels": self.col_labels,
            "values": self.values,
        }

    @classmethod
    def from_dict(cls, slug: str, d: dict) -> Table:
        return cls(slug, d["rows"], d["row_labels"], d["cols"], d["col_labels"], d["values"])

    def cells(self) -> list[int | None]:
        return [v for row in self.values for v in row]


def province_names() -> dict[str, str]:
    from gugus.reference.models import Region

    names = dict(Region.objects.filter(level=1).values_list("code", "name"))
    names[UNKNOWN_PROVINCE] = "Luar negeri / tidak diketahui"
    return names


def raw_tables(records: list[dict], years: list[int]) -> dict[str, tuple[list, list, list[list[int]]]]:
    """Exact interior counts per dataset: (row keys, col keys, cells)."""
    out = {}
    recs = [r for r in records if r["year"] in set(years)]
    provinces = sorted({r["province"] for r in recs} - {UNKNOWN_PROVINCE}) + (
        [UNKNOWN_PROVINCE] if any(r["province"] == UNKNOWN_PROVINCE for r in recs) else []
    )
    c = Counter((r["province"], r["year"]) for r in recs)
    out["korban-provinsi-tahun"] = (provinces, years, [[c[(p, y)] for y in years] for p in provinces])
    for slug, attr in (
        ("korban-jenis-kelamin", "sex"),
        ("korban-kelompok-umur", "age"),
        ("korban-bentuk-eksploitasi", "exploitation"),
        ("korban-kewarganegaraan", "citizenship"),
    ):
        cats = [cat.key for cat in DATASETS[slug].categories]
        c = Counter((r["year"], r[attr]) for r in recs)
        out[slug] = (years, cats, [[c[(y, k)] for k in cats] for y in years])
    return out


def publishable_years(records: list[dict], k: int) -> list[int]:
    c = Counter(r["year"] for r in records)
    return sorted(y for y, n in c.items() if n >= k)


def _labels(slug: str, rows: list, cols: list) -> tuple[list[str], list[str]]:
    ds = DATASETS[slug]
    if slug == "korban-provinsi-tahun":
        names = province_names()
        return [names.get(p, p) for p in rows] + [NATIONAL_ROW], [str(y) for y in cols] + ["Jumlah"]
    cat = {c.key: c.label for c in ds.categories}
    return [str(y) for y in rows] + [NATIONAL_ROW], [cat[k] for k in cols] + ["Jumlah"]


def suppressed_tables(records: list[dict], k: int, years: list[int] | None = None) -> dict[str, Table]:
    """Method "suppression": exact counts, primary + complementary suppression per table.
    Year totals and the grand total are fixed (never withheld): only years with ≥ k victims."""
    years = years if years is not None else publishable_years(records, k)
    out = {}
    for slug, (rows, cols, cells) in raw_tables(records, years).items():
        if not rows or not cols:
            continue
        n, m = len(rows), len(cols)
        if slug == "korban-provinsi-tahun":
            fixed = {(n, j) for j in range(m + 1)}  # year totals and grand total
        else:
            fixed = {(i, m) for i in range(n + 1)}
        values = suppression.publish(cells, k, fixed=fixed)
        rl, cl = _labels(slug, rows, cols)
        out[slug] = Table(slug, [str(r) for r in rows] + ["total"], rl, [str(c) for c in cols] + ["total"], cl, values)
    return out


def dp_tables(records: list[dict], k: int, years: list[int], epsilon: float) -> tuple[dict[str, Table], dict]:
    """Method "dp": OpenDP geometric noise on every interior cell, ε split over the tables.
    Returns (tables, accounting)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    raws = raw_tables(records, years)
    # Rows of the province table are the provinces of the Kemendagri list (not data-dependent).
    from gugus.reference.models import Region

    provinces = list(Region.objects.filter(level=1).order_by("code").values_list("code", flat=True)) + [
        UNKNOWN_PROVINCE
    ]
    c = Counter((r["province"], r["year"]) for r in records if r["year"] in set(years))
    raws["korban-provinsi-tahun"] = (provinces, years, [[c[(p, y)] for y in years] for p in provinces])
    eps_table = epsilon / len(raws)
    accounting = {
        "epsilon_total": epsilon,
        "epsilon_per_table": eps_table,
        "mechanism": "geometric (OpenDP make_geometric)",
        "sensitivity_l1": 1,
        "tables": {},
    }
    out = {}
    for slug, (rows, cols, cells) in raws.items():
        flat = [v for row in cells for v in row]
        if not flat:
            continue
        meas = dp.m.make_geometric(
            dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=1.0 / eps_table
        )
        spent = meas.map(1)
        noisy = [max(0, int(v)) for v in meas(flat)]
        m = len(cols)
        grid = [noisy[i * m : (i + 1) * m] for i in range(len(rows))]
        ext = suppression.extended(grid)
        values = suppression.primary_only(ext, k)
        rl, cl = _labels(slug, rows, cols)
        out[slug] = Table(slug, [str(r) for r in rows] + ["total"], rl, [str(c) for c in cols] + ["total"], cl, values)
        accounting["tables"][slug] = {"epsilon": spent, "cells": len(flat)}
    return out, accounting


def synthetic_csv(records: list[dict], epsilon: float, *, reporting_length: int = 3) -> tuple[str, dict]:
    """A DP synthetic record file (pac-synth DpAggregateSeededSynthesizer). (csv text, metadata)."""
    import pacsynth

    columns = ["year", "province", "sex", "age", "exploitation", "citizenship"]
    raw = [columns] + [[str(r[c]) for c in columns] for r in records]
    ds = pacsynth.Dataset(raw, sensitive_zeros=[])
    params = (
        pacsynth.DpAggregateSeededParametersBuilder().epsilon(float(epsilon)).reporting_length(reporting_length).build()
    )
    rows = None
    for _attempt in range(3):
        synth = pacsynth.DpAggregateSeededSynthesizer(params)
        try:
            synth.fit(ds)
            rows = synth.sample()
            break
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001, S112 - pac-synth panics (a BaseException) when noise meets tiny data
            continue
    if rows is None:
        raise ValueError("pac-synth tidak dapat membuat data sintetis dari data sekecil ini.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerow(
        [
            "#date+year",
            "#adm1+code",
            "#indicator+sex",
            "#indicator+age",
            "#indicator+exploitation",
            "#indicator+citizenship",
        ]
    )
    for r in rows[1:]:
        writer.writerow(r)
    meta = {
        "method": "pac-synth DpAggregateSeededSynthesizer",
        "epsilon": float(epsilon),
        "reporting_length": reporting_length,
        "records": len(rows) - 1,
        "columns": columns,
        "note": "Data sintetis: tiap baris BUKAN orang nyata. Untuk analisis pola, bukan untuk menghitung kasus.",
    }
    return out.getvalue(), meta


# --------------------------------------------------------------------------- files


def table_csv(ds: Dataset, table: Table) -> str:
    """Wide CSV with the HXL hashtag row under the header. Empty cell = withheld."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if ds.slug == "korban-provinsi-tahun":
        w.writerow(["kode_provinsi", "provinsi"] + table.col_labels)
        w.writerow(
            ["#adm1+code", "#adm1+name"]
            + [
                f"#affected+x_trafficking+x_y{c}" if c != "total" else "#affected+x_trafficking+total"
                for c in table.col_keys
            ]
        )
        for key, label, row in zip(table.row_keys, table.row_labels, table.values, strict=True):
            w.writerow(["" if key == "total" else key, label] + ["" if v is None else v for v in row])
    else:
        w.writerow(["tahun"] + table.col_labels)
        cats = {c.key: c.hxl for c in ds.categories}
        w.writerow(["#date+year"] + [cats.get(c, "#affected+x_trafficking+total") for c in table.col_keys])
        for key, row in zip(table.row_keys, table.values, strict=True):
            w.writerow(["Jumlah" if key == "total" else key] + ["" if v is None else v for v in row])
    return out.getvalue()


def table_fields(ds: Dataset, table: Table) -> list[dict]:
    if ds.slug == "korban-provinsi-tahun":
        fields = [
            {"name": "kode_provinsi", "type": "string", "title": "Kode provinsi (Kemendagri)", "rdfType": "#adm1+code"},
            {"name": "provinsi", "type": "string", "title": "Provinsi", "rdfType": "#adm1+name"},
        ]
    else:
        fields = [{"name": "tahun", "type": "string", "title": "Tahun identifikasi"}]
    for label in table.col_labels:
        fields.append({"name": label, "type": "integer", "title": label, "constraints": {"minimum": 0}})
    return fields


def metadata(ds: Dataset, release) -> dict:
    """Satu Data Indonesia metadata (Perpres 39/2019): concept, definition, classification,
    measure and unit, source, release date — plus the protection applied."""
    k = release.threshold
    if release.method == "dp":
        method = (
            f"Privasi diferensial: derau geometrik (OpenDP), ε total {release.epsilon:g} dibagi rata ke "
            f"{len(release.tables)} tabel; sel hasil derau di bawah {k} disembunyikan."
        )
    else:
        method = (
            f"Sel bernilai 1–{k - 1} disembunyikan, ditambah penyembunyian pelengkap sehingga tidak ada sel "
            "tersembunyi yang dapat dihitung dari jumlah baris/kolom. Hanya tahun dengan ≥ "
            f"{k} korban secara nasional yang diterbitkan."
        )
    return {
        "judul": ds.title,
        "konsep": ds.concept,
        "definisi": ds.definition,
        "klasifikasi": ds.classification,
        "ukuran": "Jumlah",
        "satuan": "orang (korban)",
        "sumber_data": "Sistem Informasi Gugus Tugas PP-TPPO (kasus yang dicatat unit layanan)",
        "produsen_data": "Sekretariat Gugus Tugas PP-TPPO Nasional",
        "tanggal_rilis": release.created_at.date().isoformat(),
        "periode": f"{min(release.years)}–{max(release.years)}" if release.years else "",
        "frekuensi": "Sesuai rilis",
        "metode_perlindungan": method,
        "keterangan_sel_kosong": "Sel kosong = disembunyikan untuk melindungi korban (bukan nol).",
        "lisensi": "CC BY 4.0",
        "rilis": str(release.pk),
    }


def datapackage(release, base_url: str = "/data-terbuka/") -> dict:
    """A Frictionless Data Package descriptor for the release."""
    resources = []
    for slug, d in release.tables.items():
        ds = DATASETS[slug]
        table = Table.from_dict(slug, d)
        resources.append(
            {
                "name": slug,
                "title": ds.title,
                "path": f"{slug}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True, "headerRows": [1], "commentRows": [2]},
                "schema": {"fields": table_fields(ds, table), "missingValues": [""]},
                "description": ds.definition,
                "x_satu_data": metadata(ds, release),
            }
        )
    if release.synthetic_csv:
        resources.append(
            {
                "name": "korban-sintetis",
                "title": "Data tingkat-rekaman sintetis (privasi diferensial)",
                "path": "sintetis.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True, "headerRows": [1], "commentRows": [2]},
                "schema": {
                    "fields": [{"name": c, "type": "string"} for c in release.synthetic_meta.get("columns", [])]
                },
                "x_synthetic": release.synthetic_meta,
            }
        )
    return {
        "profile": "data-package",
        "name": "gugus-tppo-data-terbuka",
        "title": "Data terbuka Gugus Tugas PP-TPPO",
        "id": str(release.pk),
        "version": release.created_at.strftime("%Y.%m.%d"),
        "created": release.created_at.isoformat(),
        "homepage": base_url,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "x_privacy": {
            "method": release.method,
            "threshold": release.threshold,
            "epsilon": release.epsilon,
            "synthetic_epsilon": release.synthetic_epsilon,
        },
        "resources": resources,
    }


def json_dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
