"""One exception hierarchy and typed warnings for the whole toolkit.

Every error says what was expected, what was received, where (file, row, column)
and how to fix it. Command-line entry points catch :class:`EvaluationError` and
print its message without a traceback (exit code 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class EvaluationError(Exception):
    """Base class of every error the toolkit raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One data problem, located the way a user sees it in a spreadsheet.

    ``row`` is the row number as shown by a spreadsheet program (header on row 1
    of a plain CSV, so the first data row is 2), or ``None`` for file-level problems.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    rule: str | None = None
    hint: str | None = None
    #: Catalogue key and values the message and hint were made from, so that a report can
    #: write them in another language (:func:`evaluation.read.words.localise`).
    key: str | None = field(default=None, compare=False, repr=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", baris {self.row}"
        if self.column is not None:
            where += f", kolom '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (nilai: {self.value!r})"
        if self.rule:
            text += f" [aturan: {self.rule}]"
        if self.hint:
            text += f"\n    Perbaikan: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": value,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }


class DataValidationError(EvaluationError):
    """Input data (a file, a table, a study folder) is not what the toolkit expects.

    Carries every problem found, not just the first, in ``problems``. ``text``, when
    given, is the whole message already written (e.g. in the study's language by
    :mod:`evaluation.validate`); otherwise it is made from the summary and the problems.
    """

    def __init__(
        self,
        message: str | None = None,
        problems: list[Problem] | None = None,
        *,
        text: str | None = None,
    ):
        self.problems: list[Problem] = list(problems or [])
        if message is None:
            message = f"{len(self.problems)} masalah data ditemukan"
        self.summary = message
        super().__init__(text if text is not None else self._render())

    def _render(self) -> str:
        if not self.problems:
            return self.summary
        lines = [self.summary + ":"]
        lines += [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  ... dan {len(self.problems) - 200} masalah lain")
        return "\n".join(lines)


class StudyConfigError(DataValidationError):
    """``study.yaml`` is missing, unreadable or declares something not allowed."""


class EstimationError(EvaluationError):
    """A model cannot be estimated as asked (missing column, constant exposure, ...)."""


class ParameterError(EvaluationError):
    """A notebook or command parameter is not allowed (unknown name, wrong type, bad path)."""


class PrivacyError(EvaluationError):
    """Personal data cannot be protected as required (e.g. no pseudonymisation secret)."""


class RunError(EvaluationError):
    """A notebook run or batch failed; carries what is known about the failure."""

    def __init__(self, message: str, *, cell: int | None = None, source: str | None = None,
                 ename: str | None = None, evalue: str | None = None):
        self.cell = cell
        self.source = source
        self.ename = ename
        self.evalue = evalue
        super().__init__(message)


class LockError(RunError):
    """Another batch holds the lock on the same output folder."""


# ---- warnings (typed, so users can filter them) -------------------------------------------


class EvaluationWarning(UserWarning):
    """Base class of every warning the toolkit emits on purpose."""


class FewClustersWarning(EvaluationWarning):
    """Too few clusters for cluster-robust standard errors to be trusted on their own."""


class SmallSampleWarning(EvaluationWarning):
    """A sample (respondents, units, cells) is below what a reliable estimate needs."""


class SyntheticDataWarning(EvaluationWarning):
    """The data are synthetic (the demo study): results are not about the real city."""


class DataQualityWarning(EvaluationWarning):
    """The data pass validation but something deserves a look (gaps, odd values)."""


__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "EstimationError",
    "EvaluationError",
    "EvaluationWarning",
    "FewClustersWarning",
    "LockError",
    "ParameterError",
    "PrivacyError",
    "Problem",
    "RunError",
    "SmallSampleWarning",
    "StudyConfigError",
    "SyntheticDataWarning",
]
