"""Ledger pages. Thin: check input with a form, call one service, redirect."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.accounts.access import (
    Perm,
    access_region,
    active_region,
    has_perm,
    requested_region,
    scope_to_region,
    staff_view,
    unit_bound,
    unit_of,
)
from anju.actions import (
    ask_export_reason,
    errors_onto,
    export_full,
    export_reason,
    form_errors,
    keep,
    kept,
    named_messages,
    run,
    run_form,
)
from anju.audit.models import Action
from anju.audit.services import audit
from anju.downloads import dated_name, watermark
from anju.oversight import exports, queries, services
from anju.oversight.access import (
    access_clue,
    access_item,
    access_transfer,
    clues_visible_to,
    items_visible_to,
    transfers_visible_to,
)
from anju.oversight.choices import ClueStatus, ItemStatus, ProblemKind
from anju.oversight.deadlines import urgency
from anju.oversight.forms import (
    ActionForm,
    AttachmentForm,
    ClueForm,
    DepartmentClueForm,
    EditForm,
    ExposureForm,
    ItemDoneForm,
    ItemForm,
    ItemReviewForm,
    MergeForm,
    ReportBackForm,
    SanctionForm,
    SupervisionForm,
    TransferForm,
    TypicalCaseForm,
)
from anju.oversight.models import Attachment
from anju.pagination import paginate
from anju.regions.models import Region
from anju.regions.picker import limit_regions, tree_root
from anju.reporting.deadlines import parse_month

S = ClueStatus
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fail(request, error: ValidationError, form=None) -> None:
    """The service's refusal as a message; what was typed into `form` kept for the page."""
    if form is None:
        messages.error(request, " ".join(error.messages))
        return
    messages.error(request, " ".join(named_messages(form, error)))
    keep(request, form)


def _ledger(request, today):
    """(the filtered ledger, the region it is of, the clues in that region)."""
    region = requested_region(request)
    visible = clues_visible_to(request.user)
    in_view = scope_to_region(visible, region) if region != request.user.region else visible
    g = request.GET
    items = queries.ledger(
        in_view,
        status=g.get("status", ""),
        category=g.get("category", ""),
        urgency=g.get("urgency", ""),
        supervised=g.get("supervised") == "1",
        q=g.get("q", "").strip(),
        today=today,
    )
    return items, region, in_view


PRINT_ROWS = 2000  # a printed ledger longer than this is an export's job


@staff_view(Perm.VIEW_CLUES)
def clues(request):
    today = timezone.localdate()
    items, region, in_view = _ledger(request, today)
    g = request.GET
    printing = g.get("print") == "1"
    page = paginate(request, items, per_page=PRINT_ROWS if printing else 50)
    rows = [(c, urgency(c.deadline, today) if c.is_open else "") for c in page.object_list]
    return render(
        request,
        "oversight/clues.html",
        {
            "page": page,
            "rows": rows,
            "statuses": S.choices,
            "categories": ProblemKind.choices,
            "counts": queries.urgency_counts(in_view, today),
            "filters": g,
            "region": region,
            "can_register": has_perm(request.user, Perm.REGISTER_CLUES),
            "printing": printing,
            "today": today,
            "query": _without(g, "print", "page"),
        },
    )


def _without(query, *names) -> str:
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


@staff_view(Perm.VIEW_CLUES)
def clues_export(request):
    """The filtered ledger as xlsx: masked unless the role may unmask and asks; audited with
    the reason given."""
    reason = export_reason(request)
    can_unmask = has_perm(request.user, Perm.UNMASK)
    if reason is None:
        return ask_export_reason(request, "问题线索台账", can_unmask=can_unmask)
    unmasked = export_full(request) and can_unmask
    items, region, _ = _ledger(request, timezone.localdate())
    handle, count = exports.write_ledger(
        items, unmasked=unmasked, watermark=watermark(request.user, reason)
    )
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="oversight.clue",
        region_code=region.code,
        note=f"导出问题线索台账 {count} 条（{'完整号码' if unmasked else '号码已脱敏'}），"
        f"用途：{reason}，条件：{_without(request.GET)}",
    )
    name = dated_name("问题线索台账", "xlsx", region.name)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


