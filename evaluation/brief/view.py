"""Reading a results dict tolerantly: optional blocks may be ``None``, absent or malformed.

The brief reads ``results.json`` written by any version of the analysis that shares its
schema; these helpers let every rule treat a missing block as empty instead of crashing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import is_finite


def as_dict(x: Any) -> dict[str, Any]:
    """``x`` when it is a dict, else an empty dict."""
    return x if isinstance(x, dict) else {}


def as_list(x: Any) -> list[Any]:
    """``x`` when it is a list, else an empty list."""
    return x if isinstance(x, list) else []


def headline_estimate(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """The estimate row the headline points to (``headline.estimate_id``), or ``None``."""
    wanted = as_dict(results.get("headline")).get("estimate_id", "headline")
    for row in as_list(results.get("estimates")):
        if isinstance(row, dict) and row.get("id") == wanted:
            return row
    return None


def scaled_headline(results: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
    """``(scaled estimate dict, scale)`` for the headline: the effect of +``scale`` exposure.

    Uses ``headline.scaled`` when present, else multiplies the estimate row by ``scale``.
    """
    head = as_dict(results.get("headline"))
    raw = head.get("scale")
    scale = float(raw) if is_finite(raw) else 1.0
    scaled = as_dict(head.get("scaled"))
    if all(is_finite(scaled.get(k)) for k in ("estimate", "conf_low", "conf_high")):
        return scaled, scale
    row = headline_estimate(results) or {}
    return {k: (row[k] * scale if is_finite(row.get(k)) else None)
            for k in ("estimate", "conf_low", "conf_high")}, scale


def units(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The per-unit rows (``results["units"]``) that are dicts."""
    return [u for u in as_list(results.get("units")) if isinstance(u, dict)]


__all__ = ["as_dict", "as_list", "headline_estimate", "is_finite", "scaled_headline", "units"]
