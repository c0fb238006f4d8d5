"""bench/RESULTS.md: the machine, then one table of every figure beside its reference."""

from __future__ import annotations

import contextlib
import importlib.metadata
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.limits import limits
from bench.tools import Row
from tests.support import harness


def _first_line(args: Sequence[str]) -> str:
    with contextlib.suppress(OSError, IndexError, subprocess.TimeoutExpired):
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=20)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    return "not found"


def machine() -> dict[str, str]:
    """What the figures were measured on: the harness's machine facts, and the versions of
    the programs measured or measured against."""

    def version(package: str) -> str:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        **harness.machine().as_dict(),
        "Chromium": _first_line([harness.chromium_executable(), "--version"]),
        "nginx": _first_line(["nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]),
        "waitress / granian": f"{version('waitress')} / {version('granian')}",
    }


def _number(value: float, digits: int) -> str:
    if value != value:  # NaN
        return "–"
    return f"{value:,.{digits}f}"


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio != ratio:
        return "–"
    return f"{ratio:.3g}×" if ratio < 100 else f"{ratio:,.0f}×"


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| Benchmark | Measure | Atlas | Reference | Reference value | Ratio | Target | Met |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(
            f"| {row.section} | {row.what} | {_number(row.value, row.digits)} | {row.reference} "
            f"| {_number(row.reference_value, row.digits)} | {_ratio(row)} | {row.target} "
            f"| {met} |"
        )
    return lines


def write_results(
    path: Path,
    rows: Sequence[Row],
    described: dict[str, str],
    timings: dict[str, float],
    total_s: float,
    memory: Sequence[str] = (),
    failures: Sequence[str] = (),
) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    missed = limits(rows)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`python -m bench.run`) on {when}, in {total_s / 60:.1f} "
        "minutes. Every figure was measured in that run beside its reference; the ratio is "
        "figure / reference. How each is measured: the docstrings of `bench/*.py`.",
        "",
        "## Machine",
        "",
        *[f"- {name}: {value}" for name, value in described.items()],
        "",
        "## Results",
        "",
        *[f"**Failed**: {failure}" for failure in failures],
        *table(rows),
        "",
        *(["## Targets missed, and what limits them", "", *missed, ""] if missed else []),
        *(["## Where the server's memory goes", "", *memory, ""] if memory else []),
        "## Time per benchmark",
        "",
        *[f"- {name}: {seconds:.0f} s" for name, seconds in timings.items()],
        "",
    ]
    path.write_text("\n".join(lines) + _evaluation_kept(path), encoding="utf-8")


#: Where ``make eval`` puts its section in RESULTS.md; ``make bench`` keeps what lies between.
EVAL_MARKERS = ("<!-- eval:start -->", "<!-- eval:end -->")


def _evaluation_kept(path: Path) -> str:
    """The evaluation section ``make eval`` wrote into the previous file, kept as it was."""
    start, end = EVAL_MARKERS
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    if start not in previous or end not in previous:
        return ""
    return "\n" + previous[previous.index(start) : previous.index(end) + len(end)] + "\n"
