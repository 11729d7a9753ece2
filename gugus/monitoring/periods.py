"""Periods: month ("2026-10"), quarter ("2026Q3") and year ("2026"), DHIS2-style.

The analytics store keys every value by an integer period: `yyyymm` for a month, `yyyy00` for
values that exist only per year (budgets), and 0 for values that hold at all times (population,
current capacity). A period covers a set of those keys; see `Period.keys`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
QUARTER_ROMAN = ["I", "II", "III", "IV"]

KINDS = ("month", "quarter", "year")
KIND_LABELS = {"month": "Bulanan", "quarter": "Triwulanan", "year": "Tahunan"}
MIN_YEAR, MAX_YEAR = 2000, 2100

_MONTH_RE = re.compile(r"^(\d{4})-?(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    pass


def month_key(d: dt.date) -> int:
    return d.year * 100 + d.month


def key_to_date(key: int) -> dt.date:
    return dt.date(key // 100, key % 100, 1)


def add_months(key: int, n: int) -> int:
    y, m = divmod((key // 100) * 12 + (key % 100 - 1) + n, 12)
    return y * 100 + m + 1


def month_range(first: int, last: int) -> list[int]:
    out, k = [], first
    while k <= last:
        out.append(k)
        k = add_months(k, 1)
    return out


def month_label(key: int, short: bool = False) -> str:
    names = MONTHS_SHORT if short else MONTHS_ID
    return f"{names[key % 100 - 1]} {key // 100}"


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    index: int = 0  # month 1-12, quarter 1-4, 0 for a year
    span: int = 1  # years (kind "year" only): 3 = the three years ending with `year`

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls("month", year, month)

    @classmethod
    def of_month_key(cls, key: int) -> Period:
        return cls("month", key // 100, key % 100)

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        return cls("quarter", year, q)

    @classmethod
    def whole_year(cls, year: int, span: int = 1) -> Period:
        return cls("year", year, 0, max(1, span))

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}Q{self.index}"
        if self.span > 1:
            return f"{self.year - self.span + 1:04d}..{self.year:04d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTHS_ID[self.index - 1]} {self.year}"
        if self.kind == "quarter":
            return f"Triwulan {QUARTER_ROMAN[self.index - 1]} {self.year}"
        if self.span > 1:
            return f"Tahun {self.year - self.span + 1}–{self.year}"
        return f"Tahun {self.year}"

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return f"{MONTHS_SHORT[self.index - 1]} {str(self.year)[2:]}"
        if self.kind == "quarter":
            return f"T{self.index} {self.year}"
        return str(self.year)

    @property
    def first_month(self) -> int:
        if self.kind == "month":
            return self.year * 100 + self.index
        if self.kind == "quarter":
            return self.year * 100 + (self.index - 1) * 3 + 1
        return (self.year - self.span + 1) * 100 + 1

    @property
    def last_month(self) -> int:
        if self.kind == "month":
            return self.first_month
        if self.kind == "quarter":
            return self.first_month + 2
        return self.year * 100 + 12

    @property
    def months(self) -> list[int]:
        return month_range(self.first_month, self.last_month)

    @property
    def start(self) -> dt.date:
        return key_to_date(self.first_month)

    @property
    def end(self) -> dt.date:
        nxt = key_to_date(add_months(self.last_month, 1))
        return nxt - dt.timedelta(days=1)

    def covers_year_key(self, key: int) -> bool:
        """Whether a per-year value (key yyyy00) belongs to this period."""
        return self.kind == "year" and key % 100 == 0 and self.first_month // 100 <= key // 100 <= self.year

    def contains_month(self, key: int) -> bool:
        return self.first_month <= key <= self.last_month

    def shift(self, n: int) -> Period:
        if self.kind == "month":
            return Period.of_month_key(add_months(self.first_month, n))
        if self.kind == "quarter":
            q = self.year * 4 + (self.index - 1) + n
            return Period.quarter(q // 4, q % 4 + 1)
        return Period.whole_year(self.year + n * self.span, self.span)

    def previous(self, count: int) -> list[Period]:
        """`count` periods ending with this one, oldest first."""
        return [self.shift(-i) for i in range(count - 1, -1, -1)]

    def is_finer_or_equal(self, kind: str) -> bool:
        return KINDS.index(self.kind) <= KINDS.index(kind)


def parse_period(text: str | None) -> Period:
    raw = (text or "").strip()
    if m := _MONTH_RE.match(raw):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise PeriodError(f"Bulan '{raw}' tidak sah (contoh: 2026-10).")
        period = Period.month(y, mo)
    elif m := _QUARTER_RE.match(raw):
        period = Period.quarter(int(m.group(1)), int(m.group(2)))
    elif m := _YEAR_RE.match(raw):
        period = Period.whole_year(int(m.group(1)))
    else:
        raise PeriodError(
            f"Periode '{raw[:20]}' tidak dikenal. Gunakan 2026 (tahun), 2026Q3 (triwulan) atau 2026-10 (bulan)."
        )
    if not MIN_YEAR <= period.year <= MAX_YEAR:
        raise PeriodError(f"Tahun periode harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    return period


def period_of_kind(kind: str, d: dt.date) -> Period:
    if kind == "month":
        return Period.month(d.year, d.month)
    if kind == "quarter":
        return Period.quarter(d.year, (d.month - 1) // 3 + 1)
    return Period.whole_year(d.year)
