"""Proving the audit chain intact, or naming the first entry where it breaks."""

from dataclasses import dataclass

from anju.audit.chain import GENESIS, HASHED_FIELDS, entry_hash, entry_mac, hashed_content
from anju.audit.key import same
from anju.audit.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"审计链完整：共 {self.count} 条记录，逐条核验无误。"
        where = (
            f"第 {self.broken_seq} 条（id={self.broken_id}）"
            if self.broken_id
            else (f"第 {self.broken_seq} 条")
        )
        return f"审计链断裂：{where}：{self.reason}"


def verify_chain() -> ChainReport:
    prev = GENESIS
    expected = 1
    columns = ("id", *HASHED_FIELDS, "prev_hash", "hash", "mac")
    rows = AuditEntry.objects.order_by("seq").values(*columns).iterator(chunk_size=5000)
    for row in rows:
        seq = row["seq"]
        if seq != expected:
            if seq > expected:
                reason = f"序号跳号：应为 {expected}，实为 {seq}，其前的记录被删除"
            else:
                reason = f"序号重复或倒序：应为 {expected}，实为 {seq}"
            return ChainReport(False, expected - 1, seq, row["id"], reason)
        if row["prev_hash"] != prev:
            return ChainReport(
                False,
                expected - 1,
                seq,
                row["id"],
                "“前一条哈希”与上一条记录不符：链在此处被删改或插入",
            )
        content = hashed_content(row)
        if entry_hash(content, row["prev_hash"]) != row["hash"]:
            return ChainReport(
                False, expected - 1, seq, row["id"], "记录内容与其哈希不符：该条被修改"
            )
        if not same(entry_mac(content, row["prev_hash"]), row["mac"]):
            reason = (
                "缺少审计密钥签名：该条不是本系统写入的（或被改写）"
                if not row["mac"]
                else "审计密钥签名不符：该条是伪造或被改写的（或 ANJU_AUDIT_KEY 不是写入时的密钥）"
            )
            return ChainReport(False, expected - 1, seq, row["id"], reason)
        prev = row["hash"]
        expected += 1
    count = expected - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return ChainReport(False, count, None, None, "链头缺失")
    if head.seq != count or head.hash != prev:
        if head.seq > count:
            return ChainReport(
                False,
                count,
                count + 1,
                None,
                f"链尾缺失：链头记录共 {head.seq} 条，实际只有 {count} 条，末尾记录被删除",
            )
        return ChainReport(
            False,
            count,
            head.seq + 1 if head.seq < count else count,
            _id_of(head.seq + 1),
            f"链头记录共 {head.seq} 条，实际有 {count} 条：链尾之后被插入记录或链头被改",
        )
    return ChainReport(True, count)


def _id_of(seq: int) -> int | None:
    return AuditEntry.objects.filter(seq=seq).values_list("id", flat=True).first()
