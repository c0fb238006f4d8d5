"""The atlas's fixed vocabularies: kinds, categories, stages, line bases and leg modes.

One place for both the pipeline (validation) and the web app (filters, API enums), so they
cannot drift apart. Pure data: importing it loads nothing else.
"""

KINDS = ("corridor", "site")
CORRIDOR_CATEGORIES = ("rail corridor", "multimodal corridor", "transport corridor")
SITE_CATEGORIES = (
    "industrial park",
    "technopark",
    "logistics centre",
    "industrial cooperation centre",
    "engineering hub",
    "industrial plant",
    "power plant",
    "exhibition",
    "education",
    "monument",
    "summit venue",
)
#: Project stages, in the order a project passes through them.
STAGES = ("proposed", "planned", "under construction", "operational", "completed")
#: How a corridor's line was drawn: through named stations, between its two ends only, or both.
BASES = ("stations", "endpoints", "mixed")
#: How a leg of a corridor is travelled.
LEG_MODES = ("rail", "road", "sea")
