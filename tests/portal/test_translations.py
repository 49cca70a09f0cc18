"""
German is complete: the catalogue has no untranslated or fuzzy entry and its compiled .mo
matches it, and no portal page rendered in German shows a text the catalogue translates (or
one of the codes the portal shows as words) in English.
"""

import ast
import gettext
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from partners.models import Delivery, Role
from tests.factories import CDRFactory, ChargingSessionFactory, StationFactory
from tests.mixins import portal_partner, portal_user

CATALOGUE = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# Codes, Django defaults and English words that are not our msgids but must not show on a
# German page.
KNOWN_ENGLISH = (
    "Available",
    "Occupied",
    "Unknown",
    "Reserved",
    "unmatched user",
    "unmatched connector",
    "dead letter",
    "---------",
    # English function words, which catch a text never marked for translation.
    "the",
    "The",
    "and",
    "with",
    "your",
    "Your",
    "of",
    "to",
)


def po_entries(path):
    """
    The entries of a .po file as dicts: ``msgid``, ``msgid_plural``, ``msgstr`` (a list: one
    string, or one per plural form), ``flags``. The header and obsolete (#~) entries are left
    out. A small reader for the subset makemessages writes.
    """
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and entry["msgid"]:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            entry = None
            continue
        if entry is None:
            entry = {"msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += value
            else:
                entry[key[0]] += value
        else:
            name, _, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d)\]", name)
            if name == "msgstr" or match:
                key = ("msgstr", int(match.group(1)) if match else 0)
                entry["msgstr"][key[1]] = ast.literal_eval(value)
            else:
                key = (name, None)
                entry[name] = ast.literal_eval(value)
    for item in entries:
        item["msgstr"] = [item["msgstr"][n] for n in sorted(item["msgstr"])]
    return entries


def test_the_german_catalogue_is_complete_and_compiled():
    entries = po_entries(CATALOGUE)
    assert len(entries) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries in {CATALOGUE.name}: {fuzzy}"
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert not untranslated, f"untranslated entries in {CATALOGUE.name}: {untranslated}"
    with COMPILED.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [
        e["msgid"]
        for e in entries
        if (
            translations.ngettext(e["msgid"], e["msgid_plural"], 2) != e["msgstr"][-1]
            if e["msgid_plural"]
            else translations.gettext(e["msgid"]) != e["msgstr"][0]
        )
    ]
    assert not stale, f"{COMPILED.name} is not compiled from {CATALOGUE.name}: {stale}"


class VisibleText(HTMLParser):
    """The texts a reader meets: text nodes and the labels in attributes, not scripts or styles."""

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.texts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        self.texts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.texts)


def english_patterns():
    """
    What an English leftover looks like: each msgid the catalogue translates differently (the
    literal parts of those with placeholders, when of two words or more), and KNOWN_ENGLISH.
    """
    texts = set(KNOWN_ENGLISH)
    for entry in po_entries(CATALOGUE):
        if entry["msgstr"][0] == entry["msgid"]:
            continue
        for part in re.split(r"%\(\w+\)s|%s|\{\{.*?\}\}", entry["msgid"]):
            part = part.strip(" .:,–-").removesuffix("(").strip()
            if part and (" " in part or part == entry["msgid"]):
                texts.add(part)
    return {text: re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])") for text in texts}


@pytest.fixture
def german_pages(client, admin_user):
    """Every portal page with everything on it shown, signed in as a partner of every role."""
    partner = portal_partner("Stadtwerke Nord", set(Role))
    user = portal_user(partner, "anna", admin=True)
    portal_user(partner, "bernd")
    station = StationFactory(owner=partner, name="Hafen", city="Hamburg")
    final = CDRFactory(cpo=partner, station=station, recipient=partner, unmatched_connector=True)
    CDRFactory(cpo=partner, station=station, final=False)
    Delivery.objects.create(
        partner=partner,
        call="session-post",
        payload={},
        dedupe_key=f"cdr:{final.pk}",
        max_attempts=5,
        state=Delivery.State.DEAD,
        attempts=5,
    )
    connector = station.connectors.first()
    ChargingSessionFactory(
        requested_by=partner, connector=connector, state="failed"
    ).__class__.objects.update(result_code=320)
    ChargingSessionFactory(
        requested_by=partner,
        connector=connector,
        user_identifier="DE*EMP*000002*2",
        state="started",
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    pages = {
        "sign-in": client.get("/accounts/login/"),
        "password reset": client.get("/accounts/password_reset/"),
        "password reset done": client.get("/accounts/password_reset/done/"),
        "password reset link": client.get("/accounts/reset/MQ/invalid-token/"),
        "password reset complete": client.get("/accounts/reset/done/"),
    }
    client.force_login(user)
    pages |= {
        "overview": client.get("/portal/"),
        "CDR report": client.get("/portal/cdrs/?period=last_30_days"),
        "CDR report, invalid filter": client.get("/portal/cdrs/?date_from=gestern&station=0"),
        "CDR detail": client.get(f"/portal/cdrs/{final.pk}/"),
        "stations": client.get("/portal/stations/"),
        "sessions": client.get("/portal/sessions/"),
        "users": client.get("/portal/users/"),
        "invite": client.get("/portal/users/invite/"),
        "invite, invalid": client.post("/portal/users/invite/", {"username": "anna"}),
    }
    client.force_login(admin_user)
    pages["no partner"] = client.get("/portal/")
    # A control: the same report in English, where the patterns must find English.
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return pages, client.get("/portal/cdrs/?state=open")


def test_no_english_on_a_german_page(german_pages):
    pages, english_control = german_pages
    patterns = english_patterns()
    control = visible_text(english_control.content.decode())
    assert {"Apply filters", "CDR report", "open (may still change)"} <= {
        text for text, pattern in patterns.items() if pattern.search(control)
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code in (200, 403), name
        html = response.content.decode()
        assert 'lang="de"' in html, name
        text = visible_text(html)
        english = sorted(t for t, pattern in patterns.items() if pattern.search(text))
        if english:
            found[name] = english
    assert not found, f"English on German pages: {found}"
