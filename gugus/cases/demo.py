"""Demo victims and cases (SYNTHETIC): realistic origins, transit points and destinations.

Origins follow REFERENCE.md §10 (NTT, NTB — Lombok Timur first —, Jawa Barat, Jawa Timur —
Lumajang —, Jawa Tengah, Kalimantan Barat, Sumatera Utara …); transit through Batam, Nunukan
and Entikong (Sanggau); destinations mostly Malaysia, then the Gulf, Taiwan, Hong Kong,
Cambodia/Myanmar (online-scam compounds) and domestic exploitation. About 45% children.
Names come from Faker id_ID; NIKs are structurally valid (a real kecamatan code, birth date
and sex encoded) but synthetic. Everything is written in bulk, chunk by chunk, so 400 victims
take a few seconds and a million stay within memory.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from gugus.audit.services import record
from gugus.reference.models import Region

from .matching import document_hash, nik_hash, phone_hash, token_hashes
from .models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    Consent,
    Identity,
    NameToken,
    Perpetrator,
    RouteLeg,
    StatusChange,
    Victim,
)
from .services import case_number_prefix

CHUNK = 2000

# Registering organisation (demo key) → weight, and where its victims come from.
ORG_WEIGHTS = {
    "uptd-3212": 22,
    "uptd-3201": 14,
    "uptd-5371": 20,
    "uptd-2171": 22,
    "bp2mi-6503": 8,
    "kbri-kl": 6,
    "dinsos-53": 4,
    "lsm-5371": 4,
}
ORIGINS_BY_ORG = {
    "uptd-3212": {"32.12": 60, "32.09": 12, "32.15": 10, "32.14": 5, "33.29": 8, "32.05": 5},
    "uptd-3201": {"32.01": 45, "32.03": 20, "32.05": 15, "36.03": 10, "32.15": 10},
    "uptd-5371": {"53.71": 20, "53.01": 20, "53.02": 18, "53.03": 22, "53.04": 10, "53.12": 10},
    "uptd-2171": {
        "52.03": 18,
        "52.02": 10,
        "53.03": 10,
        "35.08": 10,
        "33.01": 8,
        "32.12": 8,
        "12.07": 10,
        "61.01": 6,
        "18.01": 6,
        "21.71": 6,
        "16.71": 4,
        "11.71": 4,
    },
    "bp2mi-6503": {"73.08": 25, "73.71": 15, "53.03": 20, "52.03": 20, "35.08": 10, "64.72": 10},
    "kbri-kl": {
        "52.03": 25,
        "52.02": 12,
        "35.08": 12,
        "35.22": 8,
        "33.02": 8,
        "32.12": 10,
        "53.03": 10,
        "61.01": 5,
        "12.07": 10,
    },
    "dinsos-53": {"53.02": 30, "53.03": 30, "53.04": 20, "53.12": 20},
    "lsm-5371": {"53.71": 30, "53.01": 30, "53.03": 40},
}
# Destination: (country or None for domestic, weight, transit choices, exploitation forms, sectors, male share)
DESTINATIONS = [
    (
        "MY",
        46,
        ["21.71", "65.03", "61.03", "21.72"],
        [("forced_labour_or_services", 70), ("sexual_exploitation", 20), ("labour_or_ability_exploitation", 10)],
        [("domestic_work", 35), ("agriculture", 30), ("construction", 15), ("sex_industry", 15), ("manufacturing", 5)],
        0.35,
    ),
    (
        "SA",
        7,
        ["36.71", "31.71"],
        [("forced_labour_or_services", 85), ("slavery_or_similar", 15)],
        [("domestic_work", 100)],
        0.05,
    ),
    (
        "AE",
        5,
        ["36.71"],
        [("forced_labour_or_services", 90), ("sexual_exploitation", 10)],
        [("domestic_work", 85), ("hospitality", 15)],
        0.1,
    ),
    (
        "TW",
        6,
        ["36.71", "35.78"],
        [("forced_labour_or_services", 100)],
        [("aquafarming", 70), ("manufacturing", 30)],
        0.75,
    ),
    ("HK", 4, ["36.71"], [("forced_labour_or_services", 100)], [("domestic_work", 100)], 0.02),
    (
        "KH",
        6,
        ["21.71", "36.71"],
        [("online_scam", 90), ("forced_labour_or_services", 10)],
        [("illicit_activities", 100)],
        0.7,
    ),
    ("MM", 4, ["36.71", "21.71"], [("online_scam", 100)], [("illicit_activities", 100)], 0.65),
    ("SG", 2, ["21.71"], [("forced_labour_or_services", 100)], [("domestic_work", 100)], 0.1),
    (
        None,
        20,
        [],
        [("sexual_exploitation", 55), ("prostitution", 15), ("forced_labour_or_services", 30)],
        [("sex_industry", 55), ("domestic_work", 25), ("hospitality", 20)],
        0.15,
    ),
]
DOMESTIC_PLACES = {
    "31.71": 20,
    "31.73": 10,
    "51.71": 15,
    "21.71": 20,
    "64.72": 10,
    "71.71": 5,
    "36.71": 10,
    "81.71": 5,
    "61.71": 5,
}
CHANNELS_ABROAD = {
    "deportation": 30,
    "embassy": 20,
    "police_operation": 15,
    "hotline": 10,
    "family_report": 10,
    "immigration_check": 8,
    "ngo_outreach": 7,
}
CHANNELS_DOMESTIC = {
    "police_operation": 35,
    "hotline": 20,
    "family_report": 15,
    "ngo_outreach": 15,
    "self_report": 10,
    "health_facility": 5,
}
MEANS = {
    "deception": 50,
    "debt_bondage": 20,
    "abuse_of_power_or_vulnerability": 15,
    "falsification": 15,
    "confinement": 10,
    "threat_of_violence": 10,
    "use_of_violence": 5,
    "payment_or_benefit": 5,
}
RELATIONS = {"sponsor": 35, "agency": 20, "friend": 15, "family": 10, "intimate_partner": 8, "other": 7, "unknown": 5}
PHONE_PREFIXES = [
    "0812",
    "0813",
    "0821",
    "0822",
    "0852",
    "0853",
    "0857",
    "0858",
    "0877",
    "0878",
    "0881",
    "0895",
    "0896",
    "0838",
]
FOREIGN = [("TL", 5), ("PH", 3), ("MM", 2), ("VN", 1)]
AGENCIES = [
    "PT Sinar Jaya Abadi (DEMO)",
    "PT Mitra Kerja Mandiri (DEMO)",
    "CV Harapan Baru (DEMO)",
    "PT Bintang Samudera (DEMO)",
    "PT Cahaya Insani (DEMO)",
]
PERP_ROLES = ["perekrut", "sponsor", "penampung", "majikan", "agen", "pengantar"]
STATUS_PATH = [
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSED,
    CaseStatus.RECEIVING_SERVICES,
    CaseStatus.REINTEGRATED,
    CaseStatus.CLOSED,
]


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _pick_pairs(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=1)[0]


def _uuid(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _name(faker, rng, sex: str) -> str:
    first = faker.first_name_female() if sex == "female" else faker.first_name_male()
    if rng.random() < 0.3:
        return first  # single name (common in Indonesia)
    return f"{first} {faker.last_name()}"


def _nik(rng, kec_code: str, birth: dt.date, sex: str) -> str:
    day = birth.day + (40 if sex == "female" else 0)
    return kec_code.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1, 9999):04d}"


def _ident_date(rng, today: dt.date) -> dt.date:
    # More recent years weigh more (cases grow year on year, REFERENCE.md §10).
    year = rng.choices([2022, 2023, 2024, 2025, 2026], weights=[10, 22, 20, 24, 24])[0]
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _at(d: dt.date, rng) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time(rng.randint(8, 16), rng.randint(0, 59))))


def populate(ctx) -> None:
    n = int(ctx.victims or 0)
    if n <= 0:
        ctx.say("0 korban")
        return
    rng, faker, today = ctx.rng, ctx.faker, ctx.today
    orgs = {k: ctx.orgs[k] for k in ORG_WEIGHTS if k in ctx.orgs}
    if not orgs:
        ctx.say("tidak ada organisasi demo; korban tidak dibuat")
        return
    org_weights = {k: ORG_WEIGHTS[k] for k in orgs}
    kab_codes = (
        {c for m in ORIGINS_BY_ORG.values() for c in m} | set(DOMESTIC_PLACES) | {t for d in DESTINATIONS for t in d[2]}
    )
    existing = set(Region.objects.filter(code__in=kab_codes).values_list("code", flat=True))
    kecamatan: dict[str, list[str]] = defaultdict(list)
    for code in Region.objects.filter(level=3, parent_id__in=existing).values_list("code", flat=True):
        kecamatan[code.rsplit(".", 1)[0]].append(code)
    origins = {k: {c: w for c, w in m.items() if c in existing} for k, m in ORIGINS_BY_ORG.items()}
    domestic = {c: w for c, w in DOMESTIC_PLACES.items() if c in existing}
    users = ctx.users
    counters: dict[tuple[str, int], int] = {(c.prefix, c.year): c.last for c in CaseNumberCounter.objects.all()}
    made = 0
    while made < n:
        size = min(CHUNK, n - made)
        ids = _populate_chunk(
            ctx, size, rng, faker, today, orgs, org_weights, origins, domestic, kecamatan, users, counters, existing
        )
        ctx.case_ids.extend(ids)
        made += size
    with transaction.atomic():
        for (prefix, year), last in counters.items():
            updated = CaseNumberCounter.objects.filter(prefix=prefix, year=year, last__lt=last).update(last=last)
            if not updated and not CaseNumberCounter.objects.filter(prefix=prefix, year=year).exists():
                CaseNumberCounter.objects.create(prefix=prefix, year=year, last=last)
        record("demo_populate", object_type="case", detail={"victims": n})
    children = Case.objects.filter(pk__in=ctx.case_ids[-n:], is_child=True).count() if n <= 5000 else None
    ctx.say(f"{n} korban/kasus sintetis" + (f" ({children} anak)" if children is not None else ""))


def _populate_chunk(
    ctx, size, rng, faker, today, orgs, org_weights, origins, domestic, kecamatan, users, counters, existing
) -> list:
    victims, identities, tokens, cases = [], [], [], []
    forms_rows, means_rows, acts_rows, legs, status_rows, events, consents, perps = [], [], [], [], [], [], [], []
    through_forms = Case.exploitation_forms.through
    through_means = Case.means.through
    through_acts = Case.acts.through
    for _ in range(size):
        org_key = _pick(rng, org_weights)
        org = orgs[org_key]
        actor = users.get(f"cw-{org_key.split('-')[1]}") if org_key.startswith("uptd-") else None
        dest = rng.choices(DESTINATIONS, weights=[d[1] for d in DESTINATIONS], k=1)[0]
        country, _, transits, forms_w, sectors_w, male_share = dest
        if org_key == "kbri-kl" and country is None:
            country = "MY"
        male = rng.random() < male_share
        sex = "male" if male else "female"
        child = rng.random() < (0.65 if country is None else 0.40)
        idate = _ident_date(rng, today)
        age = rng.randint(12, 17) if child else rng.choice([18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 30, 33, 36, 40, 45])
        birth = idate - dt.timedelta(days=age * 365 + rng.randint(10, 350))
        known_birth = rng.random() < 0.85
        origin = _pick(rng, origins.get(org_key) or {"32.12": 1})
        foreign = country is not None and rng.random() < 0.03
        citizenship = _pick_pairs(rng, FOREIGN) if foreign else "ID"
        name = _name(faker, rng, sex)
        nik = ""
        if not foreign and known_birth and rng.random() < 0.7 and kecamatan.get(origin):
            nik = _nik(rng, rng.choice(kecamatan[origin]), birth, sex)
        phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else ""
        aliases = [name.split()[0][:3] + rng.choice(["i", "y", "h"])] if rng.random() < 0.1 else []
        vid = _uuid(rng)
        age_at = idate.year - birth.year - ((idate.month, idate.day) < (birth.month, birth.day))
        birth_year = birth.year if known_birth else idate.year - age
        victim = Victim(
            id=vid,
            sex_id=f"sex.{sex}",
            birth_year=birth_year,
            age_estimated=not known_birth,
            citizenship_status_id="citizenship_status.wna" if foreign else "citizenship_status.wni",
            citizenship_id=citizenship,
            education_id=f"education.{rng.choice(['sd', 'smp', 'sma', 'smp', 'sd'])}",
            occupation_id=f"occupation.{'student' if child and rng.random() < 0.6 else rng.choice(['unemployed', 'farmer', 'labourer', 'migrant_worker', 'domestic_worker'])}",
            disability_id="disability.none"
            if rng.random() < 0.9
            else f"disability.{rng.choice(['physical', 'intellectual', 'sensory'])}",
            domicile_region_id=origin,
            is_demo=True,
            created_by=actor,
            updated_by=actor,
        )
        victims.append(victim)
        document = f"{citizenship}{rng.randint(100000, 999999)}" if foreign else ""
        guardian = ""
        if child and rng.random() < 0.85:
            guardian = _name(faker, rng, rng.choice(["female", "male"]))
        ident = Identity(
            victim=victim,
            full_name=name,
            aliases="\n".join(aliases),
            nik=nik,
            birth_date=birth.isoformat() if known_birth else "",
            phone=phone,
            address=f"{faker.street_address()} (DEMO)" if rng.random() < 0.7 else "",
            guardian_name=guardian,
            guardian_relation=rng.choice(["ibu", "ayah", "paman", "kakak"]) if guardian else "",
            document_number=document,
            nik_hash=nik_hash(nik),
            phone_hash=phone_hash(phone),
            document_hash=document_hash(document),
        )
        identities.append(ident)
        for kind, h in token_hashes(" ".join([name, *aliases])):
            tokens.append(NameToken(victim=victim, kind=kind, token_hash=h, birth_year=birth_year))
        # Case
        region = org.region_id
        prefix = case_number_prefix(region)
        key = (prefix, idate.year)
        counters[key] = counters.get(key, 0) + 1
        cid = _uuid(rng)
        exp_start = idate - dt.timedelta(days=rng.randint(20, 700))
        if birth and exp_start < birth + dt.timedelta(days=365 * 10):
            exp_start = birth + dt.timedelta(days=365 * 10)
        exp_end = idate - dt.timedelta(days=rng.randint(0, 15))
        if exp_end < exp_start:
            exp_end = exp_start
        form = _pick_pairs(rng, forms_w)
        sector = _pick_pairs(rng, sectors_w)
        if child and country is None and rng.random() < 0.6:
            form, sector = "sexual_exploitation", "sex_industry"
        if male and sector in ("domestic_work", "sex_industry"):
            sector = "construction" if country else "hospitality"
        # Status by how long ago the case was identified.
        age_days = (today - idate).days
        steps = min(len(STATUS_PATH), 1 + min(4, age_days // 120) if rng.random() < 0.85 else 1)
        path = STATUS_PATH[:steps]
        if path[-1] == CaseStatus.REINTEGRATED and rng.random() < 0.4:
            path = path[:-1]
        status = path[-1]
        closure = None
        if status == CaseStatus.CLOSED:
            closure = rng.choice(
                ["reintegrated", "services_completed", "services_completed", "lost_contact", "declined_services"]
            )
        channel = _pick(rng, CHANNELS_ABROAD if country else CHANNELS_DOMESTIC)
        relation = _pick(rng, RELATIONS)
        case = Case(
            id=cid,
            case_number=f"{prefix}-{idate.year}-{counters[key]:06d}",
            victim=victim,
            registering_org=org,
            owner_org=org,
            region_id=region,
            origin_region_id=origin,
            status=status,
            closure_reason_id=f"closure_reason.{closure}" if closure else None,
            trafficking_status=rng.choice(["actual", "actual", "possible"]),
            identification_date=idate,
            identification_channel_id=f"identification_channel.{channel}",
            age_at_identification=age_at,
            is_child=age_at < 18,
            scope="transnational" if country else "domestic",
            sector_id=f"labour_sector.{sector}",
            exploitation_start=exp_start,
            exploitation_end=exp_end,
            recruiter_relation_id=f"recruiter_relation.{relation}",
            recruiting_agency=rng.choice(AGENCIES) if relation == "agency" else "",
            destination_country_id=country,
            exploitation_codes=f"|{form}|",
            is_demo=True,
            created_by=actor,
            updated_by=actor,
            closed_at=min(today, idate + dt.timedelta(days=100 * len(path))) if closure else None,
            version=len(path),
        )
        cases.append(case)
        forms_rows.append(through_forms(case_id=cid, code_id=f"exploitation.{form}"))
        for m in {_pick(rng, MEANS) for _ in range(rng.randint(1, 2))}:
            means_rows.append(through_means(case_id=cid, code_id=f"means.{m}"))
        for a in ("recruitment", "transport", "harbouring") if country else ("recruitment", "harbouring"):
            if a == "recruitment" or rng.random() < 0.5:
                acts_rows.append(through_acts(case_id=cid, code_id=f"act.{a}"))
        # Route: recruitment at origin, transit, exploitation abroad or in a domestic city.
        seq = 1
        legs.append(
            RouteLeg(
                id=_uuid(rng),
                case_id=cid,
                seq=seq,
                stage="recruitment",
                region_id=origin,
                date_from=exp_start - dt.timedelta(days=rng.randint(5, 60)),
            )
        )
        valid_transits = [t for t in transits if t in existing]
        if valid_transits and rng.random() < 0.85:
            seq += 1
            legs.append(
                RouteLeg(id=_uuid(rng), case_id=cid, seq=seq, stage="transit", region_id=rng.choice(valid_transits))
            )
        seq += 1
        if country:
            legs.append(
                RouteLeg(
                    id=_uuid(rng),
                    case_id=cid,
                    seq=seq,
                    stage="exploitation",
                    country_id=country,
                    date_from=exp_start,
                    date_to=exp_end,
                )
            )
        else:
            place = _pick(rng, domestic) if domestic else origin
            legs.append(
                RouteLeg(
                    id=_uuid(rng),
                    case_id=cid,
                    seq=seq,
                    stage="exploitation",
                    region_id=place,
                    date_from=exp_start,
                    date_to=exp_end,
                )
            )
        if country and region != "ID":
            seq += 1
            legs.append(RouteLeg(id=_uuid(rng), case_id=cid, seq=seq, stage="identification", region_id=region))
        # Status history and timeline.
        when = idate
        prev = ""
        for i, st in enumerate(path):
            at = _at(when, rng)
            status_rows.append(
                StatusChange(
                    case_id=cid,
                    from_status=prev,
                    to_status=st,
                    at=at,
                    by=actor,
                    reason="pendaftaran" if i == 0 else "",
                    closure_reason_id=f"closure_reason.{closure}" if st == "closed" else None,
                )
            )
            label = (
                "Korban didaftarkan oleh " + org.name
                if i == 0
                else (f"Status: {CaseStatus(prev).label} → {CaseStatus(st).label}")
            )
            events.append(
                CaseEvent(
                    case_id=cid,
                    at=at,
                    kind="registered" if i == 0 else "status",
                    summary=label,
                    actor=actor,
                    organisation=org,
                    object_type="case",
                    object_id=str(cid),
                )
            )
            prev = st
            when = min(today, when + dt.timedelta(days=rng.randint(3, 120)))
        given_by = "guardian" if case.is_child else "victim"
        consents.append(
            Consent(
                id=_uuid(rng),
                case_id=cid,
                purpose_id="consent_purpose.services",
                granted=True,
                given_by=given_by,
                guardian_relation=ident.guardian_relation or ("wali" if given_by == "guardian" else ""),
                date=idate,
                recorded_by=actor,
            )
        )
        if rng.random() < 0.5:
            consents.append(
                Consent(
                    id=_uuid(rng),
                    case_id=cid,
                    purpose_id="consent_purpose.share_referral",
                    granted=rng.random() < 0.9,
                    given_by=given_by,
                    guardian_relation=ident.guardian_relation or ("wali" if given_by == "guardian" else ""),
                    date=idate,
                    recorded_by=actor,
                )
            )
        for _ in range(rng.choice([0, 1, 1, 2])):
            psex = rng.choice(["male", "male", "female"])
            perps.append(
                Perpetrator(
                    id=_uuid(rng),
                    case_id=cid,
                    name=_name(faker, rng, psex),
                    role=rng.choice(PERP_ROLES),
                    sex_id=f"sex.{psex}",
                    nationality_id=country if country and rng.random() < 0.3 else "ID",
                    relation_id=f"recruiter_relation.{relation}",
                    organisation_name=case.recruiting_agency,
                )
            )
    with transaction.atomic():
        Victim.objects.bulk_create(victims, batch_size=1000)
        Identity.objects.bulk_create(identities, batch_size=1000)
        NameToken.objects.bulk_create(tokens, batch_size=2000)
        Case.objects.bulk_create(cases, batch_size=1000)
        through_forms.objects.bulk_create(forms_rows, batch_size=2000)
        through_means.objects.bulk_create(means_rows, batch_size=2000)
        through_acts.objects.bulk_create(acts_rows, batch_size=2000)
        RouteLeg.objects.bulk_create(legs, batch_size=2000)
        StatusChange.objects.bulk_create(status_rows, batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        Consent.objects.bulk_create(consents, batch_size=2000)
        Perpetrator.objects.bulk_create(perps, batch_size=2000)
    return [c.pk for c in cases]
