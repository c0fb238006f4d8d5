"""Run the load test: the production server, locust headless against it, a report, a verdict.

    python loadtest/run.py                      # 50 clients for 60 s, as `make load` runs it
    python loadtest/run.py --users 10 --duration 5 --report /tmp/REPORT.md

Starts ``corridor-atlas serve`` (granian, one worker) on a free loopback port over the committed
geodata (or ``--data-dir``), waits for /healthz, runs locust headless with
``loadtest/locustfile.py`` for a bounded time, stops both, and writes a Markdown report:
requests per second and p50/p99 per endpoint, and the machine. Exits 1 if any request failed
(an error, a status other than 200, a wrong media type), if an endpoint of the mix got no
request, if the server logged an exception, or if locust itself failed; the report says which.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A script, not a package: its neighbours (mix.py) and the project (tests.support) by path.
sys.path[:0] = [str(HERE), str(HERE.parent)]
from mix import ENDPOINTS  # noqa: E402

from tests.support.harness import counted_percentile, free_port, machine, wait_until_up  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Row:
    """One endpoint's figures: counts, requests per second, response times in ms."""

    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p99: float
    max: float


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(histogram: dict[str, int], fraction: float) -> float:
    """The response time (ms) at or below which ``fraction`` of the requests fall, from
    locust's histogram (milliseconds as text -> count); 0 for an endpoint never asked."""
    counts: Counter[float] = Counter()
    for time_ms, count in histogram.items():
        counts[float(time_ms)] += count
    return counted_percentile(counts, fraction) if counts.total() else 0.0


def rows_from(stats: list[dict]) -> tuple[list[Row], float]:
    """Per-endpoint rows and the aggregate (last), from locust's ``--json-file`` output."""
    active = [s for s in stats if s["num_requests"]]
    started = min((s["start_time"] for s in active), default=0.0)
    ended = max((s["last_request_timestamp"] for s in active), default=0.0)
    seconds = max(ended - started, 1e-9)
    everything: dict[str, int] = {}
    rows = []
    for s in sorted(stats, key=lambda s: s["name"]):
        histogram = s["response_times"]
        for time_ms, count in histogram.items():
            everything[time_ms] = everything.get(time_ms, 0) + count
        rows.append(_row(s["name"], s["num_requests"], s["num_failures"], histogram, seconds))
    total = _row(
        "All endpoints",
        sum(r.requests for r in rows),
        sum(r.failures for r in rows),
        everything,
        seconds,
    )
    return [*rows, total], seconds


def _row(name: str, requests: int, failures: int, histogram: dict, seconds: float) -> Row:
    slowest = max((float(t) for t in histogram), default=0.0)
    return Row(
        name,
        requests,
        failures,
        requests / seconds,
        percentile(histogram, 0.50),
        percentile(histogram, 0.99),
        slowest,
    )


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


def write_report(path: Path, args: argparse.Namespace, facts: dict, rows: list[Row]) -> None:
    problems = facts["problems"]
    verdict = "PASS" if not problems else "FAIL"
    total = rows[-1] if rows else Row("All endpoints", 0, 0, 0.0, 0.0, 0.0, 0.0)
    lines = [
        "# Load test report",
        "",
        f"Written by `loadtest/run.py` (`make load`) on {facts['when']}.",
        "",
        f"- **Result: {verdict}** — {total.requests} requests, {total.failures} failed, "
        f"{total.rps:.0f} requests/s over {facts['seconds']:.1f} s.",
        f"- Machine: {machine()}.",
        f"- Server: granian (one worker) as `corridor-atlas serve` starts it, on 127.0.0.1, over "
        f"{facts['data']} (build {facts['build_id'][:12]}, "
        f"{facts['features']} features, {facts['sources']} sources).",
        f"- Load: locust {locust_version()} headless on the same machine, {args.users} users "
        f"spawned at {args.spawn_rate:g}/s for {args.duration} s, each asking again as soon "
        "as answered (no think time), accepting gzip; a request fails unless it is a 200 "
        "with the endpoint's media type and a body.",
        "- Mix (weights in `loadtest/mix.py`): "
        + ", ".join(f"`{name}` {e.weight}%" for name, e in ENDPOINTS.items())
        + ".",
        "",
        "| Endpoint | Requests | Failures | Requests/s | p50 (ms) | p99 (ms) | max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = f"**{row.name}**" if row is total else f"`{row.name}`"
        lines.append(
            f"| {name} | {row.requests} | {row.failures} | {row.rps:.1f} | {row.p50:.0f} "
            f"| {row.p99:.0f} | {row.max:.0f} |"
        )
    lines += ["", "Percentiles are locust's (response times bucketed to two significant digits)."]
    if problems:
        lines += ["", "## Problems", "", *(f"- {p}" for p in problems)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(args: argparse.Namespace, workdir: Path) -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(BIN / "corridor-atlas"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.data_dir:
        command += ["--data-dir", str(args.data_dir)]
    server_log = workdir / "server.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        health = json.loads(wait_until_up(f"{url}/healthz", 90.0, server).body)
        locust = run_locust(args, url, workdir)
    finally:
        stop(server)
    stats_file = workdir / "stats.json"
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else []
    rows, seconds = rows_from(stats)
    log_text = server_log.read_text(encoding="utf-8", errors="replace")
    problems = find_problems(locust, rows, log_text)
    facts = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": seconds,
        "data": args.data_dir or "the committed geodata",
        "build_id": health["build_id"],
        "features": health["features"]["total"],
        "sources": health["sources"],
        "problems": problems,
    }
    write_report(args.report, args, facts, rows)
    print(args.report.read_text(encoding="utf-8"))
    return 1 if problems else 0


def run_locust(args: argparse.Namespace, url: str, workdir: Path) -> subprocess.CompletedProcess:
    command = [
        str(BIN / "locust"),
        "-f",
        str(args.locustfile),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--host",
        url,
        "--json-file",
        str(workdir / "stats"),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "1",
        "--loglevel",
        "WARNING",
    ]
    return subprocess.run(
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=args.duration + 180,
        check=False,
    )


def find_problems(
    locust: subprocess.CompletedProcess, rows: list[Row], server_log: str
) -> list[str]:
    problems = []
    if locust.returncode != 0:
        output = (locust.stdout + locust.stderr).strip().splitlines()
        errors = [line for line in output if "Error" in line or "failure" in line.lower()]
        detail = "; ".join(errors[-10:]) or "\n".join(output[-20:])
        problems.append(f"locust exited with status {locust.returncode}: {detail}")
    for row in rows[:-1]:
        if row.failures:
            problems.append(f"`{row.name}`: {row.failures} of {row.requests} requests failed")
    asked = {row.name for row in rows if row.requests}
    problems += [f"`{name}` got no request" for name in ENDPOINTS if name not in asked]
    if "Traceback" in server_log or "Exception" in server_log:
        problems.append("the server logged an exception:\n\n```\n" + server_log[-3000:] + "\n```")
    return problems


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--data-dir", type=Path, help="default: the committed geodata")
    parser.add_argument("--report", type=Path, default=HERE / "REPORT.md")
    parser.add_argument("--locustfile", type=Path, default=HERE / "locustfile.py")
    parser.add_argument("--workdir", type=Path, help="keep locust's and the server's output here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="atlas-load-") as workdir:
        return run(args, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
