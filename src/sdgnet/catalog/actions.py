"""Every write to the catalog goes through here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from sdgnet.catalog.models import (
    Framework,
    FrameworkIndicator,
    Goal,
    Indicator,
    SdgIndicator,
    Target,
)
from sdgnet.web.csvfiles import optional_float, optional_int, read_csv_dicts


class FrameworkFileError(ValueError):
    """A framework file that cannot be loaded; the message names the file and row."""


def _natural_key(code: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (999, part) for part in code.split("."))


@transaction.atomic
def do_load_catalog(directory: Path) -> dict[str, int]:
    """Insert or update goals, targets and UN indicators from the default data files."""
    goals = [
        Goal(
            number=int(row["number"]),
            short_nb=row["short_nb"],
            short_en=row["short_en"],
            title_nb=row["title_nb"],
            title_en=row["title_en"],
            colour=row["colour"],
        )
        for row in read_csv_dicts(directory / "goals.csv")
    ]
    Goal.objects.bulk_create(
        goals,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["short_nb", "short_en", "title_nb", "title_en", "colour"],
    )
    target_rows = sorted(
        read_csv_dicts(directory / "targets.csv"), key=lambda r: _natural_key(r["code"])
    )
    targets = [
        Target(
            code=row["code"],
            goal_id=int(row["goal"]),
            position=position,
            title_nb=row["title_nb"],
            title_en=row["title_en"],
        )
        for position, row in enumerate(target_rows)
    ]
    Target.objects.bulk_create(
        targets,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["goal", "position", "title_nb", "title_en"],
    )
    indicator_rows = sorted(
        read_csv_dicts(directory / "sdg_indicators.csv"), key=lambda r: _natural_key(r["code"])
    )
    indicators = [
        SdgIndicator(
            code=row["code"],
            target_id=row["target"],
            position=position,
            title_nb=row["title_nb"],
            title_en=row["title_en"],
            unsd_code=row.get("unsd_code", ""),
        )
        for position, row in enumerate(indicator_rows)
    ]
    SdgIndicator.objects.bulk_create(
        indicators,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["target", "position", "title_nb", "title_en", "unsd_code"],
    )
    return {"goals": len(goals), "targets": len(targets), "sdg_indicators": len(indicators)}


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    indicators: int
    stats_files: dict[str, str]  # indicator key -> stats file stem, where the framework names one


_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _goal_list(text: str) -> list[int]:
    return [int(part) for part in re.split(r"[;,\s]+", text.strip()) if part]


@transaction.atomic
def do_load_framework(
    csv_path: Path, meta_path: Path, *, is_default: bool = False
) -> LoadedFramework:
    """Insert or update a framework and its indicators from a framework CSV and its JSON.

    Every row is checked before anything is written; problems are reported together.
    """
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    rows = list(read_csv_dicts(csv_path))
    known_goals = set(Goal.objects.values_list("number", flat=True))
    known_targets = set(Target.objects.values_list("code", flat=True))
    problems: list[str] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        key = row["indicator"].strip()
        if not _SLUG.match(key):
            problems.append(f"{csv_path.name} line {line}: indicator id {key!r} is not a slug")
        if key in seen:
            problems.append(f"{csv_path.name} line {line}: indicator {key!r} appears twice")
        seen.add(key)
        goals = _goal_list(row.get("goal") or row.get("goals") or "")
        for goal in goals:
            if goal not in known_goals:
                problems.append(f"{csv_path.name} line {line}: unknown goal {goal}")
        for code in filter(None, (row.get("targets") or "").split(";")):
            if code.strip() not in known_targets:
                problems.append(f"{csv_path.name} line {line}: unknown SDG target {code!r}")
        best, worst = optional_float(row.get("best")), optional_float(row.get("worst"))
        if best is not None and best == worst:
            problems.append(f"{csv_path.name} line {line}: best equals worst ({best})")
    if problems:
        raise FrameworkFileError("\n".join(problems))

    framework, _ = Framework.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "name_nb": meta["name_nb"],
            "name_en": meta["name_en"],
            "version": str(meta.get("version", "")),
            "description_nb": meta.get("description_nb", ""),
            "description_en": meta.get("description_en", ""),
            "is_default": is_default,
            "scored": any(row.get("best") for row in rows),
        },
    )
    stats_files: dict[str, str] = {}
    keep: list[str] = []
    for position, row in enumerate(rows):
        key = row["indicator"].strip()
        keep.append(key)
        if row.get("stats_file"):
            stats_files[key] = row["stats_file"].strip()
        indicator, _ = Indicator.objects.update_or_create(
            key=key,
            defaults={
                "name_nb": row.get("name_nb") or row.get("name_en", ""),
                "name_en": row.get("name_en") or row.get("name_nb", ""),
                "definition_nb": row.get("definition_nb", ""),
                "definition_en": row.get("definition_en", ""),
                "unit": row.get("unit", ""),
                "measure": row.get("measure") or Indicator.Measure.RATE,
                "source": row.get("source", ""),
                "source_url": row.get("source_url", ""),
            },
        )
        goals = _goal_list(row.get("goal") or row.get("goals") or "")
        direction = (row.get("direction") or "").strip()
        best, worst = optional_float(row.get("best")), optional_float(row.get("worst"))
        if not direction:
            direction = (
                FrameworkIndicator.Direction.CONTEXT
                if best is None or worst is None
                else FrameworkIndicator.Direction.INCREASE
                if best > worst
                else FrameworkIndicator.Direction.DECREASE
            )
        entry, _ = FrameworkIndicator.objects.update_or_create(
            framework=framework,
            indicator=indicator,
            defaults={
                "position": position,
                "goal_id": goals[0] if goals else None,
                "direction": direction,
                "best": best,
                "worst": worst,
                "green": optional_float(row.get("green")),
                "red": optional_float(row.get("red")),
                "target_value": optional_float(row.get("target_value")),
                "target_year": optional_int(row.get("target_year")),
                "weight": optional_float(row.get("weight")) or 1.0,
                "in_index": (row.get("index") or "yes").strip().lower() in {"yes", "true", "1"},
                "dimension": row.get("dimension", ""),
                "sub_dimension": row.get("sub_dimension", ""),
                "category": row.get("category", ""),
                "tier": row.get("tier", ""),
            },
        )
        entry.goals.set(goals)
        codes = [code.strip() for code in (row.get("targets") or "").split(";") if code.strip()]
        entry.targets.set(Target.objects.filter(code__in=codes))
    framework.entries.exclude(indicator_id__in=keep).delete()
    return LoadedFramework(framework=framework, indicators=len(rows), stats_files=stats_files)
