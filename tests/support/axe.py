"""axe-core, the accessibility checker, run inside a page that Playwright drives.

``make axe`` (part of ``make test``) installs the npm package ``axe-core`` at the version the
Makefile pins into the git-ignored ``.tools/axe/``. Its ``axe.min.js`` is added to a browser
context as an init script, so it is in every page and frame before the page's own scripts run
and the page's Content-Security-Policy, which allows no inline script, need not be loosened.

>>> issue = Violation("image-alt", "critical", "Images must have alternative text", 1,
...                   [Node(("img.logo",), '<img class="logo" src="a.png">')])
>>> issue.serious
True
>>> print(describe([issue]))
image-alt (critical, 1 element): Images must have alternative text
  img.logo  <img class="logo" src="a.png">
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

PROJECT = Path(__file__).parents[2]
PACKAGE = PROJECT / ".tools" / "axe" / "node_modules" / "axe-core"
#: The WCAG 2.0 and 2.1 rules at levels A and AA (issue 12, item 8).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Impacts that fail a page; "minor" and "moderate" ones are reported but tolerated.
FAILING_IMPACTS = ("serious", "critical")
#: How much of an element's HTML a report shows.
SNIPPET = 160

RUN = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({target: n.target.map(String), html: n.html})),
    }));
}"""


class AxeMissing(FileNotFoundError):
    """axe-core is not installed where the tests look for it."""


@dataclass(frozen=True)
class Node:
    """One element a rule failed on: its CSS selector path (one per frame) and its HTML."""

    target: tuple[str, ...]
    html: str


@dataclass(frozen=True)
class Violation:
    """One axe rule failed on a page, with every element that fails it."""

    rule: str
    impact: str
    help: str
    count: int
    nodes: list[Node]

    @property
    def serious(self) -> bool:
        """Whether this violation fails a page (impact serious or critical)."""
        return self.impact in FAILING_IMPACTS

    def selectors(self) -> list[str]:
        """Each failing element's selector, frames joined with ``>>>``."""
        return [" >>> ".join(node.target) for node in self.nodes]


def script_path(package: Path = PACKAGE) -> Path:
    """``axe.min.js`` of the axe-core installed at ``package``, or :class:`AxeMissing` saying
    how to install it."""
    path = package / "axe.min.js"
    if not path.is_file():
        raise AxeMissing(
            f"axe-core is not installed ({path} is missing), so no page can be checked for "
            "accessibility. Install it with `make axe` (`make test` does it too; it needs npm "
            "and the npm registry)."
        )
    return path


def version() -> str:
    """The installed axe-core's version, from its package.json."""
    return json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]


def prepare(context: BrowserContext) -> None:
    """Load axe-core into every page and frame ``context`` opens from now on."""
    context.add_init_script(path=script_path())


def run(page: Page, tags: tuple[str, ...] = WCAG_TAGS) -> list[Violation]:
    """Run axe-core over ``page`` (opened in a :func:`prepare`-d context) for the rules tagged
    ``tags``; the violations, most severe first."""
    found = page.evaluate(RUN, list(tags))
    violations = [
        Violation(
            rule=v["id"],
            impact=v["impact"] or "unknown",
            help=v["help"],
            count=len(v["nodes"]),
            nodes=[Node(tuple(n["target"]), n["html"]) for n in v["nodes"]],
        )
        for v in found
    ]
    order = ("critical", "serious", "moderate", "minor")
    return sorted(violations, key=lambda v: (_rank(order, v.impact), v.rule))


def _rank(order: tuple[str, ...], impact: str) -> int:
    return order.index(impact) if impact in order else len(order)


def describe(violations: list[Violation], limit: int = 5) -> str:
    """The violations as text for an assertion message: rule, impact, count and what it checks,
    then up to ``limit`` elements each with its selector and a short HTML snippet."""
    lines = []
    for v in violations:
        plural = "element" if v.count == 1 else "elements"
        lines.append(f"{v.rule} ({v.impact}, {v.count} {plural}): {v.help}")
        for node, selector in list(zip(v.nodes, v.selectors(), strict=True))[:limit]:
            html = " ".join(node.html.split())
            if len(html) > SNIPPET:
                html = html[: SNIPPET - 1] + "…"
            lines.append(f"  {selector}  {html}")
        if v.count > limit:
            lines.append(f"  … and {v.count - limit} more")
    return "\n".join(lines)


def markdown_report(results: dict[str, list[Violation] | str], title: str) -> str:
    """A Markdown report of every page's violations (all impacts), or why a page was not
    checked: one table a page of rule, impact, count and the failing elements' selectors."""
    lines = [f"# {title}", "", f"axe-core {version()}, rules tagged {', '.join(WCAG_TAGS)}.", ""]
    for page, found in results.items():
        lines.append(f"## `{page}`")
        lines.append("")
        if isinstance(found, str):
            lines += [f"Not checked: {found}", ""]
            continue
        if not found:
            lines += ["No violation.", ""]
            continue
        failing = sum(v.serious for v in found)
        lines.append(f"{failing} serious or critical rule(s), {len(found) - failing} other(s).")
        lines += ["", "| rule | impact | count | selectors |", "|---|---|---|---|"]
        for v in found:
            selectors = ", ".join(f"`{s}`" for s in v.selectors()[:8])
            if v.count > 8:
                selectors += f" … (+{v.count - 8})"
            lines.append(
                f"| {v.rule} | {v.impact} | {v.count} | {selectors.replace('|', '&#124;')} |"
            )
        lines.append("")
    return "\n".join(lines)
