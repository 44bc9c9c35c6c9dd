"""Keyset ("cursor") pagination: a page is found by the sort key of the row it starts after, not by OFFSET.

With OFFSET the database reads and throws away every row before the page, so the last page of 20,000 rows costs
20,000 rows; with a key it starts where the index says and reads one page. Links carry an opaque cursor
(`?after=…` / `?before=…`), `?last=1` opens the last page, and the old `?page=N` still works (by OFFSET) so
bookmarks keep working. Filters in the query string are kept on every link.

    keys = [Key("submitted_at", descending=True, nullable=True), Key("pk", descending=True)]
    page = paginate(queryset, keys, request.GET, per_page=20)
    page.object_list, page.next_url, page.previous_url, page.first_url, page.last_url

The last key must be unique (the primary key), so the order is total. Keys follow the database's own NULL order
(`connection.features.nulls_order_largest`) so the ORDER BY matches plain B-tree indexes.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Q
from django.http import QueryDict

CURSOR_PARAMS = ("after", "before", "last", "page")
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Key:
    path: str  # an ORM path usable in order_by() and filter(), e.g. "submitted_at" or "organisation__legal_name"
    descending: bool = False
    nullable: bool = False

    def order(self, forward=True):
        expression = F(self.path)
        return expression.desc() if self.descending == forward else expression.asc()


def ordering(keys, forward=True) -> list:
    return [key.order(forward) for key in keys]


# --- cursors ----------------------------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def encode_cursor(values) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _field(model, path):
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        model = field.related_model or model
    return field


def decode_cursor(model, keys, token):
    """The key values a cursor carries, parsed by the model's fields; None if the cursor is not one of ours."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        parsed = []
        for key, value in zip(keys, values):
            if value is None:
                if not key.nullable:
                    return None
                parsed.append(None)
                continue
            field = _field(model, key.path)
            target = field.target_field if field.is_relation else field
            parsed.append(target.to_python(value))
        return parsed
    except (binascii.Error, ValueError, TypeError, ValidationError, FieldDoesNotExist, UnicodeDecodeError):
        return None


# --- filters ----------------------------------------------------------------------------------------------------------


def _beyond(key, value, larger, nulls_high):
    """Rows whose `key` is strictly larger (or smaller) than `value`, NULL counted as the database orders it."""
    if value is None:
        return Q(**{f"{key.path}__isnull": False}) if larger != nulls_high else NOTHING
    q = Q(**{f"{key.path}__{'gt' if larger else 'lt'}": value})
    if key.nullable and larger == nulls_high:
        q |= Q(**{f"{key.path}__isnull": True})
    return q


def _at_least(key, value, larger, nulls_high):
    """Rows whose `key` is equal to or beyond `value`: a bound the index can start from."""
    if value is None:
        return Q(**{f"{key.path}__isnull": True}) if larger == nulls_high else Q()
    q = Q(**{f"{key.path}__{'gte' if larger else 'lte'}": value})
    if key.nullable and larger == nulls_high:
        q |= Q(**{f"{key.path}__isnull": True})
    return q


def _same(key, value):
    return Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})


def beyond(keys, values, *, forward=True, using="default") -> Q:
    """The rows strictly after the row whose key values are `values` in the order of `keys` (before it with
    forward=False): (k1 > v1) or (k1 = v1 and k2 > v2) or …, plus a plain bound on k1 so the index can seek."""
    nulls_high = connections[using].features.nulls_order_largest
    q = NOTHING
    equal = Q()
    for key, value in zip(keys, values):
        larger = key.descending != forward
        q |= equal & _beyond(key, value, larger, nulls_high)
        equal &= _same(key, value)
    first = keys[0]
    return _at_least(first, values[0], first.descending != forward, nulls_high) & q


# --- pages ------------------------------------------------------------------------------------------------------------


def _value(row, path):
    if isinstance(row, dict):
        return row[path]
    for part in path.split("__"):
        row = getattr(row, part)
        if row is None:
            return None
    return row


