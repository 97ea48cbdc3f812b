"""Callaway and Sant'Anna aggregations of group-time effects, as R's ``did::aggte``.

Each aggregation is a weighted mean of ATT(g, t) cells with its influence function (the
cells' influence functions, plus the influence of estimating the cohort-share weights where
R's ``did`` adds it, its ``wif``), so that one set of influence functions gives the analytic
standard errors and the multiplier bootstrap of every aggregate at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _year(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _wif(keep: np.ndarray, pg: np.ndarray, cell_group: np.ndarray,
         g_of: np.ndarray) -> np.ndarray:
    """Influence of estimating the cohort-share weights (R did's ``wif``)."""
    member = (g_of[:, None] == cell_group[keep][None, :]).astype("float64")
    pk = pg[keep]
    s = pk.sum()
    if1 = (member - pk) / s
    if2 = (member - pk).sum(axis=1, keepdims=True) * (pk / s**2)[None, :]
    return np.asarray(if1 - if2)


def _aggregate(att: np.ndarray, inf: np.ndarray, keep: np.ndarray, weights: np.ndarray,
               wif: np.ndarray | None) -> tuple[float, np.ndarray]:
    """Weighted mean of the ``keep`` cells and its influence function."""
    w = weights / weights.sum()
    est = float(att[keep] @ w)
    agg_inf = inf[:, keep] @ w
    if wif is not None:
        agg_inf = agg_inf + wif @ att[keep]
    return est, np.asarray(agg_inf)


Estimate = tuple[str, dict[str, Any], np.ndarray]  # aggregation, labels, influence function


class _Cells:
    """The group-time cells and what every aggregation needs from them."""

    def __init__(self, cells: pd.DataFrame, inf: np.ndarray, g_of: np.ndarray) -> None:
        self.cells, self.inf, self.g_of = cells, inf, g_of
        self.att = cells["estimate"].to_numpy(dtype="float64")
        self.group = cells["group"].to_numpy(dtype="float64")
        self.time = cells["time"].to_numpy(dtype="float64")
        self.event_time = cells["event_time"].to_numpy()
        self.pg_by_group = {g: float(np.mean(g_of == g)) for g in np.unique(self.group)}
        self.pg = np.array([self.pg_by_group[g] for g in self.group])
        self.post = self.group <= self.time
        self.groups = np.array(sorted(self.pg_by_group))

    def aggregate(self, keep: np.ndarray, with_wif: bool = True) -> tuple[float, np.ndarray]:
        """Cohort-size weighted mean of the ``keep`` cells and its influence function."""
        wif = _wif(keep, self.pg, self.group, self.g_of) if with_wif else None
        return _aggregate(self.att, self.inf, keep, self.pg[keep], wif)


def _cell_estimates(c: _Cells) -> list[Estimate]:
    out: list[Estimate] = []
    for i, r in enumerate(c.cells.to_dict(orient="records")):
        label = dict(term=f"ATT({_year(r['group'])},{_year(r['time'])})",
                     estimate=float(c.att[i]), group=r["group"], time=r["time"],
                     event_time=int(r["event_time"]), reference=bool(r["reference"]))
        out.append(("att_gt", label, c.inf[:, i]))
    return out


def _simple_estimates(c: _Cells) -> list[Estimate]:
    """Post-treatment cells weighted by cohort size."""
    est, ainf = c.aggregate(c.post)
    return [("simple", dict(term="overall_simple", estimate=est), ainf)]


def _group_estimates(c: _Cells) -> list[Estimate]:
    """Mean over each cohort's post cells, then across cohorts by size."""
    out: list[Estimate] = []
    g_att, g_inf = [], []
    for g in c.groups:
        est, ainf = c.aggregate((c.group == g) & c.post, with_wif=False)
        g_att.append(est)
        g_inf.append(ainf)
        out.append(("group", dict(term=f"group={_year(g)}", estimate=est, group=g), ainf))
    pgg = np.array([c.pg_by_group[g] for g in c.groups])
    allg = np.ones(len(c.groups), dtype=bool)
    est, ainf = _aggregate(np.array(g_att), np.column_stack(g_inf), allg, pgg,
                           _wif(allg, pgg, c.groups, c.g_of))
    out.append(("group", dict(term="overall_group", estimate=est), ainf))
    return out


def _dynamic_estimates(c: _Cells) -> list[Estimate]:
    """By event time, then the mean over event times >= 0."""
    out: list[Estimate] = []
    e_att, e_inf, eseq = [], [], np.array(sorted(set(c.event_time.tolist())))
    for e in eseq:
        keep = c.event_time == e
        est, ainf = c.aggregate(keep)
        ref = bool(c.cells.loc[keep, "reference"].all())
        e_att.append(est)
        e_inf.append(ainf)
        out.append(("dynamic", dict(term=f"event_time={int(e)}", estimate=est,
                                    event_time=int(e), reference=ref), ainf))
    epos = eseq >= 0
    est, ainf = _aggregate(np.array(e_att), np.column_stack(e_inf), epos,
                           np.ones(int(epos.sum())), None)
    out.append(("dynamic", dict(term="overall_dynamic", estimate=est), ainf))
    return out


def _calendar_estimates(c: _Cells) -> list[Estimate]:
    """By calendar year (from the first cohort's year): the cohort-size weighted mean of
    the cohorts already treated that year; then the plain mean over those years (R did's
    ``aggte(type = "calendar")``)."""
    out: list[Estimate] = []
    t_att, t_inf = [], []
    first = float(np.min(c.groups))
    for t in np.unique(c.time[c.time >= first]):
        keep = (c.time == t) & c.post
        if not keep.any():
            continue
        est, ainf = c.aggregate(keep)
        t_att.append(est)
        t_inf.append(ainf)
        out.append(("calendar", dict(term=f"time={_year(t)}", estimate=est, time=t), ainf))
    if t_att:
        every = np.ones(len(t_att), dtype=bool)
        est, ainf = _aggregate(np.array(t_att), np.column_stack(t_inf), every,
                               np.ones(len(t_att)), None)
        out.append(("calendar", dict(term="overall_calendar", estimate=est), ainf))
    return out
