"""Coded values and programme titles of the training table, worked on distinct values.

A training table repeats a handful of codes (competency type, learning path, activity)
and a few hundred programme titles over millions of rows: every function here factorizes
a column once and normalises or matches its distinct values only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Coded values of the training table (see :mod:`evaluation.columns`).
COMPETENCY_TYPES = ("teknis", "manajerial", "sosial_kultural")
LEARNING_PATHS = ("klasikal", "nonklasikal")

_SEPARATORS = re.compile(r"[\s\-/]+")


def normalise_code(value: object) -> str:
    """Lower-case, underscore form of a coded value ("E-Learning" -> "e_learning")."""
    return _SEPARATORS.sub("_", str(value).strip().lower())


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer code per row (-1 where missing) and the distinct values, in order of
    appearance; a categorical column gives its codes without touching the rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.codes), np.asarray(values.cat.categories, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques, dtype=object)


Factorized = tuple[np.ndarray, np.ndarray]


class ColumnCodes:
    """The columns of one table, each factorized once (a training table's unit, NIP and
    codes are asked for by several steps)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._done: dict[str, Factorized] = {}

    def __call__(self, column: str) -> Factorized:
        if column not in self._done:
            self._done[column] = factorize(self.frame[column])
        return self._done[column]


def code_index(values: pd.Series | Factorized, allowed: Sequence[str]) -> np.ndarray:
    """Position of each row's normalised code in ``allowed``; -1 when missing or other.

    >>> code_index(pd.Series(["Teknis", None, "Sosial Kultural", "x"]),
    ...            ("teknis", "manajerial", "sosial_kultural")).tolist()
    [0, -1, 2, -1]
    """
    codes, uniques = values if isinstance(values, tuple) else factorize(values)
    position = {v: i for i, v in enumerate(allowed)}
    lookup = np.array([position.get(normalise_code(u), -1) for u in uniques] + [-1],
                      dtype=np.int8)
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def normalised_codes(values: pd.Series | Factorized) -> tuple[np.ndarray, list[str]]:
    """Integer code per row (-1 where missing) into the normalised distinct values (two
    spellings of one code share an entry)."""
    codes, uniques = values if isinstance(values, tuple) else factorize(values)
    names = [normalise_code(u) for u in uniques]
    distinct = sorted(set(names))
    position = {v: i for i, v in enumerate(distinct)}
    lookup = np.array([position[n] for n in names] + [-1], dtype=np.int64)
    return lookup[codes], distinct


def _title_text(value: object) -> str:
    return " ".join(str(value).casefold().split())


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str]:
    """One pattern for a topic's keywords: case ignored, spaces collapsed, each keyword
    matching at the start of a word (so "aplikasi" also finds "aplikasinya", but "TI"
    does not find "kinerTIa")."""
    parts = [re.escape(_title_text(k)) for k in keywords if str(k).strip()]
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(parts) + ")")


def topic_masks(titles: pd.Series | Factorized, topics: Mapping[str, Sequence[str]]
                ) -> dict[str, np.ndarray]:
    """Per topic, whether each row's programme title contains one of its keywords.

    >>> t = pd.Series(["Bimtek SPBE", "Pelatihan Pelayanan Prima", None])
    >>> topic_masks(t, {"digital": ["spbe", "aplikasi"]})["digital"].tolist()
    [True, False, False]
    """
    if not topics:
        return {}
    codes, uniques = titles if isinstance(titles, tuple) else factorize(titles)
    texts = [_title_text(u) for u in uniques]
    out = {}
    for name, keywords in topics.items():
        pattern = keyword_pattern(keywords)
        hit = np.array([bool(pattern.search(t)) for t in texts] + [False], dtype=bool)
        out[name] = hit[codes]
    return out
