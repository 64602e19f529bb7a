"""A cross-check run: every rule over one region with the lists in use, findings kept once
(the same problem found again stays one finding), the run's record of what it compared."""

import json
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.choices import Rule, RunStatus
from anju.crosscheck.models import CheckRun, Finding
from anju.crosscheck.references import current_lists
from anju.crosscheck.rules import RULES, Context, Hit
from anju.crosscheck.rules.base import SCRATCH
from anju.regions.models import Region
from anju.sealed import Sealer
from anju.tabular.inserts import insert_rows, key_table


def _silent(percent: int, stage: str) -> None:
    pass


def start_run(*, actor, region: Region) -> CheckRun:
    """Record a queued run (the lists it will use are fixed when it starts)."""
    user = None if isinstance(actor, str) else actor
    return CheckRun.objects.create(
        region=region,
        started_by=user,
        actor_name=actor if user is None else user.get_username(),
        status=RunStatus.QUEUED,
    )


def execute(run: CheckRun, *, progress=_silent, rules: list[str] | None = None) -> CheckRun:
    """Run every rule (or `rules`) over the run's region and keep what they found."""
    claimed = CheckRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        run.refresh_from_db()
        return run
    run.refresh_from_db()
    try:
        return _execute(run, progress, rules or list(RULES))
    except Exception:
        CheckRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            message="比对因系统错误中断，本次未保存任何发现。请稍后重试或联系系统管理员。",
        )
        raise


def _sweep(run: CheckRun) -> None:
    """Drop the tables a killed run left (`Context.table`), when no other run is using any."""
    if CheckRun.objects.filter(status=RunStatus.RUNNING).exclude(pk=run.pk).exists():
        return
    left = [t for t in connection.introspection.table_names() if t.startswith(SCRATCH)]
    with connection.cursor() as cursor:
        for table in left:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")


def _execute(run: CheckRun, progress, codes: list[str]) -> CheckRun:
    _sweep(run)
    lists = list(current_lists(run.region))
    by_kind: dict[str, list[int]] = {}
    for reference in lists:
        by_kind.setdefault(reference.kind, []).append(reference.pk)
    ctx = Context(
        region=run.region,
        lists=by_kind,
        today=timezone.localdate(),
        received={r.pk: r.received_on for r in lists},
    )
    done = []

    def collect(code: str) -> tuple[str, list[Hit], float]:
        began = time.perf_counter()
        found = list(RULES[code](ctx))
        done.append(code)
        progress(int(90 * len(done) / len(codes)), Rule(code).label)
        return code, found, time.perf_counter() - began

    # Longest rules first (as the last run over this region timed them): the connections
    # finish together instead of one waiting on a long rule started last.
    last = (
        CheckRun.objects.filter(region=run.region, status=RunStatus.DONE)
        .order_by("-pk")
        .values_list("timings", flat=True)
        .first()
        or {}
    )
    order = sorted(codes, key=lambda code: -last.get(code, 0))
    began = time.perf_counter()
    try:
        results = sorted(_map(collect, order), key=lambda result: codes.index(result[0]))
    finally:
        ctx.close()
    rules_seconds = time.perf_counter() - began
    hits: dict[str, tuple[str, Hit]] = {}
    counts, timings = Counter(), {}
    for code, found, seconds in results:  # in the rules' order, whatever order they ran in
        for hit in found:
            fingerprint = f"{code}:{hit.key}"[:200]
            if fingerprint not in hits:
                hits[fingerprint] = (code, hit)
                counts[code] += 1
        timings[code] = round(seconds, 3)
    progress(90, "保存发现")
    with transaction.atomic():
        new = _keep(run, hits)
        run.rules = codes
        run.parameters = json.loads(json.dumps(ctx.params))
        run.counts = {code: counts.get(code, 0) for code in codes}
        run.timings = timings
        run.rules_seconds = round(rules_seconds, 3)
        run.found = len(hits)
        run.new = new
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save()
        run.lists.set(lists)
        audit(
            actor=run.started_by or run.actor_name,
            action=Action.CREATE,
            obj=run,
            region_code=run.region_id,
            after={
                "lists": [r.pk for r in lists],
                "found": run.found,
                "new": new,
                "counts": run.counts,
            },
        )
    progress(100, "完成")
    return run


def _workers() -> int:
    return int(getattr(settings, "ANJU_CROSSCHECK_WORKERS", 0) or min(2, os.cpu_count() or 1))


def _map(collect, codes: list[str]) -> list:
    """Run the rules on `_workers()` database connections at once (each query runs in the
    database's own code, which lets go of Python's lock), or one by one inside a transaction
    (other connections would not see its rows: the tests, a caller's atomic block)."""
    workers = _workers()
    if workers <= 1 or connection.in_atomic_block:
        return [collect(code) for code in codes]

    def on_own_connection(code: str):
        try:
            return collect(code)
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(on_own_connection, codes))


def _keep(run: CheckRun, hits: dict[str, tuple[str, Hit]]) -> int:
    """New findings inserted; those already on record marked as found again by this run."""
    if not hits:
        return 0
    fingerprints, ids = Sealer(Finding, "fingerprint"), Sealer(Finding, "id_number")
    sealed = {fp: fingerprints(fp) for fp in hits}  # ciphertext and digest
    with key_table((s[1] for s in sealed.values()), name="anju_finding_keys") as keys:
        known_rows = Finding.objects.filter(fingerprint_digest__in=RawSQL(keys, ()))  # noqa: S611
        known = set(known_rows.values_list("fingerprint_digest", flat=True))
        known_rows.update(last_run=run, times_found=F("times_found") + 1)
    fresh = [(fp, code, hit) for fp, (code, hit) in hits.items() if sealed[fp][1] not in known]
    insert_rows(
        Finding,
        [
            "rule",
            *fingerprints.columns,
            "region_id",
            "household_id",
            *ids.columns,
            "name",
            "renovation_year",
            "amount_fen",
            "evidence",
            "first_run_id",
            "last_run_id",
        ],
        (
            (
                code,
                *sealed[fp],
                hit.region_code,
                hit.household_id,
                *ids(hit.id_number),
                hit.name[:50],
                hit.renovation_year,
                hit.amount_fen or 0,
                hit.evidence[:500],
                run.pk,
                run.pk,
            )
            for fp, code, hit in fresh
        ),
    )
    return len(fresh)


def run_findings(run: CheckRun):
    return Finding.objects.filter(last_run=run).select_related("region").order_by("rule", "pk")


def as_json(findings) -> list[dict]:
    """CONTRACT.md's JSON: rule, id_number, region_code, renovation_year, evidence (and more)."""
    return [
        {
            "rule": f.rule,
            "id_number": f.id_number,
            "region_code": f.region_id,
            "renovation_year": f.renovation_year,
            "evidence": f.evidence,
            "name": f.name,
            "household_id": f.household_id,
            "amount_fen": f.amount_fen,
            "status": f.status,
            "finding_id": f.pk,
        }
        for f in findings
    ]
