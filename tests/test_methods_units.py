"""The methods page's table of every estimate shows each exposure in a readable unit: an IKM
point per rupiah of spending per ASN (2.92e-7) is shown per Rp1 juta, a share of ASN reaching
20 JP per 10 percentage points (not per whole share, 0 to 1), and the column says so; JP rows
are shown per one JP as before."""

from __future__ import annotations

import pytest
from fixtures_results import scenario

from evaluation.brief.methods import methods_tables
from evaluation.brief.sentences import words_for
from evaluation.i18n import Formatter

SPEND_ROW = {
    "id": "assoc:ikm:spend_per_asn_real", "model": "panel_fe", "outcome": "ikm",
    "exposure": "spend_per_asn_real", "term": "spend_per_asn_real_lag1", "lag": 1,
    "estimate": 2.92e-7, "conf_low": 1.91e-7, "conf_high": 3.93e-7, "p_value": 1e-6,
    "n_obs": 447, "n_clusters": 52,
}


def _rows(lang: str) -> list[list[str]]:
    res = scenario("clear_positive")
    res["estimates"].append(dict(SPEND_ROW))
    table = methods_tables(words_for(res, Formatter(lang)))[0]
    assert len(table["rows"]) == len(res["estimates"])
    return table["rows"]


@pytest.mark.parametrize(("lang", "label", "estimate", "interval"), [
    ("id", "belanja pengembangan per ASN, tahun sebelumnya (per Rp1 juta)", "0,292",
     "0,191 – 0,393"),
    ("en", "development spending per ASN, the previous year (per IDR 1 million)", "0.292",
     "0.191 – 0.393"),
])
def test_spend_per_asn_is_shown_per_rp_1_juta(lang, label, estimate, interval):
    rows = _rows(lang)
    spend = rows[-1]
    assert spend[2:5] == [label, estimate, interval]
    # the JP rows are untouched: per one JP, as results.json records them
    assert rows[0][3] == ("0,081" if lang == "id" else "0.081")
    assert "per" not in rows[0][2].split(",")[-1]


SHARE_ROWS = [
    {"id": "assoc:ikm:share_20jp", "model": "panel_fe", "outcome": "ikm",
     "exposure": "share_20jp", "term": "share_20jp_lag1", "lag": 1, "estimate": 4.4,
     "conf_low": 1.6, "conf_high": 7.2, "p_value": 0.002, "n_obs": 447, "n_clusters": 52},
    {"id": "placebo:ikm:share_20jp", "model": "panel_fe_placebo_lead", "outcome": "ikm",
     "exposure": "share_20jp", "term": "share_20jp_lead1", "lag": -1, "estimate": -0.9,
     "conf_low": -3.7, "conf_high": 1.9, "p_value": 0.5, "n_obs": 395, "n_clusters": 52},
]


@pytest.mark.parametrize(("lang", "labels", "cells"), [
    ("id", ["porsi ASN yang mencapai 20 JP, tahun sebelumnya (per 10 poin persen)",
            "porsi ASN yang mencapai 20 JP, tahun berikutnya (per 10 poin persen)"],
     [["0,440", "0,160 – 0,720"], ["-0,090", "-0,370 – 0,190"]]),
    ("en", ["share of ASN reaching 20 JP, the previous year (per 10 percentage points)",
            "share of ASN reaching 20 JP, next year (per 10 percentage points)"],
     [["0.440", "0.160 – 0.720"], ["-0.090", "-0.370 – 0.190"]]),
])
def test_share_exposure_is_shown_per_10_percentage_points(lang, labels, cells):
    """A share moved from 0 to 1 is every ASN at once: the table divides the estimate and its
    interval by 10 (per 10 percentage points, the headline's step) and says so; the p-value,
    N and clusters are unchanged, and results.json (the input) is not touched."""
    res = scenario("clear_positive")
    res["estimates"] += [dict(row) for row in SHARE_ROWS]
    before = [dict(row) for row in res["estimates"]]
    table = methods_tables(words_for(res, Formatter(lang)))[0]
    rows = table["rows"][-2:]
    assert len(table["rows"]) == len(res["estimates"])
    assert [row[2] for row in rows] == labels
    assert [row[3:5] for row in rows] == cells
    assert rows[0][5:] == (["0,002", "447", "52"] if lang == "id" else ["0.002", "447", "52"])
    assert res["estimates"] == before
    # JP rows stay per one JP
    assert table["rows"][0][3] == ("0,081" if lang == "id" else "0.081")


@pytest.mark.parametrize(("lang", "n", "says"), [
    ("id", 2, "2 pasangan unit-tahun tidak ikut dihitung"),
    ("en", 1, "1 unit-year was left out"), ("en", 3, "3 unit-years were left out")])
def test_methods_page_says_when_singletons_were_dropped(lang, n, says):
    from evaluation.brief.methods import methods_page

    res = scenario("clear_positive")
    design = dict(methods_page(words_for(res, Formatter(lang))).paragraphs)
    assert not any("singleton" in text for text in design.values())
    res["estimates"][0]["n_singletons_dropped"] = n
    design = dict(methods_page(words_for(res, Formatter(lang))).paragraphs)
    assert any(says in text and "singleton" in text for text in design.values())
