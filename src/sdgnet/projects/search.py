"""Library search: keywords (tantivy, Norwegian and English stemming) fused with
multilingual embeddings by reciprocal rank fusion.

Only published projects are indexed; the user's visibilities filter both sides, and the
hits on the page returned are checked again against `access.visible_projects` before
anyone sees them. The keyword index lives in SDGNET_DATA_DIR/search; the vectors live in
the database (`ProjectVector`) and in memory as one float32 matrix with flat facet arrays,
refreshed from rows changed since the last look whenever a writer has left a new stamp
file beside the index, so an edit in one process is visible to searches in every other.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import tantivy
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sdgnet.places.actions import size_class_of
from sdgnet.projects import embeddings
from sdgnet.projects.markdown import plain_text
from sdgnet.projects.models import Project, ProjectPartner, ProjectVector, Visibility

# v2: each document carries a number made from its key (`key_number`) as a fast field, so
# every match of a query is mapped to the store's rows without reading stored documents.
INDEX_VERSION = "v2"
RRF_K = 60  # the constant of Cormack et al. (2009); dampens the weight of top ranks
VECTOR_DEPTH = 40
RELOAD_SECONDS = 0.2
BATCH = 256
# An edit writes a handful of documents; a rebuild writes them all in one commit, and a
# larger heap means fewer segments to merge.
WRITER_HEAP = 20_000_000
REBUILD_WRITER_HEAP = 200_000_000
REBUILD_BATCH = 1000
TEXT_FIELDS = ["title_nb", "title_en", "text_nb", "text_en"]
FIELD_BOOSTS = {"title_nb": 2.0, "title_en": 2.0}
FIELD_LANGUAGES = {"title_nb": "norwegian", "title_en": "english", "text_nb": "norwegian",
                   "text_en": "english"}  # fmt: skip
# A query word whose stem has at least this many letters also finds the words it begins:
# "sykkel" finds "sykkelparkering" (Norwegian joins compounds into one word). Shorter
# stems ("mat", "by") begin too many unrelated words to be worth it.
PREFIX_MIN_LETTERS = 4
# A word found only as the beginning of a longer word counts for less than the word itself.
PREFIX_WEIGHT = 0.5
# A project whose words do not match is still a match when its meaning is this much closer
# to the query than the average published project in its language (cosine similarity of
# multilingual-e5-small). This is what lets "food waste" find "matsvinn"; chosen on the
# labelled queries of tests/projects/test_search.py, where nonsense words stay under it
# (bench/README.md, Library search).
MEANING_MARGIN = 0.03


def index_dir() -> Path:
    """One index per database, so a test database never shares the site's index."""
    base = getattr(settings, "SDGNET_SEARCH_DIR", None) or Path(settings.DATA_DIR) / "search"
    database = connection.settings_dict
    name = f"{database['ENGINE']}|{database.get('HOST')}|{database.get('PORT')}|{database['NAME']}"
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(base) / f"projects-{INDEX_VERSION}-{digest}"


