"""Log filters: a refused request is one line, not a traceback."""

import logging


class ForbiddenOneLine(logging.Filter):
    """Django logs every 403 on `django.request` with the PermissionDenied traceback; a refusal is
    the access policy working, not a fault. Keep one line: who, where, and the policy's reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        name = getattr(user, "username", "") or "匿名"
        reason = str(record.exc_info[1]) if record.exc_info and record.exc_info[1] else ""
        record.msg = "403 拒绝访问：用户 %s，路径 %s，原因 %s"
        record.args = (name, getattr(request, "path", "?"), reason or "无权限")
        record.exc_info = None
        record.exc_text = None
        return True
