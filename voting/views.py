"""Pages of voting: the ballot, the desk's paper ballots, the administrator's
page of a vote, and the public results with their downloads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ciic.accounts.decorators import staff_area
from ciic.accounts.models import User
from ciic.eligibility.selectors import participation_check
from ciic.exports import csv_response
from proposals.maps.rendering import results_map_config
from proposals.models import Call

from . import selectors as sel
from . import services
from .forms import BallotForm, BallotRuleForm, DeskLookupForm, ReceiptLookupForm
from .models import BallotRule, Channel
from .predicates import voting_open_at

RECEIPT_COOKIE = "voting-receipt-{}"
RECEIPT_SALT = "voting.receipt"
RECEIPT_MAX_AGE = 600  # seconds


def _call(slug: str) -> Call:
    return get_object_or_404(Call, slug=slug)


def _call_and_rule(slug: str, *, opened_kept: bool = False) -> tuple[Call, BallotRule | None]:
    """The call and its ballot rule, in one query (`opened_kept`: see
    `selectors.call_and_rule`)."""
    found = sel.call_and_rule(slug, opened_kept=opened_kept)
    if found is None:
        raise Http404
    return found


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _units(call: Call, voter: Any, chosen: dict[int, int]) -> list[sel.BudgetUnit]:
    units = sel.voter_units(call, sel.residence_zone_id(voter))
    for unit in units:
        for p in unit.proposals:
            p.chosen = chosen.get(p.pk, 0)  # type: ignore[attr-defined]
    return units


def _ballot_context(
    call: Call, voter: Any, rule: Any, posted: dict[int, int] | None = None
) -> dict[str, Any]:
    ballot = sel.ballot_current(call, voter)
    chosen = {c.proposal_id: c.points for c in ballot.choices.all()} if ballot else {}
    return {
        "call": call,
        "rule": rule,
        "units": _units(call, voter, posted if posted is not None else chosen),
        "ballot": ballot,
        "chosen": chosen,
        "revision": ballot.revision if ballot else 0,
        "closes": sel.voting_last_minute(call),
    }


def _receipt_cookie(call: Call) -> str:
    return RECEIPT_COOKIE.format(call.pk)


def _refusal_status(exc: ValidationError) -> int:
    """403 when the resident may not vote now at all, 400 for a bad ballot."""
    code = str(getattr(exc, "code", "") or "")
    return 403 if code in ("closed", "not_open") or code.startswith("ineligible") else 400


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, call: str) -> HttpResponse:
    """The ballot page. A POST goes straight to `services.ballot_cast`, which
    applies the predicates of the `voting.cast_ballot` rule itself (voting
    open, `participation_check` today) inside its transaction; checking them
    here first as well would only repeat their queries on voting day's hot
    path. The page (GET, or a refused POST) shows why a resident may not vote."""
    call_obj, rule = _call_and_rule(call, opened_kept=True)
    errors: list[str] = []
    status = 200
    posted: dict[int, int] | None = None
    if request.method == "POST":
        form = BallotForm(request.POST, rule=rule) if rule else None
        if form is None:
            errors, status = [_("Voting is not open.")], 403
        elif not form.is_valid():
            errors = [str(e) for e in form.non_field_errors()] or [
                _("The ballot could not be read. Reload the page and try again.")
            ]
            status = 400
        else:
            try:
                receipt = services.ballot_cast(
                    actor=request.user,
                    call=call_obj,
                    voter=request.user,
                    choices=form.choices,
                    expected_revision=form.cleaned_data["revision"],
                    rule=rule,
                )
            except ValidationError as exc:
                errors, status = _errors(exc), _refusal_status(exc)
                posted = form.choices
            else:
                # The code is shown once on the next page: carried there in a
                # signed, short-lived cookie bound to the voter (not the session,
                # whose write would cost this request three more queries).
                done = reverse("voting:ballot_done", kwargs={"call": call_obj.slug})
                response = redirect(done)
                response.set_signed_cookie(
                    _receipt_cookie(call_obj),
                    f"{request.user.pk}:{receipt.code}",
                    salt=RECEIPT_SALT,
                    max_age=RECEIPT_MAX_AGE,
                    path=done,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
    is_open = voting_open_at(call_obj)
    decision = participation_check(user=request.user, on_date=timezone.localdate())
    context: dict[str, Any] = (
        _ballot_context(call_obj, request.user, rule, posted) if rule else {"call": call_obj}
    )
    context.update({"is_open": is_open, "decision": decision, "errors": errors})
    return render(request, "voting/ballot.html", context, status=status)


@login_required
@require_GET
def ballot_done(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = _call(call)
    ballot_obj = sel.ballot_current(call_obj, request.user)
    if ballot_obj is None:
        return redirect("voting:ballot", call=call_obj.slug)
    name = _receipt_cookie(call_obj)
    signed = request.get_signed_cookie(name, default="", salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    owner, _sep, code = (signed or "").partition(":")
    response = render(
        request,
        "voting/ballot_done.html",
        {
            "call": call_obj,
            "ballot": ballot_obj,
            "code": code if code and owner == str(request.user.pk) else None,
            "closes": sel.voting_last_minute(call_obj),
        },
    )
    if name in request.COOKIES:  # shown once
        response.delete_cookie(name, path=request.path, samesite="Lax")
    return response


@staff_area("voting.use_desk")
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest, call: str) -> HttpResponse:
    """A paper ballot for a resident whose identity the staff member checked."""
    call_obj = _call(call)
    rule = sel.ballot_rule_get(call_obj)
    lookup = DeskLookupForm(request.GET or None)
    voter = None
    if lookup.is_valid():
        voter = User.objects.filter(email__iexact=lookup.cleaned_data["email"]).first()
        if voter is None:
            lookup.add_error("email", _("No account has this email address."))
    errors: list[str] = []
    status = 200
    if request.method == "POST" and voter is not None and rule is not None:
        form = BallotForm(request.POST, rule=rule)
        if request.POST.get("identity_checked") != "on":
            errors = [_("Confirm that you checked the resident's identity document.")]
            status = 400
        elif not form.is_valid():
            errors, status = (
                [_("The ballot could not be read. Reload the page and try again.")],
                400,
            )
        else:
            try:
                services.ballot_cast(
                    actor=request.user,
                    call=call_obj,
                    voter=voter,
                    choices=form.choices,
                    channel=Channel.PAPER,
                )
            except (ValidationError, PermissionDenied) as exc:
                errors = _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
                status = 400 if isinstance(exc, ValidationError) else 403
            else:
                messages.success(request, _("The paper ballot was recorded."))
                return redirect("voting:desk", call=call_obj.slug)
    context: dict[str, Any] = {"call": call_obj, "lookup": lookup, "voter": voter, "errors": errors}
    context["is_open"] = voting_open_at(call_obj)
    if voter is not None and rule is not None:
        context.update(
            {
                "rule": rule,
                "units": _units(call_obj, voter, {}),
                "decision": participation_check(user=voter, on_date=timezone.localdate()),
                "already": sel.ballot_current(call_obj, voter) is not None,
                "chosen": {},
                "revision": 0,
            }
        )
    return render(request, "voting/desk.html", context, status=status)


@staff_area("voting.manage")
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, call: str) -> HttpResponse:
    """The administrator's page of a vote: the rule, opening, results, publishing."""
    call_obj = _call(call)
    rule = sel.ballot_rule_get(call_obj)
    form = BallotRuleForm(instance=rule)
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "rule":
                form = BallotRuleForm(request.POST, instance=rule)
                if form.is_valid():
                    data = form.cleaned_data
                    services.ballot_rule_set(actor=request.user, call=call_obj, **data)
                    messages.success(request, _("The ballot rule was saved."))
                    return redirect("voting:manage", call=call_obj.slug)
            elif action == "open":
                services.voting_open(actor=request.user, call=call_obj)
                messages.success(request, _("Voting is open."))
                return redirect("voting:manage", call=call_obj.slug)
            elif action == "compute":
                services.results_compute(actor=request.user, call=call_obj)
                messages.success(request, _("The results were computed. Review them below."))
                return redirect("voting:manage", call=call_obj.slug)
            elif action == "publish":
                services.results_publish(actor=request.user, call=call_obj)
                messages.success(request, _("The results are published."))
                return redirect("voting:results_detail", call=call_obj.slug)
        except ValidationError as exc:
            for message in _errors(exc):
                messages.error(request, message)
    result = sel.result_get(call_obj)
    return render(
        request,
        "voting/manage.html",
        {
            "call": call_obj,
            "rule": rule,
            "form": form,
            "result": result,
            "ballots": sel.ballots_count(call_obj),
            "now": timezone.now(),
            "start": sel.voting_start_instant(call_obj),
            "end": sel.voting_end_instant(call_obj),
        },
    )


