"""Sending one message on one channel: e-mail through Django's e-mail backend (SMTP server,
sender and TLS from settings), or a group robot's webhook in its own text format.

企业微信 group robot: POST {"msgtype": "text", "text": {"content": ...}} to its webhook address;
it answers {"errcode": 0, "errmsg": "ok"}. 钉钉 group robot: the same body; with 加签 the address
takes `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}")), URL-
encoded. Anything but HTTP 200 with errcode 0 is a failure, retried by the caller.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from anju.notifications.models import Channel, ChannelKind

# Robots cap a text message (企业微信 2048 bytes, 钉钉 20000): keep well inside the smaller.
WEBHOOK_LIMIT = 1800


class SendFailed(Exception):
    """The message did not get through; the text says why (never the address or its key)."""


def send(channel: Channel, subject: str, text: str) -> None:
    if channel.kind == ChannelKind.EMAIL:
        send_email(channel.address, subject, text)
    else:
        send_webhook(channel, text)


def send_email(address: str, subject: str, text: str) -> None:
    if not settings.EMAIL_HOST and settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        raise SendFailed("未配置邮件服务器（ANJU_EMAIL_HOST）。")
    try:
        with get_connection(fail_silently=False) as connection:
            EmailMessage(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=connection,
            ).send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise SendFailed(f"邮件发送失败：{type(error).__name__} {error}"[:280]) from error


def signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """钉钉's 加签: the address with timestamp and sign appended."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def _shorten(text: str) -> str:
    data = text.encode()
    if len(data) <= WEBHOOK_LIMIT:
        return text
    cut = data[: WEBHOOK_LIMIT - 40].decode(errors="ignore")
    return cut.rsplit("\n", 1)[0] + "\n……（更多事项请登录系统查看）"


def send_webhook(channel: Channel, text: str) -> None:
    url = channel.address
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SendFailed("机器人地址应以 https:// 开头。")
    if channel.kind == ChannelKind.DINGTALK and channel.secret:
        url = signed_url(url, channel.secret)
    body = json.dumps({"msgtype": "text", "text": {"content": _shorten(text)}}).encode()
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked above)
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (http/https only, checked above)
            request, timeout=settings.ANJU_WEBHOOK_TIMEOUT
        ) as response:
            answer = response.read(4096)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"机器人接口返回 HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(f"机器人接口无法连接：{reason}"[:280]) from error
    try:
        result = json.loads(answer or b"{}")
    except ValueError as error:
        raise SendFailed("机器人接口的应答不是 JSON。") from error
    if result.get("errcode", 0) != 0:
        raise SendFailed(
            f"机器人接口拒绝：errcode {result.get('errcode')} {result.get('errmsg', '')}"[:280]
        )


def shown(kind: str, address: str) -> str:
    """The address as shown anywhere: e-mail as z***@host, a webhook as its host and ****."""
    if kind == ChannelKind.EMAIL:
        local, _, host = address.partition("@")
        return f"{local[:1]}***@{host}"[:120]
    parts = urllib.parse.urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}{parts.path} (密钥 ****)"[:120]
