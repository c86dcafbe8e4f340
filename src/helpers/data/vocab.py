"""Stable English ids and labels for the codes and Finnish names used in the source files."""

from __future__ import annotations

import re
import unicodedata

# Sotkanet indicator id -> (short snake_case id, English label, unit). Labels paraphrase
# THL's Finnish titles (indicator.title.fi in the file); units as Sotkanet defines them.
SOTKANET_INDICATORS: dict[int, tuple[str, str, str]] = {
    5: (
        "social_assistance_recipients_25_64_pct",
        "Social assistance recipients aged 25-64, % of population of the same age",
        "% of population aged 25-64",
    ),
    453: ("social_assistance_eur_per_resident", "Social assistance, EUR per resident", "EUR per resident"),
    1275: (
        "long_term_recipients_18_24_pct",
        "Long-term social assistance recipients aged 18-24, % of population of the same age",
        "% of population aged 18-24",
    ),
    181: ("unemployment_rate_pct", "Unemployed, % of labour force", "% of labour force"),
    3562: ("long_term_unemployment_pct", "Long-term unemployed, % of labour force", "% of labour force"),
    3099: ("low_income_rate_pct", "Municipal low-income rate (at-risk-of-poverty rate)", "% of residents"),
    3126: ("gini", "Gini coefficient of disposable income", "Gini coefficient, 0-100"),
    761: (
        "demographic_dependency_ratio",
        "Demographic dependency ratio (aged 0-14 and 65+ per 100 aged 15-64)",
        "persons per 100 aged 15-64",
    ),
    182: (
        "economic_dependency_ratio",
        "Economic dependency ratio (non-employed per 100 employed)",
        "non-employed per 100 employed",
    ),
    2320: (
        "housing_allowance_households_pct",
        "Households receiving general housing allowance, % of households",
        "% of households",
    ),
    3195: (
        "tertiary_education_pct",
        "Residents with tertiary education, % of those aged 20+",
        "% of population aged 20+",
    ),
    179: ("families_with_children_pct", "Families with children, % of families", "% of families"),
    304: ("divorces_per_1000", "Divorces per 1,000 married persons aged 25-64", "per 1,000 married persons aged 25-64"),
    313: (
        "full_national_pension_65_pct",
        "Recipients of a full national pension, % of population aged 65+",
        "% of population aged 65+",
    ),
    2343: ("swedish_speakers_pct", "Swedish-speaking residents, % of population on 31 Dec", "% of population"),
}
# Series of the long-run file (2013 division, 1990-2012); 181 and 3099 are as above.
LONG_RUN_INDICATORS: dict[int, tuple[str, str, str]] = {
    493: (
        "social_assistance_recipients_pct",
        "Persons who received social assistance during the year, % of residents",
        "% of residents",
    ),
    451: (
        "social_assistance_eur_per_resident_old",
        "Social assistance, EUR per resident (older series, not spliced with 453)",
        "EUR per resident",
    ),
    3071: ("hard_to_employ_pct", "Persons hard to employ, % of those aged 15-64", "% of population aged 15-64"),
    181: SOTKANET_INDICATORS[181],
    3099: SOTKANET_INDICATORS[3099],
}
POPULATION_INDICATOR = 127  # Sotkanet "Väestö 31.12." (population on 31 December)

