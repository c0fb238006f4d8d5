"""The lean feature store and the answers built from it (issue 6): the same bytes as before.

The API used to serialise dicts per request; it now joins each feature's prebuilt bytes. These
tests pin that the bytes are exactly what ``json.dumps`` gives, whatever the file's layout,
and that every filter keeps what a plain scan of the features keeps.
"""

from __future__ import annotations

import re

import pytest

from geodata.names import exact_key, skeleton_key
from tests.support.samples import feature, features_of, write_data_dir
from webapp.http.mediatypes import compact_json
from webapp.model.filters import FeatureQuery
from webapp.model.search import NAME_LANGUAGES, FeatureIndex
from webapp.model.store import FeatureStore
from webapp.model.text import MIN_SKELETON_LETTERS, search_form

_WORD = re.compile(r"\w+")


@pytest.mark.parametrize("read", ["bytes", "file"])
def test_each_feature_is_its_compact_json(built_data_dir, read):
    path = built_data_dir / "atlas.geojson"
    store = (
        FeatureStore.from_bytes(path.read_bytes())
        if read == "bytes"
        else FeatureStore.from_file(path)
    )
    expected = features_of(built_data_dir)
    assert list(store.ids) == [f["id"] for f in expected]
    for position, f in enumerate(expected):
        assert store.raw(position) == compact_json(f)
        assert store.feature(position) == f


def test_any_other_layout_is_read_whole(tmp_path):
    features = [feature("site"), feature("corridor")]
    data_dir = write_data_dir(tmp_path, features)  # one line, spaces after separators
    for store in (
        FeatureStore.from_bytes((data_dir / "atlas.geojson").read_bytes()),
        FeatureStore.from_file(data_dir / "atlas.geojson"),
    ):
        assert [store.raw(i) for i in range(len(store))] == [compact_json(f) for f in features]


def _text_matches(properties: dict, text: str) -> bool:
    """The text match as the API defined it before its index: one feature at a time, every
    text read in Latin letters (``search_form``), names in other languages included."""
    names = [properties["name"], *properties.get("aliases", [])]
    names += [properties.get(f"name_{language}") or "" for language in NAME_LANGUAGES]
    for place in properties.get("located_by", []):
        names += [place["place"], *(place.get("names") or {}).values()]
    names = [search_form(name) for name in names]
    every = " ".join([*names, properties.get("category", ""), properties.get("description", "")])
    words = {exact_key(word) for word in _WORD.findall(search_form(every))} - {""}
    skeletons = {skeleton_key(w) for w in words if len(w) >= MIN_SKELETON_LETTERS} - {""}
    name_keys = {exact_key(name) for name in names} - {""}
    name_skeletons = {skeleton_key(name) for name in names} - {""}
    terms = [key for key in (exact_key(word) for word in _WORD.findall(search_form(text))) if key]
    if not terms:
        return False
    whole, whole_skeleton = exact_key(search_form(text)), skeleton_key(search_form(text))
    if any(whole in name for name in name_keys) or whole_skeleton in name_skeletons:
        return True
    return all(
        any(word.startswith(term) for word in words)
        or (len(term) >= MIN_SKELETON_LETTERS and skeleton_key(term) in skeletons)
        for term in terms
    )


def _plain_scan(features: list[dict], query: FeatureQuery) -> list[str]:
    """What a query keeps, by looking at each feature's properties (the old way)."""
    kept = []
    for f in features:
        p = f["properties"]
        if (
            (not query.kinds or p["kind"] in query.kinds)
            and (not query.categories or p["category"] in query.categories)
            and (not query.countries or any(c in query.countries for c in p["countries"]))
            and (not query.stages or (p.get("status") or {}).get("stage") in query.stages)
            and (query.text is None or _text_matches(p, query.text))
        ):
            kept.append(f["id"])
    return kept


@pytest.mark.parametrize(
    "query",
    [
        FeatureQuery(),
        FeatureQuery(kinds=("site",)),
        FeatureQuery(categories=("technopark", "rail corridor")),
        FeatureQuery(countries=("UZ", "KZ")),
        FeatureQuery(countries=("XX",)),
        FeatureQuery(stages=("planned", "operational")),
        FeatureQuery(text="bekobod"),
        FeatureQuery(text="Tirmiz"),
        FeatureQuery(text="tashkent rail"),
        FeatureQuery(text="xian"),
        FeatureQuery(text="Бекабад"),
        FeatureQuery(text="Fargʻona"),
        FeatureQuery(text="Ташкент rail"),
        FeatureQuery(text="Север"),
        FeatureQuery(text="a"),
        FeatureQuery(text=""),
        FeatureQuery(text="zzzz"),
        FeatureQuery(kinds=("corridor",), text="corridor", countries=("UZ",)),
    ],
)
def test_filters_keep_what_a_plain_scan_keeps(built_data_dir, query):
    features = features_of(built_data_dir)
    index = FeatureIndex(FeatureStore.from_bytes((built_data_dir / "atlas.geojson").read_bytes()))
    kept = [index.store.ids[p] for p in index.select_positions(query).positions]
    if query.text is None:
        assert kept == _plain_scan(features, query)
    else:  # ranked best first (tests/webapp/test_search_ranking.py checks the order)
        assert sorted(kept) == sorted(_plain_scan(features, query))


def test_a_second_index_over_the_same_store_searches_text_too(built_data_dir):
    store = FeatureStore.from_features(features_of(built_data_dir))
    first, second = FeatureIndex(store), FeatureIndex(store)
    query = FeatureQuery(text="Bekobod")
    assert first.select_positions(query).positions.tolist()
    assert second.select_positions(query).positions.tolist() == (
        first.select_positions(query).positions.tolist()
    )
