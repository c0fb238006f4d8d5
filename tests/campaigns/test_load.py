"""The load-test harness itself: a short run of ``loadtest/run.py`` passes, a broken one fails.

``make load`` runs 50 clients for 60 s; here 10 clients for 5 s prove the runner starts the
real server (``corridor-atlas serve``), drives every endpoint of the mix through locust, gets
no error and writes its report, and that it fails, saying why, when requests fail.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "loadtest" / "run.py"
BROKEN_LOCUSTFILE = """
from locust import FastHttpUser, constant, task


class Lost(FastHttpUser):
    wait_time = constant(0.1)

    @task
    def missing(self):
        self.client.get("/no-such-page")
"""


def run_load(tmp_path: Path, data_dir: Path, *args: str) -> tuple[int, str, str]:
    """Run the runner; its exit status, its output and the report it wrote."""
    report = tmp_path / "REPORT.md"
    options = ["--data-dir", str(data_dir), "--report", str(report)]
    result = subprocess.run(
        [sys.executable, str(RUNNER), *options, "--workdir", str(tmp_path / "work"), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    return result.returncode, result.stdout + result.stderr, text


def report_rows(report: str) -> dict[str, list[str]]:
    """Endpoint name -> its cells (requests, failures, req/s, p50, p99, max)."""
    rows = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"\d+", cells[1]):
            rows[cells[0].strip("`*")] = cells[1:]
    return rows


@pytest.fixture(scope="module")
def mix() -> Iterator[ModuleType]:
    """loadtest/mix.py, imported from its file (loadtest/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("loadtest_mix", ROOT / "loadtest" / "mix.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_short_load_run_has_no_error_and_reports_every_endpoint(tmp_path, built_data_dir, mix):
    status, output, report = run_load(
        tmp_path, built_data_dir, "--users", "10", "--spawn-rate", "10", "--duration", "5"
    )
    assert status == 0, output
    assert "**Result: PASS**" in report
    assert "CPUs" in report and "locust" in report
    rows = report_rows(report)
    assert set(rows) == {*mix.ENDPOINTS, "All endpoints"}
    for name, (requests, failures, rps, p50, p99, _) in rows.items():
        assert int(requests) > 0 and int(failures) == 0, name
        assert float(rps) > 0 and 0 <= float(p50) <= float(p99), name
    assert int(rows["All endpoints"][0]) > 100
    server_log = (tmp_path / "work" / "server.log").read_text(encoding="utf-8")
    assert "Traceback" not in server_log


def test_the_runner_fails_when_requests_fail(tmp_path, built_data_dir):
    locustfile = tmp_path / "broken.py"
    locustfile.write_text(BROKEN_LOCUSTFILE, encoding="utf-8")
    status, output, report = run_load(
        tmp_path,
        built_data_dir,
        *("--users", "2", "--spawn-rate", "2", "--duration", "2"),
        *("--locustfile", str(locustfile)),
    )
    assert status == 1, output
    assert "**Result: FAIL**" in report
    requests, failures, *_ = report_rows(report)["/no-such-page"]
    assert int(failures) == int(requests) > 0
    assert "`/no-such-page`: " in report and "got no request" in report


def test_the_mix_examples_hold(mix):
    assert doctest.testmod(mix).failed == 0
    assert sum(endpoint.weight for endpoint in mix.ENDPOINTS.values()) == 100
