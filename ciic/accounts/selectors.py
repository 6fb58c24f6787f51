from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet

from .models import STAFF_ROLES, Role, User


def users_with_roles(*, query: str = "", limit: int = 100) -> QuerySet[User]:
    """Accounts for the roles page: matches of `query` (email or name), or,
    without a query, every account holding a staff role. Each account carries
    `role_groups` (its role groups, prefetched)."""
    qs = User.objects.prefetch_related(
        Prefetch(
            "groups", queryset=Group.objects.filter(name__in=Role.values), to_attr="role_groups"
        )
    ).order_by("email")
    query = query.strip()
    if query:
        qs = qs.filter(Q(email__icontains=query) | Q(resident_profile__full_name__icontains=query))
    else:
        qs = qs.filter(
            Q(groups__name__in=[str(r) for r in STAFF_ROLES]) | Q(is_superuser=True)
        ).distinct()
    return qs[:limit]
