"""Search that never errors on what people type.

`search_terms` turns user input into safe search terms: words only (letters and digits in any script), at most
`MAX_QUERY_LENGTH` characters read and `MAX_TERMS` words kept, so quotes, operators (AND OR NOT NEAR * - ^ : ( ) ...)
and very long queries reach neither SQLite's FTS5 syntax nor PostgreSQL's tsquery syntax.

Every search box goes through it: the public site search calls it, and the Wagtail search backend configured in
settings (`WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search"}}`) applies it to every query the admin's
search boxes (pages, snippets, images, documents, model listings) send, on whichever database the portal runs.
"""

import re

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import MATCH_NONE, And, Not, Or, Phrase, PlainText

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
_WORD = re.compile(r"\w+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def search_terms(text) -> str:
    """Safe search terms from user input: words joined by spaces ("" when nothing searchable is left)."""
    words = _WORD.findall(str(text or "")[:MAX_QUERY_LENGTH].replace("_", " "))
    return " ".join([w for w in words if w.upper() not in _OPERATORS][:MAX_TERMS])


def _safe_query(query):
    """The query with every user-typed string made safe; None when nothing searchable is left."""
    if isinstance(query, str):
        return search_terms(query) or None
    if isinstance(query, PlainText):
        terms = search_terms(query.query_string)
        return PlainText(terms, operator=query.operator, boost=query.boost) if terms else None
    if isinstance(query, Phrase):
        terms = search_terms(query.query_string)
        return Phrase(terms) if terms else None
    if isinstance(query, (And, Or)):
        subqueries = [sub for sub in map(_safe_query, query.subqueries) if sub is not None]
        if len(subqueries) > 1:
            return type(query)(subqueries)
        return subqueries[0] if subqueries else None
    if isinstance(query, Not):
        subquery = _safe_query(query.subquery)
        return Not(subquery) if subquery is not None else None
    return query  # MatchAll, MatchNone: nothing typed


class SafeQueryMixin:
    """Cleans every query before the database backend compiles it."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        safe = _safe_query(query)
        # Nothing searchable left: no results (MATCH_NONE keeps the result set tied to its model, as listings expect).
        return super()._search(query_compiler_class, MATCH_NONE if safe is None else safe, model_or_queryset, **kwargs)


_SAFE_CLASSES = {}


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend module)
    """The database backend for the current database (SQLite FTS5, PostgreSQL, ...), with SafeQueryMixin."""
    backend_class = type(database_backend(params))
    if backend_class not in _SAFE_CLASSES:
        _SAFE_CLASSES[backend_class] = type(f"Safe{backend_class.__name__}", (SafeQueryMixin, backend_class), {})
    return _SAFE_CLASSES[backend_class](params)
