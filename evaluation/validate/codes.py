"""Coded columns written the way people write them, brought to the toolkit's codes.

``"Sosial Kultural"``, ``"sosio-kultural"`` and ``"Socio-cultural"`` all become
``"sosial_kultural"``; ``"Non Klasikal"`` becomes ``"nonklasikal"``. A value that is
still not a known code after this is reported by the schema (see :mod:`.schemas`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..read import map_distinct

__all__ = ["normalise_code", "normalise_codes"]

_COMPETENCY_SYNONYMS = {
    "sosial_kultural": "sosial_kultural",
    "sosialkultural": "sosial_kultural",
    "sosio_kultural": "sosial_kultural",
    "sosiokultural": "sosial_kultural",
    "technical": "teknis",
    "managerial": "manajerial",
    "socio_cultural": "sosial_kultural",
}
_PATH_SYNONYMS = {
    "non_klasikal": "nonklasikal",
    "nonklasikal": "nonklasikal",
    "non_classical": "nonklasikal",
    "classical": "klasikal",
    "klasikal": "klasikal",
}

#: table -> coded column -> synonyms (after lower-casing and joining words with "_")
CODED_COLUMNS: dict[str, dict[str, Mapping[str, str]]] = {
    "training": {
        "competency_type": _COMPETENCY_SYNONYMS,
        "learning_path": _PATH_SYNONYMS,
        "activity": {},
    },
}


def normalise_code(value: object, synonyms: Mapping[str, str]) -> object:
    """One code: lower case, words joined by ``_``, synonyms replaced.

    >>> normalise_code(" Non Klasikal ", _PATH_SYNONYMS)
    'nonklasikal'
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return value
    key = re.sub(r"[\s\-_/]+", "_", str(value).strip().lower()).strip("_")
    return synonyms.get(key, key)


def normalise_codes(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the coded columns of ``table`` normalised (a copy when any is present)."""
    coded = {c: s for c, s in CODED_COLUMNS.get(table, {}).items() if c in df.columns}
    if not coded:
        return df
    df = df.copy()
    for col, synonyms in coded.items():
        df[col] = map_distinct(df[col], functools.partial(normalise_code, synonyms=synonyms), "str")
    return df
