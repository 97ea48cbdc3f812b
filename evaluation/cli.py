"""The ``evaluation`` command (also ``python -m evaluation``).

Each subcommand lives in :mod:`evaluation.commands` as a small module with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; this file only wires them up, so
adding a command means adding a module and one line in ``COMMANDS``.

Exit codes: 0 success, 1 a run or data problem (the message says what and where),
2 usage (an option or parameter that is not allowed; the message says what is). No
traceback reaches the console (``EVALUATION_DEBUG=1`` shows it for an operating-system
error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ._io import is_disk_full
from .commands import console_lang, say_help
from .errors import EvaluationError, ParameterError
from .i18n import Formatter

#: subcommand -> module in evaluation.commands
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "demo-data": "demo_data",
    "ikm": "ikm",
    "brief": "brief",
    "batch": "batch",
    "params": "params",
    "check-reproducible": "check_reproducible",
    "scenario": "scenario",
}

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evaluation", description=say_help("description"))
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
    prefix = f"{parser.prog} {args.command}: "
    try:
        return int(args._run(args) or 0)
    except ParameterError as exc:
        print(prefix + str(exc), file=sys.stderr)
        return EXIT_USAGE
    except EvaluationError as exc:
        print(prefix + str(exc), file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print(prefix + Formatter(console_lang(args)).msg("cli.console.interrupted"),
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        print(prefix + os_error_text(exc, console_lang(args)), file=sys.stderr)
        if os.environ.get("EVALUATION_DEBUG"):
            raise
        return EXIT_PROBLEM


def os_error_text(exc: OSError, lang: str) -> str:
    """What an operating-system error means for the user: what and where, no traceback."""
    f = Formatter(lang)  # type: ignore[arg-type]
    path = exc.filename or ""
    if is_disk_full(exc):
        return f.msg("cli.console.disk_full", path=path or "?")
    return f.msg("cli.console.os_error", reason=exc.strerror or type(exc).__name__,
                 path=path or "?")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
