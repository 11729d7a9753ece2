"""Small-cell suppression with complementary suppression for two-way tables with margins.

A table of counts `cells[i][j]` is published with its row totals, column totals and grand
total. Seen as one (I+1)×(J+1) array (margins in the last row and column), every row and every
column is an equation "the cells add up to the total". A suppressed cell could be recovered if
those equations, and the fact that counts are ≥ 0, pin it to one value.

The rule used here (the "cycle" argument for two-way tables):
1. Primary suppression: every cell, margins included, with 1 ≤ n < k.
2. The suppressed cells form a bipartite graph (row lines × column lines). A suppressed cell
   that lies on no cycle of that graph (a bridge) is determined by the equations, so for each
   such cell a rectangle of cells through it is suppressed as well, choosing the cheapest
   rectangle of non-zero, non-fixed cells. Repeat until no bridge is left.
3. Every suppressed cell is ≥ 1 and lies on a cycle, so moving ±1 around that cycle gives
   another table with the same published values and non-negative counts: no suppressed cell
   has a unique value. `recoverable_cells` checks this by brute force in the tests.

`fixed` cells are never suppressed (margins shared with other published tables, which must
stay consistent so tables cannot be combined to undo each other's suppression).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

Cell = tuple[int, int]


def extended(cells: list[list[int]]) -> list[list[int]]:
    """The table with its row totals (last column), column totals (last row) and grand total."""
    rows = [list(r) + [sum(r)] for r in cells]
    ncols = len(cells[0]) if cells else 0
    totals = [sum(r[j] for r in rows) for j in range(ncols + 1)]
    return rows + [totals]


def _bridges(suppressed: set[Cell], nrows: int, ncols: int) -> list[Cell]:
    """Cells of `suppressed` lying on no cycle of the row-line/column-line graph (Tarjan)."""
    adj: dict[tuple[str, int], list[tuple[tuple[str, int], Cell]]] = {}
    for i, j in suppressed:
        a, b = ("r", i), ("c", j)
        adj.setdefault(a, []).append((b, (i, j)))
        adj.setdefault(b, []).append((a, (i, j)))
    disc: dict = {}
    low: dict = {}
    out: list[Cell] = []
    counter = itertools.count()
    for root in sorted(adj):
        if root in disc:
            continue
        disc[root] = low[root] = next(counter)
        stack = [(root, None, iter(adj[root]))]
        while stack:
            node, via, it = stack[-1]
            advanced = False
            for nxt, edge in it:
                if edge == via:
                    continue
                if nxt not in disc:
                    disc[nxt] = low[nxt] = next(counter)
                    stack.append((nxt, edge, iter(adj[nxt])))
                    advanced = True
                    break
                low[node] = min(low[node], disc[nxt])
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > disc[parent]:
                    out.append(via)
    return sorted(out)


def suppress(cells: list[list[int]], k: int, *, fixed: Iterable[Cell] = ()) -> set[Cell]:
    """The set of suppressed positions in the extended table (margins included)."""
    ext = extended(cells)
    nrows, ncols = len(ext), len(ext[0]) if ext else 0
    fixed = set(fixed)
    sup: set[Cell] = {(i, j) for i in range(nrows) for j in range(ncols) if 1 <= ext[i][j] < k and (i, j) not in fixed}
    if any(1 <= ext[i][j] < k for (i, j) in fixed if i < nrows and j < ncols):
        raise ValueError("Sel tetap (marginal bersama) di bawah ambang; tabel tidak dapat diterbitkan.")
    guard = nrows * ncols + 1
    while guard:
        guard -= 1
        bridges = _bridges(sup, nrows, ncols)
        if not bridges:
            return sup
        i, j = bridges[0]
        best = None
        for j2 in range(ncols):
            if j2 == j:
                continue
            a = (i, j2)
            if a not in sup and (a in fixed or ext[i][j2] < 1):
                continue
            for i2 in range(nrows):
                if i2 == i:
                    continue
                b, c = (i2, j), (i2, j2)
                if any(x not in sup and (x in fixed or ext[x[0]][x[1]] < 1) for x in (b, c)):
                    continue
                cost = sum(ext[x[0]][x[1]] for x in (a, b, c) if x not in sup)
                new = sum(1 for x in (a, b, c) if x not in sup)
                key = (cost, new, i2, j2)
                if best is None or key < best[0]:
                    best = (key, (a, b, c))
        if best is None:
            raise ValueError("Penyembunyian pelengkap tidak menemukan sel pengganti.")
        sup.update(best[1])
    raise RuntimeError("suppression did not converge")


def publish(cells: list[list[int]], k: int, *, fixed: Iterable[Cell] = ()) -> list[list[int | None]]:
    """The extended table with suppressed cells as None."""
    ext = extended(cells)
    sup = suppress(cells, k, fixed=fixed)
    return [[None if (i, j) in sup else v for j, v in enumerate(row)] for i, row in enumerate(ext)]


def primary_only(ext: list[list[int]], k: int) -> list[list[int | None]]:
    return [[None if 1 <= v < k else v for v in row] for row in ext]


def recoverable_cells(published: list[list[int | None]], *, bound: int | None = None) -> set[Cell]:
    """Brute force: search the non-negative integer fillings of the suppressed cells that
    satisfy every published row and column equation (with propagation: a line with one unknown
    fixes it); return the suppressed cells that take one value only. For small test tables."""
    nrows, ncols = len(published), len(published[0])
    unknown = [(i, j) for i in range(nrows) for j in range(ncols) if published[i][j] is None]
    if not unknown:
        return set()
    known_max = max((v for row in published for v in row if v is not None), default=0)
    bound = bound if bound is not None else max(known_max, 1)
    lines = [[(i, j) for j in range(ncols)] for i in range(nrows)] + [
        [(i, j) for i in range(nrows)] for j in range(ncols)
    ]
    seen: dict[Cell, set[int]] = {c: set() for c in unknown}

    def solve(grid: dict[Cell, int]) -> dict[Cell, int] | None:
        grid = dict(grid)
        changed = True
        while changed:
            changed = False
            for line in lines:
                *members, total = line
                vals = [grid.get(c) for c in members]
                tv = grid.get(total)
                missing = [c for c, v in zip(members, vals, strict=True) if v is None] + ([total] if tv is None else [])
                if not missing:
                    if sum(vals) != tv:
                        return None
                    continue
                known = sum(v for v in vals if v is not None)
                if tv is not None and known > tv:
                    return None
                if len(missing) == 1:
                    c = missing[0]
                    value = known if c == total else tv - known
                    if value < 0 or value > bound:
                        return None
                    grid[c] = value
                    changed = True
        return grid

    def upper(grid: dict[Cell, int], cell: Cell) -> int:
        ub = bound
        for line in lines:
            if cell not in line:
                continue
            *members, total = line
            tv = grid.get(total)
            if cell != total and tv is not None:
                ub = min(ub, tv - sum(grid.get(c) or 0 for c in members if c != cell))
        return ub

    def done() -> bool:
        return all(len(v) > 1 for v in seen.values())

    def rec(grid: dict[Cell, int]) -> None:
        if done():
            return
        grid = solve(grid)
        if grid is None:
            return
        free = [c for c in unknown if c not in grid]
        if not free:
            for c in unknown:
                seen[c].add(grid[c])
            return
        cell = min(free, key=lambda c: upper(grid, c))
        for v in range(max(-1, upper(grid, cell)) + 1):
            rec({**grid, cell: v})
            if done():
                return

    start = {(i, j): published[i][j] for i in range(nrows) for j in range(ncols) if published[i][j] is not None}
    rec(start)
    return {c for c, vs in seen.items() if len(vs) == 1}
