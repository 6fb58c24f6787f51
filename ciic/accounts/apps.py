from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ciic.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from .roles import _on_post_migrate

        post_migrate.connect(_on_post_migrate, dispatch_uid="accounts.role_groups_sync")
