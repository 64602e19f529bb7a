from anju.accounts.access import Perm, has_perm, second_factor_pending


def unread(request):
    """The header's unread count (one indexed COUNT) for business users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or second_factor_pending(request):
        return {}
    if has_perm(user, Perm.MANAGE_USERS):
        return {"delivery_admin": True}
    if not has_perm(user, Perm.VIEW_REGIONS):
        return {}
    from anju.notifications.models import Notification

    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
