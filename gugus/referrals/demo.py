"""Demo hand-overs, notifications and coordination meetings (synthetic, deterministic for a seed).

Chains across regions, written through the services (so access grants, history, timeline and
audit are real), with historical timestamps before `ctx.today`:
- A. Batam (UPTD PPA Kota Batam, 21.71) → rumah aman Batam (shelter) → hospital → transfer to
  UPTD PPA Kota Kupang (53.71) for reintegration → LSM Peduli Buruh Migran NTT;
- B. UPT BP2MI Nunukan (65.03) receives a deportee → transfer to the UPTD of the region of
  origin (Indramayu 32.12; sometimes first declined by the wrong UPTD) → puskesmas / RPTC;
- C. KBRI Kuala Lumpur (Malaysia) → BP2MI Nunukan (repatriation) → transfer to UPTD Kupang →
  hospital (psychological care);
- D. a foreign (Vietnamese) victim found in Batam → rumah aman → IOM and her embassy (repatriation);
- E. Indramayu cases → puskesmas, RPTC, LPSK (LPSK has no demo user: those stay unanswered, overdue).
Some are declined, some cancelled, some overdue. Cases come from `ctx.case_ids` when one with
the right owner exists; otherwise a synthetic case is registered through `cases.services`.
Demo users are added for organisations that take part but had none (listed in DEMO_EXTRA_USERS).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gugus.accounts.models import Membership, Organisation, User
from gugus.accounts.roles import Role

from . import notifications, services
from .models import ActionStatus, Notification, Referral, open_q

WIB = ZoneInfo("Asia/Jakarta")

DEMO_EXTRA_ORGS = {
    # key: (name, org_type, region, country)
    "kedubes-vn": ("Kedutaan Besar Vietnam di Jakarta (DEMO)", "foreign_embassy", "31.71", "VN"),
}

# username, org key, role, description
DEMO_EXTRA_USERS = [
    ("bp2mi-6503", "bp2mi-6503", Role.CASE_WORKER, "petugas, UPT BP2MI Nunukan (65.03)"),
    ("kbri-kl", "kbri-kl", Role.CASE_WORKER, "petugas perlindungan WNI, KBRI Kuala Lumpur"),
    ("iom", "iom", Role.SERVICE_PROVIDER, "penyedia layanan, IOM Indonesia"),
    ("lsm-5371", "lsm-5371", Role.SERVICE_PROVIDER, "penyedia layanan, LSM Peduli Buruh Migran NTT"),
    ("kedubes-vn", "kedubes-vn", Role.SERVICE_PROVIDER, "petugas konsuler, Kedutaan Besar Vietnam (DEMO)"),
    ("pkm-3212", "puskesmas-3212", Role.SERVICE_PROVIDER, "penyedia layanan, Puskesmas Haurgeulis"),
    ("rptc-3212", "rptc-3212", Role.SERVICE_PROVIDER, "penyedia layanan, RPTC Indramayu"),
    ("rs-5371", "rs-5371", Role.SERVICE_PROVIDER, "penyedia layanan, PPT RS Bhayangkara Kupang"),
]

REASONS = {
    "shelter": [
        "Korban membutuhkan tempat aman sementara selama asesmen.",
        "Ada ancaman dari jaringan perekrut; perlu penampungan rahasia.",
    ],
    "health_physical": [
        "Keluhan fisik setelah bekerja tanpa istirahat; perlu pemeriksaan.",
        "Luka lama yang belum diobati; perlu pemeriksaan dokter.",
    ],
    "health_psychological": [
        "Gejala trauma; perlu konseling psikologis.",
        "Sulit tidur dan cemas; perlu asesmen psikolog.",
    ],
    "social_rehabilitation": ["Perlu rehabilitasi sosial sebelum kembali ke keluarga."],
    "social_reintegration": [
        "Pendampingan reintegrasi di desa asal dan keluarga.",
        "Dukungan kembali ke keluarga dan komunitas.",
    ],
    "economic_empowerment": ["Pelatihan keterampilan dan modal usaha kecil."],
    "repatriation": [
        "Pemulangan ke negara asal secara aman dan bermartabat.",
        "Pemulangan dari titik debarkasi ke daerah asal.",
    ],
    "legal_aid": ["Pendampingan hukum dan permohonan restitusi."],
    "transfer": [
        "Korban kembali ke daerah asal; penanganan dan reintegrasi dilanjutkan di sana.",
        "Korban berdomisili di wilayah penerima; tanggung jawab kasus dialihkan.",
    ],
}
DECLINE_REASONS = [
    "Kapasitas penuh pada periode ini.",
    "Korban bukan warga wilayah kami; mohon dirujuk ke UPTD asal.",
    "Layanan yang diminta belum tersedia di unit kami.",
]


class _Clock:
    """Walks forward from a start time; `None` once it would pass the demo's today."""

    def __init__(self, ctx, start: dt.date):
        self.ctx = ctx
        self.limit = dt.datetime.combine(ctx.today, dt.time(17, 0), WIB)
        self.t = dt.datetime.combine(start, dt.time(9, 0), WIB)

    def step(self, lo: int, hi: int) -> dt.datetime | None:
        t = self.t + dt.timedelta(days=self.ctx.rng.randint(lo, hi), hours=self.ctx.rng.randint(0, 6))
        if t > self.limit:
            return None
        self.t = t
        return t


