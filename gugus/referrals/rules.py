"""Which organisation types may receive which hand-over. Data, not code paths: change here.

`SERVICE_ORG_TYPES` maps a `service_type` code (gugus/reference/data/codelists.toml) to the
`org_type` codes able to give that service (REFERENCE.md §3–4, PP 9/2008, Permen PPPA 8/2021).
`TRANSFER_ORG_TYPES` are the types that can take over case management (responsibility).
"""

from __future__ import annotations

UPTD = {"uptd_ppa_prov", "uptd_ppa_kabkota", "p2tp2a"}
DINSOS = {"dinsos_prov", "dinsos_kabkota"}
HEALTH = {"ppt_hospital", "ppt_police_hospital", "puskesmas"}
SHELTERS = {"safe_house", "rptc", "rpsa", "rpsw", "trauma_centre", "kemensos_sentra"}
MIGRANT = {"bp2mi", "bp2mi_upt"}

SERVICE_ORG_TYPES: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "complaint_intake": UPTD | {"ngo", "police_unit_ppa", "mofa_mission"} | MIGRANT,
        "outreach": UPTD | DINSOS | {"ngo"} | MIGRANT,
        "identification_assessment": UPTD
        | DINSOS
        | {"ngo", "rptc", "kemensos_sentra", "mofa_mission", "iom", "immigration", "foreign_embassy"}
        | MIGRANT,
        "case_management": UPTD | DINSOS | {"ngo", "rptc", "kemensos_sentra", "mofa_mission"},
        "accompaniment": UPTD | DINSOS | {"ngo", "rptc", "lpsk", "iom", "mofa_mission", "foreign_embassy"},
        "health_physical": HEALTH | {"dinkes"},
        "health_psychological": HEALTH | UPTD | {"rptc", "trauma_centre", "kemensos_sentra", "lpsk", "iom"},
        "health_medicolegal": {"ppt_hospital", "ppt_police_hospital"},
        "urgent_first_aid": HEALTH,
        "shelter": SHELTERS | UPTD | {"ngo", "mofa_mission"},
        "social_rehabilitation": SHELTERS - {"safe_house"} | UPTD | DINSOS | {"ngo"},
        "spiritual_guidance": SHELTERS | UPTD | {"ngo"},
        "legal_aid": UPTD | {"ngo", "lpsk", "mofa_mission"} | MIGRANT,
        "repatriation": {"mofa_mission", "foreign_embassy", "iom", "immigration", "kemensos_sentra"}
        | DINSOS
        | UPTD
        | MIGRANT,
        "social_reintegration": UPTD | DINSOS | {"ngo", "iom", "kemensos_sentra", "rptc"},
        "reintegration_followup": UPTD | DINSOS | {"ngo", "iom"},
        "economic_empowerment": DINSOS | {"ngo", "iom", "disnaker", "kemensos_sentra", "dinas_pppa"} | MIGRANT,
        "education": DINSOS | UPTD | {"ngo", "rpsa", "kemensos_sentra"},
        "mediation": UPTD,
        "other": UPTD
        | DINSOS
        | HEALTH
        | SHELTERS
        | MIGRANT
        | {
            "ngo",
            "iom",
            "lpsk",
            "mofa_mission",
            "foreign_embassy",
            "immigration",
            "disnaker",
            "dinkes",
            "dinas_pppa",
            "police_unit_ppa",
            "police_bareskrim",
            "prosecutor",
            "court",
        },
    }.items()
}

# Who may take over responsibility for a case (a transfer).
TRANSFER_ORG_TYPES = frozenset(UPTD | DINSOS | {"kemensos_sentra", "rptc", "mofa_mission"} | MIGRANT)

# A foreign victim's repatriation goes to their country's embassy, IOM or immigration.
FOREIGN_REPATRIATION_TYPES = frozenset({"foreign_embassy", "iom", "immigration"})


def org_types_for_service(service_code: str) -> frozenset[str]:
    return SERVICE_ORG_TYPES.get(service_code, frozenset())


def can_give_service(org_type: str, service_code: str) -> bool:
    return org_type in org_types_for_service(service_code)
