"""Every user-facing string in a template is marked for translation (the checker: tests/portal/template_strings.py)."""

from pathlib import Path

from django.conf import settings

from tests.portal.template_strings import template_files, unmarked_strings

# Text that is the same in every language: names, symbols, and template fragments that are not text where they land.
ALLOWED = {
    ("cms/base_page.html", "cms-page cms-"),  # the body_class block: a CSS class list
    ("cms/campaign_page.html", "article"),  # the og_type block: an Open Graph keyword
    ("cms/story_page.html", "article"),
    ("donations/admin/detail.html", "Stripe"),  # the payment processor's name
    ("review/admin/application.html", ": · z = ·"),  # the z-score symbol next to its translated label
}


def template_roots():
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [Path(settings.BASE_DIR) / app / "templates" for app in ("portal", "applicants", "grants", "fund", "cms")]
    return [root for root in roots if root.is_dir()]


def test_checker_flags_unmarked_text_and_visible_attributes():
    source = """{% load i18n %}<h1>{% translate "Welcome" %}</h1><p>Hello there</p>
    <img src="x.png" alt="A photo"><button aria-label="{% translate 'Close' %}">×</button>
    <input type="submit" value="Send"><input type="hidden" name="kind" value="secret">
    {% blocktranslate with name=user.name %}Hi {{ name }}{% endblocktranslate %}{# a note #}
    {% comment %}Not shown{% endcomment %}<script>var s = "not text";</script><a href="/about/">/about/</a>"""
    assert unmarked_strings(source) == ['alt="A photo"', 'value="Send"', "Hello there"]


def test_checker_reads_plain_text_email_templates():
    source = "{% load i18n %}{% translate 'Hi' %}\nThanks for applying.\n{{ url }}\n"
    assert unmarked_strings(source, html_file=False) == ["Thanks for applying."]


def test_every_template_string_is_marked_for_translation():
    problems = []
    for root in template_roots():
        for path in template_files(root):
            name = path.relative_to(root).as_posix()
            for text in unmarked_strings(path.read_text(), html_file=path.suffix == ".html"):
                if (name, text) not in ALLOWED:
                    problems.append(f"{name}: {text!r}")
    assert not problems, "Mark these for translation ({% translate %} / {% blocktranslate %}):\n" + "\n".join(problems)
