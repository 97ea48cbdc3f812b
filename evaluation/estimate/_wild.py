"""Wild cluster restricted bootstrap (WCR) for linear models with absorbed fixed effects.

The estimator works on the Frisch-Waugh-Lovell transformed problem: ``X`` and ``y`` with
the fixed effects already projected out (as pyfixest leaves them), ``X'X b = X'y``. For a
hypothesis ``R'b = r`` (one coefficient, or a sum of lag coefficients) it

1. imposes the null: restricted residuals ``u_r = y - X b_r`` with ``R'b_r = r``;
2. draws one weight per cluster (Rademacher, or Webb's six-point distribution when the
   clusters are very few; every sign pattern when there are no more of them than
   replications: "full enumeration");
3. builds ``y* = X b_r + M(u_r * v)`` where ``M`` projects out **all** fixed effects again.
   Multiplying residuals by cluster weights breaks their orthogonality to fixed effects
   that cut across clusters (year effects with unit clusters), so the bootstrap outcome is
   re-projected on both sets of fixed effects. When every fixed effect is nested in the
   cluster this step is the identity and is skipped;
4. computes the CR-type t statistic of each bootstrap sample and the symmetric p-value
   ``P(|t*| >= |t|)``, a draw whose ``|t*|`` equals ``|t|`` up to a relative
   :data:`TIE_RTOL` counting as at least as extreme. This is the convention of a
   randomization test (Canay, Santos and Shaikh 2021 read the wild bootstrap as one): the
   identity sign pattern (all weights 1) and its mirror (all -1) reproduce ``|t|`` exactly,
   and with full enumeration they are always among the draws, so ``p >= 2 / 2**G``. Counting
   ties by exact floating-point comparison instead (the ``wildboottest`` package uses
   ``|t| < |t*|``) makes those two draws count or not depending on rounding noise;
5. inverts the test for the confidence interval: the set of ``r`` whose p-value is above
   ``1 - conf_level`` (Roodman, MacKinnon, Nielsen and Webb 2019, section 3.5), found by
   bracketing and bisection with the same weights for every ``r``.

Everything is linear in the weights ``v``, so all draws are evaluated at once from
``G x G`` matrices (the "fast and wild" algebra of Roodman et al. 2019): the bootstrap
never loops over draws and never re-estimates a regression. Re-projection costs one
demeaning of an ``N x 2G`` matrix, done once per hypothesis, not per draw.

The small-sample factor ``G/(G-1) (N-1)/(N-k)`` multiplies the original and every
bootstrap variance alike, so it cancels in the p-value and the interval.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import EstimationError

WEBB_POINTS = np.array(
    [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]
)
RADEMACHER_POINTS = np.array([-1.0, 1.0])
#: Relative tolerance within which ``|t*|`` counts as equal to ``|t|`` (a tie). Rounding
#: noise in ``t*`` of the identity draw is about 1e-13 relative; distinct sign patterns give
#: ``|t*|`` values much farther apart than 1e-9 relative.
TIE_RTOL = 1e-9
#: Below this many clusters, ``wild_weights="auto"`` uses Webb's six-point weights
#: (Webb 2023: Rademacher has too few distinct sign patterns with very few clusters).
WEBB_BELOW = 12


@dataclass(frozen=True)
class WildDesign:
    """The transformed regression problem shared by every hypothesis on one model.

    ``X`` and ``y`` have the fixed effects projected out (and, with weights, are
    multiplied by the square root of the weights). ``clusters`` holds codes ``0..G-1``.
    ``fe`` holds integer codes of fixed effects that are *not* nested in the clusters
    (``None`` when there are none: no re-projection needed). ``sqrt_w`` is the square
    root of the regression weights or ``None``.
    """

    X: np.ndarray
    y: np.ndarray
    clusters: np.ndarray
    fe: np.ndarray | None = None
    sqrt_w: np.ndarray | None = None
    fe_tol: float = 1e-10


@dataclass(frozen=True)
class WildResult:
    """Outcome of one wild cluster restricted bootstrap test and its inversion."""

    statistic: float
    p_value: float
    conf_low: float
    conf_high: float
    reps: int
    enumerated: bool
    weights_type: str
    n_clusters: int
    #: Confidence that the combination is positive, read off the same bootstrap:
    #: ``P*(t*(0) < t(0))`` with ties counted half (see :meth:`_Hypothesis.prob_above`).
    prob_positive: float = float("nan")


def choose_weights(n_clusters: int, requested: str) -> str:
    """Resolve ``wild_weights="auto"``: Webb below :data:`WEBB_BELOW` clusters."""
    if requested == "auto":
        return "webb" if n_clusters < WEBB_BELOW else "rademacher"
    return requested


@functools.lru_cache(maxsize=8)
def draw_weights(
    n_clusters: int, reps: int, weights_type: str, seed: int
) -> tuple[np.ndarray, bool]:
    """A ``(B, G)`` matrix of cluster weights and whether it is a full enumeration.

    Full enumeration when the distribution has no more distinct patterns than ``reps``
    (``2**G`` for Rademacher, ``6**G`` for Webb); then the result is deterministic.
    Every test on a model (each exposure, each lag, the cumulative sum) uses the same
    draws, so they are made once per (G, B, weights, seed) and shared (read-only).
    """
    points = WEBB_POINTS if weights_type == "webb" else RADEMACHER_POINTS
    n_patterns = len(points) ** n_clusters
    if n_patterns <= reps:
        grid = np.array(list(itertools.product(range(len(points)), repeat=n_clusters)))
        V = points[grid]
        V.flags.writeable = False
        return V, True
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(points), size=(reps, n_clusters))
    V = points[idx]
    V.flags.writeable = False
    return V, False


def _cluster_sums(values: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum rows of ``values`` (N,) or (N, m) within clusters: (G,) or (G, m)."""
    if values.ndim == 1:
        return np.bincount(clusters, weights=values, minlength=n_clusters)
    out = np.empty((n_clusters, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(clusters, weights=values[:, j], minlength=n_clusters)
    return out


def _reproject(design: WildDesign, cols: np.ndarray) -> np.ndarray:
    """Project the fixed effects out of each column of ``cols`` (N, m)."""
    from pyfixest.core.demean import demean

    if design.fe is None:
        return cols
    if design.sqrt_w is not None:
        weights = design.sqrt_w**2
        cols = cols / design.sqrt_w[:, None]
    else:
        weights = np.ones(cols.shape[0])
    out, converged = demean(
        np.ascontiguousarray(cols, dtype=np.float64),
        np.ascontiguousarray(design.fe, dtype=np.uint64),
        weights,
        tol=design.fe_tol,
        maxiter=100_000,
    )
    if not converged:
        raise EstimationError(
            "wild bootstrap: re-projecting the bootstrap outcome on the fixed effects did not "
            "converge. Expecting a connected panel; check for units observed in one year only."
        )
    if design.sqrt_w is not None:
        out = out * design.sqrt_w[:, None]
    return out


class _Hypothesis:
    """Precomputed linear pieces of ``t*(r, v)`` for the hypothesis ``R'b = r``."""

    def __init__(self, design: WildDesign, R: np.ndarray):
        X, y, cl = design.X, design.y, design.clusters
        G = int(cl.max()) + 1
        self.G = G
        XtX_inv = np.linalg.inv(X.T @ X)
        beta = XtX_inv @ (X.T @ y)
        self.beta = beta
        a = XtX_inv @ R
        Ra = float(R @ a)
        if not Ra > 0:
            raise EstimationError("wild bootstrap: the tested combination has zero variance.")
        self.Rb = float(R @ beta)
        u = y - X @ beta
        xa = X @ a
        d = xa / Ra  # restricted residuals: u_r(r) = u + d (R'b - r) = A0 - r d
        A0 = u + d * self.Rb
        # S(r)[h] = X_h' u_r(r)  -> (G, k)
        S_A0 = _cluster_sums(X * A0[:, None], cl, G)
        S_d = _cluster_sums(X * d[:, None], cl, G)
        self.q0, self.q1 = S_A0 @ a, S_d @ a  # numerator weights, q(r) = q0 - r q1
        # F(r)[g, h] = a' X_g'X_g (X'X)^-1 X_h' u_r,h
        P = _cluster_sums(X * xa[:, None], cl, G)  # (G, k): X_g'X_g a
        PXi = P @ XtX_inv
        F0, F1 = PXi @ S_A0.T, PXi @ S_d.T
        # E(r)[g, h] = a' X_g' [M(u_r * 1_h)]_g
        if design.fe is None:
            E0, E1 = np.diag(self.q0), np.diag(self.q1)
        else:
            E0, E1 = self._cross_cluster(design, cl, G, xa, A0, d)
        self.K0, self.K1 = E0 - F0, E1 - F1

    @staticmethod
    def _cross_cluster(design: WildDesign, cl: np.ndarray, G: int, xa: np.ndarray,
                       A0: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(cl)
        E0 = np.empty((G, G))
        E1 = np.empty((G, G))
        # chunks of clusters keep the N x 2m working matrix small on big panels
        chunk = max(1, min(G, int(2e7 // max(n, 1))))
        for start in range(0, G, chunk):
            hs = np.arange(start, min(G, start + chunk))
            ind = cl[:, None] == hs[None, :]
            cols = np.concatenate([A0[:, None] * ind, d[:, None] * ind], axis=1)
            Z = _reproject(design, cols)
            sums = _cluster_sums(xa[:, None] * Z, cl, G)  # (G, 2m)
            E0[:, hs] = sums[:, : len(hs)]
            E1[:, hs] = sums[:, len(hs) :]
        return E0, E1

    def t_original(self, r: float) -> float:
        q = self.q0 - r * self.q1
        K = self.K0 - r * self.K1
        return float(q.sum() / np.sqrt(np.sum(K.sum(axis=1) ** 2)))

    def _draw_pieces(self, V: np.ndarray) -> tuple[np.ndarray, ...]:
        """``V q0``, ``V q1``, ``V K0'`` and ``V K1'``, kept for the last ``V``: the test
        inversion evaluates many ``r`` on the same draws, and ``t*(r)`` is linear in ``r``
        in its numerator and in the scores, so each ``r`` then costs O(B G), not O(B G^2)."""
        if getattr(self, "_pieces_for", None) is not V:
            self._pieces = (V @ self.q0, V @ self.q1, V @ self.K0.T, V @ self.K1.T,
                            np.all(V[:, :1] == V, axis=1))
            self._pieces_for = V
        return self._pieces

    def t_boot(self, r: float, V: np.ndarray) -> np.ndarray:
        Vq0, Vq1, S0, S1, _ = self._draw_pieces(V)
        num = Vq0 - r * Vq1
        S = S0 - r * S1
        den = np.sqrt(np.einsum("bg,bg->b", S, S))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(num / den)

    def p_value(self, r: float, V: np.ndarray) -> float:
        """Share of draws with ``|t*| >= |t|``, ties (up to :data:`TIE_RTOL`) included."""
        t = abs(self.t_original(r))
        tb = np.abs(self.t_boot(r, V))
        tb = np.where(np.isfinite(tb), tb, 0.0)
        # a constant weight pattern (every weight c) gives t* = sign(c) t exactly: a tie by
        # construction, counted as such even where rounding at a huge r would hide it
        constant = self._draw_pieces(V)[4]
        return float(np.mean((tb >= t * (1.0 - TIE_RTOL)) | constant))

    def prob_above(self, r: float, V: np.ndarray) -> float:
        """Confidence that ``R'b > r``: the share of null-imposed draws with ``t* < t(r)``,
        ties (up to :data:`TIE_RTOL`) counted half. This is one minus the one-sided
        bootstrap p-value of ``R'b <= r``, i.e. the bootstrap-t confidence distribution
        evaluated at ``r``; it never reads whether an interval covers ``r``."""
        t = self.t_original(r)
        tb = self.t_boot(r, V)
        tb = np.where(np.isfinite(tb), tb, 0.0)
        constant = self._draw_pieces(V)[4]
        positive = V[:, 0] > 0
        # constant patterns: all-positive ones reproduce t (a tie), all-negative ones give -t
        ties = (np.abs(tb - t) <= TIE_RTOL * abs(t)) & ~(constant & ~positive) | (
            constant & positive)
        below = (tb < t) & ~ties | (constant & ~positive & (t > 0))
        return float(np.mean(below) + 0.5 * np.mean(ties))


def wild_test(
    design: WildDesign,
    R: np.ndarray,
    *,
    r: float = 0.0,
    reps: int = 9999,
    weights_type: str = "rademacher",
    seed: int = 2026,
    conf_level: float = 0.95,
    se_hint: float | None = None,
    ci: bool = True,
) -> WildResult:
    """Wild cluster restricted bootstrap test of ``R'b = r`` and its inverted interval.

    Parameters
    ----------
    design
        The transformed problem (see :class:`WildDesign`).
    R
        Coefficient combination, shape ``(k,)``: a unit vector for one coefficient, ones on
        the lag terms for a cumulative effect.
    r
        Value under the null for the reported p-value (the interval does not depend on it).
    reps, weights_type, seed
        Draws, ``"rademacher"`` or ``"webb"``, and the seed of the weight generator.
    conf_level
        Level of the interval obtained by test inversion.
    se_hint
        A standard error used to start the search for the interval bounds.
    ci
        Whether to compute the interval.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cl = np.repeat(np.arange(10), 20)
    >>> X = rng.normal(size=(200, 1)); y = 0.5 * X[:, 0] + rng.normal(size=200)
    >>> res = wild_test(WildDesign(X, y, cl), np.array([1.0]), reps=9999)
    >>> res.enumerated, res.reps, res.conf_low < 0.5 < res.conf_high
    (True, 1024, True)
    """
    R = np.asarray(R, dtype=float)
    hyp = _Hypothesis(design, R)
    V, enumerated = draw_weights(hyp.G, reps, weights_type, seed)
    t0 = hyp.t_original(r)
    p = hyp.p_value(r, V)
    prob = hyp.prob_above(0.0, V)
    lo = hi = float("nan")
    if ci:
        lo, hi = _invert(hyp, V, 1.0 - conf_level, se_hint)
    return WildResult(
        statistic=t0,
        p_value=p,
        conf_low=lo,
        conf_high=hi,
        reps=V.shape[0],
        enumerated=enumerated,
        weights_type=weights_type,
        n_clusters=hyp.G,
        prob_positive=prob,
    )


def _invert(hyp: _Hypothesis, V: np.ndarray, alpha: float,
            se_hint: float | None) -> tuple[float, float]:
    """Bounds of ``{r : p(r) > alpha}`` around the estimate, by bracketing and bisection."""
    est = hyp.Rb
    step = se_hint if se_hint and np.isfinite(se_hint) and se_hint > 0 else max(abs(est), 1.0)
    if hyp.p_value(est, V) <= alpha:  # degenerate: even the estimate is rejected
        return float("nan"), float("nan")

    def bound(direction: float) -> float:
        inside = est
        width = 2.0 * step
        for _ in range(60):
            outside = est + direction * width
            if hyp.p_value(outside, V) <= alpha:
                break
            inside = outside
            width *= 2.0
        else:
            return float(direction * np.inf)
        tol = 1e-7 * step
        for _ in range(100):
            mid = 0.5 * (inside + outside)
            if hyp.p_value(mid, V) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) < tol:
                break
        return 0.5 * (inside + outside)

    return bound(-1.0), bound(1.0)


__all__ = ["WildDesign", "WildResult", "choose_weights", "draw_weights", "wild_test"]
