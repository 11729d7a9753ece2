# ruff: noqa: S608 - SQL is assembled from model table names and fixed fragments; every value is a bound parameter.
"""Data elements from gugus.cases: victims identified (distinct persons), cases, closures.

Counted cases: not drafts, not "not a victim", not closed as duplicate / not a victim.
A *person* is a victim record (a merge re-points the duplicate's cases to the surviving victim,
see cases.services.victim_merge). A person is counted once, in
the cell (handling kab/kota × month) of their first counted case: so sums over months and
regions never count a person twice, and a year's figure is the sum of its months.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from .. import sql
from . import Category, ElementSpec, Filter, SourceUnavailable, code_suffix, marginals

SOURCE = "cases"
# extract() yields one row per key, regions already analytics regions (SQL SUBSTR).
NORMALISED = True
# A case's own cell is enough for these kinds; everything else case-level refreshes the region.
CELL_KINDS = {"case"}
REGION_WIDE_KINDS = {"victim", "case_merge", "victim_merge", "transfer"}

EXCLUDED_CLOSURES = ("closure_reason.duplicate", "closure_reason.not_a_victim")

SEX = Category("sex", "Jenis kelamin", (("female", "Perempuan"), ("male", "Laki-laki"), ("unknown", "Tidak diketahui")))
AGE = Category("age", "Usia", (("child", "Anak (< 18)"), ("adult", "Dewasa")))
CITIZENSHIP = Category(
    "citizenship",
    "Kewarganegaraan",
    (("wni", "WNI"), ("wna", "WNA"), ("stateless", "Tanpa kewarganegaraan"), ("unknown", "Tidak diketahui")),
)
SCOPE = Category("scope", "Lingkup", (("domestic", "Dalam negeri"), ("transnational", "Lintas negara")))
STATUS = Category("status", "Status korban", (("possible", "Diduga korban"), ("actual", "Korban")))


def _exploitation_category() -> Category:
    from gugus.reference.models import Code

    opts = tuple(Code.objects.filter(code_list_id="exploitation").order_by("sort").values_list("code", "label_id"))
    return Category("exploitation", "Bentuk eksploitasi", opts, multi=True)


def specs() -> list[ElementSpec]:
    try:
        from gugus.cases.models import Case, Victim  # noqa: F401
    except ImportError as exc:  # pragma: no cover
        raise SourceUnavailable(str(exc))
    exploitation = _exploitation_category()
    handling = "kab/kota penanganan kasus (wilayah organisasi penanggung jawab)"
    return [
        ElementSpec(
            "victims_identified",
            "Korban teridentifikasi (orang)",
            "Victims identified (persons)",
            "Orang yang teridentifikasi sebagai korban (diduga atau terbukti), dihitung sekali pada bulan dan "
            "kab/kota kasus pertamanya yang terhitung. Tidak termasuk draf, 'bukan korban' dan duplikat.",
            SOURCE,
            region_basis=handling,
            categories=(SEX, AGE, CITIZENSHIP, SCOPE, STATUS, exploitation),
            distinct_persons=True,
            sort=10,
        ),
        ElementSpec(
            "victims_origin",
            "Korban menurut daerah asal (orang)",
            "Victims by region of origin (persons)",
            "Orang yang sama dengan 'korban teridentifikasi', ditempatkan pada kab/kota ASAL korban (kasus "
            "pertama). Asal tidak diketahui atau luar negeri dicatat pada tingkat nasional.",
            SOURCE,
            region_basis="kab/kota asal korban",
            categories=(SEX, AGE),
            distinct_persons=True,
            sort=11,
        ),
        ElementSpec(
            "cases_identified",
            "Kasus teridentifikasi",
            "Cases identified",
            "Kasus terhitung menurut tanggal identifikasi (satu kasus = satu korban dalam satu peristiwa). "
            "Penyebut cakupan SPM ('korban yang ditangani').",
            SOURCE,
            region_basis=handling,
            categories=(SEX, AGE),
            sort=12,
        ),
        ElementSpec(
            "cases_closed",
            "Kasus ditutup",
            "Cases closed",
            "Kasus terhitung yang ditutup, menurut tanggal penutupan.",
            SOURCE,
            region_basis=handling,
            sort=13,
        ),
    ]


def counted_sql(alias: str = "c") -> tuple[str, list]:
    return (
        f"{alias}.is_draft = %s AND {alias}.status <> %s AND {alias}.trafficking_status <> %s AND "
        f"({alias}.closure_reason_id IS NULL OR {alias}.closure_reason_id NOT IN (%s, %s))",
        [False, "draft", "not_a_victim", *EXCLUDED_CLOSURES],
    )


def _cell_conditions(flt: Filter, cols: list[str], date_col: str) -> tuple[str, list]:
    """SQL restricting to rows whose region (any of `cols`) is flt.region (and month)."""
    if flt.everything:
        return "", []
    parts, params = [], []
    for col in cols:
        s, p = sql.region_filter(col, flt.region)
        parts.append(s)
        params += p
    cond = "(" + " OR ".join(parts) + ")"
    if flt.month:
        from ..periods import Period

        per = Period.of_month_key(flt.month)
        cond += f" AND {date_col} >= %s AND {date_col} <= %s"
        params += [per.start, per.end]
    return cond, params


def _persons_in_cell(flt: Filter) -> tuple[str, list]:
    """SELECT of the victims having a counted case in the cell, by handling region or by origin:
    two index range scans (region/origin × identification date) joined by UNION, rather than one
    OR that the planner answers with a scan of the whole month."""
    from gugus.cases.models import Case

    c = sql.table(Case)
    parts, params = [], []
    for col in ("c2.region_id", "c2.origin_region_id"):
        counted2, p2 = counted_sql("c2")
        cond, cp = _cell_conditions(flt, [col], "c2.identification_date")
        parts.append(f"SELECT c2.victim_id FROM {c} c2 WHERE {counted2} AND {cond}")
        params += p2 + cp
    return " UNION ".join(parts), params


def _first_cases_cte(flt: Filter) -> tuple[str, list]:
    """CTE `pc`: counted cases with rn = 1 for each person's first. For a cell, only the persons
    having a case in the cell are ranked (cheap), ranked over all their counted cases."""
    from gugus.cases.models import Case, Victim

    c, v = sql.table(Case), sql.table(Victim)
    counted, params = counted_sql("c")
    person_filter = ""
    if not flt.everything:
        persons, pp = _persons_in_cell(flt)
        person_filter = f" AND c.victim_id IN ({persons})"
        params = params + pp
    cte = (
        f"WITH pc AS (SELECT c.id, c.region_id, c.origin_region_id, c.identification_date, c.closed_at, c.is_child, "
        f"c.scope, c.trafficking_status, v.sex_id, v.citizenship_status_id, "
        f"ROW_NUMBER() OVER (PARTITION BY c.victim_id "
        f"ORDER BY c.identification_date, c.case_number) AS rn "
        f"FROM {c} c JOIN {v} v ON v.id = c.victim_id WHERE {counted}{person_filter})"
    )
    return cte, params


def extract(flt: Filter):
    from gugus.cases.models import Case

    cte, params = _first_cases_cte(flt)
    acc: dict = {}
    # One ranking pass, materialised (a temporary table), then cheap GROUP BYs over it.
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS mon_pc", [])
        cur.execute(
            f"CREATE TEMP TABLE mon_pc AS {cte} SELECT id, {sql.region_of('region_id')} AS region, "
            f"COALESCE({sql.region_of('origin_region_id')}, 'ID') AS origin, "
            f"{sql.month_of('identification_date')} AS month, sex_id, is_child, citizenship_status_id, scope, "
            f"trafficking_status, rn FROM pc",
            params,
        )
    try:
        rows = sql.fetch(
            "SELECT region, month, sex_id, is_child, citizenship_status_id, scope, trafficking_status, "
            "CASE WHEN rn = 1 THEN 1 ELSE 0 END, COUNT(*) FROM mon_pc GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
            [],
        )
        for region, period, sex, child, cit, scope, status, first, n in rows:
            sex_o = code_suffix(sex)
            age_o = "child" if child else "adult"
            if not flt.persons_only:
                marginals((region, period), {"sex": sex_o, "age": age_o}, n, acc, "cases_identified")
            if first:
                marginals(
                    (region, period),
                    {"sex": sex_o, "age": age_o, "citizenship": code_suffix(cit), "scope": scope, "status": status},
                    n,
                    acc,
                    "victims_identified",
                )
        # Origin: the same first cases, by origin region (unknown/abroad → national).
        rows = sql.fetch(
            "SELECT origin, month, sex_id, is_child, COUNT(*) FROM mon_pc WHERE rn = 1 GROUP BY 1, 2, 3, 4", []
        )
        for region, period, sex, child, n in rows:
            dims = {"sex": code_suffix(sex), "age": "child" if child else "adult"}
            marginals((region, period), dims, n, acc, "victims_origin")
        # Exploitation forms of the first cases (a case may have several).
        tbl, src, dst = sql.m2m_table(Case, "exploitation_forms")
        rows = sql.fetch(
            f"SELECT pc.region, pc.month, ef.{dst}, COUNT(*) FROM {tbl} ef JOIN mon_pc pc ON pc.id = ef.{src} "
            f"WHERE pc.rn = 1 GROUP BY 1, 2, 3",
            [],
        )
        for region, period, code, n in rows:
            k = ("victims_identified", region, period, f"exploitation:{code_suffix(code)}")
            acc[k] = acc.get(k, 0.0) + n
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS mon_pc", [])
    if flt.persons_only:
        for (element, region, period, disagg), value in acc.items():
            yield element, region, int(period), disagg, value
        return
    # Closures, by closing date.
    c = sql.table(Case)
    counted, cparams = counted_sql("c")
    cond, p = _cell_conditions(flt, ["c.region_id"], "c.closed_at")
    rows = sql.fetch(
        f"SELECT {sql.region_of('c.region_id')}, {sql.month_of('c.closed_at')}, COUNT(*) FROM {c} c "
        f"WHERE {counted} AND c.closed_at IS NOT NULL {'AND ' + cond if cond else ''} GROUP BY 1, 2",
        cparams + p,
    )
    for region, period, n in rows:
        marginals((region, period), {}, n, acc, "cases_closed")
    for (element, region, period, disagg), value in acc.items():
        yield element, region, int(period), disagg, value


def related_cells(flt: Filter) -> set[tuple[str, int]]:
    """Cells (analytics region × month, by handling and by origin region) of every counted case of
    the persons who have a case in `flt`. A change in one cell can move a person's *first* case,
    and with it the person, to one of these cells, so a refresh must recompute them too."""
    from gugus.cases.models import Case

    if flt.everything:
        return set()
    c = sql.table(Case)
    counted, cp = counted_sql("c")
    persons, pp = _persons_in_cell(flt)
    rows = sql.fetch(
        f"SELECT DISTINCT {sql.region_of('c.region_id')}, COALESCE({sql.region_of('c.origin_region_id')}, 'ID'), "
        f"{sql.month_of('c.identification_date')} FROM {c} c WHERE {counted} AND c.victim_id IN ({persons})",
        cp + pp,
    )
    out = set()
    for region, origin, month in rows:
        out.add((region, int(month)))
        out.add((origin, int(month)))
    return out


# ---------------------------------------------------------------- drill-through


def counted_q(prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}is_draft": False})
        & ~Q(**{f"{prefix}status": "draft"})
        & ~Q(**{f"{prefix}trafficking_status": "not_a_victim"})
        & ~Q(**{f"{prefix}closure_reason_id__in": EXCLUDED_CLOSURES})
    )


def analytics_region_q(field: str, region_code: str) -> Q:
    """Records whose analytics region lies within `region_code` (a subtree for kab/kota and up)."""
    from gugus.reference.models import subtree_q

    return subtree_q(field, region_code)


def first_case_q() -> Q:
    """Q for counted cases that are their person's first counted case."""
    from gugus.cases.models import Case

    earlier = (
        Case.objects.filter(counted_q())
        .filter(victim_id=OuterRef("victim_id"))
        .filter(
            Q(identification_date__lt=OuterRef("identification_date"))
            | Q(identification_date=OuterRef("identification_date"), case_number__lt=OuterRef("case_number"))
        )
    )
    return ~Q(Exists(earlier))


