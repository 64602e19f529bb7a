"""One error body for every API failure, in Chinese:
{"error": {"code": "not_found", "message": "没有找到该农户。", "details": ...}}.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "上传内容过大。"
    default_code = "payload_too_large"


CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}
MESSAGES = {
    400: "请求有误。",
    401: "请在 Authorization 头中提供有效的接口令牌。",
    403: "您的角色无权进行此操作。",
    404: "没有找到该对象。",
    405: "不支持该请求方法。",
    406: "无法提供所要求的格式，请接受 application/json。",
    413: "上传内容过大。",
    415: "不支持该内容类型。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后再试或联系管理员。",
}


def error_body(status_code: int, message: str = "", details=None, code: str = "") -> dict:
    return {
        "error": {
            "code": code or CODES.get(status_code, "error"),
            "message": message or MESSAGES.get(status_code, "请求失败。"),
            "details": details,
        }
    }


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def exception_handler(exc, context):
    """DRF's exceptions, Django's Http404/PermissionDenied and anything unexpected, as one body.
    Messages raised by access.py are Chinese already; DRF's own English ones get ours."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or MESSAGES[404])
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or MESSAGES[403])
    if not isinstance(exc, exceptions.APIException):
        logger.exception("API 请求出错", exc_info=exc)
        set_rollback()
        return Response(error_body(500), status=500)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    code = exc.status_code
    details = None
    if isinstance(exc, exceptions.ValidationError):
        message = "提交的数据有误，请按 details 修改。"
        details = exc.detail
    else:
        text = str(exc.detail)
        message = text if _is_chinese(text) else MESSAGES.get(code, "请求失败。")
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            message = f"请求过于频繁，请 {int(exc.wait) + 1} 秒后再试。"
    set_rollback()
    return Response(error_body(code, message, details), status=code, headers=headers)


def json_error(request, status_code: int, message: str = "") -> JsonResponse:
    """The same body outside DRF (unknown /api/ URLs, Django's own 500)."""
    return JsonResponse(
        error_body(status_code, message),
        status=status_code,
        json_dumps_params={"ensure_ascii": False},
    )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "错误代码，如 not_found、permission_denied",
                },
                "message": {"type": "string", "description": "中文说明"},
                "details": {
                    "nullable": True,
                    "description": "字段错误（字段名 → 说明列表）或导入的行错误列表；无则为 null",
                },
            },
        }
    },
}

ERROR_STATUSES = {
    "400": "请求参数或提交的数据有误",
    "401": "未提供令牌，或令牌无效、已吊销、已过期",
    "403": "角色无权访问",
    "404": "对象不存在或不在您的区划内",
    "405": "不支持该请求方法",
    "406": "无法提供所要求的格式",
    "413": "上传内容过大",
    "415": "不支持该内容类型",
    "429": "请求过于频繁",
    "500": "服务器内部错误",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: every operation documents the error body for every error status."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                if code in ("413", "415") and "requestBody" not in operation:
                    continue
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
