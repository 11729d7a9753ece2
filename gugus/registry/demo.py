"""Demo registry data (SYNTHETIC): task forces for most provinces and part of the kab/kota, with
realistic gaps — no task force in the Papua provinces (91–96) and in roughly half of the
kab/kota, RADs only in some regions, zero prevention or repatriation budgets in many — plus
budgets 2024–2026, units' beds and staff, trainings, regulations, prevention activities and best
practices replicated elsewhere. Deterministic for a seed; written in bulk (fast)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gugus.accounts.models import Organisation
from gugus.reference.models import Region

from .models import (
    FACILITY_FIELDS,
    REACH_FIELDS,
    ActionPlan,
    Audience,
    BestPractice,
    BudgetLine,
    Decree,
    DecreeMember,
    PreventionActivity,
    RadActivity,
    RadActivityYear,
    RadStatus,
    Regulation,
    RegulationStatus,
    Replication,
    StaffCount,
    TaskForce,
    TaskForceStatus,
    TaskForceStatusChange,
    Training,
    TrainingParticipants,
    UnitProfile,
)
from .services import decree_number_key

NO_TASKFORCE_PROVINCES = {"91", "92", "93", "94", "95", "96"}
# Persona regions whose state the demo fixes (so the walkthrough is predictable).
KABKOTA_WITH_TF = {"32.12", "21.71", "53.71", "65.03", "52.03", "52.02", "35.08", "12.07", "53.03", "61.03", "61.71"}
KABKOTA_WITHOUT_TF = {"32.01"}
PROGRAMMES = [
    "prevention",
    "handling_health",
    "handling_rehabilitation",
    "handling_repatriation",
    "handling_reintegration",
    "law_enforcement",
    "coordination",
    "data",
]
SUB_GT = [
    "prevention_child_participation",
    "health_rehabilitation",
    "social_rehab_repatriation_reintegration",
    "law_enforcement",
    "coordination_cooperation",
]
YEARS = (2024, 2025, 2026)


def _money(rng, low_juta: int, high_juta: int) -> Decimal:
    """A round amount in Rupiah between low and high million (to the nearest Rp1.000)."""
    return Decimal(rng.randint(low_juta * 1000, high_juta * 1000)) * 1000


def _date(rng, year: int, *, before: dt.date | None = None) -> dt.date:
    start = dt.date(year, 1, 2)
    end = dt.date(year, 12, 28)
    if before is not None and end > before:
        end = before
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _chair(kind: str) -> tuple[str, str]:
    if kind == "provinsi":
        return "Wakil Gubernur", "Gubernur"
    if kind == "kota":
        return "Wakil Wali Kota", "Wali Kota"
    return "Wakil Bupati", "Bupati"


def _short_name(name: str) -> str:
    return name.replace("Kabupaten ", "Kab. ").replace("Provinsi ", "")


def populate(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    regions = list(
        Region.objects.filter(level__in=(1, 2)).order_by("code").values_list("code", "name", "kind", "parent_id")
    )
    provinces = [r for r in regions if r[2] == "provinsi"]
    kabkota = [r for r in regions if r[2] in ("kabupaten", "kota")]
    names = {r[0]: r[1] for r in regions}
    kinds = {r[0]: r[2] for r in regions}

    # --- which regions have a task force -------------------------------------------------------
    tf_regions = ["ID"] + [p[0] for p in provinces if p[0] not in NO_TASKFORCE_PROVINCES]
    for code, _name, _kind, parent in kabkota:
        if parent in NO_TASKFORCE_PROVINCES or code in KABKOTA_WITHOUT_TF:
            continue
        if code in KABKOTA_WITH_TF or rng.random() < 0.45:
            tf_regions.append(code)

    # --- demo organisations the registry needs (agencies, units) ------------------------------
    new_orgs = []

    def org(name, otype, region, capacity=None):
        o = Organisation(
            name=name,
            org_type_id=f"org_type.{otype}",
            region_id=region,
            capacity=capacity,
            is_demo=True,
            listed_publicly=False,
        )
        new_orgs.append(o)
        return o

    agencies: dict[str, dict[str, Organisation]] = {}
    for code in tf_regions:
        if code == "ID":
            continue
        label = _short_name(names[code])
        if kinds[code] == "provinsi":
            agencies[code] = {
                "pppa": org(f"Dinas PPPA Provinsi {label} (DEMO)", "dinas_pppa", code),
                "dinsos": org(f"Dinas Sosial Provinsi {label} (DEMO)", "dinsos_prov", code),
                "polda": org(f"Subdit Renakta Polda {label} (DEMO)", "police_unit_ppa", code),
            }
            if rng.random() < 0.6:
                agencies[code]["uptd"] = org(
                    f"UPTD PPA Provinsi {label} (DEMO)", "uptd_ppa_prov", code, rng.randint(6, 30)
                )
        else:
            agencies[code] = {"pppa": org(f"Dinas PPPA {label} (DEMO)", "dinas_pppa", code)}
            if rng.random() < 0.35 and code not in {o.region_id for o in ctx.orgs.values()}:
                agencies[code]["uptd"] = org(f"UPTD PPA {label} (DEMO)", "uptd_ppa_kabkota", code, rng.randint(4, 16))
    Organisation.objects.bulk_create(new_orgs)
    # the accounts demo's organisations join the task forces of their regions
    for o in ctx.orgs.values():
        if o.region_id in agencies:
            agencies[o.region_id].setdefault(o.type_code, o)
    secretariat_of = {o.region_id: o for o in ctx.orgs.values() if o.type_code == "gt_secretariat"}

    # --- task forces, decrees (with renewals), members, status history -------------------------
    tfs, decrees, members, changes = [], [], [], []
    for code in tf_regions:
        kind = kinds.get(code, "negara")
        if code == "ID":
            chain = [
                ("Perpres 69 Tahun 2008", dt.date(2008, 11, 18), "Presiden RI", "Menko Kesra"),
                ("Perpres 22 Tahun 2021", dt.date(2021, 3, 17), "Presiden RI", "Menko PMK"),
                ("Perpres 49 Tahun 2023", dt.date(2023, 8, 10), "Presiden RI", "Menko Polhukam"),
            ]
            name = "Gugus Tugas PP-TPPO Nasional"
            level = "national"
        else:
            chair, signer = _chair(kind)
            signer = f"{signer} {_short_name(names[code]).replace('Kab. ', '').replace('Kota ', '')}"
            first_year = rng.randint(2009, 2018) if kind == "provinsi" else rng.randint(2012, 2023)
            num = lambda y, c=code: f"{rng.randint(100, 999)}/Kep.{rng.randint(10, 999)}-{c.replace('.', '')}/{y}"  # noqa: E731
            chain = [(num(first_year), _date(rng, first_year), signer, chair)]
            if first_year < 2022 and rng.random() < 0.6:
                y2 = rng.randint(max(first_year + 2, 2019), 2025)
                chain.append((num(y2), _date(rng, y2), signer, chair))
            name = f"Gugus Tugas PP-TPPO {names[code]}"
            level = "province" if kind == "provinsi" else "kabkota"
        first_date = chain[0][1]
        status, since = TaskForceStatus.ACTIVE, first_date
        tf = TaskForce(
            region_id=code, level_id=f"gt_level.{level}", name=name, status=status, status_since=since, is_demo=True
        )
        changes.append(
            TaskForceStatusChange(task_force=tf, status=TaskForceStatus.ACTIVE, date=first_date, note="dibentuk")
        )
        if code != "ID" and code not in KABKOTA_WITH_TF and code not in {"32", "53", "21"} and rng.random() < 0.08:
            when = _date(rng, rng.choice([2024, 2025]))
            if when > chain[-1][1]:
                tf.status, tf.status_since = TaskForceStatus.INACTIVE, when
                changes.append(
                    TaskForceStatusChange(
                        task_force=tf,
                        status=TaskForceStatus.INACTIVE,
                        date=when,
                        note="tidak ada rapat koordinasi sejak SK terakhir",
                    )
                )
        tfs.append(tf)
        prev = None
        ag = agencies.get(code, {})
        secretariat = secretariat_of.get(code) or ag.get("pppa")
        if code == "ID":
            secretariat = secretariat_of.get("ID")
        for number, date, signer, chair in chain:
            d = Decree(
                task_force=tf,
                number=number,
                number_key=decree_number_key(number),
                date=date,
                signed_by=signer,
                chair=chair,
                secretariat=secretariat,
                supersedes=prev,
                is_demo=True,
                title=f"Pembentukan Gugus Tugas Pencegahan dan Penanganan TPPO {names.get(code, 'Nasional')}",
            )
            decrees.append(d)
            roster = [
                (ag.get("pppa"), "prevention_child_participation", True),
                (ag.get("dinsos"), "social_rehab_repatriation_reintegration", True),
                (ag.get("uptd") or ag.get("uptd_ppa_kabkota"), "social_rehab_repatriation_reintegration", False),
                (ag.get("polda") or ag.get("police_unit_ppa"), "law_enforcement", True),
                (ag.get("ppt_hospital") or ag.get("puskesmas"), "health_rehabilitation", True),
                (ag.get("bp2mi_upt") or ag.get("immigration"), "coordination_cooperation", False),
                (ag.get("ngo"), "prevention_child_participation", False),
            ]
            for o, sub, lead in roster:
                if o is not None:
                    members.append(DecreeMember(decree=d, organisation=o, sub_gt_id=f"sub_gt.{sub}", is_lead=lead))
            prev = d
    TaskForce.objects.bulk_create(tfs)
    TaskForceStatusChange.objects.bulk_create(changes)
    # Decrees refer to their predecessors: insert in chain order.
    for d in decrees:
        d.task_force_id = d.task_force.pk
        d.supersedes_id = d.supersedes.pk if d.supersedes else None
    Decree.objects.bulk_create([d for d in decrees if d.supersedes is None])
    Decree.objects.bulk_create([d for d in decrees if d.supersedes is not None and d.supersedes.supersedes is None])
    Decree.objects.bulk_create([d for d in decrees if d.supersedes is not None and d.supersedes.supersedes is not None])
    for m in members:
        m.decree_id = m.decree.pk
    DecreeMember.objects.bulk_create(members)

    # --- RADs: some enacted, some drafting, many none -----------------------------------------
    plans, acts, years, agencies_m2m = [], [], [], []
    rad_regions = []
    for code in tf_regions:
        p_rad = 0.65 if kinds.get(code) == "provinsi" else (1.0 if code == "ID" else 0.18)
        if code in {"32", "53", "21", "52", "32.12", "52.03", "53.71"}:
            p_rad = 1.0
        if rng.random() < p_rad:
            rad_regions.append(code)
    for code in rad_regions:
        label = names.get(code, "Nasional")
        rad = "RAN" if code == "ID" else "RAD"
        basis_kind = (
            "Perpres"
            if code == "ID"
            else ("Pergub" if kinds[code] == "provinsi" else "Perwali" if kinds[code] == "kota" else "Perbup")
        )
        if rng.random() < 0.6 or code in {"32", "53", "ID"}:
            plans.append(
                ActionPlan(
                    region_id=code,
                    title=f"{rad} PP-TPPO {label} 2020–2024",
                    period_start=2020,
                    period_end=2024,
                    status=RadStatus.EXPIRED,
                    legal_basis=f"{basis_kind} No. {rng.randint(5, 80)} Tahun 2020",
                    enacted_on=_date(rng, 2020),
                    in_rpjmd=rng.random() < 0.5,
                    in_renstra_skpd=rng.random() < 0.4,
                    is_demo=True,
                )
            )
        roll = rng.random()
        if code in {"32", "53", "32.12", "ID"} or roll < 0.55:
            plan = ActionPlan(
                region_id=code,
                title=f"{rad} PP-TPPO {label} 2025–2029",
                period_start=2025,
                period_end=2029,
                status=RadStatus.ENACTED,
                legal_basis=f"{basis_kind} No. {rng.randint(5, 80)} Tahun 2025",
                enacted_on=_date(rng, 2025, before=today),
                in_rpjmd=rng.random() < 0.6,
                rpjmd_note="Misi 2: perlindungan perempuan dan anak" if rng.random() < 0.5 else "",
                in_renstra_skpd=rng.random() < 0.45,
                is_demo=True,
            )
        else:
            plan = ActionPlan(
                region_id=code,
                title=f"Rancangan {rad} PP-TPPO {label} 2026–2030",
                period_start=2026,
                period_end=2030,
                status=RadStatus.DRAFTING,
                in_rpjmd=False,
                in_renstra_skpd=False,
                is_demo=True,
            )
        plans.append(plan)
        if plan.status == RadStatus.ENACTED:
            ag = agencies.get(code, {})
            responsible = [o for o in (ag.get("pppa"), ag.get("dinsos"), ag.get("polda"), ag.get("uptd")) if o]
            if plan.in_renstra_skpd:
                agencies_m2m.extend((plan, o) for o in responsible[:2])
            for i, (name, unit, sub) in enumerate(
                [
                    (
                        "Sosialisasi bahaya TPPO di desa kantong pekerja migran",
                        "desa",
                        "prevention_child_participation",
                    ),
                    ("Pelatihan penegakan hukum berperspektif korban bagi aparat", "orang", "law_enforcement"),
                    (
                        "Penyediaan rumah aman dan layanan rehabilitasi",
                        "korban dilayani",
                        "social_rehab_repatriation_reintegration",
                    ),
                    (
                        "Fasilitasi pemulangan dan reintegrasi korban",
                        "korban",
                        "social_rehab_repatriation_reintegration",
                    ),
                    ("Rapat koordinasi gugus tugas", "kali", "coordination_cooperation"),
                ][: rng.randint(3, 5)]
            ):
                a = RadActivity(
                    plan=plan, name=name, unit=unit, sub_gt_id=f"sub_gt.{sub}", sort=i + 1, indicator=f"Jumlah {unit}"
                )
                acts.append((a, responsible[i % len(responsible)] if responsible else None))
                for y in range(plan.period_start, plan.period_end + 1):
                    target = Decimal(rng.randint(4, 40))
                    real = None if y > today.year else Decimal(int(target * Decimal(rng.uniform(0.3, 1.15))))
                    years.append(RadActivityYear(activity=a, year=y, target=target, realisation=real))
    ActionPlan.objects.bulk_create(plans)
    ActionPlan.renstra_agencies.through.objects.bulk_create(
        [ActionPlan.renstra_agencies.through(actionplan_id=p.pk, organisation_id=o.pk) for p, o in agencies_m2m]
    )
    for a, _o in acts:
        a.plan_id = a.plan.pk
    RadActivity.objects.bulk_create([a for a, _ in acts])
    RadActivity.responsible.through.objects.bulk_create(
        [RadActivity.responsible.through(radactivity_id=a.pk, organisation_id=o.pk) for a, o in acts if o]
    )
    for y in years:
        y.activity_id = y.activity.pk
    RadActivityYear.objects.bulk_create(years)

    # --- budgets 2024–2026 (own government) -------------------------------------------------------
    lines = []
    always = {"32.12", "21.71", "53.71", "52.03"}
    budget_regions = ["ID"] + [
        c for c in tf_regions if c != "ID" and (kinds[c] == "provinsi" or c in always or rng.random() < 0.7)
    ]
    for code in budget_regions:
        national = code == "ID"
        province = kinds.get(code) == "provinsi"
        no_prevention = not national and code not in {"32", "32.12"} and rng.random() < 0.3
        no_repatriation = not national and code not in {"53"} and rng.random() < (0.35 if province else 0.55)
        agency = agencies.get(code, {}).get("pppa")
        for year in YEARS:
            if year > today.year:
                continue
            for prog in PROGRAMMES:
                if prog == "prevention" and no_prevention:
                    continue
                if prog == "handling_repatriation" and no_repatriation:
                    continue
                if not national and prog not in ("prevention", "coordination") and rng.random() < 0.35:
                    continue
                lo, hi = (2000, 40000) if national else ((50, 1500) if province else (10, 400))
                alloc = _money(rng, lo, hi)
                source = "apbn" if national else ("apbd" if rng.random() < 0.85 else rng.choice(["dak", "donor"]))
                if year < today.year:
                    real = (alloc * Decimal(rng.uniform(0.55, 1.0))).quantize(Decimal("1000"))
                else:
                    real = (alloc * Decimal(rng.uniform(0.3, 0.8))).quantize(Decimal("1000"))
                note = ""
                if year < today.year and rng.random() < 0.03:
                    real = (alloc * Decimal("1.08")).quantize(Decimal("1000"))
                    note = "Tambahan dari APBD-Perubahan untuk pemulangan korban"
                lines.append(
                    BudgetLine(
                        region_id=code,
                        year=year,
                        source_id=f"budget_source.{source}",
                        programme_id=f"budget_programme.{prog}",
                        agency=agency,
                        allocated=alloc,
                        realised=real,
                        note=note,
                        is_demo=True,
                    )
                )
    BudgetLine.objects.bulk_create(lines)

    # --- units: profiles (beds, facilities) and staff counts (no names) -----------------------
    unit_types = {
        "uptd_ppa_prov",
        "uptd_ppa_kabkota",
        "rptc",
        "safe_house",
        "ppt_hospital",
        "ppt_police_hospital",
        "puskesmas",
        "police_unit_ppa",
        "prosecutor",
        "court",
        "dinsos_prov",
        "dinsos_kabkota",
        "ngo",
    }
    units = [o for o in list(ctx.orgs.values()) + new_orgs if o.type_code in unit_types]
    profiles, staff = [], []
    functions = {
        "police_unit_ppa": ["investigator", "admin"],
        "prosecutor": ["prosecutor"],
        "court": ["judge"],
        "ppt_hospital": ["health_worker", "psychologist"],
        "ppt_police_hospital": ["health_worker", "psychologist"],
        "puskesmas": ["health_worker"],
        "ngo": ["social_worker", "legal_aid"],
    }
    for u in units:
        if u.capacity is not None or rng.random() < 0.5:
            beds = u.capacity
            profiles.append(
                UnitProfile(
                    organisation=u,
                    beds=beds,
                    beds_children=(beds // 3) if beds else None,
                    as_of=dt.date(today.year, 1, 15),
                    **{f: rng.random() < 0.55 for f in FACILITY_FIELDS},
                )
            )
        fns = functions.get(u.type_code, ["case_manager", "social_worker", "psychologist", "legal_aid", "admin"])
        for year in (2025, 2026):
            for fn in fns:
                if fn == "psychologist" and rng.random() < 0.4:
                    continue
                total = rng.randint(1, 8)
                trained = min(total, rng.randint(0, total) + (1 if year == 2026 and rng.random() < 0.5 else 0))
                staff.append(
                    StaffCount(unit=u, year=year, function_id=f"staff_function.{fn}", total=total, trained=trained)
                )
    UnitProfile.objects.bulk_create(profiles)
    StaffCount.objects.bulk_create(staff)

    # --- trainings ------------------------------------------------------------------------------
    trainings, parts = [], []
    topics = [
        "victim_centred_law_enforcement",
        "victim_identification",
        "case_management",
        "psychosocial_support",
        "restitution",
        "data_management",
    ]
    training_regions = [c for c in tf_regions if c == "ID" or kinds[c] == "provinsi" or rng.random() < 0.15]
    for code in training_regions:
        for _ in range(rng.randint(1, 3)):
            year = rng.choice(YEARS)
            start = _date(rng, year, before=today - dt.timedelta(days=3))
            topic = rng.choice(topics)
            t = Training(
                title={
                    "victim_centred_law_enforcement": "Penegakan hukum TPPO berperspektif korban bagi polisi, jaksa dan hakim",
                    "victim_identification": "Identifikasi korban TPPO di titik keberangkatan",
                    "case_management": "Manajemen kasus korban TPPO",
                    "psychosocial_support": "Dukungan psikososial bagi korban",
                    "restitution": "Pendampingan permohonan restitusi",
                    "data_management": "Pengelolaan data TPPO (Gugus)",
                }[topic],
                topic_id=f"training_topic.{topic}",
                start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(0, 3)),
                region_id=code,
                organiser=agencies.get(code, {}).get("pppa"),
                organiser_name="" if agencies.get(code, {}).get("pppa") else "KemenPPPA bersama IOM",
                is_demo=True,
            )
            trainings.append(t)
            agency_types = (
                ["police_unit_ppa", "prosecutor", "court"]
                if topic == "victim_centred_law_enforcement"
                else ["uptd_ppa_kabkota", "dinsos_kabkota", "ngo", "puskesmas"]
            )
            for at in agency_types:
                if rng.random() < 0.85:
                    parts.append(
                        TrainingParticipants(
                            training=t,
                            agency_type_id=f"org_type.{at}",
                            female=rng.randint(2, 15),
                            male=rng.randint(2, 15),
                        )
                    )
    Training.objects.bulk_create(trainings)
    for p in parts:
        p.training_id = p.training.pk
    TrainingParticipants.objects.bulk_create(parts)

    # --- local regulations ---------------------------------------------------------------------
    regs = []
    for code in tf_regions:
        if code == "ID":
            continue
        kind = kinds[code]
        if kind == "provinsi" and (rng.random() < 0.45 or code in {"32", "53", "21"}):
            y = rng.randint(2008, 2021)
            regs.append(
                Regulation(
                    region_id=code,
                    reg_type_id="regulation_type.perda",
                    number=str(rng.randint(1, 15)),
                    year=y,
                    title=f"Pencegahan dan Penanganan Korban Perdagangan Orang di {names[code]}",
                    status=RegulationStatus.ENACTED,
                    is_demo=True,
                )
            )
            if rng.random() < 0.5:
                regs.append(
                    Regulation(
                        region_id=code,
                        reg_type_id="regulation_type.pergub",
                        number=str(rng.randint(10, 90)),
                        year=min(y + rng.randint(1, 4), today.year),
                        title=f"Peraturan pelaksanaan Perda TPPO {names[code]}",
                        status=RegulationStatus.ENACTED,
                        is_demo=True,
                    )
                )
        elif kind in ("kabupaten", "kota") and (rng.random() < 0.12 or code in {"32.12", "52.03"}):
            t = "perbup" if kind == "kabupaten" else "perwali"
            regs.append(
                Regulation(
                    region_id=code,
                    reg_type_id=f"regulation_type.{t}",
                    number=str(rng.randint(1, 60)),
                    year=rng.randint(2015, 2025),
                    title=f"Gugus Tugas dan Rencana Aksi PP-TPPO {names[code]}",
                    status=rng.choice([RegulationStatus.ENACTED, RegulationStatus.ENACTED, RegulationStatus.DRAFTING]),
                    is_demo=True,
                )
            )
    Regulation.objects.bulk_create(regs)

    # --- prevention activities -----------------------------------------------------------------
    kinds_p = ["kie", "socialisation", "peer_group", "mass_media", "rumah_edukasi", "village_outreach"]
    titles = {
        "kie": "KIE bahaya TPPO dan migrasi aman",
        "socialisation": "Sosialisasi migrasi aman di sekolah",
        "peer_group": "Kelompok sebaya remaja anti-TPPO",
        "mass_media": "Talkshow radio: kenali modus TPPO",
        "rumah_edukasi": "Rumah Edukasi anti-TPPO",
        "village_outreach": "Penyuluhan desa kantong pekerja migran",
    }
    audiences = {
        "kie": Audience.PROSPECTIVE_MIGRANTS,
        "socialisation": Audience.STUDENTS,
        "peer_group": Audience.STUDENTS,
        "mass_media": Audience.GENERAL_PUBLIC,
        "rumah_edukasi": Audience.MIGRANT_FAMILIES,
        "village_outreach": Audience.VILLAGE_OFFICIALS,
    }
    acts_p = []
    for code in tf_regions:
        n = rng.randint(2, 6) if (code == "ID" or kinds[code] == "provinsi") else rng.randint(0, 3)
        for _ in range(n):
            k = rng.choice(kinds_p)
            year = rng.choice(YEARS)
            a = PreventionActivity(
                date=_date(rng, year, before=today),
                region_id=code,
                kind_id=f"prevention_kind.{k}",
                title=titles[k],
                audience=audiences[k],
                organiser=agencies.get(code, {}).get("pppa"),
                organiser_name="" if agencies.get(code, {}).get("pppa") else "KemenPPPA",
                media_audience=rng.randint(5000, 200000) if k == "mass_media" else None,
                is_demo=True,
            )
            if k != "mass_media":
                child = k in ("socialisation", "peer_group")
                for f in REACH_FIELDS:
                    base = 40 if (child and f.endswith("0_17")) else (25 if f.endswith(("18_24", "25_59")) else 3)
                    setattr(a, f, rng.randint(0, base))
            acts_p.append(a)
    PreventionActivity.objects.bulk_create(acts_p)

    # --- best practices, replicated elsewhere ---------------------------------------------------
    practices = [
        (
            "Desa Migran Produktif: layanan migrasi aman di tingkat desa",
            "52.03",
            ["52.02", "32.12", "35.08"],
            "Pos layanan informasi migrasi di kantor desa; calon pekerja migran didata dan didampingi sebelum berangkat.",
            "Penurunan keberangkatan non-prosedural di desa dampingan (laporan Disnaker 2023).",
        ),
        (
            "Layanan terpadu satu atap pemulangan di perbatasan",
            "65.03",
            ["61.03"],
            "Penerimaan deportan dan korban di perbatasan oleh satu tim (BP2MI, Dinsos, Polres, UPTD PPA).",
            "Waktu tunggu pemulangan turun dari 14 ke 5 hari (evaluasi gugus tugas 2024).",
        ),
        (
            "Rumah Edukasi anti-TPPO berbasis gereja dan masjid",
            "53.71",
            ["53.03"],
            "Tokoh agama menjadi pendidik sebaya; modul migrasi aman di rumah ibadah.",
            "1.200 orang terjangkau pada 2024; dua laporan dugaan perekrutan ilegal dari jemaat.",
        ),
        (
            "Forum anak sebagai pelapor dini",
            "32.12",
            [],
            "Forum anak desa dilatih mengenali modus perekrutan dan melapor ke UPTD PPA.",
            "Tiga kasus perekrutan anak dicegah (catatan UPTD PPA 2025).",
        ),
    ]
    bps, reps = [], []
    for i, (title, where, replicated, what, evidence) in enumerate(practices):
        ag = agencies.get(where, {})
        bp = BestPractice(
            title=title,
            what=what,
            region_id=where,
            organisation=ag.get("pppa") or ag.get("bp2mi_upt"),
            who="Gugus tugas setempat bersama mitra",
            evidence=evidence,
            started_year=2019 + i,
            is_demo=True,
        )
        bps.append(bp)
        for j, rcode in enumerate(replicated):
            reps.append(
                Replication(
                    practice=bp,
                    region_id=rcode,
                    year=min(2021 + i + j, today.year),
                    note="Direplikasi setelah kunjungan belajar.",
                )
            )
    BestPractice.objects.bulk_create(bps)
    for r in reps:
        r.practice_id = r.practice.pk
    Replication.objects.bulk_create(reps)

    ctx.say(
        f"{len(tfs)} gugus tugas ({len(decrees)} SK), {len(plans)} RAD, {len(lines)} baris anggaran, "
        f"{len(trainings)} pelatihan, {len(regs)} peraturan, {len(acts_p)} kegiatan pencegahan, "
        f"{len(bps)} praktik baik; {len(new_orgs)} organisasi demo baru"
    )