def key_number(key: str) -> int:
    """A 63-bit number for a project key, held by its document and its store row.

    The key, not the database id: ids come back after a rolled-back insert (SQLite) and
    the index is not rolled back, so an id could name another project's old document."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def _analyzer(language: str) -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stopword("norwegian"))
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("key_number", fast=True)
    builder.add_text_field("title_nb", stored=True, tokenizer_name="nb_stem")
    builder.add_text_field("title_en", tokenizer_name="en_stem")
    builder.add_text_field("text_nb", stored=True, tokenizer_name="nb_stem")
    builder.add_text_field("text_en", tokenizer_name="en_stem")
    builder.add_unsigned_field("goal", indexed=True)
    for name in ("visibility", "county", "size", "status", "partner"):
        builder.add_text_field(name, tokenizer_name="raw")
    return builder.build()


class _Index:
    def __init__(self, path: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.analyzers = {language: _analyzer(language) for language in ("norwegian", "english")}
        self.index.register_tokenizer("nb_stem", self.analyzers["norwegian"])
        self.index.register_tokenizer("en_stem", self.analyzers["english"])
        self.reloaded = 0.0
        self.lock = threading.Lock()

    def searcher(self) -> Any:
        now = time.monotonic()
        if now - self.reloaded > RELOAD_SECONDS:
            self.index.reload()
            self.reloaded = now
        return self.index.searcher()

    @contextmanager
    def writing(self, heap: int = WRITER_HEAP) -> Iterator[Any]:
        """One writer, one commit for everything added and deleted inside."""
        with self.lock:
            writer = None
            for _attempt in range(100):  # another process may hold the writer lock
                try:
                    writer = self.index.writer(heap_size=heap, num_threads=1)
                    break
                except ValueError:
                    time.sleep(0.05)
            if writer is None:
                raise RuntimeError("the search index stayed locked by another writer")
            yield writer
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
            self.reloaded = time.monotonic()


def _to_document(fields: dict[str, Any]) -> Any:
    document = tantivy.Document()
    for name, values in fields.items():
        for value in values:
            if name in ("goal", "key_number"):
                document.add_unsigned(name, value)
            else:
                document.add_text(name, value)
    return document


_indexes: dict[Path, _Index] = {}
_indexes_lock = threading.Lock()
# Projects indexed in this process (their texts embedded where the model is on).
stats = {"indexed": 0}


def _get_index() -> _Index:
    return _open_index()[0]


def _open_index() -> tuple[_Index, bool]:
    """The index, and whether it was just built from the database (a new data folder)."""
    path = index_dir()
    with _indexes_lock:
        index = _indexes.get(path)
        if index is None:
            fresh = not (path / "meta.json").exists()
            index = _indexes[path] = _Index(path)
        else:
            fresh = False
    if fresh:
        rebuild_index()
        return _indexes[path], True
    return index, False


# --- what gets indexed -----------------------------------------------------------------


def project_text(project: Project) -> str:
    """The words a project is found by: title, summary, body, results, lessons, partners."""
    parts = [
        project.title,
        project.summary,
        plain_text(project.body),
        plain_text(project.citizen_involvement),
        plain_text(project.results),
        plain_text(project.lessons),
        " ".join(p.name for p in project.partners.all()),
    ]
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _facets_of(project: Project) -> dict[str, Any]:
    place = project.municipality
    return {
        "goals": sorted(g.number for g in project.goals.all()),
        "county": place.parent_id or "",
        "size": size_class_of(place.population) if place.population else "",
        "status": project.status,
        "partners": sorted({p.kind for p in project.partners.all()}),
        "visibility": project.visibility,
        "language": "en" if project.language == "en" else "no",
    }


def _document(project: Project, text: str, facets: dict[str, Any]) -> dict[str, Any]:
    body = text[len(project.title) :].strip()
    return {
        "key": [project.key],
        "key_number": [key_number(project.key)],
        "title_nb": [project.title],
        "title_en": [project.title],
        "text_nb": [body],
        "text_en": [body],
        "goal": facets["goals"],
        "visibility": [facets["visibility"]],
        "county": [facets["county"]],
        "size": [facets["size"]],
        "status": [facets["status"]],
        "partner": facets["partners"],
    }


def _projects(ids: list[int]) -> list[Project]:
    return list(
        Project.objects.filter(pk__in=ids)
        .select_related("municipality")
        .prefetch_related("goals", "partners")
    )


def index_projects(ids: list[int]) -> None:
    """Bring the keyword index and the vectors up to date for these projects."""
    index, rebuilt = _open_index()
    if rebuilt:
        # The rebuild read these projects from the database as they are now: indexing
        # them again would embed every text twice (`sdgnet setup` did, 18 s of its 58).
        return
    with index.writing() as writer:
        for start in range(0, len(ids), BATCH):
            _index_batch(ids[start : start + BATCH], writer, remove=True)
    _write_stamp()


def _index_batch(ids: list[int], writer: Any, remove: bool) -> None:
    """Vectors to the database in bulk, documents to the open writer (committed once by
    the caller)."""
    projects = _projects(ids)
    published = [p for p in projects if p.published]
    texts = [project_text(p) for p in published]
    vectors = embeddings.embed_passages(texts)
    stats["indexed"] += len(published)
    found = {p.pk for p in projects}
    now = timezone.now()
    with transaction.atomic():
        ProjectVector.objects.filter(
            project_id__in=[p.pk for p in projects if not p.published]
        ).update(active=False, updated_at=now)
        # Replace rather than update: Django's bulk_update builds one CASE per field
        # and row (17 s per 1,000 rows measured); nothing refers to these rows' ids.
        ProjectVector.objects.filter(project_id__in=[p.pk for p in published]).delete()
        rows = []
        for number, project in enumerate(published):
            vector = None if vectors is None else vectors[number].astype(np.float32).tobytes()
            rows.append(
                ProjectVector(
                    project_id=project.pk,
                    model=embeddings.MODEL_NAME if vector is not None else "",
                    vector=vector,
                    active=True,
                    updated_at=now,
                )
            )
        ProjectVector.objects.bulk_create(rows, batch_size=500)
    if remove:
        for key in [p.key for p in projects] + [str(i) for i in ids if i not in found]:
            writer.delete_documents_by_term("key", key)
    for project, text in zip(published, texts, strict=True):
        writer.add_document(_to_document(_document(project, text, _facets_of(project))))


def remove_projects(keys: list[str]) -> None:
    with _get_index().writing() as writer:
        for key in keys:
            writer.delete_documents_by_term("key", key)
    _write_stamp()


def rebuild_index(say: Any = None) -> int:
    """Index every published project afresh, in one writer commit; returns how many."""
    path = index_dir()
    with _indexes_lock:
        _indexes.pop(path, None)
        if path.exists():
            shutil.rmtree(path)
        index = _indexes[path] = _Index(path)
    ids = list(Project.objects.filter(published=True).values_list("pk", flat=True))
    ProjectVector.objects.exclude(project__published=True).update(
        active=False, updated_at=timezone.now()
    )
    with index.writing(REBUILD_WRITER_HEAP) as writer:
        for start in range(0, len(ids), REBUILD_BATCH):
            _index_batch(ids[start : start + REBUILD_BATCH], writer, remove=False)
            if say:
                say(
                    _("indexed %(done)s of %(total)s")
                    % {"done": min(start + REBUILD_BATCH, len(ids)), "total": len(ids)}
                )
    _store.reset()
    _write_stamp()
    _remove_other_versions(path)
    return len(ids)


def _remove_other_versions(path: Path) -> None:
    """A release that changes INDEX_VERSION builds a new index beside the old one (same
    database, other version); once the new one is built, the old one is only disk space."""
    digest = path.name.rsplit("-", 1)[-1]
    for other in path.parent.glob(f"projects-*-{digest}"):
        if other != path and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


# --- the in-memory vectors and facets --------------------------------------------------


STAMP_FILE = "stamp"
# Besides the stamp every writer leaves, a large store asks the database this often
# whether rows changed behind the search's back (a bulk script, a rolled-back
# transaction); a small one asks on every search.
CHECK_SECONDS = 2.0
# A store of at least this many rows is saved beside the index after a full read, so the
# next process starts from the file and reads only the rows changed since.
SNAPSHOT_MIN_ROWS = 1000
SNAPSHOT_EVERY_ROWS = 5000


def _stamp_path() -> Path:
    return index_dir() / STAMP_FILE


def _read_stamp() -> str:
    try:
        return _stamp_path().read_text()
    except OSError:
        return ""


def _write_stamp() -> None:
    """Tell every process's store that the index and the vectors changed."""
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{STAMP_FILE}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex}")
    os.replace(temporary, path)


