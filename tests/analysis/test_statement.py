"""The golden week: the statement of 29 July - 4 August 2024 word for word, on both backends and in three languages."""

from __future__ import annotations

import datetime as dt

import pytest

from demine.analysis.compute import weekly_figures
from demine.analysis.figures import AreaFigures, ItemCounts, LandReleased, Pending, WeeklyFigures
from demine.analysis.period import Period
from demine.analysis.statement import write_statement

WEEK = Period(dt.date(2024, 7, 29), dt.date(2024, 8, 4))

EN_AZ_NUMBERS = (
    "During the mine-clearing operations in the Tartar, Kalbajar, Aghdam, Khojaly, Fuzuli, Jabrayil and Zangilan "
    "districts 280 anti-personnel and 87 anti-tank mines, as well as 8.086 unexploded ordnances (UXOs) were found and "
    "neutralized from July 29 to August 4. 2.790,9 hectares were cleared of mines and UXOs over the past week."
)
AZ = (
    "29 iyul - 4 avqust tarixlərində Tərtər, Kəlbəcər, Ağdam, Xocalı, Füzuli, Cəbrayıl və Zəngilan rayonlarında "
    "aparılan minatəmizləmə əməliyyatları zamanı 280 ədəd piyada əleyhinə, 87 ədəd tank əleyhinə mina, həmçinin "
    "8.086 ədəd partlamamış hərbi sursat aşkarlanaraq zərərsizləşdirilib. Ötən həftə ərzində 2.790,9 hektar ərazi mina "
    "və partlamamış hərbi sursatlardan təmizlənib."
)
RU = (
    "В ходе операций по разминированию на территориях Тертерского, Кяльбаджарского, Агдамского, Ходжалинского, "
    "Физулинского, Джебраильского и Зангиланского районов с 29 июля по 4 августа были обнаружены и обезврежены "
    "280 противопехотных и 87 противотанковых мин, а также 8\u00a0086 неразорвавшихся боеприпасов. За прошедшую "
    "неделю от мин и неразорвавшихся боеприпасов очищено 2\u00a0790,9 гектара."
)


def test_golden_week_statement_word_for_word(golden_register) -> None:  # type: ignore[no-untyped-def]
    with golden_register.reading() as connection:
        figures = weekly_figures(connection, WEEK)
    assert (figures.national.items.ap_mines, figures.national.items.at_mines, figures.national.items.unexploded) \
        == (280, 87, 8086)
    assert round(figures.national.land.total_ha, 1) == 2790.9
    assert write_statement(figures, lang="en", numbers="az").text == EN_AZ_NUMBERS
    assert write_statement(figures, lang="az").text == AZ
    assert write_statement(figures, lang="ru").text == RU
    english = write_statement(figures, lang="en").text
    assert "8,086 unexploded" in english and english.endswith("2,790.9 hectares were cleared of mines and UXOs over "
                                                              "the past week.")
    # The submitted report in Lachin is pending: not counted, not named, but reported.
    assert "Lachin" not in EN_AZ_NUMBERS and figures.pending.reports == 1 and figures.pending.items == 5 + 1 + 7
    assert round(figures.pending.land_m2) == 100_000


def _figures(districts: list[str], ap: int, at: int, uxo: int, m2: float, period: Period) -> WeeklyFigures:
    items = ItemCounts({"ap_mine": ap, "at_mine": at, "uxo": uxo})
    areas = tuple(AreaFigures(str(i), name, items, LandReleased(cleared_m2=m2), i + 1) for i, name in
                  enumerate(districts))
    return WeeklyFigures(period, areas, AreaFigures("", "National", items, LandReleased(cleared_m2=m2)), Pending())


@pytest.mark.parametrize("lang, expected", [
    ("en", "During the mine-clearing operations in the Aghdam district 1 anti-personnel and 1 anti-tank mine, as well "
           "as 1 unexploded ordnance (UXO) were found and neutralized from January 1 to January 31. 0.1 hectares were "
           "cleared of mines and UXOs over the past month."),
    ("az", "1 yanvar - 31 yanvar tarixlərində Ağdam rayonunda aparılan minatəmizləmə əməliyyatları zamanı 1 ədəd "
           "piyada əleyhinə, 1 ədəd tank əleyhinə mina, həmçinin 1 ədəd partlamamış hərbi sursat aşkarlanaraq "
           "zərərsizləşdirilib. Ötən ay ərzində 0,1 hektar ərazi mina və partlamamış hərbi sursatlardan təmizlənib."),
    ("ru", "В ходе операций по разминированию на территории Агдамского района с 1 января по 31 января были обнаружены "
           "и обезврежены 1 противопехотная и 1 противотанковая мина, а также 1 неразорвавшийся боеприпас. За "
           "прошедший месяц от мин и неразорвавшихся боеприпасов очищено 0,1 гектара."),
])
def test_one_district_a_month_and_singulars(lang: str, expected: str) -> None:
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert write_statement(_figures(["Aghdam"], 1, 1, 1, 1000.0, period), lang=lang).text == expected


def test_russian_agreement_and_a_period_across_the_new_year() -> None:
    period = Period(dt.date(2024, 12, 28), dt.date(2025, 1, 3))
    text = write_statement(_figures(["Fuzuli", "Zangilan"], 22, 3, 14, 5_000.0, period), lang="ru").text
    assert ("на территориях Физулинского и Зангиланского районов с 28 декабря 2024 по 3 января 2025 были обнаружены и "
            "обезврежены 22 противопехотные и 3 противотанковые мины, а также 14 неразорвавшихся боеприпасов.") in text
    english = write_statement(_figures(["Fuzuli", "Zangilan"], 22, 3, 14, 5_000.0, period), lang="en").text
    assert "in the Fuzuli and Zangilan districts" in english and "from December 28, 2024 to January 3, 2025" in english


def test_unknown_language_or_locale_is_refused() -> None:
    from demine.errors import DemineError

    figures = _figures(["Aghdam"], 1, 1, 1, 1.0, WEEK)
    with pytest.raises(DemineError, match="language"):
        write_statement(figures, lang="fr")
    with pytest.raises(DemineError, match="locale"):
        write_statement(figures, lang="en", numbers="xx_nowhere")
