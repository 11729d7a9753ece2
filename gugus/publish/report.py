"""Laporan Tahunan (annual report) of a task force for a region and year, as PDF and XLSX.

Gathers: victims identified (from the cases, aggregates only), the region portrait (registry,
when available), indicators against targets (monitoring, when available), charts (SVG drawn
here), the tile map of provinces, and the regions below. PDF by WeasyPrint with a URL fetcher
that refuses every network access (local fonts via fontconfig, CSS inline).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
from collections import Counter

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone

from gugus.monitoring.periods import MONTHS_SHORT

from .opendata import AGE, CITIZENSHIP, EXPLOITATION, SEX, age_group, exploitation_class

log = logging.getLogger(__name__)
COLOURS = ["#f1f5fb", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


# --------------------------------------------------------------------------- data


def case_facts(region_code: str, year: int) -> list[dict]:
    """Counted cases handled in the region's subtree in the year (pseudonymous attributes)."""
    from gugus.cases.models import Case
    from gugus.reference.models import subtree_q

    qs = (
        Case.objects.exclude(is_draft=True)
        .exclude(trafficking_status="not_a_victim")
        .filter(identification_date__year=year)
    )
    if region_code != "ID":
        qs = qs.filter(subtree_q("region_id", region_code))
    forms: dict = {}
    for case_id, code_id in Case.exploitation_forms.through.objects.filter(case__in=qs.values("pk")).values_list(
        "case_id", "code_id"
    ):
        forms.setdefault(case_id, set()).add(code_id.split(".", 1)[1])
    out = []
    for pk, idate, region_id, origin, sex, age, cstatus, child in qs.values_list(
        "pk",
        "identification_date",
        "region_id",
        "origin_region_id",
        "victim__sex_id",
        "age_at_identification",
        "victim__citizenship_status_id",
        "is_child",
    ).iterator(chunk_size=5000):
        status = (cstatus or "").split(".", 1)[-1]
        out.append(
            {
                "month": idate.month,
                "region": region_id,
                "origin": origin or "",
                "sex": (sex or "sex.unknown").split(".", 1)[1],
                "age": age_group(age),
                "exploitation": exploitation_class(forms.get(pk, set())),
                "citizenship": status if status in ("wni", "wna") else "unknown",
                "child": child,
            }
        )
    return out


def _count(records, attr, cats) -> list[tuple[str, int]]:
    c = Counter(r[attr] for r in records)
    return [(cat.label, c.get(cat.key, 0)) for cat in cats]


def child_code(code: str, parent: str) -> str | None:
    if parent == "ID":
        return code.split(".")[0] if code and code != "ID" else None
    if code == parent or not code.startswith(parent + "."):
        return None
    depth = parent.count(".") + 2
    return ".".join(code.split(".")[:depth])


def _portrait(user, region, year):
    try:
        from gugus.registry.portrait import build_portrait
    except ImportError:
        return None
    try:
        return build_portrait(user, region, year, with_cases=False)
    except Exception:  # noqa: BLE001 - the report goes on without the registry section
        log.exception("portrait for report failed")
        return None


def _indicators(region, year) -> list[dict]:
    """Indicators against targets from monitoring (its precomputed store), when available."""
    try:
        from gugus.monitoring import dashboard, engine
        from gugus.monitoring.periods import Period
    except ImportError:
        return []
    try:
        if engine.active_generation() is None:
            return []
        data = dashboard.dashboard_data(region, Period.whole_year(int(year)))
    except Exception:  # noqa: BLE001 - the report goes on without indicators
        log.exception("indicators for report failed")
        return []
    out = []
    for it in data.get("indicators") or data.get("kpis") or []:
        value = it.get("value")
        out.append(
            {
                "code": it.get("code", ""),
                "name": it.get("name", "") or it.get("code", ""),
                "value": round(value, it.get("decimals") or 1) if isinstance(value, float) else value,
                "target": it.get("target"),
                "unit": it.get("unit", ""),
                "status": it.get("status") or "",
            }
        )
    return out


def _rp(value) -> str:
    if value is None:
        return "–"
    return "Rp " + f"{value:,.0f}".replace(",", ".")


