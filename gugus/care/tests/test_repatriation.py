"""Repatriation legs: places, dates, funding, escorts, foreign victims."""

import pytest
from django.core.exceptions import ValidationError

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import RepatriationLeg

from .conftest import days

pytestmark = pytest.mark.django_db


def leg(actor, case, **kw):
    return services.repatriation_leg_create(actor=actor, case=case, **kw)


def test_full_return_chain_fulfils_repatriation_right(personas, make_case, orgs):
    case = make_case(scope="transnational")
    a = leg(
        personas.cw_a,
        case,
        leg_type="abroad_to_debarkation",
        responsible_org=orgs["bp2mi-6503"],
        from_country="MY",
        to_region="65.03",
        status="completed",
        departed_on=days(20),
        arrived_on=days(19),
        cost="3.000.000",
        funding_source="apbn",
        funder_org=orgs["bp2mi-6503"],
    )
    b = leg(
        personas.cw_a,
        case,
        leg_type="province_to_district",
        responsible_org=orgs["dinsos-53"],
        from_region="53",
        to_region="53.71",
        status="planned",
        planned_on=days(-5),
    )
    right = case.rights.get(right_id="right.repatriation")
    assert right.status == "pending"
    services.repatriation_leg_update(
        actor=personas.cw_a,
        leg=b,
        expected_version=b.version,
        status="completed",
        departed_on=days(3),
        arrived_on=days(2),
    )
    right.refresh_from_db()
    assert right.status == "fulfilled" and right.fulfilled_on == days(2)
    abroad = case.rights.get(right_id="right.protection_abroad")
    assert abroad.status == "fulfilled"
    assert AuditEvent.objects.filter(action__startswith="repatriation_leg").count() == 3
    assert a.cost == 3000000


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"leg_type": "abroad_to_debarkation", "from_region": "21.71", "to_region": "21.71"}, "from_country"),
        ({"leg_type": "province_to_district", "from_region": "53", "to_country": "MY"}, "to_country"),
        ({"leg_type": "province_to_district", "from_region": "53"}, "to_region"),
        ({"leg_type": "province_to_district", "from_region": "53", "to_region": "99.99"}, "to_region"),
        (
            {
                "leg_type": "district_to_family",
                "from_region": "53.71",
                "to_region": "53.71",
                "status": "completed",
                "departed_on": days(3),
                "arrived_on": days(4),
            },
            "arrived_on",
        ),
        ({"leg_type": "district_to_family", "from_region": "53.71", "to_region": "53.71", "cost": "-1"}, "cost"),
        (
            {"leg_type": "district_to_family", "from_region": "53.71", "to_region": "53.71", "cost": "20.000.000.000"},
            "cost",
        ),
        (
            {"leg_type": "district_to_family", "from_region": "53.71", "to_region": "53.71", "status": "completed"},
            "arrived_on",
        ),
        (
            {
                "leg_type": "district_to_family",
                "from_region": "53.71",
                "to_region": "53.71",
                "departed_on": days(-1),
                "status": "in_progress",
            },
            "departed_on",
        ),
        ({"leg_type": "foreign_return", "from_region": "21.71", "to_country": "MY"}, "leg_type"),
        ({"leg_type": "nowhere", "from_region": "21.71", "to_region": "21.71"}, "leg_type"),
    ],
)
def test_bad_legs_refused(personas, make_case, orgs, kw, field):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        leg(personas.cw_a, case, responsible_org=orgs["dinsos-5371"], **kw)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not RepatriationLeg.objects.exists()


def test_wrong_agency_type(personas, make_case, orgs):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        leg(
            personas.cw_a,
            case,
            leg_type="district_to_family",
            responsible_org=orgs["pn-2171"],
            from_region="53.71",
            to_region="53.71",
        )
    assert "tidak bertanggung jawab atas pemulangan" in exc.value.message_dict["responsible_org"][0]


def test_escort_required_for_children_and_medical_conditions(personas, make_case, orgs):
    child = make_case(child=True)
    base = {
        "leg_type": "district_to_family",
        "responsible_org": orgs["dinsos-5371"],
        "from_region": "53.71",
        "to_region": "53.71",
    }
    with pytest.raises(ValidationError) as exc:
        leg(personas.cw_a, child, **base)
    assert "anak wajib didampingi" in exc.value.message_dict["escorted"][0]
    g = leg(personas.cw_a, child, escorted=True, escort_org=orgs["uptd-3212"], **base)
    assert g.escort_required and g.escorted
    adult = make_case()
    with pytest.raises(ValidationError) as exc:
        leg(personas.cw_a, adult, medical_condition=True, **base)
    assert "kondisi medis/psikologis" in exc.value.message_dict["escorted"][0]
    psych = make_case(disability="mental")
    with pytest.raises(ValidationError):
        leg(personas.cw_a, psych, **base)
    assert not leg(personas.cw_a, adult, **base).escort_required
    cancelled = leg(personas.cw_a, psych, status="cancelled", **base)
    assert cancelled.escort_required and not cancelled.escorted


def test_foreign_victim_returns_to_their_country(personas, make_case, orgs):
    case = make_case(foreign=True)
    with pytest.raises(ValidationError) as exc:
        leg(
            personas.cw_a,
            case,
            leg_type="foreign_return",
            responsible_org=orgs["iom"],
            from_region="32.12",
            to_country="TH",
        )
    assert "Malaysia" in exc.value.message_dict["to_country"][0]
    g = leg(
        personas.cw_a,
        case,
        leg_type="foreign_return",
        responsible_org=orgs["iom"],
        from_region="32.12",
        to_country="MY",
        status="completed",
        departed_on=days(2),
        arrived_on=days(1),
        escorted=True,
    )
    assert g.to_country_id == "MY"
    assert case.rights.get(right_id="right.foreign_victim_protection").status == "fulfilled"
    wni = make_case()
    assert (
        wni.rights.count() == 0 or wni.rights.get(right_id="right.foreign_victim_protection").status == "not_applicable"
    )
