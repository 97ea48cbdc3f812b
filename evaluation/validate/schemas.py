"""pandera schemas of the input tables, with the words a user needs when a check fails.

Each table has a list of :class:`Rule`: one column, one pandera check, and the catalogue
entry (``validate.rules.<key>`` in ``messages/<lang>/validate.yaml``) whose message and fix
:mod:`evaluation.validate` shows when a value fails it. Types are settled by the reader
(:mod:`evaluation.read`), which reports unparsable cells itself; the schemas check ranges
and coded values. Keys, references between tables and per-person sums are checked in
:mod:`.checks`, where the messages can name the rows involved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandera.pandas as pa

from ..columns import COMPETENCY_TYPES, LEARNING_PATHS
from ..config import StudyConfig

__all__ = ["JP_BY_PATH", "JP_BY_TYPE", "KEYS", "MAX_JP", "Rule", "rules_for", "schema_for"]

#: Columns that identify a row of each table (checked for duplicates).
KEYS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id",),
    "staff": ("unit_id", "year"),
    "skm": ("unit_id", "year", "period", "respondent_id"),
    "ikm": ("unit_id", "year"),
    "performance": ("unit_id", "year"),
    "cpi": ("year",),
    "programme": ("unit_id",),
    "regional": ("unit_id", "year"),
    "ip_asn": ("unit_id", "year"),
    "training_summary": ("unit_id", "year"),
    "skm_summary": ("unit_id", "year", "period"),
}

#: Largest JP a person can plausibly record in one year (and in one event).
MAX_JP = 1000.0


@dataclass(frozen=True)
class Rule:
    """One check on one column, and the catalogue entry that tells the user what failed.

    ``rule`` is the short name shown in reports (``non_negative``); ``key`` the catalogue
    entry of the message and fix (``validate.rules.<key>``), filled with ``params``.
    """

    column: str
    check: pa.Check
    rule: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _range(
    column: str,
    lo: float,
    hi: float | None,
    rule: str,
    key: str,
    *,
    lo_inclusive: bool = True,
    **params: Any,
) -> Rule:
    check = (
        pa.Check.in_range(lo, hi, include_min=lo_inclusive)
        if hi is not None
        else (pa.Check.ge(lo) if lo_inclusive else pa.Check.gt(lo))
    )
    return Rule(column, check, rule, key, params)


def _year_rule(config: StudyConfig) -> Rule:
    first, last = config.years.first, config.years.last
    # years as text: a year is never written with a thousands separator
    return _range("year", first, last, "year_in_study", "year_in_study",
                  first=str(first), last=str(last))


def _count(column: str, key: str) -> Rule:
    return _range(column, 0, None, "non_negative", key)


def _units(config: StudyConfig) -> list[Rule]:
    return [
        _count("population_served", "population_served"),
        _range("created_year", 1900, 2100, "plausible_year", "created_year"),
        _range("closed_year", 1900, 2100, "plausible_year", "closed_year"),
    ]


def _staff(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("asn_count", 0, None, "positive", "asn_count", lo_inclusive=False),
        _count("pns_count", "pns_count"),
    ]


def _training(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("jp", 0, MAX_JP, "jp_range", "jp_range", most=MAX_JP),
        _range("hours", 0, MAX_JP * 45 / 60, "hours_range", "hours_range", most=MAX_JP * 45 / 60),
        _count("cost_rp", "cost_rp"),
        Rule("competency_type", pa.Check.isin(list(COMPETENCY_TYPES)), "competency_type",
             "competency_type", {"allowed": list(COMPETENCY_TYPES)}),
        Rule("learning_path", pa.Check.isin(list(LEARNING_PATHS)), "learning_path",
             "learning_path", {"allowed": list(LEARNING_PATHS)}),
    ]


def _skm(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        *[
            Rule(f"u{i}", pa.Check.isin([1.0, 2.0, 3.0, 4.0]), "skm_answer", "skm_answer")
            for i in range(1, 10)
        ],
    ]


#: parts of a unit's JP total, by competency type and by learning path
JP_BY_TYPE = ("jp_teknis", "jp_manajerial", "jp_sosial_kultural")
JP_BY_PATH = ("jp_klasikal", "jp_nonklasikal")


def _training_summary(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("jp_total", 0, None, "non_negative", "jp_total_range"),
        _range("n_reached_20jp", 0, None, "non_negative", "n_reached_range"),
        _count("cost_rp", "cost_rp"),
        _range("asn_count", 0, None, "positive", "asn_count", lo_inclusive=False),
        *[_range(c, 0, None, "non_negative", "jp_parts_range") for c in JP_BY_TYPE + JP_BY_PATH],
        _range("n_participants", 0, None, "non_negative", "n_participants_range"),
    ]


def _skm_summary(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("n_respondents", 0, None, "positive", "n_respondents_positive",
               lo_inclusive=False),
        *[_range(f"nrr_u{i}", 1, 4, "nrr_range", "nrr_range") for i in range(1, 10)],
    ]


def _ikm(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("ikm", 25, 100, "ikm_range", "ikm_range"),
        _count("n_respondents", "n_respondents"),
    ]


def _performance(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range("iku_achievement", 0, 300, "iku_range", "iku_range"),
        _count("complaints", "complaints"),
    ]


def _cpi(config: StudyConfig) -> list[Rule]:
    return [_range("cpi", 0, None, "positive", "cpi", lo_inclusive=False)]


def _programme(config: StudyConfig) -> list[Rule]:
    first, last = config.years.first, config.years.last
    return [
        _range("cohort_year", first, last, "cohort_in_study", "cohort_in_study",
               first=str(first), last=str(last)),
    ]


def _ip_asn(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        *[
            _range(c, 0, 100, "score_range", "score_range", dimension=c)
            for c in ("kualifikasi", "kompetensi", "kinerja", "disiplin")
        ],
    ]


#: table -> the column rules of that table under a study's settings
_RULES: dict[str, Callable[[StudyConfig], list[Rule]]] = {
    "units": _units,
    "staff": _staff,
    "training": _training,
    "skm": _skm,
    "training_summary": _training_summary,
    "skm_summary": _skm_summary,
    "ikm": _ikm,
    "performance": _performance,
    "cpi": _cpi,
    "programme": _programme,
    "regional": lambda config: [_year_rule(config)],
    "ip_asn": _ip_asn,
}


def rules_for(table: str, config: StudyConfig) -> list[Rule]:
    """The column rules of ``table`` under the study ``config``."""
    rules = _RULES.get(table)
    return rules(config) if rules else []


def schema_for(table: str, config: StudyConfig, columns: list[str]) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` restricted to the ``columns`` present.

    Missing values pass the schema (``nullable=True``): the study's missing-value policy
    decides about them. Columns not named here are allowed.
    """
    by_column: dict[str, list[pa.Check]] = {}
    for rule in rules_for(table, config):
        if rule.column in columns:
            by_column.setdefault(rule.column, []).append(rule.check)
    return pa.DataFrameSchema(
        {
            col: pa.Column(checks=checks, nullable=True, required=True)
            for col, checks in by_column.items()
        },
        strict=False,
        name=table,
    )
