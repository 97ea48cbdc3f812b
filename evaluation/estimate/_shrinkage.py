"""Partial pooling of a few related estimates, and the probability that each is the largest.

Comparing training types (or sectors) by their raw estimates invites the winner's curse: the
type that looks best is often the one whose estimate is noisiest. The estimates are shrunk
towards their common mean with the normal hierarchical model of Gelman et al. (Bayesian Data
Analysis, 3rd ed., ch. 5), written for estimates that come from one regression and so are
correlated::

    b_hat ~ N(b, V)            V: their joint (cluster-robust) sampling covariance
    b_j   ~ N(mu, tau^2)       the types' true effects scatter around a common mean
    mu flat,  tau ~ half-Cauchy(0, A)

with ``A`` the largest standard error among the estimates (weakly informative and in the
estimates' own units; Gelman 2006 recommends the half-Cauchy for few groups, where a flat
prior on ``tau`` leaves the posterior improper with two). ``tau`` is integrated over a grid
(its marginal posterior is available in closed form given ``V``), then ``mu`` and ``b`` are
drawn from their normal conditionals: ``draws`` seeded Monte Carlo draws of ``b``. From them:
the shrunken estimates (posterior means and central intervals), ``P(b_j > 0)``,
``P(b_j`` is the largest``)`` and ``P(b_i > b_j)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class PooledEstimates:
    """Posterior summaries of ``k`` partially pooled effects (arrays in the input order)."""

    mean: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    prob_positive: np.ndarray
    prob_best: np.ndarray
    prob_greater: np.ndarray  # (k, k): P(b_i > b_j)
    tau_mean: float  # posterior mean of the spread of the true effects
    prior_scale: float
    draws: int


def _log_marginal(b: np.ndarray, V: np.ndarray, tau: float) -> tuple[float, float, float]:
    """log p(tau | b_hat) up to a constant (flat mu), and mu's conditional mean and variance."""
    k = len(b)
    S = V + tau * tau * np.eye(k)
    Si = np.linalg.inv(S)
    one = np.ones(k)
    prec = float(one @ Si @ one)
    mu = float(one @ Si @ b) / prec
    resid = b - mu
    _, logdet = np.linalg.slogdet(S)
    return -0.5 * (logdet + np.log(prec) + float(resid @ Si @ resid)), mu, 1.0 / prec


def pool(b: np.ndarray, V: np.ndarray, *, conf_level: float = 0.95, draws: int = 4000,
         seed: int = 2026, grid: int = 400) -> PooledEstimates:
    """Partially pooled estimates of ``b`` (covariance ``V``); see the module docstring.

    Examples
    --------
    >>> out = pool(np.array([0.10, 0.00, 0.05]), np.diag([0.03, 0.03, 0.03]) ** 2)
    >>> bool(out.mean[0] < 0.10 and out.mean[1] > 0.0), round(float(out.prob_best.sum()), 6)
    (True, 1.0)
    """
    b = np.asarray(b, dtype=float)
    V = np.asarray(V, dtype=float)
    k = len(b)
    scale = float(np.sqrt(np.max(np.diag(V))))
    top = max(10.0 * scale, 3.0 * float(np.ptp(b)), 1e-12)
    # grid midpoints: tau > 0 everywhere, so draws never tie exactly (a tie would make
    # argmax favour the first estimate)
    taus = (np.arange(grid) + 0.5) * top / grid
    logs, mus, vmus = np.empty(grid), np.empty(grid), np.empty(grid)
    for i, tau in enumerate(taus):
        logs[i], mus[i], vmus[i] = _log_marginal(b, V, float(tau))
    logs += stats.halfcauchy.logpdf(taus, scale=scale)
    weights = np.exp(logs - logs.max())
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    pick = rng.choice(grid, size=draws, p=weights)
    out = np.empty((draws, k))
    Vi = np.linalg.inv(V)
    for i in np.unique(pick):
        rows = np.flatnonzero(pick == i)
        mu = rng.normal(mus[i], np.sqrt(vmus[i]), size=len(rows))
        tau = taus[i]
        S = np.linalg.inv(Vi + np.eye(k) / tau**2)
        m = (S @ (Vi @ b))[None, :] + (S @ np.ones(k))[None, :] * (mu / tau**2)[:, None]
        out[rows] = m + rng.multivariate_normal(np.zeros(k), S, size=len(rows))
    alpha = (1.0 - conf_level) / 2.0
    best = np.bincount(np.argmax(out, axis=1), minlength=k) / draws
    greater = (out[:, :, None] > out[:, None, :]).mean(axis=0)
    return PooledEstimates(
        mean=out.mean(axis=0), conf_low=np.quantile(out, alpha, axis=0),
        conf_high=np.quantile(out, 1.0 - alpha, axis=0), prob_positive=(out > 0).mean(axis=0),
        prob_best=best, prob_greater=greater, tau_mean=float(weights @ taus),
        prior_scale=scale, draws=draws,
    )


__all__ = ["PooledEstimates", "pool"]
