"""Standard exports for partners: the CTDC variable set and IOM HTCDS v2.0 fields, one row per
case (victim identification), with CTDC's k-anonymity rule applied by default.

k-anonymity (k = 11): the quasi-identifiers below are the columns an outsider could know about a
person (sex, age band, minority, citizenship, country of exploitation, year). Rows whose
combination of quasi-identifiers occurs fewer than k times get those cells blanked, one
quasi-identifier at a time in the order listed (least useful first), until every combination
that remains occurs at least k times; rows that are still alone once all are blank are dropped.
The mapping from Gugus codes to CTDC/HTCDS values is in REFERENCE.md §8 and §1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.conf import settings

from gugus.accounts.crypto import keyed_hash

K_DEFAULT = 11

AGE_BANDS = [
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
    (48, 200, "48+"),
]

IS_FLAGS = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
]
EXPLOIT_TO_CTDC = {
    "prostitution": {"isSexualExploit"},
    "sexual_exploitation": {"isSexualExploit"},
    "forced_labour_or_services": {"isForcedLabour"},
    "labour_or_ability_exploitation": {"isForcedLabour"},
    "online_scam": {"isForcedLabour"},
    "slavery_or_similar": {"isSlaveryAndPractices"},
    "oppression": {"isOtherExploit"},
    "extortion": {"isOtherExploit"},
    "physical_exploitation": {"isOtherExploit"},
    "reproductive_organ_exploitation": {"isOtherExploit"},
    "organ_tissue_removal": {"isOrganRemoval"},
    "forced_marriage": {"isForcedMarriage"},
    "other": {"isOtherExploit"},
}
LABOUR_TYPES = [
    "Agriculture",
    "Aquafarming",
    "Begging",
    "Construction",
    "DomesticWork",
    "Hospitality",
    "IllicitActivities",
    "Manufacturing",
    "MiningOrDrilling",
    "Peddling",
    "Transportation",
    "Other",
    "NotSpecified",
]
SECTOR_TO_LABOUR = {
    "agriculture": "Agriculture",
    "aquafarming": "Aquafarming",
    "begging": "Begging",
    "construction": "Construction",
    "domestic_work": "DomesticWork",
    "hospitality": "Hospitality",
    "illicit_activities": "IllicitActivities",
    "manufacturing": "Manufacturing",
    "mining": "MiningOrDrilling",
    "peddling": "Peddling",
    "transportation": "Transportation",
    "other": "Other",
    "unknown": "NotSpecified",
}
SEX_TYPES = ["Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"]
MEANS_TYPES = [
    "DebtBondage",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "Threats",
    "PsychologicalAbuse",
    "PhysicalAbuse",
    "SexualAbuse",
    "FalsePromises",
    "PsychoactiveSubstances",
    "RestrictsMovement",
    "RestrictsMedicalCare",
    "ExcessiveWorkingHours",
    "UsesChildren",
    "ThreatOfLawEnforcement",
    "WithholdsNecessities",
    "WithholdsDocuments",
    "Other",
    "NotSpecified",
]
MEANS_TO_CTDC = {
    "debt_bondage": "DebtBondage",
    "threat_of_violence": "Threats",
    "use_of_violence": "PhysicalAbuse",
    "confinement": "RestrictsMovement",
    "deception": "FalsePromises",
    "falsification": "FalsePromises",
    "abuse_of_power_or_vulnerability": "PsychologicalAbuse",
    "payment_or_benefit": "Other",
    "abduction": "Other",
    "other": "Other",
    "unknown": "NotSpecified",
}
RECRUITER_TYPES = ["IntimatePartner", "Friend", "Family", "Other", "Unknown"]
RECRUITER_TO_CTDC = {
    "intimate_partner": "IntimatePartner",
    "friend": "Friend",
    "family": "Family",
    "agency": "Other",
    "sponsor": "Other",
    "other": "Other",
    "unknown": "Unknown",
}

CTDC_COLUMNS = (
    [
        "yearOfRegistration",
        "Datasource",
        "gender",
        "ageBroad",
        "majorityStatus",
        "majorityStatusAtExploit",
        "majorityEntry",
        "citizenship",
        "CountryOfExploitation",
    ]
    + [f"meansOfControl{m}" for m in MEANS_TYPES]
    + IS_FLAGS
    + [f"typeOfLabour{t}" for t in LABOUR_TYPES]
    + [f"typeOfSex{t}" for t in SEX_TYPES]
    + ["isAbduction"]
    + [f"recruiterRelation{t}" for t in RECRUITER_TYPES]
)
CTDC_QUASI_IDENTIFIERS = [
    "citizenship",
    "CountryOfExploitation",
    "ageBroad",
    "majorityStatusAtExploit",
    "majorityEntry",
    "majorityStatus",
    "yearOfRegistration",
    "gender",
]

HTCDS_COLUMNS = [
    "cas_ID",
    "cas_Status",
    "cas_Year",
    "cas_RegionCode",
    "vic_Gender",
    "vic_AgeBroad",
    "vic_IsMinor",
    "vic_Nationality",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "vic_TypeOfLabourExploitation",
    "vic_TypeOfSexExploitation",
    "vic_RecruiterRelation",
    "hte_RecruitmentRegion",
    "hte_TransitCountries",
    "hte_ExploitationCountry",
    "org_Type",
]
HTCDS_QUASI_IDENTIFIERS = [
    "hte_RecruitmentRegion",
    "vic_Nationality",
    "hte_ExploitationCountry",
    "cas_RegionCode",
    "vic_AgeBroad",
    "vic_IsMinor",
    "cas_Year",
    "vic_Gender",
]
HTCDS_EXPLOITATION = {
    "prostitution": "SexualExploitation",
    "sexual_exploitation": "SexualExploitation",
    "forced_labour_or_services": "ForcedLabour",
    "labour_or_ability_exploitation": "ForcedLabour",
    "online_scam": "ForcedCriminality",
    "slavery_or_similar": "SlaveryOrPractices",
    "forced_marriage": "ForcedMarriage",
    "organ_tissue_removal": "OrganRemoval",
    "oppression": "Other",
    "extortion": "Other",
    "physical_exploitation": "Other",
    "reproductive_organ_exploitation": "Other",
    "other": "Other",
}
HTCDS_STATUS = {
    "draft": "Active",
    "registered": "Active",
    "assessed": "Active",
    "receiving_services": "Active",
    "reintegrated": "FollowUp",
    "closed": "Closed",
}
HTCDS_TRAFFICKING = {"possible": "Possible", "actual": "Actual", "not_a_victim": "NotAVictim"}
HTCDS_ORG_TYPE = {
    "ngo": "NGO",
    "iom": "NGO",
    "police_unit_ppa": "LawEnforcement",
    "police_bareskrim": "LawEnforcement",
    "prosecutor": "LawEnforcement",
    "court": "LegalService",
    "lpsk": "LegalService",
    "ppt_hospital": "HealthServiceOrganisation",
    "ppt_police_hospital": "HealthServiceOrganisation",
    "puskesmas": "HealthServiceOrganisation",
    "dinkes": "HealthServiceOrganisation",
    "immigration": "ImmigrationService",
    "bp2mi": "CentralGovernmentOrganisation",
    "mofa_mission": "CentralGovernmentOrganisation",
    "kemensos_sentra": "CentralGovernmentOrganisation",
    "rptc": "CentralGovernmentOrganisation",
}
SEX_TO_CTDC = {"female": "Female", "male": "Male"}


def age_broad(age: int | None) -> str:
    if age is None:
        return ""
    for lo, hi, label in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return ""


def _flag(on: bool, known: bool) -> str:
    return ("1" if on else "0") if known else ""


def _case_facts(user, *, chunk_size: int = 2000) -> Iterator[dict]:
    """Per case the facts the standards need (no identity), from the user's visible cases."""
    from gugus.cases.models import Case, RouteLeg
    from gugus.cases.selectors import cases_visible_to

    from .exports import _m2m

    qs = cases_visible_to(user, "victim.view").exclude(is_draft=True).order_by("identification_date", "case_number")
    values = [
        "pk",
        "identification_date",
        "identification_channel_id",
        "status",
        "trafficking_status",
        "region_id",
        "origin_region_id",
        "age_at_identification",
        "is_child",
        "exploitation_start",
        "victim__sex_id",
        "victim__citizenship_id",
        "victim__birth_year",
        "destination_country_id",
        "scope",
        "sector_id",
        "recruiter_relation_id",
        "owner_org__org_type_id",
    ]
    buf: list[dict] = []

    def emit(rows):
        ids = [r["pk"] for r in rows]
        forms = _m2m(Case.exploitation_forms.through, ids)
        means = _m2m(Case.means.through, ids)
        legs: dict = {}
        for case_id, stage, region_id, country_id in (
            RouteLeg.objects.filter(case_id__in=ids)
            .order_by("case_id", "seq")
            .values_list("case_id", "stage", "region_id", "country_id")
        ):
            legs.setdefault(case_id, []).append((stage, region_id, country_id))
        for r in rows:
            r["forms"] = [k.split(".", 1)[1] for k in forms.get(r["pk"], [])]
            r["means"] = [k.split(".", 1)[1] for k in means.get(r["pk"], [])]
            r["legs"] = legs.get(r["pk"], [])
            yield r

    for row in qs.values(*values).iterator(chunk_size=chunk_size):
        buf.append(row)
        if len(buf) >= chunk_size:
            yield from emit(buf)
            buf = []
    if buf:
        yield from emit(buf)


