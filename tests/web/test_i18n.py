"""The interface in en, az and ru: every marked text translated, the switch kept in a cookie, numbers by language."""

from __future__ import annotations

import json
import re

import pytest

from demine.api.error_pages import OTHER_TITLE, TITLES as ERROR_TITLES
from demine.api.routes.entries import TITLES
from demine.api.templating import LANGUAGES, WEB, dictionary
from demine.domain.vocabulary import ReviewStatus
from demine.services.dashboard import OUTCOMES

MARKED = re.compile(r"""_\((["'])(.+?)\1\)""")


def _marked_texts() -> set[str]:
    texts = set()
    for template in (WEB / "templates").rglob("*.html"):
        texts |= {m.group(2) for m in MARKED.finditer(template.read_text(encoding="utf-8"))}
    # Texts that reach `_` as values: review statuses, land release outcomes, entry titles, the sign-in error.
    return texts | {s.value for s in ReviewStatus} | set(OUTCOMES) | set(TITLES.values()) | {
        "Wrong username or password."} | set(ERROR_TITLES.values()) | {OTHER_TITLE}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_marked_text_is_translated(language):
    words = dictionary(language)
    missing = sorted(_marked_texts() - set(words))
    assert not missing, f"{language}.json lacks {missing}"
    assert all(value.strip() for value in words.values())
    unused = sorted(set(words) - _marked_texts())
    assert not unused, f"{language}.json has entries no page uses: {unused}"
    assert json.loads((WEB / "locales" / f"{language}.json").read_text(encoding="utf-8")) == words


def test_language_switch_is_kept_in_a_cookie_and_numbers_follow_it(sqlite_client):
    client = sqlite_client
    english = client.get("/dashboard", params={"day": "2024-08-01"}).text
    assert '<html lang="en">' in english and "Anti-personnel mines" in english and "0.5 ha" in english
    switched = client.get("/language/az", params={"next": "/dashboard?day=2024-08-01"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/dashboard?day=2024-08-01"
    assert "demine_lang=az" in switched.headers["set-cookie"]
    page = client.get("/dashboard", params={"day": "2024-08-01"}).text
    assert '<html lang="az">' in page and "Piyada əleyhinə minalar" in page and "0,5 ha" in page
    assert "Xəritə" in client.get("/map").text
    client.cookies.clear()
    russian = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).text
    assert '<html lang="ru">' in russian and "Имя пользователя" in russian
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/ru", params={"next": "//evil.example"},
                      follow_redirects=False).headers["location"] == "/map"
