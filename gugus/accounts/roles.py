"""The one declarative map of what each role may do.

A permission is `<kind>.<action>`. Kinds are the record kinds the selectors scope:
victim (the pseudonymous case record), identity (names, NIK, phone, address), service, legal,
referral, registry, monitoring, audit, export, admin. `reach` says how far a role sees:
"org" — its organisation's records and those referred or transferred to it;
"region" — also every record lying in its membership region's subtree.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", "Petugas layanan (manajer kasus)"
    SUPERVISOR = "supervisor", "Supervisor"
    SERVICE_PROVIDER = "service_provider", "Penyedia layanan"
    LAW_ENFORCEMENT = "law_enforcement", "Penegak hukum"
    GT_KABKOTA = "gt_kabkota", "Sekretariat GT kabupaten/kota"
    GT_PROVINCE = "gt_province", "Sekretariat GT provinsi"
    GT_NATIONAL = "gt_national", "Sekretariat GT nasional"
    DATA_STEWARD = "data_steward", "Pengelola data (wali data)"
    EXECUTIVE = "executive", "Pimpinan / eksekutif (agregat saja)"
    ADMIN = "admin", "Administrator"


CASE_READ = {"victim.view", "service.view", "legal.view", "referral.view", "timeline.view"}
AGGREGATE = {"aggregate.view", "monitoring.view", "registry.view", "opendata.view"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CASE_WORKER: frozenset(
        CASE_READ
        | AGGREGATE
        | {
            "victim.create",
            "victim.edit",
            "identity.view",
            "identity.edit",
            "service.edit",
            "referral.send",
            "referral.act",
            "consent.edit",
            "export.list",
            "export.identity",
            "import.run",
        }
    ),
    Role.SUPERVISOR: frozenset(
        CASE_READ
        | AGGREGATE
        | {
            "victim.create",
            "victim.edit",
            "identity.view",
            "identity.edit",
            "service.edit",
            "referral.send",
            "referral.act",
            "referral.override_consent",
            "consent.edit",
            "victim.merge",
            "audit.view",
            "export.list",
            "export.identity",
            "import.run",
        }
    ),
    # Sees only cases referred to its organisation, and only what the service needs.
    Role.SERVICE_PROVIDER: frozenset(
        {"victim.view", "service.view", "service.edit", "referral.view", "referral.act", "identity.view_referred"}
        | AGGREGATE
    ),
    Role.LAW_ENFORCEMENT: frozenset({"victim.view", "legal.view", "legal.edit", "referral.view"} | AGGREGATE),
    Role.GT_KABKOTA: frozenset(
        AGGREGATE
        | {
            "victim.view",
            "service.view",
            "legal.view",
            "referral.view",
            "registry.edit",
            "monitoring.close",
            "meeting.edit",
            "export.list",
            "report.generate",
            "import.run",
        }
    ),
    Role.GT_PROVINCE: frozenset(
        AGGREGATE
        | {
            "victim.view",
            "service.view",
            "legal.view",
            "referral.view",
            "registry.edit",
            "monitoring.close",
            "meeting.edit",
            "export.list",
            "report.generate",
            "import.run",
            "audit.view",
        }
    ),
    Role.GT_NATIONAL: frozenset(
        AGGREGATE
        | {
            "victim.view",
            "service.view",
            "legal.view",
            "referral.view",
            "registry.edit",
            "meeting.edit",
            "indicator.edit",
            "export.list",
            "report.generate",
            "opendata.publish",
            "audit.view",
        }
    ),
    Role.DATA_STEWARD: frozenset(
        AGGREGATE
        | {
            "victim.view",
            "service.view",
            "legal.view",
            "referral.view",
            "registry.edit",
            "registry.correct",
            "monitoring.close",
            "export.list",
            "import.run",
            "report.generate",
            "opendata.publish",
        }
    ),
    # Aggregates only, never a person.
    Role.EXECUTIVE: frozenset(AGGREGATE | {"report.view"}),
    Role.ADMIN: frozenset(
        {
            "admin.manage",
            "audit.view",
            "registry.view",
            "aggregate.view",
            "monitoring.view",
            "opendata.view",
            "indicator.edit",
        }
    ),
}

# How far each role reaches over case-level records.
ROLE_REACH: dict[str, str] = {
    Role.CASE_WORKER: "org",
    Role.SUPERVISOR: "org",
    Role.SERVICE_PROVIDER: "referred",
    Role.LAW_ENFORCEMENT: "region",
    Role.GT_KABKOTA: "region",
    Role.GT_PROVINCE: "region",
    Role.GT_NATIONAL: "region",
    Role.DATA_STEWARD: "region",
    Role.EXECUTIVE: "region",
    Role.ADMIN: "region",
}

# Roles that may be granted identity access on a membership (`identity_access`), e.g. a
# secretariat that must contact victims. Case workers and supervisors have it by role.
IDENTITY_GRANTABLE = {Role.GT_KABKOTA, Role.GT_PROVINCE, Role.GT_NATIONAL, Role.LAW_ENFORCEMENT, Role.DATA_STEWARD}


# Roles that can see identities must use the second factor.
def role_needs_mfa(role: str, identity_access: bool = False) -> bool:
    perms = ROLE_PERMISSIONS.get(role, frozenset())
    return identity_access or "identity.view" in perms or "identity.view_referred" in perms or role == Role.ADMIN


def roles_markdown() -> str:
    """The role table of docs/access.md, generated from the map above (a test keeps them equal)."""
    perms = sorted({p for ps in ROLE_PERMISSIONS.values() for p in ps})
    lines = ["| role | label | reach | MFA | identity | permissions |", "|---|---|---|---|---|---|"]
    for role in Role:
        ps = ROLE_PERMISSIONS.get(role, frozenset())
        identity = (
            "by role"
            if "identity.view" in ps
            else "referred cases"
            if "identity.view_referred" in ps
            else "if granted"
            if role in IDENTITY_GRANTABLE
            else "never"
        )
        mfa = "required" if role_needs_mfa(role) else ("if identity granted" if role in IDENTITY_GRANTABLE else "no")
        lines.append(
            f"| `{role.value}` | {role.label} | {ROLE_REACH.get(role, 'org')} | {mfa} | {identity} | "
            + ", ".join(f"`{p}`" for p in perms if p in ps)
            + " |"
        )
    return "\n".join(lines)
