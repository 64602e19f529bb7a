"""Error pages in Chinese that show nothing of the internals."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the failure may lie in the database or a context processor.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
