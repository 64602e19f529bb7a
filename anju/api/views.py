"""The REST API under /api/v1/: thin views over access.py's `*_visible_to` and `access_*`.

Every view names its `access_policy` (a Perm; 403 without it), lists only what the user's
`*_visible_to` yields, and fetches one object only through `access_*` (404 alike for missing and
not yours). Every answered read is audited, as is every upload.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import DateTimeField, Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from anju.accounts import access
from anju.accounts.access import Perm
from anju.api import serializers as s
from anju.api.errors import PayloadTooLarge, error_body
from anju.audit.models import Action
from anju.audit.services import audit
from anju.crosscheck.access import access_finding, findings_visible_to, reference_lists_visible_to
from anju.crosscheck.choices import FindingStatus, Rule
from anju.crosscheck.references import import_reference
from anju.households.access import (
    access_assessment,
    access_household,
    access_renovation,
    access_visit,
    assessments_visible_to,
    households_visible_to,
    renovations_visible_to,
    visits_visible_to,
)
from anju.households.choices import Category
from anju.households.models import Payment, Person
from anju.oversight.access import access_clue, clues_visible_to
from anju.oversight.choices import ClueStatus, ProblemKind
from anju.reporting.access import access_report, reports_visible_to
from anju.reporting.models import ReportKind, ReportStatus

MAX_UPLOAD = 20 * 1024 * 1024  # as the UI's upload page


class Pages(PageNumberPagination):
    """?page=N&page_size=M (1–200, default 50); a page size out of range is an error, not
    silently changed."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"每页条数须为 1 到 {self.max_page_size} 的整数。"]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    minimum=1, maximum=self.max_page_size, default=self.page_size
                )
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters


