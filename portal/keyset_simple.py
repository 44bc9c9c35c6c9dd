"""Keyset ("cursor") pagination for long staff lists, so the 400th page costs what the first does: the money lists'
version (donations, ledger, account, payouts, grant payments), for orderings over non-null fields. portal/keyset.py is
the general one (nullable keys, last page, old ?page=N links) that the grant lists use; this one is to be folded into
it (its KeysetPaginator becoming a thin front over `keyset.paginate`).

A page is asked for with `?after=<cursor>` (the rows after the last row shown) or `?before=<cursor>` (the rows before
the first row shown); a cursor is the row's sort key, its values joined by commas (e.g. `2026-12-06T09:00:00+00:00,42`).
The database reads `per_page + 1` rows from an index matching the ORDER BY (one row more tells whether there is a next
page) and never counts the whole table or skips rows with OFFSET.

    page = KeysetPaginator(qs, ordering=("-created_at", "-pk"), per_page=50).page(request.GET)
    {% include "includes/keyset_nav.html" with page=page %}

Rules: the ordering ends with a unique field (normally the primary key), its fields are never NULL, and an index
matches it (e.g. `Index(fields=["-created_at", "-id"])`) for the speed. Other GET parameters (filters) are kept in
the Previous/Next links. A cursor that does not parse is ignored (the first page is shown).
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

AFTER = "after"
BEFORE = "before"


def _field(model, name):
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _value(obj, name):
    return obj.pk if name == "pk" else getattr(obj, name)


def encode_cursor(values) -> str:
    parts = []
    for value in values:
        if isinstance(value, (datetime, date)):
            parts.append(value.isoformat())
        elif isinstance(value, Decimal):
            parts.append(format(value, "f"))
        else:
            parts.append(str(value))
    return ",".join(parts)


def decode_cursor(model, fields, cursor: str):
    """The cursor's values converted by their model fields, or None when it does not parse. The first field's value
    may contain commas (e.g. a text sort key); the others are split off from the right."""
    parts = cursor.rsplit(",", len(fields) - 1)
    if len(parts) != len(fields):
        return None
    try:
        values = [_field(model, name).to_python(part) for name, part in zip(fields, parts, strict=True)]
    except (ValidationError, ValueError, TypeError):
        return None
    return None if any(v is None for v in values) else values


def _beyond(fields, descending, values):
    """Rows strictly after `values` in the ordering (fields with their directions): the expanded row comparison
    (a < x) OR (a = x AND b < y) ..., plus a redundant bound on the first field (a <= x) that lets the database start
    its index scan at the cursor instead of filtering from the top."""
    cond = Q()
    for i, (name, desc) in enumerate(zip(fields, descending, strict=True)):
        term = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for prior, prior_value in zip(fields[:i], values[:i], strict=True):
            term &= Q(**{prior: prior_value})
        cond |= term
    first_bound = Q(**{f"{fields[0]}__{'lte' if descending[0] else 'gte'}": values[0]})
    return first_bound & cond


class KeysetPage:
    """One page: iterate it (or its `object_list`); `has_next`/`has_previous`, and `next_query`/`previous_query` (the
    query strings of the Next/Previous links, filters kept)."""

    def __init__(self, object_list, *, next_cursor, previous_cursor, params):
        self.object_list = object_list
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor
        self._params = params

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _query(self, key, cursor):
        params = self._params.copy()
        params[key] = cursor
        return params.urlencode()

    @property
    def next_query(self) -> str:
        return self._query(AFTER, self.next_cursor) if self.has_next else ""

    @property
    def previous_query(self) -> str:
        return self._query(BEFORE, self.previous_cursor) if self.has_previous else ""


class KeysetPaginator:
    def __init__(self, queryset, *, ordering, per_page=50):
        self.queryset = queryset
        self.per_page = per_page
        self.fields = [f.lstrip("-") for f in ordering]
        self.descending = [f.startswith("-") for f in ordering]
        self.ordering = list(ordering)
        self.reversed_ordering = [f.lstrip("-") if f.startswith("-") else f"-{f}" for f in ordering]

    def cursor_for(self, obj) -> str:
        return encode_cursor([_value(obj, name) for name in self.fields])

    def _rows(self, qs, ordering):
        return list(qs.order_by(*ordering)[: self.per_page + 1])

    def page(self, params) -> KeysetPage:
        """The page asked for by `params` (a QueryDict, normally request.GET): two queries at most (one, except going
        back to a short first page), whatever the number of rows."""
        model = self.queryset.model
        kept = params.copy()
        for key in (AFTER, BEFORE, "page"):
            kept.pop(key, None)
        after = decode_cursor(model, self.fields, params.get(AFTER, "")) if params.get(AFTER) else None
        before = decode_cursor(model, self.fields, params.get(BEFORE, "")) if params.get(BEFORE) else None

        if before is not None:
            flipped = [not d for d in self.descending]
            rows = self._rows(self.queryset.filter(_beyond(self.fields, flipped, before)), self.reversed_ordering)
            more_before = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            if more_before or len(rows) == self.per_page:
                return KeysetPage(
                    rows,
                    next_cursor=self.cursor_for(rows[-1]) if rows else None,
                    previous_cursor=self.cursor_for(rows[0]) if more_before else None,
                    params=kept,
                )
            # Back at the start with a short page: show the first page, full.
            after = None

        qs = self.queryset if after is None else self.queryset.filter(_beyond(self.fields, self.descending, after))
        rows = self._rows(qs, self.ordering)
        more_after = len(rows) > self.per_page
        rows = rows[: self.per_page]
        return KeysetPage(
            rows,
            next_cursor=self.cursor_for(rows[-1]) if more_after else None,
            previous_cursor=self.cursor_for(rows[0]) if after is not None and rows else None,
            params=kept,
        )
