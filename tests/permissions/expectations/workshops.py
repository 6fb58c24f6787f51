"""workshops: no pages yet. Add the workshop pages, registration, attendance
and the facilitator desk here as they are written (see __init__.py for how)."""

EXPECTATIONS: dict = {}
