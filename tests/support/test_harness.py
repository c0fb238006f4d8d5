"""The harness the tests, bench/ and loadtest/ share: real servers, processes and Chromium."""

from __future__ import annotations

import random
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest
from waitress.server import create_server

from tests.support import harness, live


def hello(environ: dict, start_response) -> list[bytes]:
    """A WSGI app: 200 "hello" at /, 404 elsewhere."""
    found = environ["PATH_INFO"] == "/"
    start_response("200 OK" if found else "404 Not Found", [("Content-Type", "text/plain")])
    return [b"hello" if found else b"no"]


@pytest.fixture
def hello_url() -> Iterator[str]:
    with harness.running(create_server(hello, host="127.0.0.1", port=0)) as url:
        yield url


def test_running_serves_until_the_block_ends(hello_url):
    with urllib.request.urlopen(hello_url + "/", timeout=5) as response:
        assert response.read() == b"hello"


def test_running_closes_the_server_afterwards():
    with harness.running(create_server(hello, host="127.0.0.1", port=0)) as url:
        port = int(url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_wait_until_up_returns_the_first_200_and_when(hello_url):
    answer = harness.wait_until_up(hello_url + "/", timeout=5)
    assert answer.body == b"hello"
    assert 0 <= answer.seconds < 5


def test_an_error_status_is_not_up(hello_url):
    with pytest.raises(TimeoutError, match="did not answer 200 within"):
        harness.wait_until_up(hello_url + "/missing", timeout=0.3)


def test_nothing_listening_times_out():
    url = f"http://127.0.0.1:{harness.free_port()}/"
    with pytest.raises(TimeoutError, match=re.escape(url)):
        harness.wait_until_up(url, timeout=0.3)


def test_a_server_that_exits_is_reported_at_once():
    exited = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    exited.wait(timeout=30)
    url = f"http://127.0.0.1:{harness.free_port()}/"
    with pytest.raises(harness.ServerExited, match="exited with status 3 before answering"):
        harness.wait_until_up(url, timeout=30, process=exited)


def test_a_free_port_can_be_bound():
    with socket.socket() as server:
        server.bind(("127.0.0.1", harness.free_port()))


def brute_force_percentile(values: list[float], fraction: float) -> float:
    """The definition, spelled out: the least value with ``fraction`` of them at or below it."""
    return min(v for v in values if sum(x <= v for x in values) >= fraction * len(values))


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([15, 20, 35, 40, 50], 0.05, 15),
        ([15, 20, 35, 40, 50], 0.3, 20),
        ([15, 20, 35, 40, 50], 1.0, 50),
        (list(range(1, 11)), 0.5, 5),  # p * n whole: the rank is p * n, not one past it
        (list(range(1, 21)), 0.95, 19),  # 0.95 * 20 is 18.999… in floating point
        ([7, 7, 7, 1], 0.25, 1),
        ([3.5], 0.99, 3.5),
    ],
)
def test_percentile_is_the_nearest_rank(values, fraction, expected):
    assert harness.percentile(values, fraction) == expected


def test_percentile_agrees_with_its_definition():
    rng = random.Random(20261122)
    for _ in range(300):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 30))]
        fraction = rng.choice([0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0, rng.random() or 0.5])
        assert harness.percentile(values, fraction) == brute_force_percentile(values, fraction)


def test_a_histogram_gives_what_its_values_give():
    histogram = {12.0: 3, 5.0: 0, 80.0: 2, 40.0: 5}
    values = [v for v, count in histogram.items() for _ in range(count)]
    for fraction in (0.1, 0.3, 0.5, 0.8, 0.81, 0.99, 1.0):
        assert harness.counted_percentile(histogram, fraction) == harness.percentile(
            values, fraction
        )


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5, 95])
def test_a_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match=r"0\.95 for p95"):
        harness.percentile([1, 2, 3], fraction)


def test_machine_facts_name_what_a_report_needs():
    facts = harness.machine()
    assert set(facts.as_dict()) == {"CPUs", "CPU", "memory", "OS", "Python"}
    assert sys.version.startswith(facts.python + " ")
    assert facts.memory_gib > 0
    assert str(facts).startswith(f"{facts.cpus} CPUs (nproc {facts.usable_cpus})")


def test_a_missing_chromium_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(harness.ChromiumMissing, match="apt-get install chromium"):
        harness.chromium_executable()
    with (
        pytest.raises(pytest.fail.Exception, match="apt-get install chromium"),
        live.launched_chromium(),
    ):
        pass


@pytest.mark.browser
def test_chromium_launches_headless_with_the_shared_flags():
    with harness.launched_chromium() as browser:
        page = browser.new_page()
        assert "HeadlessChrome" in page.evaluate("navigator.userAgent")
        page.close()
