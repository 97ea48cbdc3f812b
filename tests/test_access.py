"""Who is left behind (issue 13 item 3): the access measures, by hand, against the demo
generator's truth, on both engines, and the results.json block with its suppression."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.demo import truth
from evaluation.indicators import access_counts, access_measures, person_year_jp
from evaluation.study import load_study


def _hand_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    # unit A has 10 ASN every year; B has 4. JP of each person who trained (others: none).
    rows = [
        # year, nip, unit, jp, of which nonklasikal
        (2022, "a1", "A", 40.0, 0.0), (2022, "a2", "A", 10.0, 10.0),
        (2023, "a1", "A", 30.0, 0.0),
        (2024, "a1", "A", 30.0, 10.0), (2024, "a3", "A", 10.0, 0.0),
        (2024, "b1", "B", 20.0, 20.0), (2024, "b2", "B", 20.0, 0.0),
    ]
    py = pd.DataFrame(rows, columns=["year", "nip", "unit_id", "jp", "jp_nonklasikal"])
    staff = pd.DataFrame({"unit_id": ["A"] * 3 + ["B"] * 3, "year": [2022, 2023, 2024] * 2,
                          "asn_count": [10, 10, 10, 4, 4, 4]})
    return py, staff


def test_access_measures_by_hand():
    py, staff = _hand_example()
    m = access_measures(access_counts(py, staff)).set_index(["unit_id", "year"], drop=False)
    a = m.loc[("A", 2024)]
    # 2 of 10 trained: 8 without JP
    assert a["share_no_jp"] == pytest.approx(0.8)
    # JP sorted ascending with the 8 zeros first: 0 x8, 10, 30; n = 10, total 40.
    # Gini = 2 (9 x 10 + 10 x 30) / (10 x 40) - 11/10 = 780/400 - 1.1 = 0.85
    assert a["gini"] == pytest.approx(0.85)
    # top 10% of 10 ASN = 1 person (30 JP of 40)
    assert a["top10_share"] == pytest.approx(0.75)
    assert a["share_nonklasikal"] == pytest.approx(0.25)
    # none in 2022-2024: a2 trained in 2022 only (still counted present: the lower bound),
    # a1 and a3 trained in 2024: 10 - 2 - 1 = 7
    assert a["n_none_3y"] == 7 and a["share_none_3y"] == pytest.approx(0.7)
    b = m.loc[("B", 2024)]
    # B: 4 ASN, 2 with 20 JP each. Gini = 2 (3 x 20 + 4 x 20) / (4 x 40) - 5/4 = 0.5;
    # the top 10% is 0.4 of a person: 0.4 x 20 of 40 JP
    assert b["gini"] == pytest.approx(0.5) and b["top10_share"] == pytest.approx(0.2)
    # B had no training before 2024: the whole unit is nobody's "recent", 4 - 2 = 2
    assert b["share_none_3y"] == pytest.approx(0.5)
    # the first two years of the data cannot say "three consecutive years"
    assert math.isnan(m.loc[("A", 2023), "share_none_3y"])
    city = m[m["unit_id"].isna()].set_index("year").loc[2024]
    assert city["asn_count"] == 14 and city["share_no_jp"] == pytest.approx(10 / 14)
    # the city: 14 ASN, JP 0 x10, 10, 20, 20, 30; top 1.4 persons: 30 + 0.4 x 20
    assert city["top10_share"] == pytest.approx(38 / 80)


@pytest.fixture(scope="module")
def demo_study(demo_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_study(demo_dir, cache_dir=False)


def _truth_measures(person_year: pd.DataFrame) -> pd.DataFrame:
    """The measures from every ASN on a unit's staff (zeros included), as the generator
    knows them."""
    jp_of = person_year.set_index(["person", "year"])["jp"]
    rows = []
    for (unit, year), g in person_year.groupby(["unit_id", "year"]):
        x = np.sort(g["jp"].to_numpy())
        n, total = len(x), x.sum()
        gini = 2 * (np.arange(1, n + 1) * x).sum() / (n * total) - (n + 1) / n
        k = 0.1 * n
        top = x[::-1][: int(k)].sum() + (k - int(k)) * x[::-1][int(k)]
        before = [jp_of.reindex(pd.MultiIndex.from_arrays(
            [g["person"], np.full(n, year - lag)])).fillna(0.0).to_numpy() for lag in (1, 2)]
        none = ((g["jp"].to_numpy() == 0) & (before[0] == 0) & (before[1] == 0)).mean()
        rows.append((unit, year, (x == 0).mean(), none, top / total, gini,
                     g["jp_nonklasikal"].sum() / total))
    return pd.DataFrame(rows, columns=["unit_id", "year", "share_no_jp", "share_none_3y",
                                       "top10_share", "gini", "share_nonklasikal"])


def test_access_measures_recover_the_generator_truth(demo_study):
    s = demo_study
    measured = access_measures(access_counts(person_year_jp(s.tables["training"],
                                                            config=s.config),
                                             s.tables["staff"]))
    true = _truth_measures(truth(s.config.seed)["person_year"])
    m = measured[measured["unit_id"].notna()].merge(true, on=["unit_id", "year"],
                                                    suffixes=("", "_true"))
    assert len(m) == len(true) > 500
    for col in ("share_no_jp", "top10_share", "gini", "share_nonklasikal"):
        np.testing.assert_allclose(m[col], m[f"{col}_true"], rtol=1e-12, err_msg=col)
    # three years: a lower bound (leavers who trained lately count as still there)
    later = m[m["year"] >= 2017]
    assert (later["share_none_3y"] <= later["share_none_3y_true"] + 1e-12).all()
    assert later["share_none_3y_true"].mean() > later["share_none_3y"].mean()


def test_both_engines_give_the_same_sums(demo_study, demo_dir):
    s = demo_study
    mem = access_counts(person_year_jp(s.tables["training"], config=s.config),
                        s.tables["staff"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = load_study(demo_dir, cache_dir=False, engine="duckdb").aggregates.access
    keys = ["unit_id", "year"]
    a = mem.sort_values(keys, na_position="last").reset_index(drop=True)
    b = out.sort_values(keys, na_position="last").reset_index(drop=True)
    assert a["unit_id"].tolist() == b["unit_id"].tolist() and len(a) > 500
    for col in a.columns[2:]:
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float),
                                   rtol=1e-10, equal_nan=True, err_msg=col)


def _context(study, year=2024, k=None, panel=None):
    from evaluation.brief.context import AnalysisContext

    panel = study.panel() if panel is None else panel
    return AnalysisContext(
        config=study.config, study=study, panel=panel, window=panel,
        panel_year=panel[panel["year"] == year], year=year,
        first_year=int(panel["year"].min()), headline_row=None, headline=None, seed=1,
        min_cell_size=k or study.config.min_cell_size)


def test_results_block_with_suppression(demo_study):
    from evaluation.brief.sections import access

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        block = access.build(_context(demo_study))
    assert block["available"] and block["year"] == 2024 and block["min_cell_size"] == 5
    assert len(block["units"]) == 52 and block["city"]["asn_count"] > 14_000
    assert [t["year"] for t in block["city_trend"]] == list(range(2015, 2025))
    assert block["city_trend"][0]["share_none_3y"] is None  # no three years yet
    assert len(block["most_without_jp"]) == 3
    # BAPPEDA 2024: too few persons without JP in three years to show
    by_unit = {u["unit_id"]: u for u in block["units"]}
    shown = [u for u in block["units"] if u.get("share_none_3y_suppressed")]
    assert shown and all(u["share_none_3y"] is None for u in shown)
    # a larger minimum cell hides small units entirely, and small top-10% groups
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strict = access.build(_context(demo_study, k=120))
    small = [u for u in strict["units"] if u["suppressed"]]
    assert small and all(u["asn_count"] is None and u["gini"] is None for u in small)
    assert all(u["top10_share"] is None for u in strict["units"]
               if not u["suppressed"] and by_unit[u["unit_id"]]["asn_count"] < 1200)
    assert strict["n_units_suppressed"] == len(small)


def test_without_person_records_the_block_says_why(demo_study):
    import dataclasses

    from evaluation.brief.sections import access

    tables = {k: v for k, v in demo_study.tables.items() if k != "training"}
    other = dataclasses.replace(demo_study, tables=tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        block = access.build(_context(other, panel=demo_study.panel()))
    assert block == {"available": False, "reason": "no_training_records"}
    # a study of summaries: the panel says why (see test_panel for the summary study)
    panel = demo_study.panel()
    panel.attrs["unavailable"] = {"training_access": "training_summary"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        block = access.build(_context(other, panel=panel))
    assert block == {"available": False, "reason": "training_summary"}
