"""The chain's head kept outside the database, so a cut-off tail is caught even if an insider
rewrote the head row too. `anju audit export-head` appends one line a day to a file on other
storage; `anju audit verify --head FILE` checks the database still holds every exported head."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from anju.audit.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class HeadProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"链头记录第 {self.line} 行：{self.message}"


def export_head(path: Path) -> dict:
    head = AuditHead.objects.get(pk=1)
    record = {"at": timezone.now().isoformat(), "seq": head.seq, "hash": head.hash}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


def check_heads(path: Path) -> list[HeadProblem]:
    """Every exported head must still be in the chain with the same hash."""
    problems = []
    lines = path.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError:
            problems.append(HeadProblem(number, "不是有效的记录"))
    seqs = {r["seq"] for _, r in records if r.get("seq")}
    stored = dict(AuditEntry.objects.filter(seq__in=seqs).values_list("seq", "hash"))
    for number, record in records:
        seq = record.get("seq", 0)
        if not seq:
            continue
        if seq not in stored:
            problems.append(HeadProblem(number, f"第 {seq} 条已不在数据库中（链尾被截断）"))
        elif stored[seq] != record.get("hash"):
            problems.append(HeadProblem(number, f"第 {seq} 条的哈希与导出时不同（记录被改写）"))
    return problems
