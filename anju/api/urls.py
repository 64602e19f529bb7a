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
    path("households/", route(views.HouseholdList), name="households"),
    path("households/<id:pk>/", route(views.HouseholdDetail), name="household"),
    path("renovations/", route(views.RenovationList), name="renovations"),
    path("renovations/<id:pk>/", route(views.RenovationDetail), name="renovation"),
    path("assessments/", route(views.AssessmentList), name="assessments"),
    path("assessments/<id:pk>/", route(views.AssessmentDetail), name="assessment"),
    path("visits/", route(views.VisitList), name="visits"),
    path("visits/<id:pk>/", route(views.VisitDetail), name="visit"),
    path("findings/", route(views.FindingList), name="findings"),
    path("findings/<id:pk>/", route(views.FindingDetail), name="finding"),
    path("clues/", route(views.ClueList), name="clues"),
    path("clues/<id:pk>/", route(views.ClueDetail), name="clue"),
    path("reports/", route(views.ReportList), name="reports"),
    path("reports/<id:pk>/", route(views.ReportDetail), name="report"),
    path("references/", route(views.ReferenceLists), name="references"),
]
