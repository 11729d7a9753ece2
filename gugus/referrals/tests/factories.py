"""Test data for referrals: cases created directly (fast, independent of the registration form)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from gugus.cases.models import Case, Consent, Identity, RouteLeg, Victim

_seq = itertools.count(1)


def make_case(
    org,
    *,
    user=None,
    origin_region=None,
    destination_country=None,
    citizenship="ID",
    foreign=False,
    route=(),
    consent=True,
    days_ago=20,
    name="Korban Uji",
) -> Case:
    n = next(_seq)
    today = timezone.localdate()
    victim = Victim.objects.create(
        sex_id="sex.female",
        birth_year=1999,
        citizenship_status_id="citizenship_status.wna" if foreign else "citizenship_status.wni",
        citizenship_id=citizenship,
        created_by=user,
        updated_by=user,
    )
    Identity.objects.create(victim=victim, full_name=name)
    region = org.region_id
    case = Case.objects.create(
        case_number=f"T{region.replace('.', '')[:4]}-2026-{n:06d}",
        victim=victim,
        registering_org=org,
        owner_org=org,
        region_id=region,
        origin_region_id=origin_region,
        identification_date=today - dt.timedelta(days=days_ago),
        identification_channel_id="identification_channel.hotline",
        destination_country_id=destination_country,
        scope="transnational" if destination_country else "domestic",
        created_by=user,
        updated_by=user,
    )
    for i, (stage, region_code, country) in enumerate(route, start=1):
        RouteLeg.objects.create(case=case, seq=i, stage=stage, region_id=region_code, country_id=country)
    if consent:
        give_consent(case, user=user)
    return case


def give_consent(case, *, user=None, granted=True, days_ago=10, withdrawn=False) -> Consent:
    today = timezone.localdate()
    return Consent.objects.create(
        case=case,
        purpose_id="consent_purpose.share_referral",
        granted=granted,
        given_by="victim",
        date=today - dt.timedelta(days=days_ago),
        withdrawn_on=today if withdrawn else None,
        recorded_by=user,
    )
