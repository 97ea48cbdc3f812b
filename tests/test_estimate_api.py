"""The estimate package's shape and public API: no import cycle, one argument order for every
estimator (data, outcome, exposure(s), unit, time, then keyword-only options), old call
forms still working with a DeprecationWarning, frozen results with tidy/to_dict/summary."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evaluation.estimate as estimate
from evaluation.estimate import (
    by_subgroup,
    chain,
    compare_exposures,
    dose_response,
    event_study,
    example_panel,
    mde,
    panel_fe,
    robustness,
    staggered_did,
)
from evaluation.estimate import results as results_hub

PACKAGE = Path(estimate.__file__).parent


def _imports_of(path: Path) -> set[str]:
    """Sibling modules a module of estimate/ imports, anywhere in the file (lazy included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(
                "evaluation.estimate."):
            out.add(node.module.split(".")[2])
    return out


def test_no_import_cycle_inside_estimate_and_init_only_reexports():
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert len(modules) > 10
    graph = {m: _imports_of(p) & set(modules) for m, p in modules.items()}
    # the hub of result types is imported by no estimator
    assert not [m for m, deps in graph.items() if "results" in deps]
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            assert state.get(d) != 1, f"import cycle: {' -> '.join([*path, m, d])}"
            if d not in state:
                visit(d, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    init = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(n).__name__ for n in init.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}


def test_no_noqa_e402_and_no_import_inside_a_function():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "noqa: E402" in text:
            offenders.append(f"{path.name}: noqa E402")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (
                            inner.level > 0 or (inner.module or "").startswith("evaluation")):
                        offenders.append(f"{path.name}:{inner.lineno} in {node.name}")
    assert offenders == []


def test_files_and_functions_stay_small():
    big = []
    n_functions = 0
    for path in sorted(PACKAGE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 600:
            big.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                n_functions += 1
                length = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node, clean=False)
                if doc is not None:
                    body0 = node.body[0]
                    length -= body0.end_lineno - body0.lineno + 1
                reason = (doc or "").lower()
                if length > 80 and "long because" not in reason:
                    big.append(f"{path.name}: {node.name} has {length} lines of code")
    assert n_functions > 100
    assert big == []


ESTIMATORS = {
    "panel_fe": (panel_fe, ["df", "outcome", "exposure", "unit", "time"]),
    "chain": (chain, ["df", "outcome", "exposure", "unit", "time"]),
    "dose_response": (dose_response, ["df", "outcome", "exposure", "unit", "time"]),
    "robustness": (robustness, ["df", "outcome", "exposure", "unit", "time"]),
    "mde": (mde, ["df", "outcome", "exposure", "unit", "time"]),
    "event_study": (event_study, ["df", "outcome", "cohort", "unit", "time"]),
    "staggered_did": (staggered_did, ["df", "outcome", "cohort", "unit", "time"]),
    "compare_exposures": (compare_exposures, ["df", "outcome", "exposure", "unit", "time"]),
    "by_subgroup": (by_subgroup, ["df", "outcome", "exposure", "unit", "time"]),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_estimator_takes_data_outcome_exposure_unit_time_then_keywords(name):
    func, expected = ESTIMATORS[name]
    params = list(inspect.signature(func).parameters.values())
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == expected
    rest = [p for p in params if p.kind != p.POSITIONAL_OR_KEYWORD]
    assert rest and all(p.kind == p.KEYWORD_ONLY for p in rest)


def _cohort_panel(seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(24) for t in range(2015, 2023)],
                      columns=["unit", "year"])
    df["cohort"] = df["unit"].map(lambda u: [2018, 2020, np.nan][u % 3])
    df["ikm"] = 80 + 2.0 * (df["year"] >= df["cohort"]) + rng.normal(0, 0.5, len(df))
    return df


def _chain_panel(seed=3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(u, t) for u in range(30) for t in range(2016, 2022)],
                      columns=["unit", "year"])
    df["jp"] = rng.normal(20, 5, len(df))
    df["ikm"] = 0.5 * df["jp"] + rng.normal(0, 1, len(df))
    df["iku"] = 0.8 * df["ikm"] + 0.1 * df["jp"] + rng.normal(0, 1, len(df))
    return df


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", DeprecationWarning)
        return func(*args, **kwargs)