# Diak variable (Finnish, as in the file and variables.csv) -> stable English snake_case id.
DIAK_VARIABLES: dict[str, str] = {
    "Huono-osaisuus yhteensä": "disadvantage_total",
    "Huono-osaisuus": "disadvantage_total",  # variables.csv's name of the same composite
    "Inhimillinen huono-osaisuus": "human_disadvantage",
    "Huono-osaisuuden sosiaaliset seuraukset": "social_consequences_of_disadvantage",
    "Huono-osaisuuden taloudelliset yhteydet": "economic_links_of_disadvantage",
    "Koulutuksen ulkopuolelle jääneet 17–24-vuotiaat": "not_in_education_17_24",
    "Nuorisotyöttömyys": "youth_unemployment",
    "Pitkäaikaistyöttömyys": "long_term_unemployment",
    "Toimeentulotukea pitkäaikaisesti saaneet 25–64-vuotiaat": "long_term_social_assistance_25_64",
    "Toimeentulotukea pitkäaikaisesti saaneet 18–24-vuotiaat": "long_term_social_assistance_18_24",
    "Kunnan yleinen pienituloisuusaste": "low_income_rate",
    "Poliisin tietoon tulleet henkeen ja terveyteen kohdistuneet rikokset": "violent_crimes_reported",
    "Päihteiden vaikutuksen alaisena tehdyistä rikoksista syyllisiksi epäillyt": "crime_suspects_under_influence",
    "0 - 17-vuotiaat lapset, joista on tehty lastensuojeluilmoitus": "child_welfare_notifications_0_17",
    "Kodin ulkopuolelle sijoitetut 0 – 17-vuotiaat": "children_placed_outside_home_0_17",
    "Kunnan osarahoittama työmarkkinatuki": "municipal_share_labour_market_subsidy",
    "Lastensuojelun laitos- ja perhehoidon nettokäyttökustannukset": "child_welfare_placement_net_costs",
    "Aikuisten mielenterveyden avohoitokäynnit": "adult_mental_health_outpatient_visits",
    "Päihteiden vuoksi sairaaloiden ja terveyskeskusten vuodeosastoilla hoidetut potilaat": "substance_abuse_inpatients",
    "Päihdehuollon avopalveluissa asiakkaita": "substance_abuse_outpatient_clients",
    "Täydentävä toimeentulotuki": "supplementary_social_assistance",
    "Itsensä yksinäiseksi tuntevien osuus": "feeling_lonely_share",
    "Psyykkisesti merkittävästi kuormittuneiden osuus": "psychological_distress_share",
    "Terveytensä keskitasoiseksi tai sitä huonommaksi kokevien osuus": "self_rated_health_fair_or_poor_share",
    "Rahanpuutteen vuoksi ruoasta, lääkkeistä tai lääkärikäynneistä tinkimään joutuneiden osuus": "cut_back_food_medicine_or_care_for_lack_of_money_share",
    "Korkeat asiakasmaksut haitanneet hoidon saantia": "high_client_fees_hindered_care_share",
    "Alkoholikuolleisuus 35-64 vuotiailla": "alcohol_mortality_35_64",
    "Itsemurhakuolleisuus": "suicide_mortality",
    "Työttömät": "unemployed_postcode_area",
    "Alimpaan tuloluokkaan kuuluvat täysi-ikäiset": "lowest_income_class_adults",
    "Alimpaan tuloluokkaan kuuluvat taloudet": "lowest_income_class_households",
    "Peruskoulutuksen omaavat": "basic_education_only",
    "Kokonaislukema": "postcode_area_total_score",
    "Gini-kerroin": "gini",
}

DIAK_CLASSES: dict[str, str] = {
    "Summamuuttujat": "composite",
    "Inhimillinen huono-osaisuus": "human_disadvantage",
    "Huono-osaisuuden sosiaaliset seuraukset": "social_consequences",
    "Huono-osaisuuden taloudelliset yhteydet": "economic_links",
    "Huono-osaisuuden taloudelliset seuraukset": "economic_links",
    "Postinumerotarkastelu": "postcode_areas",
    "Gini-kerroin": "gini",
}

DIAK_UNIT = "index, median municipality = 100"


def text_key(text: str) -> str:
    """Comparison key for Finnish labels: NFKC, one kind of dash, single spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip().lower()


_DIAK_BY_KEY = {text_key(k): v for k, v in DIAK_VARIABLES.items()}
_CLASS_BY_KEY = {text_key(k): v for k, v in DIAK_CLASSES.items()}


def diak_variable_id(name_fi: str) -> str | None:
    return _DIAK_BY_KEY.get(text_key(name_fi))


def diak_class_id(name_fi: str) -> str | None:
    return _CLASS_BY_KEY.get(text_key(name_fi))
