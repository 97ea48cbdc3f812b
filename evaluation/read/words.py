"""Problems and notes in the user's language, and cell values that may be shown.

Every problem the reading and validation stages report, and every note they leave, is a
catalogue entry (``validate.rules.<key>`` and ``validate.notes.<key>`` in
``evaluation/messages/<lang>/validate.yaml``) filled with values. It is made in English
(the language of ``Problem.message`` for programs and logs) and keeps its key and values,
so that :func:`localise` can write it again in the report's language, with numbers
formatted by that language's locale (``321.677`` in Indonesian, ``321,677`` in English).

A cell value reaches a message only through :func:`shown_value`: in a table about persons
(:data:`evaluation.columns.PERSONAL_TABLES`) a value is shown only when it is a number of at
most four digits before the decimal mark (an SKM answer, a JP, a year); anything else is
described by its shape (``an 18-digit number``, ``text of 14 characters``). In other tables
values are shown, except NIP-shaped ones. Nothing that identifies a person has four digits
or fewer.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from babel.numbers import format_decimal

from .._options import Language
from ..errors import DataValidationError, Problem
from ..i18n import Formatter, lookup
from ..privacy import is_nip_shaped, scrub_nips

__all__ = [
    "Note",
    "Shape",
    "localise",
    "in_language",
    "localise_note",
    "more_problems",
    "note",
    "problem",
    "problem_count",
    "render_problem",
    "shown_value",
]

#: The largest number of digits before the decimal mark shown from a table about persons.
SHOWN_DIGITS = 4

#: Problems of one kind (rule and column) in one file listed one by one; the rest are
#: counted in one more problem, so that a damaged file cannot fill memory with problems.
PROBLEMS_PER_KIND = 1000


class Note(str):
    """A note (a decision the reader or validator made) that can be written in either
    language. It is a plain string (English) everywhere it is stored."""

    key: str
    params: Mapping[str, Any]

    def __new__(cls, text: str, key: str = "", params: Mapping[str, Any] | None = None) -> Note:
        obj = super().__new__(cls, text)
        obj.key = key
        obj.params = dict(params or {})
        return obj


class Shape(str):
    """The description of a cell value that may not be shown (``an 18-digit number``)."""

    kind: str
    size: int

    def __new__(cls, text: str, kind: str = "text", size: int = 0) -> Shape:
        obj = super().__new__(cls, text)
        obj.kind = kind
        obj.size = size
        return obj

    def __repr__(self) -> str:
        return f"<{self}>"


def _shape(kind: str, size: int, lang: Language = "en") -> Shape:
    text = Formatter(lang).msg(f"validate.values.{kind}", n=size)
    return Shape(text, kind, size)


def _integer_digits(x: float) -> int:
    whole = abs(x)
    return 1 if whole < 1 else len(str(int(whole)))


def shown_value(value: object, *, personal: bool) -> object:
    """``value`` as it may appear in a message: itself, or its :class:`Shape`.

    >>> shown_value(1440.0, personal=True), shown_value("Budi Santoso", personal=True)
    (1440.0, <text of 12 characters>)
    >>> shown_value(1.96509081991031e17, personal=False)
    <an 18-digit number>
    """
    if value is None or isinstance(value, Shape):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        x = float(value)
        if not math.isfinite(x):
            return value
        digits = _integer_digits(x)
        if is_nip_shaped(x) or (personal and digits > SHOWN_DIGITS):
            return _shape("number", digits)
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, (_dt.date, _dt.datetime, np.datetime64)):
        return _shape("date", 0) if personal else value
    text = str(value)
    if is_nip_shaped(text):
        return _shape("number", 18)
    if personal:
        return _shape("text", len(text.strip()))
    return scrub_nips(text)


# ---- problems and notes from the catalogue ---------------------------------------------------


def _number(x: float, f: Formatter) -> str:
    return str(format_decimal(x, format="#,##0.###", locale=f.locale))


def _fill(value: object, f: Formatter) -> str:
    """One value put into a sentence: numbers by the locale, lists joined, shapes translated."""
    if isinstance(value, Shape):
        return str(_shape(value.kind, value.size, f.lang))
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f.integer(int(value))
    if isinstance(value, (float, np.floating)):
        return _number(float(value), f) if math.isfinite(value) else f.na()
    if isinstance(value, (list, tuple)):
        return ", ".join(_fill(v, f) for v in value)
    return str(value)


def _text(key: str, part: str, params: Mapping[str, Any], lang: Language) -> str:
    # not Formatter.msg: its tidying would touch the values (".xlsx", file names)
    f = Formatter(lang)
    template = str(lookup(f.cat, f"validate.{key}.{part}" if part else f"validate.{key}"))
    return template.format(**{k: _fill(v, f) for k, v in params.items()})


def problem(
    key: str,
    *,
    file: str,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    rule: str | None = None,
    **params: Any,
) -> Problem:
    """A :class:`~evaluation.errors.Problem` whose message and fix are the catalogue's
    ``validate.rules.<key>`` (English), filled with ``params``. ``rule`` defaults to
    ``key``; ``value`` must already be what may be shown (:func:`shown_value`)."""
    return Problem(
        file=file,
        message=_text(f"rules.{key}", "message", params, "en"),
        row=row,
        column=column,
        value=value,
        rule=rule or key,
        hint=_text(f"rules.{key}", "hint", params, "en"),
        key=key,
        params=params,
    )


def more_problems(
    file: str, column: str | None, rule: str, n: int, first_row: int, last_row: int
) -> Problem:
    """One problem standing for ``n`` more of the same kind (rule and column) that are not
    listed one by one, so that a damaged file cannot fill memory with problems."""
    return problem("more_cells", file=file, row=first_row, column=column, rule=rule, n=n,
                   first=str(first_row), last=str(last_row))


def problem_count(p: Problem) -> int:
    """How many problems ``p`` stands for (more than one for :func:`more_problems`)."""
    return int(p.params.get("n", 1)) if p.key == "more_cells" else 1


def note(key: str, **params: Any) -> Note:
    """A note from the catalogue's ``validate.notes.<key>`` (English), filled with ``params``."""
    return Note(_text(f"notes.{key}", "", params, "en"), key, params)


