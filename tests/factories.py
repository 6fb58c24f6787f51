"""factory_boy factories shared by the whole suite. Each app adds its own
section below; keep factories free of business rules (use services for that)."""

import factory
from django.contrib.auth.models import Group

from ciic.accounts.models import Role, User

# --- accounts -----------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create or not extracted:
            return
        for role in extracted:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)


def staff_user(role: Role, **kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(roles=[role], **kwargs)
