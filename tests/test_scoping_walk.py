"""Walks every URL the app has, as every role of the cast and as a stranger, and proves that
nothing leaks: a role without the right gets 403, a user of another region gets 404, neither
sees the object's data. A URL added without an access policy, or without a row in SAMPLES
below, fails this test, so no new page escapes the walk. The apps' own policies (each app's
access.py, registered on the core with @policy) are found through the registry: one not
registered fails, and every registered list is walked for neighbours of the same role.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from anju.accounts.access import (
    AUTHENTICATED,
    PUBLIC,
    SECOND_FACTOR,
    Perm,
    perms_of,
    policies,
    unit_bound,
)
from anju.audit.models import Action, AuditEntry
from anju.audit.services import audit
from anju.regions.models import is_within
from tests.api.base import stored_token
from tests.base import AnjuTestCase


def walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else None), p


def unit_reaches(user, sample) -> bool:
    """The unit dimension of a sample: a department's user reaches only what is addressed to
    their own unit; a unit-only act, only the unit's own users."""
    if sample.unit is None:
        return True
    if user.work_unit_id == sample.unit:
        return True
    return not (sample.unit_only or unit_bound(user))


@dataclass
class Sample:
    """How to call one URL: its arguments, the region its object lies in, a secret it shows."""

    method: str = "GET"
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    region: str | None = None  # the object's region; None for pages with no object
    secret: str = ""  # text only someone allowed to see the object may receive
    also: frozenset = frozenset()  # statuses also fine for an allowed user (a service's own 403)
    # The unit dimension: the unit (单位) the object is addressed to or belongs to. A department's
    # user (unit-bound) of any other unit gets 404; with `unit_only`, so does every user who is
    # not of that unit (signing for a transfer, keeping a unit's directory entry).
    unit: int | None = None
    unit_only: bool = False
    # The region is a place picked in the form (the region picker): a user outside it is
    # refused on the field with the form kept (200, or 302 back with an error), never a 404.
    picked: bool = False


