from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, staff_view
from anju.actions import run, run_form
from anju.notifications import services
from anju.notifications.access import (
    access_channel,
    access_delivery,
    access_notification,
    channels_visible_to,
    deliveries_visible_to,
    notifications_visible_to,
)
from anju.notifications.forms import ChannelForm
from anju.notifications.models import DeliveryStatus
from anju.pagination import paginate


@staff_view(Perm.VIEW_REGIONS)
def notifications(request):
    rows = notifications_visible_to(request.user).order_by("-created_at", "-pk")
    return render(request, "notifications/list.html", {"page": paginate(request, rows)})


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def open_notification(request, pk: int):
    found = access_notification(request.user, pk)
    services.mark_read(user=request.user, notification=found)
    if not url_has_allowed_host_and_scheme(found.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(found.url)


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def read_all(request):
    count = services.mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notifications:list")


@staff_view(Perm.VIEW_REGIONS)
def channels(request):
    return render(
        request,
        "notifications/channels.html",
        {
            "channels": channels_visible_to(request.user),
            "form": ChannelForm(),
        },
    )


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def channel_add(request):
    return run_form(
        request,
        ChannelForm(request.POST),
        lambda d: services.channel_add(
            actor=request.user,
            kind=d["kind"],
            address=d["address"],
            secret=d["secret"],
            mode=d["mode"],
        ),
        "已添加通知渠道。",
        "notifications:channels",
    )


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def channel_remove(request, pk: int):
    channel = access_channel(request.user, pk)
    return run(
        request,
        lambda: services.channel_remove(actor=request.user, channel=channel),
        "已删除通知渠道。",
        "notifications:channels",
    )


@staff_view(Perm.MANAGE_USERS)
def deliveries(request):
    """For the system administrator: what did not get through, and why (no message text)."""
    status = request.GET.get("status", "problems")
    rows = deliveries_visible_to(request.user).select_related("channel__user")
    if status == "problems":
        rows = rows.exclude(status=DeliveryStatus.SENT).exclude(attempts=0)
    elif status in DeliveryStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": paginate(request, rows.order_by("-created_at", "-pk")),
            "status": status,
            "statuses": DeliveryStatus.choices,
        },
    )


@require_POST
@staff_view(Perm.MANAGE_USERS)
def delivery_retry(request, pk: int):
    delivery = access_delivery(request.user, pk)

    def retry():
        services.delivery_retry(actor=request.user, delivery=delivery)
        from anju.notifications.tasks import pump_task

        pump_task.enqueue()

    return run(request, retry, "已重新排队发送。", "notifications:deliveries")
