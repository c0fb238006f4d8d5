"""The atlas pipeline: catalogue -> quotes verified -> places geocoded -> geometry -> GeoJSON.

Nothing here imports Flask: the pipeline runs and is tested on its own, and the web app only
reads what it writes.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_CATALOGUE = PACKAGE_DIR / "catalogue.yaml"
DEFAULT_SEEDS_DIR = PROJECT_DIR / "seeds"
DEFAULT_OUTPUT_DIR = PACKAGE_DIR
