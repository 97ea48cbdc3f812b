"""The methods page of the brief: every estimate, the robustness checks, the lags, provenance.

For analysts: the page after the two pages leadership reads. Tables are lists of formatted
cells; the template lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..i18n import Formatter, digits_for
from .view import as_dict, as_list, is_finite


def group_hex(hexdigest: str, size: int = 8) -> str:
    """A long hash in groups of eight: easier to compare by eye, never NIP-shaped."""
    return " ".join(hexdigest[i:i + size] for i in range(0, len(hexdigest), size))


def provenance_rows(results: Mapping, f: Formatter) -> dict[str, list[tuple[str, str]]]:
    prov = as_dict(results.get("provenance"))
    p = f.cat["provenance"]
    short: list[tuple[str, str]] = []
    long: list[tuple[str, str]] = []
    sha = prov.get("data_sha256")
    if isinstance(sha, str) and sha:
        short.append((p["data_hash"], sha[:12]))
        long.append((p["full_hash"], group_hex(sha)))
    if prov.get("run_id"):
        short.append((p["run_id"], str(prov["run_id"])))
    commit = prov.get("git_commit")
    if commit:
        short.append((p["commit"], str(commit)[:12] + (" " + p["dirty"] if prov.get("git_dirty")
                                                       else "")))
    if prov.get("toolkit_version"):
        short.append((p["toolkit"], str(prov["toolkit_version"])))
    packages = as_dict(prov.get("packages"))
    if packages:
        long.append((p["packages"], ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    params = as_dict(results.get("parameters"))
    if params:
        long.append((p["parameters"], ", ".join(f"{k}={v}" for k, v in sorted(params.items()))))
    return {"short": short, "long": long}


def _table_digits(*values: Any) -> int:
    """Decimals for an analyst's table: enough for two significant digits of the largest
    value (a per-rupiah effect of 1,2e-7 must not print as 0,000)."""
    finite = [abs(v) for v in values if is_finite(v) and v != 0]
    if not finite:
        return 3
    largest = max(finite)
    if largest >= 0.1:
        return max(digits_for(*values), 3 if largest < 1 else 1)
    return min(10, 1 - math.floor(math.log10(largest)) + 1)


def _col(label: str, num: bool = False) -> dict:
    return {"label": label, "num": num}


def methods_tables(results: Mapping, f: Formatter) -> list[dict]:
    t, h = f.cat["table"], f.cat["headings"]
    tables = []
    rows = []
    for e in as_list(results.get("estimates")):
        if not isinstance(e, dict) or e.get("term") in (e.get("controls") or ()):
            continue  # control coefficients are not findings; they stay in results.json
        d = _table_digits(e.get("estimate"), e.get("conf_low"), e.get("conf_high"))
        rows.append([e.get("model", ""), e.get("outcome", ""), e.get("term", ""),
                     f.number(e.get("estimate"), d),
                     f"{f.number(e.get('conf_low'), d)} – {f.number(e.get('conf_high'), d)}",
                     f.p_value(e.get("p_value")), e.get("inference", ""),
                     f.integer(e.get("n_obs")), f.integer(e.get("n_clusters"))])
    if rows:
        tables.append({"title": h["estimates"], "rows": rows, "columns": [
            _col(t["model"]), _col(t["outcome"]), _col(t["term"]), _col(t["estimate"], True),
            _col(t["ci"], True), _col(t["p_value"], True), _col(t["inference"]),
            _col(t["n_obs"], True), _col(t["n_clusters"], True)]})
    rob = as_dict(results.get("robustness"))
    label_key = "label_en" if f.lang == "en" else "label_id"
    rows = []
    for s in as_list(rob.get("specifications")):
        if not isinstance(s, dict):
            continue
        d = max(3, digits_for(s.get("estimate")))
        rows.append([s.get(label_key) or s.get("name", ""), f.number(s.get("estimate"), d),
                     f"{f.number(s.get('conf_low'), d)} – {f.number(s.get('conf_high'), d)}",
                     f.p_value(s.get("p_value"))])
    if rows:
        tables.append({"title": h["robustness"], "rows": rows, "columns": [
            _col(t["spec"]), _col(t["estimate"], True), _col(t["ci"], True),
            _col(t["p_value"], True)]})
    rows = []
    for lag in as_list(as_dict(results.get("distributed_lags")).get("lags")):
        if isinstance(lag, dict):
            rows.append([f.integer(lag.get("lag")), f.number(lag.get("estimate"), 3),
                         f"{f.number(lag.get('conf_low'), 3)} – {f.number(lag.get('conf_high'), 3)}"])
    placebo = as_dict(as_dict(results.get("distributed_lags")).get("placebo_lead"))
    if rows and is_finite(placebo.get("estimate")):
        rows.append([f.cat["table"]["placebo"], f.number(placebo["estimate"], 3),
                     f"p = {f.p_value(placebo.get('p_value'))}"])
    if rows:
        tables.append({"title": h["lags"], "rows": rows, "columns": [
            _col(t["lag"], True), _col(t["estimate"], True), _col(t["ci"], True)]})
    # the per-unit table is in tables.xlsx: on paper it would push the annex past a page
    return tables


__all__ = ["group_hex", "methods_tables", "provenance_rows"]