def _ensure_participants(ctx) -> None:
    orgs = ctx.orgs
    for key, (name, otype, region, country) in DEMO_EXTRA_ORGS.items():
        org, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={"org_type_id": f"org_type.{otype}", "region_id": region, "country_id": country, "is_demo": True},
        )
        orgs[key] = org
    password = make_password(ctx.password)
    for username, org_key, role, _desc in DEMO_EXTRA_USERS:
        if org_key not in orgs:
            continue
        user, _ = User.objects.get_or_create(
            username=username, defaults={"password": password, "is_demo": True, "email": f"{username}@demo.invalid"}
        )
        Membership.objects.get_or_create(
            user=user, organisation=orgs[org_key], role=role, defaults={"region_id": orgs[org_key].region_id}
        )
        ctx.users.setdefault(username, user)


class _Cases:
    """Cases to hand over: from ctx.case_ids by owner organisation, else newly registered."""

    def __init__(self, ctx):
        from gugus.cases.models import Case

        self.ctx = ctx
        self.used: set = set()
        self.by_owner: dict = {}
        if ctx.case_ids:
            qs = (
                Case.objects.filter(pk__in=ctx.case_ids, is_draft=False)
                .exclude(status="closed")
                .order_by("identification_date", "case_number")
                .values_list("pk", "owner_org_id")
            )
            for pk, owner in qs:
                self.by_owner.setdefault(owner, []).append(pk)

    def take(self, org_key: str, user_key: str, **kw):
        from gugus.cases.models import Case

        org = self.ctx.orgs[org_key]
        pool = self.by_owner.get(org.pk, [])
        while pool:
            pk = pool.pop(self.ctx.rng.randrange(len(pool)))
            if pk not in self.used:
                self.used.add(pk)
                return Case.objects.select_related("victim").get(pk=pk)
        return self._register(org, self.ctx.users[user_key], **kw)

    def _register(
        self,
        org,
        user,
        *,
        origin: str | None = None,
        destination: str | None = None,
        foreign: str | None = None,
        channel: str = "hotline",
        route=(),
    ):
        from gugus.cases.services import RouteLegData, VictimData, victim_register

        ctx = self.ctx
        ident = ctx.today - dt.timedelta(days=ctx.rng.randint(25, 160))
        sex = ctx.rng.choice(["female", "female", "male"])
        name = ctx.faker.name_female() if sex == "female" else ctx.faker.name_male()
        if foreign:
            name = ctx.rng.choice(["Nguyen Thi Lan", "Tran Thi Mai", "Pham Thi Hoa", "Le Van Nam"])
        data = VictimData(
            sex=sex,
            identification_date=ident,
            identification_channel=channel,
            full_name=name,
            estimated_age=ctx.rng.randint(17, 38),
            origin_region=origin,
            destination_country=destination,
            citizenship_status="wna" if foreign else "wni",
            citizenship=foreign or "ID",
            scope="transnational" if (destination or foreign) else "domestic",
            route=[RouteLegData(stage=s, region_code=r, country_code=c) for s, r, c in route],
            exploitation_forms=["forced_labour_or_services"],
            is_demo=True,
        )
        case = victim_register(actor=user, data=data, organisation=org)
        self.used.add(case.pk)
        ctx.case_ids.append(case.pk)
        return case


