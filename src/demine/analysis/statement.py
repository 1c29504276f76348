"""The weekly statement in the agency's own form, in English, Azerbaijani or Russian.

Numbers are formatted by a locale that may differ from the language (`numbers`): the English-language press in Baku
prints "8.086" and "2.790,9". Hectares are "land released" of every outcome: the agency's "hectares cleared of mines
and UXOs" is the land it hands back in the period, whether cancelled, reduced or cleared (see docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from demine.analysis.district_names import district_name
from demine.analysis.figures import WeeklyFigures
from demine.analysis.period import Period, PeriodKind
from demine.errors import DemineError

LANGUAGES = ("en", "az", "ru")


@dataclass(frozen=True, slots=True)
class Statement:
    lang: str
    numbers: str
    finds: str  # the sentence on items found and neutralised
    land: str  # the sentence on hectares

    @property
    def text(self) -> str:
        return f"{self.finds} {self.land}"


@dataclass(frozen=True, slots=True)
class _Numbers:
    locale: str

    def count(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def hectares(self, m2: float) -> str:
        return format_decimal(round(m2 / 10_000, 1), format="#,##0.0", locale=self.locale)


def write_statement(figures: WeeklyFigures, *, lang: str = "en", numbers: str | None = None) -> Statement:
    if lang not in LANGUAGES:
        raise DemineError(f"Unknown statement language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    fmt = _Numbers(numbers or lang)
    try:
        format_decimal(1, locale=fmt.locale)
    except (ValueError, LookupError, UnknownLocaleError) as error:
        raise DemineError(f"Unknown number locale {fmt.locale!r}.") from error
    names = [district_name(d.name, lang) for d in figures.named_districts]
    writer = {"en": _english, "az": _azerbaijani, "ru": _russian}[lang]
    finds, land = writer(figures, names, fmt)
    return Statement(lang, fmt.locale, finds, land)


def _join(names: list[str], conjunction: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _dates(period: Period, lang: str, pattern: str, with_year: str) -> tuple[str, str]:
    """Start and end in the language; the year is written only when the period crosses one."""
    same_year = period.start.year == period.end.year
    start = format_date(period.start, pattern if same_year else with_year, locale=lang)
    return start, format_date(period.end, pattern if same_year else with_year, locale=lang)


# ---- English -------------------------------------------------------------------------------------------------------
_EN_SPAN = {PeriodKind.WEEK: "over the past week", PeriodKind.MONTH: "over the past month",
            PeriodKind.YEAR: "over the past year", PeriodKind.RANGE: "over the period"}


def _english(figures: WeeklyFigures, names: list[str], n: _Numbers) -> tuple[str, str]:
    items, period = figures.national.items, figures.period
    start, end = _dates(period, "en", "MMMM d", "MMMM d, y")
    where = ""
    if names:
        where = f" in the {_join(names, 'and')} district" + ("s" if len(names) > 1 else "")
    mines = "mine" if items.ap_mines == 1 and items.at_mines == 1 else "mines"
    uxo = "unexploded ordnance (UXO)" if items.unexploded == 1 else "unexploded ordnances (UXOs)"
    finds = (f"During the mine-clearing operations{where} {n.count(items.ap_mines)} anti-personnel and "
             f"{n.count(items.at_mines)} anti-tank {mines}, as well as {n.count(items.unexploded)} {uxo} were found "
             f"and neutralized from {start} to {end}.")
    land = f"{n.hectares(figures.national.land.total_m2)} hectares were cleared of mines and UXOs " \
           f"{_EN_SPAN[period.kind]}."
    return finds, land


# ---- Azerbaijani ---------------------------------------------------------------------------------------------------
_AZ_SPAN = {PeriodKind.WEEK: "Ötən həftə ərzində", PeriodKind.MONTH: "Ötən ay ərzində",
            PeriodKind.YEAR: "Ötən il ərzində", PeriodKind.RANGE: "Bu müddət ərzində"}


def _azerbaijani(figures: WeeklyFigures, names: list[str], n: _Numbers) -> tuple[str, str]:
    # Azerbaijani keeps the noun singular after a number ("280 ədəd ... mina").
    items, period = figures.national.items, figures.period
    start, end = _dates(period, "az", "d MMMM", "d MMMM y")
    where = ""
    if names:
        where = f"{_join(names, 'və')} " + ("rayonlarında" if len(names) > 1 else "rayonunda") + " "
    finds = (f"{start} - {end} tarixlərində {where}aparılan minatəmizləmə əməliyyatları zamanı "
             f"{n.count(items.ap_mines)} ədəd piyada əleyhinə, {n.count(items.at_mines)} ədəd tank əleyhinə mina, "
             f"həmçinin {n.count(items.unexploded)} ədəd partlamamış hərbi sursat aşkarlanaraq zərərsizləşdirilib.")
    land = f"{_AZ_SPAN[period.kind]} {n.hectares(figures.national.land.total_m2)} hektar ərazi mina və " \
           f"partlamamış hərbi sursatlardan təmizlənib."
    return finds, land


# ---- Russian -------------------------------------------------------------------------------------------------------
_RU_SPAN = {PeriodKind.WEEK: "За прошедшую неделю", PeriodKind.MONTH: "За прошедший месяц",
            PeriodKind.YEAR: "За прошедший год", PeriodKind.RANGE: "За этот период"}


def _ru_form(value: int, one: str, few: str, many: str) -> str:
    """Russian agreement with a number: 1 мина, 2-4 мины, 5-20 мин, 21 мина ..."""
    if value % 10 == 1 and value % 100 != 11:
        return one
    if 2 <= value % 10 <= 4 and not 12 <= value % 100 <= 14:
        return few
    return many


def _russian(figures: WeeklyFigures, names: list[str], n: _Numbers) -> tuple[str, str]:
    items, period = figures.national.items, figures.period
    start, end = _dates(period, "ru", "d MMMM", "d MMMM y")
    where = ""
    if names:
        where = (f" на территориях {_join(names, 'и')} районов" if len(names) > 1
                 else f" на территории {names[0]} района")
    ap, at, uxo = items.ap_mines, items.at_mines, items.unexploded
    ap_word = _ru_form(ap, "противопехотная", "противопехотные", "противопехотных")
    at_words = _ru_form(at, "противотанковая мина", "противотанковые мины", "противотанковых мин")
    uxo_words = _ru_form(uxo, "неразорвавшийся боеприпас", "неразорвавшихся боеприпаса", "неразорвавшихся боеприпасов")
    finds = (f"В ходе операций по разминированию{where} с {start} по {end} были обнаружены и обезврежены "
             f"{n.count(ap)} {ap_word} и {n.count(at)} {at_words}, а также {n.count(uxo)} {uxo_words}.")
    # A number with a decimal part takes the genitive singular: "2 790,9 гектара".
    land = f"{_RU_SPAN[period.kind]} от мин и неразорвавшихся боеприпасов очищено " \
           f"{n.hectares(figures.national.land.total_m2)} гектара."
    return finds, land


def statement_date_words(day: dt.date, lang: str) -> str:
    """A single date as the statement writes it (for headings of the full report)."""
    return format_date(day, "MMMM d, y" if lang == "en" else "d MMMM y", locale=lang)
