"""`anju import households FILE` and the upload page: the household archive file (CONTRACT.md),
one row per renovation record, all or nothing, every bad row named as `row N: column: message`.
Reading and checking the rows is `anju.households.archive_file`; this module writes them."""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from anju.audit.models import Action
from anju.audit.services import audit
from anju.households.archive_file import Record, parse_archive, silent
from anju.households.cases import cases_from_import
from anju.households.choices import CATEGORY_DEPARTMENT, NEW_HOUSE_METHODS, Structure
from anju.households.events import archive_imported, assessments_recorded
from anju.households.facts import FIELDS as FACTS
from anju.households.facts import facts_refresh, new_household_facts
from anju.households.models import (
    Assessment,
    CategoryRecord,
    House,
    Household,
    HouseholdState,
    ImportBatch,
    Person,
    Renovation,
)
from anju.households.warnings import import_warnings
from anju.sealed import Sealer
from anju.tabular.errors import RowError, RowWarning
from anju.tabular.inserts import bulk_load, insert_rows, key_table, no_gc, reserve_ids
from anju.tabular.limits import Limits, max_errors


@dataclass
class ImportResult:
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    renovations_created: int = 0
    renovations_updated: int = 0
    cases_opened: int = 0  # renovation cases opened by the file's grade C/D assessments
    errors: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None
    # How many errors there were in all: `errors` keeps the first IMPORT_MAX_ERRORS of them.
    error_count: int = 0
    # The file itself was refused (unsafe, over the caps, unreadable): none of its rows was read.
    refused: bool = False
    # Rows imported that look wrong (anju.households.warnings): the first IMPORT_MAX_ERRORS of
    # them, and how many there were in all.
    warnings: list[RowWarning] = field(default_factory=list)
    warning_count: int = 0
    # Asked to stop if there were warnings, and there were: nothing written.
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stopped

    @property
    def warnings_left_out(self) -> int:
        return max(0, self.warning_count - len(self.warnings))

    @property
    def errors_left_out(self) -> int:
        return max(0, self.error_count - len(self.errors))


def _assign(instance, values: dict) -> bool:
    """Set `values` on `instance`; True if anything differed (only those rows are rewritten,
    so re-importing an unchanged archive writes almost nothing)."""
    altered = False
    for key, value in values.items():
        current = getattr(instance, key)
        if isinstance(current, Decimal) and value is not None:
            same = current == Decimal(value)
        else:
            same = current == value
        if not same:
            setattr(instance, key, value)
            altered = True
    return altered


def _retired(records: list[Record], households: dict[str, Household]) -> list[RowError]:
    """Rows of a household merged into another or withdrawn (anju.households.merges): its ID is
    the kept household's former one, or it was entered by mistake; the import does not bring it
    back behind the reviewer's back."""
    errors = []
    for record in records:
        household = households.get(record.head_id)
        if household is None or household.state == HouseholdState.ACTIVE:
            continue
        if household.state == HouseholdState.MERGED:
            why = (
                "该户已作为重复建档并入另一户，这是那一户的曾用号码：请改用保留户的身份证号，"
                "或先在该户页面申请撤销合并"
            )
        else:
            why = "该户已作为误建撤销：如需恢复，请先在该户页面申请恢复"
        errors.append(RowError(record.row, "户主身份证号", f"「{household.head_id_masked}」{why}"))
    return errors