def _code(key: str | None) -> str:
    return key.split(".", 1)[1] if key else ""


def ctdc_record(r: dict) -> dict:
    age = r["age_at_identification"]
    out = dict.fromkeys(CTDC_COLUMNS, "")
    out["yearOfRegistration"] = str(r["identification_date"].year)
    out["Datasource"] = "Hotline" if _code(r["identification_channel_id"]) == "hotline" else "Case Management"
    out["gender"] = SEX_TO_CTDC.get(_code(r["victim__sex_id"]), "")
    out["ageBroad"] = age_broad(age)
    out["majorityStatus"] = "" if age is None else ("Minor" if age < 18 else "Adult")
    if age is not None and r["exploitation_start"]:
        at = age - max(0, r["identification_date"].year - r["exploitation_start"].year)
        out["majorityStatusAtExploit"] = "Minor" if at < 18 else "Adult"
    out["citizenship"] = r["victim__citizenship_id"] or ""
    dest = r["destination_country_id"] or ("ID" if r["scope"] == "domestic" else "")
    out["CountryOfExploitation"] = dest
    forms = [f for f in r["forms"] if f != "unknown"]
    known = bool(forms)
    flags = set().union(*(EXPLOIT_TO_CTDC.get(f, set()) for f in forms)) if forms else set()
    if "isSexualExploit" in flags and "isForcedLabour" in flags:
        flags.add("isSexAndLabour")
    for f in IS_FLAGS:
        out[f] = _flag(f in flags, known)
    labour = SECTOR_TO_LABOUR.get(_code(r["sector_id"])) if "isForcedLabour" in flags else None
    if "online_scam" in forms:
        labour = labour or "IllicitActivities"
    for t in LABOUR_TYPES:
        out[f"typeOfLabour{t}"] = _flag(t == labour, "isForcedLabour" in flags)
    for t in SEX_TYPES:
        out[f"typeOfSex{t}"] = _flag(t == "Prostitution" and "prostitution" in forms, "isSexualExploit" in flags)
    means = list(r["means"])
    mknown = bool(means)
    mset = {MEANS_TO_CTDC.get(m, "Other") for m in means}
    for m in MEANS_TYPES:
        out[f"meansOfControl{m}"] = _flag(m in mset, mknown)
    out["isAbduction"] = _flag("abduction" in means, mknown)
    rel = RECRUITER_TO_CTDC.get(_code(r["recruiter_relation_id"]))
    for t in RECRUITER_TYPES:
        out[f"recruiterRelation{t}"] = _flag(t == rel, rel is not None)
    return out


