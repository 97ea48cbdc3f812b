"""The sections of ``results.json`` that are added by a module each: the one extension point.

How to add a section
--------------------
1. Write ``evaluation/brief/sections/<name>.py`` with one public function::

       from ..context import AnalysisContext
from . import scenario, sectors, training_types

       def build(ctx: AnalysisContext) -> dict[str, Any] | None:
           '''The ``<key>`` block of results.json (documented in docs/results-json.md).'''
           ...

   ``ctx`` (:class:`~evaluation.brief.context.AnalysisContext`) carries the study's settings,
   its validated tables, the full panel, the estimation window, the brief year's rows, the
   headline's row and result object (``None`` when the headline is not estimable this
   year), the seed and the minimum cell size. Return the block as plain numbers, strings,
   lists and dicts (it is made JSON-safe: NaN becomes ``null``), or ``None`` when the
   section does not apply to this study (then results.json holds ``null`` under its key).
   Say why in the block rather than returning ``None`` when a reader would want to know
   (e.g. ``{"available": false, "reason": "..."}``).
2. Register it: one line in :data:`SECTIONS` below, ``Section("<key>", <name>.build)``.
3. Test ``build`` directly on a context (``tests`` build one from the demo study), document
   the block in ``docs/results-json.md``, and give the brief its words through a tested rule
   in ``narrate`` (both languages).

A section that raises does not stop the run: the failure is recorded in
``results["notes"]`` (``"<key>: <error>"``), its key holds ``null``, and a
:class:`SectionFailedWarning` is emitted so that a test or a notebook sees it. Sections run
in the order listed, each on the same context, independently of one another.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import EvaluationError, EvaluationWarning
from ...estimate.results import json_safe
from ..context import AnalysisContext
from . import access, regional, scenario, sectors, training_types

#: What a section module provides.
SectionBuilder = Callable[[AnalysisContext], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Section:
    """One registered block of results.json: its key and the function that builds it."""

    key: str
    build: SectionBuilder


class SectionFailedWarning(EvaluationWarning):
    """A results.json section raised; the run went on and the section is ``null``."""


#: The registered sections, in the order they run. Add one line per new section module.
SECTIONS: tuple[Section, ...] = (
    Section("training_access", access.build),
    Section("regional_context", regional.build),
    Section("by_training_type", training_types.build),
    Section("scenario", scenario.build),
    Section("by_sector", sectors.build),
)


def build_sections(
    ctx: AnalysisContext,
    notes: list[str],
    sections: Sequence[Section] | None = None,
) -> dict[str, Any]:
    """Build every registered section for ``ctx``; a failing one becomes a note.

    Parameters
    ----------
    ctx
        The analysis context of this study and year.
    notes
        The run's notes (``results["notes"]``): a failure is appended here.
    sections
        The sections to build (default: :data:`SECTIONS`).

    Returns
    -------
    dict
        ``{key: block or None}`` for every section, in registry order.

    Examples
    --------
    >>> build_sections(ctx, notes=[])  # doctest: +SKIP
    {'by_training_type': {...}, 'scenario': {...}}
    """
    out: dict[str, Any] = {}
    for section in SECTIONS if sections is None else sections:
        out[section.key] = _build_one(section, ctx, notes)
    return out


def _build_one(section: Section, ctx: AnalysisContext, notes: list[str]) -> Any:
    try:
        block = section.build(ctx)
    except EvaluationError as exc:
        # the data do not allow this section (too few units, no such table): a note
        notes.append(f"{section.key}: {exc}")
        return None
    except Exception as exc:  # a section's own bug must not cost the city its brief
        message = f"{section.key}: {type(exc).__name__}: {exc}"
        notes.append(message)
        warnings.warn(f"results.json section failed and is left empty: {message}",
                      SectionFailedWarning, stacklevel=2)
        return None
    if block is not None and not isinstance(block, Mapping):
        message = f"{section.key}: build returned {type(block).__name__}, expected a dict or None"
        notes.append(message)
        warnings.warn(message, SectionFailedWarning, stacklevel=2)
        return None
    return json_safe(dict(block)) if block is not None else None


__all__ = ["SECTIONS", "Section", "SectionBuilder", "SectionFailedWarning", "build_sections"]
