"""The reader of a release, as a linear programme: what a person who sees everything a release shows
knows about its hidden counts (dashboard/privacy/auditor.py states why and what follows), and HiGHS
solving for the lowest and highest value of each.

- a shown count is exact (a constant); a mark is a bound: "<11" is 1..10, "suppressed" is 11 or
  more, a count never shown is 0 or more; no count is above all the release's counts together;
- every sum a reader can check holds (CellSet.line), every chain of shrinking counts holds (CellSet.chain).
The unknowns split into independent parts (hidden cells linked by constraints); each part is one model,
solved again for each objective from the last basis."""

from __future__ import annotations

import os
import sys
import threading
from collections import defaultdict
from collections.abc import Hashable, Iterator

import highspy
import numpy as np

from dashboard.privacy.cells import WITHHELD, CellSet

INF = highspy.kHighsInf
TOLERANCE = 1e-6
SWEEPS = 6


class System:
    """The reader's constraints over the hidden cells: rows of {cell: coefficient} with bounds."""

    def __init__(self, cells: CellSet, marks: dict, threshold: int) -> None:
        self.values = cells.values
        # "<11": 1 to 10; "suppressed": 11 or more; withheld or never shown: any count
        self.lower = {
            k: (1.0 if m.startswith("<") else 0.0 if m in ("", WITHHELD) else threshold + 1.0) for k, m in marks.items()
        }
        # no count of a release is above all its counts together: a bound any reader has, which keeps every
        # objective bounded
        ceiling = sum(v for v in self.values.values() if v > 0)
        self.upper = {k: (float(threshold) if m.startswith("<") else ceiling) for k, m in marks.items()}
        self.rows: list[tuple[dict, float, float]] = []
        for members, total in cells.lines:
            coef: dict = defaultdict(float)
            rhs = 0.0
            for k in members:
                if k in marks:
                    coef[k] += 1.0
                else:
                    rhs -= self.values[k]
            if total in marks:
                coef[total] -= 1.0
            else:
                rhs += self.values[total]
            if coef:
                self.rows.append((dict(coef), rhs, rhs))
        for keys in cells.chains:
            for above, below in zip(keys, keys[1:]):
                if above in marks and below in marks:
                    self.rows.append(({below: 1.0, above: -1.0}, -INF, 0.0))
                elif below in marks:
                    self.upper[below] = min(self.upper[below], self.values[above])
                elif above in marks:
                    self.lower[above] = max(self.lower[above], self.values[below])
        for coef, low, high in self.rows:  # a row of one unknown is a bound on it
            if len(coef) == 1:
                ((k, a),) = coef.items()
                bounds = sorted((low / a, high / a))
                self.lower[k] = max(self.lower[k], bounds[0])
                self.upper[k] = min(self.upper[k], bounds[1])
        self.rows = [r for r in self.rows if len(r[0]) > 1]

    def parts(self) -> list[list[Hashable]]:
        """The hidden cells in groups that share no constraint."""
        parent = {k: k for k in self.lower}

        def root(k):
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for coef, _, _ in self.rows:
            first, *rest = coef
            for k in rest:
                parent[root(k)] = root(first)
        groups: dict = defaultdict(list)
        for k in parent:
            groups[root(k)].append(k)
        return list(groups.values())


def models(system: System, wanted) -> Iterator[Part]:
    """A solver model for each independent part holding any of the wanted cells."""
    rows_by_cell: dict = defaultdict(list)
    for r, row in enumerate(system.rows):
        for k in row[0]:
            rows_by_cell[k].append(r)
    for keys in system.parts():
        if any(k in wanted for k in keys):
            rows = sorted({r for k in keys for r in rows_by_cell[k]})
            yield Part(system, keys, [system.rows[r] for r in rows])


_first = threading.Lock()
_announced = False


def _highs() -> highspy.Highs:
    """A solver. HiGHS prints its banner on standard output the first time one is made in a process:
    that one is made with standard output closed, as commands write their results there."""
    global _announced
    with _first:
        if _announced:
            return highspy.Highs()
        sys.stdout.flush()
        saved, quiet = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        try:
            return highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(quiet)
            _announced = True


class Part:
    """One group of linked hidden cells as a HiGHS model, re-solved for each objective."""

    def __init__(self, system: System, keys: list, rows: list) -> None:
        self.keys, self.index = keys, {k: i for i, k in enumerate(keys)}
        self.lower = np.array([system.lower[k] for k in keys])
        self.upper = np.array([system.upper[k] for k in keys])
        self.highs = _highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")  # each objective starts from the last basis,
        self.highs.setOptionValue("simplex_strategy", 4)  # which stays feasible: primal simplex (3x faster here)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(keys), len(rows)
        lp.col_cost_ = np.zeros(len(keys))
        lp.col_lower_, lp.col_upper_ = self.lower, self.upper
        lp.row_lower_ = np.array([r[1] for r in rows], dtype=float)
        lp.row_upper_ = np.array([r[2] for r in rows], dtype=float)
        starts, index, value = [0], [], []
        columns: list[list] = [[] for _ in keys]
        for r, (coef, _, _) in enumerate(rows):
            for k, a in coef.items():
                columns[self.index[k]].append((r, a))
        for entries in columns:
            index += [r for r, _ in entries]
            value += [a for _, a in entries]
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, value
        self.highs.passModel(lp)
        self.solves = 0

    def _solve(self, cost: np.ndarray):
        """Solve for this cost from the last basis; when that ends without an answer (HiGHS reports
        'Unknown' at times on a degenerate basis), once more from scratch with presolve."""
        self.highs.changeColsCost(len(self.keys), np.arange(len(self.keys), dtype=np.int32), cost)
        self.highs.run()
        self.solves += 1
        status = self.highs.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded):
            self.highs.clearSolver()
            self.highs.setOptionValue("presolve", "on")
            self.highs.setOptionValue("simplex_strategy", 1)
            self.highs.run()
            self.solves += 1
            self.highs.setOptionValue("presolve", "off")
            self.highs.setOptionValue("simplex_strategy", 4)
            status = self.highs.getModelStatus()
        return status

    def pushed(self, cost: np.ndarray) -> np.ndarray | None:
        """A solution minimising the cost (bounded: every count is at most `ceiling`); None without one."""
        if self._solve(cost) != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(self.highs.getSolution().col_value)

    def extreme(self, key, sense: int) -> np.ndarray | None:
        """A solution where one cell takes its smallest (sense 1) or largest (sense -1) value; None
        when that is unbounded. Unsolved: raises Unsolved (the caller counts the cell as exposed)."""
        cost = np.zeros(len(self.keys))
        cost[self.index[key]] = sense
        status = self._solve(cost)
        if status == highspy.HighsModelStatus.kUnbounded:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise Unsolved(self.highs.modelStatusToString(status))
        return np.array(self.highs.getSolution().col_value)


class Unsolved(RuntimeError):
    """HiGHS found no answer for one objective: nothing can be said of that bound."""
