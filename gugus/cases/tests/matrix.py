"""Permission matrix for cases: list, detail, create, update, identity — API and pages — for every
persona, in and out of scope (see gugus/core/tests/matrix.py)."""

from __future__ import annotations

import datetime as dt

from gugus.core.tests.matrix import MatrixCase, World

PERSONAS = [
    "cw_a",
    "cw_b",
    "sv_a",
    "provider",
    "police",
    "gt_kab",
    "province",
    "steward",
    "national",
    "executive",
    "admin",
    "anonymous",
]
CREATORS = {"cw_a", "cw_b", "sv_a"}

# Who sees each case (victim.view), who may edit it, who may see its identity.
VISIBLE = {
    "case_a": {"cw_a", "sv_a", "gt_kab", "province", "steward", "national"},
    "case_b": {"cw_b", "province", "steward", "national"},
    "case_batam": {"provider", "police", "national"},
}
EDITORS = {"case_a": {"cw_a", "sv_a"}, "case_b": {"cw_b"}, "case_batam": set()}
IDENTITY = {"case_a": {"cw_a", "sv_a"}, "case_b": {"cw_b"}, "case_batam": {"provider"}}


def build(world: World) -> None:
    from gugus.cases.models import CaseAccess
    from gugus.cases.services import RouteLegData, VictimData, victim_register

    p = world.personas

    def reg(user, name, region, **kw):
        data = VictimData(
            sex="female",
            identification_date=dt.date(2026, 2, 1),
            identification_channel="hotline",
            full_name=name,
            birth_date=dt.date(2001, 1, 1),
            domicile_region=region,
            origin_region=region,
            exploitation_forms=["forced_labour_or_services"],
            destination_country="MY",
            scope="transnational",
            route=[
                RouteLegData(stage="recruitment", region_code=region),
                RouteLegData(stage="exploitation", country_code="MY"),
            ],
            **kw,
        )
        return victim_register(actor=user, data=data)

    world.objects["cases.case_a"] = reg(p.cw_a, "Matriks Satu", "32.12")
    world.objects["cases.case_b"] = reg(p.cw_b, "Matriks Dua", "32.01")
    batam = reg(p.cw_batam, "Matriks Tiga", "52.03")
    CaseAccess.objects.create(
        case=batam, organisation=p.orgs["rs-2171"], level="service", source_type="referral", source_id=batam.pk
    )
    world.objects["cases.case_batam"] = batam


def _anon(is_api: bool) -> int:
    return 401 if is_api else 302


def _edit_form(case) -> dict:
    from gugus.cases.forms import VictimForm, field_digests, sign_digests
    from gugus.cases.services import victim_data_for_case

    data = victim_data_for_case(case)
    form = {k: v for k, v in VictimForm.initial_from(data, identity=True).items() if v not in (None, "")}
    for k, v in list(form.items()):
        if isinstance(v, dt.date):
            form[k] = v.isoformat()
    form.update(
        {
            "version": case.version,
            "orig": sign_digests(field_digests(case.pk, data, identity=True)),
            "recruiting_agency": "PT Matriks",
            "action": "save",
        }
    )
    return form


def matrix_cases(world: World) -> list[MatrixCase]:
    from gugus.cases.models import Case

    cases: list[MatrixCase] = []
    new_victim = {
        "full_name": "Matriks Baru",
        "sex": "male",
        "birth_date": "1999-09-09",
        "identification_date": "2026-03-01",
        "identification_channel": "self_report",
        "domicile_region": "32.12",
        "ignore_duplicates": True,
    }
    new_victim_form = {
        **{k: v for k, v in new_victim.items() if k != "ignore_duplicates"},
        "citizenship_status": "wni",
        "action": "register",
        "dup_ack": "on",
    }
    for who in PERSONAS:
        anon = who == "anonymous"
        creator = who in CREATORS
        # Lists: everyone signed in gets 200 (empty when nothing is in scope).
        cases.append(MatrixCase("GET", "/api/v1/victims/", None, who, 401 if anon else 200, "list"))
        cases.append(MatrixCase("GET", "/kasus/", None, who, 302 if anon else 200, "list page"))
        # Create.
        cases.append(
            MatrixCase("POST", "/api/v1/victims/", new_victim, who, 401 if anon else 201 if creator else 403, "create")
        )
        cases.append(
            MatrixCase(
                "POST",
                "/api/v1/victims/check-duplicates",
                {"full_name": "Matriks Satu"},
                who,
                401 if anon else 200 if creator else 403,
                "duplicates",
            )
        )
        cases.append(
            MatrixCase("GET", "/kasus/daftar/", None, who, 302 if anon else 200 if creator else 403, "register page")
        )
        cases.append(
            MatrixCase("POST", "/kasus/daftar/", new_victim_form, who, 302 if anon or creator else 403, "register post")
        )
        for key in ("case_a", "case_b", "case_batam"):
            case = Case.objects.get(pk=world.objects[f"cases.{key}"].pk)
            visible = who in VISIBLE[key]
            editor = who in EDITORS[key]
            ident = who in IDENTITY[key]
            api = f"/api/v1/victims/{case.pk}"
            page = f"/kasus/{case.pk}/"
            view_api = 401 if anon else 200 if visible else 404
            view_page = 302 if anon else 200 if visible else 404
            write_api = 401 if anon else (200 if editor else 403) if visible else 404
            write_page = 302 if anon else (302 if editor else 403) if visible else 404
            edit_page = 302 if anon else (200 if editor else 403) if visible else 404
            id_api = 401 if anon else (200 if ident else 403) if visible else 404
            id_page = 302 if anon else (200 if ident else 403) if visible else 404
            cases += [
                MatrixCase("GET", api, None, who, view_api, f"detail {key}"),
                MatrixCase("GET", page, None, who, view_page, f"detail page {key}"),
                MatrixCase(
                    "PATCH",
                    api,
                    {"version": case.version, "recruiting_agency": "PT Matriks"},
                    who,
                    write_api,
                    f"update {key}",
                ),
                MatrixCase(
                    "POST",
                    f"{api}/status",
                    {"version": case.version, "to_status": "assessed"},
                    who,
                    write_api,
                    f"status {key}",
                ),
                MatrixCase("GET", f"{page}ubah/", None, who, edit_page, f"edit page {key}"),
                MatrixCase("POST", f"{page}ubah/", _edit_form(case), who, write_page, f"edit post {key}"),
                MatrixCase("GET", f"{api}/identity", None, who, id_api, f"identity {key}"),
                MatrixCase("GET", f"{page}identitas/", None, who, id_page, f"identity page {key}"),
                MatrixCase("GET", f"{api}/timeline", None, who, view_api, f"timeline {key}"),
            ]
    return cases
