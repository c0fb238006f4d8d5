"""Property-based fuzzing of every operation of the OpenAPI document, against a live server.

Schemathesis reads /api/openapi.json as a real waitress server answers it and sends generated
requests to every operation in it: boundary and unusual values of each parameter (coverage
phase), random valid and invalid queries (fuzzing phase, positive and negative), and chains of
requests along the links it infers (stateful phase). Every check applies (``--checks all``):
no 5xx, status codes, content types, headers and bodies exactly as the document declares them,
invalid data refused with a 4xx, valid data accepted, 405 with ``Allow`` for undeclared methods.

Schemathesis runs through its command line, in a subprocess: the stable interface, and the
one that runs all four phases (its lazy pytest loader relies on pytest internals that pytest
9.2 no longer has). The schema is given as a file, not a URL, since a schema loaded from a
URL leaves out the operation that serves it. The seed is fixed, so a failure reproduces; a
WSGI wrapper around the app counts the requests the server actually answered.

``make fuzz`` runs a much longer campaign: ``ATLAS_FUZZ_EXAMPLES`` (cases per operation and
phase, default 60) and ``ATLAS_FUZZ_SEEDS`` (comma-separated, default ``1``) scale it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.harness import running
from webapp.server import make_server

EXAMPLES = int(os.environ.get("ATLAS_FUZZ_EXAMPLES", "60"))
SEEDS = tuple(int(seed) for seed in os.environ.get("ATLAS_FUZZ_SEEDS", "1").split(","))
#: What the normal test run must send at the least (the issue asks for 1,000).
MIN_REQUESTS = 1_000
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LiveServer:
    """A waitress server in a thread; ``answers`` holds (method, path, status) of each request."""

    url: str
    answers: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Run:
    """One schemathesis run: its seed, its JSON report and what it printed."""

    seed: int
    report: dict[str, Any]
    output: str
    exit_code: int
    answers: list[tuple[str, str, int]]


@pytest.fixture(scope="module")
def server(built_data_dir: Path) -> Iterator[LiveServer]:
    waitress = make_server(built_data_dir, host="127.0.0.1", port=0)
    live = LiveServer(url=f"http://127.0.0.1:{waitress.effective_port}")
    application = waitress.application

    def recording(environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")

        def start(status, headers, exc_info=None):
            live.answers.append((method, path, int(status[:3])))
            return start_response(status, headers, exc_info)

        try:
            return application(environ, start)
        except Exception:  # waitress would answer 500: count it as one
            live.answers.append((method, path, 500))
            raise

    waitress.application = recording
    with running(waitress):
        yield live


@pytest.fixture(scope="module")
def document(server: LiveServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/api/openapi.json", timeout=30) as response:
        return json.load(response)


def run_schemathesis(server: LiveServer, schema: Path, seed: int, workdir: Path) -> Run:
    """Fuzz every operation of ``schema`` with one seed; the requests it caused are counted."""
    report = workdir / f"report-{seed}.json"
    command = [
        str(SCHEMATHESIS),
        "run",
        str(schema),
        f"--url={server.url}",
        "--checks=all",
        "--mode=all",
        f"--seed={seed}",
        f"--max-examples={EXAMPLES}",
        "--workers=1",
        "--generation-database=none",
        "--report=json",
        f"--report-json-path={report}",
        "--no-color",
    ]
    first = len(server.answers)
    hooks = {"SCHEMATHESIS_HOOKS": "tests.campaigns.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        command,
        cwd=workdir,  # schemathesis keeps caches in the working directory
        env={**os.environ, **hooks},
        capture_output=True,
        text=True,
        timeout=60 + EXAMPLES * 20,
        check=False,
    )
    assert report.exists(), f"schemathesis wrote no report:\n{result.stdout}\n{result.stderr}"
    return Run(
        seed=seed,
        report=json.loads(report.read_text(encoding="utf-8")),
        output=result.stdout + result.stderr,
        exit_code=result.returncode,
        answers=server.answers[first:],
    )


@pytest.fixture(scope="module")
def campaign(
    server: LiveServer, document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> list[Run]:
    """The whole campaign, one schemathesis run per seed, shared by the tests below."""
    workdir = tmp_path_factory.mktemp("fuzz")
    schema = workdir / "openapi.json"
    schema.write_text(json.dumps(document), encoding="utf-8")
    runs = [run_schemathesis(server, schema, seed, workdir) for seed in SEEDS]
    print_summary(runs)
    return runs


def print_summary(runs: list[Run]) -> None:
    """Counts per seed (shown with ``pytest -s``, as ``make fuzz`` runs it)."""
    print(f"\nschemathesis campaign: {EXAMPLES} examples per operation and phase")
    for run in runs:
        statuses = Counter(f"{status // 100}xx" for _, _, status in run.answers)
        print(
            f"  seed {run.seed}: {run.report['test_cases']['generated']} test cases, "
            f"{len(run.answers)} requests answered ({dict(sorted(statuses.items()))}), "
            f"{len(run.report['failures'])} failures, {run.report['running_time']:.0f} s"
        )
    total = sum(len(run.answers) for run in runs)
    print(f"  total: {total} requests")


def tail(run: Run, lines: int = 120) -> str:
    return "\n".join(run.output.splitlines()[-lines:])


def test_schemathesis_finds_no_failure(campaign: list[Run]):
    for run in campaign:
        report = run.report
        assert report["failures"] == [], f"seed {run.seed}:\n{tail(run)}"
        assert report["errors"] == [], f"seed {run.seed}:\n{tail(run)}"
        assert report["test_cases"]["with_failures"] == 0, tail(run)
        assert report["complete"] and report["stop_reason"] == "completed", tail(run)
        assert run.exit_code == 0, tail(run)


def test_every_phase_ran_and_raised_no_warning(campaign: list[Run]):
    for run in campaign:
        phases = run.report["phases"]
        # The document has no examples to replay; the other three phases must all run.
        for phase in ("coverage", "fuzzing", "stateful"):
            assert phases[phase]["status"] == "success", (phase, phases[phase], tail(run))
        warnings = {name: found for name, found in run.report["warnings"].items() if found}
        assert warnings == {}, tail(run)


def test_every_operation_of_the_document_is_fuzzed(campaign: list[Run], document):
    operations = {f"GET {path}" for path in document["paths"]}
    assert len(operations) >= 20
    for run in campaign:
        counts = run.report["operations"]
        assert counts["tested"] == counts["selected"] == counts["total"] == len(operations)
        rates = run.report["valid_rates"]
        assert set(rates) == operations
        for operation, phases in rates.items():
            # Valid requests were generated and accepted for each operation, in both phases.
            for phase in ("coverage", "fuzzing"):
                assert phases[phase]["accepted"] > 0, (operation, phase, phases)
                assert phases[phase]["rejected"] == 0, (operation, phase, phases)


def _operation_of(path: str, templates: list[tuple[str, re.Pattern[str]]]) -> str | None:
    for template, pattern in templates:
        if pattern.fullmatch(path):
            return template
    return None


def test_every_operation_answered_generated_requests(campaign: list[Run], document):
    templates = [
        (path, re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))))
        for path in document["paths"]
    ]
    answered: Counter[tuple[str | None, int]] = Counter()
    for run in campaign:
        for _, path, status in run.answers:
            answered[_operation_of(path, templates), status // 100] += 1
    for path in document["paths"]:
        assert answered[path, 2] > 0, f"no 2xx answer from {path}"
    # Invalid queries and unknown ids reached the server and were refused with a 4xx.
    for path in ("/api/features", "/ogc/collections/{collectionId}/items"):
        assert answered[path, 4] > 0, f"no 4xx answer from {path}"


def test_over_a_thousand_requests_and_no_server_error(campaign: list[Run]):
    answers = [answer for run in campaign for answer in run.answers]
    assert len(answers) >= MIN_REQUESTS * len(campaign), len(answers)
    assert sum(run.report["test_cases"]["generated"] for run in campaign) >= MIN_REQUESTS
    server_errors = [answer for answer in answers if answer[2] >= 500]
    assert server_errors == []


# --- The HTML pages, which the document does not describe ----------------------------------

PAGE_PATHS = ("/", "/embed", "/features", "/features/{}", "/sources", "/sources/{}", "/data")
QUERY_NAMES = ("kind", "category", "country", "status", "sort", "order", "focus", "only", "q")
KNOWN_VALUES = ("site", "corridor", "UZ", "uz,kz", "name", "length", "desc", "planned", "")


def _segment() -> st.SearchStrategy[str]:
    """A path segment: a real feature id or source slug, or any text or bytes, encoded."""
    text = st.text(max_size=40).map(lambda s: quote(s, safe=""))
    raw = st.binary(max_size=40).map(lambda b: quote_from_bytes(b, safe=""))
    real = st.sampled_from(("bekabad-industrial-park", "000_671c4ac208bcfce0"))
    return st.one_of(real, text, raw)


def _query() -> st.SearchStrategy[str]:
    """A query string of known and unknown names and values, some of them not UTF-8."""
    name = st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=10))
    value = st.one_of(st.sampled_from(KNOWN_VALUES), st.text(max_size=60))
    pairs = st.lists(st.tuples(name, value), max_size=5).map(urlencode)
    raw = st.binary(max_size=30).map(lambda b: "sort=" + quote_from_bytes(b))
    return st.one_of(pairs, raw)


@pytest.fixture(scope="module")
def pages_client(built_data_dir: Path):
    from webapp import create_app

    return create_app({"DATA_DIR": built_data_dir}).test_client()


@settings(max_examples=1000, derandomize=True, database=None, deadline=None)
@given(
    template=st.sampled_from(PAGE_PATHS),
    segment=_segment(),
    query=_query(),
)
def test_pages_answer_any_path_and_query_without_a_server_error(
    pages_client, template, segment, query
):
    path = template.format(segment)
    response = pages_client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, query, response.status_code)
    assert response.status_code in (200, 400, 404), (path, query, response.status_code)
    assert response.mimetype == "text/html", (path, query, response.mimetype)
