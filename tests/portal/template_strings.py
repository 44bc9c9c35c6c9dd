"""Finds user-facing text in Django templates that is not marked for translation (tests/portal/test_i18n_templates.py).

What counts as user text: every text node with a letter in it, and the attributes people read or hear (alt, title,
placeholder, aria-label, aria-description, and the value of a button-like input), once template tags, variables,
comments, scripts and styles are taken out and translate/blocktranslate blocks are removed whole.
"""

import html
import re
from pathlib import Path

COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
COMMENT = re.compile(r"{#.*?#}", re.S)
BLOCKTRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
TRANSLATE = re.compile(r"{%\s*trans(?:late)?\s.*?%}", re.S)
TAG = re.compile(r"{%.*?%}", re.S)
VARIABLE = re.compile(r"{{.*?}}", re.S)
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
DOCTYPE = re.compile(r"<!doctype[^>]*>", re.I)
HTML_TAG = re.compile(r"<[a-zA-Z/][^>]*>", re.S)
ATTRIBUTE = re.compile(r"""([:\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.S)
LETTER = re.compile(r"[^\W\d_]")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
URL_LIKE = re.compile(r"^(?:https?://|/)\S*$")
BUTTON_INPUT = re.compile(r"""type\s*=\s*["'](submit|button|reset)["']""", re.I)


def _without_template_code(text: str) -> str:
    for pattern in (COMMENT_BLOCK, COMMENT, BLOCKTRANSLATE, TRANSLATE, TAG, VARIABLE):
        text = pattern.sub(" ", text)
    return text


def unmarked_strings(source: str, *, html_file: bool = True) -> list[str]:
    """The user-facing strings of one template's source that are not marked for translation."""
    text = _without_template_code(source)
    found = []
    if html_file:
        text = SCRIPT_OR_STYLE.sub(" ", HTML_COMMENT.sub(" ", DOCTYPE.sub(" ", text)))
        for tag in HTML_TAG.findall(text):
            is_button = tag.lower().startswith("<input") and BUTTON_INPUT.search(tag)
            for name, double, single in ATTRIBUTE.findall(tag):
                value = html.unescape(double or single).strip()
                name = name.lower()
                if (name in VISIBLE_ATTRIBUTES or (is_button and name == "value")) and LETTER.search(value):
                    found.append(f'{name}="{value}"')
        text = HTML_TAG.sub("\n", text)
    for chunk in re.split(r"\n\s*\n|\n", text):
        chunk = " ".join(html.unescape(chunk).split())
        if LETTER.search(chunk) and not URL_LIKE.match(chunk):
            found.append(chunk)
    return found


def template_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.suffix in (".html", ".txt") and path.is_file():
            yield path
