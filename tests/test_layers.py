"""The architecture, enforced: the pipeline and the web app stay apart, the web app's parts
never import each other, and its foundations never import Flask.

Imports are read from the source (every ``import`` and ``from … import`` statement, at any
depth, so an import inside a function counts too) and, for the Flask rule, also checked by
importing each module in a fresh interpreter and listing what it loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The user-facing parts of the web app: each imports the foundations, never another part.
PARTS = ("map", "pages", "downloads", "api", "review")
#: Modules that must not import Flask: the data model, plain HTTP, the cache, and the API's
#: Flask-free core (everything of webapp.api but its adapter and route modules).
FLASK_FREE = [
    *(f"webapp.model.{p.stem}" for p in sorted((ROOT / "webapp/model").glob("*.py"))),
    *(f"webapp.http.{p.stem}" for p in sorted((ROOT / "webapp/http").glob("*.py"))),
    "webapp.cache",
    "webapp.style",
    *(
        f"webapp.api.{p.stem}"
        for p in sorted((ROOT / "webapp/api").glob("*.py"))
        if p.stem not in {"adapter", "routes", "ogc_routes"}
    ),
]
PIPELINE = ["geodata", "geodata.build", "geodata.geocoding", "geodata.gazetteer", "geodata.geojson"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, as absolute dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path)
    package = package if path.name == "__init__.py" else package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _part_of(module: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "webapp" and pieces[1] in PARTS else None


def test_imports_are_read_with_their_package():
    found = imports_of(ROOT / "webapp/api/__init__.py")
    assert "webapp.api.data" in found and "webapp.state.state_of" in found


@pytest.mark.parametrize("part", PARTS)
def test_no_part_imports_another_part(part):
    crossings = []
    for path in sorted((ROOT / "webapp" / part).rglob("*.py")):
        for module in imports_of(path):
            other = _part_of(module)
            if other is not None and other != part:
                crossings.append(f"{path.relative_to(ROOT)} imports {module}")
    assert crossings == []


def test_foundations_import_no_part():
    foundations = [
        *(ROOT / "webapp/model").glob("*.py"),
        *(ROOT / "webapp/http").glob("*.py"),
        *(ROOT / "webapp").glob("*.py"),
    ]
    crossings = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in foundations
        # Above the parts: the factory registers them, the serving index does their start work.
        if path.name not in {"factory.py", "serving_index.py"}
        for module in imports_of(path)
        if _part_of(module) is not None
    ]
    assert crossings == []


def test_the_pipeline_never_imports_the_web_app():
    crossings = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "geodata").rglob("*.py"))
        for module in imports_of(path)
        if module == "webapp" or module.startswith("webapp.")
    ]
    assert crossings == []


def _modules_after(code: str) -> set[str]:
    code += "\nimport sys; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", FLASK_FREE)
def test_foundations_and_the_api_core_never_load_flask(module):
    if not module.endswith("__init__"):
        assert not any(m == "flask" or m.startswith("flask.") for m in imports_of(_path(module)))
    assert "flask" not in _modules_after(f"import {module.removesuffix('.__init__')}")


def _path(module: str) -> Path:
    path = ROOT / Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@pytest.mark.parametrize("module", PIPELINE)
def test_the_pipeline_does_not_import_flask(module):
    assert "flask" not in _modules_after(f"import {module}")


def test_the_web_app_does_not_load_the_geocoders():
    loaded = _modules_after("from webapp import create_app; create_app()")
    assert "flask" in loaded
    assert not {"geodata.gazetteer", "geodata.geocoding", "geopy.geocoders"} & loaded
