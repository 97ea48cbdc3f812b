"""Header rows: finding them below title rows and mapping them to canonical columns.

Private part of the reading edge (:mod:`evaluation.read`, which re-exports
:func:`normalise_header`). A header cell is normalised (lower case, accents and a trailing
unit in brackets dropped, words joined by ``_``) and looked up among the canonical names
and aliases of :mod:`evaluation.columns`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

from ..columns import TABLE_COLUMNS
from ._cells import _is_filled

#: How many rows at the top of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 20

def normalise_header(text: object) -> str:
    """Lower-case, accent-free, underscore-separated form of a column header.

    A trailing unit in parentheses or brackets is dropped (``Biaya (Rp)`` -> ``biaya``).

    >>> normalise_header(" Jumlah ASN ")
    'jumlah_asn'
    >>> normalise_header("Tahun-Anggaran")
    'tahun_anggaran'
    >>> normalise_header("Biaya (Rp)")
    'biaya'
    >>> normalise_header("Kódé.OPD")
    'kode_opd'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text).replace("\ufeff", "")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower().strip()
    stripped = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", s)
    if stripped:
        s = stripped
    s = re.sub(r"[\s\-./]+", "_", s)
    s = re.sub(r"[^0-9a-z_]", "", s)
    return re.sub(r"_+", "_", s).strip("_")


def _alias_map(table: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, spec in TABLE_COLUMNS[table].items():
        out.setdefault(normalise_header(canonical), canonical)
        for alias in spec.aliases:
            out.setdefault(normalise_header(alias), canonical)
    return out


def _header_score(cells: Sequence[object], aliases: Mapping[str, str]) -> int:
    return len({aliases[h] for c in cells if (h := normalise_header(c)) in aliases})


def _locate_header(rows: list[list[object]], aliases: Mapping[str, str]) -> int:
    """Index of the header row: the top row (of the first 20) matching the most aliases."""
    best_i, best_score = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(row, aliases)
        if score > best_score:
            best_i, best_score = i, score
    if best_i is not None:
        return best_i
    return next((i for i, r in enumerate(rows) if any(_is_filled(c) for c in r)), 0)
