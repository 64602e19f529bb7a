from django.urls import path, register_converter

from anju.api import docs, views


class IdConverter:
    """A database id: at most 18 digits, so no number overflows a 64-bit column (404 instead)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")


def route(view_class):
    """The view function, carrying its class's access policy for the scoping walk."""
    view = view_class.as_view()
    view.access_policy = view_class.access_policy
    return view


app_name = "api"
urlpatterns = [
    path("schema/", route(docs.SchemaView), name="schema"),
    path("docs/", route(docs.DocsView), name="docs"),
    *(
        route_pair
        for r in views.RESOURCES
        for route_pair in (
            path(f"{r.name}/", route(views.list_view(r)), name=r.name),
            path(f"{r.name}/<id:pk>/", route(views.detail_view(r)), name=r.one),
        )
    ),
    path("references/", route(views.ReferenceLists), name="references"),
]
