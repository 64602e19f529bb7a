"""Model fields for personal data at rest (anju.crypto does the cryptography).

- `SealedField`: the value as AES-GCM ciphertext, bound to its column; read back as text
  (models, `values()`). `SealedModel.from_db` checks each value against its row's blind index;
  raw SQL sees only ciphertext (`open_value` opens it).
- `DigestField(of=..., kind=...)`: the blind index of another field, indexed; `filter(head_id=x)`
  on a sealed field with a digest compiles to `head_id_digest = blind(x)`.
- `MaskField(of=..., form=...)`: the masked form to display without decrypting.
- `IdMaskedCharField`, `IdMaskedTextField`: free text in which every ID-shaped number is
  masked on its way into the database (see `IdMasking`).

Digest and mask are computed from the clear value whenever they are read, so `save()`,
`bulk_create` and `bulk_update` (naming them among the fields) always write matching values.
"""

from django.db import models
from django.db.models import Lookup

from anju.crypto import DIGEST_LENGTH, BulkSealer, Misplaced, blind, blinder, seal, unseal
from anju.identity import mask_account, mask_id, mask_ids_in


def _mask_phone(number: str) -> str:
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


MASKS = {"id": mask_id, "account": mask_account, "phone": _mask_phone}
MASK_LENGTH = {"id": 18, "account": 40, "phone": 20}


class SealedField(models.BinaryField):
    """Text stored encrypted for this column; `kind` ("id", "account") when the model also has a
    DigestField of it, to which the ciphertext is then bound."""

    def __init__(self, *args, kind: str = "", **kwargs):
        self.kind = kind
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.kind:
            kwargs["kind"] = self.kind
        for key in ("null", "blank"):
            if kwargs.get(key) is True:
                del kwargs[key]
            else:
                kwargs[key] = False
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    @property
    def digest_field(self) -> "DigestField | None":
        for f in self.model._meta.concrete_fields:
            if isinstance(f, DigestField) and f.of == self.name:
                return f
        return None

    def seal(self, text: str) -> bytes | None:
        return seal(text, self.purpose)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, str):
            value = self.seal(value)
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        return unseal(value, self.purpose)

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return self.value_from_object(obj) or ""


