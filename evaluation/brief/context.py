"""What a section of ``results.json`` is given to work from: one frozen :class:`AnalysisContext`.

The analysis (``report.analyse``) builds the context once per study and year, after the
headline has been estimated (or found not estimable), and hands the same object to every
registered section (``evaluation.brief.sections``). A section reads from it and returns its
own block; it never changes the context (the data frames are the analysis's own: treat them
as read-only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..config import StudyConfig
from ..estimate import PanelFEResult
from ..study import Study


@dataclass(frozen=True)
class AnalysisContext:
    """Everything a results.json section may use, for one study and one brief year.

    Attributes
    ----------
    config
        The study's settings (``study.yaml``), validated.
    study
        The loaded study: its validated, pseudonymised tables (``study.tables["training"]``
        and so on) for person-level work. No NIP or name may leave a section: aggregate and
        suppress groups smaller than ``min_cell_size``.
    panel
        The full unit-year panel (every year of the study).
    window
        The estimation window: the panel's rows from ``first_year`` to ``year``.
    panel_year
        The window's rows for the brief's year.
    year, first_year
        The brief's year and the first year of the estimation window.
    headline_row
        The headline's row of ``results["estimates"]`` (language-independent: estimate,
        interval, p-value, n, clusters, per one unit of exposure), or ``None`` when the
        headline could not be estimated this year.
    headline
        The headline's result object (``estimate.PanelFEResult``), or ``None`` likewise.
    seed
        The run's seed: every random step of a section uses it, so that the same inputs
        give the same numbers.
    min_cell_size
        Groups smaller than this are suppressed (``null`` with ``"suppressed": true``).
    options
        The remaining run knobs (bootstrap and simulation sizes) as a read-only mapping:
        ``reps``, ``chain_reps``, ``mde_reps``, ``staggered_reps``.
    """

    config: StudyConfig
    study: Study = field(repr=False)
    panel: pd.DataFrame = field(repr=False)
    window: pd.DataFrame = field(repr=False)
    panel_year: pd.DataFrame = field(repr=False)
    year: int
    first_year: int
    headline_row: Mapping[str, Any] | None = field(repr=False)
    headline: PanelFEResult | None = field(repr=False)
    seed: int
    min_cell_size: int
    options: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def exposure(self) -> str:
        """The headline's exposure measure (e.g. ``jp_per_asn``)."""
        return self.config.headline.exposure

    @property
    def outcome(self) -> str:
        """The headline's outcome measure (e.g. ``ikm``)."""
        return self.config.headline.outcome

    @property
    def lag(self) -> int:
        """Years between exposure and outcome in the headline."""
        return self.config.headline.lag

    @property
    def estimable(self) -> bool:
        """Whether the headline could be estimated this year."""
        return self.headline_row is not None


__all__ = ["AnalysisContext"]