def _facet_rows(ids: list[int] | None) -> dict[int, tuple[str, dict[str, Any]]]:
    """(key, facets) of these projects (all when None), as `_facets_of` gives them, read
    with three flat queries instead of one ORM object per project."""
    projects = Project.objects.all()
    goal_links = Project.goals.through.objects.all()
    partners = ProjectPartner.objects.all()
    if ids is not None:
        projects = projects.filter(pk__in=ids)
        goal_links = goal_links.filter(project_id__in=ids)
        partners = partners.filter(project_id__in=ids)
    goals: dict[int, list[int]] = {}
    for project_id, number in goal_links.values_list("project_id", "goal_id"):
        goals.setdefault(project_id, []).append(number)
    kinds: dict[int, set[str]] = {}
    for project_id, kind in partners.values_list("project_id", "kind"):
        kinds.setdefault(project_id, set()).add(kind)
    rows: dict[int, tuple[str, dict[str, Any]]] = {}
    fields = ("pk", "key", "status", "visibility", "language", "municipality__parent_id",
              "municipality__population")  # fmt: skip
    for pk, key, status, visibility, language, county, population in projects.values_list(*fields):
        rows[pk] = (
            key,
            {
                "goals": sorted(goals.get(pk, [])),
                "county": county or "",
                "size": size_class_of(population) if population else "",
                "status": status,
                "partners": sorted(kinds.get(pk, set())),
                "visibility": visibility,
                "language": "en" if language == "en" else "no",
            },
        )
    return rows


COLUMN_TYPES: dict[str, Any] = {
    "active": bool, "has_vector": bool, "owner": np.int64, "visibility": "<U8",
    "county": "<U8", "size": "<U20", "status": "<U10", "goals": np.int64,
    "partners": np.int64, "english": bool, "key_number": np.int64,
}  # fmt: skip


