import string

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError

# Django's own validators, with their messages in Chinese here rather than from its translation
# catalogue: Django 5.2's zh_Hans catalogue lacks the current wording of the length message, so
# "This password is too short…" reached users in English (issue #33 F14).


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s太相似。"

    def get_help_text(self) -> str:
        return "密码不能与用户名、姓名等个人信息太相似。"


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "这个密码太常见，容易被猜中。"

    def get_help_text(self) -> str:
        return "密码不能是常见密码。"


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字。"

    def get_help_text(self) -> str:
        return "密码不能全是数字。"


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须至少包含小写字母、大写字母、数字、符号中的三类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "密码须至少包含小写字母、大写字母、数字、符号中的三类。"


class PasswordHistoryValidator:
    """A new password may not be the current one nor any of the last `keep` (PASSWORD_HISTORY)."""

    def __init__(self, keep: int | None = None):
        self.keep = keep

    def _keep(self) -> int:
        from django.conf import settings

        return self.keep if self.keep is not None else settings.PASSWORD_HISTORY

    def validate(self, password: str, user=None) -> None:
        from django.contrib.auth.hashers import check_password

        keep = self._keep()
        if user is None or user.pk is None or keep <= 0:
            return
        earlier = user.password_history.values_list("password", flat=True)[:keep]
        hashes = list(dict.fromkeys([user.password, *earlier]))[:keep]
        if any(encoded and check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                f"新密码不能与最近 {keep} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self._keep()} 次使用过的密码相同。"
