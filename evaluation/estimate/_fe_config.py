"""The configuration of :func:`~evaluation.estimate.panel_fe` and its input checks.

Kept apart from the fitting so that the model frame, the fit and the result can all read
it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._options import Inference, check_option
from ..errors import EstimationError

#: Below this many clusters ``inference="auto"`` uses the wild cluster bootstrap.
WILD_BELOW = 50
WildWeightsOption = ("auto", "rademacher", "webb")

VCOV_CONVENTION = {
    "cluster": "CR1, fixest/Stata small-sample factor G/(G-1)*(N-1)/(N-K), "
    "fixed effects nested in the cluster not counted in K; t(G-1)",
    "wild_cluster_restricted": "wild cluster restricted bootstrap (null imposed) p-value and "
    "test-inversion interval; std_error is CR1 (fixest/Stata factor, nested fixed effects "
    "not counted)",
    "hetero": "HC1, N/(N-K), K without nested fixed effects; t(N-K)",
    "iid": "iid, (N-1)/(N-K); t(N-K)",
    "cluster_two_way": "two-way CR1 (Cameron, Gelbach and Miller 2011): V_a + V_b - V_ab, each "
    "one-way covariance with its own factor G/(G-1)*(N-1)/(N-K) (G its own number of "
    "clusters; as statsmodels and Petersen's published test results), K the slopes, the "
    "constant and the fixed effects nested in neither clustering; t(min(G_a, G_b)-1)",
}


# ---- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class PanelFEConfig:
    """Everything :func:`panel_fe` was asked to do (frozen; results keep it)."""

    outcome: str
    exposures: tuple[str, ...]
    unit: str
    time: str
    controls: tuple[str, ...] = ()
    cluster: str | tuple[str, ...] | None = None
    inference: str = "auto"
    lags: tuple[int, ...] | None = None
    leads: tuple[int, ...] | None = None
    weights: str | None = None
    trends: bool = False
    reps: int = 9999
    wild_weights: str = "auto"
    seed: int = 2026
    conf_level: float = 0.95
    fixed_effects: tuple[str, ...] = ("unit", "time")

    @property
    def clusters(self) -> tuple[str, ...]:
        """The cluster column(s): one, or two for two-way clustering."""
        if self.cluster is None:
            return (self.unit,)
        return (self.cluster,) if isinstance(self.cluster, str) else tuple(self.cluster)

    @property
    def two_way(self) -> bool:
        return len(self.clusters) == 2


def cluster_setting(cluster: Any, unit: str, time: str, columns: Sequence[Any]
                    ) -> str | tuple[str, str]:
    """``cluster`` as one column name or a pair (two-way), checked.

    The role names ``"unit"`` and ``"time"`` (or ``"year"``) stand for the unit and time
    columns when the data have no column of that name, so ``cluster=["unit", "year"]``
    means clustering by unit and by year whatever the columns are called.
    """
    if cluster is None:
        return unit
    roles = {"unit": unit, "time": time, "year": time}
    names = [cluster] if isinstance(cluster, str) else cluster
    picked: list[str] = (
        [str(roles.get(c, c)) if c not in columns else str(c) for c in names]
        if isinstance(names, list | tuple) and all(isinstance(c, str) for c in names) else [])
    if not 1 <= len(picked) <= 2 or not all(isinstance(c, str) for c in picked):
        raise EstimationError(
            "cluster: expecting one column name, or two for two-way clustering, e.g. "
            f"'unit_id' or ['unit_id', 'year']. Got {cluster!r}."
        )
    if len(set(picked)) != len(picked):
        raise EstimationError(
            f"cluster: the two clustering columns must differ. Got {list(picked)}."
        )
    return picked[0] if len(picked) == 1 else (picked[0], picked[1])


def _check_config(cfg: PanelFEConfig) -> None:
    check_option("inference", cfg.inference, Inference, error=EstimationError)
    if cfg.two_way and cfg.inference == "wild":
        raise EstimationError(
            f"inference='wild' with two-way clustering {list(cfg.clusters)}: the wild "
            "cluster bootstrap here clusters one way. Use inference='cluster' (two-way CR1) "
            "or cluster=<one column> with inference='wild'."
        )
    check_option("wild_weights", cfg.wild_weights, WildWeightsOption, error=EstimationError)
    if not 0 < cfg.conf_level < 1:
        raise EstimationError(
            f"conf_level: expecting a number between 0 and 1 (e.g. 0.95). Got {cfg.conf_level!r}."
        )
    bad = [f for f in cfg.fixed_effects if f not in ("unit", "time")]
    if bad or len(set(cfg.fixed_effects)) != len(cfg.fixed_effects):
        raise EstimationError(
            f"fixed_effects: expecting any of ['unit', 'time'] (the roles, not column names). "
            f"Got {list(cfg.fixed_effects)}."
        )
    if int(cfg.reps) != cfg.reps or cfg.reps < 99:
        raise EstimationError(
            f"reps: expecting a whole number of bootstrap draws, at least 99 (9999 is the "
            f"default). Got {cfg.reps!r}."
        )


def _as_tuple(name: str, value: Any, *, ints: bool = False) -> tuple[Any, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, int, np.integer)):
        value = [value]
    out = tuple(value)
    if ints:
        bad = [v for v in out if not isinstance(v, (int, np.integer)) or v < 0]
        if bad:
            raise EstimationError(
                f"{name}: expecting non-negative whole numbers of years, e.g. [0, 1, 2]. "
                f"Got {list(out)}."
            )
        out = tuple(sorted({int(v) for v in out}))
    return out


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str = "column") -> None:
    if not isinstance(df, pd.DataFrame):
        raise EstimationError(
            f"expecting a pandas DataFrame with one row per unit and year. Got {type(df).__name__}."
        )
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise EstimationError(
            f"{what}(s) {missing} not found in the data. Available columns: "
            f"{[str(c) for c in df.columns]}. Check the spelling or build the column first."
        )