class KeysetPage:
    def __init__(self, rows, *, keys, params, has_next, has_previous, is_first, from_end=False):
        self.object_list = rows  # callers may replace it (e.g. by the objects the rows stand for)
        # Read backwards from the end (?last=1 or a ?before= cursor): the page is nearer the end than the start the way
        # the user came, so figures about the rows around it (ranks, running totals) are cheaper counted from the end.
        self.from_end = from_end
        self._edges = (rows[0], rows[-1]) if rows else None  # the rows whose keys the previous/next cursors carry
        self.keys = keys
        self.has_next = has_next
        self.has_previous = has_previous
        self.is_first = is_first
        base = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
        if not isinstance(params, QueryDict):
            base.update(params)
        for name in CURSOR_PARAMS:
            base.pop(name, None)
        self._base = base

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def key_values(self, row):
        return [_value(row, key.path) for key in self.keys]

    def _url(self, **extra):
        query = self._base.copy()
        for name, value in extra.items():
            query[name] = value
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def first_url(self):
        return self._url()

    @property
    def last_url(self):
        return self._url(last="1")

    @property
    def next_url(self):
        if not self.has_next or self._edges is None:
            return None
        return self._url(after=encode_cursor(self.key_values(self._edges[1])))

    @property
    def previous_url(self):
        if not self.has_previous or self._edges is None:
            return None
        return self._url(before=encode_cursor(self.key_values(self._edges[0])))

    def first_key_values(self):
        """The key values of the page's first row (None for an empty page): e.g. to count or sum the rows before it."""
        return self.key_values(self._edges[0]) if self._edges else None

    @property
    def filters_query(self):
        """The query string without the page's cursor (for export links and the like)."""
        return self._base.urlencode()


def paginate(queryset, keys, params, *, per_page) -> KeysetPage:
    """One page of `queryset` in the order of `keys`, from the cursor in `params` (a QueryDict such as request.GET).
    One query per page, whatever the depth (the `?page=N` fallback reads N × per_page rows)."""
    model, using = queryset.model, queryset.db
    after = decode_cursor(model, keys, params.get("after"))
    before = None if after else decode_cursor(model, keys, params.get("before"))
    forward_order, backward_order = ordering(keys, True), ordering(keys, False)

    def page(rows, **flags):
        return KeysetPage(rows, keys=keys, params=params, **flags)

    if after is not None:
        rows = list(
            queryset.filter(beyond(keys, after, forward=True, using=using)).order_by(*forward_order)[: per_page + 1]
        )
        return page(rows[:per_page], has_next=len(rows) > per_page, has_previous=True, is_first=False)
    if before is not None or params.get("last") == "1":
        backward = queryset if before is None else queryset.filter(beyond(keys, before, forward=False, using=using))
        rows = list(backward.order_by(*backward_order)[: per_page + 1])
        if rows or before is None:
            rows_shown = rows[:per_page][::-1]
            return page(
                rows_shown,
                has_next=before is not None,
                has_previous=len(rows) > per_page,
                is_first=False,
                from_end=True,
            )
        # Nothing before the cursor any more (rows were deleted): show the first page.
    try:
        number = max(int(params.get("page") or 1), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page  # an old ?page=N link: OFFSET, still valid
    rows = list(queryset.order_by(*forward_order)[start : start + per_page + 1])
    return page(rows[:per_page], has_next=len(rows) > per_page, has_previous=number > 1, is_first=number == 1)


class KeysetPaginator:
    """`paginate` for an ordering written as in `order_by()`, over fields that are never NULL:

    page = KeysetPaginator(qs, ordering=("-created_at", "-pk"), per_page=50).page(request.GET)
    {% include "portal/keyset_pagination.html" with page_obj=page %}
    """

    def __init__(self, queryset, *, ordering, per_page=50):
        self.queryset = queryset
        self.per_page = per_page
        self.keys = [Key(name.lstrip("-"), descending=name.startswith("-")) for name in ordering]

    def page(self, params) -> KeysetPage:
        return paginate(self.queryset, self.keys, params, per_page=self.per_page)

    def cursor_for(self, row) -> str:
        """The `?after=` cursor of `row`: the page after it."""
        return encode_cursor([_value(row, key.path) for key in self.keys])
