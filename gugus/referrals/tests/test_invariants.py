"""Property test: whatever sequence of actions (valid or not) hits a hand-over, the access it
grants always matches its state, and it never widens access beyond the one case."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gugus.cases.models import Case, CaseAccess
from gugus.cases.selectors import cases_visible_to
from gugus.referrals import services
from gugus.referrals.models import Status

from .conftest import handover

pytestmark = pytest.mark.django_db

ACTIONS = ["accept", "decline", "complete", "cancel"]
ACTORS = ["receiver", "sender", "stranger"]


class _Rollback(Exception):
    pass


def _expected_grants(kind: str, status: str) -> set[str]:
    if kind == "transfer":
        return {"full"} if status == Status.ACCEPTED else set()
    return {Status.ACCEPTED: {"service"}, Status.COMPLETED: {"read"}}.get(status, set())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["referral", "transfer"]),
    steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS)), max_size=5),
)
def test_access_always_matches_state(w, kind, steps):
    receiver_key = "uptd-5371" if kind == "transfer" else "rs-2171"
    receiver_org = w.orgs[receiver_key]
    actors = {"receiver": w.p.cw_kupang if kind == "transfer" else w.p.provider, "sender": w.cw, "stranger": w.p.cw_a}
    try:
        with transaction.atomic():
            ref = services.referral_send(
                actor=w.cw,
                case=w.case_a,
                data=handover(
                    receiver_org, kind=kind, service="social_reintegration" if kind == "transfer" else "health_physical"
                ),
            )
            for action, who in steps:
                fn = getattr(services, f"referral_{action}")
                kwargs = {"reason": "alasan uji"} if action in ("decline", "cancel") else {}
                with contextlib.suppress(ValidationError):
                    fn(actor=actors[who], referral=ref, **kwargs)
                ref.refresh_from_db()
                active = set(
                    CaseAccess.objects.filter(
                        case=w.case_a, organisation=receiver_org, revoked_at__isnull=True
                    ).values_list("level", flat=True)
                )
                assert active == _expected_grants(kind, ref.status)
                # never any grant on the sender's other case, never a grant to a stranger
                assert not CaseAccess.objects.filter(case=w.case_b).exists()
                assert not CaseAccess.objects.filter(organisation=w.orgs["uptd-3212"]).exists()
                visible = set(cases_visible_to(actors["receiver"]).values_list("pk", flat=True))
                assert w.case_b.pk not in visible
                assert (w.case_a.pk in visible) == bool(active)
                owner = Case.objects.get(pk=w.case_a.pk).owner_org_id
                assert owner == (
                    receiver_org.pk if kind == "transfer" and ref.status == Status.ACCEPTED else w.orgs["uptd-2171"].pk
                )
                assert [h.to_status for h in ref.history.all()][-1] == ref.status
            raise _Rollback
    except _Rollback:
        pass
