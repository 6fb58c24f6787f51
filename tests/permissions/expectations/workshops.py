"""workshops: public pages and calendars, registration (POST only), the
facilitator's pages (facilitators of the workshop and administrators, with the
second factor), the programme dashboard (all staff)."""

from ..policy import ADMINISTRATOR, FACILITATOR, NOT_ALLOWED, Case, cases, public, rule, staff

RUNNERS = {FACILITATOR, ADMINISTRATOR}


def _pk(w):  # type: ignore[no-untyped-def]
    return {"pk": w.extra["workshop"].pk}


def _idea(w):  # type: ignore[no-untyped-def]
    return {"pk": w.extra["workshop"].ideas.first().pk}


EXPECTATIONS = {
    "workshops:index": rule(public()),
    "workshops:map": rule(public()),
    "workshops:calendar": rule(public()),
    "workshops:detail": rule(public(), _pk),
    "workshops:ics": rule(public(), _pk),
    # POST only (the form on the workshop's page)
    "workshops:register": rule(public(NOT_ALLOWED), _pk),
    "workshops:cancel_registration": rule(public(NOT_ALLOWED), _pk),
    "workshops:staff_list": rule(staff()),
    "workshops:staff_new": rule(staff(RUNNERS)),
    "workshops:dashboard": rule(staff()),
    "workshops:export": cases(
        Case(staff(), lambda w: {"fmt": "csv"}, label="csv"),
        Case(staff(), lambda w: {"fmt": "xlsx"}, label="xlsx"),
    ),
    "workshops:console": rule(staff(RUNNERS), _pk),
    "workshops:edit": rule(staff(RUNNERS), _pk),
    "workshops:verify": rule(staff(RUNNERS), _pk),
    "workshops:idea_proposal": rule(staff(RUNNERS), _idea),
    "workshops:status": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
    "workshops:check_in": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
    "workshops:walk_ins": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
    "workshops:minutes": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
    "workshops:idea_add": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
    "workshops:photo_add": rule(staff(RUNNERS, ok=NOT_ALLOWED), _pk),
}
