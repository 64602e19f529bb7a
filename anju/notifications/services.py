"""Making notifications from the workbench, and getting them to people.

- `refresh(user)`: every item on the user's workbench whose notice key is new becomes a
  notification (new work; again when due within three working days; again when overdue). The
  user's immediate channels get one message with them.
- `daily(day)`: the worker's run at ANJU_DIGEST_HOUR: refresh every business user, then one
  digest per digest channel with everything not yet sent on it; claimed by its day.
- `pump(now)`: send every delivery whose time has come; a failure waits 1, 2, 4 ... minutes
  (at most 6 hours) and is given up after ANJU_NOTIFY_MAX_ATTEMPTS, shown to the system
  administrator (/notifications/deliveries/).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from anju.accounts.access import Perm, require
from anju.accounts.models import User
from anju.accounts.roles import ADMIN_ROLES, Role
from anju.audit.models import Action
from anju.audit.services import audit
from anju.notifications import senders
from anju.notifications.models import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryItem,
    DeliveryStatus,
    DigestRun,
    Mode,
    Notification,
)
from anju.workbench.items import collect

MAX_BACKOFF = timedelta(hours=6)
S = DeliveryStatus


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4, 8 ... minutes, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _state_word(key: str) -> str:
    if key.endswith("#overdue"):
        return "【已逾期】"
    if key.endswith("#soon"):
        return "【即将到期】"
    return "【新待办】"


def refresh(user, today: date | None = None, items=None) -> list[Notification]:
    """Notify `user` of what is new on their list; queue it on their immediate channels."""
    items = collect(user, today) if items is None else items
    if not items:
        return []
    keys = [i.notice_key for i in items]
    known = set(Notification.objects.filter(user=user, key__in=keys).values_list("key", flat=True))
    fresh = [
        Notification(
            user=user,
            key=i.notice_key,
            kind=i.kind,
            text=f"{_state_word(i.notice_key)}{i.title}"[:300],
            url=i.url[:300],
            due=i.due,
        )
        for i in items
        if i.notice_key not in known
    ]
    if not fresh:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        made = list(Notification.objects.filter(user=user, key__in=[n.key for n in fresh]))
        for channel in Channel.objects.filter(user=user, enabled=True, mode=Mode.IMMEDIATE):
            _queue(channel, f"now:{min(n.pk for n in made)}", made)
    return made


def _queue(channel: Channel, key: str, notifications: list[Notification]) -> Delivery | None:
    """One delivery of `notifications` on `channel`, leaving out any already sent on it."""
    if not notifications or not key:
        return None
    taken = set(
        DeliveryItem.objects.filter(channel=channel, notification__in=notifications).values_list(
            "notification_id", flat=True
        )
    )
    wanted = [n for n in notifications if n.pk not in taken]
    if not wanted:
        return None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                channel=channel, key=key, next_attempt_at=timezone.now()
            )
            DeliveryItem.objects.bulk_create(
                [DeliveryItem(delivery=delivery, channel=channel, notification=n) for n in wanted]
            )
    except IntegrityError:  # the same delivery, or one of its notifications, queued already
        return None
    return delivery


def business_users():
    admins = User.objects.filter(role_grants__role__in=list(ADMIN_ROLES))
    return (
        User.objects.filter(is_active=True, region__isnull=False, role_grants__isnull=False)
        .exclude(pk__in=admins.values("pk"))
        .exclude(role_grants__role=Role.CADRE)
        .distinct()
        .order_by("pk")
    )


def daily(day: date | None = None, now: datetime | None = None) -> DigestRun | None:
    """The daily run; None when this day's run was already claimed."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(day=day)
    except IntegrityError:
        return None
    made = deliveries = 0
    users = list(business_users().select_related("region"))
    digest_channels: dict[int, list[Channel]] = {}
    for channel in Channel.objects.filter(enabled=True, mode=Mode.DIGEST):
        digest_channels.setdefault(channel.user_id, []).append(channel)
    for user in users:
        items = collect(user, day)
        made += len(refresh(user, day, items))
        for channel in digest_channels.get(user.pk, []):
            # What is still on the list, unread and not yet sent on this channel.
            unsent = list(
                Notification.objects.filter(
                    user=user, read_at__isnull=True, key__in=[i.notice_key for i in items]
                )
                .exclude(
                    Exists(
                        DeliveryItem.objects.filter(channel=channel, notification=OuterRef("pk"))
                    )
                )
                .order_by("due", "pk")
            )
            if _queue(channel, f"digest:{day:%Y-%m-%d}", unsent):
                deliveries += 1
    run.users, run.notifications, run.deliveries = len(users), made, deliveries
    run.finished_at = timezone.now()
    run.save(update_fields=["users", "notifications", "deliveries", "finished_at"])
    pump(now)
    return run


