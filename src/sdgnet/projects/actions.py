"""Every write to the library: validate everything first, then write atomically.

The JSON format (docs/formats.md) is the one shape of a project record: the import,
the export, the edit form and the seed content all speak it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sdgnet.accounts import audit
from sdgnet.catalog.models import Goal, Indicator, Target
from sdgnet.places.models import Place
from sdgnet.projects.models import (
    Language,
    Method,
    MethodKind,
    PartnerKind,
    ProblemReport,
    Project,
    ProjectAttachment,
    ProjectLink,
    ProjectPartner,
    Status,
    Visibility,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 20_000
MAX_TEXT = 100_000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")

PROJECT_FIELDS = {
    "key", "title", "summary", "body", "language", "municipality", "co_municipalities",
    "goals", "targets", "indicators", "methods", "status", "start_date", "end_date",
    "budget_nok", "citizen_involvement", "results", "lessons", "contact", "partners",
    "links", "published", "visibility", "source_url",
}  # fmt: skip
METHOD_FIELDS = {
    "key", "title", "kind", "summary", "body", "language", "municipality", "source_url",
    "published", "visibility",
}  # fmt: skip
SHORT_TEXT = {"title": 200}
LONG_TEXTS = ("summary", "body", "citizen_involvement", "results", "lessons")


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class LibraryImport:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    project_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class LibraryError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- validation ---------------------------------------------------------------------


class _Known:
    """The catalog and places, read once per validation."""

    def __init__(self) -> None:
        self.municipalities = set(
            Place.objects.filter(kind=Place.Kind.MUNICIPALITY).values_list("code", flat=True)
        )
        self.goals = set(Goal.objects.values_list("number", flat=True))
        self.targets = set(Target.objects.values_list("code", flat=True))
        self.indicators = set(Indicator.objects.values_list("key", flat=True))
        self.methods = set(Method.objects.values_list("key", flat=True))


def _text(record: dict[str, Any], name: str, where: str, problems: list[Problem], *,
          required: bool = False, limit: int = MAX_TEXT) -> None:  # fmt: skip
    if name not in record:
        if required:
            problems.append(Problem(where, _("'%(name)s' is required") % {"name": name}))
        return
    value = record[name]
    if not isinstance(value, str):
        problems.append(Problem(where, _("'%(name)s' must be text") % {"name": name}))
    elif required and not value.strip():
        problems.append(Problem(where, _("'%(name)s' must not be empty") % {"name": name}))
    elif len(value) > limit:
        problems.append(
            Problem(
                where,
                ngettext(
                    "'%(name)s' is longer than %(limit)s character",
                    "'%(name)s' is longer than %(limit)s characters",
                    limit,
                )
                % {"name": name, "limit": limit},
            )
        )
    elif "\x00" in value:
        problems.append(Problem(where, _("'%(name)s' holds a NUL character") % {"name": name}))


def _one_of(name: str, choices: Any) -> str:
    return _("'%(name)s' must be one of %(choices)s") % {
        "name": name,
        "choices": ", ".join(choices.values),
    }


def _choice(record: dict[str, Any], name: str, choices: Any, where: str,
            problems: list[Problem]) -> None:  # fmt: skip
    if name in record and record[name] not in choices.values:
        problems.append(Problem(where, _one_of(name, choices)))


# The limits of a partner's and a link's texts (the project form checks them line by line).
MAX_PARTNER_NAME = 200
MAX_PARTNER_ROLE = 300
MAX_LINK_TITLE = 200


def url_ok(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= 500
        and bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", value))
    )


def _date(value: Any) -> dt.date:
    """A date from `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (the first day of that period)."""
    if not isinstance(value, str):
        raise ValueError
    for pattern, fmt in ((r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d"), (r"^\d{4}-\d{2}$", "%Y-%m"),
                         (r"^\d{4}$", "%Y")):  # fmt: skip
        if re.match(pattern, value):
            return dt.datetime.strptime(value, fmt).date()
    raise ValueError


MAX_LIST_ENTRIES = 500


def _list_of(record: dict[str, Any], name: str, kind: type, where: str,
             problems: list[Problem]) -> list[Any]:  # fmt: skip
    value = record.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(item, kind) and not isinstance(item, bool) for item in value
    ):
        message = (
            _("'%(name)s' must be a list of whole numbers")
            if kind is int
            else _("'%(name)s' must be a list of texts")
        )
        problems.append(Problem(where, message % {"name": name}))
        return []
    if len(value) > MAX_LIST_ENTRIES:
        problems.append(
            Problem(
                where,
                ngettext(
                    "'%(name)s' has more than %(limit)s entry",
                    "'%(name)s' has more than %(limit)s entries",
                    MAX_LIST_ENTRIES,
                )
                % {"name": name, "limit": MAX_LIST_ENTRIES},
            )
        )
        return []
    return value


def _unknown_fields(record: dict[str, Any], known: set[str], where: str) -> list[Problem]:
    return [
        Problem(where, _("unknown field '%(name)s'") % {"name": name})
        for name in sorted(set(record) - known)
    ]


def _bad_key(where: str) -> Problem:
    return Problem(where, _("'key' must be 1–80 lower-case letters, digits, '-' or '_'"))


def _not_a_list(name: str, where: str) -> Problem:
    return Problem(where, _("'%(name)s' must be a list") % {"name": name})


def _common_problems(record: dict[str, Any], where: str) -> list[Problem]:
    """The fields a project and a method share the rules of."""
    problems: list[Problem] = []
    if "published" in record and not isinstance(record["published"], bool):
        problems.append(Problem(where, _("'published' must be true or false")))
    if record.get("source_url") and not url_ok(record["source_url"]):
        problems.append(Problem(where, _("'source_url' must be an http(s) address")))
    return problems


# Each list of codes a project refers to, with its problem for a code that is not known.
UNKNOWN_CODE = {
    "co_municipalities": gettext_lazy("unknown co-municipality %(code)s"),
    "goals": gettext_lazy("unknown goal %(code)s"),
    "targets": gettext_lazy("unknown target %(code)s"),
    "indicators": gettext_lazy("unknown indicator %(code)s"),
    "methods": gettext_lazy("unknown method %(code)s"),
}


def check_project(record: Any, where: str, known: _Known, method_keys: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(record, dict):
        return [Problem(where, _("a project must be an object"))]
    problems += _unknown_fields(record, PROJECT_FIELDS, where)
    key = record.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(_bad_key(where))
    _text(record, "title", where, problems, required=True, limit=200)
    _text(record, "summary", where, problems, required=True, limit=5000)
    for name in ("body", "citizen_involvement", "results", "lessons"):
        _text(record, name, where, problems)
    _choice(record, "language", Language, where, problems)
    _choice(record, "status", Status, where, problems)
    _choice(record, "visibility", Visibility, where, problems)
    if "municipality" not in record:
        problems.append(Problem(where, _("'%(name)s' is required") % {"name": "municipality"}))
    elif record["municipality"] not in known.municipalities:
        problems.append(
            Problem(
                where, _("unknown municipality %(code)s") % {"code": repr(record["municipality"])}
            )
        )
    references = (
        ("co_municipalities", str, known.municipalities),
        ("goals", int, known.goals),
        ("targets", str, known.targets),
        ("indicators", str, known.indicators),
        ("methods", str, known.methods | method_keys),
    )
    for name, kind, codes in references:
        for code in _list_of(record, name, kind, where, problems):
            if code not in codes:
                problems.append(Problem(where, UNKNOWN_CODE[name] % {"code": repr(code)}))
    dates: dict[str, dt.date] = {}
    for name in ("start_date", "end_date"):
        if record.get(name) is not None:
            try:
                dates[name] = _date(record[name])
            except ValueError:
                problems.append(
                    Problem(
                        where, _("'%(name)s' must be YYYY-MM-DD, YYYY-MM or YYYY") % {"name": name}
                    )
                )
    if "start_date" in dates and "end_date" in dates and dates["end_date"] < dates["start_date"]:
        problems.append(Problem(where, _("'end_date' is before 'start_date'")))
    budget = record.get("budget_nok")
    if budget is not None and (
        not isinstance(budget, int) or isinstance(budget, bool) or not 0 <= budget < 10**15
    ):
        problems.append(Problem(where, _("'budget_nok' must be a whole number of kroner")))
    problems += _common_problems(record, where)
    problems += _contact_problems(record.get("contact", {}), where)
    problems += _partner_problems(record.get("partners", []), where)
    problems += _link_problems(record.get("links", []), where)
    return problems


MAX_CONTACT_NAME = 120


def _contact_problems(contact: Any, where: str) -> list[Problem]:
    if not isinstance(contact, dict) or set(contact) - {"name", "email"}:
        return [Problem(where, _("'contact' must be an object with 'name' and 'email'"))]
    problems: list[Problem] = []
    name = contact.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_CONTACT_NAME:
        problems.append(
            Problem(
                where,
                ngettext(
                    "'contact.name' must be text of at most %(limit)s character",
                    "'contact.name' must be text of at most %(limit)s characters",
                    MAX_CONTACT_NAME,
                )
                % {"limit": MAX_CONTACT_NAME},
            )
        )
    email = contact.get("email", "")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(
                Problem(
                    where,
                    _("'contact.email' is not an e-mail address: %(email)s")
                    % {"email": repr(email)},
                )
            )
    return problems


def _partner_problems(partners: Any, where: str) -> list[Problem]:
    if not isinstance(partners, list):
        return [_not_a_list("partners", where)]
    problems: list[Problem] = []
    names: set[str] = set()
    for number, partner in enumerate(partners, 1):
        # Named as the problems of a field given twice name it: by the field and the number.
        at = f"{where}, partners {number}"
        if not isinstance(partner, dict) or set(partner) - {"name", "kind", "role"}:
            problems.append(Problem(at, _("must be an object with 'name', 'kind' and 'role'")))
            continue
        _text(partner, "name", at, problems, required=True, limit=MAX_PARTNER_NAME)
        _text(partner, "role", at, problems, limit=MAX_PARTNER_ROLE)
        if partner.get("kind") not in PartnerKind.values:
            problems.append(Problem(at, _one_of("kind", PartnerKind)))
        if partner.get("name") in names:
            problems.append(
                Problem(
                    at,
                    _("the partner %(name)s is listed twice") % {"name": repr(partner.get("name"))},
                )
            )
        names.add(str(partner.get("name")))
    return problems


def _link_problems(links: Any, where: str) -> list[Problem]:
    if not isinstance(links, list):
        return [_not_a_list("links", where)]
    problems: list[Problem] = []
    for number, link in enumerate(links, 1):
        at = f"{where}, links {number}"
        if (
            not isinstance(link, dict)
            or set(link) - {"url", "title"}
            or not url_ok(link.get("url"))
        ):
            problems.append(
                Problem(at, _("must be an object with an http(s) address in 'url' and a 'title'"))
            )
        else:
            _text(link, "title", at, problems, limit=MAX_LINK_TITLE)
    return problems


def check_method(record: Any, where: str, known: _Known) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(record, dict):
        return [Problem(where, _("a method must be an object"))]
    problems += _unknown_fields(record, METHOD_FIELDS, where)
    if not isinstance(record.get("key"), str) or not KEY_PATTERN.match(record["key"]):
        problems.append(_bad_key(where))
    _text(record, "title", where, problems, required=True, limit=200)
    _text(record, "summary", where, problems, required=True, limit=5000)
    _text(record, "body", where, problems)
    _choice(record, "kind", MethodKind, where, problems)
    _choice(record, "language", Language, where, problems)
    _choice(record, "visibility", Visibility, where, problems)
    if (
        record.get("municipality") is not None
        and record["municipality"] not in known.municipalities
    ):
        problems.append(
            Problem(
                where, _("unknown municipality %(code)s") % {"code": repr(record["municipality"])}
            )
        )
    problems += _common_problems(record, where)
    return problems


def _too_many(name: str) -> str:
    if name == "projects":
        message = ngettext(
            "more than %(limit)s project", "more than %(limit)s projects", MAX_RECORDS
        )
    else:
        message = ngettext("more than %(limit)s method", "more than %(limit)s methods", MAX_RECORDS)
    return message % {"limit": MAX_RECORDS}


def check_library(payload: Any) -> list[Problem]:
    """Every problem of an import payload, without writing anything, in the active
    language."""
    file = _("file")
    if not isinstance(payload, dict):
        return [
            Problem(file, _("the top level must be an object with 'projects' and/or 'methods'"))
        ]
    problems = [
        Problem(file, _("unknown top-level field '%(name)s'") % {"name": name})
        for name in sorted(set(payload) - {"format", "version", "projects", "methods"})
    ]
    projects = payload.get("projects", [])
    methods = payload.get("methods", [])
    for name, items in (("projects", projects), ("methods", methods)):
        if not isinstance(items, list):
            problems.append(_not_a_list(name, file))
            return problems
        if len(items) > MAX_RECORDS:
            problems.append(Problem(file, _too_many(name)))
            return problems
    known = _Known()
    method_keys = {m.get("key") for m in methods if isinstance(m, dict)}
    for kind, items in (("method", methods), ("project", projects)):
        label = _("method %(number)s") if kind == "method" else _("project %(number)s")
        seen: set[str] = set()
        for number, record in enumerate(items, 1):
            where = label % {"number": number}
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                where += f" ({record['key'][:80]})"
                if record["key"] in seen:
                    problems.append(
                        Problem(
                            where,
                            _("the key %(key)s appears twice in the file")
                            % {"key": repr(record["key"])},
                        )
                    )
                seen.add(record["key"])
            if kind == "method":
                problems += check_method(record, where, known)
            else:
                problems += check_project(record, where, known, method_keys)  # type: ignore[arg-type]
    return problems


# --- writes -------------------------------------------------------------------------


def _apply_project(record: dict[str, Any], user: Any) -> tuple[Project, bool]:
    project = Project.objects.filter(key=record["key"]).first()
    created = project is None
    if project is None:
        project = Project(key=record["key"], created_by=user if getattr(user, "pk", None) else None)
    for name in ("title", "summary", "body", "citizen_involvement", "results", "lessons",
                 "language", "status", "visibility", "published", "source_url", "budget_nok"):  # fmt: skip
        if name in record:
            setattr(project, name, record[name] if record[name] is not None else
                    (None if name == "budget_nok" else ""))  # fmt: skip
    if project.hidden:
        # Hidden by a network admin: only `do_moderate(..., "restore")` publishes it again.
        project.published = False
    for name in ("start_date", "end_date"):
        if name in record:
            setattr(project, name, _date(record[name]) if record[name] is not None else None)
    if "contact" in record:
        project.contact_name = record["contact"].get("name", "")
        project.contact_email = record["contact"].get("email", "")
    if "municipality" in record:
        project.municipality_id = record["municipality"]
    project.save()
    if "co_municipalities" in record:
        project.co_municipalities.set(record["co_municipalities"])
    if "goals" in record:
        project.goals.set(record["goals"])
    if "targets" in record:
        project.targets.set(record["targets"])
    if "indicators" in record:
        project.indicators.set(record["indicators"])
    if "methods" in record:
        project.methods.set(Method.objects.filter(key__in=record["methods"]))
    if "partners" in record:
        project.partners.all().delete()
        ProjectPartner.objects.bulk_create(
            ProjectPartner(project=project, name=p["name"], kind=p["kind"], role=p.get("role", ""))
            for p in record["partners"]
        )
    if "links" in record:
        project.links.all().delete()
        ProjectLink.objects.bulk_create(
            ProjectLink(project=project, url=link["url"], title=link.get("title", ""))
            for link in record["links"]
        )
    return project, created


def _apply_method(record: dict[str, Any], user: Any) -> bool:
    method = Method.objects.filter(key=record["key"]).first()
    created = method is None
    if method is None:
        method = Method(key=record["key"], created_by=user if getattr(user, "pk", None) else None)
    for name in ("title", "kind", "summary", "body", "language", "source_url", "published",
                 "visibility"):  # fmt: skip
        if name in record:
            setattr(method, name, record[name])
    if method.hidden:
        method.published = False
    if "municipality" in record:
        method.municipality_id = record["municipality"]
    method.save()
    return created


def _reindex_after_commit(project_ids: list[int]) -> None:
    from sdgnet.projects.search import index_projects

    if project_ids:
        transaction.on_commit(lambda: index_projects(project_ids))


def do_import_library(payload: Any, user: Any = None) -> LibraryImport:
    """Insert or update projects and methods by key; nothing is written if any record
    has a problem, and every problem is reported."""
    report = LibraryImport(problems=check_library(payload))
    if not report.ok:
        return report
    with transaction.atomic():
        for record in payload.get("methods", []):
            if _apply_method(record, user):
                report.created += 1
            else:
                report.updated += 1
        for record in payload.get("projects", []):
            project, created = _apply_project(record, user)
            report.project_ids.append(project.pk)
            if created:
                report.created += 1
            else:
                report.updated += 1
        _reindex_after_commit(report.project_ids)
    return report


def read_library_file(path: Path) -> Any:
    """The parsed JSON of an import file, or LibraryError for a file that is too big,
    not UTF-8 or not JSON, worded in the active language."""
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise LibraryError([Problem(_("file"), _larger_than(MAX_IMPORT_BYTES))])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Python's reason ("invalid start byte") is English and says less than where.
        message = _(
            "not UTF-8: line %(line)s holds a byte that is not UTF-8 (byte %(position)s of "
            "the file)"
        ) % {"line": raw.count(b"\n", 0, error.start) + 1, "position": error.start + 1}
        raise LibraryError([Problem(_("file"), message)]) from error
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_repeated_keys
        )
    except _RepeatedKeys as error:
        raise LibraryError(_repeated_key_problems(text)) from error
    except _NotJsonNumber as error:
        message = _("not valid JSON: %(name)s is not a number JSON allows") % {"name": error.name}
        raise LibraryError([Problem(_("file"), message)]) from error
    except json.JSONDecodeError as error:
        raise LibraryError([Problem(_("file"), _not_json(error))]) from error
    except RecursionError as error:
        raise LibraryError([Problem(_("file"), _("nested too deeply to be read"))]) from error
    except ValueError as error:
        message = _("not valid JSON: %(error)s") % {"error": error}
        raise LibraryError([Problem(_("file"), message)]) from error


def _larger_than(limit: int) -> str:
    return _("larger than %(size)s MB") % {"size": limit // 2**20}


# What Python's JSON reader says is wrong (json.decoder, the same in its C scanner), in
# words a translator can reach; a message not listed here is shown as Python words it.
JSON_ERRORS = {
    "Expecting value": gettext_lazy("a value was expected"),
    "Expecting property name enclosed in double quotes": gettext_lazy(
        "a field name in double quotes was expected (a comma before '}' is not allowed)"
    ),
    "Expecting ':' delimiter": gettext_lazy("':' was expected"),
    "Expecting ',' delimiter": gettext_lazy("',' was expected"),
    "Unterminated string starting at": gettext_lazy("a text in double quotes is not closed"),
    "Invalid \\escape": gettext_lazy("a backslash begins no valid escape"),
    "Invalid \\uXXXX escape": gettext_lazy("a \\u escape needs four hexadecimal digits"),
    "Invalid control character at": gettext_lazy(
        "a control character (such as a line break) inside a text"
    ),
    "Extra data": gettext_lazy("more follows after the end of the JSON value"),
}


def _not_json(error: json.JSONDecodeError) -> str:
    reason = JSON_ERRORS.get(error.msg, error.msg)
    return _("not valid JSON: %(reason)s on line %(line)s, column %(column)s") % {
        "reason": reason,
        "line": error.lineno,
        "column": error.colno,
    }


class _NotJsonNumber(ValueError):
    """NaN, Infinity or -Infinity: Python's reader takes them, JSON has no such number."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _NotJsonNumber(name)


class _RepeatedKeys(Exception):
    """An object of the file names a key twice."""


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A plain json.loads keeps the last of two equal keys and drops the first without a
    # word; which one the author meant is not ours to guess.
    record = dict(pairs)
    if len(record) < len(pairs):
        raise _RepeatedKeys
    return record


MAX_REPEATED_KEYS_SHOWN = 20
# One token of JSON text: a structural character, a string literal, or a run of anything
# else up to the next one (a number, true, false or null).
_JSON_TOKEN = re.compile(r'[{}\[\]:,]|"(?:[^"\\]|\\.)*"|[^{}\[\]:,"\s]+')
_BEFORE_COLON = re.compile(r"\s*:")


@dataclass
class _Container:
    is_object: bool
    path: list[str | int]
    keys: set[str] = field(default_factory=set)
    index: int = -1  # of the array's current item
    key: str | None = None  # the object's current key


@dataclass
class _Repeats:
    found: list[tuple[list[str | int], str, int]] = field(default_factory=list)
    # The "key" of each record (("projects", 2) -> "p03"), as first written, to name it.
    record_keys: dict[tuple[str | int, ...], str] = field(default_factory=dict)


def _repeated_keys(text: str) -> _Repeats:
    """Every key an object of this JSON text names again, as (path of the object, key,
    offset) in the order of the text, and the records' keys. Read only once json.loads
    has met a repeat: its object_pairs_hook is told neither where the object is nor
    where it sits."""
    repeats = _Repeats()
    stack: list[_Container] = []
    at = 0

    def child_path() -> list[str | int]:
        if not stack:
            return []
        parent = stack[-1]
        if parent.is_object:
            return [*parent.path, parent.key or ""]
        parent.index += 1
        return [*parent.path, parent.index]

    while (token := _JSON_TOKEN.search(text, at)) is not None:
        start, at, item = token.start(), token.end(), token.group()
        if item in ("{", "["):
            stack.append(_Container(item == "{", child_path()))
        elif item in ("}", "]"):
            if not stack:
                break
            stack.pop()
        elif item.startswith('"'):
            try:
                value = json.loads(item)
            except ValueError:
                break
            if stack and stack[-1].is_object and _BEFORE_COLON.match(text, at):
                current = stack[-1]
                if value in current.keys:
                    repeats.found.append((current.path, value, start))
                current.keys.add(value)
                current.key = value
            elif stack and stack[-1].is_object and stack[-1].key == "key":
                repeats.record_keys.setdefault(tuple(stack[-1].path), value)
            else:
                child_path()  # a string item of an array moves its index on
        elif item not in (":", ","):
            child_path()  # a number, true, false or null
    return repeats


def _where_in_file(path: list[str | int], record_keys: dict[tuple[str | int, ...], str]) -> str:
    """The place of an object in the import's own words: "project 3 (p03)", then the
    fields and items inside it ("project 3 (p03), partners 2")."""
    if not path:
        return _("file")
    parts: list[str] = []
    rest = path
    if path[0] in ("projects", "methods") and len(path) > 1 and isinstance(path[1], int):
        label = _("project %(number)s") if path[0] == "projects" else _("method %(number)s")
        part = label % {"number": path[1] + 1}
        key = record_keys.get((path[0], path[1]))
        if key is not None:
            part += f" ({key[:80]})"
        parts.append(part)
        rest = path[2:]
    for step in rest:
        if isinstance(step, str):
            parts.append(step)
        elif parts:
            parts[-1] += f" {step + 1}"
        else:  # a list at the top (refused later anyway): its item by number
            parts.append(str(step + 1))
    return ", ".join(parts)


def _repeated_key_problems(text: str) -> list[Problem]:
    repeats = _repeated_keys(text)
    found = repeats.found
    problems = []
    for path, key, offset in found[:MAX_REPEATED_KEYS_SHOWN]:
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        problems.append(
            Problem(
                _where_in_file(path, repeats.record_keys),
                _(
                    "the field '%(key)s' is given twice in one object (again on line "
                    "%(line)s, column %(column)s); give each field once"
                )
                % {"key": key, "line": line, "column": column},
            )
        )
    if len(found) > MAX_REPEATED_KEYS_SHOWN:
        more = len(found) - MAX_REPEATED_KEYS_SHOWN
        problems.append(
            Problem(
                _("file"),
                ngettext(
                    "and %(count)s more field given twice",
                    "and %(count)s more fields given twice",
                    more,
                )
                % {"count": more},
            )
        )
    if not problems:  # the hook saw a repeat the reader above could not place
        problems.append(Problem(_("file"), _("a field is given twice in one object")))
    return problems


def do_save_project(user: Any, record: dict[str, Any]) -> Project:
    """Create or edit one project from a form or API record; LibraryError lists problems."""
    problems = check_project(record, "project", _Known(), set())
    if problems:
        raise LibraryError(problems)
    with transaction.atomic():
        project, _created = _apply_project(record, user)
        _reindex_after_commit([project.pk])
    return project


def do_set_published(project: Project, published: bool, actor: Any = None) -> None:
    """Publish or unpublish; a project hidden by a network admin cannot be published
    again here (LibraryError), only restored by `do_moderate`."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if published and locked.hidden:
            raise LibraryError(
                [
                    Problem(
                        "project",
                        _(
                            "This project was hidden by a network admin; only a network admin can restore it."
                        ),
                    )
                ]
            )
        # updated_at moves so the moderation queue sees the change.
        Project.objects.filter(pk=project.pk).update(published=published, updated_at=timezone.now())
        project.published = published
        if locked.published != published:
            audit.record(
                actor,
                "projects.publish_project" if published else "projects.unpublish_project",
                locked,
                place=locked.municipality_id,
                before={"published": locked.published},
                after={"published": published},
            )
        _reindex_after_commit([project.pk])


def do_delete_project(project: Project) -> None:
    from sdgnet.projects.search import remove_projects

    key = project.key
    with transaction.atomic():
        project.delete()
        transaction.on_commit(lambda: remove_projects([key]))


# --- moderation ---------------------------------------------------------------------

MODERATION_DECISIONS = ("hide", "restore", "review")
MAX_REASON = 2000


def _moderation_state(item: Project | Method) -> dict[str, Any]:
    return {
        "published": item.published,
        "hidden": item.hidden,
        "hidden_reason": item.hidden_reason,
        "reviewed_at": item.reviewed_at.isoformat() if item.reviewed_at else None,
    }


def _check_reason(reason: Any, *, required: bool) -> list[Problem]:
    if not isinstance(reason, str):
        return [Problem("reason", _("The reason must be text."))]
    if required and not reason.strip():
        return [Problem("reason", _("A reason is required."))]
    if len(reason) > MAX_REASON:
        return [
            Problem(
                "reason",
                _("The reason is longer than %(limit)s characters.") % {"limit": MAX_REASON},
            )
        ]
    if "\x00" in reason:
        return [Problem("reason", _("The reason holds a NUL character."))]
    return []


def do_moderate(actor: Any, item: Project | Method, decision: str, reason: str = "") -> None:
    """A network admin's decision on a project or method: `hide` (unpublish, with a reason
    its owners see), `restore` (undo a hide, published again if it was) or `review` (seen
    and fine). Each resolves the project's open problem reports and is audited; problems
    raise LibraryError, a user without the moderation rule PermissionDenied."""
    kind = "project" if isinstance(item, Project) else "method"
    if not actor.has_perm(f"projects.moderate_{kind}", item):
        raise PermissionDenied
    problems: list[Problem] = []
    if decision not in MODERATION_DECISIONS:
        problems.append(
            Problem(
                "decision",
                _("The decision must be one of %(choices)s.")
                % {"choices": ", ".join(MODERATION_DECISIONS)},
            )
        )
    problems += _check_reason(reason, required=decision == "hide")
    if problems:
        raise LibraryError(problems)
    model = type(item)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        if decision == "hide" and locked.hidden:
            raise LibraryError([Problem(kind, _("It is hidden already."))])
        if decision == "restore" and not locked.hidden:
            raise LibraryError([Problem(kind, _("It is not hidden."))])
        before = _moderation_state(locked)
        if decision == "hide":
            locked.hidden_was_published = locked.published
            locked.published = False
            locked.hidden = True
            locked.hidden_reason = reason.strip()
        elif decision == "restore":
            locked.published = locked.hidden_was_published
            locked.hidden = False
            locked.hidden_reason = ""
            locked.hidden_was_published = False
        if decision != "review":
            locked.save(
                update_fields=[
                    "published", "hidden", "hidden_reason", "hidden_was_published", "updated_at",
                ]
            )  # fmt: skip
        # Reviewed as of this change, so the queue does not count the decision as an edit.
        locked.reviewed_at = locked.updated_at if decision != "review" else timezone.now()
        locked.reviewed_by = actor
        locked.save(update_fields=["reviewed_at", "reviewed_by"])
        resolved = 0
        if isinstance(locked, Project):
            resolved = ProblemReport.objects.filter(
                project=locked, resolved_at__isnull=True
            ).update(resolved_at=timezone.now(), resolved_by=actor)
            _reindex_after_commit([locked.pk])
        audit.record(
            actor,
            f"projects.{decision}_{kind}",
            locked,
            place=locked.municipality_id,
            before=before,
            after={**_moderation_state(locked), "reports_resolved": resolved},
        )
    for name in ("published", "hidden", "hidden_reason", "hidden_was_published",
                 "reviewed_at", "reviewed_by", "updated_at"):  # fmt: skip
        setattr(item, name, getattr(locked, name))


def do_report_project(user: Any, project: Project, reason: str) -> ProblemReport:
    """ "Report a problem" with a published project; one open report per reader and project."""
    if not user.has_perm("projects.report_project", project):
        raise PermissionDenied
    problems = _check_reason(reason, required=True)
    if problems:
        raise LibraryError(problems)
    with transaction.atomic():
        if ProblemReport.objects.filter(
            project=project, reporter=user, resolved_at__isnull=True
        ).exists():
            raise LibraryError(
                [
                    Problem(
                        "report",
                        _("You have reported this project already; it awaits a moderator."),
                    )
                ]
            )
        report = ProblemReport.objects.create(project=project, reporter=user, reason=reason.strip())
        audit.record(
            user,
            "projects.report_project",
            report,
            place=project.municipality_id,
            after={"project": project.key, "reason": report.reason},
        )
    return report


ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def do_add_attachment(project: Project, title: str, name: str, content: bytes) -> ProjectAttachment:
    """Store a PDF, PNG or JPEG of at most 5 MB, recognised by its content, not its name."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise LibraryError([Problem("attachment", _larger_than(MAX_ATTACHMENT_BYTES))])
    content_type = next(
        (kind for magic, kind in ATTACHMENT_SIGNATURES.items() if content.startswith(magic)), None
    )
    if content_type is None:
        raise LibraryError([Problem("attachment", _("only PDF, PNG and JPEG files are accepted"))])
    suffix = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem)[:60].strip("-") or "file"
    with transaction.atomic():
        return ProjectAttachment.objects.create(
            project=project,
            title=(title or stem)[:200],
            file=ContentFile(content, name=f"{stem}{suffix}"),
            content_type=content_type,
            size=len(content),
        )


# --- export -------------------------------------------------------------------------


def project_record(project: Project) -> dict[str, Any]:
    """A project in the JSON format of docs/formats.md."""
    return {
        "key": project.key,
        "title": project.title,
        "summary": project.summary,
        "body": project.body,
        "language": project.language,
        "municipality": project.municipality_id,
        "co_municipalities": sorted(p.code for p in project.co_municipalities.all()),
        "goals": sorted(g.number for g in project.goals.all()),
        "targets": sorted(t.code for t in project.targets.all()),
        "indicators": sorted(i.key for i in project.indicators.all()),
        "methods": sorted(m.key for m in project.methods.all()),
        "status": project.status,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "budget_nok": project.budget_nok,
        "citizen_involvement": project.citizen_involvement,
        "results": project.results,
        "lessons": project.lessons,
        "contact": {"name": project.contact_name, "email": project.contact_email},
        "partners": [
            {"name": p.name, "kind": p.kind, "role": p.role} for p in project.partners.all()
        ],
        "links": [{"url": link.url, "title": link.title} for link in project.links.all()],
        "published": project.published,
        "visibility": project.visibility,
        "source_url": project.source_url,
    }


def method_record(method: Method) -> dict[str, Any]:
    return {
        "key": method.key,
        "title": method.title,
        "kind": method.kind,
        "summary": method.summary,
        "body": method.body,
        "language": method.language,
        "municipality": method.municipality_id,
        "source_url": method.source_url,
        "published": method.published,
        "visibility": method.visibility,
    }


def export_library(user: Any) -> dict[str, Any]:
    """What this user may see, in the import format (anonymous: published public only)."""
    from sdgnet.projects.access import visible_methods, visible_projects

    projects = (
        visible_projects(user)
        .order_by("key")
        .prefetch_related(
            "co_municipalities", "goals", "targets", "indicators", "methods", "partners", "links"
        )
    )
    return {
        "format": "sdgnet-library",
        "version": 1,
        "methods": [method_record(m) for m in visible_methods(user).order_by("key")],
        "projects": [project_record(p) for p in projects],
    }
