"""District names in each statement language, keyed by the gazetteer's name (the agency's English spelling).

Azerbaijani names are the official Latin spellings. Russian names are the adjective in the genitive (singular form),
as the Russian statements write "на территориях Тертерского, ... и Зангиланского районов". A name missing here is
written as the gazetteer holds it.
"""

from __future__ import annotations

DISTRICT_NAMES: dict[str, dict[str, str]] = {
    "Tartar": {"az": "Tərtər", "ru": "Тертерского"},
    "Aghdara": {"az": "Ağdərə", "ru": "Агдеринского"},
    "Kalbajar": {"az": "Kəlbəcər", "ru": "Кяльбаджарского"},
    "Aghdam": {"az": "Ağdam", "ru": "Агдамского"},
    "Khojaly": {"az": "Xocalı", "ru": "Ходжалинского"},
    "Khankendi": {"az": "Xankəndi", "ru": "Ханкендинского"},
    "Khojavand": {"az": "Xocavənd", "ru": "Ходжавендского"},
    "Shusha": {"az": "Şuşa", "ru": "Шушинского"},
    "Lachin": {"az": "Laçın", "ru": "Лачинского"},
    "Fuzuli": {"az": "Füzuli", "ru": "Физулинского"},
    "Gubadli": {"az": "Qubadlı", "ru": "Губадлинского"},
    "Jabrayil": {"az": "Cəbrayıl", "ru": "Джебраильского"},
    "Zangilan": {"az": "Zəngilan", "ru": "Зангиланского"},
    "Gazakh": {"az": "Qazax", "ru": "Газахского"},
    "Goranboy": {"az": "Goranboy", "ru": "Геранбойского"},
}


def district_name(name: str, lang: str) -> str:
    if lang == "en":
        return name
    return DISTRICT_NAMES.get(name, {}).get(lang, name)
