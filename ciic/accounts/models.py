from typing import Any

import rules
from asgiref.sync import sync_to_async
from django.contrib import auth
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups of these names, so Wagtail and the admin see them too."""

    RESIDENT = "resident", _("Resident")
    FACILITATOR = "facilitator", _("Facilitator")
    ASSESSOR = "assessor", _("Assessor (council staff)")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = (Role.FACILITATOR, Role.ASSESSOR, Role.ADMINISTRATOR)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An account, identified by its email address. Personal data of residents
    live in `eligibility.ResidentProfile`, not here."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="ro",
        choices=[("ro", "Română"), ("en", "English")],
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def has_role(self, role: str) -> bool:
        if not self.is_authenticated:
            return False
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._role_cache = cache
        return role in cache or (self.is_superuser and role == Role.ADMINISTRATOR)

    @property
    def is_staff_member(self) -> bool:
        """Holds a staff role (a fact about the account, whatever the session;
        the permissions themselves also need a session that passed the second
        factor, see `ciic.accounts.second_factor`)."""
        return any(self.has_role(r) for r in STAFF_ROLES)

    # --- permissions ---------------------------------------------------------------
    # Django lets an active superuser through every check without asking anyone.
    # Here, instead:
    # - a permission defined with django-rules is decided by its rule alone, for
    #   superusers too (a superuser is an administrator by `has_role`, not above
    #   the rules: another resident's draft stays private);
    # - any other permission (Wagtail's, the Django admin's model permissions)
    #   keeps the superuser short-cut only in a session that passed the second
    #   factor; the group permissions behind it are checked the same way by
    #   `StaffSessionModelBackend`.

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if not self.is_active:
            return False
        if rules.perm_exists(perm):
            return bool(rules.has_perm(perm, self, obj))
        if self.is_superuser and _staff_session_ok(self):
            return True
        for backend in auth.get_backends():
            if not hasattr(backend, "has_perm"):
                continue
            try:
                if backend.has_perm(self, perm, obj):
                    return True
            except PermissionDenied:
                return False
        return False

    def has_module_perms(self, app_label: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser and _staff_session_ok(self):
            return True
        for backend in auth.get_backends():
            if not hasattr(backend, "has_module_perms"):
                continue
            try:
                if backend.has_module_perms(self, app_label):
                    return True
            except PermissionDenied:
                return False
        return False

    async def ahas_perm(self, perm: str, obj: Any = None) -> bool:
        return await sync_to_async(self.has_perm)(perm, obj)

    async def ahas_module_perms(self, app_label: str) -> bool:
        return await sync_to_async(self.has_module_perms)(app_label)


def _staff_session_ok(user: User) -> bool:
    from .second_factor import staff_session_ok

    return staff_session_ok(user)


class Session(AbstractBaseSession):
    """Django's database session, with the account it is logged in to as a
    column (set from the session's data on every save): loading a session
    reads its account in the same query (`ciic.accounts.sessions`), one round
    trip less on every request of a logged-in user. Deleting an account
    deletes its sessions."""

    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> Any:
        from .sessions import SessionStore

        return SessionStore
