# ruff: noqa: S608 - SQL is assembled from model table names and fixed fragments; every value is a bound parameter.
"""Portable SQL pieces (SQLite and PostgreSQL) for the set-based extractions and bulk writes."""

from __future__ import annotations

import io
import re

from django.db import connection

KABKOTA_LEN = 5  # "32.12"


def vendor() -> str:
    return connection.vendor


def month_of(col: str) -> str:
    """yyyymm of a DATE column, as an integer."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {col}) AS INTEGER) * 100 + CAST(EXTRACT(MONTH FROM {col}) AS INTEGER))"
    # Dates are stored as 'YYYY-MM-DD' text: slicing is much cheaper than strftime's parsing.
    return f"CAST(SUBSTR({col}, 1, 4) || SUBSTR({col}, 6, 2) AS INTEGER)"


def year_of(col: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {col}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {col}) AS INTEGER)"


def region_of(col: str) -> str:
    """The analytics region of a region code: kab/kota for anything below it, else itself."""
    return f"SUBSTR({col}, 1, {KABKOTA_LEN})"


_REGION_CODE = re.compile(r"^(ID|[0-9]{2}(\.[0-9]{2})?)$")


def region_or_constant(col: str, region: str | None) -> str:
    """The analytics region of `col`; when every row is known to belong to one analytics region
    (a refresh filtered on it), that code as a constant: no per-row SUBSTR, and the planner is not
    tempted to walk an index on the region expression to avoid a GROUP BY sort."""
    if region is None:
        return region_of(col)
    if not _REGION_CODE.match(region):
        raise ValueError("bukan kode wilayah analitik")
    return f"'{region}'"


def region_filter(col: str, region: str) -> tuple[str, list]:
    """Records whose analytics region is exactly `region` (index-friendly)."""
    if region.count(".") == 1:
        # One range instead of LIKE 'R.%' (or an OR) so both SQLite and PostgreSQL seek the index:
        # the codes from 'R' up to 'R/' are 'R' itself and 'R.…' ('/' follows '.', digits follow '/').
        return f"({col} >= %s AND {col} < %s)", [region, region + "/"]
    if region == "ID":  # national-level records, and an unknown (NULL) region such as an unknown origin
        return f"({col} = %s OR {col} IS NULL)", [region]
    return f"{col} = %s", [region]


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def m2m_table(model, field: str) -> tuple[str, str, str]:
    """(table, source column, target column) of a ManyToMany field."""
    f = model._meta.get_field(field)
    through = f.remote_field.through
    src = f.m2m_column_name()
    dst = f.m2m_reverse_name()
    return connection.ops.quote_name(through._meta.db_table), src, dst


def fetch(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def bulk_insert_values(model, rows: list[tuple], batch: int = 50000) -> int:
    """Insert (element, region, province, period, disagg, value) rows into a slot table fast:
    COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return 0
    tbl = model._meta.db_table
    cols = ["element", "region", "province", "period", "disagg", "value"]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = getattr(cur, "cursor", cur)
            raw = getattr(raw, "cursor", raw)
            if hasattr(raw, "copy"):
                with raw.copy(f"COPY {tbl} ({', '.join(cols)}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
                return len(rows)
            buf = io.StringIO()  # pragma: no cover - psycopg2 fallback
            for r in rows:
                buf.write("\t".join(str(x) for x in r) + "\n")
            buf.seek(0)
            raw.copy_from(buf, tbl, columns=cols)
            return len(rows)
        sql = f"INSERT INTO {tbl} ({', '.join(cols)}) VALUES (%s, %s, %s, %s, %s, %s)"
        for i in range(0, len(rows), batch):
            cur.executemany(sql, rows[i : i + batch])
    return len(rows)


def days_between(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (DATE columns)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def month_of_ts(col: str) -> str:
    """yyyymm of a TIMESTAMP column in local time (settings.TIME_ZONE)."""
    from django.conf import settings

    if connection.vendor == "postgresql":
        local = f"({col} AT TIME ZONE '{settings.TIME_ZONE}')"
        return month_of(local)
    import datetime as dt
    from zoneinfo import ZoneInfo

    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(dt.datetime(2026, 1, 1)) or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return f"CAST(strftime('%%Y%%m', {col}, '{minutes:+d} minutes') AS INTEGER)"


def in_list(values) -> tuple[str, list]:
    values = list(values)
    return "(" + ", ".join(["%s"] * len(values)) + ")", values
