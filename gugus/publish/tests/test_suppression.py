"""Small-cell and complementary suppression: no published cell below the threshold, and no
suppressed cell recoverable from the totals (brute force)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gugus.publish import suppression

K = 11


def _check(cells, fixed=()):
    published = suppression.publish(cells, K, fixed=fixed)
    flat = [v for row in published for v in row]
    assert all(v is None or v == 0 or v >= K for v in flat)
    return published


def test_textbook_example_needs_complementary_cells():
    cells = [[3, 20, 15], [25, 30, 12], [14, 16, 40]]
    published = _check(cells)
    assert published[0][0] is None
    # at least one more cell in row 0 and in column 0 is withheld
    assert sum(v is None for v in published[0]) >= 2
    assert sum(published[i][0] is None for i in range(len(published))) >= 2
    assert suppression.recoverable_cells(published, bound=60) == set()


def test_small_margin_is_protected_too():
    cells = [[2, 3], [20, 30]]
    published = _check(cells)
    assert published[0][2] is None  # row total 5
    assert suppression.recoverable_cells(published, bound=60) == set()


def test_fixed_margins_are_never_withheld():
    cells = [[1, 12, 0], [15, 2, 30], [20, 25, 3]]
    n, m = 3, 3
    fixed = {(n, j) for j in range(m + 1)}
    published = _check(cells, fixed)
    assert all(published[n][j] is not None for j in range(m + 1))
    assert suppression.recoverable_cells(published, bound=80) == set()


def test_primary_only_hides_small_values():
    assert suppression.primary_only([[0, 1, 10, 11]], K) == [[0, None, None, 11]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.integers(0, 14), min_size=2, max_size=3), min_size=2, max_size=3).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_no_suppressed_cell_can_be_recovered(cells):
    published = _check(cells)
    assert suppression.recoverable_cells(published, bound=max(sum(map(sum, cells)), 1)) == set()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=1, max_size=8).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_never_a_cell_below_threshold(cells):
    _check(cells)


def test_brute_force_finds_a_cell_that_primary_suppression_alone_leaves_open():
    cells = [[3, 20, 15], [25, 30, 12], [14, 16, 40]]
    exposed = suppression.primary_only(suppression.extended(cells), K)
    assert (0, 0) in suppression.recoverable_cells(exposed, bound=60)
