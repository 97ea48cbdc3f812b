"""Numbers and dates written as text, parsed by the study's declared locale.

Private part of the reading edge (:mod:`evaluation.read`, which re-exports
:func:`parse_numbers` and ``MISSING_MARKERS``; import them from there). The rules are
described in :mod:`evaluation.read`: ``"id"`` reads ``1.234,5``, ``"en"`` reads ``1,234.5``,
never by guessing; dates are ISO, day-first or ``31 Juli 2023``, plus Excel serial numbers.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._options import NumberLocale, check_option

#: Cell texts read as a missing value (compared after stripping, case-insensitively).
MISSING_MARKERS = frozenset({"", "-", "–", "—", "na", "n/a", "n.a.", "null", "none", "nan", "..."})


# ---- number and date parsing -----------------------------------------------------------------

_ID_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"
_EN_NUMBER = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$"
_EN_SHORT = r"^[+-]?\.\d+$"
_CURRENCY = r"(?i)^([+-]?)\s*(?:rp\.?|idr)\s*"
#: ``(1.250.000)``: an accounting negative (also ``(Rp 1.250.000)``, ``Rp (1.250.000)``)
_PARENTHESES = r"^\((.*)\)$"
#: ``Rp. 1.250.000,-``: the dash after the decimal mark says "no cents"
_NO_CENTS = r"[.,]-+$"
#: ``Rp -``, ``Rp. -``, ``Rp -,-``: how Excel's accounting format shows a zero (its zero
#: section is ``"Rp"* "-"``), kept as text when the sheet is saved as text. An empty cell
#: never shows the currency symbol, so this is a zero, not a missing value; a bare ``-``
#: stays missing (:data:`MISSING_MARKERS`). The reader says how many cells it read so.
ACCOUNTING_ZERO = r"(?i)^[\s\u00a0\u202f]*(?:rp\.?|idr)[\s\u00a0\u202f]*-+(?:[.,]-+)?[\s\u00a0\u202f]*$"


def replace_text(values: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """``values`` (text) with every match of ``pattern`` replaced, the whole column at once
    (Arrow's regular expressions: no look-around). Missing values stay missing."""
    arrow = pa.array(values.astype("str"))
    out = pc.replace_substring_regex(arrow, pattern=pattern, replacement=replacement)
    return pd.Series(pd.array(out, dtype="str"), index=values.index)


def _clean_number_text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text of a number without spaces, currency, ``,-`` and ``%``; and which cells were an
    accounting negative in parentheses."""
    s = replace_text(s, "[\u00a0\u202f]", " ").str.strip()
    negative = pd.Series(False, index=s.index)
    for _ in range(2):  # "(Rp 1.250.000)" and "Rp (1.250.000)"
        s = replace_text(s, _CURRENCY, "\\1").str.strip()
        paren = s.str.fullmatch(_PARENTHESES).fillna(False).astype(bool)
        negative |= paren
        s = replace_text(s, _PARENTHESES, "\\1").str.strip()
    s = replace_text(s, _NO_CENTS, "").str.removesuffix("%").str.strip()
    return replace_text(s, " ", ""), negative


def parse_numbers(values: pd.Series, *, locale: NumberLocale) -> tuple[pd.Series, pd.Series]:
    """Parse text as numbers under ``locale``; return (float64 values, mask of failures).

    Missing markers (``""``, ``-``, ``NA``, ...) become NaN and are not failures. Rupiah
    as city documents write it (``Rp. 1.250.000,-``) and accounting negatives in
    parentheses (``(1.250.000)``) are read. ``Rp -`` (Excel's accounting zero, see
    :data:`ACCOUNTING_ZERO`) is read as 0; a bare ``-`` is missing.

    >>> v, bad = parse_numbers(pd.Series(["1.234.567", "1.234,5", "Rp 1.250.000,00", "12,5%",
    ...                                   "-", "1,5.0", "Rp. 1.250.000,-", "(1.250.000)"]),
    ...                        locale="id")
    >>> v.tolist()[:4], bool(bad.iloc[5]), bool(bad.iloc[4]), v.tolist()[6:]
    ([1234567.0, 1234.5, 1250000.0, 12.5], True, False, [1250000.0, -1250000.0])
    >>> parse_numbers(pd.Series(["Rp -", "Rp. -,-", "-"]), locale="id")[0].tolist()
    [0.0, 0.0, nan]
    """
    check_option("locale", locale, NumberLocale, error=ValueError)
    text = values.astype("str").where(values.notna(), "")
    missing = text.str.strip().str.lower().isin(MISSING_MARKERS)
    cleaned, negative = _clean_number_text(text)
    zero = text.str.fullmatch(ACCOUNTING_ZERO).fillna(False).astype(bool)
    cleaned = cleaned.where(~zero, "0")
    if locale == "id":
        ok = cleaned.str.fullmatch(_ID_NUMBER)
        standard = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = cleaned.str.fullmatch(_EN_NUMBER) | cleaned.str.fullmatch(_EN_SHORT)
        standard = cleaned.str.replace(",", "", regex=False)
    ok = ok.fillna(False).astype(bool) & ~missing
    # "(-5)" is not an accounting negative: a sign inside the parentheses is refused
    ok &= ~(negative & cleaned.str.match(r"^[+-]").fillna(False).astype(bool))
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    if ok.any():
        out[ok] = pd.to_numeric(standard[ok], errors="coerce").astype("float64")
    out[negative & ok] = -out[negative & ok]
    failed = ~ok & ~missing
    return out, failed


_ID_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "desember": 12,
    "des": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
    "oct": 10,
    "december": 12,
    "dec": 12,
    "aug": 8,
}
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _parse_date_text(text: str, locale: NumberLocale) -> _dt.datetime | None:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", t)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return _safe_date(y, mo, d)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", t)
    if m:
        d, mo, y = (int(x) for x in m.groups())
        return _safe_date(y, mo, d)
    m = re.fullmatch(r"(\d{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+(\d{4})", t)
    if m and m.group(2).lower() in _ID_MONTHS:
        return _safe_date(int(m.group(3)), _ID_MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.fullmatch(r"\d{4,5}(?:[.,]\d+)?", t)
    if m:  # an Excel serial number that reached a CSV as text
        serial = float(t.replace(",", "."))
        return _from_serial(serial)
    return None


def _safe_date(y: int, mo: int, d: int) -> _dt.datetime | None:
    try:
        return _dt.datetime(y, mo, d)
    except ValueError:
        return None


def _from_serial(serial: float) -> _dt.datetime | None:
    # 1 = 1900-01-01 ... 73050 = 2099-12-31; Excel's fictitious 1900-02-29 is absorbed by the
    # 1899-12-30 epoch for every date after February 1900, the only ones that matter here.
    if not 367 <= serial <= 73050:
        return None
    return _EXCEL_EPOCH + _dt.timedelta(days=float(serial))
