"""Small-sample p-values of Spearman's rho and Kendall's tau, as R's ``cor.test`` computes them.

Spearman (statistic ``S = (n^3 - n)(1 - rho)/6``, the sum of squared rank differences):
Best and Roberts' algorithm AS 89 (Applied Statistics 24(3), 1975), as R uses it: the exact
permutation distribution for ``n <= 9``, an Edgeworth series for ``10 <= n <= 1290``; the
Student t approximation beyond that, and whenever there are ties (the permutation
distribution assumes distinct ranks).

Kendall (statistic ``T``, the number of concordant pairs): the exact distribution (the number
of permutations with a given number of inversions, Mahonian numbers) when ``n < 50`` and
there are no ties; otherwise the normal approximation of ``S = n_c - n_d`` with the
tie-corrected variance (Kendall 1976, ch. 4), tau-b as the estimate.

The two-sided p-value doubles the smaller tail (capped at 1), as R does.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from scipy import stats

#: Exact enumeration of Spearman's S up to this many pairs (as R); Edgeworth above.
SPEARMAN_EXACT_MAX_N = 9
#: Beyond this n, R's AS 89 would overflow and it uses the t approximation.
SPEARMAN_AS89_MAX_N = 1290
#: Kendall's exact distribution below this many pairs (R's default).
KENDALL_EXACT_BELOW_N = 50

# AS 89's Edgeworth coefficients (Best and Roberts 1975)
_EDGEWORTH = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072,
              0.0831, 0.0131, 4.6e-4)


@functools.cache
def _spearman_s_values(n: int) -> np.ndarray:
    """S = sum (i - pi(i))^2 over every permutation pi of n items (n <= 9), sorted."""
    ranks = np.arange(n)
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
    return np.sort(((perms - ranks) ** 2).sum(axis=1))


def _spearman_as89(n: int, s: float, lower_tail: bool) -> float:
    """``P(S >= s)``, or ``P(S < s)`` with ``lower_tail``: AS 89 as in R's ``prho``."""
    if n <= 1:
        return 0.0 if lower_tail else 1.0
    if s <= 0:
        return 0.0 if lower_tail else 1.0
    s_max = n * (n * n - 1.0) / 3.0
    if s > s_max:
        return 1.0 if lower_tail else 0.0
    if n <= SPEARMAN_EXACT_MAX_N:
        values = _spearman_s_values(n)
        upper = float(len(values) - np.searchsorted(values, s, side="left")) / len(values)
        return 1.0 - upper if lower_tail else upper
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _EDGEWORTH
    b = 1.0 / n
    x = (6.0 * (s - 1) * b / (n * n - 1.0) - 1.0) * math.sqrt(n - 1.0)
    y = x * x
    u = x * b * (c1 + b * (c2 + c3 * b)
                 + y * (-c4 + b * (c5 + c6 * b)
                        - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))))
    y = u / math.exp(y / 2.0)
    tail = float(stats.norm.cdf(x) if lower_tail else stats.norm.sf(x))
    return min(1.0, max(0.0, (-y if lower_tail else y) + tail))


def spearman_p_value(rho: float, n: int, alternative: str, *, exact: bool) -> float:
    """p-value of Spearman's rho from ``n`` pairs, as R's ``cor.test``.

    ``exact`` (no ties, ``n <= 1290``): AS 89 on ``S``. Otherwise Student t with ``n - 2``
    degrees of freedom on ``rho sqrt((n - 2)/(1 - rho^2))``.
    """
    s = (n**3 - n) * (1.0 - rho) / 6.0
    if exact and n <= SPEARMAN_AS89_MAX_N:
        def tail(lower: bool) -> float:
            # S is even without ties: P(S <= s) = P(S < round(s) + 2)
            return _spearman_as89(n, round(s) + 2 * lower, lower)
    else:
        def tail(lower: bool) -> float:
            t = rho / math.sqrt((1.0 - rho * rho) / (n - 2)) if abs(rho) < 1 else math.copysign(
                math.inf, rho)
            return float(stats.t.sf(t, n - 2) if lower else stats.t.cdf(t, n - 2))
    if alternative == "greater":
        return tail(True)
    if alternative == "less":
        return tail(False)
    p = tail(False) if s > (n**3 - n) / 6.0 else tail(True)
    return min(2.0 * p, 1.0)


@functools.cache
def _inversion_counts(n: int) -> tuple[float, ...]:
    """How many permutations of n items have k inversions, k = 0..n(n-1)/2."""
    counts = np.array([1.0])
    for m in range(2, n + 1):
        # adding the m-th item creates 0..m-1 new inversions
        counts = np.convolve(counts, np.ones(m))
    return tuple(counts.tolist())


def _kendall_cdf(q: float, n: int) -> float:
    """``P(T <= q)`` for T, the number of concordant pairs among n distinct pairs."""
    counts = _inversion_counts(n)
    k = math.floor(q + 1e-7)
    if k < 0:
        return 0.0
    if k >= len(counts) - 1:
        return 1.0
    return float(sum(counts[: k + 1]) / math.factorial(n))


def kendall_exact_p_value(tau: float, n: int, alternative: str) -> tuple[float, int]:
    """Exact p-value of Kendall's tau from ``n`` distinct pairs, and T (concordant pairs)."""
    q = round((tau + 1.0) * n * (n - 1) / 4.0)
    if alternative == "greater":
        return 1.0 - _kendall_cdf(q - 1, n), q
    if alternative == "less":
        return _kendall_cdf(q, n), q
    p = 1.0 - _kendall_cdf(q - 1, n) if q > n * (n - 1) / 4.0 else _kendall_cdf(q, n)
    return min(2.0 * p, 1.0), q


def _tie_sizes(values: np.ndarray) -> np.ndarray:
    _, sizes = np.unique(values, return_counts=True)
    return sizes[sizes > 1].astype(float)


def kendall_normal(tau: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """z of Kendall's S under independence with the tie-corrected variance, and the
    null standard error of tau-b (R's ``cor.test`` without ``exact``)."""
    n = len(x)
    tx, ty = _tie_sizes(x), _tie_sizes(y)
    t0 = n * (n - 1) / 2.0
    t1 = float(np.sum(tx * (tx - 1)) / 2.0)
    t2 = float(np.sum(ty * (ty - 1)) / 2.0)
    denominator = math.sqrt((t0 - t1) * (t0 - t2))
    s = tau * denominator
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(tx * (tx - 1) * (2 * tx + 5)))
    vu = float(np.sum(ty * (ty - 1) * (2 * ty + 5)))
    v1 = float(np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1)))
    v2 = float(np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2)))
    var_s = (v0 - vt - vu) / 18.0 + v1 / (2.0 * n * (n - 1)) + (
        v2 / (9.0 * n * (n - 1) * (n - 2)) if n > 2 else 0.0)
    return s / math.sqrt(var_s), math.sqrt(var_s) / denominator


def normal_p_value(z: float, alternative: str) -> float:
    """p-value of a standard normal statistic for ``alternative``."""
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * min(stats.norm.cdf(z), stats.norm.sf(z)))


__all__ = ["kendall_exact_p_value", "kendall_normal", "normal_p_value", "spearman_p_value"]
