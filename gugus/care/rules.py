"""The rules of the care app as data: which organisation types may give which service, limits,
deadlines and small parsers. No database access here (except through arguments)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings

from gugus.accounts.models import SHELTER_TYPES

# Money: Rupiah, two places; anything above ten billion for one record is a typing error.
MAX_AMOUNT = Decimal("10000000000")

UPTD = {"uptd_ppa_prov", "uptd_ppa_kabkota", "p2tp2a"}
HEALTH_FACILITIES = {"ppt_hospital", "ppt_police_hospital", "puskesmas", "dinkes"}
SOCIAL = {"dinsos_prov", "dinsos_kabkota", "kemensos_sentra", "rptc", "rpsa", "rpsw", "trauma_centre"}
MIGRANT = {"bp2mi", "bp2mi_upt"}
CASE_HANDLERS = UPTD | {"dinas_pppa", "dinsos_prov", "dinsos_kabkota", "ngo", "iom"}

# Service type → organisation types that may provide it (org_type codes). A service recorded
# for an organisation of another type is refused with a clear message.
SERVICE_PROVIDER_TYPES: dict[str, frozenset[str]] = {
    "complaint_intake": frozenset(
        CASE_HANDLERS
        | HEALTH_FACILITIES
        | MIGRANT
        | {"police_unit_ppa", "rptc", "kemensos_sentra", "mofa_mission", "lpsk", "gt_secretariat"}
    ),
    "outreach": frozenset(CASE_HANDLERS | MIGRANT | {"rptc", "kemensos_sentra", "police_unit_ppa", "mofa_mission"}),
    "identification_assessment": frozenset(
        CASE_HANDLERS | MIGRANT | SOCIAL | {"mofa_mission", "ppt_hospital", "ppt_police_hospital", "lpsk"}
    ),
    "case_management": frozenset(CASE_HANDLERS | SOCIAL | MIGRANT),
    "accompaniment": frozenset(CASE_HANDLERS | SOCIAL | MIGRANT | {"lpsk", "mofa_mission", "safe_house"}),
    "health_physical": frozenset(
        HEALTH_FACILITIES | UPTD | {"rptc", "kemensos_sentra", "trauma_centre", "ngo", "iom", "lpsk", "mofa_mission"}
    ),
    "health_psychological": frozenset(
        HEALTH_FACILITIES | UPTD | SOCIAL | {"dinas_pppa", "ngo", "iom", "lpsk", "mofa_mission", "safe_house"}
    ),
    "health_medicolegal": frozenset(HEALTH_FACILITIES),
    "urgent_first_aid": frozenset(
        HEALTH_FACILITIES
        | UPTD
        | {"rptc", "kemensos_sentra", "trauma_centre", "ngo", "iom", "mofa_mission", "police_unit_ppa"}
    ),
    "shelter": frozenset(SHELTER_TYPES),
    "social_rehabilitation": frozenset(SOCIAL | UPTD | {"safe_house", "dinas_pppa", "ngo", "iom", "lpsk"}),
    "spiritual_guidance": frozenset(SOCIAL | UPTD | {"safe_house", "dinas_pppa", "ngo", "other"}),
    "legal_aid": frozenset(UPTD | {"dinas_pppa", "ngo", "lpsk", "iom", "mofa_mission", "bp2mi", "bp2mi_upt"}),
    "repatriation": frozenset(
        UPTD
        | MIGRANT
        | {"dinsos_prov", "dinsos_kabkota", "kemensos_sentra", "rptc", "mofa_mission", "foreign_embassy", "iom", "ngo"}
    ),
    "social_reintegration": frozenset(UPTD | SOCIAL | MIGRANT | {"dinas_pppa", "ngo", "iom"}),
    "reintegration_followup": frozenset(UPTD | SOCIAL | MIGRANT | {"dinas_pppa", "ngo", "iom"}),
    "economic_empowerment": frozenset(UPTD | SOCIAL | MIGRANT | {"dinas_pppa", "disnaker", "ngo", "iom", "other"}),
    "education": frozenset(UPTD | SOCIAL | {"dinas_pppa", "ngo", "iom", "other"}),
    "mediation": frozenset(UPTD | {"dinas_pppa", "ngo"}),
}
ANY_ORG = None  # service type "other": any organisation type


def allowed_org_types(service_type: str) -> frozenset[str] | None:
    """The organisation types that may provide `service_type`; None = any."""
    return SERVICE_PROVIDER_TYPES.get(service_type, ANY_ORG)


HEALTH_TYPES = {"health_physical", "health_psychological", "health_medicolegal", "urgent_first_aid"}
FUNDING_BPJS = "bpjs_jkn"
FUNDING_NONE = "none"

# Repatriation legs that need a place abroad at one end.
LEG_FROM_ABROAD = {"abroad_to_debarkation"}
LEG_TO_ABROAD = {"foreign_return"}
# Disabilities that call for an escort on every leg (medical/psychological condition).
ESCORT_DISABILITIES = {"disability.mental", "disability.intellectual", "disability.multiple"}

FOLLOWUP_MONTHS = (1, 3, 6, 12)

# Rights with the 7-day clock of UU 21/2007 Ps 52(1) and 53 (and LPSK's 7 days).
RIGHTS_WITH_DEADLINE = {
    "health_rehabilitation",
    "social_rehabilitation",
    "repatriation",
    "social_reintegration",
    "urgent_first_aid",
    "lpsk_assistance",
    "protection_from_threats",
}
RESTITUTION_PAYMENT_DAYS = 30

# Criminal provisions of UU 21/2007 (Ps 2-17 and 19-24); Ps 18 exempts victims.
UU21_ARTICLES = set(range(2, 18)) | set(range(19, 25))
MAX_SENTENCE_MONTHS = 480


def region_q(fk_path: str, code: str):
    """Records whose region foreign key `fk_path` ("region", "case__region") lies in `code`'s
    subtree (`reference.subtree_q` on the key column, index-friendly on both databases)."""
    from gugus.reference.models import subtree_q

    return subtree_q(f"{fk_path}_id", code)


def add_months(d: dt.date, months: int) -> dt.date:
    """`d` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def add_weekdays(d: dt.date, n: int) -> dt.date:
    out = d
    while n > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            n -= 1
    return out


