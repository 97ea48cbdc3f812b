"""Every word a user sees, in one catalogue per language, and locale-aware formatting.

The catalogue of a language is the union of the YAML files in
``evaluation/messages/<lang>/``: ``core.yaml`` (Babel locale, number formats and the labels
every stage shares, such as the IKM categories), ``brief.yaml`` (the leadership brief) and
one file per other area that speaks to users. A top-level key belongs to exactly one file,
and a key may appear only once in a file: :func:`catalogue` refuses a catalogue that
defines a label twice, and the tests check that both languages have the same keys.

:class:`Formatter` formats numbers, shares, rupiah and dates with Babel for one language,
and fills catalogue messages (``f.msg("headings.found")``).

>>> Formatter("id").msg("ikm_labels.C"), Formatter("en").msg("ikm_labels.C")
('Kurang Baik', 'Poor')
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from ._options import Language, check_option
from .errors import EvaluationError

MESSAGES = Path(__file__).parent / "messages"


class CatalogueError(EvaluationError):
    """The message catalogue itself is broken (a key defined twice, a file unreadable)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""


def _unique_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogueError(
                f"{node.start_mark.name}, line {key_node.start_mark.line + 1}: the key {key!r} "
                "is defined twice; keep one definition."
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping
)


def catalogue_files(lang: Language) -> list[Path]:
    """The YAML files that make up the catalogue of ``lang``, in a fixed order."""
    return sorted((MESSAGES / lang).glob("*.yaml"))


@functools.cache
def catalogue(lang: Language = "id") -> dict[str, Any]:
    """The message catalogue of ``lang``: every file of ``messages/<lang>/`` merged (cached).

    >>> catalogue("en")["headings"]["found"]
    'What we found'
    """
    check_option("lang", lang, Language)
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for path in catalogue_files(lang):
        with path.open(encoding="utf-8") as fh:
            part = yaml.load(fh, Loader=_UniqueKeyLoader) or {}  # noqa: S506 - safe loader subclass
        for key, value in part.items():
            if key in merged:
                raise CatalogueError(
                    f"messages/{lang}: the key {key!r} is defined in both {owner[key]} and "
                    f"{path.name}; keep it in one file."
                )
            merged[key] = value
            owner[key] = path.name
    return merged


def key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted key path to a leaf of a catalogue (for comparing languages)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from key_paths(value, f"{prefix}{key}." if prefix or key else str(key))
    else:
        yield prefix.rstrip(".")


def lookup(cat: Mapping[str, Any], dotted: str) -> Any:
    """The catalogue entry at ``dotted`` (``"headings.found"``)."""
    node: Any = cat
    for part in dotted.split("."):
        node = node[part]
    return node


def tidy_text(text: str) -> str:
    """Collapse the whitespace that folded YAML and empty placeholders leave behind."""
    text = " ".join(text.split())
    for before, after in ((" )", ")"), ("( ", "("), (" ,", ","), (" .", "."), (" ;", ";"),
                          (" :", ":")):
        text = text.replace(before, after)
    return text


def is_finite(x: Any) -> TypeGuard[float]:
    """A real, finite number (not a bool, not NaN or infinity)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting of numbers, shares, rupiah and dates for one language.

    >>> f = Formatter("id")
    >>> f.number(1234.5), f.rupiah(1250000), f.date(_dt.date(2026, 11, 28))
    ('1.234,5', 'Rp1.250.000', '28 November 2026')
    >>> g = Formatter("en")
    >>> g.number(1234.5), g.rupiah(1250000), g.date(_dt.date(2026, 11, 28))
    ('1,234.5', 'IDR\\xa01,250,000', '28 November 2026')
    """

    lang: Language = "id"

    @property
    def cat(self) -> dict[str, Any]:
        return catalogue(self.lang)

    @property
    def locale(self) -> str:
        return str(self.cat["locale"])

    def msg(self, key: str, **values: Any) -> str:
        """The catalogue text at ``key`` with ``values`` filled in, whitespace tidied."""
        return tidy_text(str(lookup(self.cat, key)).format(**values))

    def na(self) -> str:
        return str(self.cat["not_available"])

    def number(self, x: Any, digits: int = 1) -> str:
        if not is_finite(x):
            return self.na()
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        text = str(format_decimal(x, format=pattern, locale=self.locale))
        # "-0,0" reads as a sign where there is none.
        return text.lstrip("-") if set(text) <= set("-0.,") else text

    def integer(self, x: Any) -> str:
        return self.number(x, 0)

    def share(self, x: Any) -> str:
        """A share between 0 and 1 as a percentage (``0.643`` -> ``64%``)."""
        if not is_finite(x):
            return self.na()
        return str(format_percent(x, format=self.cat["formats"]["percent"], locale=self.locale))

    def rupiah(self, x: Any) -> str:
        if not is_finite(x):
            return self.na()
        return str(format_currency(round(x), "IDR", format=self.cat["formats"]["currency"],
                                   currency_digits=False, locale=self.locale))

    def date(self, d: _dt.date) -> str:
        return str(format_date(d, format=self.cat["formats"]["date"], locale=self.locale))

    def p_value(self, p: Any) -> str:
        if not is_finite(p):
            return self.na()
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3 if p < 0.01 else 2)

    def ci(self, low: Any, high: Any, digits: int = 1) -> str:
        return self.msg("ci", low=self.number(low, digits), high=self.number(high, digits))

    def suppressed(self, k: int) -> str:
        return self.msg("suppressed", k=k)


def digits_for(*values: Any) -> int:
    """Decimals for an estimate and its interval: 2 when every value is below 1 in size."""
    finite = [abs(v) for v in values if is_finite(v)]
    return 2 if finite and max(finite) < 1 else 1


def ikm_label(category: str, lang: Language = "id") -> str:
    """The printed name of an IKM category (``"B"`` -> ``"Baik"`` / ``"Good"``)."""
    return str(catalogue(lang)["ikm_labels"][category])
