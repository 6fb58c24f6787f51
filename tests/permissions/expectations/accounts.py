"""ciic.accounts: the resident's dashboard and the staff pages."""

from ..policy import ADMINISTRATOR, NOT_ALLOWED, logged_in, rule, staff

EXPECTATIONS = {
    "accounts:dashboard": rule(logged_in()),
    "accounts:my_data": rule(logged_in()),
    "accounts:my_data_json": rule(logged_in()),
    # GET: the confirmation page (the deletion is a POST with the password).
    "accounts:account_delete": rule(logged_in()),
    "accounts:staff_home": rule(staff()),
    "accounts:staff_roles": rule(staff({ADMINISTRATOR})),
    "accounts:staff_roles_update": rule(
        staff({ADMINISTRATOR}, ok=NOT_ALLOWED), lambda w: {"pk": w.other.pk}
    ),
}
