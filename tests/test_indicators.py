"""Indicators: IKM (PermenPANRB 14/2017), Krejcie-Morgan, training intensity, IP ASN, IPM.

Expected values are worked out by hand in the comments, from the regulations' formulas.
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.config import JpSettings
from evaluation.errors import DataQualityWarning, DataValidationError, ParameterError
from evaluation.indicators import (
    IKM_ELEMENTS,
    check_ipm_series,
    credited_jp,
    ikm,
    ikm_category,
    ip_asn,
    ip_asn_category,
    ipm_category,
    programme_exposure,
    required_sample,
    training_intensity,
)

U = [f"u{i}" for i in range(1, 10)]


def skm(rows: list[tuple[str, int, list]]) -> pd.DataFrame:
    """SKM answers from (unit, year, [u1..u9]) tuples; None = skipped."""
    return pd.DataFrame(
        [{"unit_id": u, "year": y, "respondent_id": str(i), **dict(zip(U, ans, strict=True))}
         for i, (u, y, ans) in enumerate(rows)]
    ).astype({c: float for c in U})


# ---- IKM: hand-worked examples ------------------------------------------------------------------


def test_ikm_hand_example_both_weightings():
    # R1 answers 4 everywhere; R2 answers 4 on U1,U3,U5,U7,U9 and 3 on U2,U4,U6,U8.
    # NRR: U1 4, U2 3.5, U3 4, U4 3.5, U5 4, U6 3.5, U7 4, U8 3.5, U9 4 -> sum 34.
    # exact:      34 x 1/9 = 3.7778; x 25 = 94.444 -> A Sangat Baik
    # regulation: 34 x 0.11 = 3.74;   x 25 = 93.5   -> A Sangat Baik
    df = skm([("D01", 2024, [4] * 9), ("D01", 2024, [4, 3, 4, 3, 4, 3, 4, 3, 4])])
    exact = ikm(df).table.iloc[0]
    assert exact["ikm"] == pytest.approx(34 / 9 * 25, abs=1e-9)
    assert exact["index_value"] == pytest.approx(34 / 9, abs=1e-12)
    assert (exact["category"], exact["category_label"]) == ("A", "Sangat Baik")
    assert exact["weighting"] == "exact"
    reg = ikm(df, weighting="regulation").table.iloc[0]
    assert reg["ikm"] == pytest.approx(93.5, abs=1e-9)
    assert reg["weighting"] == "regulation"


def test_weighting_changes_the_category_where_the_regulation_weight_bites():
    # R1-R3 answer 3 everywhere; R4 answers 4 on U1-U3 and 3 on U4-U9.
    # NRR U1-U3 = (3+3+3+4)/4 = 3.25, U4-U9 = 3.0 -> sum 3 x 3.25 + 6 x 3 = 27.75
    # exact:      27.75 / 9 x 25 = 77.083 -> B Baik (>= 76.61)
    # regulation: 27.75 x 0.11 x 25 = 76.3125 -> C Kurang Baik (< 76.61)
    df = skm([("D01", 2024, [3] * 9)] * 3 + [("D01", 2024, [4, 4, 4, 3, 3, 3, 3, 3, 3])])
    exact, reg = ikm(df).table.iloc[0], ikm(df, weighting="regulation").table.iloc[0]
    assert exact["ikm"] == pytest.approx(27.75 / 9 * 25)
    assert reg["ikm"] == pytest.approx(76.3125)
    assert (exact["category"], reg["category"]) == ("B", "C")


def test_skipped_elements_average_over_those_who_answered():
    # D02: R1 answers 4 everywhere; R2 answers 2 on U1-U8 and skips U9; R3 answers 3
    # everywhere.
    # NRR U1-U8 = (4+2+3)/3 = 3.0 ; NRR U9 = (4+3)/2 = 3.5 (over the 2 who answered it)
    # sum = 8 x 3.0 + 3.5 = 27.5 -> exact 27.5/9 x 25 = 76.389 (C); regulation
    # 27.5 x 0.11 x 25 = 75.625 (C).
    # Counting the skip as 0 would give U9 = 7/3 and IKM 73.15: the test tells them apart.
    df = skm([("D02", 2023, [4] * 9), ("D02", 2023, [2] * 8 + [None]),
              ("D02", 2023, [3] * 9)])
    res = ikm(df)
    row = res.table.iloc[0]
    assert row["ikm"] == pytest.approx(27.5 / 9 * 25)
    assert row["category"] == "C"
    assert row["n_respondents"] == 3
    el = res.elements.set_index("element")
    assert el.loc["U9", "nrr"] == pytest.approx(3.5)
    assert el.loc["U9", "n_answered"] == 2
    assert el.loc["U1", "n_answered"] == 3
    assert ikm(df, weighting="regulation").table.iloc[0]["ikm"] == pytest.approx(75.625)


def test_exact_boundary_value_is_not_lost_to_binary_rounding():
    # 3 respondents answer 3 everywhere, 2 answer 2: every NRR = (3+3+3+2+2)/5 = 2.6;
    # 9 x 2.6 / 9 x 25 = 65.00 exactly on paper -> C Kurang Baik (>= 65.00), not D.
    df = skm([("D03", 2024, [3] * 9)] * 3 + [("D03", 2024, [2] * 9)] * 2)
    row = ikm(df).table.iloc[0]
    assert row["ikm"] == pytest.approx(65.0)
    assert row["category"] == "C"


@pytest.mark.parametrize("value, code, label", [
    (64.99, "D", "Tidak Baik"), (65.00, "C", "Kurang Baik"),
    (76.60, "C", "Kurang Baik"), (76.61, "B", "Baik"),
    (88.30, "B", "Baik"), (88.31, "A", "Sangat Baik"),
    (25.0, "D", "Tidak Baik"), (100.0, "A", "Sangat Baik"),
    # on the unrounded value: 88.305 would print as 88.31 but is below the cut-off
    (88.305, "B", "Baik"), (76.6099, "C", "Kurang Baik"),
])
def test_category_boundaries(value, code, label):
    assert ikm_category([value]).iloc[0] == code
    assert ikm_category([value], label=True).iloc[0] == label


def test_category_missing_stays_missing():
    out = ikm_category([np.nan, 80.0])
    assert pd.isna(out.iloc[0]) and out.iloc[1] == "B"


def test_elements_are_found_by_name_not_position():
    df = skm([("D01", 2024, [1, 2, 3, 4, 1, 2, 3, 4, 1]), ("D01", 2024, [2, 2, 2, 2, 2, 2, 2, 2, 2])])
    shuffled = df[["respondent_id", "u9", "u3", "year", "u1", "u7", "u2", "unit_id", "u5",
                   "u4", "u8", "u6"]]
    a, b = ikm(df), ikm(shuffled)
    assert a.table["ikm"].iloc[0] == pytest.approx(b.table["ikm"].iloc[0])
    pd.testing.assert_frame_equal(a.elements, b.elements)
    el = a.elements.set_index("element")
    # U4: (4 + 2) / 2 = 3
    assert el.loc["U4", "nrr"] == pytest.approx(3.0)
    assert el.loc["U4", "element_name"] == "Biaya/Tarif"
    assert el.loc["U1", "element_name"] == "Persyaratan"
    assert el.loc["U9", "element_name"] == "Sarana dan Prasarana"
    assert list(a.elements["element"].iloc[:9]) == list(IKM_ELEMENTS)


def test_element_rank_points_at_the_weakest_element():
    # U4 (Biaya/Tarif) is answered 1 by everyone, the rest 4: U4 has rank 1
    df = skm([("D01", 2024, [4, 4, 4, 1, 4, 4, 4, 4, 4])] * 3)
    el = ikm(df).elements.set_index("element")
    assert el.loc["U4", "rank"] == 1
    assert sorted(el["rank"]) == list(range(1, 10))


def test_groups_by_unit_and_year_and_period():
    df = skm([("D01", 2023, [4] * 9), ("D01", 2024, [2] * 9), ("D02", 2024, [3] * 9)])
    t = ikm(df).table
    assert list(zip(t["unit_id"], t["year"], t["ikm"], strict=True)) == [
        ("D01", 2023, 100.0), ("D01", 2024, 50.0), ("D02", 2024, 75.0)]
    df["period"] = ["I", "I", "II"]
    assert len(ikm(df, by=("unit_id", "year", "period")).table) == 3
    assert len(ikm(df, by=("year",)).table) == 2


def test_element_with_no_answer_gives_no_ikm_and_a_note():
    df = skm([("D01", 2024, [4] * 8 + [None]), ("D02", 2024, [3] * 9)])
    res = ikm(df)
    t = res.table.set_index("unit_id")
    assert math.isnan(t.loc["D01", "ikm"])
    assert pd.isna(t.loc["D01", "category"])
    assert t.loc["D02", "ikm"] == pytest.approx(75.0)
    assert any("no answer at all" in n for n in res.notes)


def test_blank_questionnaire_is_not_a_respondent():
    df = skm([("D01", 2024, [4] * 9), ("D01", 2024, [None] * 9)])
    assert ikm(df).table["n_respondents"].iloc[0] == 1


@pytest.mark.parametrize("bad", [5, 0, 2.5, -1])
def test_answers_outside_1_to_4_are_named_with_row_and_column(bad):
    df = skm([("D01", 2024, [4] * 9), ("D01", 2024, [4, 4, bad, 4, 4, 4, 4, 4, 4])])
    with pytest.raises(DataValidationError) as err:
        ikm(df)
    (p,) = err.value.problems
    assert (p.row, p.column, p.value) == (3, "u3", bad)  # header is row 1, 2nd answer row 3
    assert "1-4" in p.message and p.hint


def test_text_answers_and_missing_columns_are_reported():
    df = skm([("D01", 2024, [4] * 9)]).astype({"u2": object})
    df.loc[0, "u2"] = "empat"
    with pytest.raises(DataValidationError) as err:
        ikm(df)
    assert err.value.problems[0].column == "u2"
    with pytest.raises(DataValidationError) as err:
        ikm(skm([("D01", 2024, [4] * 9)]).drop(columns=["u5"]))
    assert err.value.problems[0].column == "u5"
    with pytest.raises(DataValidationError, match="grouping"):
        ikm(skm([("D01", 2024, [4] * 9)]), by=("unit_id", "period"))


def test_bad_options_are_refused():
    df = skm([("D01", 2024, [4] * 9)])
    with pytest.raises(ParameterError, match="expecting one of"):
        ikm(df, weighting="official")
    with pytest.raises(DataValidationError):
        ikm(df, reps=-1)
    with pytest.raises(DataValidationError):
        ikm(df, conf_level=95)


# ---- Krejcie-Morgan --------------------------------------------------------------------------


@pytest.mark.parametrize("n, s", [(100, 80), (300, 169), (2000, 322), (10, 10),
                                  (1_000_000, 384), (10**12, 384)])
def test_required_sample_matches_krejcie_morgan_table(n, s):
    # 2000: 3.841*2000*0.25 / (0.0025*1999 + 3.841*0.25) = 1920.5 / 5.95775 = 322.35 -> 322
    assert required_sample(n) == s


def test_required_sample_unknown_population_uses_the_ceiling():
    assert required_sample(None) == 384
    assert required_sample(np.nan) == 384
    assert list(required_sample([100, np.nan])) == [80, 384]


def test_required_sample_rejects_a_non_positive_population():
    with pytest.raises(DataValidationError, match="at least 1"):
        required_sample(0)


@given(st.integers(min_value=1, max_value=10**7))
def test_required_sample_never_exceeds_population_or_384(n):
    s = required_sample(n)
    assert 1 <= s <= min(n, 384)
    assert required_sample(n + 1) >= s


def test_sample_adequacy_is_flagged_per_unit():
    # D01 serves 10 people (needs 10) and has 10 respondents; D02 serves 100 (needs 80)
    # and has 10: flagged, but its IKM is still reported.
    df = skm([("D01", 2024, [4] * 9)] * 10 + [("D02", 2024, [3] * 9)] * 10)
    t = ikm(df, population={"D01": 10, "D02": 100}).table.set_index("unit_id")
    assert t.loc["D01", "required_sample"] == 10 and bool(t.loc["D01", "sample_adequate"])
    assert t.loc["D02", "required_sample"] == 80 and not bool(t.loc["D02", "sample_adequate"])
    assert t.loc["D02", "ikm"] == pytest.approx(75.0)
    pop = pd.DataFrame({"unit_id": ["D01", "D02"], "population_served": [10, 100]})
    t2 = ikm(df, population=pop).table
    assert list(t2["required_sample"]) == [10, 80]


# ---- IKM: properties ---------------------------------------------------------------------------


@st.composite
def answer_sets(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    answers = draw(st.lists(st.lists(st.one_of(st.integers(1, 4), st.none()),
                                     min_size=9, max_size=9), min_size=n, max_size=n))
    # every element needs at least one answer for the IKM to exist
    first = draw(st.lists(st.integers(1, 4), min_size=9, max_size=9))
    return [first, *answers]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(answer_sets())
def test_ikm_is_between_25_and_100(rows):
    value = ikm(skm([("D01", 2024, r) for r in rows])).table["ikm"].iloc[0]
    assert 25.0 - 1e-9 <= value <= 100.0 + 1e-9


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(answer_sets(), st.data())
def test_raising_any_single_answer_never_lowers_the_ikm(rows, data):
    cells = [(i, j) for i, r in enumerate(rows) for j, v in enumerate(r) if v is not None and v < 4]
    if not cells:
        return
    i, j = data.draw(st.sampled_from(cells))
    higher = [list(r) for r in rows]
    higher[i][j] = data.draw(st.integers(rows[i][j] + 1, 4))
    before = ikm(skm([("D01", 2024, r) for r in rows])).table["ikm"].iloc[0]
    after = ikm(skm([("D01", 2024, r) for r in higher])).table["ikm"].iloc[0]
    assert after >= before - 1e-12
    assert after > before  # an element mean rose, so the index must rise


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(answer_sets(), answer_sets(), st.sampled_from(["exact", "regulation"]))
def test_element_table_reproduces_the_total(rows_a, rows_b, weighting):
    df = skm([("A", 2024, r) for r in rows_a] + [("B", 2024, r) for r in rows_b])
    res = ikm(df, weighting=weighting)
    total = res.elements.groupby("unit_id")["contribution"].sum()
    np.testing.assert_allclose(total.to_numpy(), res.table["ikm"].to_numpy(), rtol=0, atol=1e-9)
    # and the element means are the plain means over those who answered
    for unit, rows in (("A", rows_a), ("B", rows_b)):
        arr = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
        el = res.elements[res.elements["unit_id"] == unit]
        np.testing.assert_allclose(el["nrr"].to_numpy(), np.nanmean(arr, axis=0), atol=1e-12)
        np.testing.assert_array_equal(el["n_answered"].to_numpy(), (~np.isnan(arr)).sum(axis=0))


@settings(max_examples=50, deadline=None)
@given(answer_sets())
def test_regulation_weighting_is_0_99_times_exact(rows):
    # 9 x 0.11 = 0.99, so the printed weight scales every IKM by 0.99
    df = skm([("D01", 2024, r) for r in rows])
    exact = ikm(df).table["ikm"].iloc[0]
    assert ikm(df, weighting="regulation").table["ikm"].iloc[0] == pytest.approx(0.99 * exact)


# ---- IKM: bootstrap ----------------------------------------------------------------------------


def _one_value_per_respondent(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    # each respondent gives the same answer to all nine elements, so IKM = 25 x mean(v)
    v = np.random.default_rng(seed).integers(1, 5, n)
    df = pd.DataFrame({"unit_id": "D01", "year": 2024, **{c: v.astype(float) for c in U}})
    return df, v


def test_bootstrap_interval_matches_the_standard_error_of_a_mean():
    df, v = _one_value_per_respondent(400, 1)
    res = ikm(df, reps=4000, seed=7).table.iloc[0]
    # percentile interval width ~ 2 x 1.96 x 25 x sd(v) / sqrt(n) for a mean
    expected = 2 * 1.959964 * 25 * v.std(ddof=0) / math.sqrt(len(v))
    assert res["conf_high"] - res["conf_low"] == pytest.approx(expected, rel=0.08)
    assert res["conf_low"] < res["ikm"] < res["conf_high"]


def test_bootstrap_is_seeded_and_groups_are_resampled_separately():
    df1, _ = _one_value_per_respondent(50, 2)
    df2 = df1.assign(unit_id="D02")
    const = skm([("D03", 2024, [3] * 9)] * 20)
    df = pd.concat([df1, df2, const], ignore_index=True)
    a = ikm(df, reps=300, seed=11).table
    b = ikm(df, reps=300, seed=11).table
    c = ikm(df, reps=300, seed=12).table
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["conf_low"].to_numpy(), c["conf_low"].to_numpy())
    # a group where everyone answers the same has no sampling spread
    d3 = a.set_index("unit_id").loc["D03"]
    assert d3["conf_low"] == pytest.approx(75.0) and d3["conf_high"] == pytest.approx(75.0)
    assert np.isnan(ikm(df).table["conf_low"]).all()


def test_result_object_surface():
    res = ikm(skm([("D01", 2024, [4] * 9), ("D01", 2024, [3] * 9)]), reps=50, seed=1)
    d = res.to_dict()
    assert d["weighting"] == "exact" and d["method"] == "PermenPANRB 14/2017"
    assert d["table"][0]["unit_id"] == "D01" and len(d["elements"]) == 9
    import json

    json.dumps(d, allow_nan=False)  # JSON-ready: no NaN, no numpy scalars
    # (4 + 3) / 2 = 3.5 on every element -> 87.5, B Baik
    assert "87.50" in str(res) and "Baik" in str(res) and "<table" in res._repr_html_()
    assert "weighting='exact'" in repr(res)
    assert res.tidy() is not res.table
    with pytest.raises(AttributeError):
        res.weighting = "regulation"


# ---- training intensity ------------------------------------------------------------------------


def _config(**jp):
    return SimpleNamespace(jp=JpSettings(**jp), base_year=2024)


CREDIT = dict(nonklasikal_credit={"seminar": 0.5, "coaching": 1.0},
              nonklasikal_credit_by_unit={"D02": {"seminar": 1.0}})


def _events():
    rows = [
        # nip, unit, year, jp, hours, competency, path, activity, cost
        ("p1", "D01", 2024, 16.0, None, "teknis", "klasikal", "pelatihan", 2_000_000),
        ("p1", "D01", 2024, None, 3.0, "manajerial", "klasikal", "pelatihan", 0),
        ("p2", "D01", 2024, 10.0, None, "sosial_kultural", "nonklasikal", "seminar", 500_000),
        ("p3", "D01", 2024, 8.0, None, "teknis", "nonklasikal", "e_learning", 0),
        ("p4", "D02", 2024, 10.0, None, "teknis", "nonklasikal", "seminar", 0),
        ("p4", "D02", 2024, 10.0, None, "teknis", "klasikal", "pelatihan", 1_000_000),
        ("p5", "D01", 2023, 25.0, None, "teknis", "klasikal", "pelatihan", 1_000_000),
    ]
    return pd.DataFrame(rows, columns=["nip", "unit_id", "year", "jp", "hours", "competency_type",
                                       "learning_path", "activity", "cost_rp"])


STAFF = pd.DataFrame({"unit_id": ["D01", "D01", "D02", "D03"], "year": [2023, 2024, 2024, 2024],
                      "asn_count": [5, 4, 2, 3]})
CPI = pd.DataFrame({"year": [2023, 2024], "cpi": [100.0, 110.0]})


def test_credited_jp_hours_and_nonklasikal_credit():
    jp, unlisted = credited_jp(_events(), config=_config(**CREDIT))
    # p1: 16; p1: 3 hours x 60 / 45 = 4 JP; p2: seminar 10 x 0.5 = 5; p3: e_learning not in
    # study.yaml -> 8 x 1.0 (and named); p4 at D02: seminar 10 x 1.0 (unit override); p4: 10
    assert jp.tolist() == [16.0, 4.0, 5.0, 8.0, 10.0, 10.0, 25.0]
    assert unlisted == ("e_learning",)


def test_training_intensity_hand_example():
    with pytest.warns(DataQualityWarning, match="e_learning"):
        out = training_intensity(_events(), STAFF, config=_config(**CREDIT), cpi=CPI)
    out = out.set_index(["unit_id", "year"])
    d01 = out.loc[("D01", 2024)]
    # D01 2024: credited JP 16 + 4 + 5 + 8 = 33 over 4 ASN = 8.25 JP per ASN
    assert d01["jp_total"] == pytest.approx(33.0)
    assert d01["jp_per_asn"] == pytest.approx(8.25)
    # only p1 reaches 20 JP (16 + 4); the 4th ASN had no training and counts as zero: 1/4
    assert d01["n_reached_20jp"] == 1 and d01["share_20jp"] == pytest.approx(0.25)
    assert d01["n_trained"] == 3 and d01["share_trained"] == pytest.approx(0.75)
    # mix, as shares of credited JP: teknis 16+8, manajerial 4, sosial kultural 5;
    # klasikal 16+4, nonklasikal 5+8
    assert d01["share_jp_teknis"] == pytest.approx(24 / 33)
    assert d01["share_jp_manajerial"] == pytest.approx(4 / 33)
    assert d01["share_jp_sosial_kultural"] == pytest.approx(5 / 33)
    assert d01["share_jp_klasikal"] == pytest.approx(20 / 33)
    assert d01["share_jp_nonklasikal"] == pytest.approx(13 / 33)
    # the same parts per ASN (4 ASN): teknis 24, manajerial 4, sosial kultural 5;
    # klasikal 20, nonklasikal 13
    assert d01[["jp_per_asn_teknis", "jp_per_asn_manajerial", "jp_per_asn_sosial_kultural",
                "jp_per_asn_klasikal", "jp_per_asn_nonklasikal"]].tolist() == pytest.approx(
        [6.0, 1.0, 1.25, 5.0, 3.25])
    # spending: 2.5 million in 2024 (base year, deflator 1); 1 million in 2023 at 2024
    # prices = 1,000,000 x 110/100 = 1,100,000, over 5 ASN = 220,000
    assert d01["spend_nominal"] == pytest.approx(2_500_000)
    assert d01["spend_real"] == pytest.approx(2_500_000)
    d01_23 = out.loc[("D01", 2023)]
    assert d01_23["spend_real"] == pytest.approx(1_100_000)
    assert d01_23["spend_per_asn_real"] == pytest.approx(220_000)
    # D02: seminar credited 1.0 by the unit's own table: 10 + 10 = 20 JP, p4 reaches 20
    d02 = out.loc[("D02", 2024)]
    assert d02["jp_total"] == pytest.approx(20.0) and d02["share_20jp"] == pytest.approx(0.5)
    # D03 has staff but no training: zeros, not missing; the mix is undefined (0/0)
    d03 = out.loc[("D03", 2024)]
    assert d03["jp_per_asn"] == 0 and d03["share_20jp"] == 0 and d03["spend_per_asn_real"] == 0
    assert math.isnan(d03["share_jp_teknis"])
    assert out.attrs["jp_credit_unlisted"] == ["e_learning"]


def test_topics_by_programme_title_keywords():
    cfg = SimpleNamespace(jp=JpSettings(), base_year=2024,
                          topics={"digital": ["teknologi informasi", "aplikasi", "SPBE"],
                                  "kepemimpinan": ["kepemimpinan"]})
    ev = pd.DataFrame({
        "nip": ["a", "b", "c", "d", "e"], "unit_id": ["D01"] * 5, "year": [2024] * 5,
        "jp": [10.0, 6.0, 4.0, 8.0, 2.0],
        "programme": ["Bimtek  spbe Kota", "Pelatihan Aplikasinya", "Pelatihan Kepemimpinan "
                      "Teknologi Informasi", "Webinar Smart City", None]})
    st_ = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [10]})
    out = training_intensity(ev, st_, config=cfg).iloc[0]
    # digital: 10 (SPBE, any case, spaces collapsed) + 6 (a keyword at a word's start) + 4;
    # "Smart City" and a missing title match nothing; topics overlap
    assert out["jp_per_asn_topic_digital"] == pytest.approx(2.0)
    assert out["jp_per_asn_topic_kepemimpinan"] == pytest.approx(0.4)
    assert out["jp_per_asn"] == pytest.approx(3.0)
    # a keyword inside a word does not match
    inside = ev.assign(programme=["xSPBE"] * 5)
    assert training_intensity(inside, st_, config=cfg).iloc[0]["jp_per_asn_topic_digital"] == 0
    with pytest.raises(DataValidationError, match="programme titles"):
        training_intensity(ev.drop(columns="programme"), st_, config=cfg)


def test_no_type_column_leaves_the_type_measures_missing_not_zero():
    ev = pd.DataFrame({"nip": ["a"], "unit_id": ["D01"], "year": [2024], "jp": [10.0]})
    st_ = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [2]})
    out = training_intensity(ev, st_, config=_config()).iloc[0]
    assert out["jp_per_asn"] == 5.0 and math.isnan(out["jp_per_asn_teknis"])
    assert math.isnan(out["jp_per_asn_klasikal"])


def test_entitlement_and_minutes_per_jp_come_from_the_study():
    ev = pd.DataFrame({"nip": ["a"], "unit_id": ["D01"], "year": [2024], "hours": [15.0]})
    st_ = pd.DataFrame({"unit_id": ["D01"], "year": [2024], "asn_count": [1]})
    # 15 clock hours at 45 minutes per JP = 20 JP: reaches the 20-JP right exactly
    assert training_intensity(ev, st_, config=_config())["share_20jp"].iloc[0] == 1.0
    # at 60 minutes per JP the same 15 hours are 15 JP
    out = training_intensity(ev, st_, config=_config(minutes_per_jp=60))
    assert out["jp_total"].iloc[0] == pytest.approx(15.0) and out["share_20jp"].iloc[0] == 0.0
    out = training_intensity(ev, st_, config=_config(minutes_per_jp=60, entitlement=15))
    assert out["share_20jp"].iloc[0] == 1.0


def test_a_person_in_two_units_is_counted_once_with_all_their_jp():
    # p6 earns 12 JP at D01 and 10 at D02 in 2024: 22 JP in the year -> reaches 20 JP,
    # counted once, in D01 (where most JP were earned); JP stay where they were earned
    ev = pd.DataFrame({"nip": ["p6", "p6"], "unit_id": ["D01", "D02"], "year": [2024, 2024],
                       "jp": [12.0, 10.0]})
    st_ = pd.DataFrame({"unit_id": ["D01", "D02"], "year": [2024, 2024], "asn_count": [2, 2]})
    out = training_intensity(ev, st_, config=_config()).set_index("unit_id")
    assert out.loc["D01", "n_reached_20jp"] == 1 and out.loc["D02", "n_reached_20jp"] == 0
    assert out.loc["D01", "jp_total"] == 12 and out.loc["D02", "jp_total"] == 10


def test_training_record_without_duration_is_an_error():
    ev = pd.DataFrame({"nip": ["a"], "unit_id": ["D01"], "year": [2024], "jp": [None],
                       "hours": [None]})
    with pytest.raises(DataValidationError) as err:
        training_intensity(ev, STAFF, config=_config())
    assert err.value.problems[0].row == 2 and "JP" in err.value.problems[0].hint


def test_cpi_missing_for_a_year_with_spending_is_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with pytest.raises(DataValidationError, match="2023"):
            training_intensity(_events(), STAFF, config=_config(**CREDIT),
                               cpi=CPI[CPI["year"] == 2024])


def test_duplicate_staff_rows_are_an_error():
    with pytest.raises(DataValidationError, match="repeat"):
        training_intensity(_events().head(1), pd.concat([STAFF, STAFF.head(1)]), config=_config())


def test_programme_exposure():
    prog = pd.DataFrame({"unit_id": ["D01", "D02"], "cohort_year": [2020, None]})
    uy = pd.DataFrame({"unit_id": ["D01"] * 3 + ["D02", "D03"], "year": [2019, 2020, 2022, 2022,
                                                                        2022]})
    out = programme_exposure(prog, uy)
    assert out["cohort_year"].tolist()[:3] == [2020] * 3
    assert out["event_time"].tolist()[:3] == [-1, 0, 2]
    assert out["programme_active"].tolist() == [False, True, True, False, False]
    assert out["event_time"].isna().tolist()[3:] == [True, True]
    with pytest.raises(DataValidationError, match="repeat"):
        programme_exposure(pd.DataFrame({"unit_id": ["D01", "D01"], "cohort_year": [2020, 2021]}),
                           uy)


# ---- IP ASN and IPM -----------------------------------------------------------------------------


def test_ip_asn_weights():
    s = pd.DataFrame({"kualifikasi": [100, 40], "kompetensi": [50, 60], "kinerja": [80, 70],
                      "disiplin": [100, 0]})
    out = ip_asn(s)
    # 0.25*100 + 0.40*50 + 0.30*80 + 0.05*100 = 25 + 20 + 24 + 5 = 74 -> Sedang
    # 0.25*40 + 0.40*60 + 0.30*70 + 0.05*0 = 10 + 24 + 21 + 0 = 55 -> Sangat Rendah
    assert out["ip_asn"].tolist() == pytest.approx([74.0, 55.0])
    assert out["ip_asn_category"].tolist() == ["Sedang", "Sangat Rendah"]


@pytest.mark.parametrize("value, label", [
    (100, "Sangat Tinggi"), (91, "Sangat Tinggi"), (90.5, "Sangat Tinggi"), (90, "Tinggi"),
    (81, "Tinggi"), (80, "Sedang"), (71, "Sedang"), (70, "Rendah"), (61, "Rendah"),
    (60.5, "Rendah"), (60, "Sangat Rendah"), (0, "Sangat Rendah"),
])
def test_ip_asn_category_bands(value, label):
    assert ip_asn_category([value]).iloc[0] == label


def test_ip_asn_rejects_scores_outside_0_100():
    with pytest.raises(DataValidationError) as err:
        ip_asn(pd.DataFrame({"kualifikasi": [101], "kompetensi": [50], "kinerja": [50],
                             "disiplin": [50]}))
    assert err.value.problems[0].column == "kualifikasi"


@pytest.mark.parametrize("value, label", [
    (59.99, "rendah"), (60, "sedang"), (69.99, "sedang"), (70, "tinggi"), (79.99, "tinggi"),
    (80, "sangat tinggi"), (85.25, "sangat tinggi"),
])
def test_ipm_category(value, label):
    assert ipm_category([value]).iloc[0] == label


def test_ipm_table_carries_one_series():
    t = pd.DataFrame({"ipm": [80.0, 81.0], "series": ["metode_baru", "metode_baru"]})
    assert check_ipm_series(t) == "metode_baru"
    plain = pd.DataFrame({"ipm": [80.0]})
    plain.attrs["series"] = "metode_baru"
    assert check_ipm_series(plain) == "metode_baru"
    with pytest.raises(DataValidationError, match="mixes 2"):
        check_ipm_series(t.assign(series=["metode_lama", "metode_baru"]))
    with pytest.raises(DataValidationError, match="which BPS series"):
        check_ipm_series(pd.DataFrame({"ipm": [80.0]}))


# ---- the `evaluation ikm` command ---------------------------------------------------------------


def _skm_csv(path, rows):
    header = "Kode OPD;Tahun;No Responden;" + ";".join(f"U{i}" for i in range(1, 10))
    lines = [header] + [";".join([u, str(y), str(i), *("" if a is None else str(a) for a in ans)])
                        for i, (u, y, ans) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_ikm_command_prints_and_writes_csv_and_xlsx(tmp_path, capsys):
    from evaluation.cli import main

    src = tmp_path / "skm.csv"
    # D02 example from above: 76.389 with 1/9, 75.625 with 0,11
    _skm_csv(src, [("D02", 2023, [4] * 9), ("D02", 2023, [2] * 8 + [None]),
                   ("D02", 2023, [3] * 9)])
    out = tmp_path / "out" / "ikm.csv"
    assert main(["ikm", str(src), "--out", str(out), "--weighting", "regulation"]) == 0
    printed = capsys.readouterr().out
    assert "75.6" in printed and "0.11" in printed
    table = pd.read_csv(out)
    assert table.loc[0, "ikm"] == pytest.approx(75.625)
    assert table.loc[0, "weighting"] == "regulation"
    elements = pd.read_csv(tmp_path / "out" / "ikm_unsur.csv")
    assert elements.set_index("element").loc["U9", "n_answered"] == 2
    xlsx = tmp_path / "ikm.xlsx"
    assert main(["ikm", str(src), "--out", str(xlsx), "--population", "3"]) == 0
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets) == {"ikm", "unsur"}
    assert sheets["ikm"].loc[0, "ikm"] == pytest.approx(27.5 / 9 * 25)
    assert bool(sheets["ikm"].loc[0, "sample_adequate"])  # 3 of a population of 3
    assert not list(tmp_path.glob("**/.tmp-*"))  # atomic writes leave nothing behind


def test_ikm_command_bad_input_exits_1_with_row_and_column(tmp_path, capsys):
    from evaluation.cli import main

    src = tmp_path / "skm.csv"
    _skm_csv(src, [("D01", 2024, [4] * 9), ("D01", 2024, [4, 4, 4, 4, 7, 4, 4, 4, 4])])
    assert main(["ikm", str(src), "--out", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "baris 3" in err and "'U5'" in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()
    # an option that is not allowed is a usage mistake: exit 2 (the CLI's rule)
    assert main(["ikm", str(src), "--by", "unit,month"]) == 2
    assert main(["ikm", str(src), "--out", str(tmp_path / "x.txt")]) == 2
    assert main(["ikm", str(tmp_path / "missing.csv")]) == 1
