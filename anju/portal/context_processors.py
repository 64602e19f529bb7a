from django.conf import settings


def portal(request):
    """What the public pages' footer names: who runs the portal."""
    if not request.path.startswith("/portal/"):
        return {}
    return {"portal_operator": settings.ANJU_PORTAL_OPERATOR}