class ApiView(generics.GenericAPIView):
    access_policy: Perm
    pagination_class = Pages

    def query_names(self) -> set[str]:
        return set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # An unknown parameter (a typo such as ?regoin=) is an error, not silently ignored.
        unknown = sorted(set(request.query_params) - self.query_names())
        if unknown and request.method == "GET":
            raise ValidationError({name[:50]: ["未知的查询参数。"] for name in unknown[:10]})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Personal data: never kept by any cache (the session pages' NoStoreMiddleware does not
        # see token users).
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        # Not `request.user`: on a request refused before authentication that would
        # authenticate now, and could raise here.
        user = getattr(request, "_user", None)
        if (
            request.method == "GET"
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
        ):
            audit(
                actor=user,
                action=Action.VIEW,
                obj=f"api:{self.resource}",
                region_code=user.region_id or "",
                note=f"接口读取 {request.get_full_path()[:300]}",
            )
        return response


class ListView(ApiView, generics.ListAPIView):
    """A scoped list, filtered by region subtree (?region=) and a date range on `date_field`."""

    query_class = s.ListQuery
    region_field = "region"
    date_field = ""
    ordering: tuple[str, ...] = ("-pk",)

    def query_names(self) -> set[str]:
        pages = {Pages.page_query_param, Pages.page_size_query_param}
        return set(self.query_class().fields) | pages

    def visible(self, user):
        raise NotImplementedError

    def narrow(self, qs, query: dict):
        """Filters of this list beyond region and date."""
        return qs

    def prepare(self, qs):
        return qs

    def get_queryset(self):
        # A plain dict, not the QueryDict: DRF reads a blank form value as "absent", and the
        # document says a blank filter is invalid.
        query = self.query_class(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        q = query.validated_data
        qs = self.visible(self.request.user)
        if "region" in q:
            region = access.access_region(self.request.user, q["region"])
            qs = access.scope_to_region(qs, region, self.region_field)
        qs = self._dated(qs, q.get("date_from"), q.get("date_to"))
        return self.prepare(self.narrow(qs, q)).order_by(*self.ordering)

    def _dated(self, qs, start, end):
        if not self.date_field or not (start or end):
            return qs
        column = qs.model._meta.get_field(self.date_field.split("__")[0])
        if self.date_field.endswith("created_at") or isinstance(column, DateTimeField):
            # Local days as aware bounds: a range the column's index can serve.
            tz = timezone.get_current_timezone()
            if start:
                qs = qs.filter(**{f"{self.date_field}__gte": datetime.combine(start, time(), tz)})
            if end:
                after = datetime.combine(end + timedelta(days=1), time(), tz)
                qs = qs.filter(**{f"{self.date_field}__lt": after})
            return qs
        if start:
            qs = qs.filter(**{f"{self.date_field}__gte": start})
        if end:
            qs = qs.filter(**{f"{self.date_field}__lte": end})
        return qs


class DetailView(ApiView, generics.RetrieveAPIView):
    def access(self, user, pk: int):
        raise NotImplementedError

    def prepare(self, qs):
        return qs

    def get_object(self):
        found = self.access(self.request.user, self.kwargs["pk"])
        # Re-read with the joins the serializer needs; still the object access_* returned.
        return self.prepare(type(found).objects.filter(pk=found.pk)).get()


def _as_is(qs):
    return qs


@dataclass(frozen=True)
class Resource:
    """One readable kind of record: its list and its detail view are made from this."""

    name: str  # the URL segment, plural
    one: str  # the detail route's name
    perm: Perm
    serializer: type[serializers.Serializer]
    visible: Callable  # access.<x>_visible_to
    access: Callable  # access.access_<x>(user, pk)
    summary: str
    detail_summary: str
    date_field: str
    ordering: tuple[str, ...]
    region_field: str = "region"
    prepare: Callable = _as_is
    # Query parameter → (its field, the lookup it filters on).
    filters: dict[str, tuple[serializers.Field, str]] = field(default_factory=dict)


def list_view(r: Resource) -> type[ListView]:
    query = type(
        f"{r.name.title()}Query", (s.ListQuery,), {k: f for k, (f, _) in r.filters.items()}
    )

    def narrow(self, qs, q):
        for name, (_field, lookup) in r.filters.items():
            if name in q:
                qs = qs.filter(**{lookup: q[name]})
                if "__" in lookup:
                    qs = qs.distinct()  # a to-many lookup
        return qs

    view = type(
        f"{r.name.title()}List",
        (ListView,),
        {
            "__doc__": r.summary,
            "access_policy": r.perm,
            "resource": r.name,
            "serializer_class": r.serializer,
            "query_class": query,
            "region_field": r.region_field,
            "date_field": r.date_field,
            "ordering": r.ordering,
            "visible": lambda self, user: r.visible(user),
            "narrow": narrow,
            "prepare": lambda self, qs: r.prepare(qs),
        },
    )
    return extend_schema(summary=r.summary, description=r.summary, parameters=[query])(view)


def detail_view(r: Resource) -> type[DetailView]:
    view = type(
        f"{r.one.title()}Detail",
        (DetailView,),
        {
            "__doc__": r.detail_summary,
            "access_policy": r.perm,
            "resource": r.one,
            "serializer_class": r.serializer,
            "access": lambda self, user, pk: r.access(user, pk),
            "prepare": lambda self, qs: r.prepare(qs),
        },
    )
    return extend_schema(summary=r.detail_summary, description=r.detail_summary)(view)


def _choice(choices) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False)


RESOURCES = [
    Resource(
        "households",
        "household",
        Perm.VIEW_HOUSEHOLDS,
        s.HouseholdSerializer,
        households_visible_to,
        access_household,
        "农户档案列表（date_from/date_to 按档案更新日期）",
        "一户农户档案（含家庭成员、类别）",
        date_field="updated_at",
        ordering=("region_id", "head_name", "pk"),
        # Masked numbers come from the stored masks: no ciphertext is loaded or decrypted.
        prepare=lambda qs: qs.defer("head_id", "account_number").prefetch_related(
            Prefetch("people", Person.objects.defer("id_number")), "categories"
        ),
        filters={"category": (_choice(Category.choices), "categories__category")},
    ),
    Resource(
        "renovations",
        "renovation",
        Perm.VIEW_HOUSEHOLDS,
        s.RenovationSerializer,
        renovations_visible_to,
        lambda user, pk: access_renovation(user, pk, perm=Perm.VIEW_HOUSEHOLDS),
        "改造记录列表（含补助发放；date_from/date_to 按审批日期）",
        "一条改造记录（含补助发放）",
        date_field="approved_on",
        ordering=("-year", "pk"),
        region_field="household__region",
        prepare=lambda qs: qs.select_related("household").prefetch_related(
            Prefetch("payments", Payment.objects.defer("account_number"))
        ),
        filters={
            "year": (
                serializers.IntegerField(required=False, min_value=2000, max_value=2100),
                "year",
            )
        },
    ),
    Resource(
        "assessments",
        "assessment",
        Perm.VIEW_HOUSEHOLDS,
        s.AssessmentSerializer,
        assessments_visible_to,
        access_assessment,
        "危险性鉴定列表（date_from/date_to 按鉴定日期）",
        "一条危险性鉴定",
        date_field="assessed_on",
        ordering=("-assessed_on", "-pk"),
        region_field="house__household__region",
        prepare=lambda qs: qs.select_related("house__household"),
    ),
    Resource(
        "visits",
        "visit",
        Perm.VIEW_HOUSEHOLDS,
        s.VisitSerializer,
        visits_visible_to,
        access_visit,
        "跟踪回访列表（date_from/date_to 按回访日期）",
        "一次跟踪回访",
        date_field="visited_on",
        ordering=("-visited_on", "-pk"),
        region_field="household__region",
        prepare=lambda qs: qs.select_related("household", "visitor"),
    ),
    Resource(
        "findings",
        "finding",
        Perm.VIEW_FINDINGS,
        s.FindingSerializer,
        findings_visible_to,
        access_finding,
        "比对发现列表（date_from/date_to 按首次发现日期）",
        "一条比对发现",
        date_field="first_run__created_at",
        ordering=("rule", "region_id", "pk"),
        prepare=lambda qs: qs.select_related("first_run", "last_run"),
        filters={
            "rule": (_choice(Rule.choices), "rule"),
            "status": (_choice(FindingStatus.choices), "status"),
        },
    ),
    Resource(
        "clues",
        "clue",
        Perm.VIEW_CLUES,
        s.ClueSerializer,
        clues_visible_to,
        access_clue,
        "问题线索列表（只读；date_from/date_to 按收到日期）",
        "一条问题线索（只读）",
        date_field="received_on",
        ordering=("-received_on", "-pk"),
        prepare=lambda qs: qs.prefetch_related("persons"),
        filters={
            "status": (_choice(ClueStatus.choices), "status"),
            "category": (_choice(ProblemKind.choices), "category"),
        },
    ),
    Resource(
        "reports",
        "report",
        Perm.VIEW_REPORTS,
        s.ReportSerializer,
        reports_visible_to,
        access_report,
        "报表报送情况（date_from/date_to 按所属期）",
        "一份报表的状态与流转记录",
        date_field="period",
        ordering=("-period", "region_id", "kind", "-version"),
        # The frozen file and its numbers stay out of a status listing.
        prepare=lambda qs: (
            qs.defer("file", "values").select_related("region").prefetch_related("events")
        ),
        filters={
            "kind": (_choice(ReportKind.choices), "kind"),
            "status": (_choice(ReportStatus.choices), "status"),
        },
    ),
]


# Reference lists -----------------------------------------------------------------------------


class ReferenceCreated(serializers.Serializer):
    reference = s.ReferenceListSerializer()
    pending_households = serializers.IntegerField(
        help_text="优先名单中档案里没有的人员，新列为待建档农户的户数"
    )
    assessment_tasks = serializers.IntegerField(help_text="生成的新增对象鉴定任务条数")


@extend_schema_view(
    get=extend_schema(
        summary="本人区划内的部门名单（各次上传）",
        description="本人区划内的部门名单（各次上传；date_from/date_to 按上传日期）",
        parameters=[s.ListQuery],
    ),
    post=extend_schema(
        summary="上传部门名单（部门数据员）",
        description="全部行无误才导入；否则一行不写，在 details 列出行错误"
        "（row、column、message）。"
        "文件不超过 20 MB。",
        request={"multipart/form-data": s.ReferenceUploadSerializer},
        responses={
            201: ReferenceCreated,
            400: OpenApiResponse(description="名单有错误，未导入；details 为行错误列表"),
        },
    ),
)
class ReferenceLists(ListView):
    access_policy = Perm.UPLOAD_REFERENCES
    resource = "references"
    serializer_class = s.ReferenceListSerializer
    date_field = "created_at"
    ordering = ("-created_at", "-pk")
    parser_classes = [MultiPartParser]

    def visible(self, user):
        return reference_lists_visible_to(user)

    def prepare(self, qs):
        return qs

    def post(self, request):
        # Refuse an oversized body before reading it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_UPLOAD + 64 * 1024:
            raise PayloadTooLarge("文件超过 20 MB，请分批上传或用命令行导入。")
        form = s.ReferenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        if upload.size > MAX_UPLOAD:
            raise PayloadTooLarge("文件超过 20 MB，请分批上传或用命令行导入。")
        user = request.user
        region = access.access_region(user, data["region"]) if "region" in data else user.region
        if region is None:
            return Response(error_body(400, "您的账号没有所属区划，不能上传名单。"), status=400)
        result = import_reference(
            actor=user,
            kind=data["kind"],
            data=upload.read(),
            file_name=upload.name or "upload",
            region=region,
            as_of=data.get("as_of"),
        )
        if not result.ok:
            audit(
                actor=user,
                action=Action.IMPORT,
                obj="crosscheck.referencelist",
                region_code=region.code,
                result="rejected",
                note=f"接口上传名单未导入：{result.error_count} 处错误（{upload.name}）"[:300],
            )
            rows = [{"row": e.row, "column": e.column, "message": e.message} for e in result.errors]
            shown = f"（列出前 {len(rows)} 处）" if result.errors_left_out else ""
            body = error_body(
                400,
                f"名单有 {result.error_count} 处错误{shown}，未导入任何数据。",
                rows,
                code="import_rejected",
            )
            return Response(body, status=400)
        body = {
            "reference": s.ReferenceListSerializer(result.reference).data,
            "pending_households": result.pending,
            "assessment_tasks": result.tasks,
        }
        return Response(body, status=status.HTTP_201_CREATED)