@staff_view(Perm.REGISTER_CLUES)
def clue_new(request):
    region = active_region(request)
    initial = {
        "region_code": region.code,
        "received_on": timezone.localdate(),
        "place": region.name,
    }
    form = limit_regions(ClueForm(request.POST or None, initial=initial), request.user.region)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = None
        if data.get("merge_into"):
            target = access_clue(request.user, data["merge_into"], perm=Perm.REGISTER_CLUES)
        try:
            place = access_region(request.user, data["region_code"])
            clue, duplicates = services.clue_register(
                actor=request.user,
                region=place,
                place=data["place"],
                source_channel=data["source_channel"],
                received_on=data["received_on"],
                category=data["category"],
                summary=data["summary"],
                funds=data["funds"],
                persons=form.persons(),
                links=data["links"],
                confirm_new=bool(data.get("confirm_new")),
                merge_into=target,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            if clue is not None:
                if target is not None:
                    messages.success(request, f"已作为重复件并入 {clue.number}，来源和日期已留存。")
                else:
                    messages.success(request, f"已登记，台账编号 {clue.number}。")
                return redirect(clue)
    return render(request, "oversight/clue_form.html", {"form": form, "duplicates": duplicates})


@staff_view(Perm.SEND_CLUES)
def clue_send(request):
    """A participating department passes a clue it found to housing (线索双向移送): it lands in
    the county's ledger, registered; the department follows it on its own clue list."""
    region = active_region(request)
    unit = unit_of(request.user)
    initial = {"region_code": region.code, "received_on": timezone.localdate()}
    form = limit_regions(
        DepartmentClueForm(request.POST or None, initial=initial), request.user.region
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = access_region(request.user, data["region_code"])
            clue = services.clue_send(
                actor=request.user,
                region=place,
                place=data["place"],
                received_on=data["received_on"],
                category=data["category"],
                summary=data["summary"],
                funds=data["funds"],
                persons=form.persons(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"已移送住建部门，台账编号 {clue.number}。住建部门登记办理，办理进展可在本页查看。",
            )
            return redirect(clue)
    return render(request, "oversight/clue_send.html", {"form": form, "unit": unit})


def _detail_context(request, clue):
    user = request.user
    today = timezone.localdate()
    return {
        "clue": clue,
        "urgency": urgency(clue.deadline, today) if clue.is_open else "",
        "persons": clue.persons.all(),
        "events": clue.events.select_related("actor"),
        "sources": clue.sources.all(),
        "transfers": clue.transfers.select_related("to_region"),
        "attachments": clue.attachments.defer("data"),
        "sanctions": clue.sanctions.all(),
        "typical": clue.typical_cases.all(),
        "duplicates": clue.duplicates.all(),
        "public_reports": clue.public_reports.prefetch_related("additions", "photos").defer(
            "reporter_name", "reporter_phone"
        ),
        "can_see_reporters": has_perm(user, Perm.VIEW_REPORTERS),
        "id_links": clue.id_links.only("id_number_masked", "source", "clue"),
        "can_unmask": has_perm(user, Perm.UNMASK),
        "can_handle": has_perm(user, Perm.HANDLE_CLUES),
        "can_approve": has_perm(user, Perm.APPROVE_CLOSE),
        "can_supervise": has_perm(user, Perm.SUPERVISE),
        "can_account": has_perm(user, Perm.RECORD_ACCOUNTABILITY),
        "action_form": kept(request, ActionForm, initial={"version": clue.version}),
        "edit_form": kept(
            request,
            EditForm,
            initial={
                "version": clue.version,
                "place": clue.place,
                "category": clue.category,
                "summary": clue.summary,
                "funds": clue.funds,
                "links": clue.links,
            },
        ),
        "transfer_form": limit_regions(
            kept(
                request,
                TransferForm,
                initial={"version": clue.version, "to_region": clue.district_code},
            ),
            tree_root(),
        ),
        "attachment_form": AttachmentForm(),
        "supervision_form": kept(request, SupervisionForm, initial={"version": clue.version}),
        "sanction_form": kept(request, SanctionForm, initial={"decided_on": today}),
        "typical_form": kept(request, TypicalCaseForm, initial={"month": f"{today:%Y-%m}"}),
        "merge_form": MergeForm(initial={"version": clue.version}),
    }


@staff_view(Perm.VIEW_CLUES)
def clue(request, pk: int):
    item = access_clue(request.user, pk)
    return render(request, "oversight/clue.html", _detail_context(request, item))


@require_POST
@staff_view(Perm.UNMASK)
def clue_unmask(request, pk: int):
    """The full ID numbers the clue's text names (ClueLink), once; every showing is audited."""
    item = access_clue(request.user, pk)
    links = list(item.id_links.all())
    audit(
        actor=request.user,
        action=Action.UNMASK,
        obj=item,
        note="查看线索所涉完整身份证号：" + "、".join(link.id_number_masked for link in links),
    )
    return render(request, "oversight/_clue_ids.html", {"clue": item, "links": links})


ACTIONS = {
    "assign": lambda u, c, v, d: services.clue_assign(
        actor=u, clue=c, version=v, handling_unit=d["handling_unit"]
    ),
    "verify": lambda u, c, v, d: services.clue_start_verification(actor=u, clue=c, version=v),
    "dispose": lambda u, c, v, d: services.clue_dispose(
        actor=u, clue=c, version=v, disposal=d["disposal"], note=d["note"]
    ),
    "rectify": lambda u, c, v, d: services.clue_start_rectification(
        actor=u, clue=c, version=v, note=d["note"]
    ),
    "request_close": lambda u, c, v, d: services.clue_request_close(
        actor=u,
        clue=c,
        version=v,
        rectification=d["rectification"],
        recovered=d["recovered"] or 0,
        accountable=d["accountable"] or 0,
    ),
    "approve_close": lambda u, c, v, d: services.clue_approve_close(
        actor=u, clue=c, version=v, note=d["note"]
    ),
    "reject_close": lambda u, c, v, d: services.clue_reject_close(
        actor=u, clue=c, version=v, reason=d["note"]
    ),
    "reopen": lambda u, c, v, d: services.clue_reopen(actor=u, clue=c, version=v, reason=d["note"]),
}


@require_POST
@staff_view(Perm.VIEW_CLUES)
def clue_act(request, pk: int):
    """One state change of the clue (the service checks the role it needs)."""
    item = access_clue(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    data = form.cleaned_data
    try:
        ACTIONS[data["action"]](request.user, item, data["version"], data)
    except ValidationError as error:
        _fail(request, error, form)
    else:
        messages.success(request, f"线索已转为「{item.get_status_display()}」。")
    return redirect(item)


@require_POST
@staff_view(Perm.HANDLE_CLUES)
def clue_edit(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.HANDLE_CLUES)
    return run_form(
        request,
        EditForm(request.POST),
        lambda d: services.clue_update(
            actor=request.user,
            clue=item,
            version=d["version"],
            summary=d["summary"],
            funds=d["funds"],
            category=d["category"],
            place=d["place"],
            links=d["links"],
        ),
        "已保存。",
        item,
    )


@require_POST
@staff_view(Perm.HANDLE_CLUES)
def clue_merge(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.HANDLE_CLUES)
    form = MergeForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    into = clues_visible_to(request.user).filter(number=form.cleaned_data["into"].strip()).first()
    if into is None:
        messages.error(request, "没有找到该编号的线索。")
        return redirect(item)
    try:
        services.clue_merge(
            actor=request.user, duplicate=item, into=into, version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        _fail(request, error)
        return redirect(item)
    messages.success(request, f"已并入 {into.number}。")
    return redirect(into)


@require_POST
@staff_view(Perm.HANDLE_CLUES)
def attachment_add(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.HANDLE_CLUES)
    return run_form(
        request,
        AttachmentForm(request.POST, request.FILES),
        lambda d: services.attachment_add(
            actor=request.user,
            clue=item,
            name=d["file"].name,
            data=d["file"].read(),
            is_evidence=d["is_evidence"],
        ),
        "附件已上传。",
        item,
    )


@staff_view(Perm.VIEW_CLUES)
def attachment(request, pk: int):
    item = Attachment.objects.filter(pk=pk).only("clue_id").first()
    clue = access_clue(request.user, item.clue_id if item else 0)
    item = Attachment.objects.get(pk=pk, clue=clue)
    audit(actor=request.user, action=Action.EXPORT, obj=clue, note=f"下载附件 {item.name}")
    response = HttpResponse(bytes(item.data), content_type=item.content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + quote(item.name)
    return response


@require_POST
@staff_view(Perm.HANDLE_CLUES)
def transfer_send(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.HANDLE_CLUES)
    form = limit_regions(TransferForm(request.POST), tree_root())
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    data = form.cleaned_data
    to_region = None
    if data["receiver"] is None:
        to_region = Region.objects.filter(code=data["to_region"]).first()
        if to_region is None:
            messages.error(request, "接收方所在地（系统外单位）：请选择系统外接收单位的所在地。")
            keep(request, form)
            return redirect(item)
    try:
        transfer = services.transfer_send(
            actor=request.user,
            clue=item,
            version=data["version"],
            target=data["target"],
            to_region=to_region,
            to_unit=data["to_unit"],
            note=data["note"],
            receiver=data["receiver"],
        )
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, f"已移送{transfer.to_unit}，等待对方签收和反馈。")
    return redirect(item)


@staff_view(Perm.RECEIVE_TRANSFERS)
def transfers(request):
    region = active_region(request)
    user = request.user
    today = timezone.localdate()
    incoming = scope_to_region(transfers_visible_to(user), region, "to_region")
    sends = has_perm(user, Perm.HANDLE_CLUES) and not unit_bound(user)
    return render(
        request,
        "oversight/transfers.html",
        {
            "unit": unit_of(user),
            "incoming": queries.transfers_ordered(incoming)[:200],
            "outgoing": queries.transfers_out(region)[:200] if sends else [],
            "sends": sends,
            # What each unit of the region holds and what is overdue: for the lead unit's and
            # the discipline office's people (every user of the region who is not unit-bound).
            "board": [] if unit_bound(user) else queries.transfer_board(region, today),
            "report_form": ReportBackForm(),
            "today": today,
        },
    )


@require_POST
@staff_view(Perm.RECEIVE_TRANSFERS)
def transfer_ack(request, pk: int):
    transfer = access_transfer(request.user, pk)
    return run(
        request,
        lambda: services.transfer_acknowledge(actor=request.user, transfer=transfer),
        "已签收。",
        "oversight:transfers",
    )


@require_POST
@staff_view(Perm.RECEIVE_TRANSFERS)
def transfer_report(request, pk: int):
    transfer = access_transfer(request.user, pk)
    return run_form(
        request,
        ReportBackForm(request.POST),
        lambda d: services.transfer_report_back(
            actor=request.user,
            transfer=transfer,
            report=d["report"],
        ),
        "已反馈办理结果，移送方可见。",
        "oversight:transfers",
    )


@require_POST
@staff_view(Perm.SUPERVISE)
def supervise(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.SUPERVISE)
    return run_form(
        request,
        SupervisionForm(request.POST),
        lambda d: services.supervision_set(
            actor=request.user,
            clue=item,
            version=d["version"],
            due=d["due"],
            note=d["note"],
        ),
        "已列为重点督办。",
        item,
    )


@staff_view(Perm.VIEW_CLUES)
def supervision(request):
    today = timezone.localdate()
    region = active_region(request)
    visible = scope_to_region(clues_visible_to(request.user), region)
    rows = [
        (c, urgency(c.supervision_due, today) if c.status != S.CLOSED else "")
        for c in queries.supervision_board(visible)
    ]
    return render(
        request,
        "oversight/supervision.html",
        {
            "rows": rows,
            "candidates": queries.long_open(visible, today).select_related("region")[:50],
            "can_supervise": has_perm(request.user, Perm.SUPERVISE),
        },
    )


@require_POST
@staff_view(Perm.RECORD_ACCOUNTABILITY)
def sanction_add(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.RECORD_ACCOUNTABILITY)
    return run_form(
        request,
        SanctionForm(request.POST),
        lambda d: services.sanction_add(actor=request.user, clue=item, **d),
        "问责记录已登记。",
        item,
    )


@require_POST
@staff_view(Perm.RECORD_ACCOUNTABILITY)
def typical_add(request, pk: int):
    item = access_clue(request.user, pk, perm=Perm.RECORD_ACCOUNTABILITY)
    form = TypicalCaseForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(item)
    try:
        month = parse_month(form.cleaned_data["month"])
        services.typical_case_add(
            actor=request.user, clue=item, month=month, text=form.cleaned_data["text"]
        )
    except ValueError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, "已选为典型案例。")
    return redirect(item)


@staff_view(Perm.RECORD_ACCOUNTABILITY)
def exposures(request):
    from anju.oversight.models import Exposure

    region = active_region(request)
    form = limit_regions(
        ExposureForm(
            request.POST or None,
            initial={"region_code": region.code, "exposed_on": timezone.localdate()},
        ),
        request.user.region,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.exposure_add(
                actor=request.user,
                region=access_region(request.user, data["region_code"]),
                exposed_on=data["exposed_on"],
                channel=data["channel"],
                problems=data["problems"],
                persons=data["persons"],
            )
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, "通报曝光已登记。")
            return redirect("oversight:exposures")
    items = scope_to_region(Exposure.objects.all(), region).order_by("-exposed_on")
    return render(
        request, "oversight/exposures.html", {"form": form, "page": paginate(request, items)}
    )


def _items(request):
    """(the problem-list items of the active region, township by township; the region; the
    status asked)."""
    region = active_region(request)
    rows = scope_to_region(items_visible_to(request.user), region).select_related(
        "region", "done_by"
    )
    status = request.GET.get("status", "open")
    if status in ItemStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("region_id", "status", "deadline", "pk"), region, status


@staff_view(Perm.VIEW_CLUES)
def items_export(request):
    """The problem lists of the active region (one township, or every township of a county)
    as xlsx, audited with the reason given."""
    reason = export_reason(request)
    if reason is None:
        return ask_export_reason(request, "乡镇问题清单")
    rows, region, status = _items(request)
    handle, count = exports.write_items(rows, watermark=watermark(request.user, reason))
    audit(
        actor=request.user,
        action=Action.EXPORT,
        obj="oversight.rectificationitem",
        region_code=region.code,
        note=f"导出问题清单 {count} 项，用途：{reason}，状态：{status}",
    )
    name = dated_name("问题清单", "xlsx", region.name)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


@staff_view(Perm.VIEW_CLUES)
def items(request):
    today = timezone.localdate()
    rows, region, status = _items(request)
    printing = request.GET.get("print") == "1"
    page = paginate(request, rows, per_page=1000 if printing else 50)
    return render(
        request,
        "oversight/items.html",
        {
            "page": page,
            "rows": [
                (i, urgency(i.deadline, today) if i.status == "open" else "")
                for i in page.object_list
            ],
            "form": limit_regions(
                kept(request, ItemForm, initial={"region_code": region.code}), request.user.region
            ),
            "status": status,
            "can_manage": has_perm(request.user, Perm.MANAGE_ITEMS),
            "printing": printing,
            "region": region,
            "today": today,
        },
    )


@require_POST
@staff_view(Perm.MANAGE_ITEMS)
def item_new(request):
    return run_form(
        request,
        limit_regions(ItemForm(request.POST), request.user.region),
        lambda d: services.item_create(
            actor=request.user,
            region=access_region(request.user, d["region_code"]),
            source=d["source"],
            description=d["description"],
            owner=d["owner"],
            deadline=d["deadline"],
            measure=d["measure"],
        ),
        "已加入问题清单。",
        "oversight:items",
    )


@staff_view(Perm.MANAGE_ITEMS)
def item_done(request, pk: int):
    """已整改: a page that says what closing does (the item leaves the open list for good),
    asks how it was put right and, for an item from a visit, a finding or a cadre's report, a
    photo; then closes it."""
    item = access_item(request.user, pk)
    form = ItemDoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data["evidence"]
        try:
            services.item_done(
                actor=request.user,
                item=item,
                note=form.cleaned_data["note"],
                evidence=photo.read() if photo else None,
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request,
                "已提交整改完成，待另一人复核后计为已整改。"
                if item.status == "review"
                else "已标记整改完成。",
            )
            return redirect("oversight:items")
    return render(
        request,
        "oversight/item_done.html",
        {
            "item": item,
            "form": form,
            "needs_photo": item.source in services.EVIDENCE_NEEDED,
            "choose_again": request.method == "POST" and bool(request.FILES),
        },
    )


@require_POST
@staff_view(Perm.MANAGE_ITEMS)
def item_review(request, pk: int):
    """复核: another person agrees that the item was put right, or returns it (with why)."""
    item = access_item(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    return run_form(
        request,
        ItemReviewForm(request.POST),
        lambda d: services.item_review(
            actor=request.user, item=item, approve=approve, note=d["note"]
        ),
        "复核同意，已计为已整改。" if approve else "已退回，事项重新列为整改中。",
        # Back to the items still waiting for a review.
        reverse("oversight:items") + "?status=review",
    )


@staff_view(Perm.MANAGE_ITEMS)
def item_evidence(request, pk: int):
    """The photo an item was closed with (stripped of metadata when it was kept)."""
    from django.http import Http404

    item = access_item(request.user, pk)
    if not item.done_evidence:
        raise Http404
    return HttpResponse(bytes(item.done_evidence), content_type=item.done_evidence_type)


@staff_view(Perm.VIEW_CLUES)
def definitions(request):
    from anju.oversight.annexes import DEFINITIONS
    from anju.oversight.deadlines import deadline_definitions

    return render(
        request,
        "oversight/definitions.html",
        {"definitions": DEFINITIONS, "deadlines": deadline_definitions()},
    )
