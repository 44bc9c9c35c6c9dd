"""A field's help text may be a list (Django's password rules are): it sits in a block that may hold one."""

import re


def test_password_rules_are_a_list_inside_a_div_never_inside_a_paragraph(client, db):
    html = client.get("/accounts/signup/").content.decode()

    helptext = re.search(r'<(\w+) class="help" id="id_password1_helptext">(.*?)</\1>', html, re.S)
    assert helptext is not None
    assert helptext.group(1) == "div"
    assert helptext.group(2).startswith("<ul>")
    assert 'aria-describedby="id_password1_helptext"' in html
    assert not re.search(r"<p[^>]*>\s*<ul>", html)
