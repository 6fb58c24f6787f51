"""voting: no pages yet. Add the ballot, the voting desk and the results pages
here as they are written (see __init__.py for how)."""

EXPECTATIONS: dict = {}