class _Store:
    """Published projects' vectors and facets in flat arrays, one row per project key.

    Every index write leaves a new stamp file; a search whose stamp is unchanged (and
    which checked the database less than CHECK_SECONDS ago) asks the database nothing.
    Otherwise the rows changed since the last look are read and written in place; the
    arrays grow by doubling, so an edit never copies the whole matrix."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.loaded_at: Any = None
        self.stamp: str | None = None
        self.checked = 0.0
        self.seen_at_mark: set[int] = set()
        self.position: dict[str, int] = {}
        self.position_by_id: dict[int, int] = {}
        self.keys: list[str] = []
        self.since_snapshot = 0
        self.partner_bits: dict[str, int] = {}
        self.size = 0
        self.capacity = 0
        self.buffer = np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        self.columns: dict[str, np.ndarray] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in COLUMN_TYPES.items()
        }
        self.masks: dict[tuple[str, ...], np.ndarray] = {}
        # The key_number column sorted (numbers, rows), built when first needed after a
        # change: a search maps every keyword match to its row with one lookup.
        self.row_index: tuple[np.ndarray, np.ndarray] | None = None

    # views of the rows in use
    @property
    def matrix(self) -> np.ndarray:
        return self.buffer[: self.size]

    def column(self, name: str) -> np.ndarray:
        return self.columns[name][: self.size]

    def _grow(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity, 1024)
        buffer = np.zeros((capacity, embeddings.DIMENSIONS), dtype=np.float32)
        buffer[: self.size] = self.buffer[: self.size]
        self.buffer = buffer
        for name, old in self.columns.items():
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: self.size] = old[: self.size]
            self.columns[name] = grown
        self.capacity = capacity

    def refresh(self) -> None:
        with self.lock:
            now = time.monotonic()
            stamp = _read_stamp()
            # The check costs a few queries that grow with the rows: a small library
            # (tests, a fresh site) is checked on every search.
            interval = CHECK_SECONDS if self.size >= SNAPSHOT_MIN_ROWS else 0.0
            if self.loaded_at is not None and stamp == self.stamp and now - self.checked < interval:
                return
            self.checked = now
            self.stamp = stamp
            if self.loaded_at is None:
                self._load_snapshot()
            full = self.loaded_at is None
            # Read the high-water mark first: rows written meanwhile are read next time.
            latest = (
                ProjectVector.objects.order_by("-updated_at")
                .values_list("updated_at", flat=True)
                .first()
            )
            rows = ProjectVector.objects.all()
            if self.loaded_at is not None:
                # Rows stamped exactly at the mark may have been written after the last
                # read; those already applied at that instant are skipped.
                rows = rows.filter(updated_at__gte=self.loaded_at).exclude(
                    updated_at=self.loaded_at, project_id__in=self.seen_at_mark
                )
            changed = list(rows.values_list("project_id", "vector", "active", "updated_at"))
            self._apply([row[:3] for row in changed], full=full)
            at_mark = {row[0] for row in changed if row[3] == latest}
            self.seen_at_mark = (
                (self.seen_at_mark | at_mark) if self.loaded_at == latest else at_mark
            )
            self.loaded_at = latest
            self._reconcile()
            self.since_snapshot += len(changed)
            if self.size >= SNAPSHOT_MIN_ROWS and (
                full or self.since_snapshot >= SNAPSHOT_EVERY_ROWS
            ):
                self._save_snapshot()

    def _save_snapshot(self) -> None:
        """The arrays in .npy/.npz files and the rest in JSON, under a fresh token; the
        pointer file `store.json` is replaced last, so a reader sees one whole snapshot."""
        if self.loaded_at is None:
            return
        directory = index_dir()
        token = uuid.uuid4().hex
        np.save(directory / f"store-{token}.npy", self.matrix)
        ids = np.array(list(self.position_by_id.items()), dtype=np.int64).reshape(-1, 2)
        # Positional: ids first, then the columns in COLUMN_TYPES order.
        np.savez(directory / f"store-{token}.npz", ids, *map(self.column, COLUMN_TYPES))
        state = {
            "token": token,
            "size": self.size,
            "loaded_at": self.loaded_at.isoformat(),
            "seen_at_mark": sorted(self.seen_at_mark),
            "keys": self.keys,
            "partner_bits": self.partner_bits,
        }
        pointer = directory / f"store-{token}.json"
        pointer.write_text(json.dumps(state))
        os.replace(pointer, directory / "store.json")
        self.since_snapshot = 0
        for old in directory.glob("store-*"):
            if token not in old.name and time.time() - old.stat().st_mtime > 60:
                old.unlink(missing_ok=True)

    def _load_snapshot(self) -> None:
        directory = index_dir()
        try:
            state = json.loads((directory / "store.json").read_text())
            token = state["token"]
            matrix = np.load(directory / f"store-{token}.npy")
            with np.load(directory / f"store-{token}.npz") as arrays:
                ids = arrays["arr_0"]
                columns = {
                    name: arrays[f"arr_{number}"] for number, name in enumerate(COLUMN_TYPES, 1)
                }
        except (OSError, ValueError, KeyError):
            return  # none yet, or removed meanwhile: read the database
        size = int(state["size"])
        if matrix.shape != (size, embeddings.DIMENSIONS) or len(state["keys"]) != size:
            return
        # The file must describe this database: a sample of its rows must name the same
        # projects (a database recreated under the same name fails here).
        sample = ids[np.linspace(0, len(ids) - 1, num=min(64, len(ids)), dtype=np.int64)]
        expected = {int(pk): state["keys"][int(at)] for pk, at in sample}
        actual = dict(Project.objects.filter(pk__in=list(expected)).values_list("pk", "key"))
        if actual != expected:
            return
        self._grow(size)
        self.buffer[:size] = matrix
        for name, column in columns.items():
            self.columns[name][:size] = column
        self.size = size
        self.keys = list(state["keys"])
        self.position = {key: at for at, key in enumerate(self.keys)}
        self.position_by_id = {int(pk): int(at) for pk, at in ids}
        self.partner_bits = dict(state["partner_bits"])
        self.seen_at_mark = set(state["seen_at_mark"])
        self.loaded_at = datetime.fromisoformat(state["loaded_at"])
        self.row_index = None

    def _reconcile(self) -> None:
        """Rows deleted with their project, or set back by a rolled-back transaction, carry
        no newer stamp: compare counts, and on a difference compare every row's flag."""
        active = int(self.column("active").sum())
        if ProjectVector.objects.count() == len(self.position_by_id) and (
            ProjectVector.objects.filter(active=True).count() == active
        ):
            return
        flags = dict(ProjectVector.objects.values_list("project_id", "active"))
        owner = self.column("owner")
        for project_id, at in list(self.position_by_id.items()):
            if project_id not in flags:
                del self.position_by_id[project_id]
                if owner[at] == project_id:
                    self.columns["active"][at] = False
        stale = [
            project_id
            for project_id, flag in flags.items()
            if project_id not in self.position_by_id
            or bool(self.columns["active"][self.position_by_id[project_id]]) != flag
        ]
        if stale:
            rows = ProjectVector.objects.filter(project_id__in=stale)
            self._apply(list(rows.values_list("project_id", "vector", "active")))
        self.masks.clear()
        self.row_index = None

    def _apply(self, changed: list[tuple[int, Any, bool]], full: bool = False) -> None:
        if not changed:
            return
        self.masks.clear()
        self.row_index = None
        if full:
            meta_by_id = _facet_rows(None)
        else:
            ids = [row[0] for row in changed]
            meta_by_id = {}
            for start in range(0, len(ids), 5000):
                meta_by_id.update(_facet_rows(ids[start : start + 5000]))
        fresh = sum(1 for key, _meta in meta_by_id.values() if key not in self.position)
        self._grow(self.size + fresh)
        columns = self.columns
        for project_id, vector, active in changed:
            if project_id not in meta_by_id:
                continue  # deleted meanwhile
            key, meta = meta_by_id[project_id]
            at = self.position.get(key)
            if at is None:
                at = self.position[key] = self.size
                self.size += 1
                self.keys.append(key)
            previous = self.position_by_id.get(project_id)
            if previous is not None and previous != at and columns["owner"][previous] == project_id:
                # The id now belongs to another key (SQLite gives a deleted or rolled-back
                # row's id again): the old key's row is no longer a published project.
                columns["active"][previous] = False
            self.position_by_id[project_id] = at
            if vector:
                self.buffer[at] = np.frombuffer(bytes(vector), dtype=np.float32)
            else:
                self.buffer[at] = 0.0
            columns["active"][at] = active
            columns["has_vector"][at] = bool(vector)
            columns["owner"][at] = project_id
            columns["visibility"][at] = meta["visibility"]
            columns["county"][at] = meta["county"]
            columns["size"][at] = meta["size"]
            columns["status"][at] = meta["status"]
            columns["goals"][at] = sum(1 << g for g in meta["goals"])
            columns["partners"][at] = sum(self._partner_bit(p) for p in meta["partners"])
            columns["english"][at] = meta["language"] == "en"
            columns["key_number"][at] = key_number(key)

    def _partner_bit(self, kind: str) -> int:
        if kind not in self.partner_bits:
            self.partner_bits[kind] = 1 << len(self.partner_bits)
        return self.partner_bits[kind]

    def rows_of(self, numbers: np.ndarray) -> np.ndarray:
        """The rows of the keys with these `key_number`s, -1 for a key the store lacks."""
        if self.row_index is None:
            order = np.argsort(self.column("key_number"))
            self.row_index = (self.column("key_number")[order], order)
        known, rows = self.row_index
        if not len(known) or not len(numbers):
            return np.full(len(numbers), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(known, numbers), len(known) - 1)
        return np.where(known[at] == numbers, rows[at], -1)

    def allowed(self, visibilities: list[str]) -> np.ndarray:
        """Rows of published projects with one of these visibilities (cached until the
        next change)."""
        cache_key = tuple(sorted(visibilities))
        mask = self.masks.get(cache_key)
        if mask is None:
            mask = self.column("active") & np.isin(self.column("visibility"), visibilities)
            self.masks[cache_key] = mask
        return mask

    def distinct(self, name: str) -> np.ndarray:
        """The values the rows in use hold in column `name` (cached until the next change)."""
        key = ("distinct", name)
        if key not in self.masks:
            self.masks[key] = np.unique(self.column(name))
        return self.masks[key]

    def mask(self, visibilities: list[str], filters: SearchFilters) -> np.ndarray:
        mask = self.allowed(visibilities)
        if not filters.terms():
            return mask
        mask = mask.copy()
        if filters.goal:
            mask &= (self.column("goals") & (1 << filters.goal)) != 0
        if filters.county:
            mask &= self.column("county") == filters.county
        if filters.size:
            mask &= self.column("size") == filters.size
        if filters.status:
            mask &= self.column("status") == filters.status
        if filters.partner:
            bit = self.partner_bits.get(filters.partner, 0)
            mask &= (self.column("partners") & bit) != 0
        return mask


