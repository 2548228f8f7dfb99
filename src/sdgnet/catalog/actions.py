"""Every write to the catalog goes through here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from sdgnet.accounts import audit
from sdgnet.catalog.models import (
    Framework,
    FrameworkIndicator,
    Goal,
    Indicator,
    SdgIndicator,
    Target,
)
from sdgnet.catalog.specs import entry_problems, year_message
from sdgnet.web.csvfiles import read_csv_dicts


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
# The framework file's columns for the entry's fields, where their names differ.
_COLUMNS = {"in_index": "index"}
_NUMBER_COLUMNS = ("best", "worst", "green", "red", "target_value", "target_year", "weight")


def _goal_list(text: str) -> list[int]:
    return [int(part) for part in re.split(r"[;,\s]+", text.strip()) if part]


def linked_goals(goals: list[int], primary: int | None, listed_primary: int | None) -> list[int]:
    """An entry's goals (`FrameworkIndicator.goals`) once its primary goal (`goal`) is
    `primary`: `goals` with `listed_primary`, the primary goal they were given with, in
    its place, so that the goal pages list the entry where its goal now is."""
    others = [goal for goal in goals if goal not in (listed_primary, primary)]
    return others if primary is None else [primary, *others]


def _entry_fields(row: dict[str, str], numbers: dict[str, float | None]) -> dict[str, Any]:
    """The entry's fields from a row of the framework file and its parsed numbers."""
    goals = _goal_list(row.get("goal") or row.get("goals") or "")
    best, worst = numbers["best"], numbers["worst"]
    direction = (row.get("direction") or "").strip()
    if not direction:
        direction = (
            FrameworkIndicator.Direction.CONTEXT
            if best is None or worst is None
            else FrameworkIndicator.Direction.INCREASE
            if best > worst
            else FrameworkIndicator.Direction.DECREASE
        )
    year = numbers["target_year"]
    weight = numbers["weight"]
    return {
        "goal_id": goals[0] if goals else None,
        "direction": direction,
        "best": best,
        "worst": worst,
        "green": numbers["green"],
        "red": numbers["red"],
        "target_value": numbers["target_value"],
        "target_year": None if year is None else int(year),
        # A blank weight is 1; a written 0 stays 0 (context indicators are given 0; a
        # scored one is refused with it, as the engine refuses it).
        "weight": 1.0 if weight is None else weight,
        "in_index": (row.get("index") or "yes").strip().lower() in {"yes", "true", "1"},
        "dimension": row.get("dimension", ""),
        "sub_dimension": row.get("sub_dimension", ""),
        "category": row.get("category", ""),
        "tier": row.get("tier", ""),
    }


def _row_numbers(row: dict[str, str], say: Callable[[str, str], None]) -> dict[str, float | None]:
    """The row's number cells (None where blank or not a number, which `say` reports)."""
    numbers: dict[str, float | None] = {}
    for column in _NUMBER_COLUMNS:
        text = (row.get(column) or "").strip()
        try:
            value = float(text) if text else None
        except ValueError:
            say(column, _("expected a number, found %(text)s") % {"text": repr(text)})
            value = None
        if column == "target_year" and value is not None and not float(value).is_integer():
            say(column, year_message(value))
            value = None
        numbers[column] = value
    return numbers