def _status_labels() -> tuple[dict, dict]:
    try:
        from gugus.registry.models import RadStatus, TaskForceStatus
    except ImportError:
        return {}, {}
    return dict(RadStatus.choices), dict(TaskForceStatus.choices)


def portrait_rows(portrait) -> list[tuple[str, str]]:
    """The registry portrait as labelled rows (tolerant of a portrait without some facts)."""
    if portrait is None:
        return []
    rad, tf = _status_labels()
    get = lambda name, default=None: getattr(portrait, name, default)  # noqa: E731
    taskforce = get("taskforce")
    totals = get("budget_totals") or {}
    rows = [
        (
            "Gugus tugas",
            f"{taskforce.name} ({tf.get(get('taskforce_status'), get('taskforce_status') or '-')})"
            if taskforce
            else "Belum terbentuk / belum tercatat",
        ),
        ("Rencana aksi daerah (RAD)", rad.get(get("rad_status"), str(get("rad_status") or "–"))),
        (
            "Anggaran (pagu / realisasi)",
            f"{_rp(totals.get('allocated'))} / {_rp(totals.get('realised'))}"
            if get("budget_reported")
            else "Belum dilaporkan",
        ),
        ("Tempat tidur shelter/rumah aman", str(get("shelter_beds", 0))),
        ("Pelatihan", f"{get('training_count', 0)} pelatihan"),
        (
            "Kegiatan pencegahan",
            f"{get('prevention_count', 0)} kegiatan, menjangkau {get('prevention_reach_total', 0)} orang",
        ),
    ]
    return rows


def report_data(user, region, year: int) -> dict:
    from gugus.reference.models import Region

    records = case_facts(region.code, year)
    previous = len(case_facts(region.code, year - 1))
    by_month = Counter(r["month"] for r in records)
    kids = list(Region.objects.filter(parent_id=region.code).order_by("code").values_list("code", "name"))
    by_child = Counter(child_code(r["region"], region.code) for r in records)
    portrait = _portrait(user, region, year)
    children = []
    pfacts = {c["code"]: c for c in (portrait.children if portrait else [])}
    rad_labels, tf_labels = _status_labels()
    for code, name in kids:
        f = dict(pfacts.get(code, {}))
        f["rad"] = rad_labels.get(f.get("rad"), f.get("rad"))
        f["taskforce"] = tf_labels.get(f.get("taskforce"), f.get("taskforce"))
        f["prevention"] = _rp(f["prevention"]) if f.get("prevention") is not None else None
        children.append(
            {
                "code": code,
                "name": name,
                "victims": by_child.get(code, 0),
                "taskforce": f.get("taskforce"),
                "rad": f.get("rad"),
                "prevention": f.get("prevention"),
                "beds": f.get("beds"),
                "trained": f.get("trained"),
            }
        )
    # Provinces for the tile map: the year's victims by handling province (whole country).
    national = case_facts("ID", year) if region.code != "ID" else records
    by_prov = Counter((r["region"] or "").split(".")[0] for r in national)
    return {
        "region": region,
        "year": year,
        "generated": timezone.localtime(),
        "total": len(records),
        "previous": previous,
        "children_count": sum(1 for r in records if r["child"]),
        "by_month": [(MONTHS_SHORT[m - 1], by_month.get(m, 0)) for m in range(1, 13)],
        "by_sex": _count(records, "sex", SEX),
        "by_age": _count(records, "age", AGE),
        "by_exploitation": _count(records, "exploitation", EXPLOITATION),
        "by_citizenship": _count(records, "citizenship", CITIZENSHIP),
        "children": children,
        "portrait": portrait,
        "indicators": _indicators(region, year),
        "by_province": dict(by_prov),
    }


# --------------------------------------------------------------------------- SVG