_store = _Store()


# --- searching -------------------------------------------------------------------------


@dataclass
class SearchFilters:
    goal: int | None = None
    county: str | None = None
    size: str | None = None
    status: str | None = None
    partner: str | None = None

    def terms(self) -> list[tuple[str, Any]]:
        return [(name, value) for name, value in vars(self).items() if value]


@dataclass
class Hit:
    key: str
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None
    highlight: SafeString | None = None
    project: Project | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    semantic: bool
    total: int = 0
    facets: dict[str, Counter[Any]] = field(default_factory=dict)


@dataclass
class _KeywordHits:
    # The store's rows of every match, best first, and their documents' addresses.
    rows: np.ndarray
    addresses: list[Any] = field(default_factory=list)
    searcher: Any = None
    text_query: Any = None
    words: list[str] = field(default_factory=list)


def _words(query: str) -> list[str]:
    # Only word characters reach the query parser: no field syntax, no regexes.
    return re.findall(r"\w+", query.lower())[:32]


def _text_query(index: _Index, words: list[str]) -> Any | None:
    """Every word must be found, in a title or a text, in either language's stemmed form
    or, for a stem of PREFIX_MIN_LETTERS or more, as the beginning of a longer word. None
    when no word is left (only stop words such as "og" or "the")."""
    schema = index.schema
    word_clauses: list[tuple[Any, Any]] = []
    for word in words:
        alternatives: list[tuple[Any, Any]] = []
        for name in TEXT_FIELDS:
            boost = FIELD_BOOSTS.get(name, 1.0)
            for stem in index.analyzers[FIELD_LANGUAGES[name]].analyze(word):
                exact = tantivy.Query.term_query(schema, name, stem)
                alternatives.append((tantivy.Occur.Should, tantivy.Query.boost_query(exact, boost)))
                if len(stem) >= PREFIX_MIN_LETTERS:
                    # Every indexed word that begins with the stem (a Levenshtein automaton
                    # at distance 0 with a prefix: 25 times cheaper than the same regex).
                    longer = tantivy.Query.fuzzy_term_query(
                        schema, name, stem, distance=0, transposition_cost_one=True, prefix=True
                    )
                    alternatives.append(
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.boost_query(longer, boost * PREFIX_WEIGHT),
                        )
                    )
        if alternatives:
            word_clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alternatives)))
    return tantivy.Query.boolean_query(word_clauses) if word_clauses else None


