"""The methods page's table of every estimate shows each exposure in a readable unit: an IKM
point per rupiah of spending per ASN (2.92e-7) is shown per Rp1 juta, and the column says so;
JP and shares are shown per one unit as before."""

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
