"""The brief's sentences: written-down rules, per-language catalogues, Babel formatting.

Snapshots in tests/snapshots/ fix the full text for hand-made results. When a wording change
is intended, regenerate them deliberately with ``UPDATE_SNAPSHOTS=1`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from pathlib import Path

import pytest
from fixtures_results import SCENARIOS, scenario

from evaluation.brief.narrate import (
    Formatter,
    catalogue,
    caveat_codes,
    classify,
    narrate,
    programme_wording,
)
from evaluation.errors import EvaluationError

SNAPSHOTS = Path(__file__).parent / "snapshots"

SNAPSHOT_CASES = [
    ("clear_positive", "id"),
    ("through_zero", "id"),
    ("few_clusters", "id"),
    ("failed_pretrend", "id"),
    ("synthetic", "id"),
    ("clear_positive", "en"),
    ("through_zero", "en"),
    ("synthetic", "en"),
]


@pytest.mark.parametrize(("name", "lang"), SNAPSHOT_CASES)
def test_sentences_match_snapshot(name, lang):
    text = narrate(scenario(name), lang=lang).to_text()
    path = SNAPSHOTS / f"{name}.{lang}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 once"
    assert text == path.read_text(encoding="utf-8")


# ---- the rules, one by one -------------------------------------------------------------------


def test_fixed_effects_estimate_is_an_association_never_a_cause():
    n = narrate(scenario("clear_positive"))
    assert n.evidence == "positive"
    assert "berkaitan dengan IKM 0,8 poin lebih tinggi" in n.headline
    assert "(IK 95%: 0,6 sampai 1,0 poin)" in n.headline
    en = narrate(scenario("clear_positive"), lang="en")
    assert "is associated with an IKM 0.8 points higher" in en.headline
    for name in SCENARIOS:
        for lang in ("id", "en"):
            text = narrate(scenario(name), lang=lang).to_text().lower()
            for word in ("menyebabkan", "penyebab", "causes", "caused", "membuktikan", "proves"):
                assert word not in text, (name, lang, word)


def test_interval_through_zero_is_said_plainly():
    n = narrate(scenario("through_zero"))
    assert n.evidence == "not_shown"
    assert n.headline.startswith("Belum terbukti")
    assert "mencakup nol" in n.headline
    assert n.title.startswith("Belum terbukti")
    assert "lebih tinggi" not in n.headline
    # no cost per point is computed from a link that was not shown
    assert any("tidak dapat dihitung" in line for line in n.findings)
    assert not any("Rp" in line for line in n.findings)
    en = narrate(scenario("through_zero"), lang="en")
    assert en.headline.startswith("Not shown")
    assert "includes zero" in en.headline


def test_negative_interval_is_lower_not_dressed_up():
    res = scenario("clear_positive")
    res["headline"]["scaled"] = {"estimate": -0.5, "conf_low": -0.9, "conf_high": -0.1}
    n = narrate(res)
    assert n.evidence == "negative"
    assert "lebih rendah" in n.headline and "lebih rendah" in n.title
    assert "(IK 95%: -0,90 sampai -0,10 poin)" in n.headline


def test_stronger_wording_needs_clean_pretrend_and_agreement():
    stronger = "dapat dibaca sebagai dampak program"
    clean = narrate(scenario("programme_clean"))
    assert clean.programme == "stronger"
    assert any(stronger in line for line in clean.findings)
    failed = narrate(scenario("failed_pretrend"))
    assert failed.programme == "association"
    assert stronger not in failed.to_text()
    assert "belum tentu dampak program" in failed.to_text()
    disagree = scenario("programme_clean")
    disagree["programme"]["agree"] = False
    n = narrate(disagree)
    assert n.programme == "association" and stronger not in n.to_text()
    assert "estimators_disagree" in n.caveat_codes
    untested = scenario("programme_clean")
    untested["programme"]["pretrend"] = None
    assert narrate(untested).programme == "association"
    # the headline (fixed effects) stays an association even when the programme is stronger
    assert "berkaitan dengan" in clean.headline


def test_programme_interval_through_zero_is_not_shown():
    res = scenario("programme_clean")
    res["programme"]["staggered"]["overall"].update(conf_low=-0.3, conf_high=1.9)
    n = narrate(res)
    assert n.programme == "not_shown"
    assert any(line.startswith("Belum terbukti bahwa Program") for line in n.findings)


@pytest.mark.parametrize(("n_clusters", "expected", "absent"), [
    (12, "very_few_clusters", "few_clusters"),
    (19, "very_few_clusters", "few_clusters"),
    (20, "few_clusters", "very_few_clusters"),
    (49, "few_clusters", "very_few_clusters"),
])
def test_cluster_caveats_follow_the_count(n_clusters, expected, absent):
    res = scenario("clear_positive")
    res["estimates"][0]["n_clusters"] = n_clusters
    codes = caveat_codes(res)
    assert expected in codes and absent not in codes
    n = narrate(res)
    assert any(f"({n_clusters} < " in line for line in n.caveats)


def test_enough_clusters_no_cluster_caveat_even_if_listed():
    res = scenario("clear_positive")
    res["estimates"][0]["n_clusters"] = 62
    assert not {"few_clusters", "very_few_clusters"} & set(caveat_codes(res))


def test_derived_caveats():
    res = scenario("suppressed_cells")
    res["estimates"][0]["n_obs"] = 80
    res["study"]["synthetic"] = True
    res["caveats"] = ["something_new"]
    codes = caveat_codes(res)
    for code in ("synthetic", "small_sample", "missing_data", "ikm_sample_inadequate",
                 "something_new"):
        assert code in codes
    n = narrate(res)
    text = "\n".join(n.caveats)
    assert "IKM 14%" in text  # missing share named with its measure
    assert "Sampel SKM belum memadai di 1 unit" in text
    assert "something_new" in text
    assert n.synthetic_notice and n.synthetic_notice.startswith("DATA SINTETIS")
    assert "pretrend_failed" in caveat_codes(scenario("failed_pretrend"))


def test_no_synthetic_notice_for_real_data():
    n = narrate(scenario("clear_positive"))
    assert n.synthetic_notice is None
    assert not any("sintetis" in line.lower() for line in n.caveats)


def test_three_key_messages_and_one_to_three_recommendations():
    for name in SCENARIOS:
        for lang in ("id", "en"):
            n = narrate(scenario(name), lang=lang)
            assert len(n.key_messages) == 3, (name, lang)
            assert 1 <= len(n.recommendations) <= 3, (name, lang)
            # one sentence each: one full stop at the end, none inside except in numbers
            for msg in n.key_messages:
                assert re.search(r"\.\s+[A-Z]", msg) is None, msg


def test_recommendations_follow_the_evidence():
    assert any("bertahap atau diundi" in r for r in narrate(scenario("clear_positive")).recommendations)
    assert any(r.startswith("Lanjutkan Program")
               for r in narrate(scenario("programme_clean")).recommendations)
    assert any(r.startswith("Jangan menjadikan kenaikan IKM")
               for r in narrate(scenario("through_zero")).recommendations)
    res = scenario("clear_positive")
    res["descriptives"]["jp20"]["share_asn"] = 0.99
    assert not any("20 JP" in r for r in narrate(res).recommendations)


def test_minimal_results_still_narrate():
    n = narrate(scenario("minimal"))
    assert n.evidence == "positive"
    assert len(n.key_messages) == 3
    empty = narrate({"year": 2024})
    assert empty.evidence == "missing"
    assert empty.headline == catalogue("id")["headline"]["missing"]


def test_every_placeholder_is_filled():
    for name in SCENARIOS:
        for lang in ("id", "en"):
            text = narrate(scenario(name), lang=lang, date=dt.date(2026, 11, 28)).to_text()
            assert "{" not in text and "}" not in text, (name, lang)
            assert "None" not in text and "nan" not in text.split(), (name, lang)


def test_catalogues_have_the_same_keys_and_placeholders():
    def walk(node, prefix=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{prefix}{k}.")
        else:
            fields = {f for _, f, _, _ in string.Formatter().parse(str(node)) if f}
            yield prefix.rstrip("."), fields

    id_keys = dict(walk(catalogue("id")))
    en_keys = dict(walk(catalogue("en")))
    assert set(id_keys) == set(en_keys)
    different = {k for k in id_keys if k != "locale" and id_keys[k] != en_keys[k]}
    assert not different, different


def test_unknown_language_is_refused():
    with pytest.raises(EvaluationError, match="expecting one of"):
        narrate(scenario("clear_positive"), lang="jv")


# ---- formatting with Babel's locale data -------------------------------------------------------


def test_formatting_indonesian():
    f = Formatter("id")
    assert f.number(1234.5) == "1.234,5"
    assert f.rupiah(1250000) == "Rp1.250.000"
    assert f.date(dt.date(2026, 11, 28)) == "28 November 2026"
    assert f.share(0.643) == "64%"
    assert f.number(-0.04, 1) == "0,0"  # no sign on a rounded zero
    assert f.p_value(0.0004) == "< 0,001"


def test_formatting_english():
    f = Formatter("en")
    assert f.number(1234.5) == "1,234.5"
    assert f.rupiah(1250000).replace("\xa0", " ") == "IDR 1,250,000"
    assert f.date(dt.date(2026, 11, 28)) == "28 November 2026"
    assert f.share(0.643) == "64%"


def test_date_only_when_given():
    res = scenario("clear_positive")
    assert not any("Dibuat" in m for m in narrate(res).meta)
    meta = narrate(res, date=dt.date(2026, 11, 28)).meta
    assert "Dibuat 28 November 2026" in meta


def test_classify_and_programme_wording_edges():
    assert classify(None) == "missing"
    assert classify({"estimate": 1.0, "conf_low": None, "conf_high": 2.0}) == "missing"
    assert classify({"estimate": 0.0, "conf_low": 0.0, "conf_high": 1.0}) == "not_shown"
    assert programme_wording(None) is None
    assert programme_wording({"staggered": None}) is None
