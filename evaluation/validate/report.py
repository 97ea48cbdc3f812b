"""The outcome of validating a study, and how it reads in Indonesian or English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._options import Language, check_option
from ..errors import Problem
from ..i18n import Formatter

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

    def render(self, lang: Language = "id") -> str:
        """A readable report in Indonesian (``"id"``) or English (``"en"``)."""
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
            lines.append(f.msg("validate.report.bad", n=f.integer(len(self.problems))))
            for i, p in enumerate(self.problems[:RENDER_LIMIT], start=1):
                lines.append(f"{i:>4}. {render_problem(p, f)}")
            if len(self.problems) > RENDER_LIMIT:
                more = f.integer(len(self.problems) - RENDER_LIMIT)
                lines.append("      " + f.msg("validate.report.more", n=more))
        if self.notes:
            lines += ["", f.msg("validate.report.notes")]
            lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (for ``evaluation validate --json``)."""
        return {
            "study": self.study,
            "study_dir": self.study_dir,
            "ok": self.ok,
            "n_problems": len(self.problems),
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            "tables": list(self.tables),
            "rows": dict(self.rows),
        }


def render_problem(p: Problem, f: Formatter) -> str:
    """One problem as a report line: where, what, the value and rule, then the fix."""
    where = p.file
    if p.row is not None:
        where += f", {f.msg('validate.report.row')} {p.row}"
    if p.column is not None:
        where += f", {f.msg('validate.report.column')} '{p.column}'"
    text = f"{where}: {p.message}"
    extra = []
    if p.value is not None:
        extra.append(f"{f.msg('validate.report.value')}: {p.value!r}")
    if p.rule:
        extra.append(f"{f.msg('validate.report.rule')}: {p.rule}")
    if extra:
        text += f" ({'; '.join(extra)})"
    if p.hint:
        text += f"\n        {f.msg('validate.report.fix')}: {p.hint}"
    return text
