"""A method as a relational plan: named steps of plain SQL over named relations.

Methods (`methods/`) build plans; execution backends (`backend.py`) run them.
A plan refers only to the relations below, and its SQL keeps mostly to what DuckDB
and Spark SQL both understand (CASE, GREATEST/LEAST, window RANK/ROW_NUMBER,
`max_by`/`min_by`, aggregate FILTER clauses, `bit_or`, `bit_count`), so the same
methodology code can later run on a distributed engine. DuckDB-specific, each with a
Spark spelling: the unsigned 64-bit year mask (a BIGINT and `shiftleft`), `xor` (`^`),
and the top-n aggregates `max_by(x, key, n)`/`min_by(x, key, n)` with 1-based list
indexing (`slice(array_sort(collect_list(struct(key, x)), ...), 1, n)`, `element_at`).

Input relations every backend provides:

- `observations(unit, indicator, year, value)`: checked, typed; value may be NULL.
- `units(unit, group_name)`.
- `unit_flags(unit, flag, is_set)`: the boolean units columns, long format.
- `indicators(...)`: `Framework.to_columns()`.
- `scoring_years(as_of)`: the years to score; each unit and indicator takes its
  latest value at or before `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """`name` becomes a relation holding the result of `sql`.

    A step with `skip_unless` runs only where that query answers true (it saves
    a scan that is rarely needed); otherwise its relation is `empty_like` with
    no rows, so later steps can still refer to it.
    """

    name: str
    sql: str
    skip_unless: str | None = None
    empty_like: str | None = None
    # False: a view, for a relation read once by a later step (no copy is made).
    materialize: bool = True


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    # Step names whose relations are the plan's results, in output order.
    outputs: tuple[str, ...]
    description: str = ""
    # After this step the backend checks the observations: the step's relation has a
    # row per observed (unit, indicator) and a column `flawed` (`pair_flawed`).
    check_after: str | None = None


# What can be wrong with an observed pair, in the order the backend reports it.
PAIR_PROBLEMS = ("key", "unit", "indicator", "duplicate")


def pair_problem(pair: str, unit_code: str, indicator_code: str) -> str:
    """The first problem of the observed pair `pair` (unit, indicator, n_rows, n_dated:
    rows with a year, n_years: distinct years) as its 1-based place in PAIR_PROBLEMS, NULL
    for none: a missing key, an id not in units or indicators (`unit_code` /
    `indicator_code` NULL), a year given twice."""
    return (
        f"CASE WHEN {pair}.unit IS NULL OR {pair}.indicator IS NULL"
        f" OR {pair}.n_dated < {pair}.n_rows THEN 1"
        f" WHEN {unit_code} IS NULL THEN 2 WHEN {indicator_code} IS NULL THEN 3"
        f" WHEN {pair}.n_rows > {pair}.n_years THEN 4 END"
    )


def pair_flawed(pair: str, unit_code: str, indicator_code: str) -> str:
    """Whether the pair has any `pair_problem`; the backend then finds and reports the
    first one (`DuckDBBackend.check_observations`)."""
    return f"(({pair_problem(pair, unit_code, indicator_code)}) IS NOT NULL)"


def years_seen(first_year: int, last_year: int) -> str:
    """Distinct years in a group: one bit per year while the span fits in 64 bits
    (a hash-free aggregate, far cheaper than COUNT(DISTINCT))."""
    if last_year - first_year < 64:
        return f"bit_count(bit_or(CAST(1 AS UBIGINT) << CAST(year - {first_year} AS UBIGINT)))"
    return "count(DISTINCT year)"
