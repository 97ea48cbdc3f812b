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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Header:
    """Where the header is: its first row (index into the rows read), how many rows it
    spans (two when group labels are merged above the column labels), and its cells."""

    index: int
    span: int
    cells: list[object]


def _two_row_cells(upper: Sequence[object], lower: Sequence[object]) -> list[object]:
    """A two-row header read as one: ``Jumlah`` merged above ``ASN`` and ``PNS`` gives
    ``Jumlah ASN`` and ``Jumlah PNS``; a label merged down over both rows is kept once.

    A CSV saved from a merged header keeps the group label in its first cell only, so a
    group label carries to the right over blank upper cells while the lower row goes on.
    """
    width = max(len(upper), len(lower))
    out: list[object] = []
    group: object = None
    for j in range(width):
        top = upper[j] if j < len(upper) else None
        low = lower[j] if j < len(lower) else None
        if _is_filled(top):
            group = top if _is_filled(low) else None
        elif _is_filled(low):
            top = group
        else:
            group = None
        parts = [str(p).strip() for p in (top, low) if _is_filled(p)]
        if len(parts) == 2 and normalise_header(parts[0]) == normalise_header(parts[1]):
            parts = parts[:1]
        out.append(" ".join(parts) if parts else None)
    return out


def _locate_header(rows: list[list[object]], aliases: Mapping[str, str]) -> _Header | None:
    """The header: the top row (of the first 20), or pair of rows, matching the most known
    column names; ``None`` when no cell there is a known name."""
    best: _Header | None = None
    best_score = 0
    head = rows[:HEADER_SCAN_ROWS]
    for i, row in enumerate(head):
        score = _header_score(row, aliases)
        if score > best_score:
            best, best_score = _Header(i, 1, list(row)), score
    for i in range(len(head) - 1):
        cells = _two_row_cells(head[i], head[i + 1])
        score = _header_score(cells, aliases)
        if score > best_score:  # only when the second row adds names a single row lacks
            best, best_score = _Header(i, 2, cells), score
    return best


def expected_names(table: str, limit: int = 6) -> list[str]:
    """A few header names the toolkit knows for ``table``: required columns first."""
    specs = TABLE_COLUMNS[table]
    ordered = sorted(specs, key=lambda c: not specs[c].required)
    names = [(specs[c].aliases or (c,))[0] for c in ordered]
    return list(dict.fromkeys(names))[:limit]


# ---- units written in headers ---------------------------------------------------------------


@dataclass(frozen=True)
class HeaderUnit:
    """A unit written in brackets at the end of a header (``Biaya (ribu Rp)``).

    ``kind`` is what it measures (``"rupiah"``, ``"minutes"``, ``"hours"``, ``"jp"`` or
    ``"percent"``); a value times ``factor`` is in the base unit (rupiah, hours, JP, %).
    """

    text: str
    kind: str
    factor: float = 1.0


_THOUSANDS = ("ribu", "ribuan", "rb", "000", "1000", "1.000", "k")
_MILLIONS = ("juta", "jutaan", "jt", "000000", "000.000", "1000000", "1.000.000")
_BILLIONS = ("miliar", "milyar", "miliaran", "milyaran", "m", "000000000", "000.000.000")
_RUPIAH = ("rp", "rupiah", "idr")
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(("menit", "mnt", "minutes", "minute", "min"), "minutes"),
    **dict.fromkeys(("jam", "hours", "hour", "hrs", "jam_dinding"), "hours"),
    **dict.fromkeys(("jp", "jam_pelajaran", "jpl"), "jp"),
    **dict.fromkeys(("%", "persen", "percent", "pct"), "percent"),
}


def header_unit(text: object) -> HeaderUnit | None:
    """The unit in brackets at the end of a header, or ``None`` (no brackets, or words in
    them that are not a unit, such as ``(orang)`` or ``(sesuai SIPD)``).

    >>> header_unit("Biaya (ribu Rp)"), header_unit("Biaya (Rp 000)").factor
    (HeaderUnit(text='ribu Rp', kind='rupiah', factor=1000.0), 1000.0)
    >>> header_unit("Anggaran (juta)").factor, header_unit("Durasi (menit)").kind
    (1000000.0, 'minutes')
    >>> header_unit("Jumlah ASN (orang)") is None, header_unit("Capaian (%)").kind
    (True, 'percent')
    """
    if not isinstance(text, str):
        return None
    m = re.search(r"[(\[]([^)\]]*)[)\]]\s*$", text)
    if not m:
        return None
    inside = m.group(1).strip()
    words = re.sub(r"[^0-9a-z%.]+", " ", inside.lower().replace("x", " ")).split()
    words = [w.strip(".") if w not in ("1.000", "000.000", "1.000.000", "000.000.000") else w
             for w in words]
    words = [w for w in words if w and w not in ("dalam", "in", "satuan", "nilai")]
    if not words:
        return None
    joined = "_".join(words)
    if joined in _UNIT_WORDS:
        return HeaderUnit(inside, _UNIT_WORDS[joined])
    if all(w in _RUPIAH for w in words):
        return HeaderUnit(inside, "rupiah")
    rest = [w for w in words if w not in _RUPIAH]
    for scale, factor in ((_THOUSANDS, 1e3), (_MILLIONS, 1e6), (_BILLIONS, 1e9)):
        if len(rest) == 1 and rest[0] in scale and (len(words) > 1 or rest[0] not in ("m", "k")):
            return HeaderUnit(inside, "rupiah", factor)
    return None