class _Derived:
    """Reads as the derived value of the instance's current clear value (stored value kept in
    the instance dict for from_db)."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if self.field.of not in instance.__dict__:  # the clear value not loaded: the stored one
            return instance.__dict__.get(self.field.attname, "")
        return self.field.derive(instance.__dict__[self.field.of] or "")

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class DerivedField(models.CharField):
    """A column computed from the clear value of the field `of` (its `option`: what to compute)."""

    option = ""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        setattr(self, self.option, kwargs.pop(self.option))
        kwargs["max_length"] = self.length()
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def length(self) -> int:
        raise NotImplementedError

    def derive(self, text: str) -> str:
        raise NotImplementedError

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "blank", "editable"):
            kwargs.pop(key, None)
        kwargs.update({"of": self.of, self.option: getattr(self, self.option)})
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _Derived(self))


class DigestField(DerivedField):
    """The blind index of the field `of` (values of `kind`: "id", "account", ...)."""

    option = "kind"

    def length(self) -> int:
        return DIGEST_LENGTH

    def derive(self, text: str) -> str:
        return blind(text, self.kind)


class MaskField(DerivedField):
    """The masked form of the field `of` (`form`: "id", "account", "phone")."""

    option = "form"

    def length(self) -> int:
        return MASK_LENGTH[self.form]

    def derive(self, text: str) -> str:
        return MASKS[self.form](text)


class IdMasking:
    """Free text where staff may type an ID number (a note, a summary): every ID-shaped number
    is replaced by its masked form before it reaches the database, whatever the path (`save`,
    `QuerySet.update`, `bulk_create`, `bulk_update`), and on the saved instance as well. The
    full number is not kept by the field; where it must stay findable, the service seals it
    elsewhere first (anju.oversight.idlinks).

    Only the behaviour differs from the plain field, not the column: `deconstruct` names the
    plain Django field, so migrations see no change."""

    plain = ""

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            masked = mask_ids_in(value)
            if masked != value:
                setattr(model_instance, self.attname, masked)
            value = masked
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return mask_ids_in(value) if isinstance(value, str) else value

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, self.plain, args, kwargs


class IdMaskedCharField(IdMasking, models.CharField):
    plain = "django.db.models.CharField"


class IdMaskedTextField(IdMasking, models.TextField):
    plain = "django.db.models.TextField"


def companions(model, name: str) -> list[models.Field]:
    """The digest and mask fields of the field `name`."""
    return [f for f in model._meta.concrete_fields if isinstance(f, DerivedField) and f.of == name]


def with_companions(model, names) -> list[str]:
    names = list(names)
    return names + [
        c.name for name in names for c in companions(model, name) if c.name not in names
    ]


def sealed_fields(model) -> list[SealedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SealedField)]


class Sealer:
    """For writers of plain tuples (the imports): `columns` to name in the INSERT for the
    sealed field `name` of `model`, and `sealer(text)` the values for them (ciphertext, digest,
    mask). For a field with a blind index each distinct value is sealed once (equal values have
    equal digests anyway); `shared`, a dict handed to several sealers, computes each digest and
    mask once across them (a head's ID in the household and in the person). The key and the
    companions' functions are looked up once (a sealer lives for one import)."""

    def __init__(self, model, name: str, shared: dict | None = None):
        self.field: SealedField = model._meta.get_field(name)
        self.companions = companions(model, name)
        self.columns = [name, *(f.name for f in self.companions)]
        self.cache: dict[str, tuple] | None = {} if self.field.kind else None
        self.shared = {} if shared is None else shared
        self.seal = BulkSealer(self.field.purpose)
        # Per companion: its values by clear text (shared between sealers of the same kind of
        # value) and the function computing one.
        self.derivers = []
        for f in self.companions:
            option = getattr(f, f.option)
            derive = blinder(option) if isinstance(f, DigestField) else MASKS[option]
            self.derivers.append((self.shared.setdefault((type(f), option), {}), derive))

    def derived(self, text: str) -> tuple:
        out = []
        for known, derive in self.derivers:
            value = known.get(text)
            if value is None:
                value = known[text] = derive(text) if text else ""
            out.append(value)
        return tuple(out)

    def __call__(self, text: str) -> tuple:
        text = text or ""
        if self.cache is None:
            return (self.seal(text), *self.derived(text))
        values = self.cache.get(text)
        if values is None:
            values = self.cache[text] = (self.seal(text), *self.derived(text))
        return values


class SealedModel(models.Model):
    """Decrypts the sealed fields of every row loaded, each checked against its row's digest."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Saving a sealed field saves its digest and mask with it.
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = with_companions(type(self), fields)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        data = instance.__dict__
        for f in sealed_fields(cls):
            digest = f.digest_field
            if digest is None or f.attname not in data or digest.attname not in data:
                continue
            if blind(data[f.attname], f.kind) != (data[digest.attname] or ""):
                raise Misplaced(f"{f.purpose}: 密文与本行的索引不符（第{instance.pk}行）")
        return instance


@SealedField.register_lookup
class SealedExact(Lookup):
    """`sealed = value` answered by the blind index."""

    lookup_name = "exact"
    prepare_rhs = False

    def digest_sql(self, compiler):
        field = self.lhs.target
        digest = field.digest_field
        if digest is None:
            raise TypeError(f"{field.purpose} 没有盲索引，不能按值查找")
        return compiler.compile(digest.get_col(self.lhs.alias)), field.kind

    def as_sql(self, compiler, connection):
        (sql, params), kind = self.digest_sql(compiler)
        return f"{sql} = %s", [*params, blind(str(self.rhs), kind)]


@SealedField.register_lookup
class SealedIn(SealedExact):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        (sql, params), kind = self.digest_sql(compiler)
        values = sorted({blind(str(v), kind) for v in self.rhs})
        if not values:
            return "1 = 0", []
        return f"{sql} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


def seal_plain_columns(app_label: str, model_name: str, names: list[str]):
    """A RunPython operation for a data migration: each `<name>_plain` column (the old clear
    text) sealed into `<name>`, with its digest and mask if the model has them, in chunks."""

    def forward(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        fields = [model._meta.get_field(name) for name in names]
        derived = {f.name: companions(model, f.name) for f in fields}
        columns = [f.column for f in fields] + [c.column for f in fields for c in derived[f.name]]
        qn = schema_editor.connection.ops.quote_name
        sql = (
            f"UPDATE {qn(model._meta.db_table)} SET "  # noqa: S608 (names from the model)
            + ", ".join(f"{qn(c)} = %s" for c in columns)
            + f" WHERE {qn(model._meta.pk.column)} = %s"
        )
        Binary = schema_editor.connection.Database.Binary
        rows = model._base_manager.order_by("pk").values_list(
            "pk", *(f"{name}_plain" for name in names)
        )
        batch = []
        with schema_editor.connection.cursor() as cursor:
            for pk, *plain in rows.iterator(chunk_size=5000):
                texts = [text or "" for text in plain]
                sealed = [
                    None if not (blob := f.seal(t)) else Binary(blob)
                    for f, t in zip(fields, texts, strict=True)
                ]
                more = [
                    c.derive(t) for f, t in zip(fields, texts, strict=True) for c in derived[f.name]
                ]
                batch.append((*sealed, *more, pk))
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)

    from django.db import migrations

    return migrations.RunPython(forward, migrations.RunPython.noop)