def htcds_record(r: dict) -> dict:
    age = r["age_at_identification"]
    forms = [f for f in r["forms"] if f != "unknown"]
    flags = set().union(*(EXPLOIT_TO_CTDC.get(f, set()) for f in forms)) if forms else set()
    labour = SECTOR_TO_LABOUR.get(_code(r["sector_id"]), "") if "isForcedLabour" in flags else ""
    recruitment = next((reg or "" for st, reg, _c in r["legs"] if st == "recruitment" and reg), "")
    origin = r["origin_region_id"] or recruitment
    transit = sorted({c for st, _reg, c in r["legs"] if st == "transit" and c and c != "ID"})
    exploitation = next((c for st, _reg, c in r["legs"] if st == "exploitation" and c), None)
    return {
        "cas_ID": keyed_hash(str(r["pk"]), "htcds_export")[:16],
        "cas_Status": HTCDS_STATUS.get(r["status"], "Active"),
        "cas_Year": str(r["identification_date"].year),
        "cas_RegionCode": (r["region_id"] or "").split(".")[0],
        "vic_Gender": {"female": "Female", "male": "Male"}.get(_code(r["victim__sex_id"]), "Unknown"),
        "vic_AgeBroad": age_broad(age),
        "vic_IsMinor": "" if age is None else ("1" if age < 18 else "0"),
        "vic_Nationality": r["victim__citizenship_id"] or "",
        "vic_TraffickingStatus": HTCDS_TRAFFICKING.get(r["trafficking_status"], "Possible"),
        "vic_TypeOfExploitation": ";".join(sorted({HTCDS_EXPLOITATION.get(f, "Other") for f in forms})),
        "vic_MethodsOfControl": ";".join(sorted({MEANS_TO_CTDC.get(m, "Other") for m in r["means"]})),
        "vic_TypeOfLabourExploitation": labour,
        "vic_TypeOfSexExploitation": "Prostitution" if "prostitution" in forms else "",
        "vic_RecruiterRelation": RECRUITER_TO_CTDC.get(_code(r["recruiter_relation_id"]), ""),
        "hte_RecruitmentRegion": (origin or "").split(".")[0],
        "hte_TransitCountries": ";".join(transit),
        "hte_ExploitationCountry": exploitation
        or r["destination_country_id"]
        or ("ID" if r["scope"] == "domestic" else ""),
        "org_Type": HTCDS_ORG_TYPE.get(_code(r["owner_org__org_type_id"]), "LocalGovernmentOrganisation"),
    }


