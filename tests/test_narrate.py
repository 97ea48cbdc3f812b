"""The brief's sentences: written-down rules, per-language catalogues, Babel formatting.

Snapshots in tests/snapshots/ fix the full text for hand-made results. When a wording change
is intended, regenerate them deliberately with ``UPDATE_SNAPSHOTS=1`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from fixtures_results import (
    HEADLINES,
    SCENARIOS,
    SHAPES,
    matrix_case,
    scenario,
    with_sections,
)

from evaluation.brief.methods import methods_page
from evaluation.brief.narrate import (
    Formatter,
    catalogue,
    caveat_codes,
    classify,
    narrate,
    programme_wording,
)
from evaluation.brief.rules import evidence_rating, likelihood_key, probability_positive
from evaluation.brief.sentences import words_for
from evaluation.errors import EvaluationError

SNAPSHOTS = Path(__file__).parent / "snapshots"
DATE = dt.date(2026, 11, 28)

#: The matrix of issue 14: result shapes x headline settings x languages.
MATRIX = [(shape, headline, lang) for shape in SHAPES for headline in HEADLINES
          for lang in ("id", "en")]
#: Other cases whose full text is fixed too.
EXTRA = [("synthetic", "id"), ("synthetic", "en"), ("programme_clean", "id"),
         ("suppressed_cells", "en")]

CODE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
CAUSAL = ("menyebabkan", "penyebab", "causes", "caused")


def _check_snapshot(text: str, name: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 once"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("shape", "headline", "lang"), MATRIX)
def test_matrix_matches_snapshot(shape, headline, lang):
    """Title, key messages, recommendations (and the rest) for every shape and headline."""
    n = narrate(matrix_case(shape, headline), lang=lang, date=DATE)
    _check_snapshot(n.to_text(), f"{shape}.{headline}.{lang}")


@pytest.mark.parametrize(("name", "lang"), EXTRA)
def test_other_cases_match_snapshot(name, lang):
    _check_snapshot(narrate(scenario(name), lang=lang, date=DATE).to_text(), f"{name}.{lang}")


def _all_cases():
    cases = [(f"{s}.{h}", matrix_case(s, h)) for s in SHAPES for h in HEADLINES]
    return cases + [(name, scenario(name)) for name in SCENARIOS]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_code_no_placeholder_no_plural_hedge_no_cause(lang):
    cases = _all_cases()
    assert len(cases) > 12
    for name, res in cases:
        text = narrate(res, lang=lang, date=DATE).to_text()
        assert "{" not in text and "}" not in text, (name, lang)
        assert "None" not in text and "nan" not in text.split(), (name, lang)
        assert "(s)" not in text, (name, lang)
        assert not CODE.findall(text), (name, lang, CODE.findall(text))
        lower = text.lower()
        for word in CAUSAL:
            # "bukan bukti bahwa ... menyebabkan" denies a cause; nothing else may name one
            denied = len(re.findall(rf"(?:bukti bahwa|proof that) [^.;]*?\b{word}\b", lower))
            assert len(re.findall(rf"\b{word}\b", lower)) == denied, (name, lang, word)


def _numbers(text: str, lang: str) -> Counter:
    """Every number in ``text`` as a float, whatever the locale writes."""
    if lang == "id":
        raw = re.findall(r"\d+(?:\.\d{3})*(?:,\d+)?", text)
        return Counter(float(x.replace(".", "").replace(",", ".")) for x in raw)
    raw = re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)
    return Counter(float(x.replace(",", "")) for x in raw)


def test_both_languages_say_the_same_numbers():
    cases = _all_cases()
    assert cases
    for name, res in cases:
        ids = _numbers(narrate(res, lang="id", date=DATE).to_text(), "id")
        ens = _numbers(narrate(res, lang="en", date=DATE).to_text(), "en")
        assert ids == ens, (name, ids - ens, ens - ids)


# ---- the rules, one by one -------------------------------------------------------------------


def test_fixed_effects_estimate_is_an_association_never_a_cause():
    n = narrate(scenario("clear_positive"))
    assert n.evidence == "positive"
    assert "IKM unit itu pada tahun berikutnya rata-rata 0,8 poin lebih tinggi" in n.headline
    assert "(IK 95%: 0,6 sampai 1,0 poin)" in n.headline
    assert "bukan bukti" in n.key_messages[2]
    en = narrate(scenario("clear_positive"), lang="en")
    assert "its IKM the following year is on average 0.8 points higher" in en.headline


def test_interval_through_zero_is_said_plainly():
    n = narrate(scenario("through_zero"))
    assert n.evidence == "not_shown"
    assert n.headline.startswith("Belum terlihat kaitan")
    assert "mencakup nol" in n.headline
    assert n.title.startswith("Belum terlihat kaitan yang jelas")
    assert "lebih tinggi" not in n.headline
    # no cost per point is computed from a link that was not seen
    assert any("tidak dihitung" in line for line in n.findings)
    assert not any("Rp" in line for line in n.findings)
    # the probability is still said, with its word, but as a lean, not a finding
    assert n.key_messages[2].startswith(
        "Data ini condong ke kaitan positif (peluang 73%, mungkin), tetapi belum cukup kuat "
        "untuk dijadikan dasar: rentangnya masih mencakup nol")
    en = narrate(scenario("through_zero"), lang="en")
    assert en.title == "No clear link yet between staff training and IKM"
    assert "includes zero" in en.headline
    assert en.key_messages[2].startswith(
        "The data lean towards a positive link (probability 73%, likely), but not strongly "
        "enough to act on: the range still includes zero")


def _null_variant(estimate: float, low: float, high: float, *, mde: bool = True) -> dict:
    res = scenario("through_zero")
    res["headline"]["scaled"] = {"estimate": estimate, "conf_low": low, "conf_high": high}
    res["estimates"][0].update(estimate=estimate / 10, conf_low=low / 10, conf_high=high / 10)
    if not mde:
        res["mde"] = None
    return res


NULL_CASES = {
    "null.ikm": lambda: matrix_case("null", "ikm"),
    "null.iku": lambda: matrix_case("null", "iku"),
    "very_likely": lambda: _null_variant(0.30, -0.03, 0.63),       # P(> 0) about 96%
    "negative_lean": lambda: _null_variant(-0.12, -0.51, 0.27),    # P(< 0) about 73%
    "no_lean": lambda: _null_variant(0.02, -0.40, 0.44),           # P(> 0) about 54%
    "no_mde": lambda: _null_variant(0.30, -0.03, 0.63, mde=False),
}
LEAN = {"id": ("condong", "mencakup nol"), "en": ("lean", "includes zero")}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", sorted(NULL_CASES))
def test_null_result_probability_reads_as_a_lean_not_a_finding(name, lang):
    """Beside the title "no clear link yet", a calibrated word such as "very likely" must not
    read as a finding: every sentence that gives the headline's probability with its word
    also says that the data only lean that way and that the range still includes zero."""
    res = NULL_CASES[name]()
    n = narrate(res, lang=lang, date=DATE)
    assert n.evidence == "not_shown"
    c = words_for(res, Formatter(lang))
    p = c.probability
    assert p is not None
    p_dir = p if c.scaled["estimate"] >= 0 else 1 - p
    f = Formatter(lang)
    figure = f.share(p_dir)
    word = f.msg(f"likelihood.{likelihood_key(p_dir)}")
    sentences = [s for line in n.to_text().splitlines()
                 for s in re.split(r"(?<=\.)\s+", line)]
    said = [s for s in sentences if figure in s and re.search(rf"\b{re.escape(word)}\b", s)]
    assert len(said) >= 2, (name, lang, figure, word)  # key message 3 and page 2
    lean, zero = LEAN[lang]
    for s in said:
        assert lean in s and zero in s, (name, lang, s)
    # the lean follows the estimate's direction, and "likely" or stronger is needed to lean
    direction = f.msg("certainty_message." + ("positive" if c.scaled["estimate"] >= 0
                                               else "negative"))
    assert direction in n.key_messages[2]
    leaning = likelihood_key(p_dir) in ("virtually_certain", "very_likely", "likely")
    negated = {"id": "belum condong", "en": "do not lean"}[lang]
    assert (negated not in n.key_messages[2]) == leaning, (name, lang, n.key_messages[2])


def test_negative_interval_is_lower_not_dressed_up():
    n = narrate(scenario("negative"))
    assert n.evidence == "negative"
    assert "lebih rendah" in n.headline and "lebih rendah" in n.title
    assert "(IK 95%: -0,82 sampai -0,22 poin)" in n.headline
    assert "kaitan ini negatif" in n.key_messages[2]
    assert any(r.startswith("Sebelum menambah JP") for r in n.recommendations)


def test_iku_headline_speaks_of_iku_everywhere():
    for shape in SHAPES:
        for lang in ("id", "en"):
            n = narrate(matrix_case(shape, "iku"), lang=lang)
            text = " ".join((n.title, n.headline, *n.key_messages, *n.recommendations))
            assert ("IKU" in n.title), (shape, lang)
            # IKM may be named only as IKM categories (a fact about units), never as the
            # headline's outcome
            assert "IKM" not in n.title and "IKM" not in n.headline, (shape, lang)
            assert "IKM {" not in text


def test_probability_words_follow_the_fixed_scale():
    assert likelihood_key(0.995) == "virtually_certain"
    assert likelihood_key(0.95) == "very_likely"
    assert likelihood_key(0.70) == "likely"
    assert likelihood_key(0.50) == "as_likely_as_not"
    assert likelihood_key(0.20) == "unlikely"
    assert likelihood_key(0.05) == "very_unlikely"
    assert likelihood_key(0.001) == "exceptionally_unlikely"
    # the probability comes from the interval on zero's side (normal approximation)
    p = probability_positive({"estimate": 0.12, "conf_low": -0.27, "conf_high": 0.51})
    assert p == pytest.approx(0.7266, abs=1e-3)
    assert probability_positive({"estimate": 0.5, "conf_low": 0.1, "conf_high": 0.9,
                                 "prob_positive": 0.97}) == 0.97  # the model's own figure


def test_evidence_rating_is_a_written_rule():
    rating = evidence_rating(scenario("clear_positive"))
    assert rating is not None
    met = {m.name: m.met for m in rating.conditions}
    # design met; timing: placebo p = 0.74 but its interval is not given -> not met;
    # precision: MDE 0.034 <= 0.081; agreement: 4 of 4 alternatives; clusters: 40 < 50
    assert met == {"design": True, "timing": False, "precision": True, "agreement": True,
                   "clusters": False}
    assert rating.marks == 3
    res = scenario("clear_positive")
    res["robustness"]["specifications"][1].update(estimate=-0.01)
    assert not {m.name: m.met for m in evidence_rating(res).conditions}["agreement"]  # 3 of 4
    res = scenario("clear_positive")
    res["estimates"][0]["n_clusters"] = 60
    res["distributed_lags"]["placebo_lead"].update(conf_low=-0.02, conf_high=0.03)
    for spec in res["robustness"]["specifications"]:
        spec.update(estimate=abs(spec["estimate"]))
    full = evidence_rating(res)
    assert full is not None and all(m.met for m in full.conditions)
    assert full.marks == 4  # an association never gets the fifth mark
    assert evidence_rating(scenario("not_estimable")) is None


def test_checks_say_what_they_could_detect():
    n = narrate(scenario("programme_clean"))
    text = " ".join(n.certainty)
    assert "bergerak sejajar" not in text and "lolos" not in text
    res = scenario("programme_clean")
    res["programme"]["pretrend"].update(detectable_difference=1.6)
    n = narrate(res)
    text = " ".join(n.certainty)
    assert "hanya dapat menangkap selisih sekitar 1,6 poin" in text
    assert "bisa luput" in text  # 1.6 >= the effect 1.2
    # a test that could not have seen a trend as large as the effect earns no "effect" wording
    assert n.programme == "association"
    assert "tidak lebih kecil dari selisih yang diperkirakan" in " ".join(n.findings)
    res["programme"]["pretrend"].update(detectable_difference=0.6)
    assert "lebih kecil dari perkiraan selisih program" in " ".join(narrate(res).certainty)
    placebo = scenario("clear_positive")
    placebo["distributed_lags"]["placebo_lead"].update(conf_low=-0.02, conf_high=0.03,
                                                       std_error=0.012)
    line = next(x for x in narrate(placebo).certainty if x.startswith("Uji waktu"))
    assert "kaitan terbalik sebesar kira-kira 0,34 poin" in line  # 2.80 x 0.012 x 10


def test_stronger_wording_needs_clean_pretrend_and_agreement():
    stronger = "selisih ini dapat dibaca sebagai dampak program"
    clean = narrate(scenario("programme_clean"))
    assert clean.programme == "stronger"
    assert any(stronger in line for line in clean.findings)
    failed = narrate(scenario("failed_pretrend"))
    assert failed.programme == "association"
    assert stronger not in failed.to_text()
    assert "belum tentu dampak program" in failed.to_text()
    assert any(r.startswith("Jangan membaca hasil") for r in failed.recommendations)
    disagree = scenario("programme_clean")
    disagree["programme"]["agree"] = False
    n = narrate(disagree)
    assert n.programme == "association" and stronger not in n.to_text()
    assert "estimators_disagree" in n.caveat_codes
    untested = scenario("programme_clean")
    untested["programme"]["pretrend"] = None
    assert narrate(untested).programme == "association"


def test_programme_interval_through_zero_is_not_shown():
    res = scenario("programme_clean")
    res["programme"]["staggered"]["overall"].update(conf_low=-0.3, conf_high=1.9)
    n = narrate(res)
    assert n.programme == "not_shown"
    assert any(line.startswith("Untuk Program") and "mencakup nol" in line
               for line in n.findings)


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
    assert any(f"Hanya {n_clusters} unit yang dibandingkan" in line for line in n.caveats)


def test_enough_clusters_no_cluster_caveat_even_if_listed():
    res = scenario("clear_positive")
    res["estimates"][0]["n_clusters"] = 62
    assert not {"few_clusters", "very_few_clusters"} & set(caveat_codes(res))


def test_derived_caveats_at_most_three():
    res = scenario("suppressed_cells")
    res["estimates"][0]["n_obs"] = 80
    res["study"]["synthetic"] = True
    res["caveats"] = ["something_new"]
    codes = caveat_codes(res)
    for code in ("synthetic", "small_sample", "missing_data", "ikm_sample_inadequate",
                 "something_new"):
        assert code in codes
    n = narrate(res)
    assert len(n.caveats) == 3  # the ones that matter most; the banner says "synthetic"
    text = "\n".join(n.caveats)
    assert "IKM tidak tercatat di 14% unit-tahun" in text  # missing share with its measure
    assert "something_new" not in text
    assert n.synthetic_notice and n.synthetic_notice.startswith("DATA SINTETIS")
    assert "pretrend_failed" in caveat_codes(scenario("failed_pretrend"))


def test_no_synthetic_notice_for_real_data():
    n = narrate(scenario("clear_positive"))
    assert n.synthetic_notice is None
    assert not any("sintetis" in line.lower() for line in n.caveats)


def test_three_key_messages_and_one_to_three_recommendations():
    cases = _all_cases()
    assert cases
    for name, res in cases:
        for lang in ("id", "en"):
            n = narrate(res, lang=lang)
            assert len(n.key_messages) == 3, (name, lang)
            assert 1 <= len(n.recommendations) <= 3, (name, lang)
            # one sentence each: one full stop at the end, none inside except in numbers
            for msg in n.key_messages:
                assert re.search(r"\.\s+[A-Z]", msg) is None, msg


def test_recommendations_are_derived_from_the_results():
    n = narrate(scenario("clear_positive"))
    first = n.recommendations[0]
    # the three units with the lowest share reaching 20 JP, by name, with their shares
    ranked = sorted(scenario("clear_positive")["units"], key=lambda u: (u["share_20jp"],
                                                                        u["unit_name"]))
    for unit in ranked[:3]:
        assert unit["unit_name"] in first
    assert "2.520 ASN belum" in first
    assert any("Dinas Sosial" in r and "2023" in r for r in n.recommendations)
    assert any(r.startswith("Lanjutkan Program")
               for r in narrate(scenario("programme_clean")).recommendations)
    assert any(r.startswith("Jangan menjanjikan kenaikan IKM")
               for r in narrate(scenario("through_zero")).recommendations)
    res = scenario("clear_positive")
    res["descriptives"]["city"]["share_20jp"] = 0.99
    assert not any("20 JP" in r for r in narrate(res).recommendations)
    # suppressed units are never named
    hidden = scenario("suppressed_cells")
    names = {u["unit_name"] for u in hidden["units"] if u["suppressed"]}
    assert not any(name in narrate(hidden).recommendations[0] for name in names)


def test_page_one_has_issuer_and_date_and_counts_agree():
    n = narrate(scenario("clear_positive"), date=DATE)
    assert n.issuer == "Diterbitkan oleh BKPP Kota Semarang" and n.date == "28 November 2026"
    fallback = scenario("clear_positive")
    del fallback["study"]["issuer"]
    assert narrate(fallback).issuer == "Diterbitkan oleh Pemerintah Kota Semarang"
    res = scenario("clear_positive")
    res["descriptives"]["city"]["n_units_with_ikm"] = 39
    assert "1 unit belum memiliki IKM untuk 2024." in narrate(res).categories_note
    en = narrate(res, lang="en")
    assert "1 unit has no IKM for 2024 yet." in en.categories_note


def test_what_a_study_without_person_records_cannot_show_is_said():
    res = scenario("clear_positive")
    res["data_sources"] = {"person_level": False, "training_source": "training_summary",
                           "unavailable": {"topics": "training_summary",
                                           "training_access": "training_summary"}}
    assert caveat_codes(res)[0] == "no_person_records"
    n = narrate(res)
    assert n.caveats[0].startswith("Studi ini hanya memiliki ringkasan pelatihan")
    assert "siapa yang tertinggal" in n.caveats[0] and "topik pelatihan" in n.caveats[0]
    en = narrate(res, lang="en")
    assert "cannot show: who is left behind" in en.caveats[0]


def _with_access(res: dict) -> dict:
    res["training_access"] = {
        "available": True, "year": 2024, "min_cell_size": 5, "lower_bound": ["share_none_3y"],
        "city": {"asn_count": 7060, "share_no_jp": 0.204, "share_none_3y": 0.012,
                 "top10_share": 0.361, "gini": 0.58, "share_nonklasikal": 0.357,
                 "suppressed": False},
        "city_trend": [{"year": 2023, "share_no_jp": 0.234}],
        "units": [{"unit_id": "DISSOS", "unit_name": "Dinas Sosial", "share_no_jp": 0.4},
                  {"unit_id": "DISHUB", "unit_name": "Dinas Perhubungan", "share_no_jp": 0.35}],
        "most_without_jp": ["DISSOS", "DISHUB"], "n_units_suppressed": 0}
    return res


def test_who_is_left_behind_on_page_two():
    res = _with_access(scenario("clear_positive"))
    line = next(x for x in narrate(res).findings if x.startswith("Siapa yang tertinggal"))
    assert "20% ASN tidak mendapat JP sama sekali (dibanding 23% pada 2023; terbanyak di " \
           "Dinas Sosial dan Dinas Perhubungan)" in line
    assert "Setidaknya 1% ASN tanpa JP tiga tahun" in line  # a lower bound, said so
    en = next(x for x in narrate(res, lang="en").findings if x.startswith("Who is left"))
    assert _numbers(line, "id") == _numbers(en, "en")
    res["training_access"] = {"available": False, "reason": "training_summary"}
    assert not any(x.startswith("Siapa") for x in narrate(res).findings)


def test_regional_context_is_context_never_an_effect():
    res = scenario("clear_positive")
    res["regional_context"] = {"region": "Kota Semarang", "indicators": [
        {"measure": "ipm", "first": 2017, "last": 2024,
         "city": {"start": 81.2, "end": 84.1},
         "province": {"name": "Jawa Tengah", "start": 70.5, "end": 73.4},
         "peers": {"n": 5, "start": 79.9, "end": 82.0}}]}
    line = next(x for x in narrate(res).findings if x.startswith("Sebagai konteks"))
    assert "bukan dampak pelatihan" in line
    assert "IPM Kota Semarang 2017–2024 dari 81,2 menjadi 84,1" in line
    assert "Jawa Tengah dari 70,5 menjadi 73,4" in line and "5 daerah sejenis" in line
    en = next(x for x in narrate(res, lang="en").findings if x.startswith("For context"))
    assert "not an effect of training" in en


def test_training_type_budget_and_sectors_follow_their_rules():
    n = narrate(scenario("with_sections"))
    recs = " ".join(n.recommendations)
    # the entitlement with what it takes and buys, from both ends of the interval
    assert "butuh 98.000 JP lagi, sekitar Rp15 miliar" in recs
    assert "IKM rata-rata unit 0,41 sampai 0,73 poin lebih tinggi" in recs
    assert "pemotongan 10% (Rp6,5 miliar, 3,1 JP per ASN lebih sedikit)" in recs
    assert "IKM rata-rata unit 0,17 sampai 0,33 poin lebih rendah" in recs
    assert "Utamakan pelatihan teknis" in recs and "sangat mungkin (97%)" in recs
    # the recommended type with its interval (no bare point estimates on page 1)
    assert "(1,1 poin per 10 JP pelatihan per ASN, IK 95%: 0,9 sampai 1,4)" in recs
    found = " ".join(n.findings)
    assert "jenis-jenis ini berbeda (uji beda p < 0,001)" in found
    # the types' numbers with their unit, and the bracket named as the interval
    assert "dalam poin per 10 JP pelatihan per ASN (IK 95% dalam kurung): teknis 1,1" in found
    assert "kewilayahan 0,62 poin (0,30 sampai 0,90)" in found
    assert "data terlalu sedikit untuk menilai, bukan bukti tanpa kaitan: ekonomi" in found
    assert "tanpa kaitan yang jelas walau datanya cukup: pemerintahan" in found
    # a type "goes more strongly" only when the difference test says so
    same = narrate(with_sections(scenario("clear_positive"), differ=False))
    assert not any("Utamakan pelatihan" in r for r in same.recommendations)
    assert "uji beda tidak menunjukkan perbedaan (p = 0,41)" in " ".join(same.findings)
    # a refused scenario buys nothing on paper
    refused = narrate(with_sections(scenario("clear_positive"), refused=True))
    assert not any("pemotongan" in r or "miliar" in r for r in refused.recommendations)
    en = narrate(scenario("with_sections"), lang="en")
    assert _numbers(" ".join(n.recommendations), "id") == \
        _numbers(" ".join(en.recommendations), "en")


def test_chain_is_on_page_two_or_said_to_be_absent():
    res = scenario("clear_positive")
    res["chain"] = {"a": {"estimate": 0.056}, "b": {"estimate": 0.42},
                    "indirect": {"estimate": 0.0233, "conf_low": 0.0142, "conf_high": 0.0336}}
    line = next(x for x in narrate(res).findings if x.startswith("Rantai"))
    assert "capaian IKU 0,23 poin persen lebih tinggi (IK 95%: 0,14 sampai 0,34)" in line
    absent = next(x for x in narrate(matrix_case("positive", "iku"), lang="en").findings
                  if x.startswith("The chain"))
    assert "not shown" in absent and "already uses IKU" in absent


def test_minimal_results_still_narrate():
    n = narrate(scenario("minimal"))
    assert n.evidence == "positive"
    assert len(n.key_messages) == 3
    empty = narrate({"year": 2024})
    assert empty.evidence == "missing"
    assert empty.headline == catalogue("id")["headline"]["missing"]


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
    assert narrate(res).date is None
    assert narrate(res, date=dt.date(2026, 11, 28)).date == "28 November 2026"


def test_classify_and_programme_wording_edges():
    assert classify(None) == "missing"
    assert classify({"estimate": 1.0, "conf_low": None, "conf_high": 2.0}) == "missing"
    assert classify({"estimate": 0.0, "conf_low": 0.0, "conf_high": 1.0}) == "not_shown"
    assert programme_wording(None) is None
    assert programme_wording({"staggered": None}) is None


@pytest.mark.parametrize(("lang", "phrase"), [
    ("id", "efek tetap unit dan tahun dan variabel kontrol (jumlah ASN (log)),"),
    ("en", "unit and year fixed effects and controls (number of ASN (log)),"),
])
def test_methods_design_names_its_controls_with_a_space(lang, phrase):
    """The controls clause is its own message, which the formatter trims: the sentence read
    "tahundan variabel kontrol" on the rendered methods page until the space was put back."""
    res = scenario("clear_positive")
    res["estimates"][0]["controls"] = ["log_asn_count"]
    design = dict(methods_page(words_for(res, Formatter(lang))).paragraphs)[
        catalogue(lang)["headings"]["design"]]
    assert phrase in design
    assert "10 JP" in design and "1 JP" in design  # the pages' step and the tables' unit
