"""The path to proposing: one page listing what is still missing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from . import selectors
from .journey import next_step, proposing_steps


class ProposeView(View):
    """ "Propose a project", for everyone: the steps still missing, each with
    the page that does it; straight to the form once nothing is missing."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        call = selectors.call_current()
        steps = proposing_steps(user=request.user, call=call)
        current = next_step(steps)
        if current is not None and current.key == "call" and current.url:
            return redirect(current.url)
        context: dict[str, Any] = {
            "call": call,
            "steps": steps,
            "current": current,
            "done_count": sum(1 for s in steps if s.done),
        }
        return render(request, "proposals/propose.html", context)
