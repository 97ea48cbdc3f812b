"""Wild cluster restricted bootstrap of a Wald test of several linear restrictions.

For ``H0: R b = r`` with ``q`` rows (e.g. "every training type has the same effect": the
differences from the first type are zero), on the same transformed problem as
:mod:`evaluation.estimate._wild` (fixed effects projected out):

1. restricted estimate ``b_r = b - (X'X)^-1 R' [R (X'X)^-1 R']^-1 (R b - r)``, residuals
   ``u_r = y - X b_r``;
2. one weight per cluster ``v`` (Rademacher, Webb, or every pattern when there are few);
   bootstrap outcome ``y* = X b_r + M(u_r * v)``, ``M`` projecting out the fixed effects
   that cut across clusters (as the one-restriction test does);
3. ``W* = (R b* - r)' [R V*_CR R']^-1 (R b* - r)`` with the cluster-robust covariance of
   each bootstrap sample, against ``W`` of the data; ``p = P*(W* >= W)``, ties counted
   (the randomization-test convention of the one-restriction test).

Everything is linear in ``v``: ``b* = b_r + A v`` and the residuals are ``E v`` with ``A``
(k x G) and ``E`` (N x G) computed once, so the cluster scores of every draw come from one
(G x k x G) tensor and no draw re-estimates a regression. With one restriction ``W* = t*^2``
and the p-value equals :func:`~evaluation.estimate._wild.wild_test`'s for the same draws
(tested). The small-sample factor of CR1 cancels, as there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import EstimationError
from ._wild import TIE_RTOL, WildDesign, _cluster_sums, _reproject, draw_weights


@dataclass(frozen=True)
class WildWaldResult:
    """Outcome of a wild cluster restricted bootstrap Wald test of ``q`` restrictions."""

    statistic: float  # W of the data (no small-sample factor; it cancels)
    df: int  # q
    p_value: float
    reps: int
    enumerated: bool
    weights_type: str
    n_clusters: int


def _restricted_residuals(X: np.ndarray, y: np.ndarray, XtXi: np.ndarray, R: np.ndarray,
                          r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unrestricted residuals and residuals under ``R b = r``."""
    b = XtXi @ (X.T @ y)
    RA = R @ XtXi
    b_r = b - XtXi @ R.T @ np.linalg.solve(RA @ R.T, R @ b - r)
    return y - X @ b, y - X @ b_r


def _wald(d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``d' (sum_g w_g w_g')^-1 d`` for a batch: d (B, q), w (B, G, q)."""
    meat = np.einsum("bgq,bgr->bqr", w, w)
    out: np.ndarray = np.einsum("bq,bq->b", d, np.linalg.solve(meat, d[..., None])[..., 0])
    return out


def wild_wald_test(
    design: WildDesign,
    R: np.ndarray,
    r: np.ndarray | None = None,
    *,
    reps: int = 9999,
    weights_type: str = "rademacher",
    seed: int = 2026,
) -> WildWaldResult:
    """Wild cluster restricted bootstrap Wald test of ``R b = r`` (``R`` is ``q x k``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cl = np.repeat(np.arange(12), 20)
    >>> X = rng.normal(size=(240, 3)); y = X @ np.array([0.5, 0.5, 0.5]) + rng.normal(size=240)
    >>> R = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])
    >>> res = wild_wald_test(WildDesign(X, y, cl), R, reps=999, seed=1)
    >>> res.df, res.p_value > 0.05
    (2, True)
    """
    X, y, cl = design.X, design.y, design.clusters
    R = np.atleast_2d(np.asarray(R, dtype=float))
    q = R.shape[0]
    r = np.zeros(q) if r is None else np.asarray(r, dtype=float)
    G = int(cl.max()) + 1
    if np.linalg.matrix_rank(R) < q or q >= G:
        raise EstimationError(
            f"wild Wald test: expecting {q} independent restrictions on fewer than the {G} "
            "clusters (a cluster-robust covariance has rank at most G - 1).")
    XtXi = np.linalg.inv(X.T @ X)
    u, u_r = _restricted_residuals(X, y, XtXi, R, r)
    RXi = R @ XtXi
    # the data's statistic (unrestricted residuals)
    w0 = RXi @ _cluster_sums(X * u[:, None], cl, G).T  # (q, G)
    d0 = R @ (XtXi @ (X.T @ y)) - r
    stat = float(d0 @ np.linalg.solve(w0 @ w0.T, d0))
    # bootstrap pieces, linear in the cluster weights
    Z = _reproject(design, u_r[:, None] * (cl[:, None] == np.arange(G)[None, :]))
    A = XtXi @ (X.T @ Z)  # (k, G): b* - b_r = A v
    E = Z - X @ A  # (N, G): bootstrap residuals = E v
    k = X.shape[1]
    C = _cluster_sums((X[:, :, None] * E[:, None, :]).reshape(len(cl), k * G), cl, G)
    C = C.reshape(G, k, G)  # scores: s_g(v) = C[g] v
    RC = np.einsum("qk,gkh->gqh", RXi, C)  # (G, q, G)
    V, enumerated = draw_weights(G, reps, weights_type, seed)
    boot = np.empty(V.shape[0])
    chunk = max(1, int(4e6 // max(G * G * q, 1)))
    RA = R @ A
    for start in range(0, V.shape[0], chunk):
        v = V[start:start + chunk]
        w = np.einsum("gqh,bh->bgq", RC, v)
        boot[start:start + chunk] = _wald(v @ RA.T, w)
    boot = np.where(np.isfinite(boot), boot, 0.0)
    p = float(np.mean(boot >= stat * (1.0 - 2.0 * TIE_RTOL)))
    return WildWaldResult(statistic=stat, df=q, p_value=p, reps=V.shape[0],
                          enumerated=enumerated, weights_type=weights_type, n_clusters=G)


__all__ = ["WildWaldResult", "wild_wald_test"]