def _locked_changes(
    records: list[Record], households: dict[str, Household], known
) -> list[RowError]:
    """Once a renovation is approved, its household's account and its subsidy change only
    through a change request (a second pair of eyes): an import may not alter them."""
    approved: dict[tuple[int, int], int] = {}
    for household_id, year, subsidy in Renovation.objects.filter(
        household__in=known, approved_on__isnull=False
    ).values_list("household_id", "year", "subsidy_fen"):
        approved[(household_id, year)] = subsidy
    locked = {household_id for household_id, _ in approved}
    errors = []
    for record in records:
        household = households.get(record.head_id)
        if household is None or household.pk not in locked:
            continue
        if (
            record.account
            and household.account_number
            and record.account != household.account_number
        ):
            errors.append(
                RowError(record.row, "一卡通账号", "该户改造已审批，账号须通过变更申请修改")
            )
        stored = approved.get((household.pk, record.year))
        if stored is not None and stored != record.subsidy_fen:
            errors.append(
                RowError(
                    record.row,
                    "补助金额(元)",
                    f"{record.year}年度改造已审批（{stored / 100:.2f} 元），金额须通过变更申请修改",
                )
            )
    return errors


def import_households(
    *,
    actor,
    data: bytes,
    file_name: str,
    progress=silent,
    limits: Limits | None = None,
    recorded=None,
    stop_on_warnings: bool = False,
) -> ImportResult:
    """Read the whole file first; write only if every row is good, in one transaction.

    Rows that are good but look wrong come back as `warnings`; with `stop_on_warnings` any
    warning stops the import before it writes (`stopped`).

    `limits`: the caps of the file (default: the settings' for household archives).
    `recorded(result)`, if given, is called inside the import's transaction once everything is
    written, so that what it records (the upload's outcome) commits with the rows or not at all.

    New rows go in as plain tuples with keys reserved up front (anju.tabular.inserts); rows
    already in the archive are compared field by field and only those that differ are updated,
    so re-importing an unchanged archive writes nothing. `progress(percent, stage)` is called
    along the way (outside any transaction's reach: it must not write to the database)."""
    with no_gc():
        return _import(
            actor=actor,
            data=data,
            file_name=file_name,
            progress=progress,
            limits=limits,
            recorded=recorded,
            stop_on_warnings=stop_on_warnings,
        )


def _sealers() -> tuple[Sealer, Sealer, Sealer]:
    """The sealers of the head's ID (household, person) and the account: each digest and mask
    of an ID computed once for both."""
    shared: dict = {}
    return (
        Sealer(Household, "head_id", shared),
        Sealer(Person, "id_number", shared),
        Sealer(Household, "account_number"),
    )


def _seal_part(records: list[Record]) -> tuple[dict, dict]:
    """Ciphertexts, blind indexes and masks of the head IDs (household's and person's, one
    tuple) and the accounts of `records`, computed where the rows were checked
    (`parse_archive`'s `also`: in the forked child for the second half of a large file).
    Its sealers are made here, after the fork, each with its own nonces."""
    heads, people, accounts = _sealers()
    ids = {h: (*heads(h), *people(h)) for h in dict.fromkeys(r.head_id for r in records)}
    return ids, {r.account: accounts(r.account) for r in records if r.account}


def _import(
    *, actor, data: bytes, file_name: str, progress, limits, recorded, stop_on_warnings
) -> ImportResult:
    """Read and check the file (and seal its IDs where the rows were checked), check it against
    the archive, write it, announce it: each a step below."""
    parsed = parse_archive(data, progress, also=_seal_part, limits=limits)
    records, errors, extras = parsed.records, parsed.errors, parsed.extras
    result = ImportResult(
        rows=len(records) + len({e.row for e in errors}),
        errors=errors,
        error_count=parsed.error_count or len(errors),
        refused=parsed.refused,
    )
    if errors:
        return result
    progress(50, "写入数据库")
    latest = _latest(records)
    sealed = _seal(latest, extras)
    with bulk_load(), transaction.atomic(), key_table(sealed.head_of) as head_digests:
        # The archive's households already on record, found by joining the file's head IDs'
        # blind indexes (the ID itself is known: it is not decrypted).
        # (Merged away or withdrawn ones too: the ID is theirs, and the row is refused.)
        known = Household.everything.filter(head_id_digest__in=RawSQL(head_digests, ()))  # noqa: S611 (our own table name)
        existing = {sealed.head_of[h.head_id_digest]: h for h in known.defer("head_id")}
        regions_before = {h.region_id for h in existing.values()}
        locked = _retired(records, existing) or _locked_changes(records, existing, known)
        if locked:
            result.errors, result.error_count = locked[: max_errors()], len(locked)
            return result
        warned = import_warnings(records, (h for h in latest if h not in existing))
        result.warnings, result.warning_count = warned[: max_errors()], len(warned)
        if warned and stop_on_warnings:
            result.stopped = True
            return result
        batch = ImportBatch.objects.create(
            file_name=file_name[:200],
            rows=len(records),
            sha256=hashlib.sha256(data).hexdigest(),
            actor_name=actor if isinstance(actor, str) else actor.get_username(),
        )
        written = _write(actor, records, latest, sealed, batch, existing, known, progress)
        result.households_created = len(written.new)
        result.households_updated = len(written.dirty)
        result.renovations_created = written.renovations_created
        result.renovations_updated = written.renovations_updated
        result.cases_opened = written.cases
        result.batch = batch
        if recorded is not None:
            recorded(result)
        _announce(actor, batch, written, regions_before, latest, existing)
    progress(100, "完成")
    return result


