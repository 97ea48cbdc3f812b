"""Readers for statistics published by BPS (Badan Pusat Statistik).

Two formats:

* the **web-table CSV export** of bps.go.id (one file per year and indicator): a BOM,
  three header lines (``Provinsi/Kabupaten/Kota,`` / ``,<indicator title>`` / ``,<year>``),
  then ``name,value`` rows where an UPPERCASE name is a province and the kabupaten/kota
  rows that follow belong to it, the last row ``INDONESIA``, no trailing newline;
* a **long table** ``provinsi,tahun,nilai,indikator`` of provincial indicators.

Both come out as one tidy table with the columns
``province, region, level, year, indicator, value, series``; ``level`` is one of
``"provinsi"``, ``"kabupaten"``, ``"kota"``, ``"nasional"``. Missing values (``-``,
``...``, empty) stay missing. ``series`` records which statistical series a value belongs
to, because BPS has changed methods (IPM "metode lama" until 2012, "metode baru" since
2010 with the SP2010 life-expectancy basis, a newer headline series since 2020): values
of different series must never be spliced into one line.

:func:`bps_to_regional_table` turns a tidy table into a study's ``regional`` input table.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem

__all__ = [
    "BPS_TITLES",
    "TIDY_COLUMNS",
    "bps_to_regional_table",
    "canonical_province",
    "read_bps_folder",
    "read_bps_provinsi",
    "read_bps_webtable",
    "region_code",
]

TIDY_COLUMNS = ("province", "region", "level", "year", "indicator", "value", "series")

#: Web-table titles the toolkit knows: title (lower case) -> (indicator, series).
BPS_TITLES: dict[str, tuple[str, str]] = {
    "[metode baru] indeks pembangunan manusia": ("ipm", "metode_baru_sp2010"),
    "indeks pembangunan manusia": ("ipm", "unspecified"),
}

#: Provinces created by splitting another, and the province they were split from. When a
#: kabupaten/kota is listed under both, the new province is its province.
NEW_PROVINCES: dict[str, str] = {
    "PAPUA BARAT DAYA": "PAPUA BARAT",
    "PAPUA SELATAN": "PAPUA",
    "PAPUA TENGAH": "PAPUA",
    "PAPUA PEGUNUNGAN": "PAPUA",
}

_PROVINCE_SPELLINGS = {
    "KEP BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "KEPULAUAN BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "BANGKA BELITUNG": "KEPULAUAN BANGKA BELITUNG",
    "KEP RIAU": "KEPULAUAN RIAU",
    "D I YOGYAKARTA": "DI YOGYAKARTA",
    "DI YOGYAKARTA": "DI YOGYAKARTA",
    "DAERAH ISTIMEWA YOGYAKARTA": "DI YOGYAKARTA",
}

_MISSING = {"", "-", "–", "...", "…", "na", "n/a"}


def canonical_province(name: str) -> str:
    """One spelling per province across BPS tables.

    >>> canonical_province("KEP, BANGKA BELITUNG"), canonical_province("D I YOGYAKARTA")
    ('KEPULAUAN BANGKA BELITUNG', 'DI YOGYAKARTA')
    """
    key = re.sub(r"[.,]", " ", name.upper())
    key = re.sub(r"\s+", " ", key).strip()
    return _PROVINCE_SPELLINGS.get(key, key)


def region_code(region: str, level: str) -> str:
    """A stable, readable code for a region: ``kota_semarang``, ``kab_semarang``, ...

    >>> region_code("Kota Semarang", "kota"), region_code("Semarang", "kabupaten")
    ('kota_semarang', 'kab_semarang')
    >>> region_code("JAWA TENGAH", "provinsi")
    'prov_jawa_tengah'
    """
    s = unicodedata.normalize("NFKD", region)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    if level == "kota":
        return s if s.startswith("kota_") else f"kota_{s}"
    if level == "kabupaten":
        return f"kab_{s.removeprefix('kabupaten_')}"
    if level == "provinsi":
        return f"prov_{s}"
    return s


def _fail(
    path: Path, message: str, hint: str, row: int | None = None, value: object = None
) -> DataValidationError:
    return DataValidationError(
        f"{path.name}: not a BPS web-table export",
        [
            Problem(
                file=path.name, row=row, message=message, value=value, rule="bps_format", hint=hint
            )
        ],
    )


def _value(text: str, path: Path, row: int) -> float:
    t = text.strip()
    if t.lower() in _MISSING:
        return np.nan
    try:
        return float(t)
    except ValueError:
        raise _fail(
            path,
            "the value is not a number",
            "BPS exports write decimals with "
            "'.'; check the file was not re-saved by a spreadsheet program with "
            "another locale",
            row=row,
            value=t,
        ) from None


def read_bps_webtable(path: str | os.PathLike) -> pd.DataFrame:
    """Read one BPS web-table CSV export (one indicator, one year) into a tidy table.

    Duplicated kabupaten/kota (listed under both an old province and one split from it,
    as Papua's in 2022-2023) are kept once, under the new province; their value is the
    one listed under the new province, or the old province's when the new one's is
    missing (the earlier files list the new provinces with ``-`` only).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIDY_COLUMNS`; ``df.attrs["series"]`` and ``df.attrs["source"]``.

    Raises
    ------
    DataValidationError
        The file is not in the web-table layout; the message names the line.

    Examples
    --------
    >>> df = read_bps_webtable(  # doctest: +SKIP
    ...     "../shared/data/bps-ipm-kabkota/[Metode Baru] Indeks Pembangunan Manusia, 2024.csv")
    >>> df.query("region == 'Kota Semarang'")["value"].item()  # doctest: +SKIP
    85.25
    """
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "file not found", "check the path")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text", "download the export from BPS again") from None
    lines = text.splitlines()
    if len(lines) < 4:
        raise _fail(
            path,
            "fewer than four lines (three header lines and data expected)",
            "download the export from BPS again",
        )
    title = lines[1].strip().strip(",").strip().strip('"')
    year_text = lines[2].strip().strip(",").strip()
    if not re.fullmatch(r"\d{4}", year_text):
        raise _fail(
            path,
            "line 3 should hold the year",
            "download the export from BPS again",
            row=3,
            value=year_text,
        )
    year = int(year_text)
    indicator, series = BPS_TITLES.get(title.lower(), (_slug(title), "unspecified"))
    records = _webtable_records(path, lines)
    df = pd.DataFrame(records, columns=["province", "region", "level", "value", "_line"])
    df = _resolve_split_provinces(df)
    df.insert(3, "year", year)
    df.insert(4, "indicator", indicator)
    df["series"] = series
    df = df[list(TIDY_COLUMNS)].reset_index(drop=True)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    df.attrs["series"] = series
    df.attrs["source"] = "BPS"
    return df


def _webtable_records(path: Path, lines: list[str]) -> list[tuple[str, str, str, float, int]]:
    """(province, region, level, value, line) of each data line of a web-table export."""
    records = []
    province = None
    for i, line in enumerate(lines[3:], start=4):
        if not line.strip():
            continue
        if "," not in line:
            raise _fail(
                path,
                "expecting 'name,value'",
                "download the export from BPS again",
                row=i,
                value=line[:60],
            )
        name, raw = line.rsplit(",", 1)
        name = name.strip().strip('"').strip()
        value = _value(raw, path, i)
        if name.upper() == "INDONESIA":
            records.append(("INDONESIA", "INDONESIA", "nasional", value, i))
            province = None
        elif name == name.upper() and re.search(r"[A-Z]", name):
            province = canonical_province(name)
            records.append((province, province, "provinsi", value, i))
        else:
            if province is None:
                raise _fail(
                    path,
                    f"kabupaten/kota {name!r} comes before any province row",
                    "download the export from BPS again",
                    row=i,
                )
            level = "kota" if name.lower().startswith("kota ") else "kabupaten"
            records.append((province, name, level, value, i))
    return records


def _resolve_split_provinces(df: pd.DataFrame) -> pd.DataFrame:
    local = df[df["level"].isin(["kabupaten", "kota"])]
    dup_names = local.loc[local.duplicated("region", keep=False), "region"].unique()
    if len(dup_names) == 0:
        return df.drop(columns="_line")
    drop = []
    for name in dup_names:
        rows = local[local["region"] == name]
        new = rows[rows["province"].isin(list(NEW_PROVINCES))]
        old = rows[~rows["province"].isin(list(NEW_PROVINCES))]
        parents = {NEW_PROVINCES[p] for p in new["province"]}
        if len(new) != 1 or len(old) != 1 or old["province"].iloc[0] not in parents:
            lines = ", ".join(str(x) for x in rows["_line"])
            raise DataValidationError(
                f"kabupaten/kota {name!r} is listed more than once",
                [
                    Problem(
                        file="BPS export",
                        message=f"{name!r} appears on lines {lines} "
                        "under provinces that are not a known split",
                        rule="bps_duplicate",
                        hint="report this layout; the toolkit knows the Papua splits only",
                    )
                ],
            )
        i_new, i_old = new.index[0], old.index[0]
        if np.isnan(float(df.at[i_new, "value"])):  # type: ignore[arg-type]
            df.at[i_new, "value"] = df.at[i_old, "value"]  # type: ignore[assignment]
        drop.append(i_old)
    return df.drop(index=drop).drop(columns="_line")


def _slug(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "indicator"


def read_bps_folder(folder: str | os.PathLike, *, pattern: str = "*.csv") -> pd.DataFrame:
    """Read every BPS web-table export in ``folder`` into one tidy table.

    Raises :class:`DataValidationError` when two files hold the same indicator and year,
    or when the files mix series (they must never be spliced).
    """
    folder = Path(folder)
    files = sorted(folder.glob(pattern))
    if not files:
        raise DataValidationError(
            f"{folder}: no BPS export found",
            [
                Problem(
                    file=str(folder.name),
                    message=f"no file matching {pattern!r}",
                    rule="missing_file",
                    hint="download the web-table exports into this folder",
                )
            ],
        )
    frames = [read_bps_webtable(f) for f in files]
    df = pd.concat(frames, ignore_index=True)
    dup = df.duplicated(["region", "level", "year", "indicator"], keep=False)
    if dup.any():
        years = sorted(df.loc[dup, "year"].unique().tolist())
        raise DataValidationError(
            f"{folder.name}: the same indicator and year appear in more than one file",
            [
                Problem(
                    file=folder.name,
                    message=f"years {years} appear twice",
                    rule="duplicate",
                    hint="keep one export per indicator and year in the folder",
                )
            ],
        )
    series = sorted(df["series"].unique())
    per_indicator = df.groupby("indicator")["series"].nunique()
    if (per_indicator > 1).any():
        raise DataValidationError(
            f"{folder.name}: files of different series for the same indicator",
            [
                Problem(
                    file=folder.name,
                    message=f"series {series} mixed",
                    rule="series_mix",
                    hint="BPS series must not be spliced: keep one series per folder",
                )
            ],
        )
    df = df.sort_values(["indicator", "year", "level", "province", "region"], ignore_index=True)
    df.attrs["series"] = series[0] if len(series) == 1 else series
    df.attrs["source"] = "BPS"
    return df


#: Series of the indicators in the provincial long table, by indicator and year.
def _provinsi_series(indicator: str, year: int) -> str:
    if indicator == "ipm":
        return "metode_lama" if year <= 2012 else "metode_baru"
    return "bps"


def read_bps_provinsi(path: str | os.PathLike) -> pd.DataFrame:
    """Read the long provincial table ``provinsi,tahun,nilai,indikator`` into a tidy table.

    IPM values for 2010-2012 are old-method ("metode_lama") and later ones new-method
    ("metode_baru"): the ``series`` column says which, so the break at 2013 is never
    bridged silently. ``df.attrs["notes"]`` records the break and that the last year is
    provisional.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype={"provinsi": "str", "indikator": "str"}, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataValidationError(
            f"{path.name}: cannot be read",
            [
                Problem(
                    file=path.name,
                    message=f"not a readable CSV ({type(exc).__name__})",
                    rule="unreadable_file",
                    hint="check the path and that it is UTF-8 CSV",
                )
            ],
        ) from None
    expected = {"provinsi", "tahun", "nilai", "indikator"}
    if not expected <= set(raw.columns):
        raise DataValidationError(
            f"{path.name}: unexpected columns",
            [
                Problem(
                    file=path.name,
                    message=f"expecting columns {sorted(expected)}; got {list(raw.columns)}",
                    rule="missing_column",
                    hint="use the long layout",
                )
            ],
        )
    province = raw["provinsi"].astype("str").map(canonical_province)
    national = province == "INDONESIA"
    df = pd.DataFrame(
        {
            "province": province.where(~national, "INDONESIA"),
            "region": province,
            "level": np.where(national, "nasional", "provinsi"),
            "year": raw["tahun"].astype("int64"),
            "indicator": raw["indikator"].astype("str").str.strip(),
            "value": pd.to_numeric(raw["nilai"], errors="coerce").astype("float64"),
        }
    )
    df["series"] = [
        _provinsi_series(i, y) for i, y in zip(df["indicator"], df["year"], strict=True)
    ]
    last = int(df["year"].max())
    df.attrs["notes"] = [
        "ipm 2010-2012 is the old method (series 'metode_lama'); from 2013 the new method: "
        "do not compare across the break",
        f"{last} values are provisional and mix reference months",
    ]
    df.attrs["source"] = "BPS"
    return df.sort_values(["indicator", "year", "region"], ignore_index=True)


def bps_to_regional_table(
    tidy: pd.DataFrame,
    *,
    province: str | None = None,
    indicator_name: str = "ipm",
    levels: tuple[str, ...] = ("kabupaten", "kota"),
) -> pd.DataFrame:
    """Turn a tidy BPS table into a study's ``regional`` table.

    Parameters
    ----------
    tidy : DataFrame
        Output of :func:`read_bps_webtable`, :func:`read_bps_folder` or
        :func:`read_bps_provinsi`.
    province : str, optional
        Keep the regions of one province (any BPS spelling, e.g. ``"JAWA TENGAH"``).
    indicator_name : str
        Which indicator to keep; also the name of the value column.
    levels : tuple of str
        Which levels to keep (default: kabupaten and kota).

    Returns
    -------
    DataFrame
        Columns ``unit_id`` (:func:`region_code`), ``unit_name``, ``year``,
        ``<indicator_name>``, ``series``; ``attrs["series"]`` records the series.

    Examples
    --------
    >>> tidy = pd.DataFrame({"province": ["JAWA TENGAH"] * 2, "region": ["Kota Semarang",
    ...     "Semarang"], "level": ["kota", "kabupaten"], "year": [2024, 2024],
    ...     "indicator": ["ipm", "ipm"], "value": [85.25, 75.67],
    ...     "series": ["metode_baru_sp2010"] * 2})
    >>> bps_to_regional_table(tidy)[["unit_id", "ipm"]].values.tolist()
    [['kab_semarang', 75.67], ['kota_semarang', 85.25]]
    """
    df = _select_regions(tidy, province, indicator_name, levels)
    series = sorted(df["series"].unique())
    out = pd.DataFrame(
        {
            "unit_id": [
                region_code(r, lv) for r, lv in zip(df["region"], df["level"], strict=True)
            ],
            "unit_name": df["region"].to_numpy(),
            "year": df["year"].astype("int64").to_numpy(),
            indicator_name: df["value"].astype("float64").to_numpy(),
            "series": df["series"].to_numpy(),
        }
    )
    if out.duplicated(["unit_id", "year"]).any():
        raise DataValidationError(
            "two regions map to the same code",
            [
                Problem(
                    file="BPS table",
                    message="duplicated unit_id and year",
                    rule="duplicate",
                    hint="select one province",
                )
            ],
        )
    out = out.sort_values(["unit_id", "year"], ignore_index=True)
    out.attrs["series"] = series[0]
    out.attrs["source"] = "BPS"
    return out


def _select_regions(
    tidy: pd.DataFrame, province: str | None, indicator_name: str, levels: tuple[str, ...]
) -> pd.DataFrame:
    """The rows of one indicator, province and levels; refused when empty or mixing series."""
    df = tidy[(tidy["indicator"] == indicator_name) & tidy["level"].isin(levels)]
    if province is not None:
        df = df[df["province"] == canonical_province(province)]
    if df.empty:
        raise DataValidationError(
            "no BPS rows left to build the regional table",
            [
                Problem(
                    file="BPS table",
                    message=f"no rows for indicator {indicator_name!r}"
                    + (f" in province {province!r}" if province else "")
                    + f" at levels {list(levels)}",
                    rule="empty_selection",
                    hint=f"indicators present: {sorted(tidy['indicator'].unique())}",
                )
            ],
        )
    if df["series"].nunique() > 1:
        raise DataValidationError(
            "the selection mixes BPS series",
            [
                Problem(
                    file="BPS table",
                    message=f"series {sorted(df['series'].unique())} in one indicator",
                    rule="series_mix",
                    hint="select years of a single series",
                )
            ],
        )
    return df