def _consent(ctx, case, actor, when: dt.date) -> None:
    from gugus.cases.models import Consent

    from .selectors import share_consent_for

    if share_consent_for(case) is not None:
        return
    record = None
    try:
        from gugus.cases import services as case_services

        record = getattr(case_services, "consent_record", None)
    except ImportError:  # pragma: no cover
        record = None
    given_by = "guardian" if case.is_child else "victim"
    if record is not None:
        try:
            record(
                actor=actor,
                case=case,
                purpose="share_referral",
                granted=True,
                given_by=given_by,
                date=when,
                guardian_relation="ibu" if case.is_child else "",
            )
            return
        except (ValidationError, TypeError):
            pass
    Consent.objects.create(
        case=case,
        purpose_id="consent_purpose.share_referral",
        granted=True,
        given_by=given_by,
        guardian_relation="ibu" if case.is_child else "",
        date=when,
        recorded_by=actor,
    )


class _Chain:
    def __init__(self, ctx, case, stats):
        self.ctx = ctx
        self.case = case
        self.stats = stats
        self.clock = _Clock(ctx, case.identification_date)

    def send(
        self,
        sender: str,
        to_key: str,
        service: str | None,
        *,
        kind: str = "referral",
        lag=(0, 3),
        due=(7, 14),
        override: str = "",
    ) -> Referral | None:
        ctx = self.ctx
        at = self.clock.step(*lag)
        if at is None:
            return None
        reason = ctx.rng.choice(REASONS["transfer" if kind == "transfer" else service])
        data = services.HandoverData(
            to_org=ctx.orgs[to_key],
            due_date=at.date() + dt.timedelta(days=ctx.rng.randint(*due)),
            reason=reason,
            kind=kind,
            service_type=service,
            consent_override_reason=override,
        )
        from gugus.cases.models import Case

        self.case = Case.objects.select_related("victim").get(pk=self.case.pk)
        try:
            ref = services.referral_send(actor=ctx.users[sender], case=self.case, data=data, at=at, is_demo=True)
        except ValidationError as exc:
            self.stats["skipped"] += 1
            ctx.say(f"rujukan demo dilewati: {exc.messages[0][:80]}")
            return None
        self.stats["sent"] += 1
        return ref

    def act(self, ref: Referral | None, action: str, user: str, lag=(1, 4), **kw) -> bool:
        if ref is None:
            return False
        at = self.clock.step(*lag)
        if at is None:
            return False
        fn = getattr(services, f"referral_{action}")
        fn(actor=self.ctx.users[user], referral=ref, at=at, **kw)
        self.stats[action] += 1
        return True

    def chance(self, p: float) -> bool:
        return self.ctx.rng.random() < p

    def recent(self, days: int = 60) -> bool:
        return self.clock.t >= self.clock.limit - dt.timedelta(days=days)

    def waits(self, p: float) -> bool:
        """Left unanswered: only hand-overs of the last weeks stay waiting (overdue or not)."""
        return self.recent() and self.chance(p)

    def finishes(self, p: float) -> bool:
        """Completed: older hand-overs are done; recent ones with probability p."""
        return not self.recent() or self.chance(p)


def _chain_batam_kupang(ctx, cases, stats) -> None:
    case = cases.take(
        "uptd-2171",
        "cw-2171",
        origin="53.71",
        destination="MY",
        channel="police_operation",
        route=[
            ("recruitment", "53.71", None),
            ("transit", "21.71", None),
            ("exploitation", None, "MY"),
            ("identification", "21.71", None),
        ],
    )
    c = _Chain(ctx, case, stats)
    _consent(ctx, case, ctx.users["cw-2171"], case.identification_date)
    shelter = c.send("cw-2171", "rumah-aman-2171", "shelter", lag=(0, 1), due=(1, 3))
    if c.act(shelter, "accept", "ra-2171", lag=(0, 1)):
        c.act(shelter, "complete", "ra-2171", lag=(10, 30), note="Korban keluar dari rumah aman.")
    hosp = c.send("cw-2171", "rs-2171", "health_physical", lag=(0, 2), due=(3, 7))
    if c.act(hosp, "accept", "rs-2171", lag=(0, 2)) and c.finishes(0.8):
        c.act(hosp, "complete", "rs-2171", lag=(2, 10), note="Pemeriksaan selesai.")
    transfer = c.send("sv-2171", "uptd-5371", None, kind="transfer", lag=(3, 15), due=(7, 14))
    if transfer is None:
        return
    if c.chance(0.15):
        c.act(transfer, "decline", "cw-5371", lag=(1, 5), reason=ctx.rng.choice(DECLINE_REASONS))
        return
    if c.waits(0.3) or not c.act(transfer, "accept", "cw-5371", lag=(1, 10)):
        return  # still waiting: shows up overdue in Kupang's inbox
    lsm = c.send("cw-5371", "lsm-5371", "social_reintegration", lag=(2, 10), due=(30, 90))
    if not c.waits(0.3) and c.act(lsm, "accept", "lsm-5371", lag=(1, 7)) and c.finishes(0.6):
        c.act(lsm, "complete", "lsm-5371", lag=(20, 60), note="Korban kembali ke keluarga; pemantauan berlanjut.")


