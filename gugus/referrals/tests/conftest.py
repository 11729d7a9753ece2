import datetime as dt

import pytest
from django.utils import timezone

from gugus.referrals.services import HandoverData

from .factories import make_case


@pytest.fixture
def w(personas):
    """A small world around UPTD PPA Kota Batam: two cases (A referred, B not), users by key."""
    users = personas.ctx.users
    orgs = personas.orgs

    class W:
        pass

    w = W()
    w.p = personas
    w.orgs = orgs
    w.users = users
    w.cw = personas.cw_batam
    w.sv = users["sv-2171"]
    w.case_a = make_case(
        orgs["uptd-2171"],
        user=w.cw,
        origin_region="53.03",
        route=[("recruitment", "53.03", None), ("transit", "21.71", None), ("exploitation", None, "MY")],
        destination_country="MY",
    )
    w.case_b = make_case(orgs["uptd-2171"], user=w.cw)
    return w


def handover(
    to_org, *, service="health_physical", kind="referral", days=7, reason="Perlu pemeriksaan kesehatan", override=""
):
    return HandoverData(
        to_org=to_org,
        due_date=timezone.localdate() + dt.timedelta(days=days),
        reason=reason,
        kind=kind,
        service_type=service,
        consent_override_reason=override,
    )
