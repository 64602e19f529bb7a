"""The chain's head kept outside the database, so a cut-off tail is caught even if an insider
rewrote the head row too. `anju audit export-head` appends one line a day to a file on other
storage; `anju audit verify --head FILE` checks the database still holds every exported head."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from anju.audit.key import head_text, mac, same
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
    # Signed with the audit key: a line made up by someone without the key is refused.
    record["mac"] = mac(head_text(record))
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
    signed_seen = False
    for number, record in records:
        if record.get("mac"):
            if not same(mac(head_text(record)), record["mac"]):
                problems.append(HeadProblem(number, "签名不符：该行是伪造或被改写的"))
                continue
            signed_seen = True
        elif signed_seen:
            # Lines exported before the upgrade carry no signature; none may follow a signed one.
            problems.append(HeadProblem(number, "未签名：该行不是 anju audit export-head 写的"))
            continue
        seq = record.get("seq", 0)
        if not seq:
            continue
        if seq not in stored:
            problems.append(HeadProblem(number, f"第 {seq} 条已不在数据库中（链尾被截断）"))
        elif stored[seq] != record.get("hash"):
            problems.append(HeadProblem(number, f"第 {seq} 条的哈希与导出时不同（记录被改写）"))
    return problems