def _chain_bp2mi_origin(ctx, cases, stats) -> None:
    case = cases.take(
        "bp2mi-6503",
        "bp2mi-6503",
        origin="32.12",
        destination="MY",
        channel="deportation",
        route=[("recruitment", "32.12", None), ("exploitation", None, "MY"), ("identification", "65.03", None)],
    )
    c = _Chain(ctx, case, stats)
    _consent(ctx, case, ctx.users["bp2mi-6503"], case.identification_date)
    if c.chance(0.3):
        wrong = c.send("bp2mi-6503", "uptd-3201", None, kind="transfer", lag=(1, 4))
        c.act(
            wrong,
            "decline",
            "cw-3201",
            lag=(1, 3),
            reason="Korban berasal dari Kabupaten Indramayu, bukan Kabupaten Bogor.",
        )
    transfer = c.send("bp2mi-6503", "uptd-3212", None, kind="transfer", lag=(1, 5))
    if not c.act(transfer, "accept", "cw-3212", lag=(1, 6)):
        return
    pkm = c.send("cw-3212", "puskesmas-3212", "health_physical", lag=(1, 5), due=(3, 7))
    if c.act(pkm, "accept", "pkm-3212", lag=(0, 3)):
        c.act(pkm, "complete", "pkm-3212", lag=(1, 7), note="Pemeriksaan dan pengobatan selesai.")
    rptc = c.send("cw-3212", "rptc-3212", "social_rehabilitation", lag=(1, 10), due=(14, 45))
    if not c.waits(0.3) and c.act(rptc, "accept", "rptc-3212", lag=(1, 8)) and c.finishes(0.7):
        c.act(rptc, "complete", "rptc-3212", lag=(14, 40), note="Rehabilitasi sosial selesai.")


def _chain_kbri(ctx, cases, stats) -> None:
    case = cases.take(
        "kbri-kl",
        "kbri-kl",
        origin="53.71",
        destination="MY",
        channel="embassy",
        route=[("recruitment", "53.71", None), ("transit", "65.03", None), ("exploitation", None, "MY")],
    )
    c = _Chain(ctx, case, stats)
    _consent(ctx, case, ctx.users["kbri-kl"], case.identification_date)
    rep = c.send("kbri-kl", "bp2mi-6503", "repatriation", lag=(2, 10), due=(7, 14))
    if c.act(rep, "accept", "bp2mi-6503", lag=(1, 4)):
        c.act(rep, "complete", "bp2mi-6503", lag=(3, 10), note="Tiba di Nunukan; dilanjutkan ke daerah asal.")
    transfer = c.send("kbri-kl", "uptd-5371", None, kind="transfer", lag=(0, 3))
    if not c.act(transfer, "accept", "cw-5371", lag=(1, 6)):
        return
    psy = c.send("cw-5371", "rs-5371", "health_psychological", lag=(1, 5), due=(14, 30))
    if not c.waits(0.4) and c.act(psy, "accept", "rs-5371", lag=(1, 5)) and c.finishes(0.6):
        c.act(psy, "complete", "rs-5371", lag=(7, 30), note="Konseling tahap awal selesai.")


