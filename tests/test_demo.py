"""The synthetic demo study: reproducible from its seed, realistic, and its true effects
recoverable by the specifications TRUTH.md states (the generator's own self-check).

The panel is rebuilt here with a few lines of pandas, independently of the toolkit's
indicator code, so the check does not depend on the code it will later be used to test.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import cli, demo
from evaluation._io import sha256_file
from evaluation.config import read_study_config

ELEMENTS = [f"u{k}" for k in range(1, 10)]
# the demo's topic written out by hand (study.yaml topics.digital): a keyword at a word start
DIGITAL = r"(?<![0-9a-z])(?:teknologi informasi|aplikasi|spbe|digital)"
TYPES = ["jp_per_asn_teknis_lag1", "jp_per_asn_manajerial_lag1", "jp_per_asn_sosial_kultural_lag1"]


# ---- an independent panel -------------------------------------------------------------------------


def read_demo_files(folder: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            out[path.name] = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8")
        elif path.suffix == ".parquet":
            out[path.name] = pd.read_parquet(path)
    return out


def build_panel(tables: dict[str, pd.DataFrame], credit: dict[str, float]) -> pd.DataFrame:
    tr, staff = tables["training.parquet"], tables["staff.csv"]
    factor = tr["bentuk"].map(credit).where(tr["jalur"] == "nonklasikal", 1.0)
    assert factor.notna().all(), "a nonklasikal activity has no credit factor"
    tr = tr.assign(credited=tr["jp"] * factor)
    keys = ["kode_opd", "tahun"]
    jp = tr.groupby(keys)["credited"].sum().rename("jp_total")
    per_person = tr.groupby([*keys, "nip"])["credited"].sum()
    reach = (per_person >= 20).groupby(level=[0, 1]).sum().rename("n_20jp")
    p = (
        staff.set_index(keys)
        .join(jp)
        .join(reach)
        .fillna({"jp_total": 0, "n_20jp": 0})
        .reset_index()
    )
    p["jp_per_asn"] = p["jp_total"] / p["jumlah_asn"]
    p["share_20jp"] = p["n_20jp"] / p["jumlah_asn"]
    # by type, path and topic: the credited JP of those records only, over the same ASN
    digital = tr["program"].str.contains(DIGITAL, case=False, regex=True)
    parts = {
        "teknis": tr["jenis_kompetensi"] == "Teknis",
        "manajerial": tr["jenis_kompetensi"] == "Manajerial",
        "sosial_kultural": tr["jenis_kompetensi"] == "Sosial Kultural",
        "klasikal": tr["jalur"] == "klasikal",
        "nonklasikal": tr["jalur"] == "nonklasikal",
        "topic_digital": digital,
    }
    for name, mask in parts.items():
        jp_part = tr["credited"].where(mask, 0.0).groupby([tr[k] for k in keys]).sum()
        p = p.merge(jp_part.rename(f"jp_{name}").reset_index(), on=keys, how="left")
        p[f"jp_per_asn_{name}"] = p[f"jp_{name}"].fillna(0.0) / p["jumlah_asn"]
    for lag in (1, 2):
        measures = ["jp_per_asn", *[f"jp_per_asn_{name}" for name in parts]]
        shifted = p[[*keys, *measures]].assign(tahun=p["tahun"] + lag)
        p = p.merge(
            shifted.rename(columns={m: f"{m}_lag{lag}" for m in measures}), on=keys, how="left"
        )
    lead = p[[*keys, "jp_per_asn"]].assign(tahun=p["tahun"] - 1)
    p = p.merge(lead.rename(columns={"jp_per_asn": "jp_per_asn_lead1"}), on=keys, how="left")
    element_means = tables["skm.parquet"].groupby(keys)[ELEMENTS].mean()
    ikm = (25 * element_means.mean(axis=1)).rename("ikm").reset_index()
    p = p.merge(ikm, on=keys, how="left").merge(tables["iku.csv"], on=keys, how="left")
    p = p.merge(tables["programme.csv"], on="kode_opd", how="left")
    p = p.rename(columns={"tahun": "year", "capaian_iku": "iku"})
    p["unit_id"] = p["kode_opd"].astype("category").cat.codes.astype(int)
    e = p["year"] - p["tahun_angkatan"]
    p["ev_m4"] = (e <= -4).astype(float)  # leads binned at -4, lags at +2 (reference: e = -1)
    for name, k in (("ev_m3", -3), ("ev_m2", -2), ("ev_0", 0), ("ev_1", 1)):
        p[name] = (e == k).astype(float)
    p["ev_2p"] = (e >= 2).astype(float)
    return p


def feols(formula: str, data: pd.DataFrame):
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(formula, data, vcov={"CRV1": "unit_id"})


def covers(fit, term: str, value: float) -> bool:
    low, high = fit.confint().loc[term].to_numpy()
    return bool(low <= value <= high)


def wald_p(fit, terms: list[str], values: list[float]) -> float:
    """p-value of the joint test that ``terms`` equal ``values``: clustered Wald statistic
    over k, referred to F(k, G - 1) (a chi-squared reference over-rejects with ~50 clusters)."""
    names = list(fit.coef().index)
    idx = [names.index(t) for t in terms]
    diff = fit.coef().to_numpy()[idx] - np.asarray(values)
    vcov = np.asarray(fit._vcov)[np.ix_(idx, idx)]
    stat = float(diff @ np.linalg.solve(vcov, diff)) / len(idx)
    n_clusters = fit._data["unit_id"].nunique()
    return float(stats.f.sf(stat, len(idx), n_clusters - 1))


TAU_TERMS = ["ev_m4", "ev_m3", "ev_m2", "ev_0", "ev_1", "ev_2p"]
EVENT_FORMULA = "ikm ~ " + " + ".join(TAU_TERMS) + " + jp_per_asn_lag1 | unit_id + year"


def tau_truth() -> list[float]:
    tau = demo.TRUE_EFFECTS["tau"]
    return [0.0, 0.0, 0.0, tau[0], tau[1], tau[2]]


@pytest.fixture(scope="module")
def files(demo_dir) -> dict[str, pd.DataFrame]:
    return read_demo_files(demo_dir)


@pytest.fixture(scope="module")
def panel(files, demo_dir) -> pd.DataFrame:
    credit = dict(read_study_config(demo_dir).jp.nonklasikal_credit)
    return build_panel(files, credit)


# ---- reproducibility and the command ------------------------------------------------------------


def test_command_regenerates_every_committed_byte(demo_dir, tmp_path):
    out = tmp_path / "demo"
    assert cli.main(["demo-data", "--seed", "2026", "--out", str(out)]) == 0
    committed = {p.name: sha256_file(p) for p in demo_dir.iterdir() if p.is_file()}
    regenerated = {p.name: sha256_file(p) for p in out.iterdir() if p.is_file()}
    assert regenerated == committed


def test_another_seed_gives_other_data_and_says_so(tmp_path):
    written = demo.generate(tmp_path, seed=7)
    assert {p.name for p in written} >= {"units.csv", "training.parquet", "TRUTH.md", "study.yaml"}
    assert read_study_config(tmp_path).seed == 7
    assert "--seed 7" in (tmp_path / "README.md").read_text(encoding="utf-8")
    a = demo.simulate(7).tables["skm.parquet"]
    b = demo.simulate(2026).tables["skm.parquet"]
    assert len(a) != len(b) or not a.equals(b)
    # the unit list is fixed, the invented numbers are not
    assert demo.simulate(7).tables["units.csv"].equals(demo.simulate(2026).tables["units.csv"])


def test_refuses_to_overwrite_a_real_study(tmp_path, capsys):
    study = tmp_path / "real"
    study.mkdir()
    (study / "study.yaml").write_text("name: real\nsynthetic: false\n", encoding="utf-8")
    (study / "units.csv").write_text("kode_opd;nama_opd\nX;Dinas X\n", encoding="utf-8")
    assert cli.main(["demo-data", "--out", str(study)]) == 1
    err = capsys.readouterr().err
    assert "synthetic: true" in err and str(study / "study.yaml") in err and "Traceback" not in err
    assert (study / "units.csv").read_text(encoding="utf-8") == "kode_opd;nama_opd\nX;Dinas X\n"


def test_committed_demo_is_small_and_labelled_synthetic(demo_dir):
    total = sum(p.stat().st_size for p in demo_dir.rglob("*") if p.is_file())
    assert total < 10_000_000
    cfg = read_study_config(demo_dir)
    assert cfg.synthetic is True
    assert dict(cfg.jp.nonklasikal_credit) == dict(demo.NONKLASIKAL_CREDIT)
    for name in cfg.tables:
        assert cfg.table_path(name).is_file()
    for doc in ("README.md", "TRUTH.md"):
        assert "SYNTHETIC" in (demo_dir / doc).read_text(encoding="utf-8")


def test_csv_files_use_the_declared_indonesian_locale(demo_dir):
    raw = (demo_dir / "iku.csv").read_bytes()
    assert (
        b"\r\n" not in raw
        and raw.decode("utf-8").splitlines()[0] == "kode_opd;tahun;capaian_iku;pengaduan"
    )
    assert "," in raw.decode("utf-8").splitlines()[1].split(";")[2]  # decimal comma
    assert (demo_dir / "cpi.csv").read_text(encoding="utf-8").startswith("tahun;ihk\n")


# ---- realism ------------------------------------------------------------------------------------


def test_agency_names_match_the_public_list(shared_data):
    agencies = pd.read_csv(shared_data / "semarang" / "kota_semarang_perangkat_daerah.csv")
    public = list(agencies.itertuples(index=False, name=None))
    expected = list(demo.AGENCIES) + [
        ("Kecamatan", f"Kecamatan {k}") for k in demo.KECAMATAN_POPULATION_2022
    ]
    assert sorted(public) == sorted(expected)
    kec = pd.read_csv(shared_data / "semarang" / "kota_semarang_kecamatan.csv")
    assert dict(zip(kec["kecamatan"], kec["penduduk_2022"], strict=True)) == dict(
        demo.KECAMATAN_POPULATION_2022
    )


def test_units_staff_and_the_2021_restructuring(files):
    units, staff = files["units.csv"], files["staff.csv"]
    assert len(units) == 52 and (units["jenis_opd"] == "Kecamatan").sum() == 16
    assert units["kode_opd"].is_unique
    kec = units[units["jenis_opd"] == "Kecamatan"].set_index("nama_opd")["populasi_layanan"]
    assert kec["Kecamatan Tembalang"] == demo.KECAMATAN_POPULATION_2022["Tembalang"]
    new = units.loc[units["tahun_dibentuk"].notna(), "kode_opd"].tolist()
    assert new == [demo.NEW_UNIT]
    for name in ("staff.csv", "iku.csv", "training.parquet", "skm.parquet"):
        years = files[name].loc[files[name]["kode_opd"] == demo.NEW_UNIT, "tahun"]
        assert years.min() == demo.NEW_UNIT_YEAR, name
    total = staff.groupby("tahun")["jumlah_asn"].sum()
    assert total.between(13_500, 16_500).all()
    assert staff["jumlah_asn"].min() >= 25 and staff["jumlah_asn"].max() <= 1_700
    assert set(files["skm.parquet"]["kode_opd"]) <= set(units["kode_opd"])
    assert set(files["training.parquet"]["kode_opd"]) <= set(units["kode_opd"])


def test_nips_and_names_look_real_but_are_consistent(files):
    tr = files["training.parquet"]
    nip = pd.Series(tr["nip"].unique())
    assert nip.str.fullmatch(r"\d{18}").all()
    birth = pd.to_datetime(nip.str[:8], format="%Y%m%d", errors="coerce")
    appointed = pd.to_datetime(nip.str[8:14] + "01", format="%Y%m%d", errors="coerce")
    assert birth.notna().all() and appointed.notna().all()
    age_at_appointment = (appointed - birth).dt.days / 365.25
    assert age_at_appointment.between(18, 40).all()
    assert nip.str[14].isin(["1", "2"]).all() and (nip.str[15:] != "000").all()
    # one name and one unit per person
    assert (tr.groupby("nip")["nama"].nunique() == 1).all()
    assert (tr.groupby("nip")["kode_opd"].nunique() == 1).all()
    # no ASN trains while older than 58 in that year
    age = tr["tahun"] - tr["nip"].str[:4].astype(int)
    assert age.max() <= 58


def test_training_codes_covid_dip_and_rising_costs(files, demo_dir):
    tr = files["training.parquet"]
    assert set(tr["jenis_kompetensi"]) == {"Teknis", "Manajerial", "Sosial Kultural"}
    assert set(tr["jalur"]) == {"klasikal", "nonklasikal"}
    nonklas = set(tr.loc[tr["jalur"] == "nonklasikal", "bentuk"])
    assert nonklas <= set(read_study_config(demo_dir).jp.nonklasikal_credit)
    assert (pd.to_datetime(tr["tanggal"]).dt.year == tr["tahun"]).all()
    assert tr["jp"].between(1, 100).all() and (tr["biaya"] >= 0).all()
    by_year = tr.pivot_table(index="tahun", columns="jalur", values="jp", aggfunc="sum")
    klas_share = by_year["klasikal"] / by_year.sum(axis=1)
    assert klas_share[2020] < 0.5 * klas_share[2019]
    assert klas_share[2021] < klas_share[2019] and klas_share[2023] > klas_share[2021]
    elearn = tr[tr["bentuk"] == "e_learning"].groupby("tahun").size()
    assert elearn[2020] > 2 * elearn[2019]
    # classroom cost per JP rises roughly with the price index
    paid = tr[(tr["bentuk"] == "pelatihan") & (tr["program"] != demo.PROGRAMME_NAME)]
    per_jp = paid.groupby("tahun")["biaya"].sum() / paid.groupby("tahun")["jp"].sum()
    cpi = files["cpi.csv"].set_index("tahun")["ihk"]
    ratio = (per_jp[2024] / per_jp[2015]) / (cpi[2024] / cpi[2015])
    assert 0.9 < ratio < 1.1
    assert cpi.is_monotonic_increasing


def test_skm_answers_sample_sizes_and_ikm_levels(files, panel):
    skm = files["skm.parquet"]
    answers = skm[ELEMENTS]
    values = set(np.unique(answers.stack().dropna().to_numpy()))
    assert values <= {1, 2, 3, 4}
    assert 0.003 < answers.isna().to_numpy().mean() < 0.03
    n = skm.groupby(["kode_opd", "tahun"]).size()
    assert n.min() >= 60 and n.max() <= 450
    assert not skm.duplicated(["kode_opd", "tahun", "id_responden"]).any()
    pop = files["units.csv"].set_index("kode_opd")["populasi_layanan"]
    big_n = pop.reindex(n.index.get_level_values(0)).to_numpy()
    required = 3.841 * big_n * 0.25 / (0.0025 * (big_n - 1) + 3.841 * 0.25)
    adequate = n.to_numpy() >= np.ceil(required)
    assert 0.05 < adequate.mean() < 0.8  # some units fall short, some do not
    ikm = panel["ikm"].dropna()
    assert ikm.between(70, 95).all()
    assert ikm.between(76.61, 92).mean() > 0.6
    assert (ikm >= 88.31).any() and (ikm < 76.61).any()
    # elements with a negative offset drag units down: U8 lowest on average
    assert skm[ELEMENTS].mean().idxmin() == "u8"


def test_programme_cohorts_are_staggered_with_never_treated_units(files):
    prog = files["programme.csv"]
    assert sorted(prog["tahun_angkatan"].unique()) == sorted(demo.PROGRAMME_COHORTS)
    assert demo.NEW_UNIT not in set(prog["kode_opd"])
    assert 10 <= len(files["units.csv"]) - len(prog) <= 30
    course = files["training.parquet"].query("program == @demo.PROGRAMME_NAME")
    joined = course.groupby("kode_opd")["tahun"].min()
    assert joined.to_dict() == prog.set_index("kode_opd")["tahun_angkatan"].to_dict()


# ---- the truth agrees with the files ----------------------------------------------------------


def test_truth_unit_year_matches_an_independent_computation(panel, files):
    t = demo.truth(2026)
    uy = t["unit_year"]
    merged = panel.merge(
        uy,
        left_on=["kode_opd", "year"],
        right_on=["unit_id", "year"],
        suffixes=("", "_true"),
        validate="one_to_one",
    )
    assert len(merged) == len(panel) == len(uy)
    np.testing.assert_allclose(merged["jp_per_asn"], merged["jp_per_asn_true"], rtol=1e-12)
    np.testing.assert_allclose(merged["share_20jp"], merged["share_20jp_true"], rtol=1e-12)
    both = merged["ikm"].notna()
    assert (both == merged["ikm_sample"].notna()).all()
    np.testing.assert_allclose(merged.loc[both, "ikm"], merged.loc[both, "ikm_sample"], rtol=1e-12)
    # the survey IKM lies within sampling error of the true expected IKM: every gap within
    # 4.5 standard errors (25 x the sd of a respondent's mean answer / sqrt(n)); P(any of
    # ~500 beyond) < 0.5%
    skm = files["skm.parquet"]
    row_ikm = 25 * skm[ELEMENTS].astype(float).mean(axis=1)
    se = (row_ikm.groupby([skm["kode_opd"], skm["tahun"]]).std()
          / np.sqrt(skm.groupby(["kode_opd", "tahun"]).size()))
    se = se.reindex(pd.MultiIndex.from_frame(merged[["kode_opd", "year"]])).to_numpy()
    gap = (merged["ikm"] - merged["ikm_expected"]).to_numpy()
    assert (np.abs(gap[both]) < 4.5 * se[both]).all() and abs(gap[both].mean()) < 0.1
    assert t["beta_jp_lag1"] == demo.TRUE_EFFECTS["beta_jp_lag1"]
    assert (
        t["cohorts"]
        == panel.dropna(subset=["tahun_angkatan"])
        .groupby("kode_opd")["tahun_angkatan"]
        .first()
        .astype(int)
        .to_dict()
    )


# ---- the true effects are recovered by the stated specifications -------------------------------


def test_headline_recovers_beta(panel):
    fit = feols("ikm ~ jp_per_asn_lag1 | unit_id + year", panel)
    assert covers(fit, "jp_per_asn_lag1", demo.TRUE_EFFECTS["beta_jp_lag1"])
    assert fit.pvalue()["jp_per_asn_lag1"] < 0.01  # the demo has something to find
    assert fit._N > 400


def test_distributed_lags_and_placebo_lead_are_zero(panel):
    lags = feols("ikm ~ jp_per_asn + jp_per_asn_lag1 + jp_per_asn_lag2 | unit_id + year", panel)
    assert (
        wald_p(
            lags,
            ["jp_per_asn", "jp_per_asn_lag1", "jp_per_asn_lag2"],
            [
                demo.TRUE_EFFECTS["beta_jp_lag0"],
                demo.TRUE_EFFECTS["beta_jp_lag1"],
                demo.TRUE_EFFECTS["beta_jp_lag2"],
            ],
        )
        > 0.01
    )
    lead = feols("ikm ~ jp_per_asn_lag1 + jp_per_asn_lead1 | unit_id + year", panel)
    assert covers(lead, "jp_per_asn_lead1", 0.0)


def test_programme_event_time_effects_are_recovered(panel):
    fit = feols(EVENT_FORMULA, panel)
    assert wald_p(fit, TAU_TERMS, tau_truth()) > 0.01
    assert wald_p(fit, TAU_TERMS[:3], [0.0, 0.0, 0.0]) > 0.01  # no pre-trend
    assert covers(fit, "ev_2p", demo.TRUE_EFFECTS["tau"][2])


def test_programme_course_replaces_other_training():
    # joining moves where the unit's hours go, not how many: realised JP per ASN tracks the
    # target drawn independently of programme timing, in cohort years as in others
    uy = demo.truth(2026)["unit_year"]
    ratio = uy["jp_per_asn"] / uy["jp_target"]
    joined = uy["year"] == uy["cohort_year"]
    assert abs(ratio[joined].mean() - 1) < 0.03 and abs(ratio[~joined].mean() - 1) < 0.03


def test_types_add_up_and_the_topic_is_what_the_generator_drew(panel, files, demo_dir):
    np.testing.assert_allclose(
        panel[["jp_per_asn_teknis", "jp_per_asn_manajerial", "jp_per_asn_sosial_kultural"]]
        .sum(axis=1), panel["jp_per_asn"], rtol=1e-12)
    np.testing.assert_allclose(panel[["jp_per_asn_klasikal", "jp_per_asn_nonklasikal"]]
                               .sum(axis=1), panel["jp_per_asn"], rtol=1e-12)
    # the keywords find exactly the titles the generator drew as digital, and miss the
    # near misses ("Webinar Smart City Semarang", "E-Learning Keamanan Informasi")
    uy = demo.truth(2026)["unit_year"].set_index(["unit_id", "year"])
    mine = panel.set_index(["kode_opd", "year"])["jp_per_asn_topic_digital"]
    np.testing.assert_allclose(mine.sort_index().to_numpy(),
                               uy["jp_per_asn_topic_digital"].sort_index().to_numpy(), rtol=1e-12)
    titles = pd.Series(files["training.parquet"]["program"].unique())
    hit = titles[titles.str.contains(DIGITAL, case=False, regex=True)]
    assert "Webinar Smart City Semarang" not in set(hit) and len(hit) >= 5
    assert dict(read_study_config(demo_dir).topics) == {
        k: tuple(v) for k, v in demo.TOPICS.items()}


def test_competency_types_are_recovered_and_differ(panel):
    fit = feols("ikm ~ " + " + ".join(TYPES) + " | unit_id + year", panel)
    truth = demo.TRUE_EFFECTS["beta_type_lag1"]
    for term, k in zip(TYPES, ("teknis", "manajerial", "sosial_kultural"), strict=True):
        assert covers(fit, term, truth[k]), term
    assert fit.pvalue()["jp_per_asn_sosial_kultural_lag1"] > 0.05  # nothing to find there
    # teknis goes more strongly with IKM than sosial kultural (the difference test says so)
    assert wald_p(fit, [TYPES[0], TYPES[2]], [0.0, 0.0]) < 0.01
    names = list(fit.coef().index)
    a, b = names.index(TYPES[0]), names.index(TYPES[2])
    v = np.asarray(fit._vcov)
    diff = fit.coef().iloc[a] - fit.coef().iloc[b]
    assert diff / np.sqrt(v[a, a] + v[b, b] - 2 * v[a, b]) > 3
    # the headline's exact estimand in this draw (projection of the true training signal)
    head = feols("ikm ~ jp_per_asn_lag1 | unit_id + year", panel)
    projected = demo.truth(2026)["projection_lag1"]["total"]["jp_per_asn_lag1"]
    assert covers(head, "jp_per_asn_lag1", projected)


def test_path_and_topic_add_nothing_given_the_type(panel):
    for extra in ("jp_per_asn_nonklasikal_lag1", "jp_per_asn_topic_digital_lag1"):
        fit = feols("ikm ~ " + " + ".join([*TYPES, extra]) + " | unit_id + year", panel)
        assert covers(fit, extra, 0.0), extra
    proj = demo.truth(2026)["projection_lag1"]
    paths = feols("ikm ~ jp_per_asn_klasikal_lag1 + jp_per_asn_nonklasikal_lag1"
                  " | unit_id + year", panel)
    assert wald_p(paths, list(proj["paths"]), list(proj["paths"].values())) > 0.01
    topic = feols("ikm ~ jp_per_asn_topic_digital_lag1 | unit_id + year", panel)
    assert covers(topic, "jp_per_asn_topic_digital_lag1",
                  proj["topic_digital"]["jp_per_asn_topic_digital_lag1"])


def test_chain_recovers_theta_and_no_direct_effect(panel):
    fit = feols("iku ~ ikm + jp_per_asn_lag1 | unit_id + year", panel)
    assert covers(fit, "ikm", demo.TRUE_EFFECTS["theta_ikm_to_iku"])
    assert covers(fit, "jp_per_asn_lag1", demo.TRUE_EFFECTS["phi_jp_lag1_to_iku"])


@pytest.mark.slow
def test_confidence_intervals_cover_the_truth_across_seeds():
    seeds = range(1, 13)
    credit = dict(demo.NONKLASIKAL_CREDIT)
    beta, tau_hat = [], []
    hits = {"beta": 0, "types": 0, "theta": 0, "tau": 0, "joined": 0}
    for seed in seeds:
        p = build_panel(demo.simulate(seed).tables, credit)
        head = feols("ikm ~ jp_per_asn_lag1 | unit_id + year", p)
        beta.append(head.coef()["jp_per_asn_lag1"])
        hits["beta"] += covers(head, "jp_per_asn_lag1", demo.TRUE_EFFECTS["beta_jp_lag1"])
        types = feols("ikm ~ " + " + ".join(TYPES) + " | unit_id + year", p)
        hits["types"] += wald_p(types, TYPES, list(demo.TRUE_EFFECTS["beta_type_lag1"].values())
                                ) > 0.01
        chain = feols("iku ~ ikm + jp_per_asn_lag1 | unit_id + year", p)
        hits["theta"] += covers(chain, "ikm", demo.TRUE_EFFECTS["theta_ikm_to_iku"])
        event = feols(EVENT_FORMULA, p)
        tau_hat.append(event.coef()[TAU_TERMS].to_numpy())
        hits["tau"] += wald_p(event, TAU_TERMS, tau_truth()) > 0.01
        joined = p.assign(joined=(p["year"] == p["tahun_angkatan"]).astype(float))
        hits["joined"] += covers(
            feols("jp_per_asn ~ joined | unit_id + year", joined), "joined", 0.0
        )
    n = len(seeds)
    # 95% intervals: at least 9 of 12 should cover (P(fewer) < 2% at 93% true coverage)
    assert min(hits.values()) >= 9, hits
    # no bias: the mean over seeds lies within 3 Monte Carlo standard errors of the truth
    mean, se = np.mean(beta), np.std(beta, ddof=1) / np.sqrt(n)
    assert abs(mean - demo.TRUE_EFFECTS["beta_jp_lag1"]) < 3 * se
    tau_hat = np.array(tau_hat)
    tau_se = tau_hat.std(axis=0, ddof=1) / np.sqrt(n)
    assert (np.abs(tau_hat.mean(axis=0) - np.array(tau_truth())) < 3 * tau_se).all()


# ---- the demo city K times ---------------------------------------------------------------------


def test_scaled_demo_repeats_the_city_with_new_codes_and_nips(tmp_path, files):
    from evaluation.demo.scale import scaled_nips

    out = tmp_path / "x3"
    assert cli.main(["demo-data", "--scale", "3", "--out", str(out)]) == 0
    cfg = read_study_config(out)
    assert cfg.synthetic and cfg.name == "demo_x3"
    scaled = read_demo_files(out)
    base = files["training.parquet"]
    tr = scaled["training.parquet"]
    assert len(tr) == 3 * len(base) and len(scaled["units.csv"]) == 3 * 52
    assert scaled["units.csv"]["kode_opd"].is_unique
    # each copy: the demo's records under new unit codes and NIPs
    copy2 = tr[tr["kode_opd"].str.endswith("_K0002")]
    assert len(copy2) == len(base)
    assert (copy2["jp"].to_numpy() == base["jp"].to_numpy()).all()
    per_copy = tr.groupby(tr["kode_opd"].str.extract(r"_K(\d+)$")[0].fillna("1"))["nip"]
    assert per_copy.nunique().tolist() == [base["nip"].nunique()] * 3
    assert tr["nip"].nunique() == 3 * base["nip"].nunique()  # no NIP shared across copies
    nip = pd.Series(tr["nip"].unique())
    assert nip.str.fullmatch(r"\d{18}").all()
    birth = pd.to_datetime(nip.str[:8], format="%Y%m%d", errors="coerce")
    appointed = pd.to_datetime(nip.str[8:14] + "01", format="%Y%m%d", errors="coerce")
    assert birth.notna().all() and ((appointed - birth).dt.days / 365.25).between(18, 40).all()
    # the same person in copy 1 is the demo's person; sequences never collide at the limit
    assert (scaled_nips(base["nip"].unique()[:5], 1)[0].astype(str)
            == base["nip"].unique()[:5]).all()
    many = scaled_nips(base["nip"].unique(), 50)
    assert len(np.unique(many)) == many.size
    # the same truths: the independent panel of the scaled study repeats the demo's
    credit = dict(cfg.jp.nonklasikal_credit)
    p = build_panel(scaled, credit)
    p1 = p[~p["kode_opd"].str.contains("_K")].reset_index(drop=True)
    p3 = p[p["kode_opd"].str.endswith("_K0003")].reset_index(drop=True)
    np.testing.assert_allclose(p3["jp_per_asn"], p1["jp_per_asn"])
    np.testing.assert_allclose(p3["ikm"], p1["ikm"])


def test_scaled_demo_partitioned_by_year(tmp_path):
    out = tmp_path / "x2p"
    assert cli.main(["demo-data", "--scale", "2", "--layout", "partitioned",
                     "--out", str(out)]) == 0
    parts = sorted(p.relative_to(out).as_posix() for p in (out / "training").rglob("*.parquet"))
    assert parts[0] == "training/tahun=2015/part-0.parquet" and len(parts) == 10
    tr = pd.read_parquet(out / "training" / "tahun=2020" / "part-0.parquet")
    assert set(tr["tahun"]) == {2020}
    assert read_study_config(out).tables["training"].file == "training/"
    assert cli.main(["demo-data", "--scale", "0", "--out", str(out)]) == 2  # usage
