"""The OpenAPI document (/api/v1/schema/, CONTRACT.md) and its browsable page, both public: they
describe the API and hold no data. The page is Swagger UI from drf-spectacular-sidecar's files,
with its start-up script served as a file, so it runs under the CSP without inline script."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from anju.accounts.access import PUBLIC
from anju.api.auth import AccessPolicy


class SchemaView(SpectacularAPIView):
    access_policy = PUBLIC
    authentication_classes = []
    permission_classes = [AccessPolicy]


class DocsView(SpectacularSwaggerSplitView):
    access_policy = PUBLIC
    authentication_classes = []
    permission_classes = [AccessPolicy]
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = "安居 数据接口 v1"