# --- public results ------------------------------------------------------------------------


def _published(slug: str) -> Any:
    result = sel.result_get(_call(slug))
    if result is None or not result.is_published:
        raise Http404
    return result


@require_GET
def results_index(request: HttpRequest) -> HttpResponse:
    return render(request, "voting/results_index.html", {"results": sel.results_published()})


@require_GET
def results_detail(request: HttpRequest, call: str) -> HttpResponse:
    result = _published(call)
    rule = sel.ballot_rule_get(result.call)
    return render(
        request,
        "voting/results_detail.html",
        {
            "call": result.call,
            "result": result,
            "units": sel.result_units(result, get_language()),
            "rule": rule,
            "charts": sel.result_charts(result),
            "map_config": results_map_config(result.call),
        },
    )


@require_GET
def receipts(request: HttpRequest, call: str) -> HttpResponse:
    call_obj = _call(call)
    if timezone.now() < sel.voting_end_instant(call_obj):
        raise Http404
    hashes = sel.receipt_hashes(call_obj)
    form = ReceiptLookupForm(request.GET or None)
    found = None
    if form.is_valid():
        found = services.receipt_hash(form.cleaned_data["code"]) in set(hashes)
    return render(
        request,
        "voting/receipts.html",
        {"call": call_obj, "hashes": hashes, "form": form, "found": found},
    )


@require_GET
def ballots_pb(request: HttpRequest, call: str, unit: str = sel.SECTOR) -> HttpResponse:
    result = _published(call)
    data = result.unit(unit)
    if data is None:
        raise Http404
    response = HttpResponse(data["pb"], content_type="text/plain; charset=utf-8")
    name = f"{result.call.slug}.pb" if unit == sel.SECTOR else f"{result.call.slug}-{unit}.pb"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def results_csv(request: HttpRequest, call: str) -> HttpResponse:
    result = _published(call)
    columns = [
        _("Budget"),
        _("Reference"),
        _("Title"),
        _("Cost (RON)"),
        _("Votes"),
        _("Points"),
        _("Selected"),
        _("Selected by greedy"),
        _("Selected by equal shares"),
    ]
    rows = [
        [
            u["label"],
            p["reference"],
            p["title"],
            p["cost"],
            p["votes"],
            p["points"],
            int(p["selected"]),
            int(p["greedy"]),
            int(p["mes"]),
        ]
        for u in result.units
        for p in u["projects"]
    ]
    return csv_response(f"{result.call.slug}-results.csv", columns, rows)
