"""proposals: the public list and pages, the author's pages, files, staff pages.

A draft is private to its author for everyone, staff and superusers included."""

from ..policy import (
    ADMINISTRATOR,
    ALL_STAFF,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    RESIDENT,
    Case,
    author,
    by_role,
    cases,
    logged_in,
    public,
    redirect,
    rule,
    staff,
)

# A draft's files: found only by their author; for everyone else they do not exist.
DRAFT_FILE = by_role({RESIDENT: OK}, default=NOT_FOUND)

EXPECTATIONS = {
    "proposals:list": rule(public()),
    "proposals:mine": rule(logged_in()),
    # Only eligible residents may start a proposal; others are told why on "my proposals".
    "proposals:start": rule(
        by_role(
            {"anonymous": redirect("/accounts/login/"), RESIDENT: OK, "other": OK},
            default=redirect("/proposals/mine/"),
        ),
        lambda w: {"slug": w.call.slug},
    ),
    "proposals:submit": rule(author(ok=NOT_ALLOWED), lambda w: {"pk": w.draft.pk}),
    # GET: the confirmation page; the deletion itself is a POST.
    "proposals:delete": rule(author(), lambda w: {"pk": w.draft.pk}),
    # Everyone sees what is still missing; an eligible resident goes on to the form.
    "proposals:propose": rule(
        by_role(
            {RESIDENT: redirect("/proposals/new/"), "other": redirect("/proposals/new/")},
            default=OK,
        )
    ),
    "proposals:file_remove": rule(author(ok=NOT_ALLOWED), lambda w: {"pk": w.draft.pk}),
    "proposals:edit": cases(
        *(
            Case(
                author(),
                lambda w, step=step: {"pk": w.draft.pk, "step": step},
                label=f"draft {step}",
            )
            for step in ("what", "where", "cost", "files", "review")
        ),
        # A submitted proposal stays editable by its author until the assessment starts.
        Case(author(), lambda w: {"pk": w.public.pk, "step": "what"}, label="submitted"),
        Case(author(NOT_FOUND), lambda w: {"pk": w.draft.pk, "step": "nope"}, label="unknown step"),
    ),
    "proposals:detail": cases(
        Case(public(), lambda w: {"reference": w.public.reference}, label="public"),
        Case(public(NOT_FOUND), lambda w: {"reference": "S6-2000-9999"}, label="unknown"),
    ),
    "proposals:file": cases(
        Case(
            DRAFT_FILE,
            lambda w: {"name": w.files["draft_image"].removeprefix("proposals/")},
            label="draft image",
        ),
        Case(
            DRAFT_FILE,
            lambda w: {"name": w.files["draft_pdf"].removeprefix("proposals/")},
            label="draft PDF",
        ),
        Case(
            public(),
            lambda w: {"name": w.files["public_image"].removeprefix("proposals/")},
            label="public image",
        ),
        Case(
            public(),
            lambda w: {"name": w.files["public_pdf"].removeprefix("proposals/")},
            label="public PDF",
        ),
        Case(public(NOT_FOUND), lambda w: {"name": "draft-1/none.jpg"}, label="unknown"),
    ),
    "proposals:staff_list": rule(staff(ALL_STAFF)),
    "proposals:staff_versions": rule(staff(), lambda w: {"reference": w.public.reference}),
    "proposals:staff_calls": rule(staff({ADMINISTRATOR})),
    "proposals:staff_call_new": rule(staff({ADMINISTRATOR})),
    "proposals:staff_call_edit": rule(staff({ADMINISTRATOR}), lambda w: {"pk": w.call.pk}),
}
