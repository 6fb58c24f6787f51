"""The account itself, for the resident's copy of their data (`ciic.personal_data`).
The account row is deleted by `services.account_delete`, after every section's eraser."""

from __future__ import annotations

from typing import Any


def export(user: Any) -> dict[str, Any]:
    """Email addresses, language, roles, dates; never the password hash or a TOTP secret."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "preferred_language": user.preferred_language,
        "created": user.date_joined.isoformat() if user.date_joined else None,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": e.email, "confirmed": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": sorted(
            str(a.get_type_display()) for a in Authenticator.objects.filter(user=user)
        ),
    }
