"""Replace Wagtail's placeholder welcome page with our home page and make it the site root."""

from django.db import migrations

INTRO = (
    "Centrul de Inovare și Inițiativă Cetățenească al Sectorului 6 transformă ideile "
    "locuitorilor în proiecte. Propuneți, urmăriți și votați proiecte pentru cartierul "
    "dumneavoastră."
)


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, content_type__model="page", slug="home").delete()
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    home_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.first()
    # The treebeard path of root's next child: root has no children left after the delete.
    siblings = Page.objects.filter(depth=2).order_by("-path")
    last = siblings.first()
    step = 1 if last is None else int(last.path[-4:], 36) + 1
    path = root.path + format_base36(step).rjust(4, "0")
    home = HomePage.objects.create(
        title="Bugetare participativă în Sectorul 6",
        draft_title="Bugetare participativă în Sectorul 6",
        slug="home",
        content_type=home_ct,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        intro=INTRO,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="CIIC Sector 6")


def format_base36(n):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
