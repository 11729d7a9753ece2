"""Demo organisations and users (synthetic). Password `demo` unless GUGUS_DEMO_PASSWORD is set."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from .models import Membership, Organisation, User
from .roles import Role

# key: (name, org_type, region, country, capacity, public)
DEMO_ORGS = {
    "uptd-3212": ("UPTD PPA Kabupaten Indramayu", "uptd_ppa_kabkota", "32.12", None, 10, True),
    "uptd-3201": ("UPTD PPA Kabupaten Bogor", "uptd_ppa_kabkota", "32.01", None, 12, True),
    "uptd-5371": ("UPTD PPA Kota Kupang", "uptd_ppa_kabkota", "53.71", None, 8, True),
    "uptd-2171": ("UPTD PPA Kota Batam", "uptd_ppa_kabkota", "21.71", None, 15, True),
    "rumah-aman-2171": ("Rumah Aman Batam (DEMO)", "safe_house", "21.71", None, 6, False),
    "rumah-aman-5371": ("Rumah Aman Kupang (DEMO)", "safe_house", "53.71", None, 4, False),
    "rptc-3212": ("RPTC Indramayu", "rptc", "32.12", None, 20, True),
    "rs-2171": ("PPT RSUD Embung Fatimah Batam", "ppt_hospital", "21.71", None, None, True),
    "rs-5371": ("PPT RS Bhayangkara Kupang", "ppt_police_hospital", "53.71", None, None, True),
    "puskesmas-3212": ("Puskesmas Haurgeulis", "puskesmas", "32.12", None, None, True),
    "polres-2171": ("Unit PPA Polresta Barelang", "police_unit_ppa", "21.71", None, None, False),
    "polres-3212": ("Unit PPA Polres Indramayu", "police_unit_ppa", "32.12", None, None, False),
    "kejari-2171": ("Kejaksaan Negeri Batam", "prosecutor", "21.71", None, None, False),
    "pn-2171": ("Pengadilan Negeri Batam", "court", "21.71", None, None, False),
    "dinsos-53": ("Dinas Sosial Provinsi NTT", "dinsos_prov", "53", None, None, True),
    "dinsos-5371": ("Dinas Sosial Kota Kupang", "dinsos_kabkota", "53.71", None, None, True),
    "bp2mi-6503": ("UPT BP2MI Nunukan", "bp2mi_upt", "65.03", None, None, True),
    "imigrasi-6103": ("Kantor Imigrasi Entikong", "immigration", "61.03", None, None, False),
    "kbri-kl": ("KBRI Kuala Lumpur", "mofa_mission", "ID", "MY", None, False),
    "iom": ("IOM Indonesia", "iom", "31.71", None, None, True),
    "lsm-5371": ("LSM Peduli Buruh Migran NTT", "ngo", "53.71", None, None, True),
    "lpsk": ("LPSK", "lpsk", "31.71", None, None, True),
    "gt-3212": ("Sekretariat GT PP-TPPO Kab. Indramayu", "gt_secretariat", "32.12", None, None, False),
    "gt-32": ("Sekretariat GT PP-TPPO Provinsi Jawa Barat", "gt_secretariat", "32", None, None, False),
    "gt-53": ("Sekretariat GT PP-TPPO Provinsi NTT", "gt_secretariat", "53", None, None, False),
    "gt-21": ("Sekretariat GT PP-TPPO Provinsi Kepulauan Riau", "gt_secretariat", "21", None, None, False),
    "gt-nasional": ("Sekretariat GT PP-TPPO Nasional", "gt_secretariat", "ID", None, None, False),
    "pemda-32": ("Pemerintah Provinsi Jawa Barat", "other", "32", None, None, False),
    "kominfo": ("Pusat Data Gugus (administrator)", "other", "ID", None, None, False),
}

# username, org key, role, description
DEMO_USERS = [
    ("cw-3212", "uptd-3212", Role.CASE_WORKER, "petugas layanan, UPTD PPA Kab. Indramayu (32.12)"),
    ("cw-3201", "uptd-3201", Role.CASE_WORKER, "petugas layanan, UPTD PPA Kab. Bogor (32.01)"),
    ("cw-5371", "uptd-5371", Role.CASE_WORKER, "petugas layanan, UPTD PPA Kota Kupang (53.71)"),
    ("cw-2171", "uptd-2171", Role.CASE_WORKER, "petugas layanan, UPTD PPA Kota Batam (21.71)"),
    ("sv-3212", "uptd-3212", Role.SUPERVISOR, "supervisor, UPTD PPA Kab. Indramayu"),
    ("sv-3201", "uptd-3201", Role.SUPERVISOR, "supervisor, UPTD PPA Kab. Bogor"),
    ("sv-5371", "uptd-5371", Role.SUPERVISOR, "supervisor, UPTD PPA Kota Kupang"),
    ("sv-2171", "uptd-2171", Role.SUPERVISOR, "supervisor, UPTD PPA Kota Batam"),
    ("rs-2171", "rs-2171", Role.SERVICE_PROVIDER, "penyedia layanan, PPT RSUD Batam"),
    ("ra-2171", "rumah-aman-2171", Role.SERVICE_PROVIDER, "penyedia layanan, rumah aman Batam"),
    ("polisi-2171", "polres-2171", Role.LAW_ENFORCEMENT, "penegak hukum, Unit PPA Polresta Barelang"),
    ("gt-3212", "gt-3212", Role.GT_KABKOTA, "sekretariat GT Kab. Indramayu"),
    ("gt-32", "gt-32", Role.GT_PROVINCE, "sekretariat GT Provinsi Jawa Barat"),
    ("gt-53", "gt-53", Role.GT_PROVINCE, "sekretariat GT Provinsi NTT"),
    ("gt-21", "gt-21", Role.GT_PROVINCE, "sekretariat GT Provinsi Kepulauan Riau"),
    ("wd-32", "gt-32", Role.DATA_STEWARD, "wali data Provinsi Jawa Barat"),
    ("gt-nasional", "gt-nasional", Role.GT_NATIONAL, "sekretariat GT Nasional"),
    ("eksekutif", "pemda-32", Role.EXECUTIVE, "pimpinan (agregat saja), Provinsi Jawa Barat"),
    ("admin", "kominfo", Role.ADMIN, "administrator"),
]

SECRET_LOCATIONS = {
    "rumah-aman-2171": "Jl. Contoh Rahasia No. 1 (DEMO), Batam",
    "rumah-aman-5371": "Jl. Contoh Rahasia No. 2 (DEMO), Kupang",
}


def ensure_orgs() -> dict[str, Organisation]:
    orgs = {}
    for key, (name, otype, region, country, capacity, public) in DEMO_ORGS.items():
        org, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "org_type_id": f"org_type.{otype}",
                "region_id": region,
                "country_id": country,
                "capacity": capacity,
                "listed_publicly": public,
                "is_demo": True,
                "public_address": f"Jl. Layanan Publik (DEMO), {name.split()[-1]}" if public else "",
                "public_phone": "129" if public else "",
                "public_hours": "24 jam" if "uptd" in key else "08.00–16.00",
                "public_services": "pengaduan, pendampingan, rujukan" if public else "",
                "secret_location": SECRET_LOCATIONS.get(key, ""),
            },
        )
        orgs[key] = org
    return orgs


def populate(ctx) -> None:
    orgs = ensure_orgs()
    ctx.orgs.update(orgs)
    password = make_password(ctx.password)
    for username, org_key, role, _desc in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"password": password, "is_demo": True, "email": f"{username}@demo.invalid"}
        )
        if username == "admin":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        org = orgs[org_key]
        Membership.objects.get_or_create(user=user, organisation=org, role=role, defaults={"region_id": org.region_id})
        ctx.users[username] = user
    ctx.say(f"{len(orgs)} organisasi, {len(DEMO_USERS)} pengguna demo")
