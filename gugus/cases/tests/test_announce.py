"""Monitoring is told about every analytics cell a write touches: the cell a case leaves (old
identification month, old origin, old closing month) as well as the one it enters."""

import datetime as dt

import pytest

from gugus.cases import services
from gugus.cases.tests.helpers import register
from gugus.core.signals import record_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    got: list[tuple[str, str | None, tuple[int, int]]] = []

    def receiver(sender=None, kind="", region_code=None, date=None, **kw):
        got.append((kind, region_code, (date.year, date.month)))

    record_changed.connect(receiver, dispatch_uid="test_announce")
    yield got
    record_changed.disconnect(dispatch_uid="test_announce")


def test_register_announces_handling_and_origin_cells(personas, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(personas.cw_a, origin_region="52.03", domicile_region="52.03", identification_date=dt.date(2025, 4, 9))
    assert set(announced) == {("case", "32.12", (2025, 4)), ("case", "52.03", (2025, 4))}


def test_edit_announces_old_and_new_cell(personas, announced, django_capture_on_commit_callbacks):
    case = register(personas.cw_a, identification_date=dt.date(2024, 1, 10))
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.victim_update(
            actor=personas.cw_a,
            case=case,
            changes={"identification_date": dt.date(2025, 3, 5), "origin_region": "53.71"},
            expected_version=case.version,
        )
    cells = set(announced)
    assert ("case", "32.12", (2024, 1)) in cells  # the month the case left
    assert ("case", "32.12", (2025, 3)) in cells  # the month it entered
    assert ("case", "53.71", (2025, 3)) in cells  # the new origin
    assert all(kind == "case" for kind, _r, _m in cells)
    assert len(announced) == len(cells)  # once per cell


def test_closing_and_reopening_announce_the_closing_month(personas, announced, django_capture_on_commit_callbacks):
    case = register(personas.cw_a, identification_date=dt.date(2024, 1, 10))
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_change_status(
            actor=personas.cw_a, case=case, to_status="closed", closure_reason="other", reason="selesai"
        )
    today = dt.date.today()
    assert ("case", "32.12", (today.year, today.month)) in announced
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_change_status(actor=personas.cw_a, case=case, to_status="registered", reason="dibuka lagi")
    assert ("case", "32.12", (today.year, today.month)) in announced  # the closing cell it leaves
    assert ("case", "32.12", (2024, 1)) in announced


def test_merge_and_unmerge_announce_every_cell_of_both_records(personas, announced, django_capture_on_commit_callbacks):
    a = register(personas.cw_a, identification_date=dt.date(2024, 1, 10))
    b = register(personas.cw_a, identification_date=dt.date(2025, 6, 1), origin_region="52.03")
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merge = services.victim_merge(actor=personas.sv_a, source_case=b, target_case=a, reason="sama")
    expected = {("case", "32.12", (2024, 1)), ("case", "32.12", (2025, 6)), ("case", "52.03", (2025, 6))}
    assert expected <= set(announced)
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.victim_unmerge(actor=personas.sv_a, merge=merge)
    assert expected <= set(announced)
