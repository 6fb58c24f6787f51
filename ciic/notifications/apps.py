from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ciic.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from ciic import personal_data

        personal_data.register(
            "messages",
            title=_("Messages sent to you"),
            export="ciic.notifications.personal_data.export",
            erase="ciic.notifications.personal_data.erase",
        )
