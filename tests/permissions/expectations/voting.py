"""voting: the ballot, the desk's paper ballots, the administrator's page of a
vote, and the public results (the world's call is in its submission phase and
has no results: those pages do not exist yet)."""

from ..policy import (
    ADMINISTRATOR,
    FACILITATOR,
    LOGIN,
    NOT_FOUND,
    by_role,
    logged_in,
    public,
    redirect,
    rule,
    staff,
)

CALL = lambda w: {"call": w.call.slug}  # noqa: E731

EXPECTATIONS = {
    # Every logged-in account sees the page, with the reason when it may not vote.
    "voting:ballot": rule(logged_in(), CALL),
    # Without a ballot, the confirmation page leads back to the ballot.
    "voting:ballot_done": rule(by_role({"anonymous": LOGIN}, default=redirect("/vote/")), CALL),
    "voting:desk": rule(staff({FACILITATOR, ADMINISTRATOR}), CALL),
    "voting:manage": rule(staff({ADMINISTRATOR}), CALL),
    "voting:results_index": rule(public()),
    "voting:results_detail": rule(public(NOT_FOUND), CALL),
    # Receipts are listed from the close of voting on.
    "voting:receipts": rule(public(NOT_FOUND), CALL),
    "voting:ballots_pb": rule(public(NOT_FOUND), CALL),
    "voting:ballots_pb_unit": rule(
        public(NOT_FOUND), lambda w: {"call": w.call.slug, "unit": "sector"}
    ),
    "voting:results_csv": rule(public(NOT_FOUND), CALL),
}
