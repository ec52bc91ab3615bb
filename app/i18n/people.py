"""Who acted, as pages and reports name them (the reader's language).

The domain records a person as "Name <e-mail>" (``Actor.label``; the API, the exports and the audit
trail's own data keep it whole), the example data by the name alone. Pages, PDFs and Word copies show
both the same way: the name alone (the e-mail address is on the users page). A token without a person,
the example data's import, the command line and the system are named in words; any other label as
recorded.
"""

from __future__ import annotations

import re

from app import i18n

_LABELLED_PERSON = re.compile(r"^(?P<name>.*?\S)\s*<[^<>\s]+@[^<>\s]+>$", re.DOTALL)


def person(label: str | None, lang: str) -> str:
    if not label:
        return ""
    match = _LABELLED_PERSON.match(label)
    if match:
        return match.group("name")
    if label == "seed":
        return i18n.gettext(lang, "Example data (imported)")
    if label == "cli":
        return i18n.gettext(lang, "Command line")
    if label == "system":
        return i18n.gettext(lang, "System")
    if label.startswith("token:"):
        return i18n.gettext(lang, "API token %(name)s") % {"name": label.removeprefix("token:")}
    return label