def _latest(records: list[Record]) -> dict[str, Record]:
    """Each household's particulars: its latest row."""
    latest: dict[str, Record] = {}
    for record in records:
        current = latest.get(record.head_id)
        if current is None or (record.year or 0, record.row) > (current.year or 0, current.row):
            latest[record.head_id] = record
    return latest


@dataclass
class _Sealed:
    """The file's IDs and accounts as stored: ciphertext, blind index and mask of each."""

    heads: Sealer
    people: Sealer
    accounts: Sealer
    ids: dict[str, tuple]  # head ID -> household's columns, then the person's
    account_values: dict[str, tuple]
    width: int  # how many of `ids`' values are the household's
    head_values: dict[str, tuple]  # head ID -> the household's columns
    head_of: dict[str, str]  # blind index -> head ID


def _seal(latest: dict[str, Record], extras) -> _Sealed:
    """Sealed once per value where the rows were checked (`_seal_part`): ciphertext, blind
    index and mask of each head's ID (as the household's and as the person's) and of each
    account."""
    heads, people, accounts = _sealers()
    sealed_ids: dict[str, tuple] = {}
    sealed_accounts: dict[str, tuple] = {"": accounts("")}
    for ids, accounts_sealed in extras:
        sealed_ids.update(ids)
        sealed_accounts.update(accounts_sealed)
    width = len(heads.columns)
    sealed_heads = {head_id: sealed_ids[head_id][:width] for head_id in latest}
    head_of = {values[1]: head_id for head_id, values in sealed_heads.items()}
    return _Sealed(
        heads, people, accounts, sealed_ids, sealed_accounts, width, sealed_heads, head_of
    )


@dataclass
class _Written:
    """What `_write` wrote, for the announcements, the audit entry and the result."""

    new: list[Record]  # the new households' latest rows, in the order of their keys
    new_keys: list[int]
    dirty: list[Household]
    renovations_created: int
    renovations_updated: int
    # The new households' assessment dates and renovations, for the overview's summary.
    added: dict[int, tuple[list, list]]
    cases: int = 0  # renovation cases opened by grade C/D assessments


RENOVATION_FIELDS = [
    "method",
    "approved_on",
    "started_on",
    "completed_on",
    "accepted_on",
    "built_area",
    "has_toilet",
    "subsidy_fen",
]


