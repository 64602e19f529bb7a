import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="anju_session_started")
def mark_session_start(sender, request, user, **kwargs):
    """The absolute session lifetime counts from the login itself."""
    if request is not None and hasattr(request, "session"):
        request.session["started_at"] = int(time.time())