def disagg_q(disagg: str) -> Q:
    if not disagg:
        return Q()
    cat, opt = disagg.split(":", 1)
    if cat == "sex":
        return Q(victim__sex_id=f"sex.{opt}")
    if cat == "age":
        return Q(is_child=(opt == "child"))
    if cat == "citizenship":
        return Q(victim__citizenship_status_id=f"citizenship_status.{opt}")
    if cat == "scope":
        return Q(scope=opt)
    if cat == "status":
        return Q(trafficking_status=opt)
    if cat == "exploitation":
        return Q(exploitation_forms=f"exploitation.{opt}")
    return Q(pk__in=[])


def records(spec, disagg, region_code, period):
    from gugus.cases.models import Case

    qs = Case.objects.filter(counted_q())
    if spec.code in ("victims_identified", "victims_origin"):
        field = "region_id" if spec.code == "victims_identified" else "origin_region_id"
        qs = qs.filter(first_case_q(), identification_date__range=(period.start, period.end))
        if field == "origin_region_id" and region_code == "ID":
            pass  # unknown or foreign origin is counted nationally
        else:
            qs = qs.filter(analytics_region_q(field, region_code))
    elif spec.code == "cases_identified":
        qs = qs.filter(
            analytics_region_q("region_id", region_code), identification_date__range=(period.start, period.end)
        )
    elif spec.code == "cases_closed":
        qs = qs.filter(analytics_region_q("region_id", region_code), closed_at__range=(period.start, period.end))
    else:
        return None
    qs = qs.filter(disagg_q(disagg))
    # Only the exploitation forms join a to-many table; DISTINCT over every column of a wide
    # table is costly (the drill-through counts these rows).
    return qs.distinct() if disagg.startswith("exploitation:") else qs
