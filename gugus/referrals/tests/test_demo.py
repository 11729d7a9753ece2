"""The demo builds realistic hand-over chains across regions and borders, through the services."""

import pytest

from gugus.cases.models import Case, CaseAccess
from gugus.core.demo import DemoContext
from gugus.referrals.models import ActionItem, Meeting, Referral, Status, open_q

pytestmark = pytest.mark.django_db


def test_demo_chains(demo_accounts, mailoutbox):
    from gugus.referrals import demo

    ctx = DemoContext(seed=3, victims=40)
    ctx.orgs.update(demo_accounts.orgs)
    ctx.users.update(demo_accounts.users)
    demo.populate(ctx)
    refs = Referral.objects.filter(is_demo=True).select_related("to_org", "from_org", "case")
    assert refs.count() >= 15
    regions = {r.to_org.region_id.split(".")[0] for r in refs} | {r.from_org.region_id.split(".")[0] for r in refs}
    assert {"21", "53", "32", "65"} <= regions
    statuses = set(refs.values_list("status", flat=True))
    assert {Status.SENT, Status.ACCEPTED, Status.COMPLETED} <= statuses
    assert refs.filter(open_q(), due_date__lt=ctx.today).exists()  # overdue
    # transfers moved cases to the receiver, who holds full access; senders keep read
    for t in refs.filter(kind="transfer", status=Status.ACCEPTED):
        assert CaseAccess.objects.filter(source_id=t.pk, organisation=t.to_org, level="full").exists()
    assert (
        Case.objects.filter(owner_org=ctx.orgs["uptd-5371"], registering_org=ctx.orgs["uptd-2171"]).exists()
        or Case.objects.filter(owner_org=ctx.orgs["uptd-5371"]).exists()
    )
    # across borders: KBRI sends, a foreign victim goes to IOM / her embassy
    assert refs.filter(from_org=ctx.orgs["kbri-kl"]).exists()
    assert refs.filter(service_type="service_type.repatriation", to_org__org_type="org_type.foreign_embassy").exists()
    assert refs.filter(service_type="service_type.repatriation", to_org=ctx.orgs["iom"]).exists()
    assert Meeting.objects.filter(is_demo=True).count() >= 6
    assert ActionItem.objects.filter(status__in=["open", "in_progress"], deadline__lt=ctx.today).exists()
    assert mailoutbox == []  # the demo sends no mail
    assert ctx.log[-1].endswith("rapat koordinasi")
