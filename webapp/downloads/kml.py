"""The atlas as KML 2.2 for Google Earth: styled corridor lines and site placemarks.

Corridors take the colours of the web map (a MultiLineString becomes a MultiGeometry); sites are
circles in their category's colour, one folder per category. Each placemark's balloon is HTML
built with every value escaped, then stored as XML text by ElementTree (escaped again), which
is how Google Earth expects HTML in ``<description>``; the raw values are in ExtendedData too,
with the names in Russian, Uzbek and Kazakh (``name_ru``, ``name_uz``, ``name_kk``) where the
feature has them, and the flat ``stage``, ``reported_on``, ``source_count`` and
``first_source``.

>>> document = b"".join(kml_pieces([], {}, "Empty", {}))
>>> document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
True
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from webapp.i18n.formatting import cited_quote
from webapp.model.schema import NAME_LANGUAGES
from webapp.style import site_colour

KML_NS = "http://www.opengis.net/kml/2.2"
#: Google Earth's white circle, tinted by IconStyle colour.
SITE_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
ATTRIBUTION = (
    "Corridor Atlas. Every fact is quoted from the cited articles (quotes belong to their "
    "publishers). Positions: GeoNames (CC BY 4.0) or curated references."
)

INDENT = "  "
#: Flat text properties given in ExtendedData beside ``status`` (with ``source_count``), so a GIS
#: styles by them; empty when the feature has none.
FLAT_PROPERTIES = ("stage", "reported_on", "first_source")
FOLDER_END = b"%s</Folder>\n" % (INDENT * 2).encode()

#: Characters XML 1.0 cannot hold, even escaped (control characters, U+FFFE, U+FFFF...).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with each character XML cannot hold replaced by U+FFFD.

    ElementTree writes them as they are, which makes the whole file unreadable.

    >>> xml_text("bell\\x07, \\uffff") == "bell\\ufffd, \\ufffd"
    True
    """
    return _NOT_XML.sub("\ufffd", text)


