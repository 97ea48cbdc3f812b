"""The ``evaluation`` command (also ``python -m evaluation``).

Each subcommand lives in :mod:`evaluation.commands` as a small module with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; this file only wires them up, so
adding a command means adding a module and one line in ``COMMANDS``.

Exit codes: 0 success, 1 a run or data problem (the message says what and where),
2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import EvaluationError

#: subcommand -> module in evaluation.commands
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "demo-data": "demo_data",
    "ikm": "ikm",
    "brief": "brief",
    "batch": "batch",
    "params": "params",
    "check-reproducible": "check_reproducible",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluation",
        description="ASN competency-investment evaluation toolkit (Kota Semarang).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"evaluation.commands.{module_name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on usage errors
    try:
        return int(args._run(args) or 0)
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: outputs written so far are complete; re-run with --resume", file=sys.stderr)
        return 130
    except OSError as exc:
        # disk full, permission denied, ...: say what and where, without a traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        if os.environ.get("EVALUATION_DEBUG"):
            raise
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