@transaction.atomic
def do_load_framework(
    csv_path: Path, meta_path: Path, *, is_default: bool = False
) -> LoadedFramework:
    """Insert or update a framework and its indicators from a framework CSV and its JSON.

    Every row is checked before anything is written, against the catalog and, for the
    indicators that are scored, the scoring engine's rules (`catalog.specs`); problems
    are reported together, in the active language. The scoring fields a network admin
    has changed on the platform (`edited_fields`) keep the admin's values: the file's
    values for them are left aside, and the rules are checked on the entry as it will be.
    """
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    rows = list(read_csv_dicts(csv_path))
    edited = {
        entry.indicator_id: entry
        for entry in FrameworkIndicator.objects.filter(framework_id=meta["slug"])
        if entry.edited_fields
    }
    known_goals = set(Goal.objects.values_list("number", flat=True))
    known_targets = set(Target.objects.values_list("code", flat=True))
    problems: list[str] = []
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):

        def say(column: str | None, problem: str, line: int = line) -> None:
            where = {"file": csv_path.name, "line": line, "problem": problem}
            problems.append(
                _("%(file)s line %(line)s: %(problem)s") % where
                if column is None
                else _("%(file)s line %(line)s, column %(column)s: %(problem)s")
                % {**where, "column": column}
            )

        key = row["indicator"].strip()
        if not _SLUG.match(key):
            say(
                "indicator",
                _("the indicator id %(key)s is not a slug (lower-case letters, digits, - and _)")
                % {"key": repr(key)},
            )
        if key in seen:
            say("indicator", _("the indicator %(key)s appears twice") % {"key": repr(key)})
        seen.add(key)
        goals = _goal_list(row.get("goal") or row.get("goals") or "")
        for goal in goals:
            if goal not in known_goals:
                say("goal", _("unknown goal %(goal)s") % {"goal": goal})
        for code in filter(None, (row.get("targets") or "").split(";")):
            if code.strip() not in known_targets:
                say("targets", _("unknown SDG target %(code)s") % {"code": repr(code)})
        fields.append(_entry_fields(row, _row_numbers(row, say)))
        kept = edited.get(key)
        kept_fields = set(kept.edited_fields) if kept else set()
        for field in kept_fields:
            attribute = "goal_id" if field == "goal" else field
            fields[-1][attribute] = getattr(kept, attribute)
        # The goal is checked against the catalog above.
        entry = FrameworkIndicator(indicator_id=key, **fields[-1])
        for field, messages in entry_problems(entry).items():
            if field != "goal":
                column = None if field == NON_FIELD_ERRORS else _COLUMNS.get(field, field)
                for message in messages:
                    # The rules may meet the admin's value on any field of the entry.
                    say(
                        column,
                        _("%(problem)s (a network admin set %(fields)s on the platform)")
                        % {
                            "problem": message,
                            "fields": ", ".join(
                                _COLUMNS.get(name, name) for name in sorted(kept_fields)
                            ),
                        }
                        if kept_fields
                        else message,
                    )
    if problems:
        raise FrameworkFileError("\n".join(problems))

    framework, _created = Framework.objects.update_or_create(
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
    for position, (row, entry_fields) in enumerate(zip(rows, fields, strict=True)):
        key = row["indicator"].strip()
        keep.append(key)
        if row.get("stats_file"):
            stats_files[key] = row["stats_file"].strip()
        indicator, _created = Indicator.objects.update_or_create(
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
        entry, _created = FrameworkIndicator.objects.update_or_create(
            framework=framework,
            indicator=indicator,
            defaults={"position": position, **entry_fields},
        )
        # The file's first goal is its primary one, which an admin may have changed.
        entry.goals.set(linked_goals(goals, entry.goal_id, goals[0] if goals else None))
        codes = [code.strip() for code in (row.get("targets") or "").split(";") if code.strip()]
        entry.targets.set(Target.objects.filter(code__in=codes))
    framework.entries.exclude(indicator_id__in=keep).delete()
    return LoadedFramework(framework=framework, indicators=len(rows), stats_files=stats_files)


# The fields of an entry that a network admin edits on the platform; the position and
# the U4SSC classification stay as the framework file has them.
ENTRY_FIELDS = (
    "goal",
    "direction",
    "best",
    "worst",
    "green",
    "red",
    "target_value",
    "target_year",
    "weight",
    "in_index",
)


@dataclass(frozen=True)
class EntryUpdate:
    entry: FrameworkIndicator
    changed: tuple[str, ...]  # the fields that changed; none: nothing was written
    rescored: bool  # the stored scores are recomputed once the write commits
    # Entries of scored frameworks that the engine refuses (saved before its rules were
    # checked): while any is left, a rescore would stop at it, so none is scheduled.
    unscorable: tuple[FrameworkIndicator, ...] = ()


def _entry_values(entry: FrameworkIndicator) -> dict[str, Any]:
    """The edited fields as the audit log keeps them (the goal by its number)."""
    return {
        field: entry.goal_id if field == "goal" else getattr(entry, field) for field in ENTRY_FIELDS
    }


def unscorable_entries() -> list[FrameworkIndicator]:
    """The entries of scored frameworks that the scoring engine refuses, in framework
    and position order: a rescore of their framework stops at the first of them."""
    entries = FrameworkIndicator.objects.filter(framework__scored=True).select_related(
        "framework", "indicator"
    )
    return [entry for entry in entries.order_by("framework", "position") if entry_problems(entry)]


def do_update_framework_entry(
    actor: Any, entry: FrameworkIndicator, changes: dict[str, Any]
) -> EntryUpdate:
    """Change a framework entry's scoring fields (`ENTRY_FIELDS`; the goal as a `Goal`
    or None) in one transaction with its audit event, or nothing: every problem is
    raised together as a ValidationError by field, the engine's rules (`entry_problems`,
    through the model's `clean()`) included. The framework is scored exactly while one
    of its entries is; when it is or was, its scores are recomputed on commit."""
    unknown = sorted(set(changes) - set(ENTRY_FIELDS))
    if unknown:
        raise ValueError(f"not an editable field of a framework entry: {', '.join(unknown)}")
    if not actor.has_perm("catalog.edit_framework", entry.framework):
        raise PermissionDenied
    from sdgnet.scores.actions import do_rescore_framework, schedule_rescore

    with transaction.atomic():
        # The framework's row first: edits of its entries take turns, so each sees the
        # others' when it decides whether the framework is still scored.
        framework = Framework.objects.select_for_update().get(pk=entry.framework_id)
        locked = FrameworkIndicator.objects.select_related("indicator").get(pk=entry.pk)
        locked.framework = framework
        before = _entry_values(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        after = _entry_values(locked)
        changed = tuple(field for field in ENTRY_FIELDS if before[field] != after[field])
        if not changed:
            return EntryUpdate(entry=locked, changed=(), rescored=False)
        # The fields' own limits and the engine's rules, on the fields at fault.
        others = [f.name for f in locked._meta.fields if f.name not in ENTRY_FIELDS]
        locked.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
        # Loading the framework's file again leaves these as the admin set them.
        locked.edited_fields = sorted(set(locked.edited_fields) | set(changed))
        locked.save(update_fields=[*changed, "edited_fields"])
        if "goal" in changed:
            goals = list(locked.goals.values_list("number", flat=True))
            locked.goals.set(linked_goals(goals, after["goal"], before["goal"]))
        was_scored = framework.scored
        framework.scored = any(
            other.is_scored
            for other in framework.entries.only("direction", "best", "worst", "goal")
        )
        if framework.scored != was_scored:
            framework.save(update_fields=["scored"])
        # Anonymous pages are cached until a rescore stores a run; this edit may not
        # rescore (an unscored framework), and the framework's pages show it.
        transaction.on_commit(cache.clear)
        audit.record(
            actor,
            "catalog.update_framework_entry",
            locked,
            object_id=str(locked),
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
        unscorable: tuple[FrameworkIndicator, ...] = ()
        rescored = False
        if framework.scored:
            unscorable = tuple(unscorable_entries())
            if not unscorable:
                schedule_rescore()
                rescored = True
        elif was_scored:
            # No longer among the scored frameworks, which the scheduled rescore goes
            # through: its stored scores are recomputed here, without the entry.
            transaction.on_commit(lambda: do_rescore_framework(framework))
            rescored = True
        return EntryUpdate(locked, changed, rescored=rescored, unscorable=unscorable)
