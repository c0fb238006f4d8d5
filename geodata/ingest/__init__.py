"""From a news article to proposed corridors, sites and places, each cited to its sentences.

``corridor-atlas ingest`` reads an article (:mod:`.text`), finds route chains and named routes
(:mod:`.routes`), named facilities bound to a place (:mod:`.facilities`; at a border,
:mod:`.borders`), their stage, dates and figures (:mod:`.facts`), positions them
(:mod:`.places`), takes the geoparser's place names (:mod:`.placenames`) and writes
``proposals/<stem>.yaml`` (:mod:`.proposals`, :mod:`.output`) for a curator to accept or reject.
"""
