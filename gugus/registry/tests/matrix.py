"""Permission matrix of the registry: every list/detail/write endpoint (API and pages) × personas ×
in/out of the write scope. Framework: gugus/core/tests/matrix.py.

Reads: the registry is institutional data; every persona with `registry.view` (all but anonymous)
reads every region, including records of regions far from its own (Batam's budget below).
Writes on Kab. Indramayu (32.12) records: its secretariat `gt_kab` and the Jawa Barat data steward
`steward` (registry.correct); the province secretariat `province` writes Jawa Barat (32) itself
only; `national` only the national level. Others: 404 for an existing record, 422 (errors.region)
for a new one in a region not theirs; anonymous 401 (API) or a login redirect (pages). Each
permitted persona writes its own record or distinct values, so the shared world stays predictable;
a second permitted editor of the same record may meet a 409 (stale version), which is accepted.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gugus.core.tests.matrix import MatrixCase

ALL = (
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
)
KAB_EDITORS = ("gt_kab", "steward")
# Heavy pages (whole portraits, exports) are read the same way by every authenticated persona;
# they are checked with one persona of each kind of reach: org, referred, region editor, aggregate
# only, admin, anonymous.
SAMPLE = ("cw_a", "provider", "gt_kab", "executive", "admin", "anonymous")
API = "/api/v1/registry"


def build(world) -> None:
    from gugus.registry import services as svc
    from gugus.registry.models import BudgetLine

    p = world.personas
    o = world.objects
    today = timezone.localdate()
    kab = p.gt_kab
    o["registry.tf"] = svc.taskforce_create(
        actor=kab,
        region_code="32.12",
        decree_number="M/1/2019",
        decree_date=dt.date(2019, 1, 2),
        signed_by="Bupati Indramayu",
        chair="Wakil Bupati",
    )
    o["registry.decree"] = o["registry.tf"].current_decree
    for key, org in (("member_page", "puskesmas-3212"), ("member_api", "polres-3212")):
        o[f"registry.{key}"] = svc.decree_member_add(
            actor=kab, decree=o["registry.decree"], organisation_id=str(p.orgs[org].pk), sub_gt="other"
        )
    for key in ("gt_kab", "steward", "other", "delete"):
        o[f"registry.budget_{key}"] = svc.budget_create(
            actor=kab,
            region_code="32.12",
            year=2021,
            source="apbd",
            programme="prevention",
            allocated="1000",
            agency_id=str(
                p.orgs[
                    {"gt_kab": "uptd-3212", "steward": "rptc-3212", "other": "puskesmas-3212", "delete": "polres-3212"}[
                        key
                    ]
                ].pk
            ),
        )
    # a record far from every persona's write scope (Kota Batam)
    o["registry.budget_batam"] = BudgetLine.objects.create(
        region_id="21.71",
        year=2021,
        source_id="budget_source.apbd",
        programme_id="budget_programme.prevention",
        allocated=5000,
    )
    o["registry.plan"] = svc.plan_create(
        actor=kab, region_code="32.12", title="RAD", period_start=2025, period_end=2029, status="drafting"
    )
    o["registry.activity"] = svc.activity_add(actor=kab, plan=o["registry.plan"], name="Sosialisasi")
    o["registry.unit"] = p.orgs["uptd-3212"]
    o["registry.training"] = svc.training_create(
        actor=kab,
        region_code="32.12",
        title="Pelatihan",
        topic="case_management",
        start_date=today - dt.timedelta(days=9),
        organiser_name="DP3A",
    )
    o["registry.regulation"] = svc.regulation_create(
        actor=kab, region_code="32.12", reg_type="perbup", number="M1", year=2020, title="Gugus tugas"
    )
    o["registry.prevention"] = svc.prevention_create(
        actor=kab, region_code="32.12", date=today, kind="kie", title="KIE", audience="students", organiser_name="DP3A"
    )
    o["registry.practice"] = svc.practice_create(
        actor=kab, region_code="32.12", title="Forum anak", what="x", who="forum", evidence="y"
    )


def _reads(url: str, personas=ALL) -> list[MatrixCase]:
    api = url.startswith("/api/")
    return [MatrixCase("GET", url, None, who, (401 if api else 302) if who == "anonymous" else 200) for who in personas]


def _writes(method: str, url: str, body_for, allowed: dict[str, int | tuple], denied: int) -> list[MatrixCase]:
    """`allowed`: persona -> expected; everyone else gets `denied` (anonymous: 401 / login redirect)."""
    api = url.startswith("/api/")
    out = []
    for who in ALL:
        if who == "anonymous":
            expected = 401 if api else 302
        else:
            expected = allowed.get(who, denied)
        out.append(MatrixCase(method, url, body_for(who), who, expected))
    return out


def _denied(method: str, url: str, body, expected: int = 404, *, exclude=KAB_EDITORS) -> list[MatrixCase]:
    """Everyone but the editors (who would succeed) is refused."""
    api = url.startswith("/api/")
    return [
        MatrixCase(method, url, body, who, (401 if api else 302) if who == "anonymous" else expected)
        for who in ALL
        if who not in exclude
    ]


def matrix_cases(world) -> list[MatrixCase]:
    o = world.objects
    p = world.personas
    today = timezone.localdate()
    tf, decree, plan, act = o["registry.tf"], o["registry.decree"], o["registry.plan"], o["registry.activity"]
    unit, training, reg = o["registry.unit"], o["registry.training"], o["registry.regulation"]
    prev, bp = o["registry.prevention"], o["registry.practice"]
    b_kab, b_stew, b_other = o["registry.budget_gt_kab"], o["registry.budget_steward"], o["registry.budget_other"]
    b_del, b_batam = o["registry.budget_delete"], o["registry.budget_batam"]
    idx = {who: i for i, who in enumerate(ALL)}
    ok_both = {"gt_kab": 200, "steward": (200, 409)}
    cases: list[MatrixCase] = []

    # --- API reads -------------------------------------------------------------------------------
    for url in (
        f"{API}/budgets",
        f"{API}/budgets/{b_kab.pk}",
        f"{API}/budgets/{b_batam.pk}",
        f"{API}/taskforces",
        f"{API}/taskforces/{tf.pk}",
        f"{API}/plans",
        f"{API}/plans/{plan.pk}",
        f"{API}/units?region=32.12",
        f"{API}/units/{unit.pk}",
        f"{API}/trainings",
        f"{API}/trainings/{training.pk}",
        f"{API}/regulations",
        f"{API}/regulations/{reg.pk}",
        f"{API}/prevention",
        f"{API}/prevention/{prev.pk}",
        f"{API}/practices",
        f"{API}/practices/{bp.pk}",
        f"{API}/regions?q=indramayu",
        f"{API}/budgets/zero?year={today.year}",
    ):
        cases += _reads(url)
    for url in (f"{API}/regions/32.12/portrait", f"{API}/regions/32/children"):
        cases += _reads(url, SAMPLE)

    # --- API writes: budgets -----------------------------------------------------------------------
    def budget(region, who):
        return {
            "region_code": region,
            "year": 2000 + idx[who],
            "source": "apbd",
            "programme": "data",
            "allocated": "1000",
        }

    cases += _writes("POST", f"{API}/budgets", lambda w: budget("32.12", w), {"gt_kab": 201, "steward": 201}, 422)
    cases += _writes("POST", f"{API}/budgets", lambda w: budget("32", w), {"province": 201, "steward": 201}, 422)
    cases += _writes("POST", f"{API}/budgets", lambda w: budget("ID", w), {"national": 201}, 422)
    cases += _denied("PATCH", f"{API}/budgets/{b_other.pk}", {"version": 1, "note": "x"})
    cases += _writes("PATCH", f"{API}/budgets/{b_batam.pk}", lambda w: {"version": 1, "note": "x"}, {}, 404)
    cases.append(MatrixCase("PATCH", f"{API}/budgets/{b_kab.pk}", {"version": 1, "note": "k"}, "gt_kab", 200))
    cases.append(MatrixCase("PATCH", f"{API}/budgets/{b_stew.pk}", {"version": 1, "note": "s"}, "steward", 200))
    cases += _denied("DELETE", f"{API}/budgets/{b_other.pk}?version=1", None)
    cases.append(MatrixCase("DELETE", f"{API}/budgets/{b_del.pk}?version=1", None, "gt_kab", 204))

    # --- API writes: task force ---------------------------------------------------------------------
    def new_tf(region):
        return lambda w: {
            "region_code": region,
            "decree_number": f"N/{idx[w]}",
            "decree_date": "2020-01-01",
            "signed_by": "Bupati",
            "chair": "Wakil",
        }

    cases += _writes("POST", f"{API}/taskforces", new_tf("32.01"), {"steward": 201}, 422)
    cases += _writes(
        "PATCH",
        f"{API}/taskforces/{tf.pk}",
        lambda w: {"version": 1, "note": w},
        {"gt_kab": 200, "steward": (200, 409)},
        404,
    )
    cases += _writes(
        "POST",
        f"{API}/taskforces/{tf.pk}/decrees",
        lambda w: {
            "number": f"R/{idx[w]}",
            "date": {"gt_kab": "2023-02-01"}.get(w, "2024-02-01"),
            "signed_by": "Bupati",
            "chair": "Wakil",
        },
        {"gt_kab": 201, "steward": 201},
        404,
    )
    cases += _writes(
        "POST",
        f"{API}/taskforces/{tf.pk}/status",
        lambda w: {"version": 99, "status": "inactive", "date": today.isoformat()},
        {"gt_kab": 409, "steward": 409},
        404,
    )
    cases += _writes("PATCH", f"{API}/decrees/{decree.pk}", lambda w: {"version": 1, "title": w}, ok_both, 404)
    cases += _writes(
        "POST",
        f"{API}/decrees/{decree.pk}/members",
        lambda w: {
            "organisation_id": str(p.orgs["uptd-3212" if w == "gt_kab" else "rptc-3212"].pk),
            "sub_gt": "law_enforcement",
        },
        {"gt_kab": 201, "steward": 201},
        404,
    )

    member_api = o["registry.member_api"]
    cases += _denied("DELETE", f"{API}/decree-members/{member_api.pk}", None)
    cases.append(MatrixCase("DELETE", f"{API}/decree-members/{member_api.pk}", None, "gt_kab", 204))

    # --- API writes: RAD --------------------------------------------------------------------------------
    cases += _writes(
        "POST",
        f"{API}/plans",
        lambda w: {
            "region_code": "32.12",
            "title": "RAD",
            "period_start": 2030 + 5 * (w == "steward"),
            "period_end": 2034 + 5 * (w == "steward"),
        },
        {"gt_kab": 201, "steward": 201},
        422,
    )
    cases += _writes("PATCH", f"{API}/plans/{plan.pk}", lambda w: {"version": 1, "note": w}, ok_both, 404)
    cases += _writes(
        "POST",
        f"{API}/plans/{plan.pk}/activities",
        lambda w: {"name": f"Kegiatan {w}"},
        {"gt_kab": 201, "steward": 201},
        404,
    )
    cases += _writes("PATCH", f"{API}/activities/{act.pk}", lambda w: {"version": 1, "unit": "desa"}, ok_both, 404)
    cases.append(MatrixCase("PUT", f"{API}/activities/{act.pk}/years/2025", {"target": "4"}, "gt_kab", 200))
    cases.append(MatrixCase("PUT", f"{API}/activities/{act.pk}/years/2026", {"target": "5"}, "steward", 200))
    cases += _writes(
        "PUT",
        f"{API}/activities/{act.pk}/years/2027",
        lambda w: {"target": "5"},
        {"gt_kab": 200, "steward": (200, 409)},
        404,
    )

    # --- API writes: units and staff ------------------------------------------------------------------
    cases += _writes(
        "PUT", f"{API}/units/{unit.pk}/profile", lambda w: {"beds": 10}, {"gt_kab": 200, "steward": (200, 409)}, 404
    )
    cases += _writes("PUT", f"{API}/units/{p.orgs['rumah-aman-2171'].pk}/profile", lambda w: {"beds": 1}, {}, 404)
    cases += _writes(
        "PUT",
        f"{API}/units/{unit.pk}/staff",
        lambda w: {
            "year": today.year,
            "function": "case_manager" if w == "gt_kab" else "psychologist",
            "total": 3,
            "trained": 1,
        },
        {"gt_kab": 200, "steward": 200},
        404,
    )

    # --- API writes: trainings, regulations, prevention, practices ----------------------------------
    start = (today - dt.timedelta(days=2)).isoformat()
    cases += _writes(
        "POST",
        f"{API}/trainings",
        lambda w: {
            "region_code": "32.12",
            "title": "T",
            "topic": "restitution",
            "start_date": start,
            "organiser_name": "IOM",
        },
        {"gt_kab": 201, "steward": 201},
        422,
    )
    cases += _writes("PATCH", f"{API}/trainings/{training.pk}", lambda w: {"version": 1, "note": w}, ok_both, 404)
    cases += _writes(
        "POST",
        f"{API}/regulations",
        lambda w: {"region_code": "32.12", "reg_type": "perbup", "number": f"R{idx[w]}", "year": 2022, "title": "x"},
        {"gt_kab": 201, "steward": 201},
        422,
    )
    cases += _writes("PATCH", f"{API}/regulations/{reg.pk}", lambda w: {"version": 1, "note": w}, ok_both, 404)
    cases += _writes(
        "POST",
        f"{API}/prevention",
        lambda w: {
            "region_code": "32.12",
            "date": start,
            "kind": "kie",
            "title": "KIE",
            "audience": "parents",
            "organiser_name": "DP3A",
        },
        {"gt_kab": 201, "steward": 201},
        422,
    )
    cases += _writes("PATCH", f"{API}/prevention/{prev.pk}", lambda w: {"version": 1, "note": w}, ok_both, 404)
    cases += _writes(
        "POST",
        f"{API}/practices",
        lambda w: {"region_code": "32.12", "title": "P", "what": "x", "who": "y", "evidence": "z"},
        {"gt_kab": 201, "steward": 201},
        422,
    )
    cases += _writes("PATCH", f"{API}/practices/{bp.pk}", lambda w: {"version": 1, "who": w}, ok_both, 404)
    replica_region = {"gt_kab": "53.71", "steward": "32.01", "province": "32", "national": "ID"}
    cases += _writes(
        "POST",
        f"{API}/practices/{bp.pk}/replications",
        lambda w: {"region_code": replica_region.get(w, "21.71"), "year": today.year},
        {"gt_kab": 201, "steward": 201, "province": 201, "national": 201},
        422,
    )

    # --- pages: reads ---------------------------------------------------------------------------------
    for url in (
        "/wilayah/",
        "/wilayah/?q=bogor",
        "/wilayah/ID/",
        "/wilayah/32/",
        "/wilayah/32.12/",
        "/wilayah/21.71/",
        "/wilayah/32.12/ekspor.xlsx",
        "/wilayah/32.12/ekspor.csv",
    ):
        cases += _reads(url, SAMPLE)
    for url in (
        "/wilayah/anggaran-nol/",
        "/wilayah/praktik-baik/",
        "/wilayah/32.12/anggaran/",
        f"/wilayah/gugus-tugas/{tf.pk}/",
        f"/wilayah/rad/{plan.pk}/",
        f"/wilayah/unit/{unit.pk}/",
        f"/wilayah/pelatihan/{training.pk}/",
        f"/wilayah/praktik-baik/{bp.pk}/",
    ):
        cases += _reads(url)
    # not a portrait level (a kecamatan) or not a region: 404 for everyone (the URL itself does not exist)
    cases += [MatrixCase("GET", "/wilayah/32.12.01/", None, who, 404) for who in ALL]
    cases += [MatrixCase("GET", "/wilayah/99/", None, who, 302 if who == "anonymous" else 404) for who in ALL]

    # --- pages: entry forms -------------------------------------------------------------------------
    editors = {"gt_kab": 200, "steward": 200}
    for kind in ("anggaran", "regulasi", "pencegahan", "pelatihan", "rad", "praktik-baik", "gugus-tugas"):
        cases += _writes("GET", f"/wilayah/32.12/{kind}/baru/", lambda w: None, editors, 404)
    cases += _writes("GET", "/wilayah/32/anggaran/baru/", lambda w: None, {"province": 200, "steward": 200}, 404)
    for kind, obj in (
        ("anggaran", b_kab),
        ("regulasi", reg),
        ("pencegahan", prev),
        ("pelatihan", training),
        ("rad", plan),
        ("praktik-baik", bp),
    ):
        cases += _writes("GET", f"/wilayah/{kind}/{obj.pk}/ubah/", lambda w: None, editors, 404)
    cases += _writes("GET", f"/wilayah/anggaran/{b_batam.pk}/ubah/", lambda w: None, {}, 404)
    cases += _writes("GET", f"/wilayah/sk/{decree.pk}/ubah/", lambda w: None, editors, 404)
    cases += _writes("GET", f"/wilayah/gugus-tugas/{tf.pk}/ubah/", lambda w: None, editors, 404)
    cases += _writes(
        "POST",
        f"/wilayah/gugus-tugas/{tf.pk}/ubah/",
        lambda w: {"name": "GT", "version": 99},
        {"gt_kab": 409, "steward": 409},
        404,
    )
    cases += _writes("GET", f"/wilayah/kegiatan/{act.pk}/ubah/", lambda w: None, editors, 404)
    cases += _writes("GET", f"/wilayah/kegiatan/{act.pk}/tahun/", lambda w: None, editors, 404)
    cases += _writes(
        "POST",
        "/wilayah/32.12/anggaran/baru/",
        lambda w: {"year": 2000 + idx[w], "source": "dak", "programme": "data", "allocated": "1.000"},
        {"gt_kab": 302, "steward": 302},
        404,
    )
    cases += _writes(
        "POST",
        f"/wilayah/gugus-tugas/{tf.pk}/status/",
        lambda w: {"status": "inactive", "date": today.isoformat(), "version": 99},
        {"gt_kab": 409, "steward": 409},
        404,
    )
    cases += _writes(
        "POST",
        f"/wilayah/sk/{decree.pk}/anggota/",
        lambda w: {"organisation": p.orgs["puskesmas-3212"].pk, "sub_gt": f"sub_gt_bad_{w}"},
        {"gt_kab": 422, "steward": 422},
        404,
    )
    cases += _writes(
        "POST",
        f"/wilayah/gugus-tugas/{tf.pk}/sk-baru/",
        lambda w: {
            "number": f"H/{idx[w]}",
            "date": {"gt_kab": "2025-03-01"}.get(w, "2025-06-01"),
            "signed_by": "Bupati",
            "chair": "Wakil",
            "copy_members": "on",
        },
        {"gt_kab": 302, "steward": 302},
        404,
    )
    member_page = o["registry.member_page"]
    cases += _denied("POST", f"/wilayah/anggota/{member_page.pk}/hapus/", {})
    cases.append(MatrixCase("POST", f"/wilayah/anggota/{member_page.pk}/hapus/", {}, "gt_kab", 302))
    cases += _writes(
        "POST",
        f"/wilayah/rad/{plan.pk}/kegiatan/",
        lambda w: {"name": f"Kegiatan halaman {w}"},
        {"gt_kab": 302, "steward": 302},
        404,
    )
    cases += _writes(
        "POST",
        f"/wilayah/unit/{unit.pk}/staf/",
        lambda w: {"year": today.year, "function": "legal_aid" if w == "gt_kab" else "admin", "total": 2, "trained": 1},
        {"gt_kab": 302, "steward": 302},
        404,
    )
    cases += _writes(
        "POST",
        f"/wilayah/unit/{unit.pk}/profil/",
        lambda w: {"beds": 3, "as_of": today.isoformat(), "version": 999},
        {"gt_kab": 409, "steward": 409},
        404,
    )
    cases += _denied("POST", f"/wilayah/anggaran/{b_other.pk}/hapus/", {"version": 1})
    cases += _writes(
        "POST",
        f"/wilayah/praktik-baik/{bp.pk}/replikasi/",
        lambda w: {"region": "Kabupaten Kupang", "year": today.year},
        {"gt_kab": 302, "steward": (302, 422)},
        422,
    )
    return cases