def _chain_foreign(ctx, cases, stats) -> None:
    case = cases._register(
        ctx.orgs["uptd-2171"],
        ctx.users["cw-2171"],
        destination=None,
        foreign="VN",
        channel="police_operation",
        route=[("transit", "21.71", None), ("exploitation", "21.71", None)],
    )
    c = _Chain(ctx, case, stats)
    _consent(ctx, case, ctx.users["cw-2171"], case.identification_date)
    shelter = c.send("cw-2171", "rumah-aman-2171", "shelter", lag=(0, 1), due=(30, 60))
    c.act(shelter, "accept", "ra-2171", lag=(0, 1))
    iom = c.send("cw-2171", "iom", "repatriation", lag=(2, 8), due=(14, 30))
    if c.chance(0.25):
        c.act(iom, "decline", "iom", lag=(1, 5), reason="Menunggu dokumen perjalanan dari kedutaan; kirim ulang.")
        iom = c.send("cw-2171", "iom", "repatriation", lag=(5, 15), due=(14, 30))
    emb = c.send("cw-2171", "kedubes-vn", "repatriation", lag=(0, 3), due=(7, 21))
    c.act(emb, "accept", "kedubes-vn", lag=(1, 10))
    repatriated = (
        c.act(iom, "accept", "iom", lag=(1, 7))
        and c.finishes(0.6)
        and c.act(iom, "complete", "iom", lag=(5, 20), note="Korban dipulangkan dengan pendampingan IOM.")
    )
    if repatriated:
        c.act(shelter, "complete", "ra-2171", lag=(0, 1), note="Korban keluar dari rumah aman.")


def _chain_indramayu(ctx, cases, stats) -> None:
    case = cases.take(
        "uptd-3212",
        "cw-3212",
        origin="32.12",
        destination=ctx.rng.choice(["MY", "SA", "TW", "HK"]),
        channel=ctx.rng.choice(["hotline", "family_report", "ngo_outreach"]),
    )
    c = _Chain(ctx, case, stats)
    no_consent = c.chance(0.1)
    if not no_consent:
        _consent(ctx, case, ctx.users["cw-3212"], case.identification_date)
    first = c.send(
        "sv-3212" if no_consent else "cw-3212",
        "puskesmas-3212",
        "health_physical",
        lag=(0, 3),
        due=(3, 7),
        override="Korban dalam kondisi darurat medis dan tidak dapat dimintai persetujuan." if no_consent else "",
    )
    if c.chance(0.1):
        c.act(first, "cancel", "cw-3212", lag=(0, 2), reason="Korban dirawat di RSUD atas rujukan dokter jaga.")
    elif c.act(first, "accept", "pkm-3212", lag=(0, 2)) and c.finishes(0.8):
        c.act(first, "complete", "pkm-3212", lag=(1, 6), note="Pemeriksaan selesai.")
    if c.recent(90):  # LPSK has no demo user: these stay unanswered (overdue once past due)
        c.send("cw-3212", "lpsk", "legal_aid", lag=(2, 20), due=(10, 20))
    if c.chance(0.5):
        reh = c.send("cw-3212", "rptc-3212", "social_rehabilitation", lag=(1, 10), due=(14, 45))
        if c.chance(0.2):
            c.act(reh, "decline", "rptc-3212", lag=(1, 4), reason=ctx.rng.choice(DECLINE_REASONS))
        elif not c.waits(0.3) and c.act(reh, "accept", "rptc-3212", lag=(1, 6)) and c.finishes(0.6):
            c.act(reh, "complete", "rptc-3212", lag=(14, 40), note="Rehabilitasi sosial selesai.")


