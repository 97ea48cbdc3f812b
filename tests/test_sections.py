"""The results.json section registry: a section adds a block, a failing one becomes a note."""

from __future__ import annotations

import dataclasses
import json
import warnings

import pandas as pd
import pytest

from evaluation.brief import sections as registry
from evaluation.brief.context import AnalysisContext
from evaluation.brief.report import analyse
from evaluation.brief.sections import Section, SectionFailedWarning, build_sections
from evaluation.errors import EstimationError
from evaluation.study import load_study

YEAR = 2024


@pytest.fixture(scope="module")
def ctx(demo_dir) -> AnalysisContext:
    study = load_study(demo_dir)
    panel = study.panel()
    window = panel[panel["year"] <= YEAR].reset_index(drop=True)
    return AnalysisContext(
        config=study.config, study=study, panel=panel, window=window,
        panel_year=window[window["year"] == YEAR], year=YEAR,
        first_year=study.config.years.first, headline_row=None, headline=None,
        seed=study.config.seed, min_cell_size=study.config.min_cell_size,
    )


def _units_per_sector(ctx: AnalysisContext) -> dict:
    counts = ctx.panel_year.groupby("sector", observed=True)["unit_id"].nunique()
    return {"n_units": {str(k): int(v) for k, v in counts.items()}, "nan": float("nan")}


def _not_applicable(ctx: AnalysisContext) -> None:
    return None


def _data_refuse(ctx: AnalysisContext) -> dict:
    raise EstimationError("too few treated units for this section")


def _bug(ctx: AnalysisContext) -> dict:
    return {"x": 1 / 0}


def _not_a_dict(ctx: AnalysisContext):
    return [1, 2]


def test_context_is_frozen_and_carries_the_study(ctx):
    assert ctx.exposure == "jp_per_asn" and ctx.outcome == "ikm" and ctx.lag == 1
    assert not ctx.estimable
    assert set(ctx.panel_year["year"]) == {YEAR}
    assert "training" in ctx.study.tables  # person-level records for sections that need them
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.year = 2020  # type: ignore[misc]


def test_each_section_gives_its_block_or_a_note(ctx):
    notes: list[str] = []
    sections = [Section("per_sector", _units_per_sector), Section("absent", _not_applicable),
                Section("refused", _data_refuse), Section("broken", _bug),
                Section("wrong_type", _not_a_dict)]
    with pytest.warns(SectionFailedWarning) as caught:
        out = build_sections(ctx, notes, sections)
    assert list(out) == ["per_sector", "absent", "refused", "broken", "wrong_type"]
    assert sum(out["per_sector"]["n_units"].values()) == len(ctx.panel_year)
    assert out["per_sector"]["nan"] is None  # made JSON-safe
    assert out["absent"] is None and out["refused"] is None
    assert out["broken"] is None and out["wrong_type"] is None
    assert notes[0] == "refused: too few treated units for this section"
    assert notes[1].startswith("broken: ZeroDivisionError")
    assert notes[2].startswith("wrong_type: build returned list")
    # a refusal by the data is a note only; a section's own bug also warns
    assert len(caught) == 2
    json.dumps(out, allow_nan=False)


def test_registered_sections_do_not_replace_core_blocks(monkeypatch, demo_dir):
    monkeypatch.setattr(registry, "SECTIONS", (Section("per_sector", _units_per_sector),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(demo_dir, year=2016, reps=99, chain_reps=19, mde_reps=10, staggered_reps=19)
    assert a.results["per_sector"]["n_units"]  # the descriptive-only year has it too
    monkeypatch.setattr(registry, "SECTIONS", (Section("units", _units_per_sector),))
    with pytest.raises(Exception, match="would replace a core block"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyse(demo_dir, year=2016, reps=99, chain_reps=19, mde_reps=10, staggered_reps=19)


def test_every_registered_section_is_a_section():
    for section in registry.SECTIONS:
        assert isinstance(section, Section) and callable(section.build)
        assert section.key.isidentifier()


def test_regional_context_puts_the_city_beside_its_province_and_peers(ctx):
    from evaluation.brief.sections import regional

    rows = []
    for year in range(2015, 2025):
        rows += [{"unit_id": "kota_semarang", "unit_name": "Kota Semarang", "year": year,
                  "ipm": 80.0 + 0.5 * (year - 2015)},
                 {"unit_id": "prov_jawa_tengah", "unit_name": "Jawa Tengah", "year": year,
                  "ipm": 69.0 + 0.4 * (year - 2015)},
                 {"unit_id": "kota_surakarta", "unit_name": "Kota Surakarta", "year": year,
                  "ipm": 80.5 + 0.3 * (year - 2015)},
                 {"unit_id": "kota_salatiga", "unit_name": "Kota Salatiga", "year": year,
                  "ipm": 81.5 + 0.3 * (year - 2015)},
                 {"unit_id": "kab_semarang", "unit_name": "Semarang", "year": year,
                  "ipm": 72.0}]
    study = dataclasses.replace(ctx.study, tables={**ctx.study.tables,
                                                   "regional": pd.DataFrame(rows)})
    block = regional.build(dataclasses.replace(ctx, study=study))
    assert block is not None and block["descriptive_only"] is True
    ipm = block["indicators"][0]
    assert (ipm["measure"], ipm["first"], ipm["last"]) == ("ipm", 2015, 2024)
    assert ipm["city"] == {"start": 80.0, "end": 84.5}
    assert ipm["province"] == {"name": "Jawa Tengah", "start": 69.0, "end": pytest.approx(72.6)}
    # peers: the other kota, not the kabupaten of the same name
    assert ipm["peers"] == {"n": 2, "start": 81.0, "end": pytest.approx(83.7)}
    assert regional.build(ctx) is None  # the demo has no regional table