def _old(func, *args, **kwargs):
    with pytest.warns(DeprecationWarning, match="previous release") as record, \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        out = func(*args, **kwargs)
    # the warning points at the caller, not at the package's internals
    assert any(Path(w.filename).name == Path(__file__).name for w in record)
    return out


def test_panel_fe_old_exposures_keyword_still_works_with_a_warning():
    panel = example_panel(n_units=20, n_years=6, seed=2)
    new = _quiet(panel_fe, panel, "ikm", "jp_per_asn", "unit_id", "year", inference="cluster")
    old = _old(panel_fe, panel, "ikm", exposures=["jp_per_asn"], unit="unit_id", time="year",
               inference="cluster")
    pd.testing.assert_frame_equal(new.tidy(), old.tidy())
    kw = _quiet(panel_fe, panel, "ikm", exposure=["jp_per_asn"], unit="unit_id", time="year",
                inference="cluster")
    pd.testing.assert_frame_equal(new.tidy(), kw.tidy())
    with pytest.raises(TypeError, match="exposure= only"):
        panel_fe(panel, "ikm", exposure="jp_per_asn", exposures="jp_per_asn", unit="unit_id",
                 time="year")


def test_chain_old_order_still_works_with_a_warning():
    df = _chain_panel()
    new = _quiet(chain, df, "iku", "jp", "unit", "year", mediator="ikm", lag=0, reps=199)
    old = _old(chain, df, "jp", "ikm", "iku", "unit", "year", lag=0, reps=199)
    old_kw = _old(chain, df, "jp", "ikm", "iku", unit="unit", time="year", lag=0, reps=199)
    by_name = _quiet(chain, df, exposure="jp", mediator="ikm", outcome="iku", unit="unit",
                     time="year", lag=0, reps=199)
    for other in (old, old_kw, by_name):
        pd.testing.assert_frame_equal(new.tidy(), other.tidy())
    assert new.to_dict()["mediator"] == "ikm" and new.to_dict()["outcome"] == "iku"


@pytest.mark.parametrize("func", [event_study, staggered_did])
def test_cohort_estimators_old_order_still_works_with_a_warning(func):
    df = _cohort_panel()
    opts = {"inference": "cluster"} if func is event_study else {}
    new = _quiet(func, df, "ikm", "cohort", "unit", "year", **opts)
    old = _old(func, df, "ikm", "unit", "year", "cohort", **opts)
    old_kw = _old(func, df, "ikm", "unit", "year", cohort="cohort", **opts)
    by_name = _quiet(func, df, outcome="ikm", unit="unit", time="year", cohort="cohort", **opts)
    for other in (old, old_kw, by_name):
        pd.testing.assert_frame_equal(new.tidy(), other.tidy())


def test_result_types_are_frozen_with_tidy_to_dict_summary():
    names = [n for n in results_hub.__all__ if n.endswith("Result") and n != "ResultBase"]
    assert len(names) >= 9
    for name in names:
        cls = getattr(results_hub, name)
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, name
        for method in ("tidy", "to_dict", "summary", "_repr_html_", "__str__"):
            assert callable(getattr(cls, method)), (name, method)


def test_a_result_cannot_be_changed_and_its_summary_is_its_text():
    res = panel_fe(example_panel(n_units=20, n_years=6), "ikm", "jp_per_asn", "unit_id", "year",
                   inference="cluster")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n_obs = 3  # type: ignore[misc]
    assert str(res) == res.summary() and "jp_per_asn" in res._repr_html_()
