"""`evaluation demo-data`: (re)generate the synthetic demo study from its seed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

HELP = "write the SYNTHETIC Kota Semarang demo study (data, study.yaml, README, TRUTH) from a seed"
DEFAULT_OUT = "data/demo"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=int,
        default=2026,
        metavar="N",
        help="seed of the generator (default: 2026, the committed demo)",
    )
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder to write (default: {DEFAULT_OUT}); a folder holding a study not "
        "marked 'synthetic: true' is never overwritten",
    )


def run(args) -> int:
    from ..demo.writer import generate
    from ..errors import ParameterError

    if args.seed < 0:
        raise ParameterError(f"--seed: expecting a non-negative integer. Got {args.seed}.")
    start = time.perf_counter()
    written = generate(Path(args.out), seed=args.seed)
    size = sum(p.stat().st_size for p in written)
    print(
        f"SYNTHETIC demo study written to {args.out} (seed {args.seed}): {len(written)} files, "
        f"{size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s"
    )
    return 0
