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
    p.add_argument(
        "--scale",
        type=int,
        default=1,
        metavar="K",
        help="write the demo city K times (new unit codes and NIPs, the same truths), for "
        "benchmarks and scale tests (default: 1, the demo itself)",
    )
    p.add_argument(
        "--layout",
        choices=("file", "partitioned"),
        default="file",
        help="with --scale: one Parquet file per table (default), or training and SKM as "
        "folders of Parquet files by year (the layout for national-scale studies)",
    )


def run(args: argparse.Namespace) -> int:
    from ..errors import ParameterError

    if args.seed < 0:
        raise ParameterError(f"--seed: expecting a non-negative integer. Got {args.seed}.")
    start = time.perf_counter()
    if args.scale == 1 and args.layout == "file":
        from ..demo.writer import generate

        written = generate(Path(args.out), seed=args.seed)
    else:
        from ..demo.scale import generate_scaled

        written = generate_scaled(Path(args.out), scale=args.scale, seed=args.seed,
                                  layout=args.layout)
    size = sum(p.stat().st_size for p in written)
    scale = f", {args.scale} times" if args.scale != 1 else ""
    print(
        f"SYNTHETIC demo study written to {args.out} (seed {args.seed}{scale}): "
        f"{len(written)} files, {size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s"
    )
    return 0
