"""What the OpenAPI document cannot say, taught to schemathesis's generator.

A bbox's south edge may not lie north of its north edge, and the server refuses such a box
with a 400 naming ``bbox`` (``tests/webapp/test_api.py`` checks it). The document's pattern
cannot say so (a regular expression cannot compare two numbers), so schemathesis would take
such a box for a valid request; generated boxes get their latitudes in order instead.

>>> map_query(None, {"bbox": "0,10,5,-10"}), map_query(None, {"bbox": "0,1,2,3,-4,5"})
({'bbox': '0,-10,5,10'}, {'bbox': '0,-4,2,3,1,5'})
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.hook
def map_query(ctx: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    """``query`` with its bbox's south and north edges in order (other values untouched)."""
    bbox = (query or {}).get("bbox")
    if not isinstance(bbox, str):
        return query
    parts = bbox.split(",")
    edges = {4: (1, 3), 6: (1, 4)}.get(len(parts))
    if edges is None:
        return query
    south, north = edges
    try:
        swap = float(parts[south]) > float(parts[north])
    except ValueError:
        return query
    if swap:
        parts[south], parts[north] = parts[north], parts[south]
        query["bbox"] = ",".join(parts)  # type: ignore[index]
    return query
