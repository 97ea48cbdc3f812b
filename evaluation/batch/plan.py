"""What a batch will run: its notebooks, one :class:`RunSpec` per notebook run, and the
order they start in (pure: reads nothing but the notebooks' metadata, starts nothing)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import sha256_file
from .._options import Language
from ..errors import ParameterError
from ..i18n import Formatter
from ..settings import RunSettings
from .runner import RunSpec

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class NotebookSet:
    """The notebooks a batch runs: estimation (writes results.json) and brief (reads it)."""

    estimate: Path
    brief: Path

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str], *, lang: Language = "id") -> NotebookSet:
        folder = Path(folder)
        nbs = cls(folder / "02_estimate.ipynb", folder / "03_brief.ipynb")
        for nb in (nbs.estimate, nbs.brief):
            if not nb.is_file():
                raise ParameterError(Formatter(lang).msg("batch.errors.notebook_missing", path=nb))
        return nbs


def default_notebooks() -> NotebookSet:
    return NotebookSet.from_folder(PROJECT_ROOT / "notebooks")


def notebook_sha256(path: Path, *, lang: Language = "id") -> str:
    """SHA-256 of a notebook that papermill can run (it has a kernelspec)."""
    f = Formatter(lang)
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError) as exc:
        raise ParameterError(f.msg("batch.errors.notebook_unreadable", path=path,
                                   reason=type(exc).__name__)) from None
    if not (meta.get("kernelspec") or {}).get("name"):
        raise ParameterError(f.msg("batch.errors.no_kernelspec", path=path))
    return sha256_file(path)


def plan_runs(settings: RunSettings, notebooks: NotebookSet, *, cwd: str) -> list[RunSpec]:
    """Every run of the batch: per year the estimation, then a brief per language.

    The runs' parameters are the values a user would give papermill: the study folder as
    given, the year, the seed, the language, and the output folder (absolute).
    """
    out = str(settings.out_root)
    options = settings.options
    common: dict[str, Any] = {"study_name": settings.study_name, "out_root": out, "cwd": cwd,
                              "timeout": options.timeout, "retries": options.retries,
                              "message_lang": settings.lang}
    specs = []
    for year in settings.years:
        specs.append(RunSpec(
            key=f"{year}/estimate", year=year, stage="estimate", lang=None,
            notebook=str(notebooks.estimate.resolve()),
            parameters={"study": settings.study, "year": year, "out": out,
                        "seed": settings.seed},
            outputs=("results.json", "notebook.ipynb"), executed_name="notebook.ipynb",
            **common,
        ))
        for lang in settings.langs:
            # one workbook per language, like the brief itself
            outputs = [f"brief.{lang}.html", f"brief.{lang}.pdf", f"tables.{lang}.xlsx",
                       f"notebook.brief.{lang}.ipynb"]
            specs.append(RunSpec(
                key=f"{year}/brief.{lang}", year=year, stage="brief", lang=lang,
                notebook=str(notebooks.brief.resolve()),
                parameters={"study": settings.study, "year": year, "lang": lang, "out": out},
                outputs=tuple(outputs), executed_name=f"notebook.brief.{lang}.ipynb",
                inputs=("results.json",), **common,
            ))
    return specs


def start_order(specs: list[RunSpec], previous: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The estimation runs, longest first (their briefs follow as each one finishes).

    With a few processes and runs of unequal length, starting the longest first keeps every
    process busy until the end instead of leaving one long run alone at the tail. The
    expected length is the run's duration in the last manifest; without one, a later year
    (a longer estimation window) is taken to be longer.
    """
    estimates = [s for s in specs if s.stage == "estimate"]

    def expected(spec: RunSpec) -> tuple[float, int]:
        duration = (previous.get(spec.key) or {}).get("duration")
        known = float(duration) if isinstance(duration, (int, float)) else 0.0
        return (known, spec.year)

    return [s.key for s in sorted(estimates, key=expected, reverse=True)]


__all__ = ["PROJECT_ROOT", "NotebookSet", "default_notebooks", "notebook_sha256", "plan_runs",
           "start_order"]
