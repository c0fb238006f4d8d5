"""Word lists that keep capitalised words which are not place names out of the results."""

from __future__ import annotations


def _set(words: str) -> frozenset[str]:
    """The words of a blank-separated list (kept as prose so the lists stay readable)."""
    return frozenset(words.split())


MONTHS_AND_DAYS = _set(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday"
)
#: Capitalised words common at the start of a sentence or in titles and names of bodies.
COMMON = _set(
    """A An The This That These Those It Its He She They We I You Our Their His Her My Your
    In On At Of For From To By With As And But Or If When While After Before Since During Under
    Over Into About Between Against Through Also Then There Here Where What Who Why How All Any
    Some Many Most More Much No Not Yes One Two Three Four Five Six Seven Eight Nine Ten First
    Second Third Last Next New Old Mr Mrs Ms Dr Prof Sir President Minister Governor Mayor Chief
    Police Sheriff Officer Court Judge Senator Rep Director Manager General Secretary King Queen
    Prince Saint Lord Lady God Christ Church News Today Monday Government State City County
    Department Office Council Committee Agency Ministry Bank Company Group University College
    School Hospital Center Centre Airport Station Park Street Road Avenue Highway Route Bridge
    North South East West Northern Southern Eastern Western Central Upper Lower Great Little
    National International Federal Republic Democratic Union United People Party Army Navy
    Association Foundation Institute Service Services Health Public Post Times Daily Press
    Report Reports Read More Click Copyright Photo Video Home Page Email Contact Sports Weather
    Business World Local Region District Province Area Island Islands Lake River Mountain Valley
    Coast Sea Ocean Bay Gulf Port Fort Mount Cape Hill Hills Beach Falls Springs Village Town
    Corridor Railway Rail Logistics Industrial Trade Economic Development Project Zone Free
    Special Summit Forum Week Year Day Time Team Club Cup League Games Olympics Internet
    Says Said According However Meanwhile Although Because Despite Though Yet Still Even
    Just Only Please Thank Thanks Dear Hello Well Oh OK Okay Both Each Every Other Another
    Such Same Like Unlike Including Among Within Without Across Along Around Near Beyond
    Friday Saturday Sunday Christmas Easter Ramadan Eid Hall Building Tower Market Mall
    Free Lake Mission Liberty Independence Victory Unity Harmony Union Friendship Progress
    Hope Faith Grace Joy Star Sun Moon Sky Spring Summer Autumn Fall Winter Gold Silver
    Green Black White Red Blue Brown Young Long Short Little Big High Low Deep Fair Lucky
    Ebola Zika Covid COVID Influenza Flu Virus Disease Outbreak Health WHO CDC UN EU NATO
    So Do Does Did Can Could Would Should Will Shall May Might Must Now Today Tonight
    AP Reuters AFP CNN BBC Associated Xinhua Interfax Trend TV Radio Online
    Gov Sen Sgt Cpl Pvt Atty Supt Lt Capt Col Gen Rev Det Insp"""
)
#: Words after a matched place that show it is named inside the name of a body or feature, as
#: LGL annotates it ("Alexandria Police", "Omsk Oblast"): the place is kept.
AFTER_PLACE = _set(
    """Police Sheriff Fire County Parish City Township Town Village Borough State Province
    Region Oblast District Council Mayor School Schools High University College Airport Station
    Hospital Medical Public Library Board Department Court Chamber Area Metro Regional Municipal
    Community Courthouse Museum Zoo Harbor Harbour Port Railway Daily Times Post Herald Tribune
    News Journal Gazette Star Observer Record Register Chronicle Free Economic Industrial
    Logistics Customs Border Central International Region"""
)
#: Words before a place that belong to its name or tell its kind ("North Carolina" is matched
#: whole; these only keep a place that follows them from being read as a surname).
BEFORE_PLACE = _set(
    """North South East West Northern Southern Eastern Western Central Upper Lower Greater New
    Old Downtown Suburban Rural Metropolitan Metro Near In Of"""
)
#: Lower- or upper-case words after a name that make it a region or feature ("Omsk region").
REGION_SUFFIXES = _set(
    """region oblast province district county parish state governorate prefecture krai kray
    Region Oblast Province District County Parish State Governorate Prefecture Krai Kray
    oblysy viloyati viloyat Oblysy Viloyati Viloyat"""
)
#: Words that mean the capitalised words before them name a person ("Henry said").
SPEECH = _set("said says told added explained noted stated wrote asked")
#: Titles before a person's name ("Mr Tashkent" is not a city).
TITLES = _set(
    """Mr Mrs Ms Miss Dr Prof Sir Madam President Minister Governor Mayor Senator Rep Judge
    Officer Sgt Capt Lt Col Gen Deputy Chairman Director Ambassador Father Rev Pope Pastor
    Coach Detective Trooper Agent Gov Sen Atty Cpl Pvt"""
)
#: Abbreviations whose full stop belongs to the name ("St. Petersburg").
ABBREVIATIONS = _set("St Ste Ft Mt Pt")
