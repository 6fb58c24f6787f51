from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ciic.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from ciic import personal_data

        from .roles import _on_post_migrate
        from .second_factor import record_totp_activation

        personal_data.register(
            "account", title=_("Account"), export="ciic.accounts.personal_data.export"
        )
        post_migrate.connect(_on_post_migrate, dispatch_uid="accounts.role_groups_sync")
        authenticator_added.connect(
            record_totp_activation, dispatch_uid="accounts.record_totp_activation"
        )
        if getattr(settings, "DATABASE_SOCKET_CHECKS", False):
            from django.core.signals import request_started

            from ciic.db import close_hung_up_connections

            request_started.connect(
                close_hung_up_connections, dispatch_uid="ciic.db.close_hung_up_connections"
            )