def svg_bars(items: list[tuple[str, int]], *, width: int = 520, bar: int = 18, title: str = "") -> str:
    """A horizontal bar chart as inline SVG."""
    label_w, pad = 170, 6
    top = 22 if title else 4
    h = top + len(items) * (bar + pad) + 4
    vmax = max([v for _, v in items] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
        f'role="img" aria-label="{html.escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="11">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{html.escape(title)}</text>')
    for i, (label, v) in enumerate(items):
        y = top + i * (bar + pad)
        w = int((width - label_w - 50) * v / vmax)
        parts.append(f'<text x="0" y="{y + bar - 5}">{html.escape(str(label))[:32]}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar}" fill="#0b5cab"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + bar - 5}">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_columns(items: list[tuple[str, int]], *, width: int = 520, height: int = 170, title: str = "") -> str:
    top, bottom = 22, 20
    n = max(len(items), 1)
    slot = width / n
    vmax = max([v for _, v in items] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="10">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold" font-size="11">{html.escape(title)}</text>')
    for i, (label, v) in enumerate(items):
        bh = int((height - top - bottom - 12) * v / vmax)
        x = i * slot + slot * 0.15
        y = height - bottom - bh
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{slot * 0.7:.1f}" height="{max(bh, 1)}" fill="#0b5cab"/>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 2}" text-anchor="middle">{v}</text>')
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 6}" text-anchor="middle">{html.escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_tilemap(values: dict[str, int], *, highlight: str = "", tile: int = 34, title: str = "") -> str:
    """Provinces on their tile grid (reference.Region tile_col/tile_row), shaded by value."""
    from gugus.reference.models import Region

    provs = list(
        Region.objects.filter(level=1, tile_col__isnull=False).values_list(
            "code", "short_name", "name", "tile_col", "tile_row"
        )
    )
    if not provs:
        return ""
    cols = max(p[3] for p in provs) + 1
    rows = max(p[4] for p in provs) + 1
    top = 20 if title else 0
    vmax = max(list(values.values()) + [1])
    w, h = cols * tile + 2, rows * tile + top + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{html.escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="8">'
    ]
    if title:
        parts.append(f'<text x="0" y="13" font-size="11" font-weight="bold">{html.escape(title)}</text>')
    for code, short, name, c, r in provs:
        v = values.get(code, 0)
        shade = COLOURS[0] if v == 0 else COLOURS[min(len(COLOURS) - 1, 1 + int((len(COLOURS) - 2) * v / vmax))]
        x, y = c * tile + 1, r * tile + top + 1
        stroke = ' stroke="#b3261e" stroke-width="3"' if highlight and code == highlight else ' stroke="#fff"'
        fg = "#fff" if shade in COLOURS[4:] else "#1d2430"
        parts.append(
            f'<g><title>{html.escape(name)}: {v}</title><rect x="{x}" y="{y}" width="{tile - 2}" '
            f'height="{tile - 2}" fill="{shade}"{stroke}/>'
            f'<text x="{x + tile / 2 - 1:.0f}" y="{y + tile / 2 - 2:.0f}" text-anchor="middle" fill="{fg}">'
            f"{html.escape((short or name)[:6])}</text>"
            f'<text x="{x + tile / 2 - 1:.0f}" y="{y + tile / 2 + 8:.0f}" text-anchor="middle" fill="{fg}">{v}'
            f"</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- outputs


def no_network_fetcher(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher: nothing is fetched from outside (no network, no files)."""
    raise ValueError("Sumber eksternal tidak diizinkan dalam laporan.")


def report_html(data: dict) -> str:
    region = data["region"]
    highlight = region.code.split(".")[0] if region.code != "ID" else ""
    charts = {
        "month": svg_columns(data["by_month"], title="Korban teridentifikasi per bulan"),
        "sex": svg_bars(data["by_sex"], title="Menurut jenis kelamin"),
        "age": svg_bars(data["by_age"], title="Menurut kelompok umur"),
        "exploitation": svg_bars(data["by_exploitation"], title="Menurut bentuk eksploitasi"),
        "map": svg_tilemap(
            data["by_province"],
            highlight=highlight,
            title=f"Korban teridentifikasi per provinsi penanganan, {data['year']}",
        ),
    }
    return render_to_string("publish/report_pdf.html", {**data, "charts": charts})


def report_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=report_html(data), url_fetcher=no_network_fetcher, base_url=None).write_pdf()


def report_xlsx(data: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    region = data["region"]
    ws = wb.add_worksheet("Ringkasan")
    ws.set_column(0, 0, 42)
    ws.set_column(1, 3, 16)
    ws.write_string(0, 0, f"Laporan Tahunan Gugus Tugas PP-TPPO — {region.name} ({region.code}) — {data['year']}", bold)
    ws.write_string(
        1,
        0,
        f"Dibuat {data['generated']:%d-%m-%Y %H:%M}. Dokumen internal: angka kecil dapat "
        "mengidentifikasi korban, jangan dipublikasikan.",
    )
    rows = [
        ("Korban teridentifikasi", data["total"]),
        (f"Korban teridentifikasi {data['year'] - 1}", data["previous"]),
        ("Di antaranya anak", data["children_count"]),
    ]
    for i, (k, v) in enumerate(rows, start=3):
        ws.write_string(i, 0, k)
        ws.write_number(i, 1, v)
    r = len(rows) + 4

    def table(title, items, row):
        ws.write_string(row, 0, title, head)
        ws.write_string(row, 1, "Jumlah", head)
        for i, (label, v) in enumerate(items, start=row + 1):
            ws.write_string(i, 0, str(label))
            ws.write_number(i, 1, v)
        return row + len(items) + 2

    for title, key in (
        ("Bulan", "by_month"),
        ("Jenis kelamin", "by_sex"),
        ("Kelompok umur", "by_age"),
        ("Bentuk eksploitasi", "by_exploitation"),
        ("Kewarganegaraan", "by_citizenship"),
    ):
        r = table(title, data[key], r)
    ws2 = wb.add_worksheet("Wilayah di bawahnya")
    cols = [
        "Kode",
        "Wilayah",
        "Korban",
        "Gugus tugas",
        "RAD",
        "Anggaran pencegahan (Rp)",
        "Tempat tidur shelter",
        "Petugas terlatih",
    ]
    for c, h in enumerate(cols):
        ws2.write_string(0, c, h, head)
    ws2.set_column(0, 0, 10)
    ws2.set_column(1, 1, 32)
    ws2.set_column(2, 7, 16)
    for i, ch in enumerate(data["children"], start=1):
        ws2.write_string(i, 0, ch["code"])
        ws2.write_string(i, 1, ch["name"])
        ws2.write_number(i, 2, ch["victims"])
        ws2.write_string(i, 3, str(ch["taskforce"] or "-"))
        ws2.write_string(i, 4, str(ch["rad"] or "-"))
        if ch["prevention"] is not None:
            ws2.write_string(i, 5, str(ch["prevention"]))
        if ch["beds"] is not None:
            ws2.write_number(i, 6, ch["beds"])
        if ch["trained"] is not None:
            ws2.write_number(i, 7, ch["trained"])
    ws3 = wb.add_worksheet("Indikator")
    for c, h in enumerate(["Kode", "Indikator", "Nilai", "Target", "Satuan"]):
        ws3.write_string(0, c, h, head)
    ws3.set_column(1, 1, 60)
    for i, ind in enumerate(data["indicators"], start=1):
        ws3.write_string(i, 0, str(ind["code"]))
        ws3.write_string(i, 1, str(ind["name"]))
        for c, key in ((2, "value"), (3, "target")):
            if ind[key] is not None:
                try:
                    ws3.write_number(i, c, float(ind[key]))
                except (TypeError, ValueError):
                    ws3.write_string(i, c, str(ind[key]))
        ws3.write_string(i, 4, str(ind["unit"] or ""))
    if not data["indicators"]:
        ws3.write_string(1, 1, "Indikator belum tersedia untuk wilayah dan tahun ini.")
    ws5 = wb.add_worksheet("Profil wilayah")
    ws5.set_column(0, 1, 40)
    for i, (label, value) in enumerate(data.get("profile") or [("Profil", "Belum tersedia")]):
        ws5.write_string(i, 0, label)
        ws5.write_string(i, 1, value)
    ws4 = wb.add_worksheet("Provinsi")
    ws4.write_string(0, 0, "Kode provinsi", head)
    ws4.write_string(0, 1, "Korban teridentifikasi", head)
    for i, (code, v) in enumerate(sorted(data["by_province"].items()), start=1):
        ws4.write_string(i, 0, code)
        ws4.write_number(i, 1, v)
    wb.close()
    return buf.getvalue()


def default_year() -> int:
    return (timezone.localdate() - dt.timedelta(days=1)).year
