"""What a training-budget change would buy, if the estimated association held.

:func:`scenario` turns a budget change (``-0.10`` for -10%) or a target (every ASN reaching
the 20-JP entitlement) into, per unit: the JP it buys at the unit's own observed cost per JP
(spending over credited JP, constant prices), the change in JP per ASN, the implied change in
IKM through the estimated dose-response (the headline: IKM points per JP per ASN of the year
before) with a 95% interval that carries the estimate's uncertainty (the dose-response is
linear, so the interval of the change is the interval of the slope times the change in JP per
ASN), and the cost. Units are ranked by their gap to the entitlement and by their cost per JP.

This is arithmetic on an association, never a promise: when the headline could not be
estimated, or its interval includes zero, the IKM columns are left empty and the result
says why (``refused``), keeping only what the data can tell (the JP and the cost).
Assumptions, stated in the result: the association is causal and linear over the change;
a unit's cost per JP stays what it was (constant prices, no volume discounts); a budget
change scales paid and free JP alike (the average cost per JP).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ._base import TIDY_COLUMNS, ResultBase, json_safe
from ._twfe import require_columns, require_frame

ScenarioTarget = Literal["entitlement"]

#: Columns the unit table must have (one row per unit in the brief's year).
UNIT_COLUMNS = ("unit_id", "asn_count", "jp_total", "jp_per_asn", "spend_real")


@dataclass(frozen=True)
class _ScenarioConfig:
    budget_change: float | None
    target: str | None
    entitlement: float
    effect: dict[str, Any] | None


def scenario(
    units: pd.DataFrame,
    effect: Mapping[str, Any] | None,
    *,
    budget_change: float | None = None,
    target: ScenarioTarget | None = None,
    entitlement: float = 20.0,
) -> ScenarioResult:
    """Per unit: the JP a budget change (or the entitlement target) buys, its cost, and the
    implied change in IKM if the estimated association held.

    Parameters
    ----------
    units
        One row per unit in the brief's year with ``unit_id``, ``asn_count``,
        ``jp_total`` (credited JP), ``jp_per_asn``, ``spend_real`` (training spending at
        constant prices); optional ``unit_name``, ``ikm``, ``share_20jp`` and
        ``jp_gap_entitlement`` (JP needed for every ASN to reach the entitlement, from
        person-level records; needed for ``target="entitlement"``).
    effect
        The dose-response (IKM points per JP per ASN): ``estimate``, ``conf_low``,
        ``conf_high`` and optionally ``prob_positive``, ``term``; ``None`` when it could
        not be estimated.
    budget_change
        Relative change of each unit's training budget, e.g. ``-0.10`` or ``0.25``.
    target
        ``"entitlement"``: the JP and cost for every ASN to reach ``entitlement`` JP.
    entitlement
        JP per ASN per year every ASN has a right to (PP 11/2017: 20).

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["A", "B"], "asn_count": [100, 50],
    ...                       "jp_total": [1500.0, 1000.0], "jp_per_asn": [15.0, 20.0],
    ...                       "spend_real": [3.0e8, 1.0e8]})
    >>> res = scenario(units, {"estimate": 0.06, "conf_low": 0.02, "conf_high": 0.10},
    ...                budget_change=-0.10)
    >>> res.table["jp_change"].tolist(), res.refused
    ([-150.0, -100.0], False)
    >>> [round(v, 3) for v in res.table["ikm_change"]]
    [-0.09, -0.12]
    """
    what = "scenario"
    units = require_frame(units, what)
    require_columns(units, list(UNIT_COLUMNS), what)
    if (budget_change is None) == (target is None):
        raise EstimationError(
            f"{what}: expecting a budget change (e.g. budget_change=-0.10) or a target "
            f"(target='entitlement'), not both or neither. Got budget_change={budget_change!r},"
            f" target={target!r}.")
    if target is not None and target != "entitlement":
        raise EstimationError(f"{what}: target: expecting 'entitlement'. Got {target!r}.")
    if budget_change is not None and not -1.0 <= float(budget_change) <= 10.0:
        raise EstimationError(
            f"{what}: budget_change is a relative change between -1 (-100%) and 10 "
            f"(+1000%). Got {budget_change!r}.")
    if target == "entitlement" and "jp_gap_entitlement" not in units.columns:
        raise EstimationError(
            f"{what}: target='entitlement' needs 'jp_gap_entitlement' per unit (the JP "
            "needed for every ASN to reach the entitlement, from person-level records).")
    config = _ScenarioConfig(None if budget_change is None else float(budget_change), target,
                             float(entitlement), None if effect is None else dict(effect))
    return ScenarioResult(config=config, table=_unit_table(units, config),
                          refusal=_refusal(config.effect))


def _refusal(effect: dict[str, Any] | None) -> str | None:
    """Why IKM numbers are not given, or ``None`` when they are."""
    values = [None if effect is None else effect.get(k)
              for k in ("estimate", "conf_low", "conf_high")]
    if effect is None or not all(isinstance(v, int | float) and np.isfinite(v) for v in values):
        return "headline_not_estimable"
    if effect["conf_low"] <= 0.0 <= effect["conf_high"]:
        return "interval_includes_zero"
    return None


def _unit_table(units: pd.DataFrame, c: _ScenarioConfig) -> pd.DataFrame:
    """JP, cost and (if allowed) implied IKM change per unit, with the rankings."""
    t = units.copy().reset_index(drop=True)
    jp = t["jp_total"].to_numpy(dtype=float)
    spend = t["spend_real"].to_numpy(dtype=float)
    asn = t["asn_count"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a unit whose JP were all free has no observed price: left out of the cost ranking,
        # and priced at the city's median where the entitlement needs it
        cost = np.where((jp > 0) & (spend > 0), spend / jp, np.nan)
    t["cost_per_jp"] = cost
    median_cost = float(np.nanmedian(cost[cost > 0])) if np.any(cost > 0) else np.nan
    if c.budget_change is not None:
        t["spend_change"] = c.budget_change * spend
        # at the unit's own average cost per JP, a budget change scales its JP alike
        t["jp_change"] = np.where(spend > 0, c.budget_change * jp, 0.0)
        t["cost_imputed"] = False
    else:
        gap = t["jp_gap_entitlement"].to_numpy(dtype=float)
        priced = np.isfinite(cost) & (cost > 0)
        t["jp_change"] = gap
        t["spend_change"] = gap * np.where(priced, cost, median_cost)
        t["cost_imputed"] = ~priced & (gap > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["jp_per_asn_change"] = np.where(asn > 0, t["jp_change"] / asn, np.nan)
    _implied_ikm(t, c.effect if _refusal(c.effect) is None else None)
    _rankings(t, c.entitlement)
    return t


def _implied_ikm(t: pd.DataFrame, effect: dict[str, Any] | None) -> None:
    """Implied IKM change and its interval (in place); empty when refused."""
    if effect is None:
        for col in ("ikm_change", "ikm_change_low", "ikm_change_high"):
            t[col] = np.nan
        return
    d = t["jp_per_asn_change"].to_numpy(dtype=float)
    a, b = d * float(effect["conf_low"]), d * float(effect["conf_high"])
    t["ikm_change"] = d * float(effect["estimate"])
    t["ikm_change_low"] = np.minimum(a, b)
    t["ikm_change_high"] = np.maximum(a, b)


def _rankings(t: pd.DataFrame, entitlement: float) -> None:
    """Rank 1 = the largest gap to the entitlement, and the lowest cost per JP (in place).

    Without the JP each person needs (``jp_gap_entitlement``: a study of summaries), the
    gap per ASN is only known to be at least ``entitlement - JP per ASN``, which is zero in
    every unit whose average passes 20 JP however many ASN fall short; those units are
    then ranked by the share of their ASN below the entitlement (``1 - share_20jp``), the
    bound breaking ties."""
    if "jp_gap_entitlement" in t.columns:
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = t["jp_gap_entitlement"] / t["asn_count"]
        t["gap_per_asn"] = gap
        t["rank_gap"] = gap.rank(ascending=False, method="min").astype("Int64")
    else:
        gap = (entitlement - t["jp_per_asn"]).clip(lower=0)
        t["gap_per_asn"] = gap
        short = (1 - t["share_20jp"]) if "share_20jp" in t.columns else gap * 0
        order = pd.DataFrame({"gap": gap, "short": short}).rank(ascending=False,
                                                                 method="min",
                                                                 na_option="bottom")
        key = order["gap"] * (len(t) + 1) + order["short"]  # gap first, then share short
        t["rank_gap"] = key.where(gap.notna()).rank(method="min").astype("Int64")
    t["rank_cost_per_jp"] = t["cost_per_jp"].rank(ascending=True, method="min").astype("Int64")


@dataclass(frozen=True)
class ScenarioResult(ResultBase):
    """What a budget change or the entitlement target would buy, per unit and city-wide.

    Attributes
    ----------
    table
        One row per unit: the input columns, ``cost_per_jp``, ``jp_change``,
        ``jp_per_asn_change``, ``spend_change`` (cost, constant prices), ``cost_imputed``
        (the city's median cost per JP used for a unit with no priced training),
        ``ikm_change`` with ``ikm_change_low``/``ikm_change_high`` (empty when refused),
        ``gap_per_asn``, ``rank_gap`` and ``rank_cost_per_jp``.
    refusal
        ``None``, ``"headline_not_estimable"`` or ``"interval_includes_zero"``.
    """

    config: _ScenarioConfig
    table: pd.DataFrame = field(repr=False)
    refusal: str | None

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    @property
    def totals(self) -> dict[str, Any]:
        """City-wide: JP, cost, mean JP per ASN change and the mean implied IKM change
        over units (each unit counts once, as the city's IKM averages units)."""
        t = self.table
        d = float(np.nanmean(t["jp_per_asn_change"]))
        out: dict[str, Any] = {
            "n_units": len(t), "jp_change": float(t["jp_change"].sum()),
            "spend_change": float(t["spend_change"].sum()),
            "jp_per_asn_change_mean": d,
            "n_units_cost_imputed": int(t["cost_imputed"].sum()),
            "ikm_change_mean": None, "ikm_change_low": None, "ikm_change_high": None,
            "prob_ikm_rises": None,
        }
        if not self.refused and self.config.effect is not None:
            e = self.config.effect
            lo, hi = sorted((d * float(e["conf_low"]), d * float(e["conf_high"])))
            out.update(ikm_change_mean=d * float(e["estimate"]), ikm_change_low=lo,
                       ikm_change_high=hi)
            p = e.get("prob_positive")
            if p is not None and np.isfinite(p):
                out["prob_ikm_rises"] = float(p) if d > 0 else float(1.0 - p)
        return out

    def tidy(self) -> pd.DataFrame:
        t = self.table
        out = pd.DataFrame({
            "term": t["unit_id"], "estimate": t["ikm_change"], "std_error": np.nan,
            "statistic": np.nan, "p_value": np.nan, "conf_low": t["ikm_change_low"],
            "conf_high": t["ikm_change_high"]})
        extra = [c for c in ("jp_change", "jp_per_asn_change", "spend_change", "cost_per_jp",
                             "rank_gap", "rank_cost_per_jp") if c in t.columns]
        return pd.concat([out[list(TIDY_COLUMNS)], t[extra]], axis=1)

    def _title(self) -> str:
        c = self.config
        what = (f"training budget {c.budget_change:+.0%}" if c.budget_change is not None
                else f"every ASN reaching {c.entitlement:g} JP")
        return f"Scenario, if the association held: {what}"

    def _meta(self) -> dict[str, Any]:
        c = self.config
        return {
            "model": "scenario", "budget_change": c.budget_change, "target": c.target,
            "entitlement": c.entitlement, "refused": self.refused, "refusal": self.refusal,
            "effect": c.effect, "totals": self.totals,
            "assumptions": ["association_causal_and_linear", "constant_cost_per_jp",
                            "budget_scales_paid_and_free_jp_alike"],
        }

    def _notes(self) -> list[str]:
        if self.refused:
            return [f"No IKM figures: {self.refusal}. The JP and cost columns still hold."]
        return ["Implied IKM changes hold only if the estimated association is causal and "
                "linear over the change."]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["units"] = json_safe(self.table)
        return out


__all__ = ["UNIT_COLUMNS", "ScenarioResult", "scenario"]