MEETINGS = [
    # (secretariat user, region, title, participant org keys, decisions, [(action, owner key, days after)])
    (
        "gt-3212",
        "32.12",
        "Rapat koordinasi GT PP-TPPO Kab. Indramayu",
        ["uptd-3212", "polres-3212", "puskesmas-3212", "rptc-3212"],
        "Penjangkauan di desa kantong PMI diperluas. Rujukan kesehatan korban dijawab paling lama 3 hari.",
        [
            ("Pemetaan desa rawan TPPO", "uptd-3212", 30),
            ("Operasi terpadu pelabuhan dan terminal", "polres-3212", 21),
            ("Daftar layanan kesehatan tanpa BPJS untuk korban", "puskesmas-3212", 14),
        ],
    ),
    (
        "gt-32",
        "32",
        "Rakor GT PP-TPPO Provinsi Jawa Barat",
        ["uptd-3212", "uptd-3201", "pemda-32", "gt-3212"],
        "Setiap kabupaten/kota melaporkan data korban bulanan. Anggaran pemulangan dialokasikan di APBD perubahan.",
        [
            ("Usulan anggaran pemulangan korban", "pemda-32", 45),
            ("Laporan bulanan data korban", "uptd-3201", 10),
            ("Laporan bulanan data korban", "uptd-3212", 10),
        ],
    ),
    (
        "gt-53",
        "53",
        "Rakor GT PP-TPPO Provinsi NTT: pemulangan dan reintegrasi",
        ["uptd-5371", "dinsos-53", "dinsos-5371", "lsm-5371", "rs-5371", "bp2mi-6503"],
        "Jalur pemulangan dari Nunukan ke Kupang disepakati; Dinas Sosial menyiapkan transportasi ke desa asal.",
        [
            ("SOP penjemputan korban di Pelabuhan Tenau", "dinsos-53", 20),
            ("Rencana reintegrasi per korban", "uptd-5371", 30),
            ("Data korban yang pulang dari Nunukan", "bp2mi-6503", 14),
        ],
    ),
    (
        "gt-21",
        "21",
        "Rakor GT PP-TPPO Provinsi Kepulauan Riau: transit Batam",
        ["uptd-2171", "rumah-aman-2171", "polres-2171", "rs-2171", "kejari-2171"],
        "Koordinasi penampungan korban transit; visum dan pemeriksaan kesehatan di hari yang sama.",
        [
            ("Penambahan kapasitas rumah aman", "uptd-2171", 60),
            ("Jalur cepat visum korban", "rs-2171", 14),
            ("Patroli pelabuhan internasional", "polres-2171", 21),
        ],
    ),
]


def _meetings(ctx) -> int:
    count = 0
    for user_key, region, title, parts, decisions, items in MEETINGS:
        actor = ctx.users.get(user_key)
        if actor is None or any(k not in ctx.orgs for k in parts):
            continue
        for round_no, days_ago in enumerate(sorted(ctx.rng.sample(range(10, 150), 2), reverse=True), start=1):
            date = ctx.today - dt.timedelta(days=days_ago)
            m = services.meeting_create(
                actor=actor,
                region_code=region,
                date=date,
                title=f"{title} ({round_no})",
                participants=[ctx.orgs[k] for k in parts],
                decisions=decisions,
                is_demo=True,
            )
            count += 1
            for desc, owner, after in items:
                item = services.action_item_add(
                    actor=actor,
                    meeting=m,
                    description=desc,
                    owner_org=ctx.orgs[owner],
                    deadline=date + dt.timedelta(days=after),
                    is_demo=True,
                )
                roll = ctx.rng.random()
                done_by = date + dt.timedelta(days=ctx.rng.randint(1, after))
                if roll < 0.45 and done_by <= ctx.today:
                    services.action_item_set_status(
                        actor=actor,
                        item=item,
                        status=ActionStatus.DONE,
                        on=done_by,
                        note="Selesai dilaporkan pada rapat berikutnya.",
                    )
                elif roll < 0.7:
                    services.action_item_set_status(actor=actor, item=item, status=ActionStatus.IN_PROGRESS)
    return count


CHAINS = [
    (_chain_batam_kupang, 0.3),
    (_chain_bp2mi_origin, 0.15),
    (_chain_kbri, 0.1),
    (_chain_foreign, 0.1),
    (_chain_indramayu, 0.35),
]


def populate(ctx) -> None:
    _ensure_participants(ctx)
    stats = dict.fromkeys(("sent", "accept", "decline", "complete", "cancel", "skipped"), 0)
    total = max(len(CHAINS), min(60, ctx.victims // 8))
    plan = []
    for fn, share in CHAINS:
        plan += [fn] * max(1, round(total * share))
    cases = _Cases(ctx)
    # One transaction for the whole demo: one commit instead of hundreds (SQLite), and the
    # monitoring announcements run once at the end.
    with notifications.mail_muted(), transaction.atomic():
        for fn in plan:
            fn(ctx, cases, stats)
        meetings = _meetings(ctx)
    # Notices older than three days before the demo's today are read; newer ones stay unread.
    cutoff = dt.datetime.combine(ctx.today - dt.timedelta(days=3), dt.time(0, 0), WIB)
    Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=True).update(read_at=timezone.now())
    overdue = Referral.objects.filter(is_demo=True).filter(open_q(), due_date__lt=ctx.today).count()
    ctx.say(
        f"{stats['sent']} rujukan/pengalihan ({stats['accept']} diterima, {stats['decline']} ditolak, "
        f"{stats['complete']} selesai, {overdue} terlambat), {meetings} rapat koordinasi"
    )