def _write(actor, records, latest, sealed: _Sealed, batch, existing, known, progress) -> _Written:
    """Households, their people and houses, categories, assessments and renovations: new ones
    inserted in key order, known ones updated where a value differs."""
    dirty = _update_households(existing, latest, batch)
    # New households in the order of their IDs' blind index, their keys reserved in that
    # order: then every index the new rows enter (household and person ID digests, the keys,
    # renovations and categories by household, houses and assessments) is entered in key
    # order, a page at a time, instead of at random places all over a million-row B-tree.
    new = sorted(
        (r for head_id, r in latest.items() if head_id not in existing),
        key=lambda r: sealed.head_values[r.head_id][1],
    )
    new_keys = reserve_ids(Household, len(new))
    household_pk = {head_id: h.pk for head_id, h in existing.items()}
    household_pk.update(zip((r.head_id for r in new), new_keys, strict=True))
    # What the archive holds already, read before the new households enter `known`'s join.
    on_record = _on_record(existing, known)
    homeless = sorted(
        (r for r in latest.values() if r.head_id not in on_record.old_house),
        key=lambda r: household_pk[r.head_id],
    )
    house_keys = reserve_ids(House, len(homeless))
    _insert_households(records, new, new_keys, sealed, batch)
    progress(65, "写入数据库")
    insert_rows(
        House,
        ["id", "household_id", "structure"],
        (
            (pk, household_pk[r.head_id], r.structure)
            for pk, r in zip(house_keys, homeless, strict=True)
        ),
    )
    on_record.old_house.update(zip((r.head_id for r in homeless), house_keys, strict=True))
    added: dict[int, tuple[list, list]] = {pk: ([], []) for pk in new_keys}
    # By household (stable: a household's own rows keep the file's order), so that the
    # children below go into their indexes in key order too.
    records = sorted(records, key=lambda r: household_pk[r.head_id])
    assessed = _insert_categories_and_assessments(records, household_pk, on_record, added)
    progress(85, "写入数据库")
    created, updated = _write_renovations(records, household_pk, on_record, batch, added)
    _insert_new_houses(records, household_pk, on_record)
    # Grade C/D newly on record opens a renovation case, as when recorded on the form.
    cases = cases_from_import(
        actor=actor, batch=batch, assessed=_unanswered(assessed, records, household_pk, on_record)
    )
    # Households already on record may have new assessments and renovations.
    facts_refresh(h.pk for h in existing.values())
    return _Written(new, new_keys, dirty, created, updated, added, cases)


def _update_households(existing: dict[str, Household], latest, batch) -> list[Household]:
    """Known households updated where a value of their latest row differs."""
    dirty = []
    for head_id, household in existing.items():
        record = latest[head_id]
        values = {
            "region_id": record.region,
            "head_name": record.head_name,
            "head_id_valid": record.id_valid,
            "size": record.size,
        }
        if record.account:
            values.update(account_number=record.account, account_holder=record.head_name)
        if _assign(household, {k: v for k, v in values.items() if v is not None}):
            household.batch = batch
            dirty.append(household)
    Household.objects.bulk_update(
        dirty,
        [
            "region_id",
            "head_name",
            "head_id_valid",
            "size",
            "account_number",
            "account_number_digest",
            "account_number_masked",
            "account_holder",
            "batch",
        ],
        batch_size=2000,
    )
    return dirty


@dataclass
class _OnRecord:
    """The known households' houses, categories, assessments and renovations."""

    old_house: dict[str, int]  # the old house (the one assessed) of each household
    new_house: set[int]  # the households that have a new house on record
    categories: set
    assessments: set
    renovations: dict


def _on_record(existing: dict[str, Household], known) -> _OnRecord:
    """Read while `known` (a join on the file's head IDs) still finds only the households that
    were on record before this import."""
    old_house: dict[str, int] = {}
    known_pks = {h.pk: head_id for head_id, h in existing.items()}
    for pk, household_id in (
        House.objects.filter(household__in=known, is_new=False)
        .order_by("pk")
        .values_list("pk", "household_id")
    ):
        old_house.setdefault(known_pks[household_id], pk)
    categories = set(
        CategoryRecord.objects.filter(household__in=known).values_list("household_id", "category")
    )
    assessments = set(
        Assessment.objects.filter(house__household__in=known).values_list(
            "house_id", "grade", "assessed_on"
        )
    )
    renovations = {
        (r.household_id, r.year): r for r in Renovation.objects.filter(household__in=known)
    }
    new_house = set(
        House.objects.filter(household__in=known, is_new=True).values_list(
            "household_id", flat=True
        )
    )
    return _OnRecord(old_house, new_house, categories, assessments, renovations)


