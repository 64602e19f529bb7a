from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anju.accounts.access import Perm, scoped, staff_view
from anju.actions import run, run_form
from anju.notifications import services
from anju.notifications.forms import ChannelForm
from anju.notifications.models import Channel, Delivery, DeliveryStatus, Notification
from anju.pagination import paginate


@staff_view(Perm.VIEW_REGIONS)
def notifications(request):
    rows = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    return render(request, "notifications/list.html", {"page": paginate(request, rows)})


@require_POST
@staff_view(Perm.VIEW_REGIONS)
def open_notification(request, pk: int):
    found = Notification.objects.filter(user=request.user, pk=pk).first()
    if found is None:
        raise Http404("没有找到该通知。")
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
            "channels": Channel.objects.filter(user=request.user),
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
    channel = Channel.objects.filter(user=request.user, pk=pk).first()
    if channel is None:
        raise Http404("没有找到该通知渠道。")
    return run(
        request,
        lambda: services.channel_remove(actor=request.user, channel=channel),
        "已删除通知渠道。",
        "notifications:channels",
    )


def _deliveries_visible_to(user):
    return scoped(Delivery.objects.all(), user, field="channel__user__region")


@staff_view(Perm.MANAGE_USERS)
def deliveries(request):
    """For the system administrator: what did not get through, and why (no message text)."""
    status = request.GET.get("status", "problems")
    rows = _deliveries_visible_to(request.user).select_related("channel__user")
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
    delivery = _deliveries_visible_to(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404("没有找到该发送记录。")

    def retry():
        services.delivery_retry(actor=request.user, delivery=delivery)
        from anju.notifications.tasks import pump_task

        pump_task.enqueue()

    return run(request, retry, "已重新排队发送。", "notifications:deliveries")