def samples(case) -> dict[str, Sample]:
    alice = case.alice
    entry = AuditEntry.objects.filter(region_code=alice.region_id).order_by("seq").first()
    village = "350881100203"
    return {
        "home": Sample(),
        "dashboard:overview": Sample(),
        "guide:index": Sample(),
        "guide:figures": Sample(),
        "guide:role": Sample(kwargs={"role": "township_clerk"}),
        "healthz": Sample(),
        "favicon": Sample(),
        "login": Sample(),
        "logout": Sample(method="POST"),
        "password_change": Sample(),
        "otp_verify": Sample(),
        "otp_setup": Sample(),
        "regions:browse": Sample(),
        "regions:tree": Sample(),
        "regions:detail": Sample(kwargs={"code": village}, region=village, secret="西埔村"),
        "regions:switch": Sample(method="POST", data={"code": village}, region=village),
        "accounts:users": Sample(),
        "accounts:user_create": Sample(),
        "accounts:user": Sample(kwargs={"pk": alice.pk}, region=alice.region_id, secret=alice.unit),
        "accounts:user_roles": Sample(
            method="POST",
            kwargs={"pk": alice.pk},
            region=alice.region_id,
            data={"region_code": alice.region_id, "roles": ["township_clerk"]},
        ),
        "accounts:user_active": Sample(
            method="POST", kwargs={"pk": alice.pk}, region=alice.region_id, data={"active": "0"}
        ),
        "accounts:user_reset_password": Sample(
            method="POST", kwargs={"pk": alice.pk}, region=alice.region_id
        ),
        "accounts:user_unlock": Sample(
            method="POST", kwargs={"pk": alice.pk}, region=alice.region_id
        ),
        "accounts:user_reset_otp": Sample(
            method="POST", kwargs={"pk": alice.pk}, region=alice.region_id
        ),
        "accounts:user_enrol_code": Sample(
            method="POST", kwargs={"pk": alice.pk}, region=alice.region_id
        ),
        "audit:list": Sample(),
        "reporting:contacts": Sample(),
        "reporting:contact_save": Sample(
            method="POST",
            data={
                "region_code": "350881000000",
                "role": "director",
                "name": "林局长",
                "unit_post": "漳平市住建局局长",
                "mobile": "13905970001",
            },
            region="350881000000",
        ),
        "reporting:annex3": Sample(),
        "reporting:reports": Sample(),
        "reporting:board": Sample(),
        "reporting:summary": Sample(kwargs={"kind": "annex1"}),
        "reporting:prepare": Sample(
            method="POST",
            region="350881000000",
            data={"region_code": "350881000000", "kind": "annex1", "month": "2026-10"},
            picked=True,
        ),
        "reporting:report": Sample(
            kwargs={"pk": case.report.pk},
            region="350881000000",
            secret="SHA-256 " + case.report.sha256,
            unit=case.housing.pk,
        ),
        "reporting:sign_off": Sample(
            method="POST",
            kwargs={"pk": case.report.pk},
            region="350881000000",
            unit=case.housing.pk,
        ),
        "reporting:submit": Sample(
            method="POST",
            kwargs={"pk": case.report.pk},
            region="350881000000",
            unit=case.housing.pk,
        ),
        "reporting:return": Sample(
            method="POST",
            kwargs={"pk": case.report.pk},
            region="350881000000",
            data={"reason": "数据有误"},
            unit=case.housing.pk,
        ),
        "reporting:correct": Sample(
            method="POST",
            kwargs={"pk": case.report.pk},
            region="350881000000",
            data={"reason": "更正"},
            unit=case.housing.pk,
        ),
        "reporting:acknowledge": Sample(
            method="POST",
            kwargs={"pk": case.report.pk},
            region="350881000000",
            unit=case.housing.pk,
        ),
        "reporting:scan": Sample(
            kwargs={"pk": case.report.pk}, region="350881000000", unit=case.housing.pk
        ),
        "reporting:upload": Sample(),
        # Reports of the district or township (not of a department): a department's user of
        # any unit reaches only its own unit's reports; the housing bureau's users reach these.
        "reporting:duties": Sample(),
        "reporting:document": Sample(
            kwargs={"pk": case.progress.pk},
            region="350881100000",
            secret="走查突出问题",
            unit=case.housing.pk,
            # The discipline office reads only the quarterly clue reports sent to it.
            also=frozenset({404}),
        ),
        "reporting:upload_review": Sample(
            kwargs={"pk": case.upload.pk}, region="350881000000", secret="走查上传警告"
        ),
        "reporting:upload_accept": Sample(
            method="POST", kwargs={"pk": case.upload.pk}, region="350881000000"
        ),
        **clue_samples(case),
        **unit_samples(case),
        "households:list": Sample(),
        "households:visits": Sample(),
        # Issue 29: by the village. Without ?region= the active region; a county's batch write
        # has no form (403: pick a township first), a hanging without a plate ticked is 400.
        "households:visit_sheet": Sample(),
        "households:visit_sheet_pdf": Sample(),
        "households:visits_import": Sample(),
        "households:visits_template": Sample(),
        "households:plates_batch": Sample(),
        "households:plates_batch_pdf": Sample(),
        "households:plates_issue_batch": Sample(method="POST", also=frozenset({403})),
        "households:plates_hung_batch": Sample(method="POST", also=frozenset({400, 403})),
        "households:changes": Sample(),
        "households:plates": Sample(),
        "households:new": Sample(),
        "households:person_add": Sample(
            method="POST",
            kwargs={"pk": case.household.pk},
            region="350881100203",
            data={"name": "成员", "id_number": "350881195001011258", "relation": "配偶"},
        ),
        "households:assessment_add": Sample(
            method="POST",
            kwargs={"pk": case.household.pk},
            region="350881100203",
            data={"house": 0},
            also=frozenset({404}),
        ),
        "households:archive_pdf": Sample(kwargs={"pk": case.household.pk}, region="350881100203"),
        "households:plate_pdf": Sample(kwargs={"pk": case.plate.pk}, region="350881100203"),
        "households:plate_installed": Sample(
            method="POST", kwargs={"pk": case.plate.pk}, region="350881100203"
        ),
        "households:plate_issue": Sample(
            method="POST", kwargs={"pk": case.household.pk}, region="350881100203"
        ),
        "households:change_propose": Sample(
            method="POST",
            kwargs={"pk": case.household.pk},
            region="350881100203",
            data={"field": "account_holder", "new_value": "新户名", "reason": "更正"},
        ),
        "households:change_decide": Sample(
            method="POST",
            kwargs={"pk": case.change.pk},
            region="350881100203",
            data={"decision": "approve"},
        ),
        "households:renovation_step": Sample(
            method="POST",
            kwargs={"pk": case.renovation.pk},
            region="350881100203",
            data={"step": "applied_on", "on": "2026-01-05"},
        ),
        "households:payment_add": Sample(
            method="POST",
            kwargs={"pk": case.renovation.pk},
            region="350881100203",
            data={
                "paid_on": "2026-03-01",
                "amount": "100",
                "account_number": "1",
                "account_holder": "x",
            },
        ),
        "households:visit_add": Sample(
            method="POST",
            kwargs={"pk": case.household.pk},
            region="350881100203",
            data={"visited_on": "2026-11-01"},
        ),
        "households:export": Sample(),
        "households:template": Sample(),
        "households:import": Sample(),
        "households:import_status": Sample(
            kwargs={"pk": case.import_upload.pk}, region="350881100203", also=frozenset({404})
        ),
        # 410: an imported upload's file is deleted with the import (issue 33, F4).
        "households:import_errors": Sample(
            kwargs={"pk": case.import_upload.pk}, region="350881100203", also=frozenset({404, 410})
        ),
        "households:household": Sample(
            kwargs={"pk": case.household.pk}, region="350881100203", secret="走查户主"
        ),
        "households:unmask": Sample(
            method="POST",
            kwargs={"pk": case.household.pk},
            region="350881100203",
            secret=case.household.head_id,
        ),
        "reporting:download": Sample(
            kwargs={"pk": case.report.pk}, region="350881000000", unit=case.housing.pk
        ),
        **cadre_samples(case),
        **spot_check_samples(case),
        **renovation_case_samples(case),
        **notification_samples(case),
        "audit:entry": Sample(
            kwargs={"pk": entry.pk}, region=entry.region_code, secret=f"审计记录 #{entry.seq}"
        ),
    }


def unit_samples(case) -> dict[str, Sample]:
    """Issue #30: the directory of units, the units' quarterly clue reports."""
    county = "350881000000"
    figures = {"found": 1, "transferred": 0, "received": 1, "closed": 1, "accountable": 0}
    return {
        "units:directory": Sample(),
        "units:new": Sample(
            method="POST",
            region=county,
            data={"name": "漳平市残联", "kind": "disabled", "region_code": county},
        ),
        "units:edit": Sample(
            method="POST",
            kwargs={"pk": case.civil.pk},
            region=county,
            data={"leader": "走查领导", "phone": "0597-1"},
            unit=case.civil.pk,
            unit_only=True,
        ),
        "reporting:unit_reports": Sample(),
        "reporting:unit_report_file": Sample(method="POST", data={"q": "2026-3", **figures}),
        "reporting:unit_report": Sample(
            kwargs={"pk": case.unit_report.pk},
            region=county,
            secret="走查部门报告",
            unit=case.civil.pk,
        ),
    }