def _keyword_hits(index: _Index, words: list[str], visibilities: list[str],
                  filters: SearchFilters) -> _KeywordHits:  # fmt: skip
    if not words:
        # No words: every published project the filters leave, in the store's order. The
        # store's columns answer that at once; asking the keyword index for all of its
        # documents took 105-137 ms per page at 100,000 projects.
        return _KeywordHits(rows=np.flatnonzero(_store.mask(visibilities, filters)))
    schema = index.schema
    searcher = index.searcher()
    clauses: list[tuple[Any, Any]] = [
        (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "visibility", visibilities))
    ]
    for name, value in filters.terms():
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value)))
    text_query = _text_query(index, words) if words else None
    if words and text_query is None:
        # Words were typed, and none of them can match.
        return _KeywordHits(rows=np.zeros(0, dtype=np.int64))
    if text_query is not None:
        clauses.append((tantivy.Occur.Must, text_query))
    query = tantivy.Query.boolean_query(clauses)
    # Every match, not the best few: the total, the facets and the last page count them
    # all. Their keys' numbers come from a fast field, not from the stored documents.
    found = searcher.search(query, max(1, searcher.num_docs), count=False).hits
    addresses = [address for _score, address in found]
    numbers = searcher.fast_field_values("key_number", addresses) if addresses else []
    rows = _store.rows_of(np.array([-1 if n is None else n for n in numbers], dtype=np.int64))
    # A document the store does not know (a key it never saw) is no result.
    known = np.flatnonzero(rows >= 0)
    return _KeywordHits(
        rows=rows[known],
        addresses=[addresses[at] for at in known.tolist()],
        searcher=searcher,
        text_query=text_query,
        words=words,
    )


def _highlights(index: _Index, hits: _KeywordHits, page: list[Hit]) -> dict[str, SafeString]:
    """Highlighted fragments for the hits of the page shown that their words found."""
    wanted = [hit for hit in page if hit.keyword_rank is not None]
    if hits.text_query is None or not wanted:
        return {}
    documents = {
        hit.key: hits.searcher.doc(hits.addresses[hit.keyword_rank - 1])
        for hit in wanted
        if hit.keyword_rank is not None
    }
    longer_terms = _longer_words_found(index, hits.words, documents.values())
    highlight_query = hits.text_query
    if longer_terms:
        highlight_query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, hits.text_query)]
            + [
                (tantivy.Occur.Should, tantivy.Query.term_query(index.schema, "text_nb", term))
                for term in sorted(longer_terms)
            ]
        )
    generator = tantivy.SnippetGenerator.create(
        hits.searcher, highlight_query, index.schema, "text_nb"
    )
    generator.set_max_num_chars(220)
    highlights: dict[str, SafeString] = {}
    for key, document in documents.items():
        snippet = generator.snippet_from_doc(document)
        if snippet.highlighted():
            highlights[key] = _mark(snippet)
    return highlights