def rights_deadline(applied_on: dt.date, days: int | None = None) -> dt.date:
    """The date by which a right applied for on `applied_on` must be met (Ps 52(1): 7 days).

    Calendar days by default; working days (lokal-id's national holidays and cuti bersama)
    when settings.RIGHTS_DEADLINE_WORKING_DAYS. Years lokal-id has no holiday data for fall
    back to Monday-Friday."""
    n = settings.RIGHTS_DEADLINE_DAYS if days is None else days
    if not getattr(settings, "RIGHTS_DEADLINE_WORKING_DAYS", False):
        return applied_on + dt.timedelta(days=n)
    from lokal import add_working_days

    try:
        return add_working_days(applied_on, n)
    except ValueError:
        return add_weekdays(applied_on, n)


def parse_amount(value) -> Decimal | None:
    """A Rupiah amount from a number or text ("1.500.000", "Rp 1.500.000,50", "1500000.5").

    Raises ValueError with an Indonesian message for what cannot be an amount."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        text = str(value).strip().replace("Rp", "").replace("rp", "").replace(" ", "")
        if not text:
            return None
        neg = text.startswith("-")
        text = text.lstrip("-+")
        if not re.fullmatch(r"[0-9.,]+", text):
            raise ValueError("Jumlah uang harus berupa angka.")
        if "," in text:  # Indonesian: '.' thousands, ',' decimals
            whole, _, frac = text.rpartition(",")
            text = whole.replace(".", "") + "." + frac
        elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError("Jumlah uang harus berupa angka.")
        if neg:
            amount = -amount
    if not amount.is_finite():
        raise ValueError("Jumlah uang harus berupa angka.")
    return amount


def amount_error(amount: Decimal | None) -> str | None:
    """Why `amount` is not acceptable as a Rupiah amount, or None."""
    if amount is None:
        return None
    if amount < 0:
        return "Jumlah tidak boleh negatif."
    if amount > MAX_AMOUNT:
        return "Jumlah di atas Rp10 miliar tidak wajar; periksa kembali angkanya."
    if amount != amount.quantize(Decimal("0.01")):
        return "Jumlah paling banyak dua angka desimal."
    return None


_ARTICLE_RE = re.compile(r"(\d{1,3})\s*(?:ayat\s*\(?\s*(\d{1,2})\s*\)?|\(\s*(\d{1,2})\s*\))?", re.IGNORECASE)


def parse_articles(text: str) -> list[str]:
    """Articles of UU 21/2007 from free text ("Pasal 2 ayat (1), Ps 17" → ["2(1)", "17"]).

    Raises ValueError for anything that is not a criminal article of UU 21/2007."""
    if not text or not text.strip():
        return []
    cleaned = re.sub(r"\b(pasal|ps\.?|jo\.?|juncto|dan|uu\s*21\s*/\s*2007)\b", ",", text, flags=re.IGNORECASE)
    out: list[str] = []
    for part in re.split(r"[,;/]+", cleaned):
        part = part.strip().strip(".").strip()
        if not part:
            continue
        m = _ARTICLE_RE.fullmatch(part)
        if not m:
            raise ValueError(f"'{part[:20]}' bukan nomor pasal.")
        num = int(m.group(1))
        if num not in UU21_ARTICLES:
            raise ValueError(f"Pasal {num} bukan ketentuan pidana UU 21/2007 (Ps 2–17, 19–24).")
        para = m.group(2) or m.group(3)
        norm = f"{num}({int(para)})" if para else str(num)
        if norm not in out:
            out.append(norm)
    return out
