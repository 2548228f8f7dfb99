"""Library search: keywords (tantivy, Norwegian and English stemming) fused with
multilingual embeddings by reciprocal rank fusion.

Only published projects are indexed; the user's visibilities filter both sides, and the
hits are checked again against `access.visible_projects` before anyone sees them. The
keyword index lives in SDGNET_DATA_DIR/search; the vectors live in the database
(`ProjectVector`) and in memory, refreshed from rows changed since the last search, so an
edit in one process is visible to searches in every other.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tantivy
from django.conf import settings
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sdgnet.places.actions import size_class_of
from sdgnet.projects import embeddings
from sdgnet.projects.markdown import plain_text
from sdgnet.projects.models import Project, ProjectVector, Visibility

INDEX_VERSION = "v1"
RRF_K = 60  # the constant of Cormack et al. (2009); dampens the weight of top ranks
KEYWORD_DEPTH = 200
VECTOR_DEPTH = 40
RELOAD_SECONDS = 0.2
TEXT_FIELDS = ["title_nb", "title_en", "text_nb", "text_en"]
FIELD_BOOSTS = {"title_nb": 2.0, "title_en": 2.0}


def index_dir() -> Path:
    """One index per database, so a test database never shares the site's index."""
    base = getattr(settings, "SDGNET_SEARCH_DIR", None) or Path(settings.DATA_DIR) / "search"
    database = connection.settings_dict
    name = f"{database['ENGINE']}|{database.get('HOST')}|{database.get('PORT')}|{database['NAME']}"
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return Path(base) / f"projects-{INDEX_VERSION}-{digest}"


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
        self.index.register_tokenizer("nb_stem", _analyzer("norwegian"))
        self.index.register_tokenizer("en_stem", _analyzer("english"))
        self.reloaded = 0.0
        self.lock = threading.Lock()

    def searcher(self) -> Any:
        now = time.monotonic()
        if now - self.reloaded > RELOAD_SECONDS:
            self.index.reload()
            self.reloaded = now
        return self.index.searcher()

    def write(self, remove: list[str], add: list[dict[str, Any]]) -> None:
        with self.lock:
            writer = None
            for _attempt in range(100):  # another process may hold the writer lock
                try:
                    writer = self.index.writer(heap_size=50_000_000, num_threads=1)
                    break
                except ValueError:
                    time.sleep(0.05)
            if writer is None:
                raise RuntimeError("the search index stayed locked by another writer")
            for key in remove:
                writer.delete_documents_by_term("key", key)
            for fields in add:
                writer.add_document(_to_document(fields))
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
            self.reloaded = time.monotonic()


def _to_document(fields: dict[str, Any]) -> Any:
    document = tantivy.Document()
    for name, values in fields.items():
        for value in values:
            if name == "goal":
                document.add_unsigned(name, value)
            else:
                document.add_text(name, value)
    return document


_indexes: dict[Path, _Index] = {}
_indexes_lock = threading.Lock()


def _get_index() -> _Index:
    path = index_dir()
    with _indexes_lock:
        index = _indexes.get(path)
        if index is None:
            fresh = not (path / "meta.json").exists()
            index = _indexes[path] = _Index(path)
        else:
            fresh = False
    if fresh:
        # A new data directory: build it from the database once.
        rebuild_index()
        return _indexes[path]
    return index


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
    _get_index()  # a missing index is first built from the database
    for start in range(0, len(ids), 256):
        _index_batch(ids[start : start + 256])


def _index_batch(ids: list[int]) -> None:
    projects = _projects(ids)
    published = [p for p in projects if p.published]
    texts = [project_text(p) for p in published]
    vectors = embeddings.embed_passages(texts)
    found = {p.pk for p in projects}
    with transaction.atomic():
        ProjectVector.objects.filter(
            project_id__in=[p.pk for p in projects if not p.published]
        ).update(active=False)
        for number, project in enumerate(published):
            vector = None if vectors is None else vectors[number].astype(np.float32).tobytes()
            ProjectVector.objects.update_or_create(
                project=project,
                defaults={
                    "model": embeddings.MODEL_NAME if vector is not None else "",
                    "vector": vector,
                    "active": True,
                },
            )
    index = _get_index()
    index.write(
        remove=[p.key for p in projects] + [str(i) for i in ids if i not in found],
        add=[_document(p, text, _facets_of(p)) for p, text in zip(published, texts, strict=True)],
    )


def remove_projects(keys: list[str]) -> None:
    _get_index().write(remove=keys, add=[])


def rebuild_index(say: Any = None) -> int:
    """Index every published project afresh; returns how many."""
    path = index_dir()
    with _indexes_lock:
        _indexes.pop(path, None)
        if path.exists():
            shutil.rmtree(path)
        _indexes[path] = _Index(path)
    ids = list(Project.objects.filter(published=True).values_list("pk", flat=True))
    ProjectVector.objects.exclude(project_id__in=ids).update(active=False)
    for start in range(0, len(ids), 256):
        _index_batch(ids[start : start + 256])
        if say:
            say(f"indexed {min(start + 256, len(ids))} of {len(ids)}")
    _store.reset()
    return len(ids)