def notification_samples(case) -> dict[str, Sample]:
    """The to-do list and notifications: a person's own (404 for anyone else, whatever their
    region); deliveries for the system administrator of the owner's region."""
    from anju.notifications.models import Channel, Delivery, Notification

    note, _ = Notification.objects.get_or_create(
        user=case.alice, key="walk", defaults={"kind": "走查", "text": "走查通知", "url": "/"}
    )
    channel = Channel.objects.filter(user=case.alice).first() or Channel.objects.create(
        user=case.alice, kind="email", address="alice@walk.example", shown="a***@walk.example"
    )
    delivery, _ = Delivery.objects.get_or_create(
        channel=channel,
        key="walk",
        defaults={"status": "failed", "next_attempt_at": timezone.now(), "attempts": 8},
    )
    own = frozenset({404})
    return {
        "workbench:seen": Sample(method="POST", data={"key": "walk"}),
        "notifications:list": Sample(),
        "notifications:open": Sample(method="POST", kwargs={"pk": note.pk}, also=own),
        "notifications:read_all": Sample(method="POST"),
        "notifications:channels": Sample(),
        "notifications:channel_add": Sample(method="POST"),
        "notifications:channel_remove": Sample(method="POST", kwargs={"pk": channel.pk}, also=own),
        "notifications:deliveries": Sample(),
        "notifications:delivery_retry": Sample(
            method="POST", kwargs={"pk": delivery.pk}, region="350881100000"
        ),
    }


def cadre_samples(case) -> dict[str, Sample]:
    village, town = "350881100203", "350881100000"
    household = {"pk": case.household.pk}
    observation = {"pk": case.observation.pk}
    return {
        "assessments:tasks": Sample(),
        "assessments:export": Sample(),
        "assessments:escalate": Sample(method="POST", data={"region_code": town}, region=town),
        "cadres:mine": Sample(),
        "cadres:service_worker": Sample(),
        "households:visits_service_worker": Sample(),
        "cadres:household": Sample(kwargs=household, region=village, secret="走查户主"),
        "cadres:observe": Sample(
            method="POST",
            kwargs=household,
            region=village,
            data={"kind": "leaky", "visited_on": "2026-11-01"},
        ),
        "cadres:observations": Sample(),
        "cadres:observation": Sample(kwargs=observation, region=village, secret="走查走访"),
        "cadres:open_item": Sample(
            method="POST",
            kwargs=observation,
            region=village,
            data={"owner": "黄某", "deadline": "2099-01-01"},
        ),
        "cadres:close": Sample(
            method="POST", kwargs=observation, region=village, data={"reason": "核实无问题"}
        ),
        "cadres:photo": Sample(kwargs={"pk": case.observation_photo.pk}, region=village),
        "cadres:assignments": Sample(),
        "cadres:assign": Sample(
            method="POST",
            region=village,
            data={"cadre": case.cathy.pk, "household": case.household.pk},
        ),
        "cadres:unassign": Sample(method="POST", kwargs={"pk": case.assignment.pk}, region=village),
    }


def clue_samples(case) -> dict[str, Sample]:
    """The ledger's pages; the walk's clue is transferred to the civil affairs unit, so of the
    departments' users only that unit's reaches it (the others get 404)."""
    samples = _clue_samples(case)
    for sample in samples.values():
        if sample.region == "350881100000":
            sample.unit = case.civil.pk
    return samples


def _clue_samples(case) -> dict[str, Sample]:
    town = "350881100000"
    clue = {"pk": case.clue.pk}
    version = {"version": case.clue.version}
    return {
        "oversight:clues": Sample(),
        "oversight:clues_export": Sample(),
        "oversight:items_export": Sample(),
        "oversight:clue_new": Sample(),
        "oversight:clue_send": Sample(),
        "oversight:supervision": Sample(),
        "oversight:definitions": Sample(),
        "oversight:transfers": Sample(),
        "oversight:exposures": Sample(),
        "oversight:items": Sample(),
        "oversight:clue": Sample(kwargs=clue, region=town, secret=case.clue.summary),
        "oversight:clue_unmask": Sample(
            method="POST", kwargs=clue, region=town, secret=case.clue_id_number
        ),
        "oversight:clue_act": Sample(
            method="POST",
            kwargs=clue,
            region=town,
            data={**version, "action": "verify"},
            also=frozenset({403}),
        ),
        "oversight:clue_edit": Sample(
            method="POST",
            kwargs=clue,
            region=town,
            data={**version, "place": "新桥镇", "category": "funds", "summary": "改", "funds": "1"},
        ),
        "oversight:clue_merge": Sample(
            method="POST", kwargs=clue, region=town, data={**version, "into": "none"}
        ),
        "oversight:attachment_add": Sample(method="POST", kwargs=clue, region=town),
        "oversight:attachment": Sample(kwargs={"pk": case.attachment.pk}, region=town),
        "oversight:transfer_send": Sample(
            method="POST",
            kwargs=clue,
            region=town,
            data={
                **version,
                "target": "department",
                "to_region": "350881000000",
                "to_unit": "市民政局",
            },
        ),
        "oversight:transfer_ack": Sample(
            method="POST",
            kwargs={"pk": case.transfer.pk},
            region="350881000000",
            unit=case.civil.pk,
            unit_only=True,
        ),
        "oversight:transfer_report": Sample(
            method="POST",
            kwargs={"pk": case.transfer.pk},
            region="350881000000",
            data={"report": "已办结"},
            unit=case.civil.pk,
            unit_only=True,
        ),
        "oversight:supervise": Sample(
            method="POST",
            kwargs=clue,
            region=town,
            data={**version, "due": "2099-01-01", "note": "督办"},
        ),
        "oversight:sanction_add": Sample(
            method="POST",
            kwargs=clue,
            region=town,
            data={"kind": "unit_check", "decided_on": "2026-10-10", "unit": "新桥镇政府"},
        ),
        "oversight:typical_add": Sample(
            method="POST", kwargs=clue, region=town, data={"month": "2026-10", "text": "案例"}
        ),
        "oversight:item_new": Sample(
            method="POST",
            region=town,
            data={
                "region_code": town,
                "source": "visit",
                "description": "漏雨",
                "owner": "黄某",
                "deadline": "2099-01-01",
            },
            picked=True,
        ),
        "oversight:item_done": Sample(method="POST", kwargs={"pk": case.item.pk}, region=town),
        "oversight:item_review": Sample(
            method="POST", kwargs={"pk": case.item.pk}, region=town, data={"decision": "approve"}
        ),
        # The walk's item was not closed with a photo: found (404) only for the allowed too.
        "oversight:item_evidence": Sample(
            kwargs={"pk": case.item.pk}, region=town, also=frozenset({404})
        ),
        "crosscheck:findings": Sample(),
        "crosscheck:export": Sample(),
        "crosscheck:finding": Sample(
            kwargs={"pk": case.finding.pk}, region="350881100203", secret="走查证据"
        ),
        "crosscheck:confirm": Sample(
            method="POST",
            kwargs={"pk": case.finding.pk},
            region="350881100203",
            data={"person_name": "走查户主", "person_level": "other", "confirm_new": "on"},
        ),
        "crosscheck:dismiss": Sample(
            method="POST",
            kwargs={"pk": case.finding.pk},
            region="350881100203",
            data={"reason": "核实无误"},
        ),
        "crosscheck:runs": Sample(),
        "crosscheck:run_new": Sample(method="POST"),
        "crosscheck:run": Sample(
            kwargs={"pk": case.check_run.pk}, region="350881000000", secret="走查批次"
        ),
        "crosscheck:lists": Sample(),
        "crosscheck:list_template": Sample(kwargs={"kind": "deaths"}),
        "portal:home": Sample(),
        "portal:report": Sample(),
        "portal:challenge": Sample(),
        "portal:track": Sample(method="POST", data={"code": "0000-0000-0000-0000"}),
        "portal:status": Sample(),
        "portal:disclosure": Sample(),
        "portal:plate": Sample(kwargs={"token": case.plate.public_token}),
        "portal:responsibilities": Sample(),
        "portal:hotlines": Sample(),
        "portal:cases": Sample(),
        "portal:district": Sample(),
        "portal:page_edit": Sample(method="POST", data={"title": "清单", "body": "<p>职责</p>"}),
        "portal:staff_reporter": Sample(
            method="POST", kwargs={"pk": case.public_report.pk}, region=town, secret="走查举报人"
        ),
        "portal:staff_reply": Sample(
            method="POST",
            kwargs={"pk": case.public_report.pk},
            region=town,
            data={"text": "已受理"},
        ),
        "portal:staff_photo": Sample(kwargs={"pk": case.report_photo.pk}, region=town),
        **api_samples(case),
    }


