"""pandera schemas of the input tables, with the words a user needs when a check fails.

Each table has a list of :class:`Rule`: one column, one pandera check, and the message
and fix that :mod:`evaluation.validate` shows when a value fails it. Types are settled by
the reader (:mod:`evaluation.read`), which reports unparsable cells itself; the schemas
check ranges and coded values. Keys, references between tables and per-person sums are
checked in :mod:`evaluation.validate`, where the messages can name the rows involved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandera.pandas as pa

from ..columns import COMPETENCY_TYPES, LEARNING_PATHS
from ..config import StudyConfig

__all__ = ["KEYS", "Rule", "rules_for", "schema_for"]

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
}

#: Largest JP a person can plausibly record in one year (and in one event).
MAX_JP = 1000.0


@dataclass(frozen=True)
class Rule:
    """One check on one column, and what to tell the user when a value fails it."""

    column: str
    check: pa.Check
    rule: str
    message: str
    hint: str


def _range(
    column: str,
    lo: float,
    hi: float | None,
    rule: str,
    what: str,
    hint: str,
    *,
    lo_inclusive: bool = True,
) -> Rule:
    check = (
        pa.Check.in_range(lo, hi, include_min=lo_inclusive)
        if hi is not None
        else (pa.Check.ge(lo) if lo_inclusive else pa.Check.gt(lo))
    )
    if hi is None:
        bound = f"{'at least' if lo_inclusive else 'more than'} {lo:g}"
    else:
        bound = f"between {lo:g} and {hi:g}"
    return Rule(column, check, rule, f"{what} must be {bound}", hint)


_WHOLE = "counts are whole numbers of zero or more"


def _year_rule(config: StudyConfig) -> Rule:
    first, last = config.years.first, config.years.last
    return _range(
        "year",
        first,
        last,
        "year_in_study",
        "the year",
        f"the study covers {first}-{last} (years in study.yaml); correct the year or "
        "widen 'years' in study.yaml",
    )


def _units(config: StudyConfig) -> list[Rule]:
    return [
        _range("population_served", 0, None, "non_negative", "the population served", _WHOLE),
        *[
            _range(c, 1900, 2100, "plausible_year", what, "write a four-digit year")
            for c, what in (("created_year", "the year created"), ("closed_year", "the year closed"))
        ],
    ]


def _staff(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range(
            "asn_count",
            0,
            None,
            "positive",
            "the number of ASN",
            "a unit with staff has at least one ASN; remove rows of years in which "
            "the unit did not exist",
            lo_inclusive=False,
        ),
        _range("pns_count", 0, None, "non_negative", "the number of PNS", _WHOLE),
    ]


def _training(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range(
            "jp",
            0,
            MAX_JP,
            "jp_range",
            "JP of one event",
            "JP are lesson hours of 45 minutes; a value above 1000 is usually minutes "
            "or a thousands separator read wrongly",
        ),
        _range(
            "hours",
            0,
            MAX_JP * 45 / 60,
            "hours_range",
            "the hours of one event",
            "write clock hours of the event",
        ),
        _range("cost_rp", 0, None, "non_negative", "the cost", "write the cost in rupiah"),
        Rule(
            "competency_type",
            pa.Check.isin(list(COMPETENCY_TYPES)),
            "competency_type",
            "unknown competency type",
            f"use one of {list(COMPETENCY_TYPES)} (written e.g. 'Sosial Kultural' is fine)",
        ),
        Rule(
            "learning_path",
            pa.Check.isin(list(LEARNING_PATHS)),
            "learning_path",
            "unknown learning path",
            f"use one of {list(LEARNING_PATHS)} ('Non Klasikal' is fine)",
        ),
    ]


def _skm(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        *[
            Rule(
                f"u{i}",
                pa.Check.isin([1.0, 2.0, 3.0, 4.0]),
                "skm_answer",
                "an SKM answer must be 1, 2, 3 or 4",
                "answers are coded 1 (tidak baik) to 4 (sangat baik); leave the cell "
                "empty when the respondent did not answer",
            )
            for i in range(1, 10)
        ],
    ]


def _ikm(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range(
            "ikm",
            25,
            100,
            "ikm_range",
            "IKM",
            "IKM is the SKM average x 25, so it lies between 25 and 100; check that "
            "the value is not the 1-4 average (multiply by 25)",
        ),
        _range("n_respondents", 0, None, "non_negative", "the number of respondents", _WHOLE),
    ]


def _performance(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        _range(
            "iku_achievement",
            0,
            300,
            "iku_range",
            "IKU achievement (% of target)",
            "write achievement in percent of target (e.g. 98,5 for 98.5%); a share "
            "like 0,985 must be multiplied by 100",
        ),
        _range("complaints", 0, None, "non_negative", "the number of complaints", _WHOLE),
    ]


def _cpi(config: StudyConfig) -> list[Rule]:
    return [
        _range(
            "cpi",
            0,
            None,
            "positive",
            "the CPI",
            "the CPI is a positive index (e.g. 105,3 with 2018 = 100)",
            lo_inclusive=False,
        ),
    ]


def _programme(config: StudyConfig) -> list[Rule]:
    first, last = config.years.first, config.years.last
    return [
        _range(
            "cohort_year",
            first,
            last,
            "cohort_in_study",
            "the cohort year",
            f"the year a unit joined must lie in {first}-{last}; leave it empty for "
            "units that did not join during the study years",
        ),
    ]


def _ip_asn(config: StudyConfig) -> list[Rule]:
    return [
        _year_rule(config),
        *[
            _range(
                c,
                0,
                100,
                "score_range",
                f"the {c} score",
                "IP ASN dimension scores lie between 0 and 100",
            )
            for c in ("kualifikasi", "kompetensi", "kinerja", "disiplin")
        ],
    ]


#: table -> the column rules of that table under a study's settings
_RULES: dict[str, Callable[[StudyConfig], list[Rule]]] = {
    "units": _units,
    "staff": _staff,
    "training": _training,
    "skm": _skm,
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
