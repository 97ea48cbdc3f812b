"""Figures: title, labelled axes with units, a source line and alt text; ``ax`` in, ``ax`` out."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from fixtures_results import scenario  # noqa: E402

from evaluation.brief import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _theme():
    plot.set_theme()
    yield
    plt.close("all")


def _texts(ax) -> str:
    return " ".join(t.get_text() for t in ax.texts)


def _title(ax) -> str:
    # the theme puts titles on the left
    return ax.get_title(loc="left") or ax.get_title()


def _check_figure(ax):
    assert _title(ax).strip()
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip()
    assert "Sumber:" in _texts(ax) or "Source:" in _texts(ax)
    assert isinstance(ax.alt_text, str) and len(ax.alt_text) > 40
    assert "{" not in ax.alt_text


def test_fit_line_matches_statsmodels():
    rng = np.random.default_rng(7)
    x = rng.uniform(5, 40, 30)
    y = 70 + 0.4 * x + rng.normal(0, 2, 30)
    fit = plot.fit_line(x, y)
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert fit.slope == pytest.approx(ols.params[1], rel=1e-10)
    low, high = ols.conf_int(0.05)[1]
    assert (fit.slope_low, fit.slope_high) == pytest.approx((low, high), rel=1e-10)
    grid = np.array([10.0, 20.0, 35.0])
    fitted, lo, hi = fit.band(grid)
    pred = ols.get_prediction(sm.add_constant(grid)).summary_frame(alpha=0.05)
    np.testing.assert_allclose(fitted, pred["mean"], rtol=1e-10)
    np.testing.assert_allclose(lo, pred["mean_ci_lower"], rtol=1e-10)
    np.testing.assert_allclose(hi, pred["mean_ci_upper"], rtol=1e-10)
    assert plot.fit_line([1, 1, 1], [2, 3, 4]) is None
    assert plot.fit_line([1, 2], [2, 3]) is None


def test_headline_chart_leaves_out_suppressed_units():
    units = pd.DataFrame(scenario("suppressed_cells")["units"])
    ax = plot.headline_chart(units, exposure="jp_per_asn_lag1", outcome="ikm", lang="id",
                             year=2024, min_cell_size=5)
    _check_figure(ax)
    points = ax.collections[0].get_offsets()
    assert len(points) == int((~units["suppressed"]).sum()) == 37
    assert "3 unit tidak ditampilkan (< 5 ASN)" in _texts(ax)
    assert ax.get_xlabel() == "JP pelatihan per ASN per tahun"
    assert ax.get_ylabel() == "IKM (poin, skala 25–100)"
    assert "(tahun sebelumnya)" in _title(ax)
    assert "37 unit" in ax.alt_text


def test_headline_chart_uses_given_axes_and_english():
    fig, ax = plt.subplots()
    units = pd.DataFrame(scenario("clear_positive")["units"])
    out = plot.headline_chart(units, exposure="jp_per_asn_lag1", outcome="ikm", lang="en",
                              ax=ax)
    assert out is ax
    _check_figure(ax)
    assert ax.get_xlabel() == "JP of training per ASN per year"
    assert "Scatter plot of 40 units" in ax.alt_text
    assert ax.alt_text == plot.alt_text_headline(units, exposure="jp_per_asn_lag1",
                                                 outcome="ikm", lang="en")


def test_headline_chart_without_data_says_so():
    empty = pd.DataFrame({"jp_per_asn": [np.nan], "ikm": [np.nan]})
    ax = plot.headline_chart(empty, exposure="jp_per_asn", outcome="ikm", lang="id")
    assert "tanpa titik" in ax.alt_text


def test_event_study_plot():
    rows = scenario("programme_clean")["programme"]["event_study"]
    frame = pd.concat([pd.DataFrame(rows).assign(estimator="TWFE"),
                       pd.DataFrame(rows).assign(estimator="Callaway-Sant'Anna",
                                                 estimate=lambda d: d["estimate"] * 0.9)])
    ax = plot.event_study_plot(frame, lang="id")
    _check_figure(ax)
    assert len(ax.containers) == 2  # one errorbar series per estimator
    assert "-4 sampai 3" in ax.alt_text


def test_binned_scatter_plot():
    frame = pd.DataFrame({"x": [5, 15, 25, 35], "y": [78.0, 80.5, 83.1, 84.0],
                          "n": [40, 80, 60, 20], "conf_low": [76, 79, 81.5, 81],
                          "conf_high": [80, 82, 84.7, 87]})
    ax = plot.binned_scatter_plot(frame, lang="en")
    _check_figure(ax)
    assert "4 groups" in ax.alt_text


def test_estimate_across_years_plot():
    frame = pd.DataFrame({"year": [2021, 2022, 2023, 2024], "estimate": [0.05, 0.07, 0.08, 0.081],
                          "conf_low": [-0.01, 0.02, 0.05, 0.058],
                          "conf_high": [0.11, 0.12, 0.11, 0.104]})
    ax = plot.estimate_across_years_plot(frame, lang="id")
    _check_figure(ax)
    assert "1 tahun rentangnya mencakup nol" in ax.alt_text
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023", "2024"]


def test_ikm_category_plot():
    cats = scenario("clear_positive")["descriptives"]["ikm_categories"]
    ax = plot.ikm_category_plot(cats, lang="id", year=2024)
    _check_figure(ax)
    assert "A (Sangat Baik) 2" in ax.alt_text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_source_line_stays_inside_the_figure(lang):
    """Seen on an early year's brief: long category labels pushed the axes right and the
    source line's "DATA SINTETIS" past the figure's edge (the SVG cut it off)."""
    cats = scenario("clear_positive")["descriptives"]["ikm_categories"]
    source = ("Studi demo: pengembangan kompetensi ASN dan kualitas layanan Kota Semarang, "
              "Kota Semarang (2015–2016); DATA SINTETIS: bukan data nyata")
    fig, ax = plt.subplots(figsize=(7.2, 2.4), layout="constrained")
    plot.ikm_category_plot(cats, lang=lang, year=2016, source=source, ax=ax)
    fig.canvas.draw()
    edge = fig.bbox
    texts = [t for t in ax.texts if "SINTETIS" in t.get_text()]
    assert texts
    for text in texts:
        box = text.get_window_extent()
        assert box.x0 >= edge.x0 - 1 and box.x1 <= edge.x1 + 1, (box, edge)
    plt.close(fig)


def test_axis_labels_use_locale_numbers():
    units = pd.DataFrame({"spend_per_asn_real": [1500.0, 2500.0, 3500.0, 4500.0],
                          "ikm": [75.5, 78.0, 80.25, 84.0]})
    ax = plot.headline_chart(units, exposure="spend_per_asn_real", outcome="ikm", lang="id")
    plt.gcf().canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert any("." in label for label in labels)  # thousands separator of id: 1.500
    assert not any("," in label for label in labels)




@pytest.mark.parametrize("lang", ["id", "en"])
def test_page_one_chart_title_is_wrapped_inside_the_figure(lang, monkeypatch):
    """Seen on the IKU-headline brief: the within-unit chart's title ('Capaian IKU menurut JP
    pelatihan per ASN (tahun sebelumnya), 2016–2024') ran past the figure's right edge and
    the SVG cut it. Every page chart goes through fit_title; without it the title overflows."""
    from fixtures_results import iku

    from evaluation.brief import chart

    results = iku(scenario("clear_positive"))
    real = plot.fit_title
    for fit in (False, True):
        seen: list = []

        def spy(ax, fit=fit, seen=seen):
            title = ax._left_title  # the theme's title position
            before = title.get_text()
            if fit:
                real(ax)
            fig = ax.get_figure(root=True)
            fig.draw_without_rendering()
            box, edge = title.get_window_extent(), fig.bbox
            seen.append((before, title.get_text(), box.x0 >= edge.x0 and box.x1 <= edge.x1))

        monkeypatch.setattr(plot, "fit_title", spy)
        assert chart.headline_chart_svg(results, lang=lang) is not None
        assert len(seen) == 1
        before, after, inside = seen[0]
        assert "IKU" in before
        if fit:
            assert inside and " ".join(after.split()) == before  # wrapped, nothing cut
        elif lang == "id":
            assert not inside  # the case as seen (the English title is shorter and fits)
