"""Old call forms of the estimators, kept working for one release with a DeprecationWarning.

Every estimator now reads ``(data, outcome, exposure(s), unit, time, *, options)``. Calls in
the order of the previous release are recognised, translated and warned about here, so the
estimators themselves keep one clean signature:

- ``panel_fe(..., exposures=...)``: the keyword is now ``exposure`` (one column or a list);
- ``chain(df, exposure, mediator, outcome, unit, time)``: now
  ``chain(df, outcome, exposure, unit, time, mediator=...)``. A call without ``mediator=``
  is the old form (the new form cannot be written without it);
- ``event_study`` / ``staggered_did(df, outcome, unit, time, cohort)``: now
  ``(df, outcome, cohort, unit, time)``. The old order is recognised when the columns in
  the new unit and time positions do not identify rows (one row per unit and year) but the
  columns in the old positions do; a valid call in the new order always has unique
  unit-year rows, so it is never misread.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

P = ParamSpec("P")
R = TypeVar("R")

Args = tuple[Any, ...]
Kwargs = dict[str, Any]


def _warn(old: str, new: str, stacklevel: int = 4) -> None:
    """Warn at the caller of the estimator (``stacklevel`` counts the frames in between)."""
    warnings.warn(
        f"{old} is the call form of the previous release; write {new}. The old form goes "
        "away in the next release.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_keywords(**renames: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept each old keyword (``old="new"``) for the new one, with a DeprecationWarning."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}: give {new}= only (not {old}= too).")
                    _warn(f"{func.__name__}(..., {old}=...)", f"{func.__name__}(..., {new}=...)",
                          stacklevel=3)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def chain_call(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """Translate ``chain(df, exposure, mediator, outcome, unit, time)`` (the old order)."""
    if "mediator" in kwargs or len(args) < 4:
        return args, kwargs
    df, exposure, mediator, outcome, *rest = args
    _warn("chain(df, exposure, mediator, outcome, unit, time)",
          "chain(df, outcome, exposure, unit, time, mediator=...)")
    return (df, outcome, exposure, *rest), {**kwargs, "mediator": mediator}


def _identifies_rows(df: Any, a: Any, b: Any) -> bool:
    if not isinstance(df, pd.DataFrame) or a not in df.columns or b not in df.columns:
        return False
    return not bool(df.duplicated([a, b]).any())


def event_study_call(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """:func:`cohort_call` for ``event_study``."""
    return cohort_call("event_study", args, kwargs)


def staggered_did_call(args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """:func:`cohort_call` for ``staggered_did``."""
    return cohort_call("staggered_did", args, kwargs)


def cohort_call(name: str, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """Translate ``(df, outcome, unit, time, cohort)`` (the old order) to
    ``(df, outcome, cohort, unit, time)``."""
    old = f"{name}(df, outcome, unit, time, cohort)"
    new = f"{name}(df, outcome, cohort, unit, time)"
    if "cohort" in kwargs and len(args) >= 3:
        # the old order with the cohort by keyword: (df, outcome, unit[, time], cohort=...)
        _warn(old, new, stacklevel=5)
        df, outcome, *unit_time = args
        moved = dict(zip(("unit", "time"), unit_time, strict=False))
        return (df, outcome), {**kwargs, **moved}
    if len(args) == 5:
        df, outcome, c2, c3, c4 = args
        if not _identifies_rows(df, c3, c4) and _identifies_rows(df, c2, c3):
            _warn(old, new, stacklevel=5)
            return (df, outcome, c4, c2, c3), kwargs
    return args, kwargs


def legacy_call(
    translate: Callable[[Args, Kwargs], tuple[Args, Kwargs]],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run ``translate`` on every call before the estimator sees its arguments."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            new_args, new_kwargs = translate(tuple(args), dict(kwargs))
            return func(*new_args, **new_kwargs)

        return wrapper

    return decorate
