"""Scoping of notifications: a person's notifications and channels are theirs alone; the
system administrator sees the deliveries of the users in their region (never the messages)."""

from django.db.models import QuerySet
from django.http import Http404

from anju.accounts.access.core import Perm, has_perm, policy, require, scoped
from anju.notifications.models import Channel, Delivery, Notification


@policy
def notifications_visible_to(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not has_perm(user, Perm.VIEW_REGIONS):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


@policy
def access_notification(user, pk: int) -> Notification:
    found = notifications_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该通知。")
    return found


@policy
def channels_visible_to(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not has_perm(user, Perm.VIEW_REGIONS):
        return Channel.objects.none()
    return Channel.objects.filter(user=user)


@policy
def access_channel(user, pk: int) -> Channel:
    found = channels_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该通知渠道。")
    return found


@policy
def deliveries_visible_to(user) -> QuerySet:
    """Deliveries to the users of the system administrator's region."""
    if not has_perm(user, Perm.MANAGE_USERS):
        return Delivery.objects.none()
    return scoped(Delivery.objects.all(), user, field="channel__user__region")


@policy
def access_delivery(user, pk: int) -> Delivery:
    require(user, Perm.MANAGE_USERS)
    found = deliveries_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该发送记录。")
    return found