# --- the in-memory vectors and facets --------------------------------------------------


ARRAY_TYPES: dict[str, Any] = {
    "visibility": "<U8", "county": "<U8", "size": "<U20", "status": "<U10",
    "goals": np.int64, "partners": "<U60", "language": "<U2",
}  # fmt: skip


def _meta_values(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "visibility": meta["visibility"],
        "county": meta["county"],
        "size": meta["size"],
        "status": meta["status"],
        "goals": sum(1 << g for g in meta["goals"]),
        "partners": " ".join(meta["partners"]),
        "language": meta.get("language", "no"),
    }


class _Store:
    """Published projects' vectors and facets, refreshed from rows changed since the last
    look (an edit anywhere is seen by the next search here)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.loaded_at: Any = None
        self.position: dict[str, int] = {}
        self.keys: list[str] = []
        self.meta: list[dict[str, Any]] = []
        self.matrix = np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        self.active = np.zeros(0, dtype=bool)
        self.has_vector = np.zeros(0, dtype=bool)
        self.arrays: dict[str, np.ndarray] = {}
        self.checked = 0.0
        self.seen_at_mark: set[int] = set()

    def refresh(self) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.checked < RELOAD_SECONDS / 2:
                return
            self.checked = now
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
            self._apply([row[:3] for row in changed])
            at_mark = {row[0] for row in changed if row[3] == latest}
            self.seen_at_mark = (
                (self.seen_at_mark | at_mark) if self.loaded_at == latest else at_mark
            )
            if ProjectVector.objects.filter(active=True).count() != int(self.active.sum()):
                # A project was deleted (its row went with it): start over.
                self.reset()
                self.checked = now
                changed = list(
                    ProjectVector.objects.values_list(
                        "project_id", "vector", "active", "updated_at"
                    )
                )
                self._apply([row[:3] for row in changed])
                self.seen_at_mark = {row[0] for row in changed if row[3] == latest}
            self.loaded_at = latest

    def _apply(self, changed: list[tuple[int, Any, bool]]) -> None:
        if not changed:
            return
        ids = [row[0] for row in changed]
        meta_by_id: dict[int, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(ids), 5000):
            for project in _projects(ids[start : start + 5000]):
                meta_by_id[project.pk] = (project.key, _facets_of(project))
        new_rows: list[np.ndarray] = []
        new_flags: list[tuple[bool, bool]] = []
        new_meta: list[dict[str, Any]] = []
        for project_id, vector, active in changed:
            if project_id not in meta_by_id:
                continue
            key, meta = meta_by_id[project_id]
            row = (
                np.frombuffer(bytes(vector), dtype=np.float32)
                if vector
                else np.zeros(embeddings.DIMENSIONS, dtype=np.float32)
            )
            if key in self.position:
                at = self.position[key]
                self.meta[at] = meta
                self.matrix[at] = row
                self.active[at] = active
                self.has_vector[at] = bool(vector)
                for name, value in _meta_values(meta).items():
                    self.arrays[name][at] = value
            else:
                self.position[key] = len(self.keys)
                self.keys.append(key)
                self.meta.append(meta)
                new_meta.append(meta)
                new_rows.append(row)
                new_flags.append((active, bool(vector)))
        if new_rows:
            self.matrix = np.vstack([self.matrix, np.stack(new_rows)])
            self.active = np.concatenate([self.active, [f[0] for f in new_flags]])
            self.has_vector = np.concatenate([self.has_vector, [f[1] for f in new_flags]])
            columns = [_meta_values(m) for m in new_meta]
            for name, dtype in ARRAY_TYPES.items():
                added = np.array([c[name] for c in columns], dtype=dtype)
                old = self.arrays.get(name)
                self.arrays[name] = added if old is None else np.concatenate([old, added])

    def mask(self, visibilities: list[str], filters: SearchFilters) -> np.ndarray:
        arrays = self.arrays
        mask = (
            self.active & np.isin(arrays["visibility"], visibilities) if self.keys else self.active
        )
        if not self.keys:
            return mask
        if filters.goal:
            mask &= (arrays["goals"] & (1 << filters.goal)) != 0
        if filters.county:
            mask &= arrays["county"] == filters.county
        if filters.size:
            mask &= arrays["size"] == filters.size
        if filters.status:
            mask &= arrays["status"] == filters.status
        if filters.partner:
            mask &= np.char.find(arrays["partners"], filters.partner) >= 0
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


def _words(query: str) -> list[str]:
    # Only word characters reach the query parser: no field syntax, no regexes.
    return re.findall(r"\w+", query.lower())[:32]


def _keyword_hits(index: _Index, words: list[str], visibilities: list[str],
                  filters: SearchFilters) -> tuple[list[str], dict[str, SafeString]]:  # fmt: skip
    schema = index.schema
    searcher = index.searcher()
    clauses: list[tuple[Any, Any]] = [
        (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "visibility", visibilities))
    ]
    for name, value in filters.terms():
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value)))
    text_query = None
    if words:
        text_query = index.index.parse_query(
            " ".join(words), TEXT_FIELDS, field_boosts=FIELD_BOOSTS
        )
        clauses.append((tantivy.Occur.Must, text_query))
    query = tantivy.Query.boolean_query(clauses)
    found = searcher.search(query, KEYWORD_DEPTH, count=False).hits
    keys: list[str] = []
    highlights: dict[str, SafeString] = {}
    generator = None
    if text_query is not None:
        generator = tantivy.SnippetGenerator.create(searcher, text_query, schema, "text_nb")
        generator.set_max_num_chars(220)
    for rank, (_score, address) in enumerate(found):
        doc = searcher.doc(address)
        key = doc["key"][0]
        keys.append(key)
        if generator is not None and rank < 50:
            snippet = generator.snippet_from_doc(doc)
            if snippet.highlighted():
                highlights[key] = _mark(snippet)
    return keys, highlights


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


def _vector_hits(query: str, visibilities: list[str], filters: SearchFilters) -> list[str] | None:
    vector = embeddings.embed_query(query) if query.strip() else None
    if vector is None:
        return None
    _store.refresh()
    if not _store.keys:
        return []
    mask = _store.mask(visibilities, filters) & _store.has_vector
    candidates = np.flatnonzero(mask)
    if not len(candidates):
        return []
    # One matrix-vector product over every row, then pick: indexing the matrix first
    # would copy the candidate rows (150 MB at 100,000 projects) on every search.
    similarity = (_store.matrix @ vector)[candidates]
    # e5-small scores texts in the query's own language higher across the board; taking
    # each language's mean off puts Norwegian and English documents on one scale.
    languages = _store.arrays["language"][candidates]
    for language in ("no", "en"):
        group = languages == language
        if group.any():
            similarity[group] -= similarity[group].mean()
    depth = min(VECTOR_DEPTH, len(candidates))
    top = np.argpartition(-similarity, depth - 1)[:depth]
    top = top[np.argsort(-similarity[top])]
    return [_store.keys[candidates[i]] for i in top]


def search_projects(user: Any, query: str, filters: SearchFilters | None = None,
                    limit: int = 20, offset: int = 0) -> SearchResult:  # fmt: skip
    """Published projects this user may see, best first, fused from keyword and meaning
    rankings; `semantic` is False when the embedding model is not there."""
    from sdgnet.projects.access import published_visibilities, visible_projects

    filters = filters or SearchFilters()
    visibilities = published_visibilities(user)
    index = _get_index()
    words = _words(query)
    keyword_keys, highlights = _keyword_hits(index, words, visibilities, filters)
    vector_keys = _vector_hits(query, visibilities, filters) if words else None
    semantic = embeddings.available()
    scores: dict[str, Hit] = {}
    for rank, key in enumerate(keyword_keys, 1):
        hit = scores.setdefault(key, Hit(key, 0.0))
        hit.keyword_rank = rank
        hit.score += 1 / (RRF_K + rank)
    for rank, key in enumerate(vector_keys or [], 1):
        hit = scores.setdefault(key, Hit(key, 0.0))
        hit.vector_rank = rank
        hit.score += 1 / (RRF_K + rank)
    ranked = sorted(scores.values(), key=lambda h: (-h.score, h.keyword_rank or 10**6, h.key))
    # The index is a cache: the database decides who may see what.
    allowed = {
        p.key: p
        for p in visible_projects(user)
        .filter(key__in=[h.key for h in ranked], published=True, visibility__in=visibilities)
        .prefetch_related("goals")
    }
    ranked = [h for h in ranked if h.key in allowed]
    facets = _facet_counts([allowed[h.key] for h in ranked])
    page = ranked[offset : offset + limit]
    for hit in page:
        hit.project = allowed[hit.key]
        hit.highlight = highlights.get(hit.key)
    return SearchResult(hits=page, semantic=semantic, total=len(ranked), facets=facets)


def _facet_counts(projects: list[Project]) -> dict[str, Counter[Any]]:
    _store.refresh()
    counts: dict[str, Counter[Any]] = {
        "goal": Counter(), "county": Counter(), "size": Counter(), "status": Counter(),
        "partner": Counter(),
    }  # fmt: skip
    for project in projects:
        at = _store.position.get(project.key)
        meta = _store.meta[at] if at is not None else None
        if meta is None:
            continue
        counts["goal"].update(meta["goals"])
        counts["county"][meta["county"]] += 1
        counts["size"][meta["size"]] += 1
        counts["status"][meta["status"]] += 1
        counts["partner"].update(meta["partners"])
    return counts


__all__ = ["Hit", "SearchFilters", "SearchResult", "Visibility", "index_projects",
           "rebuild_index", "remove_projects", "search_projects"]  # fmt: skip
