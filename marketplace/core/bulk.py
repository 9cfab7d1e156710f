"""Inserting many rows without a model instance per row.

`QuerySet.bulk_create` builds a model instance for every row and then asks every field of
every instance to prepare its value: at tens of thousands of rows per import batch (codes,
search values, notices, events) that preparation costs more than the database's own work.
`rows_insert` writes plain tuples: each column's value goes through its field's
`get_db_prep_save` only when the field's type needs it (dates, decimals, JSON); plain integers,
strings and booleans go as they are. Fields left out get their defaults.

No signals are sent and `save()` is not called. With `returning=True` the new primary keys
come back in the order given (multi-row VALUES ... RETURNING, what `bulk_create` relies on too,
on SQLite and PostgreSQL). Choice enums go in by `.value`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

# Field types whose Python values the database drivers take as they are.
PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}
BATCH = 2000


def _plain(field) -> bool:
    if field.get_internal_type() not in PLAIN:
        return False
    # A foreign key is plain when the column it points to is.
    target = getattr(field, "target_field", None)
    return target is None or target.get_internal_type() in PLAIN


def rows_insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    using: str | None = None,
    returning: bool = False,
) -> int | list[Any]:
    """INSERT `rows` (tuples of values in the order of `columns`, field names or attnames such
    as "opportunity_id") into `model`'s table; returns how many rows were given, or with
    `returning` the new rows' primary keys. With
    `conflict` (the unique columns) and `update`, a row whose key exists updates those columns
    instead (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike)."""
    using = using or router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    given_names = {f.attname for f in given}
    # Fields not given take their defaults (evaluated once per call, e.g. one timestamp).
    missing = [
        f
        for f in meta.concrete_fields
        if f.attname not in given_names and not (f.primary_key and f.get_internal_type() in PLAIN)
    ]
    for f in missing:
        # Text columns without a default take "" (as `bulk_create` gives them).
        if not (
            f.has_default()
            or f.null
            or f.empty_strings_allowed
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        ):
            raise ValueError(f"{meta.label}.{f.name} has no default and was not given")
    defaults = []
    for f in missing:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        else:
            value = f.get_default()
        defaults.append(f.get_db_prep_save(value, connection))
    fields = given + missing
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in fields]
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) VALUES "  # noqa: S608
    one = f"({', '.join(['%s'] * len(fields))})"
    suffix = ""
    if conflict:
        if returning:
            raise ValueError("returning is for plain inserts")
        keys = ", ".join(quote(meta.get_field(c).column) for c in conflict)
        if update:
            sets = ", ".join(
                f"{quote(meta.get_field(c).column)} = EXCLUDED.{quote(meta.get_field(c).column)}"
                for c in update
            )
            suffix = f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
        else:
            suffix = f" ON CONFLICT ({keys}) DO NOTHING"
    if returning:
        suffix = f" RETURNING {quote(meta.pk.column)}"
    adapters = adapters_for(given, connection)
    needs = [n for n, a in enumerate(adapters) if a is not None]
    tail = tuple(defaults)

    def prepared():
        for row in rows:
            if needs:
                row = list(row)
                for n in needs:
                    row[n] = adapters[n](row[n])
            yield (*row, *tail)

    if connection.vendor == "postgresql" and not conflict:
        return _copy(connection, meta, fields, prepared(), returning=returning)
    # SQLite runs in this process: one statement executed per row is cheapest. Inserts that
    # return their keys, and upserts on PostgreSQL, go in many rows per statement.
    many_per_statement = returning or connection.vendor != "sqlite"
    limit = connection.features.max_query_params or 65535
    size = max(1, min(BATCH, limit // len(fields))) if many_per_statement else BATCH
    ids: list[Any] = []
    count = 0
    with connection.cursor() as cursor:
        for batch in _chunks(prepared(), size):
            count += len(batch)
            if not many_per_statement:
                cursor.executemany(head + one + suffix, batch)
                continue
            cursor.execute(
                head + ", ".join([one] * len(batch)) + suffix,
                [value for row in batch for value in row],
            )
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids if returning else count


def _copy(connection, meta, fields, rows, *, returning: bool) -> int | list[Any]:
    """PostgreSQL: the rows go in with COPY (no statement to parse per row or per batch). To
    return keys, they are taken from the primary key's sequence first and written with the
    rows, in the order given."""
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fields]
    rows = list(rows)
    ids: list[Any] = []
    # The driver's own cursor, for copy(); its errors as Django's (IntegrityError, ...).
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        if returning and rows:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, quote(meta.pk.column))
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        if rows:
            sql = f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
    return ids if returning else len(rows)


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def adapters_for(fields, connection) -> list:
    """Per column: None when the driver takes the value as it is, else its adapter."""
    return [None if _plain(f) else _adapter(f, connection) for f in fields]


def _adapter(field, connection):
    prepare = field.get_db_prep_save
    if field.get_internal_type() != "DateTimeField":
        return lambda value: prepare(value, connection)
    # Aware datetimes (what the code writes) straight to the backend's adapter, each distinct
    # value once (a batch repeats its timestamps); anything else the field's full way.
    adapt = connection.ops.adapt_datetimefield_value
    seen: dict = {}

    def datetime_value(value):
        if value is None:
            return None
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            try:
                return seen[value]
            except KeyError:
                seen[value] = adapted = adapt(value)
                return adapted
        return prepare(value, connection)

    return datetime_value
