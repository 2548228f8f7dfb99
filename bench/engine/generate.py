"""Synthetic benchmark data for the scoring engine, in the engine's open formats.

Sizes (units × indicators × years): S = 357 × 100 × 20, M = 10,000 × 150 × 20,
L = 100,000 × 200 × 30. Distributions, all seeded (numpy PCG64, seed 2030):

- indicators: goals cycle 1..17; every other indicator is lower-is-better;
  `worst`/`best` = 0/100 scaled by a per-indicator factor drawn log-uniform in
  [0.1, 1000]; thresholds `red` at 40% and `green` at 75% of the way from worst
  to best; every 10th indicator has `index = no`; every 7th applies only to units
  with `coastal = 1` and every 11th only to units with `coastal = 0` (`!coastal`).
- units: `U000001`...; 20 groups (`G01`..`G20`) uniform; `coastal` ~ Bernoulli(0.4).
- values: per (unit, indicator) a level ~ Normal(55, 25) and a yearly drift
  ~ Normal(0.8, 1.5) on the 0–100 scale, plus Normal(0, 3) noise per year,
  mapped onto [worst, best] of the indicator (so values fall outside the bounds
  about 3% of the time and get clipped); 10% of the rows have an empty value
  (missing at random). Years run up to 2024. Rows are sorted by unit, indicator,
  year; every (unit, indicator, year) has a row (observations for indicators that
  do not apply to a unit are included, as real exports have them).

Usage: python bench/engine/generate.py {S,M,L} [--out bench/out] [--csv]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SIZES = {"S": (357, 100, 20), "M": (10_000, 150, 20), "L": (100_000, 200, 30)}
LAST_YEAR = 2024
SEED = 2030
MISSING_SHARE = 0.10


def write_framework(path: Path, n_indicators: int, rng: np.random.Generator) -> np.ndarray:
    scale = np.exp(rng.uniform(np.log(0.1), np.log(1000.0), n_indicators))
    rows = []
    for i in range(n_indicators):
        higher = i % 2 == 0
        low, high = 0.0, 100.0 * scale[i]
        best, worst = (high, low) if higher else (low, high)
        red = worst + 0.40 * (best - worst)
        green = worst + 0.75 * (best - worst)
        scope = "coastal" if i % 7 == 3 else "!coastal" if i % 11 == 5 else ""
        rows.append(
            {
                "indicator": f"I{i + 1:03d}",
                "goal": i % 17 + 1,
                "name": f"Indicator {i + 1}",
                "best": f"{best:.6g}",
                "worst": f"{worst:.6g}",
                "green": f"{green:.6g}",
                "red": f"{red:.6g}",
                "weight": 1,
                "index": "no" if i % 10 == 9 else "yes",
                "scope": scope,
            }
        )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return scale


def write_units(path: Path, n_units: int, rng: np.random.Generator) -> None:
    coastal = rng.random(n_units) < 0.4
    groups = rng.integers(1, 21, n_units)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "name", "group", "coastal"])
        for u in range(n_units):
            writer.writerow(
                [f"U{u + 1:06d}", f"Unit {u + 1}", f"G{groups[u]:02d}", int(coastal[u])]
            )


def observation_chunks(
    n_units: int, n_indicators: int, n_years: int, scale: np.ndarray, rng: np.random.Generator
):
    years = np.arange(LAST_YEAR - n_years + 1, LAST_YEAR + 1, dtype=np.int32)
    indicator_names = pa.array([f"I{i + 1:03d}" for i in range(n_indicators)])
    higher = (np.arange(n_indicators) % 2 == 0)[None, :, None]
    chunk_units = max(1, 6_000_000 // (n_indicators * n_years))
    for start in range(0, n_units, chunk_units):
        stop = min(n_units, start + chunk_units)
        n = stop - start
        level = rng.normal(55.0, 25.0, (n, n_indicators, 1))
        drift = rng.normal(0.8, 1.5, (n, n_indicators, 1))
        noise = rng.normal(0.0, 3.0, (n, n_indicators, n_years))
        step = (years - years[0])[None, None, :]
        score = level + drift * (step - (n_years - 1)) + noise  # level is the latest year's
        share = np.where(higher, score, 100.0 - score) / 100.0
        values = (share * 100.0 * scale[None, :, None]).ravel()
        missing = rng.random(values.size) < MISSING_SHARE
        unit_names = pa.array([f"U{u + 1:06d}" for u in range(start, stop)])
        unit_index = np.repeat(np.arange(n, dtype=np.int32), n_indicators * n_years)
        indicator_index = np.tile(np.repeat(np.arange(n_indicators, dtype=np.int32), n_years), n)
        yield pa.table(
            {
                "unit": pa.DictionaryArray.from_arrays(unit_index, unit_names),
                "indicator": pa.DictionaryArray.from_arrays(indicator_index, indicator_names),
                "year": pa.array(np.tile(years, n * n_indicators)),
                "value": pa.array(np.round(values, 4), mask=missing),
            }
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--csv", action="store_true", help="also write observations.csv")
    args = parser.parse_args(argv)
    n_units, n_indicators, n_years = SIZES[args.size]
    folder = args.out / args.size
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    scale = write_framework(folder / "framework.csv", n_indicators, rng)
    write_units(folder / "units.csv", n_units, rng)
    parquet_path = folder / "observations.parquet"
    partial = parquet_path.with_suffix(".parquet.partial")
    writer = None
    try:
        for chunk in observation_chunks(n_units, n_indicators, n_years, scale, rng):
            if writer is None:
                writer = pq.ParquetWriter(partial, chunk.schema, compression="zstd")
            writer.write_table(chunk, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()
    partial.replace(parquet_path)
    if args.csv:
        table = pq.read_table(parquet_path)
        pacsv.write_csv(
            table.cast(
                pa.schema(
                    [
                        ("unit", pa.string()),
                        ("indicator", pa.string()),
                        ("year", pa.int32()),
                        ("value", pa.float64()),
                    ]
                )
            ),
            folder / "observations.csv",
        )
    print(f"wrote {folder} ({n_units * n_indicators * n_years:,} observations)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