def _element(tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """An element of the document; tags carry no namespace, the root declares KML's as the
    default, so each piece serialises on its own without repeating it."""
    element = ET.Element(tag, {name: xml_text(value) for name, value in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = _element(tag, text, **attrs)
    parent.append(element)
    return element


def kml_colour(hex_colour: str, alpha: str = "ff") -> str:
    """``#rrggbb`` as KML's ``aabbggrr``.

    >>> kml_colour("#d62728")
    'ff2827d6'
    """
    red, green, blue = hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]
    return f"{alpha}{blue}{green}{red}".lower()


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


def _coordinates(points: Iterable[list[float]]) -> str:
    return " ".join(f"{p[0]!r},{p[1]!r}" for p in points)


def balloon(properties: Mapping[str, Any]) -> str:
    """The HTML shown when a placemark is clicked; every value is escaped."""
    e = html.escape
    status = properties.get("status") or {}
    facts = [properties["category"], ", ".join(properties.get("countries", []))]
    if status.get("stage"):
        facts.append(status["stage"])
    if properties.get("length_km") is not None:
        facts.append(f"{properties['length_km']:,} km")
    parts = [f"<p>{e(' · '.join(f for f in facts if f))}</p>"]
    names = [
        f'<span lang="{language}">{e(properties[f"name_{language}"])}</span>'
        for language in NAME_LANGUAGES
        if properties.get(f"name_{language}")
    ]
    if names:
        parts.insert(0, f"<p>{' · '.join(names)}</p>")
    if properties.get("description"):
        parts.append(f"<p>{e(properties['description'])}</p>")
    items = [f"{d['event']}: {d['when']}" for d in status.get("dates", [])]
    items += [
        f"{f['label']}: {f['value']} {f.get('unit') or ''}".strip()
        for f in properties.get("figures", [])
    ]
    if items:
        parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    nearest = properties.get("nearest_corridor")
    if nearest:
        parts.append(f"<p>Nearest corridor: {e(nearest['name'])} ({nearest['distance_km']} km)</p>")
    near_sites = properties.get("sites_within_100km") or []
    if near_sites:
        listed = ", ".join(f"{e(s['name'])} ({s['distance_km']} km)" for s in near_sites)
        count = properties.get("sites_within_100km_count") or len(near_sites)
        if count > len(near_sites):
            heading = f"{count:,} sites within 100 km; the nearest {len(near_sites)}"
        else:
            heading = "Sites within 100 km"
        parts.append(f"<p>{heading}: {listed}</p>")
    quotes = "".join(f"<li>{e(cited_quote(s))}</li>" for s in properties.get("sources", []))
    if quotes:
        parts.append(f"<p>Sources:</p><ul>{quotes}</ul>")
    return "".join(parts)


def _extended_data(placemark: ET.Element, properties: Mapping[str, Any]) -> None:
    data = _sub(placemark, "ExtendedData")
    status = properties.get("status") or {}
    values = {
        "id": properties["id"],
        **{
            f"name_{language}": properties[f"name_{language}"]
            for language in NAME_LANGUAGES
            if properties.get(f"name_{language}")
        },
        "kind": properties["kind"],
        "category": properties["category"],
        "countries": " | ".join(properties.get("countries", [])),
        "status": status.get("stage", ""),
        **{name: str(properties.get(name) or "") for name in FLAT_PROPERTIES},
        "source_count": str(properties.get("source_count", "")),
        "aliases": " | ".join(properties.get("aliases", [])),
    }
    if properties.get("length_km") is not None:
        values["length_km"] = str(properties["length_km"])
    for name, value in values.items():
        _sub(_sub(data, "Data", name=name), "value", value)


def _geometry(parent: ET.Element, geometry: Mapping[str, Any]) -> None:
    if geometry["type"] == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coordinates([geometry["coordinates"]]))
        return
    lines = geometry["coordinates"]
    if geometry["type"] == "LineString":
        lines = [lines]
    holder = parent if len(lines) == 1 else _sub(parent, "MultiGeometry")
    for line in lines:
        line_string = _sub(holder, "LineString")
        _sub(line_string, "tessellate", "1")
        _sub(line_string, "coordinates", _coordinates(line))


def _placemark(feature: Mapping[str, Any], style: str) -> ET.Element:
    properties = feature["properties"]
    placemark = _element("Placemark")
    _sub(placemark, "name", properties["name"])
    _sub(placemark, "description", balloon(properties))
    _sub(placemark, "styleUrl", f"#{style}")
    _extended_data(placemark, properties)
    _geometry(placemark, feature["geometry"])
    return placemark


def _styles(
    document: ET.Element, corridor_colours: Mapping[str, str], categories: list[str]
) -> None:
    for corridor_id, colour in corridor_colours.items():
        line = _sub(_sub(document, "Style", id=f"corridor-{corridor_id}"), "LineStyle")
        _sub(line, "color", kml_colour(colour))
        _sub(line, "width", "4")
    for category in categories:
        style = _sub(document, "Style", id=f"site-{_slug(category)}")
        icon_style = _sub(style, "IconStyle")
        _sub(icon_style, "color", kml_colour(site_colour(category)))
        _sub(icon_style, "scale", "1.1")
        _sub(_sub(icon_style, "Icon"), "href", SITE_ICON)


def _piece(element: ET.Element, level: int) -> bytes:
    """One element of the document, indented as it sits at ``level``, with its line break."""
    ET.indent(element, space=INDENT, level=level)
    return (INDENT * level).encode() + ET.tostring(element, encoding="utf-8") + b"\n"


def _folder_start(name: str) -> bytes:
    return b"%s<Folder>\n%s" % ((INDENT * 2).encode(), _piece(_element("name", name), 3))


def kml_pieces(
    corridors: Iterable[Mapping[str, Any]],
    sites_by_category: Mapping[str, Iterable[Mapping[str, Any]]],
    title: str,
    corridor_colours: Mapping[str, str],
) -> Iterator[bytes]:
    """A KML document in pieces, one placemark at a time, so a file of any size is written
    without holding it: ``corridor_colours`` maps each corridor's id to ``#rrggbb`` (and
    says which corridors there are, for their styles); sites come grouped by category."""
    yield b"<?xml version='1.0' encoding='UTF-8'?>\n"
    yield b'<kml xmlns="%s">\n%s<Document>\n' % (KML_NS.encode(), INDENT.encode())
    head = ET.Element("Document")
    _sub(head, "name", f"Corridor Atlas — {title}")
    _sub(head, "open", "1")
    _sub(head, "description", ATTRIBUTION)
    _styles(head, corridor_colours, sorted(sites_by_category))
    for element in head:
        yield _piece(element, 2)
    if corridor_colours:
        yield _folder_start("Corridors")
        for corridor in corridors:
            yield _piece(_placemark(corridor, f"corridor-{corridor['id']}"), 3)
        yield FOLDER_END
    for category in sorted(sites_by_category):
        yield _folder_start(f"Sites: {category}")
        for site in sites_by_category[category]:
            yield _piece(_placemark(site, f"site-{_slug(category)}"), 3)
        yield FOLDER_END
    yield b"%s</Document>\n</kml>\n" % INDENT.encode()
