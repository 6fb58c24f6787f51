"""Wagtail's admin keeps to this site: its help menu offers only what the site
itself serves (the keyboard shortcuts), not links to wagtail.org (the editor
guide, "what's new"), which would take editors, and their browsers' requests,
to another host. See also WAGTAIL_* settings in ciic/settings/base.py."""

from typing import Any

from wagtail import hooks


@hooks.register("construct_help_menu")
def help_menu_on_this_site(request: Any, menu_items: list[Any]) -> None:
    menu_items[:] = [
        item
        for item in menu_items
        if not str(getattr(item, "url", "") or "").startswith(("http://", "https://", "//"))
    ]
