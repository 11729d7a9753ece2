"""One-click export of a region portrait: XLSX (xlsxwriter, one sheet per section) and CSV (the
same tables one after another, each under a `# section` line). Aggregates and institutional
data only; a safe house's location is never part of it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from .models import RadStatus, RegulationStatus, TaskForceStatus
from .portrait import Portrait

RAD_LABELS = dict(RadStatus.choices)
TF_LABELS = dict(TaskForceStatus.choices)
REG_LABELS = dict(RegulationStatus.choices)


def _yn(v) -> str:
    return "ya" if v else "tidak"


def portrait_tables(p: Portrait) -> list[tuple[str, list[str], list[list]]]:
    r = p.region
    tf = p.taskforce
    summary = [
        ["Kode wilayah", r.code],
        ["Nama wilayah", r.name],
        ["Jenis", r.get_kind_display()],
        ["Tahun", p.year],
        ["Penduduk", r.population_total],
        ["Gugus tugas", TF_LABELS.get(p.taskforce_status, "belum ada") if tf else "belum ada"],
        ["SK berlaku", f"{p.current_decree.number} ({p.current_decree.date:%d-%m-%Y})" if p.current_decree else ""],
        ["Status RAD", RAD_LABELS[p.rad_status]],
        ["Anggaran dilaporkan", _yn(p.budget_reported)],
        ["Pagu total (Rp)", p.budget_totals.get("allocated")],
        ["Realisasi total (Rp)", p.budget_totals.get("realised")],
        ["Tempat tidur rumah aman/shelter", p.shelter_beds],
        ["Staf unit layanan", p.staff_totals[0]],
        ["Staf terlatih", p.staff_totals[1]],
        ["Pelatihan", p.training_count],
        ["Kegiatan pencegahan", p.prevention_count],
        ["Orang terjangkau pencegahan", p.prevention_reach_total],
        ["Peraturan daerah", len(p.regulations)],
        ["Catatan", "; ".join(label for _, label in p.flags)],
    ]
    tables = [("Ringkasan", ["butir", "nilai"], summary)]
    tables.append(
        (
            "SK gugus tugas",
            ["nomor", "tanggal", "ditandatangani oleh", "ketua", "sekretariat", "berlaku"],
            [
                [
                    d.number,
                    d.date,
                    d.signed_by,
                    d.chair,
                    d.secretariat.name if d.secretariat_id else "",
                    _yn(d == p.current_decree),
                ]
                for d in p.decrees
            ],
        )
    )
    tables.append(
        (
            "Anggota gugus tugas",
            ["sub gugus tugas", "organisasi", "koordinator"],
            [[sub, m.organisation.name, _yn(m.is_lead)] for sub, ms in p.members_by_sub for m in ms],
        )
    )
    tables.append(
        (
            "RAD",
            ["judul", "periode", "status", "dasar hukum", "RPJMD", "Renstra SKPD", "kegiatan"],
            [
                [
                    pl.title,
                    f"{pl.period_start}-{pl.period_end}",
                    RAD_LABELS[pl.status],
                    pl.legal_basis,
                    _yn(pl.in_rpjmd),
                    _yn(pl.in_renstra_skpd),
                    pl.n_activities,
                ]
                for pl in p.plans
            ],
        )
    )
    tables.append(
        (
            f"Anggaran {p.year}",
            ["program", "sumber", "instansi", "pagu (Rp)", "realisasi (Rp)", "catatan"],
            [
                [
                    b.programme.label_id,
                    b.source.label_id,
                    b.agency.name if b.agency_id else "",
                    b.allocated,
                    b.realised,
                    b.note,
                ]
                for b in p.budget_lines
            ],
        )
    )
    tables.append(
        (
            "Anggaran per tahun",
            ["tahun", "total (Rp)", "pencegahan (Rp)", "pemulangan (Rp)"],
            [[y["year"], y["total"], y["prevention"], y["handling_repatriation"]] for y in p.budget_years],
        )
    )
    tables.append(
        (
            "Unit layanan",
            ["unit", "jenis", "tempat tidur", "fasilitas", "staf", "staf terlatih"],
            [
                [
                    u["org"].name,
                    u["type"],
                    u["beds"],
                    ", ".join(str(f) for f in u["facilities"]),
                    u["staff"][0],
                    u["staff"][1],
                ]
                for u in p.units
            ],
        )
    )
    tables.append(
        (
            "SDM per fungsi",
            ["fungsi", "jumlah", "terlatih"],
            [[s["label"], s["total"], s["trained"]] for s in p.staff_by_function],
        )
    )
    tables.append(
        (
            f"Pelatihan {p.year}",
            ["tanggal", "judul", "topik", "wilayah", "penyelenggara", "perempuan", "laki-laki"],
            [
                [t.start_date, t.title, t.topic.label_id, t.region.name, t.organiser_label, t.female or 0, t.male or 0]
                for t in p.trainings
            ],
        )
    )
    tables.append(
        (
            "Peserta pelatihan per instansi",
            ["jenis instansi", "perempuan", "laki-laki"],
            [[x["label"], x["female"], x["male"]] for x in p.training_by_agency],
        )
    )
    tables.append(
        (
            "Peraturan",
            ["jenis", "nomor", "tahun", "judul", "status"],
            [[g.reg_type.label_id, g.number, g.year, g.title, REG_LABELS[g.status]] for g in p.regulations],
        )
    )
    tables.append(
        (
            f"Pencegahan {p.year}",
            ["tanggal", "judul", "jenis", "wilayah", "penyelenggara", "sasaran", "terjangkau"],
            [
                [
                    a.date,
                    a.title,
                    a.kind.label_id,
                    a.region.name,
                    a.organiser_label,
                    a.get_audience_display(),
                    a.reached_total,
                ]
                for a in p.prevention
            ],
        )
    )
    tables.append(
        (
            "Jangkauan pencegahan",
            ["kelompok umur", "perempuan", "laki-laki"],
            [[x["age"], x["female"], x["male"]] for x in p.prevention_reach],
        )
    )
    tables.append(
        (
            "Praktik baik",
            ["judul", "wilayah asal", "pelaksana", "direplikasi di"],
            [
                [
                    b.title,
                    b.region.name,
                    b.organisation.name if b.organisation_id else b.who,
                    ", ".join(x.region.name for x in b.replications.all()),
                ]
                for b in p.practices
            ],
        )
    )
    if p.cases is not None:
        c = p.cases
        rows = [
            ["ditangani di wilayah", c["handled"]],
            ["berasal dari wilayah", c["origin"]],
            ["anak", c["children"]],
            ["lintas negara", c["transnational"]],
        ]
        rows += [[f"jenis kelamin: {k}", n] for k, n in c["by_sex"]]
        rows += [[f"kewarganegaraan: {k}", n] for k, n in c["by_citizenship"]]
        rows += [[f"eksploitasi: {k}", n] for k, n in c["by_exploitation"]]
        rows += [[f"tren {y}", n] for y, n in c["trend"]]
        tables.append((f"Korban {p.year} (agregat)", ["butir", "jumlah korban"], rows))
    if p.children:
        tables.append(
            (
                "Wilayah di bawahnya",
                [
                    "kode",
                    "nama",
                    "gugus tugas",
                    "RAD",
                    "anggaran pencegahan (Rp)",
                    "anggaran pemulangan (Rp)",
                    "tempat tidur",
                    "staf terlatih",
                    "korban tahun ini",
                ],
                [
                    [
                        k["code"],
                        k["name"],
                        TF_LABELS.get(k["taskforce"], "belum ada"),
                        RAD_LABELS[k["rad"]],
                        k["prevention"],
                        k["repatriation"],
                        k["beds"],
                        k["trained"],
                        k["victims"],
                    ]
                    for k in p.children
                ],
            )
        )
    return tables


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v  # a spreadsheet must not run text typed by a user as a formula
    return v


def portrait_csv(p: Portrait) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    for title, headers, rows in portrait_tables(p):
        w.writerow([f"# {title}"])
        w.writerow(headers)
        for row in rows:
            w.writerow([_cell(v) for v in row])
        w.writerow([])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_name(title: str, used: set) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    base, i = name, 2
    while name in used:
        name = f"{base[:28]}~{i}"
        i += 1
    used.add(name)
    return name


def portrait_xlsx(p: Portrait) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "default_date_format": "dd-mm-yyyy",
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = wb.add_format({"bold": True, "bg_color": "#F0F2F6"})
    money = wb.add_format({"num_format": "#,##0.00"})
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    used: set = set()
    for title, headers, rows in portrait_tables(p):
        ws = wb.add_worksheet(_sheet_name(title, used))
        ws.write_row(0, 0, headers, bold)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, Decimal):
                    ws.write_number(i, j, float(v), money)
                elif hasattr(v, "isoformat") and not isinstance(v, str):
                    ws.write_datetime(i, j, v, date_fmt)
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))
        ws.set_column(0, max(len(headers) - 1, 0), 22)
        ws.freeze_panes(1, 0)
    wb.set_properties({"title": f"Profil wilayah {p.region.name} {p.year}", "author": "Gugus PP-TPPO"})
    wb.close()
    return buf.getvalue()
