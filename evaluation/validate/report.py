"""The outcome of validating a study, and how it reads in Indonesian or English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._options import Language, check_option
from ..errors import Problem
from ..i18n import Formatter
from ..read.words import localise, localise_all, localise_note, problem_count, render_problem

__all__ = ["RENDER_LIMIT", "ValidationReport", "render_problem"]

#: How many problems :meth:`ValidationReport.render` lists before summarising the rest.
RENDER_LIMIT = 300


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a study folder.

    Attributes
    ----------
    study : str
        The study's name (or the folder, when study.yaml could not be read).
    study_dir : str
    ok : bool
        True when there is no problem.
    problems : tuple[Problem, ...]
    notes : tuple[str, ...]
        Decisions and observations that are not problems.
    tables : tuple[str, ...]
        Tables checked.
    rows : Mapping[str, int]
        Data rows read per table.
    """

    study: str
    study_dir: str
    ok: bool
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    rows: Mapping[str, int] = field(default_factory=dict)

    def counts(self) -> list[tuple[str, str, str | None, int]]:
        """(file, rule, column, number of problems) per kind, largest first."""
        totals: dict[tuple[str, str, str | None], int] = {}
        for p in self.problems:
            kind = (p.file, p.rule or "", p.column)
            totals[kind] = totals.get(kind, 0) + problem_count(p)
        return sorted(((*k, n) for k, n in totals.items()), key=lambda t: (-t[3], t[:3]))

    @property
    def n_problems(self) -> int:
        """Every problem found, those summarised in one line included."""
        return sum(problem_count(p) for p in self.problems)

    def render(self, lang: Language = "id") -> str:
        """A readable report in Indonesian (``"id"``) or English (``"en"``): the tables
        read, the count of problems per rule and column, the first problems of each kind
        with their fix, then the notes."""
        check_option("lang", lang, Language)
        f = Formatter(lang)
        lines = [f.msg("validate.report.title", study=self.study, dir=self.study_dir)]
        for name in self.tables:
            rows = f.integer(self.rows.get(name, 0))
            lines.append(f"  - {name}: {rows} {f.msg('validate.report.rows')}")
        lines.append("")
        if self.ok:
            lines.append(f.msg("validate.report.ok"))
        else:
            lines.append(f.msg("validate.report.bad", n=f.integer(self.n_problems)))
            lines += self.problem_lines(lang)
        if self.notes:
            lines += ["", f.msg("validate.report.notes")]
            lines += [f"  - {localise_note(n, lang)}" for n in self.notes]
        return "\n".join(lines)

    def problem_lines(self, lang: Language, limit: int = RENDER_LIMIT) -> list[str]:
        """The count per rule and column, then the first problems of each kind, in ``lang``."""
        f = Formatter(lang)
        lines = self._render_counts(f)
        shown = _first_of_each_kind(self.problems, limit)
        for i, p in enumerate(shown, start=1):
            lines.append(f"{i:>4}. {render_problem(localise(p, lang), f)}")
        hidden = self.n_problems - sum(problem_count(p) for p in shown)
        if hidden > 0:
            lines.append("      " + f.msg("validate.report.more", n=f.integer(hidden)))
        return lines

    def _render_counts(self, f: Formatter) -> list[str]:
        counts = self.counts()
        if len(counts) < 2 and self.n_problems < 2:
            return []
        lines = [f.msg("validate.report.counts")]
        for file, rule, column, n in counts:
            key = "count_line" if column is not None else "count_line_file"
            lines.append("  " + f.msg(f"validate.report.{key}", n=f.integer(n), rule=rule,
                                      file=file, column=column))
        lines.append(f.msg("validate.report.first"))
        return lines

    def __str__(self) -> str:
        return self.render()

    def to_dict(self, lang: Language | None = None) -> dict[str, Any]:
        """Plain JSON-ready form (for ``evaluation validate --json``); messages in ``lang``
        (as made, in English, when ``None``)."""
        problems = self.problems if lang is None else tuple(localise_all(self.problems, lang))
        notes = self.notes if lang is None else tuple(localise_note(n, lang) for n in self.notes)
        return {
            "study": self.study,
            "study_dir": self.study_dir,
            "ok": self.ok,
            "n_problems": self.n_problems,
            "counts": [
                {"file": file, "rule": rule, "column": column, "n": n}
                for file, rule, column, n in self.counts()
            ],
            "problems": [p.to_dict() for p in problems],
            "notes": [str(n) for n in notes],
            "tables": list(self.tables),
            "rows": dict(self.rows),
        }


def _first_of_each_kind(problems: tuple[Problem, ...], limit: int) -> list[Problem]:
    """Up to ``limit`` problems, in their order, with every kind (file, rule, column) among
    them: a rare problem is not hidden behind thousands of another kind."""
    if len(problems) <= limit:
        return list(problems)
    kinds: dict[tuple[str, str | None, str | None], list[int]] = {}
    for i, p in enumerate(problems):
        kinds.setdefault((p.file, p.rule, p.column), []).append(i)
    per_kind = max(1, limit // len(kinds))
    chosen = {i for positions in kinds.values() for i in positions[:per_kind]}
    for i in range(len(problems)):
        if len(chosen) >= limit:
            break
        chosen.add(i)
    return [problems[i] for i in sorted(chosen)][:limit]
