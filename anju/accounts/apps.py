from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "anju.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from anju.accounts import signals  # noqa: F401

        # Every installed app's access.py registers its policies on the core (@policy), so that
        # the registry is whole before the first request and the scoping walk finds them all.
        autodiscover_modules("access")