def api_samples(case) -> dict[str, Sample]:
    """/api/v1/ is walked with a token per cast member (no session counts there); the token
    page itself is a staff page and walked with the session like the others."""
    village = "350881100203"
    return {
        "tokens:list": Sample(),
        "tokens:create": Sample(method="POST", data={"name": "走查令牌", "days": 30}),
        # Only the owner revokes a token: everyone else gets 404, whatever their region.
        "tokens:revoke": Sample(
            method="POST", kwargs={"pk": case.api_token.pk}, also=frozenset({404})
        ),
        "api:schema": Sample(),
        "api:docs": Sample(),
        "api:households": Sample(),
        "api:household": Sample(
            kwargs={"pk": case.household.pk}, region=village, secret="走查户主"
        ),
        "api:renovations": Sample(),
        "api:renovation": Sample(
            kwargs={"pk": case.renovation.pk}, region=village, secret="走查户主"
        ),
        "api:assessments": Sample(),
        "api:assessment": Sample(
            kwargs={"pk": case.assessment.pk}, region=village, secret="走查鉴定站"
        ),
        "api:visits": Sample(),
        "api:visit": Sample(kwargs={"pk": case.visit.pk}, region=village, secret="走查回访"),
        "api:findings": Sample(),
        "api:finding": Sample(kwargs={"pk": case.finding.pk}, region=village, secret="走查证据"),
        "api:clues": Sample(),
        "api:clue": Sample(
            kwargs={"pk": case.clue.pk},
            region="350881100000",
            secret=case.clue.summary,
            unit=case.civil.pk,
        ),
        "api:reports": Sample(),
        "api:report": Sample(
            kwargs={"pk": case.report.pk},
            region="350881000000",
            secret=case.report.sha256,
            unit=case.housing.pk,
        ),
        "api:references": Sample(method="POST", data={"kind": "deaths"}),
    }


def renovation_case_samples(case) -> dict[str, Sample]:
    """Issue #24: renovation cases, opening renovations, pending households, reviews."""
    village = "350881100203"
    household = {"pk": case.household.pk}
    return {
        "households:cases": Sample(),
        "households:case_open": Sample(
            method="POST", kwargs=household, region=village, data={"kind": "renovation"}
        ),
        "households:relocation": Sample(
            method="POST",
            kwargs={**household, "case": case.renovation_case.pk},
            region=village,
            data={"step": "eligible_on", "on": "2026-11-01"},
        ),
        "households:renovation_open": Sample(
            method="POST", kwargs=household, region=village, data={"year": "2027"}
        ),
        "households:renovation_from_visit": Sample(
            method="POST",
            kwargs={**household, "visit": case.visit.pk},
            region=village,
            data={"year": "2027"},
        ),
        "households:complete": Sample(
            method="POST", kwargs=household, region=village, data={"size": "2"}
        ),
        "households:place": Sample(
            method="POST", kwargs=household, region=village, data={"region_code": village}
        ),
        "households:review_add": Sample(
            method="POST", kwargs=household, region=village, data={"result": "consistent"}
        ),
        "households:reviews": Sample(),
        "households:merge": Sample(kwargs=household, region=village, secret="走查户主"),
        "households:withdraw": Sample(
            method="POST", kwargs=household, region=village, data={"reason": "误建"}
        ),
        "households:unmerge": Sample(
            method="POST", kwargs=household, region=village, data={"reason": "合并错了"}
        ),
        "households:restore": Sample(
            method="POST", kwargs=household, region=village, data={"reason": "撤错了"}
        ),
        "households:base_villages": Sample(),
        "campaigns:figure": Sample(
            kwargs={"pk": case.campaign.pk, "target": case.target.pk}, region="350881000000"
        ),
    }