def k_anonymise(records: list[dict], quasi_identifiers: list[str], k: int = K_DEFAULT) -> tuple[list[dict], dict]:
    """Blank quasi-identifier cells of rows in small groups, one QI at a time, until every
    combination occurs at least k times; drop rows still alone. Returns (rows, report)."""
    rows = [dict(r) for r in records]
    blanked: Counter = Counter()

    def key(r):
        return tuple(r.get(q, "") for q in quasi_identifiers)

    for qi in quasi_identifiers:
        counts = Counter(key(r) for r in rows)
        small = [r for r in rows if counts[key(r)] < k]
        if not small:
            break
        for r in small:
            if r.get(qi, "") != "":
                r[qi] = ""
                blanked[qi] += 1
    counts = Counter(key(r) for r in rows)
    kept = [r for r in rows if counts[key(r)] >= k]
    report = {
        "k": k,
        "quasi_identifiers": quasi_identifiers,
        "blanked_cells": dict(blanked),
        "rows_in": len(records),
        "rows_out": len(kept),
        "rows_dropped": len(records) - len(kept),
    }
    return kept, report


def is_k_anonymous(rows: list[dict], quasi_identifiers: list[str], k: int) -> bool:
    counts = Counter(tuple(r.get(q, "") for q in quasi_identifiers) for r in rows)
    return all(c >= k for c in counts.values())


def standard_rows(user, standard: str, *, k: int | None = K_DEFAULT) -> tuple[list[str], list[dict], dict]:
    """(columns, rows, report) of a standard export over the user's visible cases. With k set,
    k-anonymity is applied (records are held in memory for that: one small dict per case)."""
    if standard == "ctdc":
        columns, qis, make = CTDC_COLUMNS, CTDC_QUASI_IDENTIFIERS, ctdc_record
    elif standard == "htcds":
        columns, qis, make = HTCDS_COLUMNS, HTCDS_QUASI_IDENTIFIERS, htcds_record
    else:
        raise ValueError(standard)
    records = [make(r) for r in _case_facts(user)]
    report = {"k": None, "rows_in": len(records), "rows_out": len(records)}
    if k:
        records, report = k_anonymise(records, qis, k)
    return columns, records, report


def min_k() -> int:
    return int(getattr(settings, "OPEN_DATA_MIN_CELL", K_DEFAULT))