def localise(p: Problem, lang: Language) -> Problem:
    """``p`` with its message, fix and value description in ``lang`` (unchanged when it was
    not made from the catalogue)."""
    if not p.key:
        return p
    value = _shape(p.value.kind, p.value.size, lang) if isinstance(p.value, Shape) else p.value
    return dataclasses.replace(
        p,
        message=_text(f"rules.{p.key}", "message", p.params, lang),
        hint=_text(f"rules.{p.key}", "hint", p.params, lang),
        value=value,
    )


def localise_note(n: str, lang: Language) -> str:
    """A note in ``lang`` (a plain string stays as it is)."""
    if isinstance(n, Note) and n.key:
        return _text(f"notes.{n.key}", "", n.params, lang)
    return n


def localise_all(problems: Iterable[Problem], lang: Language) -> list[Problem]:
    """Every problem of ``problems`` in ``lang``."""
    return [localise(p, lang) for p in problems]


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


def in_language(error: DataValidationError, lang: Language) -> DataValidationError:
    """``error`` written again in ``lang``: its problems' messages and fixes, the frame
    words (row, column, fix) and numbers."""
    f = Formatter(lang)
    problems = localise_all(error.problems, lang)
    files = sorted({p.file for p in problems}) or ["?"]
    summary = f.msg("validate.report.file_problems", file=", ".join(files),
                    n=f.integer(len(problems)))
    lines = [summary + ":", *[f"  - {render_problem(p, f)}" for p in problems[:200]]]
    if len(problems) > 200:
        more = f.integer(len(problems) - 200)
        lines.append("  " + f.msg("validate.report.more", n=more))
    return DataValidationError(summary, problems, text="\n".join(lines))
