"""The synthetic national data set: victims with their cases, identities, routes, services,
referrals and legal tracks, spread over Indonesia's 514 kabupaten/kota.

Everything is synthetic (Faker id_ID name pools, valid-looking NIKs built from real kecamatan
codes) and deterministic for (scale, seed). It is written with bulk inserts (see bench/bulk.py).

Speed-ups, and what they mean for the figures:
- Encrypted identity fields are encrypted once per *distinct* value and the ciphertext reused
  (names, birth dates, addresses repeat; every NIK and phone is distinct, so each gets its own
  ciphertext). Reading them decrypts exactly as in production; only the random IV is shared
  between equal values, which changes nothing for performance.
- Keyed hashes (NIK, phone, name tokens) are computed with the application's own functions
  (`gugus.cases.matching`), once per distinct value, so search and duplicate checks find them.
- No audit events are generated for the synthetic records (the chain starts empty); benchmarks
  that write produce their own events through the normal services.
- Indexes of the big tables are dropped while loading and rebuilt once; statistics are
  refreshed (ANALYZE) at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
import random
import time
from collections import defaultdict
from pathlib import Path

GENERATOR_VERSION = "3"
ROOT = Path(__file__).resolve().parent.parent
CHUNK = 50_000

# Where victims come from (share of victims by province code); the rest spread over the others.
ORIGIN_PROVINCES = {
    "53": 0.16,
    "52": 0.13,
    "32": 0.17,
    "35": 0.12,
    "33": 0.10,
    "61": 0.05,
    "12": 0.04,
    "18": 0.04,
    "36": 0.03,
    "73": 0.03,
}
TRANSIT_HUBS = ["21.71", "65.03", "61.03", "21.72", "31.71", "64.72"]
DESTINATIONS = [
    ("MY", 40),
    ("SA", 10),
    ("AE", 6),
    ("HK", 5),
    ("TW", 6),
    ("KH", 6),
    ("MM", 4),
    ("SG", 4),
    ("QA", 2),
    ("KR", 2),
    ("JP", 2),
    ("PH", 2),
    ("TH", 2),
    ("CN", 2),
    ("OM", 1),
    ("TR", 1),
]
STATUS_WEIGHTS = [
    ("registered", 15),
    ("assessed", 10),
    ("receiving_services", 30),
    ("reintegrated", 25),
    ("closed", 20),
]
CHANNELS = [
    ("hotline", 12),
    ("police_operation", 18),
    ("self_report", 8),
    ("family_report", 10),
    ("embassy", 8),
    ("ngo_outreach", 10),
    ("deportation", 14),
    ("immigration_check", 8),
    ("labour_inspection", 3),
    ("health_facility", 3),
    ("media", 2),
    ("other", 3),
    ("unknown", 1),
]
EXPLOITATION = [
    ("forced_labour_or_services", 30),
    ("labour_or_ability_exploitation", 15),
    ("sexual_exploitation", 14),
    ("prostitution", 10),
    ("slavery_or_similar", 5),
    ("online_scam", 9),
    ("forced_marriage", 4),
    ("oppression", 3),
    ("extortion", 3),
    ("physical_exploitation", 3),
    ("organ_tissue_removal", 1),
    ("other", 2),
    ("unknown", 1),
]
SECTORS = [
    ("domestic_work", 25),
    ("agriculture", 12),
    ("aquafarming", 10),
    ("construction", 8),
    ("manufacturing", 10),
    ("hospitality", 6),
    ("sex_industry", 10),
    ("illicit_activities", 8),
    ("other", 6),
    ("unknown", 5),
]


# ------------------------------------------------------------------------------------------------
# cache key
# ------------------------------------------------------------------------------------------------
def schema_fingerprint() -> str:
    # Migrations are not part of the key: a cached data set is migrated forward on reuse
    # (new indexes, new columns with defaults), so adding an index does not cost a rebuild.
    # Only the generator's own code decides whether the data would differ.
    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for extra in (Path(__file__), Path(__file__).with_name("recipes.py"), Path(__file__).with_name("bulk.py")):
        h.update(extra.read_bytes())
    return h.hexdigest()[:12]


def keys_fingerprint() -> str:
    material = os.environ.get("GUGUS_FIELD_KEYS", "dev") + "|" + os.environ.get("GUGUS_HASH_KEY", "dev")
    return hashlib.sha256(material.encode()).hexdigest()[:8]


def dataset_key(victims: int, services: int, seed: int) -> str:
    return f"v{victims}-s{services}-seed{seed}-{schema_fingerprint()}-k{keys_fingerprint()}"


# ------------------------------------------------------------------------------------------------
# marker table: a data set is reusable only when it was completed for the same key
# ------------------------------------------------------------------------------------------------
MARKER = "bench_dataset"


def read_marker() -> dict | None:
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute(f"SELECT info FROM {MARKER} WHERE id = 1")
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(info: dict) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (id integer PRIMARY KEY, info text NOT NULL)")
        cur.execute(f"DELETE FROM {MARKER}")
        cur.execute(f"INSERT INTO {MARKER} (id, info) VALUES (1, %s)", [json.dumps(info)])


# ------------------------------------------------------------------------------------------------
# generation
# ------------------------------------------------------------------------------------------------
def _model(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _weighted(pairs):
    values = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return values, weights


def _log(msg: str) -> None:
    print(f"[dataset] {msg}", flush=True)


class Generator:
    def __init__(self, *, victims: int, services: int, seed: int):
        self.victims = victims
        self.services = services
        self.seed = seed
        self.rng = random.Random(seed)
        self.summary: dict = {
            "victims": victims,
            "services_target": services,
            "seed": seed,
            "tables": {},
            "skipped": {},
        }

    # -- reference pools -------------------------------------------------------------------------
    def _pools(self) -> None:
        from faker import Faker

        from gugus.accounts.crypto import encrypt
        from gugus.reference.models import Code, Country, Region

        self.encrypt = encrypt
        self.today = min(dt.date.today() - dt.timedelta(days=1), dt.date(2100, 1, 1))
        self.codes: dict[str, list[str]] = defaultdict(list)
        for key, list_key in Code.objects.filter(active=True).values_list("key", "code_list_id"):
            self.codes[list_key].append(key)
        kabs = list(Region.objects.filter(level=2).values_list("code", "population_total"))
        self.kab_codes = [c for c, _ in kabs]
        by_prov: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for code, pop in kabs:
            by_prov[code.split(".")[0]].append((code, pop or 100_000))
        self.kab_by_prov = {p: ([c for c, _ in v], [w for _, w in v]) for p, v in by_prov.items()}
        provinces = sorted(by_prov)
        rest = [p for p in provinces if p not in ORIGIN_PROVINCES]
        rest_share = max(0.0, 1 - sum(ORIGIN_PROVINCES.values())) / max(1, len(rest))
        self.prov_values = provinces
        self.prov_weights = [ORIGIN_PROVINCES.get(p, rest_share) for p in provinces]
        kecs = defaultdict(list)
        for code in Region.objects.filter(level=3).values_list("code", flat=True):
            kecs[code.rsplit(".", 1)[0]].append(code)
        self.kec_by_kab = kecs
        self.country_codes = list(Country.objects.exclude(code="ID").values_list("code", flat=True))
        known = set(self.country_codes)
        self.dest_values, self.dest_weights = _weighted([d for d in DESTINATIONS if d[0] in known])
        fk = Faker("id_ID")
        fk.seed_instance(self.seed)
        person = next(p for p in fk.providers if "person" in type(p).__module__)
        self.first_f = list(dict.fromkeys(person.first_names_female))
        self.first_m = list(dict.fromkeys(person.first_names_male))
        self.last = list(
            dict.fromkeys(getattr(person, "last_names", None) or [*person.last_names_male, *person.last_names_female])
        )
        self.addresses = [encrypt(fk.street_address()) for _ in range(500)]
        self._name_cache: dict[str, tuple[str, list]] = {}
        self._birth_cache: dict[str, str] = {}
        self._stamps: dict = {}

    # -- organisations and users -----------------------------------------------------------------
    def _accounts(self) -> None:
        from gugus.accounts import demo as accounts_demo
        from gugus.accounts.models import Organisation
        from gugus.core.demo import DemoContext
        from gugus.reference.models import Region

        ctx = DemoContext(seed=self.seed, victims=0)
        accounts_demo.populate(ctx)
        self.demo_ctx = ctx
        self.users = ctx.users
        self.user_id = ctx.users["cw-3212"].pk
        have = {o.region_id: o for o in Organisation.objects.filter(org_type_id="org_type.uptd_ppa_kabkota")}
        names = dict(Region.objects.filter(level=2).values_list("code", "name"))
        new = [
            Organisation(
                name=f"UPTD PPA {names[c]}",
                org_type_id="org_type.uptd_ppa_kabkota",
                region_id=c,
                listed_publicly=True,
                is_demo=True,
                capacity=10,
            )
            for c in self.kab_codes
            if c not in have
        ]
        Organisation.objects.bulk_create(new, batch_size=1000)
        self.org_by_region = {
            o.region_id: o.pk.hex for o in Organisation.objects.filter(org_type_id="org_type.uptd_ppa_kabkota")
        }
        self.org_ids = [o.hex for o in Organisation.objects.values_list("id", flat=True)]

    # -- one chunk of victims and everything on them -----------------------------------------------
    def _name(self, female: bool) -> str:
        rng = self.rng
        first = rng.choice(self.first_f if female else self.first_m)
        r = rng.random()
        if r < 0.12:
            return first  # single names are common
        if r < 0.25:
            return f"{first} {rng.choice(self.first_f if female else self.first_m)}"
        return f"{first} {rng.choice(self.last)}"

    def _name_ct(self, name: str):
        hit = self._name_cache.get(name)
        if hit is None:
            from gugus.cases.matching import token_hashes

            hit = (self.encrypt(name), token_hashes(name))
            self._name_cache[name] = hit
        return hit

    def _birth_ct(self, iso: str) -> str:
        hit = self._birth_cache.get(iso)
        if hit is None:
            hit = self._birth_cache[iso] = self.encrypt(iso)
        return hit

    def _stamp(self, d: dt.date) -> str:
        s = self._stamps.get(d)
        if s is None:
            from .bulk import to_db

            s = self._stamps[d] = to_db(dt.datetime.combine(d, dt.time(8), tzinfo=dt.UTC), self.vendor)
        return s

    def _chunk(self, writer, start: int, m: int, counters: dict, seen_nik: set) -> None:
        from gugus.cases.matching import nik_hash, phone_hash
        from gugus.cases.models import Case, CaseEvent, Identity, NameToken, RouteLeg, StatusChange, Victim

        from .bulk import uuid_hex_list

        expl_key = getattr(
            importlib.import_module("gugus.cases.services"),
            "exploitation_key",
            lambda codes: "|" + "|".join(sorted(set(codes))) + "|",
        )
        rng, encrypt = self.rng, self.encrypt
        rnd = rng.random
        victim_ids = uuid_hex_list(rng, m)
        case_ids = uuid_hex_list(rng, m)
        day0 = dt.date(2017, 1, 1)
        one_day = dt.timedelta(days=1)
        span = (self.today - day0).days
        provs = rng.choices(self.prov_values, self.prov_weights, k=m)
        statuses = rng.choices(*_weighted(STATUS_WEIGHTS), k=m)
        channels = rng.choices(*_weighted(CHANNELS), k=m)
        sectors = rng.choices(*_weighted(SECTORS), k=m)
        expl = rng.choices(*_weighted(EXPLOITATION), k=2 * m)
        dests = rng.choices(self.dest_values, self.dest_weights, k=m)
        origins = [rng.choices(*self.kab_by_prov[p])[0] for p in provs]
        kab_codes, n_kab = self.kab_codes, len(self.kab_codes)
        hubs = TRANSIT_HUBS
        org_by_region, kec_by_kab = self.org_by_region, self.kec_by_kab
        relations = (
            "recruiter_relation.agency",
            "recruiter_relation.friend",
            "recruiter_relation.family",
            "recruiter_relation.sponsor",
            "recruiter_relation.unknown",
        )
        closures = (
            "closure_reason.services_completed",
            "closure_reason.reintegrated",
            "closure_reason.lost_contact",
            "closure_reason.declined_services",
        )
        V = {k: [] for k in ("id", "sex_id", "birth_year", "age_estimated", "domicile_region_id", "created_at")}
        Id = {
            k: []
            for k in (
                "victim_id",
                "full_name",
                "nik",
                "nik_hash",
                "phone",
                "phone_hash",
                "birth_date",
                "address",
                "updated_at",
            )
        }
        C = {
            k: []
            for k in (
                "id",
                "case_number",
                "victim_id",
                "registering_org_id",
                "owner_org_id",
                "region_id",
                "origin_region_id",
                "status",
                "closure_reason_id",
                "trafficking_status",
                "identification_date",
                "identification_channel_id",
                "age_at_identification",
                "is_child",
                "scope",
                "sector_id",
                "exploitation_start",
                "exploitation_end",
                "recruiter_relation_id",
                "destination_country_id",
                "closed_at",
                "exploitation_codes",
                "created_at",
            )
        }
        T = {k: [] for k in ("victim_id", "kind", "token_hash", "birth_year")}
        R = {k: [] for k in ("case_id", "seq", "stage", "region_id", "country_id")}
        X = {k: [] for k in ("case_id", "code_id")}
        S = {k: [] for k in ("case_id", "from_status", "to_status", "reason", "at")}
        E = {k: [] for k in ("case_id", "at", "organisation_id")}
        rows_region, rows_dates, rows_orgs = [], [], []
        addresses = self.addresses
        for j in range(m):
            vid, cid = victim_ids[j], case_ids[j]
            female = rnd() < 0.66
            ident = day0 + one_day * int(rnd() * span)
            age = 9 + int(rnd() * 9) if rnd() < 0.24 else 18 + int(rnd() * 35)
            known_birth = rnd() < 0.8
            birth = ident - one_day * (age * 365 + int(rnd() * 300))
            age = ident.year - birth.year - ((ident.month, ident.day) < (birth.month, birth.day))
            origin = origins[j]
            r = rnd()
            region = (
                origin if r < 0.75 else (hubs[int(rnd() * len(hubs))] if r < 0.9 else kab_codes[int(rnd() * n_kab)])
            )
            org = org_by_region.get(region)
            if org is None:
                region, org = origin, org_by_region[origin]
            transnational = rnd() < 0.62
            dest = dests[j] if transnational else None
            stamp = self._stamp(ident)
            V["id"].append(vid)
            V["sex_id"].append("sex.female" if female else "sex.male")
            V["birth_year"].append(birth.year)
            V["age_estimated"].append(not known_birth)
            V["domicile_region_id"].append(origin)
            V["created_at"].append(stamp)
            name_ct, tokens = self._name_ct(self._name(female))
            nik = ""
            kecs = kec_by_kab.get(origin)
            if kecs and rnd() < 0.7:
                day = birth.day + (40 if female else 0)
                base = (
                    f"{kecs[int(rnd() * len(kecs))].replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
                )
                serial = 1 + int(rnd() * 9000)
                while f"{base}{serial:04d}" in seen_nik:
                    serial += 1
                nik = f"{base}{serial:04d}"
                seen_nik.add(nik)
            phone = f"08{11 + int(rnd() * 88)}{10_000_000 + int(rnd() * 89_999_999)}" if rnd() < 0.5 else ""
            Id["victim_id"].append(vid)
            Id["full_name"].append(name_ct)
            Id["nik"].append(encrypt(nik) if nik else "")
            Id["nik_hash"].append(nik_hash(nik) if nik else "")
            Id["phone"].append(encrypt(phone) if phone else "")
            Id["phone_hash"].append(phone_hash(phone) if phone else "")
            Id["birth_date"].append(self._birth_ct(birth.isoformat()) if known_birth else "")
            Id["address"].append(addresses[int(rnd() * 500)] if rnd() < 0.6 else "")
            Id["updated_at"].append(stamp)
            for kind, h in tokens:
                T["victim_id"].append(vid)
                T["kind"].append(kind)
                T["token_hash"].append(h)
                T["birth_year"].append(birth.year)
            prefix = region.replace(".", "")[:4]
            key = (prefix, ident.year)
            counters[key] = counters.get(key, 0) + 1
            status = statuses[j]
            ident_iso = ident.isoformat()
            C["id"].append(cid)
            C["case_number"].append(f"{prefix}-{ident.year}-{counters[key]:06d}")
            C["victim_id"].append(vid)
            C["registering_org_id"].append(org)
            C["owner_org_id"].append(org)
            C["region_id"].append(region)
            C["origin_region_id"].append(origin)
            C["status"].append(status)
            C["closure_reason_id"].append(closures[int(rnd() * 4)] if status == "closed" else None)
            C["trafficking_status"].append("actual" if rnd() < 0.6 else "possible")
            C["identification_date"].append(ident_iso)
            C["identification_channel_id"].append("identification_channel." + channels[j])
            C["age_at_identification"].append(age)
            C["is_child"].append(age < 18)
            C["scope"].append("transnational" if transnational else "domestic")
            C["sector_id"].append("labour_sector." + sectors[j])
            C["exploitation_start"].append((ident - one_day * (30 + int(rnd() * 870))).isoformat())
            C["exploitation_end"].append((ident - one_day * int(rnd() * 20)).isoformat() if rnd() < 0.8 else None)
            C["recruiter_relation_id"].append(relations[int(rnd() * 5)])
            C["destination_country_id"].append(dest)
            C["closed_at"].append(
                (ident + one_day * (30 + int(rnd() * 370))).isoformat() if status == "closed" else None
            )
            C["created_at"].append(stamp)
            rows_region.append(region)
            rows_dates.append(ident)
            rows_orgs.append(org)
            forms = [expl[2 * j]]
            if rnd() < 0.3 and expl[2 * j + 1] != expl[2 * j]:
                forms.append(expl[2 * j + 1])
            for code in forms:
                X["case_id"].append(cid)
                X["code_id"].append("exploitation." + code)
            C["exploitation_codes"].append(expl_key(forms))
            R["case_id"].append(cid)
            R["seq"].append(1)
            R["stage"].append("recruitment")
            R["region_id"].append(origin)
            R["country_id"].append(None)
            seq = 2
            if transnational and rnd() < 0.6:
                R["case_id"].append(cid)
                R["seq"].append(2)
                R["stage"].append("transit")
                R["region_id"].append(hubs[int(rnd() * len(hubs))])
                R["country_id"].append(None)
                seq = 3
            R["case_id"].append(cid)
            R["seq"].append(seq)
            R["stage"].append("exploitation")
            R["region_id"].append(None if dest else kab_codes[int(rnd() * n_kab)])
            R["country_id"].append(dest)
            S["case_id"].append(cid)
            S["from_status"].append("")
            S["to_status"].append("registered")
            S["reason"].append("pendaftaran")
            S["at"].append(stamp)
            if status != "registered":
                S["case_id"].append(cid)
                S["from_status"].append("registered")
                S["to_status"].append(status)
                S["reason"].append("")
                S["at"].append(stamp)
            E["case_id"].append(cid)
            E["at"].append(stamp)
            E["organisation_id"].append(org)
        uid = self.user_id
        writer.insert(
            Victim,
            m,
            {
                **V,
                "updated_at": V["created_at"],
                "is_demo": True,
                "version": 1,
                "citizenship_status_id": "citizenship_status.wni",
                "citizenship_id": "ID",
                "created_by_id": uid,
                "updated_by_id": uid,
            },
        )
        writer.insert(Identity, m, Id)
        writer.insert(NameToken, len(T["victim_id"]), T)
        writer.insert(
            Case,
            m,
            {
                **C,
                "updated_at": C["created_at"],
                "is_demo": True,
                "is_draft": False,
                "version": 1,
                "narrative": "",
                "recruiting_agency": "",
                "created_by_id": uid,
                "updated_by_id": uid,
            },
        )
        writer.insert(Case.exploitation_forms.through, len(X["case_id"]), X)
        n_route = len(R["case_id"])
        writer.insert(RouteLeg, n_route, {**R, "id": uuid_hex_list(rng, n_route), "place_note": ""})
        writer.insert(StatusChange, len(S["case_id"]), {**S, "by_id": uid})
        writer.insert(
            CaseEvent,
            m,
            {
                **E,
                "actor_id": uid,
                "object_type": "case",
                "object_id": "",
                "kind": "registered",
                "summary": "Korban didaftarkan (data sintetis)",
            },
        )
        self._children(writer, start, m, case_ids, victim_ids, rows_orgs, rows_region, rows_dates)

    # -- services, referrals, legal tracks (models of apps written alongside) --------------------
    def _child_models(self) -> None:
        from django.apps import apps

        from .recipes import KINDS, Recipes

        self.recipes = Recipes(self)
        self.children = {}
        for kind, (label, method, per_case) in KINDS.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                self.summary["skipped"][kind] = f"no model {label} yet"
                continue
            rate = per_case if per_case is not None else self.services / max(1, self.victims)
            self.children[kind] = (model, getattr(self.recipes, method), rate)

    def _children(self, writer, start, m, case_ids, victim_ids, orgs, regions, dates) -> None:
        from django.db import transaction

        from .recipes import CaseRows

        rows = CaseRows(case_ids, victim_ids, orgs, regions, dates)
        rnd = self.rng.random
        for kind, (model, recipe, rate) in list(self.children.items()):
            total = int(round(rate * (start + m))) - int(round(rate * start))
            idx = sorted(int(rnd() * m) for _ in range(total))
            try:
                with transaction.atomic():
                    recipe(writer, model, rows, idx)
            except Exception as exc:  # noqa: BLE001 - report, keep going without this kind
                self.summary["skipped"][kind] = f"{model._meta.label}: generation failed: {type(exc).__name__}: {exc}"[
                    :400
                ]
                del self.children[kind]

    # -- the whole run ---------------------------------------------------------------------------
    def run(self) -> dict:
        from django.core.management import call_command
        from django.db import connection, transaction

        from gugus.cases.models import (
            Case,
            CaseEvent,
            CaseNumberCounter,
            Identity,
            NameToken,
            RouteLeg,
            StatusChange,
            Victim,
        )

        from .bulk import BulkWriter

        t0 = time.perf_counter()
        _log("migrating the schema")
        call_command("migrate", interactive=False, verbosity=0)
        writer = BulkWriter()
        self.vendor = writer.vendor
        self._pools()
        self._accounts()
        self._child_models()
        big = [Victim, Identity, NameToken, Case, Case.exploitation_forms.through, RouteLeg, StatusChange, CaseEvent]
        big += [model for model, _, _ in self.children.values()]
        big += [
            m
            for label in ("referrals.ReferralStatusChange", "care.LegalEvent", "cases.CaseAccess")
            if (m := _model(label)) is not None
        ]
        writer.fast_session()
        dropped = []
        for model in big:
            dropped += writer.drop_indexes(model)
        counters: dict = {}
        seen_nik: set = set()
        done = 0
        while done < self.victims:
            m = min(CHUNK, self.victims - done)
            with transaction.atomic():
                self._chunk(writer, done, m, counters, seen_nik)
            done += m
            rate = done / max(0.001, time.perf_counter() - t0)
            _log(f"{done:,}/{self.victims:,} victims ({rate:,.0f}/s)")
        _log(f"rebuilding {len(dropped)} indexes")
        writer.create_indexes(dropped)
        CaseNumberCounter.objects.bulk_create(
            [CaseNumberCounter(prefix=p, year=y, last=n) for (p, y), n in counters.items()], batch_size=5000
        )
        writer.normal_session()
        _log("refreshing planner statistics (ANALYZE)")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.summary["tables"] = dict(writer.counts)
        for kind, (model, _, _) in self.children.items():
            self.summary.setdefault("models", {})[kind] = model._meta.label
        self.summary["seconds"] = round(time.perf_counter() - t0, 1)
        return self.summary


def ensure_dataset(*, victims: int, services: int, seed: int, force: bool = False) -> dict:
    """Reuse the data set in the current database when it was completed for the same key;
    otherwise (re)build it. The caller has pointed DATABASE_URL at a bench-only database."""
    from django.db import connection

    key = dataset_key(victims, services, seed)
    marker = read_marker()
    drift = (marker or {}).get("added_victims", 0)
    if marker and marker.get("key") == key and marker.get("complete") and not force:
        if drift <= max(1000, victims // 10):
            from django.core.management import call_command

            _log("migrating the cached data set forward")
            call_command("migrate", interactive=False, verbosity=0)
            _log(
                f"reusing data set {key}" + (f" (+{drift:,} victims added by earlier benchmark runs)" if drift else "")
            )
            return marker
        _log(f"earlier runs added {drift:,} victims (> 10%): building the data set again")
    tables = connection.introspection.table_names()
    if marker is None and "accounts_user" in tables:
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM accounts_user")
            if cur.fetchone()[0]:
                raise SystemExit(
                    "This database holds users but is not a benchmark database (no bench_dataset marker). "
                    "Refusing to overwrite it: point DATABASE_URL at an empty database used only for benchmarks."
                )
    if tables:
        _log("clearing the previous benchmark database")
        wipe_database()
    write_marker({"key": key, "complete": False})
    summary = Generator(victims=victims, services=services, seed=seed).run()
    info = {
        "key": key,
        "complete": True,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **summary,
    }
    write_marker(info)
    _log(f"data set ready in {summary['seconds']} s: {summary['tables']}")
    for kind, why in summary["skipped"].items():
        _log(f"NOT generated: {kind}: {why}")
    return info


def wipe_database() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")
        else:
            cur.execute("PRAGMA foreign_keys=OFF")
            for table in connection.introspection.table_names():
                cur.execute(f'DROP TABLE IF EXISTS "{table}"')
    connection.close()
