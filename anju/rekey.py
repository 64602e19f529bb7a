# ruff: noqa: S608  (table and column names come from the models)
"""`anju rekey`: every sealed value moved to the current field key, every blind index and mask
rebuilt under the current index key.

Reads each table by primary key in chunks, each chunk its own transaction, and rewrites only
the rows not already current: interrupted, it is run again and carries on; run again when done,
it rewrites nothing. A stored index that matches the value under neither the current nor an old
index key means a ciphertext was moved into this row: the command stops and names it.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from anju.audit.models import Action
from anju.audit.services import audit
from anju.crypto import Misplaced, blind, keyring, seal, sealed_with_current, unseal
from anju.sealed import companions, sealed_fields

# Sealed by hand before the field types existed (anju.portal): table, column, purpose.
OTHER_COLUMNS = [
    ("portal_publicreport", "reporter_name", "portal.reporter_name"),
    ("portal_publicreport", "reporter_phone", "portal.reporter_phone"),
]


@dataclass
class Column:
    name: str
    purpose: str
    kind: str = ""
    digest: str = ""  # the digest column, if any
    derived: list = field(default_factory=list)  # (column, function of the clear text)


@dataclass
class Table:
    name: str
    pk: str
    columns: list[Column] = field(default_factory=list)


def tables() -> list[Table]:
    found: dict[str, Table] = {}
    for model in apps.get_models():
        for f in sealed_fields(model):
            table = found.setdefault(
                model._meta.db_table, Table(model._meta.db_table, model._meta.pk.column)
            )
            derived = companions(model, f.name)
            digest = next((c.column for c in derived if c.name.endswith("_digest")), "")
            table.columns.append(
                Column(
                    f.column,
                    f.purpose,
                    kind=f.kind,
                    digest=digest,
                    derived=[(c.column, c.derive) for c in derived],
                )
            )
    for name, column, purpose in OTHER_COLUMNS:
        found.setdefault(name, Table(name, "id")).columns.append(Column(column, purpose))
    return list(found.values())


def _row_update(table: Table, row: dict) -> dict:
    """The values of `row` to rewrite ({} if it is current)."""
    ring = keyring()
    changes = {}
    for column in table.columns:
        blob = row[column.name]
        if not blob:
            continue
        text = unseal(blob, column.purpose)
        if not sealed_with_current(blob):
            changes[column.name] = seal(text, column.purpose)
        if column.digest:
            stored = row[column.digest] or ""
            if stored != blind(text, column.kind) and stored not in {
                blind(text, column.kind, key) for key in ring.old_index_keys
            }:
                raise Misplaced(f"{table.name} 第{row[table.pk]}行 {column.name}：密文与索引不符")
        for name, derive in column.derived:
            value = derive(text)
            if row[name] != value:
                changes[name] = value
    return changes


def rekey(*, actor, chunk: int = 2000, progress=lambda table, done: None) -> dict[str, int]:
    """Rewrite what is not under the current keys; {table: rows rewritten}."""
    quote = connection.ops.quote_name
    rewritten: dict[str, int] = {}
    for table in tables():
        names = [table.pk] + [
            n for c in table.columns for n in [c.name, *(d for d, _ in c.derived)]
        ]
        select = (
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table.name)} "
            f"WHERE {quote(table.pk)} > %s ORDER BY {quote(table.pk)}"
        )
        if connection.vendor == "postgresql":
            select += " FOR UPDATE"
        count, last = 0, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"{select} LIMIT {int(chunk)}", [last])
                rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
                for row in rows:
                    changes = _row_update(table, row)
                    if changes:
                        cursor.execute(
                            f"UPDATE {quote(table.name)} SET "
                            + ", ".join(f"{quote(n)} = %s" for n in changes)
                            + f" WHERE {quote(table.pk)} = %s",
                            [*changes.values(), row[table.pk]],
                        )
                        count += 1
            if not rows:
                break
            last = rows[-1][table.pk]
            progress(table.name, count)
        rewritten[table.name] = count
    ring = keyring()
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.UPDATE,
            obj="字段加密密钥轮换",
            region_code="",
            after={
                "key_id": ring.current_id.hex(),
                "index_key_id": ring.index_id,
                "rows_rewritten": rewritten,
            },
        )
    return rewritten
