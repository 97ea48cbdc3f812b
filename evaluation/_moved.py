"""Import paths from before the stage sub-packages, kept working for one release.

``evaluation.report`` is now ``evaluation.brief.report``, ``evaluation.results`` is
``evaluation.estimate.results``, and so on. Importing an old path gives the very same
module object as the new path (so patching either patches both) and a
``DeprecationWarning`` that names the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

#: old public module path -> where it lives now
MOVED: dict[str, str] = {
    "evaluation.bps": "evaluation.read.bps",
    "evaluation.schemas": "evaluation.validate.schemas",
    "evaluation.results": "evaluation.estimate.results",
    "evaluation.correlation": "evaluation.estimate.correlation",
    "evaluation.chain": "evaluation.estimate.chain",
    "evaluation.diagnostics": "evaluation.estimate.diagnostics",
    "evaluation.power": "evaluation.estimate.power",
    "evaluation.event_study": "evaluation.estimate.event_study",
    "evaluation.staggered": "evaluation.estimate.staggered",
    "evaluation.report": "evaluation.brief.report",
    "evaluation.narrate": "evaluation.brief.narrate",
    "evaluation.plot": "evaluation.brief.plot",
    "evaluation.explore": "evaluation.brief.explore",
    "evaluation.runner": "evaluation.batch.runner",
    "evaluation.manifest": "evaluation.batch.manifest",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves an old path to the module at its new path."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # a placeholder; exec_module swaps in the real module

    def exec_module(self, module: ModuleType) -> None:
        new = MOVED[module.__name__]
        warnings.warn(
            f"{module.__name__} has moved to {new}; import it from there "
            "(the old path goes away in the next release).",
            DeprecationWarning,
            stacklevel=2,
        )
        # the import system returns whatever sys.modules holds after exec_module
        sys.modules[module.__name__] = importlib.import_module(new)


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
