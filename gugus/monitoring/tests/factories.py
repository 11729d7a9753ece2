"""Fast synthetic records for monitoring tests (direct ORM writes, no identities)."""

from __future__ import annotations

import datetime as dt
import itertools

from gugus.accounts.models import Organisation
from gugus.cases.models import Case, Victim

_seq = itertools.count(1)
_orgs: dict[str, Organisation] = {}


def org_for(region: str, otype: str = "uptd_ppa_kabkota", **kw) -> Organisation:
    key = f"{region}:{otype}:{sorted(kw.items())}"
    org = _orgs.get(key)
    if org is None or not Organisation.objects.filter(pk=org.pk).exists():
        org = Organisation.objects.create(
            name=f"Uji {otype} {region} {next(_seq)}", org_type_id=f"org_type.{otype}", region_id=region, **kw
        )
        _orgs[key] = org
    return org


def make_victim(*, sex: str = "female", cit: str = "wni") -> Victim:
    return Victim.objects.create(
        sex_id=f"sex.{sex}",
        citizenship_status_id=f"citizenship_status.{cit}",
        citizenship_id="ID" if cit == "wni" else None,
    )


def make_case(
    *,
    region: str,
    date: dt.date,
    origin: str | None = None,
    victim: Victim | None = None,
    sex: str = "female",
    child: bool = False,
    cit: str = "wni",
    scope: str = "domestic",
    status: str = "possible",
    exploitation=(),
    draft: bool = False,
    closure: str | None = None,
    closed_at: dt.date | None = None,
    case_status: str = "registered",
) -> Case:
    victim = victim or make_victim(sex=sex, cit=cit)
    org = org_for(region)
    n = next(_seq)
    case = Case.objects.create(
        case_number=f"T{n:06d}",
        victim=victim,
        registering_org=org,
        owner_org=org,
        region_id=region,
        origin_region_id=origin,
        identification_date=date,
        identification_channel_id="identification_channel.hotline",
        is_child=child,
        age_at_identification=15 if child else 30,
        scope=scope,
        trafficking_status=status,
        is_draft=draft,
        status="draft" if draft else case_status,
        closure_reason_id=f"closure_reason.{closure}" if closure else None,
        closed_at=closed_at,
    )
    if exploitation:
        case.exploitation_forms.set([f"exploitation.{e}" for e in exploitation])
    return case
