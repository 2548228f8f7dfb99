"""A method as a relational plan: named steps of plain SQL over named relations.

Methods (`methods/`) build plans; execution backends (`backend.py`) run them.
A plan refers only to the relations below, and its SQL keeps to what DuckDB and
Spark SQL both understand (CASE, GREATEST/LEAST, window RANK/ROW_NUMBER,
`max_by`/`min_by`, FILTER-free conditional aggregates), so the same methodology
code can later run on a distributed engine.

Input relations every backend provides:

- `observations(unit, indicator, year, value)`: checked, typed; value may be NULL.
- `units(unit, group_name)`.
- `unit_flags(unit, flag, is_set)`: the boolean units columns, long format.
- `indicators(...)`: `Framework.to_arrow()`.
- `scoring_years(as_of)`: the years to score; each unit and indicator takes its
  latest value at or before `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """`name` becomes a relation holding the result of `sql`."""

    name: str
    sql: str


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    # Step names whose relations are the plan's results, in output order.
    outputs: tuple[str, ...]
    description: str = ""
    notes: dict[str, str] = field(default_factory=dict)
