"""Allowed option values, in one place, and the one helper that checks them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeVar, get_args

from .errors import EvaluationError

T = TypeVar("T")

Language = Literal["id", "en"]
NumberLocale = Literal["id", "en"]
UnitLevel = Literal["opd", "kecamatan", "puskesmas", "kabkota", "provinsi"]
Role = Literal["investment", "quality", "outcome", "control"]
IkmWeighting = Literal["exact", "regulation"]
Inference = Literal["auto", "cluster", "wild", "hetero", "iid"]
CorrelationMethod = Literal["pearson", "spearman", "kendall"]
Alternative = Literal["two-sided", "greater", "less"]
PAdjust = Literal["holm", "fdr_bh", "none"]
MissingPolicy = Literal["drop", "error", "keep"]
DuplicatePolicy = Literal["error", "drop", "keep"]
#: Where the heavy group-bys of loading run: pandas in memory, DuckDB out of core, or
#: ``auto``: DuckDB when the records are many and in Parquet, else pandas (README: scale).
Engine = Literal["auto", "pandas", "duckdb"]
WildWeights = Literal["rademacher", "webb"]
ControlGroup = Literal["never_treated", "not_yet_treated"]
BasePeriod = Literal["varying", "universal"]
StaggeredInference = Literal["analytic", "bootstrap"]
BriefFormat = Literal["html", "pdf", "xlsx"]


def allowed(alias: Any) -> tuple[Any, ...]:
    """The allowed values of a ``Literal`` alias, in declaration order."""
    return get_args(alias)


def check_option(name: str, value: T, alias_or_values: Any, *,
                 error: type[Exception] = EvaluationError) -> T:
    """Return ``value`` if it is allowed, else raise ``error`` listing what is.

    >>> check_option("method", "pearson", CorrelationMethod)
    'pearson'
    """
    values = alias_or_values
    # A Literal alias is itself iterable on Python 3.11+, so ask for its arguments first.
    if get_args(values) or not isinstance(values, Iterable) or isinstance(values, str):
        values = allowed(values)
    values = tuple(values)
    if value not in values:
        raise error(
            f"{name}: expecting one of {list(values)}. Got {value!r}."
        )
    return value