def _longer_words_found(index: _Index, words: list[str], documents: Iterable[Any]) -> set[str]:
    """The terms of these documents' text_nb that a query word found as their beginning
    ("sykkelparkering" for "sykkel"), as text_nb indexes them.

    The snippet generator highlights only the terms a query names, and the beginning of a
    longer word is found by an automaton that names none; given these terms, it marks the
    longer words like the stemmed ones."""
    beginnings = {
        language: {
            stem for word in words for stem in analyzer.analyze(word)
            if len(stem) >= PREFIX_MIN_LETTERS
        }
        for language, analyzer in index.analyzers.items()
    }  # fmt: skip
    if not any(beginnings.values()):
        return set()
    # A stemmer only takes letters off (or changes) the end of a word, so a word whose
    # stem begins with a beginning of four letters or more begins with its first three:
    # only those words are analysed.
    openings = tuple({stem[: PREFIX_MIN_LETTERS - 1] for stems in beginnings.values()
                      for stem in stems})  # fmt: skip
    norwegian = index.analyzers["norwegian"]
    found: set[str] = set()
    for document in documents:
        text = " ".join(document.get_all("text_nb"))
        for word in set(re.findall(r"\w+", text.lower())):
            if not word.startswith(openings):
                continue
            for language, analyzer in index.analyzers.items():
                stems = analyzer.analyze(word)
                if any(stem.startswith(tuple(beginnings[language])) for stem in stems):
                    # Marked where text_nb holds it: under its Norwegian stem.
                    found.update(norwegian.analyze(word))
                    break
    return found


def _mark(snippet: Any) -> SafeString:
    """The fragment, escaped, with matched words in <mark> (offsets are UTF-8 bytes)."""
    raw = snippet.fragment().encode("utf-8")
    out: list[str] = []
    at = 0
    for span in sorted(snippet.highlighted(), key=lambda r: r.start):
        out.append(escape(raw[at : span.start].decode("utf-8", "ignore")))
        out.append(f"<mark>{escape(raw[span.start : span.end].decode('utf-8', 'ignore'))}</mark>")
        at = span.end
    out.append(escape(raw[at:].decode("utf-8", "ignore")))
    return mark_safe("".join(out))  # every piece escaped above


@dataclass
class _VectorHits:
    keys: list[str]  # the nearest in meaning, nearest first (up to VECTOR_DEPTH)
    matching: set[str]  # those of them close enough to count as a match on their own


def _vector_hits(query: str, visibilities: list[str], filters: SearchFilters) -> _VectorHits | None:
    vector = embeddings.embed_query(query) if query.strip() else None
    if vector is None:
        return None
    _store.refresh()
    if not _store.size:
        return _VectorHits([], set())
    # The average a match is measured against is taken over every published project the
    # user may see, not over those the filters leave: a filter narrows the matches and
    # never turns a project into one.
    allowed = _store.allowed(visibilities) & _store.column("has_vector")
    candidates = np.flatnonzero(_store.mask(visibilities, filters) & allowed)
    if not len(candidates):
        return _VectorHits([], set())
    # One matrix-vector product over every row, then pick: indexing the matrix first
    # would copy the candidate rows (150 MB at 100,000 projects) on every search.
    similarity = _store.matrix @ vector
    english = _store.column("english")
    # e5-small scores texts in the query's own language higher across the board; taking
    # each language's mean off puts Norwegian and English documents on one scale.
    for group in (~english & allowed, english & allowed):
        if group.any():
            similarity[group] -= similarity[group].mean()
    similarity = similarity[candidates]
    depth = min(VECTOR_DEPTH, len(candidates))
    top = np.argpartition(-similarity, depth - 1)[:depth]
    top = top[np.argsort(-similarity[top])]
    keys = [_store.keys[candidates[i]] for i in top]
    matching = {key for key, i in zip(keys, top, strict=True) if similarity[i] >= MEANING_MARGIN}
    return _VectorHits(keys, matching)