def message(delivery: Delivery) -> tuple[str, str]:
    """(subject, text) of a delivery: the items, oldest deadline first, and where to do them.
    Only what the workbench shows: masked names, no personal numbers."""
    notes = list(
        Notification.objects.filter(
            pk__in=DeliveryItem.objects.filter(delivery=delivery).values("notification_id")
        ).order_by("due", "pk")
    )
    digest = delivery.key.startswith("digest:")
    head = "安居每日待办汇总" if digest else "安居待办提醒"
    subject = f"{head}：{len(notes)} 项"
    lines = [f"{head}（{len(notes)} 项）"]
    for n, note in enumerate(notes, 1):
        due = f"（截止 {note.due.month}月{note.due.day}日）" if note.due else ""
        lines.append(f"{n}. {note.kind}：{note.text}{due}")
    site = getattr(settings, "ANJU_SITE_URL", "") or ""
    lines.append(f"请登录安居系统办理{('：' + site) if site else ''}。")
    return subject, "\n".join(lines)


def send_one(delivery_id: int, now: datetime | None = None) -> str:
    """Claim and send one delivery; 'sent', 'retry', 'failed' or 'taken' (someone else has it,
    or its time has not come)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=S.PENDING, next_attempt_at__lte=now
    ).update(status=S.SENDING)
    if not claimed:
        return "taken"
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    subject, text = message(delivery)
    try:
        senders.send(delivery.channel, subject, text)
    except senders.SendFailed as error:
        attempts = delivery.attempts + 1
        gave_up = attempts >= settings.ANJU_NOTIFY_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            status=S.FAILED if gave_up else S.PENDING,
            attempts=attempts,
            last_error=str(error)[:300],
            next_attempt_at=now + backoff(attempts),
        )
        return "failed" if gave_up else "retry"
    Delivery.objects.filter(pk=delivery_id).update(
        status=S.SENT, attempts=delivery.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def pump(now: datetime | None = None) -> dict[str, int]:
    """Send every pending delivery whose time has come."""
    now = now or timezone.now()
    tally: dict[str, int] = {}
    due = Delivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now).order_by("pk")
    for delivery_id in list(due.values_list("pk", flat=True)):
        outcome = send_one(delivery_id, now)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally


def next_attempt() -> datetime | None:
    found = (
        Delivery.objects.filter(status=S.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return found


# The person's own settings ----------------------------------------------------------------------


def channel_add(
    *, actor, kind: str, address: str, secret: str = "", mode: str = Mode.DIGEST
) -> Channel:
    """Add one of the actor's own channels (an e-mail address or a group robot's webhook)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator, validate_email

    require(actor, Perm.VIEW_REGIONS)
    address = address.strip()
    if kind not in ChannelKind.values:
        raise ValidationError("请选择通知方式。")
    if mode not in Mode.values:
        raise ValidationError("请选择发送时机。")
    if kind == ChannelKind.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError("邮箱地址格式不正确。") from None
    else:
        try:
            URLValidator(schemes=["http", "https"])(address)
        except ValidationError:
            raise ValidationError("机器人 Webhook 地址应以 https:// 开头。") from None
    with transaction.atomic():
        channel = Channel(
            user=actor,
            kind=kind,
            address=address,
            secret=secret.strip() if kind == ChannelKind.DINGTALK else "",
            shown=senders.shown(kind, address),
            mode=mode,
        )
        channel.full_clean(exclude=["address", "secret"])
        channel.save()
        audit(
            actor=actor,
            action=Action.CREATE,
            obj=channel,
            after={"kind": kind, "shown": channel.shown, "mode": mode},
        )
    return channel


def channel_remove(*, actor, channel: Channel) -> None:
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.DELETE,
            obj=channel,
            before={"kind": channel.kind, "shown": channel.shown},
        )
        channel.delete()


def delivery_retry(*, actor, delivery: Delivery) -> None:
    """The system administrator sends a given-up delivery again (once more, now)."""
    require(actor, Perm.MANAGE_USERS)
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=S.FAILED).update(
            status=S.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        if updated:
            audit(actor=actor, action=Action.UPDATE, obj=delivery, note="重新发送通知")


def mark_read(*, user, notification: Notification | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        rows = rows.filter(pk=notification.pk)
    return rows.update(read_at=timezone.now())


def ancestors(code: str) -> list[str]:
    """The region and every region above it, by the code's 2+2+2+3+3 digits."""
    return sorted({code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)})


def users_over(codes: list[str]):
    wanted = sorted({a for code in codes for a in ancestors(code)})
    return business_users().filter(region_id__in=wanted).select_related("region")
