"""Transfers of responsibility and hand-overs across borders."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.cases.models import Case, CaseAccess
from gugus.cases.selectors import access_level_for, case_get_for_user
from gugus.referrals import services
from gugus.referrals.models import Status
from gugus.referrals.selectors import sender_orgs_for

from .conftest import handover
from .factories import make_case

pytestmark = pytest.mark.django_db


def _transfer(actor, case, to_org, **kw):
    return services.referral_send(
        actor=actor, case=case, data=handover(to_org, kind="transfer", service="social_reintegration", **kw)
    )


def test_transfer_takes_effect_only_on_accept(w):
    kupang = w.orgs["uptd-5371"]
    ref = _transfer(w.cw, w.case_a, kupang)
    case = Case.objects.get(pk=w.case_a.pk)
    assert case.owner_org == w.orgs["uptd-2171"] and case.region_id == "21.71"
    with pytest.raises(Http404):
        case_get_for_user(w.p.cw_kupang, case.pk)
    version = case.version

    services.referral_accept(actor=w.p.cw_kupang, referral=ref)
    case.refresh_from_db()
    assert case.owner_org == kupang and case.region_id == "53.71"
    assert case.version == version + 1 and case.updated_by == w.p.cw_kupang
    grants = {(g.organisation_id, g.level) for g in CaseAccess.objects.filter(case=case, revoked_at__isnull=True)}
    assert grants == {(kupang.pk, "full"), (w.orgs["uptd-2171"].pk, "read")}
    assert case_get_for_user(w.p.cw_kupang, case.pk) == case
    # the new owner may now refer; the former owner no longer may
    assert sender_orgs_for(w.p.cw_kupang, case) == [kupang]
    assert sender_orgs_for(w.cw, case) == []


def test_chain_of_transfers_leaves_former_owner_read_only(w):
    kupang = w.orgs["uptd-5371"]
    indramayu = w.orgs["uptd-3212"]
    t1 = _transfer(w.cw, w.case_a, kupang)
    services.referral_accept(actor=w.p.cw_kupang, referral=t1)
    case = Case.objects.get(pk=w.case_a.pk)
    t2 = _transfer(w.p.cw_kupang, case, indramayu)
    services.referral_accept(actor=w.p.cw_a, referral=t2)
    case.refresh_from_db()
    assert case.owner_org == indramayu and case.region_id == "32.12"
    active = {(g.organisation_id, g.level) for g in CaseAccess.objects.filter(case=case, revoked_at__isnull=True)}
    assert active == {(indramayu.pk, "full"), (kupang.pk, "read"), (w.orgs["uptd-2171"].pk, "read")}
    assert access_level_for(w.p.cw_kupang, case) == "read"
    with pytest.raises(ValidationError):
        services.referral_send(
            actor=w.p.cw_kupang, case=case, data=handover(w.orgs["lsm-5371"], service="social_reintegration")
        )


def test_transfer_bad_input(w):
    with pytest.raises(ValidationError) as exc:
        _transfer(w.cw, w.case_a, w.orgs["rs-2171"])
    assert "pengalihan" in exc.value.message_dict["to_org"][0]
    ref = _transfer(w.cw, w.case_a, w.orgs["uptd-5371"])
    with pytest.raises(ValidationError) as exc:
        _transfer(w.cw, w.case_a, w.orgs["uptd-3212"])
    assert "kind" in exc.value.message_dict
    services.referral_accept(actor=w.p.cw_kupang, referral=ref)
    with pytest.raises(ValidationError):
        services.referral_complete(actor=w.p.cw_kupang, referral=ref)
    with pytest.raises(ValidationError):
        services.referral_cancel(actor=w.cw, referral=ref, reason="berubah pikiran")
    ref.refresh_from_db()
    assert ref.status == Status.ACCEPTED


def test_transfer_declined_or_cancelled_changes_nothing(w):
    ref = _transfer(w.cw, w.case_a, w.orgs["uptd-5371"])
    services.referral_decline(actor=w.p.cw_kupang, referral=ref, reason="Korban bukan warga Kota Kupang")
    ref2 = _transfer(w.cw, w.case_a, w.orgs["uptd-3212"])
    services.referral_cancel(actor=w.cw, referral=ref2, reason="Korban memilih tetap di Batam")
    case = Case.objects.get(pk=w.case_a.pk)
    assert case.owner_org == w.orgs["uptd-2171"]
    assert not CaseAccess.objects.filter(case=case).exists()


def test_foreign_victim_repatriated_to_embassy_or_iom(w):
    from gugus.accounts.models import Organisation

    vn = Organisation.objects.create(
        name="Kedutaan Besar Vietnam (uji)", org_type_id="org_type.foreign_embassy", region_id="31.71", country_id="VN"
    )
    th = Organisation.objects.create(
        name="Kedutaan Besar Thailand (uji)", org_type_id="org_type.foreign_embassy", region_id="31.71", country_id="TH"
    )
    case = make_case(w.orgs["uptd-2171"], user=w.cw, foreign=True, citizenship="VN")
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=case, data=handover(w.orgs["kbri-kl"], service="repatriation"))
    assert "WNA" in exc.value.message_dict["to_org"][0]
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=case, data=handover(th, service="repatriation"))
    assert "negara lain" in exc.value.message_dict["to_org"][0]
    ref = services.referral_send(actor=w.cw, case=case, data=handover(vn, service="repatriation"))
    assert ref.to_org == vn
    ref2 = services.referral_send(actor=w.cw, case=case, data=handover(w.orgs["iom"], service="repatriation"))
    assert ref2.status == Status.SENT
    # An Indonesian victim is never sent to a foreign embassy; the mission abroad takes part like any other.
    with pytest.raises(ValidationError):
        services.referral_send(actor=w.cw, case=w.case_a, data=handover(vn, service="accompaniment"))
    ref3 = services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["kbri-kl"], service="repatriation"))
    assert ref3.to_org.is_abroad


def test_bp2mi_and_immigration_take_part(w):
    ref = services.referral_send(
        actor=w.cw, case=w.case_a, data=handover(w.orgs["bp2mi-6503"], service="economic_empowerment")
    )
    assert ref.status == Status.SENT
    ref = services.referral_send(
        actor=w.cw, case=w.case_a, data=handover(w.orgs["imigrasi-6103"], service="identification_assessment")
    )
    assert ref.status == Status.SENT