def spot_check_samples(case) -> dict[str, Sample]:
    county, village = "350881000000", "350881100203"
    plan = {"pk": case.spot_plan.pk}
    campaign = {"pk": case.campaign.pk}
    # The plan is housing's own (no department's unit): a department's user gets 404 for it and
    # all of its houses (issue 30, point 4: a department sees its own unit's spot checks only).
    housing = 0
    return {
        "spotchecks:plans": Sample(),
        "spotchecks:plan_new": Sample(
            method="POST",
            region="350881100000",
            data={
                "name": "抽查",
                "region_code": "350881100000",
                "population": "renovated",
                "share_percent": "10",
            },
            picked=True,
        ),
        "spotchecks:results": Sample(),
        "spotchecks:results_export": Sample(),
        "spotchecks:plan": Sample(kwargs=plan, region=county, secret="走查抽查", unit=housing),
        "spotchecks:plan_draw": Sample(method="POST", kwargs=plan, region=county, unit=housing),
        "spotchecks:plan_verify": Sample(method="POST", kwargs=plan, region=county, unit=housing),
        "spotchecks:plan_assign": Sample(method="POST", kwargs=plan, region=county, unit=housing),
        "spotchecks:plan_close": Sample(method="POST", kwargs=plan, region=county, unit=housing),
        "spotchecks:house": Sample(
            kwargs={"pk": case.sampled.pk}, region=village, secret="走查未挂牌", unit=housing
        ),
        "spotchecks:house_record": Sample(
            method="POST", kwargs={"pk": case.sampled.pk}, region=village, unit=housing
        ),
        "spotchecks:photo": Sample(
            kwargs={"pk": case.check_photo.pk}, region=village, unit=housing
        ),
        "spotchecks:follow_up": Sample(
            method="POST",
            kwargs={"pk": case.check_result.pk},
            region=village,
            data={"kind": "item", "owner": "黄某"},
            unit=housing,
        ),
        "campaigns:campaigns": Sample(),
        "campaigns:campaign_new": Sample(
            method="POST",
            region=county,
            data={
                "name": "整治",
                "region_code": county,
                "start": "2020-04-01",
                "end": "2020-11-30",
            },
            picked=True,
        ),
        "campaigns:campaign": Sample(kwargs=campaign, region=county, secret="走查整治"),
        "campaigns:phase_add": Sample(
            method="POST",
            kwargs=campaign,
            region=county,
            data={"name": "阶段", "start": "2020-05-01", "end": "2020-06-01"},
        ),
        "campaigns:target_add": Sample(
            method="POST",
            kwargs=campaign,
            region=county,
            data={
                "name": "挂牌",
                "measure": "poor_plated",
                "goal_percent": "100",
                "due": "2020-06-30",
            },
        ),
        "campaigns:summary": Sample(kwargs=campaign, region=county),
    }