def search_projects(user: Any, query: str, filters: SearchFilters | None = None,
                    limit: int = 20, offset: int = 0) -> SearchResult:  # fmt: skip
    """Published projects this user may see that match the query, best first, fused from
    keyword and meaning rankings; `semantic` is False when the embedding model is not
    there. An empty query lists them all.

    A project matches when every word of the query is found in it (stemmed, or as the
    beginning of a longer word) or when its meaning is close enough to the query's
    (MEANING_MARGIN); the meaning ranking also orders the projects the words found.

    Who may see what is answered twice: by the visibilities and published flags kept in
    the index and the store (for the ranking, the total and the facets), and by the
    database for every hit on the page returned (the index is a cache)."""
    from sdgnet.projects.access import published_visibilities, visible_projects

    filters = filters or SearchFilters()
    visibilities = published_visibilities(user)
    index = _get_index()
    # The store first: it maps the keyword matches to rows and knows which keys are
    # published with which visibility (the keyword index may still hold a key after an
    # unpublish, or one the database never saw).
    _store.refresh()
    words = _words(query)
    keyword = _keyword_hits(index, words, visibilities, filters)
    meaning = _vector_hits(query, visibilities, filters) if words else None
    semantic = embeddings.available()
    ranking = _Ranking.fuse(keyword, meaning, _store.allowed(visibilities))
    # The database decides for the page: a row the store has not caught up with yet
    # drops out here, and the next one moves up.
    page: list[Hit] = []
    dropped: list[int] = []
    at = offset
    while len(page) < limit and at < len(ranking.rows):
        chunk = [ranking.hit(row) for row in
                 ranking.rows[at : at + max(limit - len(page), 1) + 2].tolist()]  # fmt: skip
        at += len(chunk)
        projects = {
            p.key: p
            for p in visible_projects(user)
            .filter(key__in=[h.key for h in chunk], published=True, visibility__in=visibilities)
            .order_by()
        }
        for hit in chunk:
            if hit.key not in projects:
                dropped.append(_store.position[hit.key])
            elif len(page) < limit:
                hit.project = projects[hit.key]
                page.append(hit)
    highlights = _highlights(index, keyword, page)
    for hit in page:
        hit.highlight = highlights.get(hit.key)
    rows = ranking.rows[~np.isin(ranking.rows, dropped)] if dropped else ranking.rows
    return SearchResult(hits=page, semantic=semantic, total=len(rows), facets=_facet_counts(rows))


@dataclass
class _Ranking:
    """Every match as the store's rows, best first, with their fused scores and ranks
    (arrays over all the store's rows, 0 where a side did not rank a row)."""

    rows: np.ndarray
    score: np.ndarray
    keyword_rank: np.ndarray
    vector_rank: np.ndarray

    @classmethod
    def fuse(cls, keyword: _KeywordHits, meaning: _VectorHits | None,
             allowed: np.ndarray) -> _Ranking:  # fmt: skip
        size = _store.size
        keyword_rank = np.zeros(size, dtype=np.int64)
        # Assigned from the last match to the first, so a row given twice keeps its best rank.
        keyword_rank[keyword.rows[::-1]] = np.arange(len(keyword.rows), 0, -1)
        vector_rank = np.zeros(size, dtype=np.int64)
        close_enough = np.zeros(size, dtype=bool)
        for rank, key in enumerate(meaning.keys if meaning else [], 1):
            row = _store.position[key]
            vector_rank[row] = rank
            close_enough[row] = key in (meaning.matching if meaning else set())
        score = np.zeros(size, dtype=np.float64)
        for ranks in (keyword_rank, vector_rank):
            ranked = ranks > 0
            score[ranked] += 1 / (RRF_K + ranks[ranked])
        # The nearest in meaning are always there, however far: only the words' matches
        # and the close enough in meaning are results; the rest only helped to rank them.
        rows = np.flatnonzero(((keyword_rank > 0) | close_enough) & allowed)
        # Best score first; between equal scores the better keyword rank (none last).
        order = np.lexsort((np.where(keyword_rank[rows] > 0, keyword_rank[rows], size + 1),
                            -score[rows]))  # fmt: skip
        return cls(rows[order], score, keyword_rank, vector_rank)

    def hit(self, row: int) -> Hit:
        return Hit(
            _store.keys[row],
            float(self.score[row]),
            keyword_rank=int(self.keyword_rank[row]) or None,
            vector_rank=int(self.vector_rank[row]) or None,
        )


def _value_counts(name: str, rows: np.ndarray) -> Counter[Any]:
    """How many of `rows` hold each value of the store's column `name`: one comparison per
    value the column holds (a few dozen), not a Python object per row (Counter over a
    list of 100,000 strings took 20 ms per column)."""
    values = _store.column(name)[rows]
    return Counter(
        {
            value: n
            for value in _store.distinct(name).tolist()
            if (n := int(np.count_nonzero(values == value)))
        }
    )


def _facet_counts(rows: np.ndarray) -> dict[str, Counter[Any]]:
    goals = _store.column("goals")[rows]
    partners = _store.column("partners")[rows]
    return {
        "goal": Counter(
            {g: n for g in range(1, 18) if (n := int(np.count_nonzero(goals & (1 << g))))}
        ),
        "county": _value_counts("county", rows),
        "size": _value_counts("size", rows),
        "status": _value_counts("status", rows),
        "partner": Counter(
            {
                kind: n
                for kind, bit in _store.partner_bits.items()
                if (n := int(np.count_nonzero(partners & bit)))
            }
        ),
    }


__all__ = ["Hit", "SearchFilters", "SearchResult", "Visibility", "index_projects",
           "rebuild_index", "remove_projects", "search_projects"]  # fmt: skip
