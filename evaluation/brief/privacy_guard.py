"""The last check before anything of the brief is written: nothing NIP-shaped gets out."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..errors import PrivacyError
from ..privacy import NIP_PATTERN  # an NIP: 18 digits, solid or grouped 8-6-1-3

_DATA_URI = re.compile(r"data:[^\"')\s]+")


def find_nips(text: str) -> list[str]:
    """Every NIP-shaped number in ``text`` (embedded data URIs are skipped).

    >>> find_nips("NIP 198501012010011001 dan 19850101 201001 1 001; hash 0123abcd")
    ['198501012010011001', '19850101 201001 1 001']
    """
    return NIP_PATTERN.findall(_DATA_URI.sub("", text))


def guard(text: str, where: str) -> str:
    found = find_nips(text)
    if found:
        raise PrivacyError(
            f"{where}: {len(found)} number(s) shaped like an NIP (18 digits) would be written. "
            "Personal identifiers must not reach the brief: check that the results were "
            "built from pseudonymised data and that no unit or label carries an NIP."
        )
    return text


def guard_results(results: Mapping) -> None:
    """Refuse results that carry anything NIP-shaped, wherever it would have gone."""
    guard(json.dumps(results, default=str, ensure_ascii=False), "results")


__all__ = ["NIP_PATTERN", "find_nips", "guard", "guard_results"]