class ScopingWalkTests(AnjuTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        audit(actor=cls.alice, action=Action.UPDATE, obj=cls.alice, note="walk sample")
        from datetime import date

        from anju.reporting.models import Report

        # A quarterly clue report once sent: every reporting role, the discipline commission
        # included (it receives this kind), sees it.
        cls.progress = Report.objects.create(
            region_id="350881100000",
            kind="progress",
            status="submitted",
            period=date(2026, 10, 1),
            due_date=date(2026, 10, 23),
            values={"columns": ["村（社区）"], "rows": [["西埔村"]], "narrative": "走查突出问题"},
            narrative="走查突出问题",
            prepared_by=cls.alice,
            file=b"PK-walk",
            sha256="ef" * 32,
        )
        cls.report = Report.objects.create(
            region_id="350881000000",
            kind="clue_quarterly",
            status="submitted",
            period=date(2026, 7, 1),
            due_date=date(2026, 11, 10),
            values={"rows": 0},
            scan=b"%PDF-walk",
            scan_type="application/pdf",
            scan_sha256="cd" * 32,
            prepared_by=cls.carol,
            file=b"PK-walk",
            sha256="ab" * 32,
        )
        from anju.oversight.models import Attachment, Clue, RectificationItem, Transfer

        cls.clue = Clue.objects.create(
            number="350881-2026-00001",
            region_id="350881100000",
            place="新桥镇西埔村",
            source_channel="petition",
            received_on=date(2026, 10, 5),
            category="funds",
            summary="走查线索：西埔村危改补助被截留",
            status="registered",
            status_since=date(2026, 10, 5),
            registered_by=cls.carol,
        )
        from anju.oversight.models import ClueLink
        from tests.households.files import rid

        cls.clue_id_number = rid(42)
        ClueLink.objects.create(clue=cls.clue, source="links", id_number=cls.clue_id_number)
        cls.attachment = Attachment.objects.create(
            clue=cls.clue,
            name="a.pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
            data=b"%PDF",
            uploaded_by=cls.carol,
        )
        # The unit dimension (issue #30): 漳平市's lead unit (housing, carol's), civil affairs
        # (mina's, the walk's transfer is addressed to it) and finance (fiona's): two users of
        # departments of the same county, each of whom sees only what is their unit's.
        from anju.accounts.models import Unit
        from anju.accounts.roles import Role as R
        from anju.reporting.models import UnitClueReport
        from tests.base import make_user as new_user

        cls.housing = Unit.objects.create(
            name="漳平市住建局", kind="housing", region_id="350881000000", is_lead=True
        )
        cls.civil = Unit.objects.create(
            name="漳平市民政局", kind="civil_affairs", region_id="350881000000"
        )
        cls.finance = Unit.objects.create(
            name="漳平市财政局", kind="finance", region_id="350881000000"
        )
        cls.carol.work_unit = cls.housing
        cls.carol.save(update_fields=["work_unit"])
        cls.mina = new_user("mina", R.DEPARTMENT, "350881000000", work_unit=cls.civil)
        cls.fiona = new_user("fiona", R.DEPARTMENT, "350881000000", work_unit=cls.finance)
        cls.users.update(mina=cls.mina, fiona=cls.fiona)
        cls.unit_report, cls.finance_report = (
            UnitClueReport.objects.create(
                unit=unit,
                region_id="350881000000",
                quarter=date(2026, 7, 1),
                found=3,
                remarks=remarks,
                due_on=date(2026, 10, 14),
                filed_by=user,
                filed_at=timezone.now(),
            )
            for unit, user, remarks in (
                (cls.civil, cls.mina, "走查部门报告"),
                (cls.finance, cls.fiona, "财政报告"),
            )
        )
        cls.transfer = Transfer.objects.create(
            clue=cls.clue,
            target="department",
            receiver=cls.civil,
            to_region_id="350881000000",
            to_unit="漳平市民政局",
            sent_by=cls.carol,
            sent_on=date(2026, 10, 6),
            due_on=date(2026, 10, 27),
        )
        cls.item = RectificationItem.objects.create(
            region_id="350881100000",
            source="visit",
            description="漏雨透风",
            owner="黄某",
            deadline=date(2026, 12, 1),
            created_by=cls.alice,
        )
        from anju.households.models import Household, ImportUpload

        cls.household = Household.objects.create(
            region_id="350881100203", head_name="走查户主", head_id="350881195001011231"
        )
        from anju.households.models import Renovation

        cls.renovation = Renovation.objects.create(household=cls.household, year=2026)
        from anju.households.models import ChangeRequest, SafetyPlate

        cls.plate = SafetyPlate.objects.create(
            household=cls.household,
            number="W-1",
            grade="B",
            issued_on=date(2026, 11, 1),
            deadline=date(2026, 12, 1),
        )

        cls.change = ChangeRequest.objects.create(
            household=cls.household,
            field="account_holder",
            new_value="新户名",
            reason="走查",
            proposed_by=cls.alice,
        )
        from anju.crosscheck.models import CheckRun, Finding

        cls.check_run = CheckRun.objects.create(
            region_id="350881000000", actor_name="走查批次", status="done"
        )
        cls.finding = Finding.objects.create(
            rule="NO_TOILET",
            fingerprint="NO_TOILET:walk",
            region_id="350881100203",
            household=cls.household,
            id_number=cls.household.head_id,
            name="走查户主",
            evidence="走查证据",
            first_run=cls.check_run,
            last_run=cls.check_run,
        )
        from anju.crypto import seal
        from anju.portal.models import PublicReport, ReportPhoto

        cls.public_report = PublicReport.objects.create(
            code_hash="walk",
            clue=cls.clue,
            region_id=cls.clue.region_id,
            kind="funds",
            description="走查举报",
            anonymous=False,
            reporter_name=seal("走查举报人", "portal.reporter_name"),
        )
        from anju.api.models import ApiToken
        from anju.households.models import Assessment, FollowUpVisit, House

        house = House.objects.create(household=cls.household, structure="earth")
        cls.assessment = Assessment.objects.create(house=house, grade="D", assessor="走查鉴定站")
        cls.visit = FollowUpVisit.objects.create(
            household=cls.household,
            visited_on=date(2026, 11, 1),
            visitor=cls.alice,
            note="走查回访",
        )
        from anju.households.models import RenovationCase

        cls.renovation_case = RenovationCase.objects.create(
            household=cls.household,
            kind="relocation",
            source="manual",
            method="relocation",
            opened_on=date(2026, 11, 1),
            start_by=date(2026, 12, 1),
            deadline=date(2027, 5, 1),
        )
        cls.api_token = ApiToken.objects.create(
            user=cls.alice,
            name="走查",
            key_hash="0" * 64,
            prefix="anju_walk",
            expires_at=timezone.now() + timedelta(days=1),
        )
        cls.report_photo = ReportPhoto.objects.create(
            report=cls.public_report, data=b"\x89PNG", content_type="image/png"
        )
        cls.import_upload = ImportUpload.objects.create(
            uploaded_by=cls.alice, file_name="x.csv", data=b"a,b\n", errors=[]
        )
        from anju.reporting.models import ReportUpload

        cls.upload = ReportUpload.objects.create(
            region_id="350881000000",
            kind="annex1",
            period=date(2026, 9, 1),
            data=b"PK",
            parsed={"values": [0] * 34, "warnings": ["走查上传警告"]},
            uploaded_by=cls.carol,
        )

        # The assistance cadres: one of 新桥镇 with the walk's household assigned, one of 双洋镇.
        from anju.accounts.roles import Role
        from anju.cadres.models import Assignment, Observation, ObservationPhoto
        from tests.base import make_user

        cls.cathy = make_user("cathy", Role.CADRE, "350881100000")
        cls.cody = make_user("cody", Role.CADRE, "350881101000")
        cls.users.update(cathy=cls.cathy, cody=cls.cody)
        cls.assignment = Assignment.objects.create(
            cadre=cls.cathy, household=cls.household, assigned_by=cls.alice
        )
        cls.observation = Observation.objects.create(
            household=cls.household,
            region_id=cls.household.region_id,
            cadre=cls.cathy,
            kind="leaky",
            note="走查走访",
            visited_on=date(2026, 11, 1),
            respond_by=date(2026, 11, 4),
        )
        cls.observation_photo = ObservationPhoto.objects.create(
            observation=cls.observation, data=b"\x89PNG", content_type="image/png"
        )

        from anju.campaigns.models import Campaign
        from anju.spotchecks.models import CheckPhoto, CheckResult, SampledHouse, SpotCheckPlan

        cls.spot_plan = SpotCheckPlan.objects.create(
            name="走查抽查",
            level=3,
            region_id="350881000000",
            share_percent=10,
            seed="walk",
            status="drawn",
            created_by=cls.carol,
        )
        cls.sampled = SampledHouse.objects.create(
            plan=cls.spot_plan,
            household=cls.household,
            township_id="350881100000",
            rank=1,
            inspected_on=date(2026, 11, 2),
            inspected_by=cls.carol,
        )
        cls.check_result = CheckResult.objects.create(
            house=cls.sampled, item="plate", outcome="fail", note="走查未挂牌"
        )
        cls.check_photo = CheckPhoto.objects.create(
            house=cls.sampled, data=b"\x89PNG", content_type="image/png", uploaded_by=cls.carol
        )
        cls.campaign = Campaign.objects.create(
            name="走查整治",
            region_id="350881000000",
            start=date(2020, 4, 1),
            end=date(2020, 11, 30),
            new_since=date(2020, 1, 1),
            created_by=cls.carol,
        )
        from anju.campaigns.models import Target

        cls.target = Target.objects.create(
            campaign=cls.campaign, name="走查目标", measure="poor_assessed", due=date(2020, 6, 30)
        )

        # A token for everyone of the cast, the cadres included (made last, after all of them).
        cls.api_tokens = {}
        for name, user in cls.users.items():
            cls.api_tokens[name] = f"anju_walk-{name}-" + "x" * 32
            stored_token(user, cls.api_tokens[name])

    def patterns(self):
        return list(walk(get_resolver().url_patterns))

    def test_it_knows_every_url(self):
        table = samples(self)
        for name, pattern in self.patterns():
            self.assertIsNotNone(name, f"URL without a name: {pattern.pattern}")
            self.assertIn(name, table, f"{name} is not in the scoping walk: add it to SAMPLES")
            policy = getattr(pattern.callback, "access_policy", None)
            self.assertIsNotNone(policy, f"{name} has no access policy (staff_view/public_view)")

    def expected(self, user, name, pattern, sample) -> set[int]:
        policy = pattern.callback.access_policy
        ok = {200, 302}
        if policy == PUBLIC:
            return ok
        if user is None:
            return {302}  # to the login page
        if policy in (AUTHENTICATED, SECOND_FACTOR):
            return ok
        if Perm(policy) not in perms_of(user):
            return {403}
        if sample.region and not (user.region_id and is_within(sample.region, user.region_id)):
            return {200, 302} if sample.picked else {404}
        if not unit_reaches(user, sample):
            return {404}
        return ok | {400} | set(sample.also)

    def assert_refused_on_the_form(self, response, what: str) -> None:
        """A place outside the user's region, picked in a form: the form again with the field's
        error, or back to the page with an error message; never the object it would create."""
        from django.contrib.messages import get_messages
        from django.contrib.messages.constants import ERROR

        if response.status_code == 200:
            self.assertIn("请从列表中选择", response.content.decode(), what)
        else:
            levels = [m.level for m in get_messages(response.wsgi_request)]
            self.assertIn(ERROR, levels, what)

    def test_it_scopes_every_url_for_every_role_and_region(self):
        table = samples(self)
        cast = [None, *self.users.values()]
        for name, pattern in self.patterns():
            if name.startswith("api:"):
                continue  # walked with tokens below
            sample = table[name]
            url = reverse(name, kwargs=sample.kwargs)
            for user in cast:
                who = user.username if user else "anonymous"
                with self.subTest(url=name, user=who), transaction.atomic():
                    self.client.logout()
                    if user is not None:
                        self.login(user)
                    call = self.client.post if sample.method == "POST" else self.client.get
                    response = call(url, sample.data)
                    expected = self.expected(user, name, pattern, sample)
                    self.assertIn(response.status_code, expected, f"{who} → {name}")
                    if sample.picked and expected == {200, 302} and user is not None:
                        self.assert_refused_on_the_form(response, f"{who} → {name}")
                    if response.status_code in (403, 404) and sample.secret:
                        self.assertNotIn(sample.secret, response.content.decode())
                    if user is None and pattern.callback.access_policy != PUBLIC:
                        self.assertIn("/accounts/login/", response["Location"])
                    transaction.set_rollback(True)

    def test_it_sends_password_only_sessions_to_the_code_page_on_every_staff_url(self):
        # Every URL behind the login, as every member of the cast who has passed only the
        # password: never the page (nor a 403/404 that would tell what is there), always the
        # code page. Only public pages and the second step's own pages open.
        table = samples(self)
        code_page = reverse("otp_verify")
        walked = 0
        for name, pattern in self.patterns():
            if name.startswith("api:"):
                continue  # token-authenticated, exempt from the second factor (walked below)
            policy = pattern.callback.access_policy
            sample = table[name]
            url = reverse(name, kwargs=sample.kwargs)
            for user in self.users.values():
                with self.subTest(url=name, user=user.username), transaction.atomic():
                    self.client.logout()
                    self.login_password_only(user)
                    call = self.client.post if sample.method == "POST" else self.client.get
                    response = call(url, sample.data)
                    if policy in (PUBLIC, SECOND_FACTOR):
                        self.assertIn(response.status_code, {200, 302, 400}, name)
                    else:
                        walked += 1
                        self.assertEqual(response.status_code, 302, f"{user} → {name}")
                        self.assertTrue(response["Location"].startswith(code_page), name)
                        if sample.secret:
                            self.assertNotIn(sample.secret, response.content.decode())
                    transaction.set_rollback(True)
        self.assertGreater(walked, 50 * len(self.users))

    def expected_api(self, user, pattern, sample) -> set[int]:
        policy = pattern.callback.access_policy
        if policy == PUBLIC:
            return {200}
        if user is None or Perm.USE_API not in perms_of(user):
            return {401}  # no token, or a token whose owner may not use the API
        if Perm(policy) not in perms_of(user):
            return {403}
        if sample.region and not (user.region_id and is_within(sample.region, user.region_id)):
            return {200, 302} if sample.picked else {404}
        if not unit_reaches(user, sample):
            return {404}
        return {200, 201, 400} | set(sample.also)

    def test_it_scopes_every_api_route_for_every_role_and_region(self):
        table = samples(self)
        cast = [None, *self.users.values()]
        api = [(n, p) for n, p in self.patterns() if n.startswith("api:")]
        self.assertGreater(len(api), 10)
        for name, pattern in api:
            sample = table[name]
            url = reverse(name, kwargs=sample.kwargs)
            for user in cast:
                who = user.username if user else "anonymous"
                with self.subTest(url=name, user=who), transaction.atomic():
                    cache.clear()  # throttle counters
                    self.client.logout()
                    headers = {}
                    if user is not None:
                        headers["HTTP_AUTHORIZATION"] = f"Bearer {self.api_tokens[user.username]}"
                    call = self.client.post if sample.method == "POST" else self.client.get
                    response = call(url, sample.data, **headers)
                    expected = self.expected_api(user, pattern, sample)
                    self.assertIn(response.status_code, expected, f"{who} → {name}")
                    if sample.picked and expected == {200, 302} and user is not None:
                        self.assert_refused_on_the_form(response, f"{who} → {name}")
                    if response.status_code >= 400:
                        self.assertIn("error", response.json())
                        if sample.secret:
                            self.assertNotIn(sample.secret, response.content.decode())
                    transaction.set_rollback(True)

    def test_a_session_opens_no_api_route(self):
        # Strictly token-based: a signed-in session gets 401 from every non-public API route.
        self.client.force_login(self.carol)
        for name, pattern in self.patterns():
            if not name.startswith("api:") or pattern.callback.access_policy == PUBLIC:
                continue
            sample = samples(self)[name]
            with self.subTest(url=name):
                url = reverse(name, kwargs=sample.kwargs)
                call = self.client.post if sample.method == "POST" else self.client.get
                self.assertEqual(call(url, sample.data).status_code, 401)

    def test_it_finds_every_apps_policy_in_the_registry(self):
        # Each app owns its policies in its access.py and registers them on the core (@policy);
        # the registry is how the walk below finds them, so a policy not registered fails here.
        registered = policies()
        owners = set()
        for config in apps.get_app_configs():
            if not config.name.startswith("anju.") or not module_has_submodule(
                config.module, "access"
            ):
                continue
            module = import_module(f"{config.name}.access")
            for name, function in vars(module).items():
                if not callable(function) or getattr(function, "__module__", "") != module.__name__:
                    continue
                if name.endswith("_visible_to") or name.startswith("access_"):
                    with self.subTest(policy=name):
                        self.assertIs(registered.get(name), function, f"{name} is not @policy")
                        owners.add(config.label)
        self.assertTrue(
            {"households", "oversight", "crosscheck", "reporting", "assessments", "cadres"}
            | {"spotchecks", "campaigns", "portal", "api"}
            <= owners,
            owners,
        )
        # The walk's own objects are each reached through a registered policy.
        for name in ("access_household", "access_clue", "access_finding", "access_report"):
            self.assertIn(name, registered)

    def test_it_keeps_every_registered_list_apart_between_neighbours(self):
        # Two users of the same role in disjoint regions never see one row in common, whatever
        # the list: every `<thing>s_visible_to` of the registry, walked for each such pair.
        pairs = [(self.alice, self.bob), (self.carol, self.xavier)]
        lists = {n: f for n, f in policies().items() if n.endswith("_visible_to")}
        self.assertGreater(len(lists), 15)
        seen = 0
        for name, visible_to in sorted(lists.items()):
            for one, other in pairs:
                with self.subTest(policy=name, users=(one.username, other.username)):
                    mine = set(visible_to(one).values_list("pk", flat=True))
                    theirs = set(visible_to(other).values_list("pk", flat=True))
                    self.assertFalse(mine & theirs, f"{name}: {one} and {other} share rows")
                    seen += len(mine) + len(theirs)
        self.assertGreater(seen, 30)  # the walk's objects were there to be seen

    def test_it_keeps_what_is_a_units_apart_between_units_of_one_region(self):
        # Two departments' users of the same county (civil affairs, finance): every list of
        # what is addressed to or filed by a unit shares no row between them; the directory
        # (units_visible_to) is shared by design, and the region's tree is theirs alike.
        shared = {"units_visible_to", "regions_visible_to"}
        lists = {n: f for n, f in policies().items() if n.endswith("_visible_to")}
        seen = 0
        for name, visible_to in sorted(lists.items()):
            if name in shared:
                continue
            with self.subTest(policy=name):
                mine = set(visible_to(self.mina).values_list("pk", flat=True))
                theirs = set(visible_to(self.fiona).values_list("pk", flat=True))
                self.assertFalse(mine & theirs, f"{name}: mina and fiona share rows")
                seen += len(mine) + len(theirs)
        # mina: the clue, its transfer, her unit's report; fiona: her unit's report.
        self.assertGreaterEqual(seen, 4)
        from anju.oversight.access import clues_visible_to, transfers_visible_to

        self.assertEqual(list(clues_visible_to(self.fiona)), [])
        self.assertEqual(list(transfers_visible_to(self.carol)), [])  # housing: not its unit
        self.assertEqual([t.pk for t in transfers_visible_to(self.mina)], [self.transfer.pk])

    def test_it_refuses_admins_business_data(self):
        # 三员分立: the system administrator sees no business data.
        self.login(self.sam)
        response = self.client.get(reverse("regions:detail", args=["350881100203"]))
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("西埔村", response.content.decode())
