"""Scope and search: case number, name (hashes), NIK, region subtree (origin or handling), status,
exploitation, dates; keyset paging; capped counts; export iteration."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.cases import selectors
from gugus.cases.models import Case, CaseAccess
from gugus.cases.services import case_change_status
from gugus.cases.tests.helpers import make_nik, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    a = register(personas.cw_a, nik=make_nik(dt.date(2000, 5, 17), "female"), phone="081234567890")
    a2 = register(
        personas.cw_a,
        full_name="Budi Santoso",
        sex="male",
        birth_date=dt.date(1995, 2, 2),
        origin_region="52.03",
        domicile_region="52.03",
        identification_date=dt.date(2025, 7, 1),
        exploitation_forms=["online_scam"],
        destination_country="KH",
    )
    b = register(
        personas.cw_b,
        full_name="Joko Susilo",
        sex="male",
        birth_date=dt.date(1990, 1, 1),
        origin_region="32.01",
        domicile_region="32.01",
    )
    kupang = register(
        personas.cw_kupang,
        full_name="Maria Bere",
        origin_region="53.03",
        domicile_region="53.03",
        birth_date=dt.date(2010, 1, 1),
        guardian_name="Yosef",
    )
    batam = register(
        personas.cw_batam,
        full_name="Made Wirawan",
        sex="male",
        birth_date=dt.date(1999, 9, 9),
        origin_region="51.03",
        domicile_region="51.03",
    )
    return {"a": a, "a2": a2, "b": b, "kupang": kupang, "batam": batam}


def _ids(page):
    return {c.pk for c in page.items}


def test_scope_by_role(personas, world):
    w = world
    assert set(selectors.cases_visible_to(personas.cw_a).values_list("pk", flat=True)) == {w["a"].pk, w["a2"].pk}
    assert set(selectors.cases_visible_to(personas.sv_a).values_list("pk", flat=True)) == {w["a"].pk, w["a2"].pk}
    assert set(selectors.cases_visible_to(personas.cw_b).values_list("pk", flat=True)) == {w["b"].pk}
    # Kab. secretariat 32.12 sees cases handled there; province 32 sees both Jabar kab/kota.
    assert set(selectors.cases_visible_to(personas.gt_kab).values_list("pk", flat=True)) == {w["a"].pk, w["a2"].pk}
    assert set(selectors.cases_visible_to(personas.province).values_list("pk", flat=True)) == {
        w["a"].pk,
        w["a2"].pk,
        w["b"].pk,
    }
    # NTT province sees the Kupang case; Batam police see Batam's.
    assert set(selectors.cases_visible_to(personas.province_ntt).values_list("pk", flat=True)) == {w["kupang"].pk}
    assert set(selectors.cases_visible_to(personas.police).values_list("pk", flat=True)) == {w["batam"].pk}
    assert selectors.cases_visible_to(personas.national).count() == 5
    assert selectors.cases_visible_to(personas.executive).count() == 0
    assert selectors.cases_visible_to(personas.admin).count() == 0
    assert selectors.cases_visible_to(None).count() == 0
    # The hospital sees nothing until a case is referred to it.
    assert selectors.cases_visible_to(personas.provider).count() == 0
    CaseAccess.objects.create(
        case=w["batam"],
        organisation=personas.orgs["rs-2171"],
        level="service",
        source_type="referral",
        source_id=w["batam"].pk,
    )
    assert list(selectors.cases_visible_to(personas.provider).values_list("pk", flat=True)) == [w["batam"].pk]
    assert selectors.can_view_identity(personas.provider, w["batam"])


def test_origin_region_brings_a_case_into_the_origin_province(personas, world):
    # Lombok Timur origin, handled in Indramayu: the NTB view is by origin (no NTB persona; use scope_q directly).
    from gugus.accounts.scope import Grant, Scope

    scope = Scope(
        user_id=1,
        grants=(
            Grant(
                organisation_id=personas.orgs["gt-53"].pk,
                organisation_region="52",
                role="gt_province",
                region_code="52",
                reach="region",
                perms=frozenset({"victim.view"}),
                identity_access=False,
            ),
        ),
    )
    ids = set(Case.objects.filter(selectors.case_scope_q(scope)).values_list("pk", flat=True))
    assert ids == {world["a2"].pk}


def test_get_for_user_is_404_out_of_scope_and_for_garbage(personas, world):
    assert selectors.case_get_for_user(personas.cw_a, world["a"].pk) == world["a"]
    for bad in (world["b"].pk, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Http404):
            selectors.case_get_for_user(personas.cw_a, bad)


def test_identity_rights(personas, world):
    a = world["a"]
    assert selectors.can_view_identity(personas.cw_a, a)
    assert selectors.can_view_identity(personas.sv_a, a)
    assert not selectors.can_view_identity(personas.gt_kab, a)
    assert not selectors.can_view_identity(personas.province, a)
    assert selectors.identity_get_for_user(personas.gt_kab, a) is None
    ident = selectors.identity_get_for_user(personas.cw_a, a)
    assert ident.full_name == "Siti Aminah"
    from gugus.audit.models import AuditEvent

    ev = AuditEvent.objects.filter(action="identity_view").order_by("id").last()
    assert ev.object_id == str(a.victim_id) and "Siti" not in str(ev.detail)


def test_search_by_number_name_nik_phone(personas, world):
    u = personas.cw_a
    a, a2, b = world["a"], world["a2"], world["b"]
    assert _ids(selectors.case_search(u, q=a.case_number)) == {a.pk}
    assert _ids(selectors.case_search(u, q=a.case_number.rsplit("-", 1)[0] + "-1")) == {a.pk}  # unpadded
    assert _ids(selectors.case_search(u, q="3212-2026")) == {a.pk}  # prefix
    assert _ids(selectors.case_search(u, q="aminah")) == {a.pk}
    assert _ids(selectors.case_search(u, q="Santoso Budi")) == {a2.pk}
    assert _ids(selectors.case_search(personas.cw_b, q="Djoko Soesilo")) == {b.pk}  # old spelling finds new
    assert _ids(selectors.case_search(u, q="Nobody Here")) == set()
    assert _ids(selectors.case_search(u, nik=make_nik(dt.date(2000, 5, 17), "female"))) == {a.pk}
    assert _ids(selectors.case_search(u, q=make_nik(dt.date(2000, 5, 17), "female"))) == {a.pk}
    assert _ids(selectors.case_search(u, q="+62 812-3456-7890")) == {a.pk}
    # Out of scope: the Kupang case is never found, whatever is typed.
    assert _ids(selectors.case_search(u, q="Maria Bere")) == set()
    assert _ids(selectors.case_search(u, q=world["kupang"].case_number)) == set()
    assert _ids(selectors.case_search(u, q="Joko Susilo")) == set()


def test_identity_search_needs_identity_rights(personas, world):
    # The province sees the cases but not identities: it may find by case number, not by name.
    assert _ids(selectors.case_search(personas.province, q=world["a"].case_number)) == {world["a"].pk}
    for kw in ({"q": "Siti Aminah"}, {"nik": make_nik(dt.date(2000, 5, 17), "female")}, {"q": "081234567890"}):
        with pytest.raises(ValidationError):
            selectors.case_search(personas.province, **kw)
    # A service provider finds by name only among the cases referred to it.
    CaseAccess.objects.create(
        case=world["batam"],
        organisation=personas.orgs["rs-2171"],
        level="service",
        source_type="referral",
        source_id=world["batam"].pk,
    )
    assert _ids(selectors.case_search(personas.provider, q="Made Wirawan")) == {world["batam"].pk}


def test_filters_region_status_exploitation_dates(personas, world):
    u = personas.national
    w = world
    assert _ids(selectors.case_search(u, region="52")) == {w["a2"].pk}  # origin in NTB
    assert _ids(selectors.case_search(u, region="32.12")) == {w["a"].pk, w["a2"].pk}  # handled in Indramayu
    assert _ids(selectors.case_search(u, region="Kabupaten Bogor")) == {w["b"].pk}
    assert _ids(selectors.case_search(u, region="53")) == {w["kupang"].pk}
    assert _ids(selectors.case_search(u, exploitation="online_scam")) == {w["a2"].pk}
    assert _ids(selectors.case_search(u, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))) == {w["a2"].pk}
    case_change_status(actor=personas.cw_a, case=w["a"], to_status="assessed")
    assert _ids(selectors.case_search(u, status="assessed")) == {w["a"].pk}
    assert _ids(selectors.case_search(u, status="assessed,registered")) == {c.pk for c in w.values()}
    assert _ids(selectors.case_search(u, child=True)) == {w["kupang"].pk}
    for bad in (
        {"status": "nope"},
        {"exploitation": "nope"},
        {"region": "Atlantis"},
        {"sort": "x"},
        {"limit": 0},
        {"limit": 1000},
        {"offset": -1},
        {"cursor": "garbage!"},
        {"nik": "123"},
        {"date_from": dt.date(2026, 1, 2), "date_to": dt.date(2026, 1, 1)},
    ):
        with pytest.raises(ValidationError):
            selectors.case_search(u, **bad)


def test_keyset_paging_visits_every_case_once_in_order(personas, world):
    for i in range(7):
        register(personas.cw_a, full_name=f"Korban Uji {i}", identification_date=dt.date(2024, 1, 1 + i))
    u = personas.cw_a
    for sort in selectors.SORTS:
        seen, cursor = [], None
        while True:
            page = selectors.case_search(u, sort=sort, limit=3, cursor=cursor)
            seen.extend(c.case_number for c in page.items)
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert len(seen) == len(set(seen)) == 9
        full = [c.case_number for c in selectors.case_search(u, sort=sort, limit=50).items]
        assert seen == full
    page = selectors.case_search(u, limit=3, offset=3)
    assert len(page.items) == 3 and page.count == 9 and not page.count_capped


def test_count_is_capped(personas, world, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    page = selectors.case_search(personas.national, limit=2)
    assert page.count == 1 and page.count_capped and page.count_label == "1+"


def test_export_iterates_in_chunks_without_identity(personas, world):
    rows = [selectors.case_export_row(c) for c in selectors.cases_for_export(personas.province, chunk=2)]
    assert len(rows) == 3
    assert all("full_name" not in r and "nik" not in r for r in rows)
    assert {r["case_number"] for r in rows} == {world[k].case_number for k in ("a", "a2", "b")}
    assert rows[0]["route"] and rows[0]["exploitation_forms"]
    assert list(selectors.cases_for_export(personas.executive)) == []


def test_victims_visible_without_duplicates(personas, world):
    from gugus.cases.services import victim_merge

    victim_merge(actor=personas.sv_a, source_case=world["a"], target_case=world["a2"], reason="sama")
    assert selectors.victims_visible_to(personas.cw_a).count() == 1


@pytest.mark.parametrize("persona", ["national", "province", "cw_a"])
def test_large_results_are_paged_by_the_database(personas, world, monkeypatch, persona):
    """Above the count cap the page comes from the database's ordered merge of the scope's
    members (offset and cursor), and matches the in-memory order of a small result."""
    for i in range(4):
        register(personas.cw_a, full_name=f"Korban Besar {i}", identification_date=dt.date(2024, 2, 1 + i))
    u = getattr(personas, persona)
    for sort in selectors.SORTS:
        full = [c.pk for c in selectors.case_search(u, sort=sort, limit=50).items]
        assert len(full) >= 3
        monkeypatch.setattr(selectors, "COUNT_CAP", 1)
        for offset in range(0, len(full) + 1):
            page = selectors.case_search(u, sort=sort, limit=1, offset=offset)
            assert [c.pk for c in page.items] == full[offset : offset + 1]
            assert page.has_more == (offset < len(full) - 1)
        seen, cursor = [], None
        while True:
            page = selectors.case_search(u, sort=sort, limit=2, cursor=cursor)
            assert page.count_capped
            seen.extend(c.pk for c in page.items)
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert seen == full
        monkeypatch.setattr(selectors, "COUNT_CAP", 1000)


@pytest.mark.parametrize("rare_max", [0, 3000])
def test_exploitation_filter_same_answer_from_either_plan(personas, world, monkeypatch, rare_max):
    """A rare form is searched from its own index, a common one through the scope's members."""
    monkeypatch.setattr(selectors, "RARE_FORM_MAX", rare_max)
    for persona in ("cw_a", "province", "national"):
        u = getattr(personas, persona)
        got = _ids(selectors.case_search(u, exploitation="online_scam"))
        assert got == {c.pk for c in selectors.cases_visible_to(u) if "|online_scam|" in c.exploitation_codes}
    assert _ids(selectors.case_search(personas.cw_a, exploitation="online_scam")) == {world["a2"].pk}