def _insert_households(records, new, new_keys, sealed: _Sealed, batch) -> None:
    """The new households, with their list facts from their rows of the file
    (anju.households.facts), and each head as the household's first person."""
    rows_of: dict[str, list] = {r.head_id: [] for r in new}
    for record in records:
        if record.head_id in rows_of:
            rows_of[record.head_id].append(record)
    insert_rows(
        Household,
        [
            "id",
            "region_id",
            "head_name",
            *sealed.heads.columns,
            "head_id_valid",
            "size",
            *sealed.accounts.columns,
            "account_holder",
            "batch_id",
            *FACTS,
        ],
        (
            (
                pk,
                r.region,
                r.head_name,
                *sealed.head_values[r.head_id],
                r.id_valid,
                r.size,
                *sealed.account_values[r.account],
                r.head_name if r.account else "",
                batch.pk,
                *new_household_facts(rows_of[r.head_id]),
            )
            for pk, r in zip(new_keys, new, strict=True)
        ),
    )
    insert_rows(
        Person,
        ["household_id", "name", *sealed.people.columns, "id_valid", "relation"],
        (
            (pk, r.head_name, *sealed.ids[r.head_id][sealed.width :], r.id_valid, "户主")
            for pk, r in zip(new_keys, new, strict=True)
        ),
    )


def _insert_categories_and_assessments(records, household_pk, on_record: _OnRecord, added):
    """Categories and assessments not already on record."""
    categories, assessments = [], []
    for record in records:
        pk = household_pk[record.head_id]
        for category in record.categories:
            if (pk, category) not in on_record.categories:
                on_record.categories.add((pk, category))
                categories.append(
                    (
                        pk,
                        category,
                        CATEGORY_DEPARTMENT[category],
                        record.approved_on or record.assessed_on,
                    )
                )
        if record.grade:
            key = (on_record.old_house[record.head_id], record.grade, record.assessed_on)
            if key not in on_record.assessments:
                on_record.assessments.add(key)
                assessments.append(key)
                if pk in added:
                    added[pk][0].append(record.assessed_on)
    insert_rows(
        CategoryRecord,
        ["household_id", "category", "department", "start"],
        categories,
    )
    insert_rows(Assessment, ["house_id", "grade", "assessed_on"], assessments)
    return assessments


def _write_renovations(records, household_pk, on_record: _OnRecord, batch, added):
    """Renovations, one per household and year: (created, updated)."""
    new_renovations, changed_renovations = [], []
    for record in records:
        if record.year is None:  # a household's row with no renovation
            continue
        pk = household_pk[record.head_id]
        values = (
            record.method,
            record.approved_on,
            record.started_on,
            record.completed_on,
            record.accepted_on,
            record.built_area,
            record.toilet,
            record.subsidy_fen,
        )
        renovation = on_record.renovations.get((pk, record.year))
        if renovation is None:
            new_renovations.append((pk, record.year, batch.pk, *values))
            if pk in added:
                added[pk][1].append((record.accepted_on, record.subsidy_fen))
        elif _assign(renovation, dict(zip(RENOVATION_FIELDS, values, strict=True))):
            renovation.batch = batch
            changed_renovations.append(renovation)
    insert_rows(
        Renovation,
        ["household_id", "year", "batch_id", *RENOVATION_FIELDS],
        new_renovations,
    )
    Renovation.objects.bulk_update(
        changed_renovations, [*RENOVATION_FIELDS, "batch"], batch_size=2000
    )
    return len(new_renovations), len(changed_renovations)


