"""Personal data: keyed pseudonyms for NIPs, no names, small groups suppressed.

Training records name real civil servants. The loader replaces each NIP by a keyed
pseudonym (HMAC-SHA256 with a study secret) and drops names before any other code sees
the table, so raw identifiers never reach the panel, results, notebooks, logs or briefs.
The same secret gives the same pseudonym across years and runs (records of one person
can still be linked); without the secret a pseudonym cannot be turned back into a NIP.

The secret comes from, in this order:

1. the environment variable named by ``privacy.secret_env`` (default
   ``EVALUATION_SECRET``);
2. the file named by ``privacy.secret_file``, which must lie outside the repository;
3. only for a study marked ``synthetic: true``: the fixed ``privacy.pseudonym_key`` of its
   study file (the demo); the run says so.

Groups smaller than the study's ``min_cell_size`` are suppressed by
:func:`suppress_small` in every table that leaves the analyst's machine.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import PERSONAL_COLUMNS
from .errors import PrivacyError, SyntheticDataWarning

if TYPE_CHECKING:
    from .config import StudyConfig

__all__ = [
    "NIP_NUMBER_PATTERN",
    "NIP_PATTERN",
    "PSEUDONYM_PATTERN",
    "contains_nip",
    "holds_nip",
    "is_nip_shaped",
    "names_a_person",
    "nip_shaped",
    "pseudonym",
    "pseudonymise",
    "resolve_secret",
    "scrub_nips",
    "suppress_small",
]

#: An 18-digit NIP standing alone (for scanning outputs and logs).
NIP_PATTERN = re.compile(
    # 18 digits in a row, or grouped as printed on ID cards (8-6-1-3); not the decimals
    # of a number (preceded by '.' or ','), not part of a longer token (a hash)
    r"(?<![0-9A-Za-z.,])(?:\d{18}|\d{8}[ .]\d{6}[ .]\d[ .]\d{3})(?![0-9A-Za-z])"
)
#: An 18-digit number as a program prints it once the NIP went through a float: scientific
#: notation (``1.99001012015011E+17``, the last digits already lost) or grouped by thousands
#: (``199.001.012.015.011.008``). The plain form (``199001012015011008.0``) is an
#: :data:`NIP_PATTERN` match already.
NIP_NUMBER_PATTERN = re.compile(
    r"(?<![0-9A-Za-z.,])(?:\d[.,]\d{1,17}[eE]\+?17|\d{3}(?:[.,]\d{3}){5})(?![0-9A-Za-z])"
)
#: What a pseudonym looks like.
PSEUDONYM_PATTERN = re.compile(r"^P[0-9a-f]{16}$")

#: Columns that identify a group rather than measure it; never blanked by suppression.
_KEY_COLUMNS = ("unit_id", "year", "period", "cohort_year", "lag", "year_since")


def scrub_nips(text: str) -> str:
    """``text`` with every NIP, solid, grouped or as a float, replaced by ``[NIP]``.

    The last guard before a message is shown or saved: the toolkit never puts a value
    from a table with personal data in a message, but a stray NIP can still hide in a
    misaligned cell of another table or in a library's error text.

    >>> scrub_nips("nilai 199001012015011001, 1.99001012015011E+17 dan 19900101 201501 1 001")
    'nilai [NIP], [NIP] dan [NIP]'
    """
    return NIP_NUMBER_PATTERN.sub("[NIP]", NIP_PATTERN.sub("[NIP]", text))


def is_nip_shaped(value: object) -> bool:
    """Whether a cell value looks like an NIP: 18 digits as text (solid or grouped 8-6-1-3,
    also behind ``NIP.`` or an apostrophe), or a number of 18 digits (what a spreadsheet
    makes of an NIP; its last digits are lost).

    >>> is_nip_shaped("19650908 199103 1 005"), is_nip_shaped(1.96509081991031e17)
    (True, True)
    >>> is_nip_shaped("2023"), is_nip_shaped(2023.0), is_nip_shaped(True)
    (False, False, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        try:
            number = abs(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return 1e17 <= number < 1e18
    if not isinstance(value, str):
        return False
    text = re.sub(r"^(?:nip\s*[.:]?\s*|')", "", value.strip(), flags=re.IGNORECASE).strip()
    text = re.sub(r"(?<=\d)[.,]0+$", "", text)
    return bool(NIP_PATTERN.fullmatch(text) or NIP_NUMBER_PATTERN.fullmatch(text))


#: The same shapes as :func:`is_nip_shaped`, as whole-cell patterns a column-wide regular
#: expression engine runs (no look-around).
_NIP_CELL = r"\d{18}|\d{8}[ .]\d{6}[ .]\d[ .]\d{3}|\d[.,]\d{1,17}[eE]\+?17|\d{3}(?:[.,]\d{3}){5}"


def nip_shaped(text: pd.Series) -> pd.Series:
    """:func:`is_nip_shaped` for a whole column of text, at once (a boolean Series).

    >>> nip_shaped(pd.Series(["NIP. 19650908 199103 1 005", "2023", "1,99E+17"])).tolist()
    [True, False, True]
    """
    t = pa.array(text.astype("str"))
    t = pc.utf8_trim_whitespace(t)
    t = pc.utf8_trim_whitespace(pc.replace_substring_regex(t, r"(?i)^(?:nip\s*[.:]?\s*|')", ""))
    t = pc.replace_substring_regex(t, r"(\d)[.,]0+$", r"\1")
    shaped = pc.fill_null(pc.match_substring_regex(t, f"^(?:{_NIP_CELL})$"), False)
    return pd.Series(shaped.to_numpy(zero_copy_only=False), index=text.index, dtype=bool)


#: An NIP anywhere in a cell's text (``kepala: Budi, NIP198503122010011002``), as a regular
#: expression Arrow runs (no look-around): looser than :data:`NIP_PATTERN`, for deciding
#: whether a text column holds one.
_NIP_INSIDE = (r"(?:^|[^0-9])(?:\d{18}|\d{8}[ .]\d{6}[ .]\d[ .]\d{3}|\d[.,]\d{1,17}[eE]\+?17)"
               r"(?:[^0-9]|$)")
#: Words of a (normalised) header that number a person, and that name something.
_PERSON_NUMBER_WORDS = frozenset({"nip", "nik"})
_NAME_WORDS = frozenset({"nama", "name"})
#: Words after ``nama`` that make it the name of a place or a body, not of a person.
_NOT_A_PERSON = frozenset({
    "opd", "unit", "instansi", "dinas", "badan", "bagian", "bidang", "sektor", "urusan",
    "kota", "kabupaten", "kab", "provinsi", "wilayah", "daerah", "kecamatan", "kelurahan",
    "desa", "program", "kegiatan", "pelatihan", "diklat", "jabatan", "layanan", "region",
    "district", "organisation", "organization", "agency", "programme", "course",
})


def names_a_person(header: str) -> bool:
    """Whether a normalised header names a person or a person's number.

    >>> names_a_person("nama_kepala"), names_a_person("nip_atasan"), names_a_person("nik")
    (True, True, True)
    >>> names_a_person("nama_kecamatan"), names_a_person("nama_jabatan"), names_a_person("sektor")
    (False, False, False)
    """
    words = set(header.split("_"))
    if words & _PERSON_NUMBER_WORDS:
        return True
    return bool(words & _NAME_WORDS) and not words & _NOT_A_PERSON


def contains_nip(text: pd.Series) -> pd.Series:
    """Whether each text holds an NIP anywhere in it (solid, grouped, or as a float's text),
    for a whole column at once (a boolean Series; missing text holds none).

    >>> contains_nip(pd.Series(["kepala: Budi, NIP198503122010011002", "Rp 1.250.000",
    ...                         "x 1,98503122010011E+17", None])).tolist()
    [True, False, True, False]
    """
    found = pc.match_substring_regex(pa.array(text.astype("str")), _NIP_INSIDE)
    found = pc.fill_null(found, False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=text.index, dtype=bool)


def holds_nip(values: pd.Series) -> bool:
    """Whether any cell of a column holds an NIP: a number of 18 digits (what a spreadsheet
    makes of one), or text with an NIP anywhere in it.

    >>> holds_nip(pd.Series(["kepala: Budi, NIP 19850312 201001 1 002", "-"]))
    True
    >>> holds_nip(pd.Series([1.98503122010011e17])), holds_nip(pd.Series(["2023", 12.5]))
    (True, False)
    """
    if values.dtype.kind in "iuf":
        numbers = np.abs(values.to_numpy(dtype=float, na_value=np.nan))
        return bool(((numbers >= 1e17) & (numbers < 1e18)).any())
    distinct = pd.Series(values.dropna().unique(), dtype=object)
    is_text = distinct.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if is_text.any() and contains_nip(distinct[is_text]).any():
        return True
    return any(is_nip_shaped(v) for v in distinct[~is_text])


def pseudonym(nip: str, key: bytes) -> str:
    """Keyed pseudonym of one NIP: ``"P"`` + the first 16 hex digits of HMAC-SHA256.

    Spaces inside the NIP are ignored, so ``"19900101 201501 1 001"`` and
    ``"199001012015011001"`` give the same pseudonym.

    >>> pseudonym("199001012015011001", b"k") == pseudonym("19900101 201501 1 001", b"k")
    True
    >>> len(pseudonym("199001012015011001", b"k"))
    17
    """
    canonical = re.sub(r"\s+", "", str(nip))
    return "P" + hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def pseudonymise(
    df: pd.DataFrame, *, key: bytes, columns: Sequence[str] = ("nip",)
) -> pd.DataFrame:
    """Return a copy of ``df`` with ``columns`` replaced by keyed pseudonyms and names dropped.

    Parameters
    ----------
    df : DataFrame
        A table that may carry personal columns.
    key : bytes
        The study secret (see :func:`resolve_secret`); must not be empty.
    columns : sequence of str
        Identifier columns to pseudonymise (those absent from ``df`` are ignored).

    Examples
    --------
    >>> df = pd.DataFrame({"nip": ["199001012015011001", None], "name": ["Siti", "Budi"],
    ...                    "jp": [24.0, 8.0]})
    >>> out = pseudonymise(df, key=b"secret")
    >>> list(out.columns), out["nip"].str.match(r"^P[0-9a-f]{16}$").tolist()
    (['nip', 'jp'], [True, False])
    """
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise PrivacyError("pseudonymise: key must be non-empty bytes")
    out = df.drop(columns=[c for c in PERSONAL_COLUMNS if c in df.columns and c not in columns])
    for col in columns:
        if col not in out.columns:
            continue
        out[col] = _pseudonyms(out[col], bytes(key))
    return out


def _pseudonyms(values: pd.Series, key: bytes) -> pd.Series:
    """A column of NIPs as pseudonyms: one HMAC per distinct NIP, spread to the rows."""
    codes, distinct = pd.factorize(values.astype("str"), use_na_sentinel=True)
    # hmac.digest is the one-call form of pseudonym(); the result is the same
    names = ["P" + hmac.digest(key, re.sub(r"\s+", "", str(v)).encode("utf-8"),
                               "sha256").hex()[:16] for v in distinct]
    indices = pa.array(np.asarray(codes), mask=np.asarray(codes) < 0)
    taken = pa.array(names, type=pa.string()).take(indices)
    return pd.Series(pd.array(taken, dtype="str"), index=values.index)


def _repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def resolve_secret(config: StudyConfig) -> tuple[bytes, str]:
    """Find the pseudonymisation secret of a study.

    Returns
    -------
    (bytes, str)
        The key and a description of where it came from (for the run's notes; never
        the key itself).

    Raises
    ------
    PrivacyError
        No secret is set (the message says how to set one), or ``privacy.secret_file``
        lies inside the repository, is missing or is empty.
    """
    env_name = config.privacy.secret_env
    value = os.environ.get(env_name, "")
    if value.strip():
        return value.strip().encode("utf-8"), f"environment variable {env_name}"
    if config.privacy.secret_file:
        path = Path(os.path.expanduser(config.privacy.secret_file))
        if not path.is_absolute():
            path = config.root / path
        path = path.resolve()
        repos = {
            r
            for r in (
                _repository_root(config.root.resolve()),
                _repository_root(Path(__file__).resolve().parent),
            )
            if r
        }
        for repo in repos:
            if path.is_relative_to(repo):
                raise PrivacyError(
                    f"privacy.secret_file {config.privacy.secret_file!r} lies inside the "
                    f"repository ({repo.name}); a secret there can be committed and shared. "
                    "Move it outside, e.g. to ~/.config/evaluation/secret, and point "
                    "privacy.secret_file at it."
                )
        if not path.is_file():
            raise PrivacyError(
                f"privacy.secret_file {config.privacy.secret_file!r} not found. Create it with "
                'one line of random text, e.g.: python -c "import secrets; '
                'print(secrets.token_hex(32))" > ~/.config/evaluation/secret'
            )
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise PrivacyError(f"privacy.secret_file {config.privacy.secret_file!r} is empty")
        return text.encode("utf-8"), "privacy.secret_file"
    if config.synthetic and config.privacy.pseudonym_key:
        message = (
            f"study {config.name!r} is synthetic: NIPs are pseudonymised with the fixed "
            "key in its study file, which is allowed only for synthetic data"
        )
        warnings.warn(message, SyntheticDataWarning, stacklevel=2)
        return config.privacy.pseudonym_key.encode("utf-8"), "fixed key (synthetic study)"
    raise PrivacyError(
        f"study {config.name!r} has NIPs but no pseudonymisation secret. Set one before "
        f"running, either in the environment:\n"
        f"    export {env_name}=\"$(python -c 'import secrets; print(secrets.token_hex(32))')\"\n"
        f"or in a file outside the repository named in study.yaml:\n"
        f"    privacy:\n      secret_file: ~/.config/evaluation/secret\n"
        "Keep the same secret every year so that pseudonyms stay comparable; never commit it."
    )


def suppress_small(
    df: pd.DataFrame,
    count_col: str,
    *,
    k: int,
    value_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank the counts and statistics of groups smaller than ``k``.

    Parameters
    ----------
    df : DataFrame
        One row per group.
    count_col : str
        Column with the group size.
    k : int
        Minimum cell size (the study's ``min_cell_size``).
    value_cols : sequence of str, optional
        Columns to blank in small groups; by default every numeric column except the
        group keys (``unit_id``, ``year``, ``period``, ...).

    Returns
    -------
    DataFrame
        A copy with a boolean ``suppressed`` column; in suppressed rows ``count_col`` and
        ``value_cols`` are missing. Groups of unknown size are suppressed too.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["a", "b"], "n": [3, 12], "ikm": [80.0, 82.5]})
    >>> out = suppress_small(df, "n", k=5)
    >>> out["suppressed"].tolist(), out["ikm"].isna().tolist()
    ([True, False], [True, False])
    """
    if count_col not in df.columns:
        raise KeyError(f"suppress_small: no column {count_col!r}; columns: {list(df.columns)}")
    if value_cols is None:
        value_cols = [
            c
            for c in df.columns
            if c != count_col
            and c not in _KEY_COLUMNS
            and c != "suppressed"
            and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])
        ]
    counts = pd.to_numeric(df[count_col], errors="coerce")
    small = (counts < k) | counts.isna()
    out = df.copy()
    for col in [count_col, *value_cols]:
        series = out[col]
        if pd.api.types.is_integer_dtype(series) and not isinstance(series.dtype, pd.Int64Dtype):
            series = series.astype("Int64")
        elif pd.api.types.is_bool_dtype(series):
            series = series.astype("boolean")
        out[col] = series.where(~small)
    out["suppressed"] = small.to_numpy(dtype=bool)
    return out
