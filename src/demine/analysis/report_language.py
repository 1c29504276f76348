"""The words of the full report in the authority's languages: one dictionary per language (analysis/locales), keyed
by the English text, with {placeholders} for the parts that change. A missing entry falls back to English, so a
report is never blank; the statement's own sentences are written by `statement.py` with their grammar.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from demine.errors import DemineError

LANGUAGES = ("en", "az", "ru")


@cache
def _texts(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    if lang not in LANGUAGES:
        raise DemineError(f"No report texts in {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    return json.loads((resources.files("demine.analysis") / "locales" / f"{lang}.json").read_text(encoding="utf-8"))


class Words:
    """`words("Total")` -> "Cəmi" in az; `words("since {date}", date=...)` fills the placeholders after translating."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self._texts = _texts(lang)

    def __call__(self, text: str, **values: object) -> str:
        template = self._texts.get(text, text)
        return template.format(**values) if values else template