def _unanswered(assessed, records, household_pk, on_record: _OnRecord) -> list[tuple]:
    """The new grade C/D assessments no renovation answers (one not accepted before the
    assessment), read from what the import holds: most of an archive's C/D houses were
    renovated after their assessment, and `cases_from_import` need not look them up."""
    accepted: dict[int, list] = {}
    for record in records:
        if record.year is not None:
            accepted.setdefault(household_pk[record.head_id], []).append(record.accepted_on)
    for (pk, _), renovation in on_record.renovations.items():
        accepted.setdefault(pk, []).append(renovation.accepted_on)
    household_of = {house: household_pk[head] for head, house in on_record.old_house.items()}
    today = timezone.localdate()
    out = []
    for house, grade, on in assessed:
        if grade not in ("C", "D"):
            continue
        since = on or today
        if any(a is None or a >= since for a in accepted.get(household_of[house], ())):
            continue
        out.append((house, grade, on))
    return out


def _insert_new_houses(records, household_pk, on_record: _OnRecord) -> int:
    """The house a family lives in after an accepted rebuild (拆除重建, 新建, 置换/统建, 造福工程
    搬迁): the archive's 原房屋结构 is the old house's. The new house is recorded with the
    structure the archive gives (新房结构), else brick-concrete, and the old one is no longer
    lived in. A household with a new house on record keeps it as it is (a re-import changes
    nothing). After a repair the family still lives in the old house: nothing is recorded."""
    rebuilt: dict[int, Record] = {}
    for record in records:  # sorted by household and, within it, in the file's order
        if record.method in NEW_HOUSE_METHODS and record.accepted_on is not None:
            pk = household_pk[record.head_id]
            current = rebuilt.get(pk)
            if current is None or (record.year or 0, record.row) > (current.year or 0, current.row):
                rebuilt[pk] = record
    fresh = sorted(pk for pk in rebuilt if pk not in on_record.new_house)
    if not fresh:
        return 0
    insert_rows(
        House,
        ["household_id", "is_new", "structure", "build_year", "area", "lived_in"],
        (
            (
                pk,
                True,
                rebuilt[pk].new_structure or Structure.BRICK_CONCRETE,
                rebuilt[pk].year,
                rebuilt[pk].built_area,
                True,
            )
            for pk in fresh
        ),
    )
    old = [on_record.old_house[rebuilt[pk].head_id] for pk in fresh]
    for start in range(0, len(old), 2000):
        House.objects.filter(pk__in=old[start : start + 2000]).update(lived_in=False)
    on_record.new_house.update(fresh)
    return len(fresh)


def _announce(actor, batch, written: _Written, regions_before, latest, existing) -> None:
    """Say what was written: to the apps above (anju.households.events), in the batch's counts
    and in the audit log."""
    # The bulk writes bypass the services: recount the overview where households already
    # on record were and are now; the new ones' figures are added from what was written.
    added = written.added
    archive_imported.announce(
        regions=regions_before | {latest[head_id].region for head_id in existing},
        # (region, structure, assessment dates, renovations): tally.NewHousehold's fields
        new_households=(
            (r.region, r.structure, *added[pk])
            for pk, r in zip(written.new_keys, written.new, strict=True)
        ),
    )
    batch.created = len(written.new) + written.renovations_created
    batch.updated = len(written.dirty) + written.renovations_updated
    batch.save(update_fields=["created", "updated"])
    # The assessments just written close the tasks of new poor households: one set-based
    # step after the import's own writes (anju.assessments), nothing per row.
    assessments_recorded.announce(actor=actor, household_ids=None)
    audit(
        actor=actor,
        action=Action.IMPORT,
        obj=batch,
        region_code="",
        after={
            "file": batch.file_name,
            "sha256": batch.sha256,
            "rows": batch.rows,
            "households_created": len(written.new),
            "households_updated": len(written.dirty),
            "renovations_created": written.renovations_created,
            "renovations_updated": written.renovations_updated,
            "cases_opened": written.cases,
        },
    )
