"""Error pages in Chinese that show nothing of the internals."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from anju.api.errors import json_error


def _api(request) -> bool:
    return request.path.startswith("/api/")


def forbidden(request, exception=None):
    if _api(request):
        return json_error(request, 403)
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    if _api(request):
        return json_error(request, 404, "没有这个接口地址。")
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _api(request):
        return json_error(request, 500)
    # No request context: the failure may lie in the database or a context processor.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
