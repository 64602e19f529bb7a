from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "anju.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from anju.accounts import signals  # noqa: F401
