"""
The README works as written: ``make run`` (on free ports, a throwaway ``VAR_DIR``, nothing else
set) serves the demo, then every command block of the README runs in order, as printed but for
the port and its ``<...>`` placeholders (filled from what ``seed_demo`` printed), and answers what
the README says. ``seed_demo``'s own hints run as printed too.

Only child processes: the served demo has its own SQLite file (no ``db`` fixture), and every
process is ended with its process group, whatever the outcome.
"""

import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.partner_server import free_port

pytestmark = [pytest.mark.documentation, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_SITE = "http://127.0.0.1:8000"
# Blocks that are not run: they start the site or the suite (this test does the former itself,
# with `make run`), or need a PostgreSQL server the README's reader has.
NOT_RUN = (
    "make run     # install what is missing",
    "export DATABASE_URL=postgres://",
)
SERVE_DEADLINE = 150  # seconds for make run to migrate, seed and serve
COMMAND_TIMEOUT = 60
KEY_LINE = re.compile(r"^  (Demo [\w ]+) \(\w+\): (\w+\.\S+)$", re.MULTILINE)


def readme_blocks():
    """
    The README's ``` blocks of commands, as lists of lines without their indentation; a block
    fenced as ```text is a picture, not commands.
    """
    blocks, block, indent, picture = [], None, "", False
    for line in README.read_text().splitlines():
        fence = re.match(r"^(\s*)```(\w*)", line)
        if fence and block is None:
            block, indent, picture = [], fence.group(1), fence.group(2) == "text"
        elif fence:
            if not picture:
                blocks.append(block)
            block = None
        elif block is not None:
            block.append(line.removeprefix(indent))
    return blocks


def commands(block):
    """(command, expected answer or None) for each command of a block; `# {...}` is an answer."""
    found, pending = [], ""
    for line in block:
        if line.startswith("# {"):
            found[-1] = (found[-1][0], line.removeprefix("# "))
        elif line.startswith("#"):
            continue
        elif line.endswith("\\"):
            pending += line[:-1]
        else:
            found.append((pending + line, None))
            pending = ""
    return found


def matches(expected, actual):
    """Equal, where a string ending in "..." in the README stands for any with that start."""
    if isinstance(expected, str) and expected.endswith("..."):
        return isinstance(actual, str) and actual.startswith(expected[:-3])
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(matches(value, actual[key]) for key, value in expected.items())
        )
    return expected == actual


def environment(var_dir):
    """A newcomer's shell: none of the suite's settings, the demo's VAR_DIR."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        and not name.startswith(("PORTAL_USER", "DJANGO_SUPERUSER", "API_KEY"))
    }
    return {**env, "VAR_DIR": str(var_dir), "WEB_CONCURRENCY": "1", "PYTHONUNBUFFERED": "1"}


class Demo:
    def __init__(self, var_dir, port, simulator_port, provider_port):
        self.var_dir, self.port, self.simulator_port = var_dir, port, simulator_port
        self.provider_port = provider_port
        self.url = f"http://127.0.0.1:{port}"
        self.env = environment(var_dir)
        self.log = var_dir / "make-run.log"
        self.process = None

    def start(self):
        # make run installs what is missing: the suite must not rebuild the environment it runs in.
        current = subprocess.run(["make", "-q", "install"], cwd=ROOT, env=self.env)  # noqa: S607
        assert current.returncode == 0, "The environment is out of date: run `make install` first."
        # make from PATH, as the README has the reader run it.
        command = [
            "make", "run", f"PORT={self.port}", f"SIMULATOR_PORT={self.simulator_port}",
            f"PROVIDER_PORT={self.provider_port}",
        ]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + SERVE_DEADLINE
        while not (self.answers(f"{self.url}/healthz") and self.listening()):
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.5)
        return self

    def answers(self, url):
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def listening(self):
        output = self.output()
        return (
            f"simulated CPO listening on http://127.0.0.1:{self.simulator_port}/oioi" in output
            and f"listening on http://127.0.0.1:{self.provider_port}/oioi" in output
        )

    def output(self):
        return self.log.read_text()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def run(self, command):
        """One command in bash, in the checkout, as the reader's shell runs it."""
        return subprocess.run(  # noqa: S603
            ["/bin/bash", "-c", command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    served = Demo(tmp_path_factory.mktemp("readme"), free_port(), free_port(), free_port())
    try:
        yield served.start()
    finally:
        served.stop()
        # Nothing of the demo is left running.
        assert served.process.poll() is not None


def substituted(command, demo, keys, printed):
    """The command with the demo's port and the values its placeholders name."""
    command = command.replace(README_SITE, demo.url)
    values = {
        "<the key seed_demo or issue-key printed>": keys["Demo CPO"],
        "<Demo EMP key>": keys["Demo EMP"],
        # The prefix of the key the previous issue-key printed on its last line.
        "<prefix>": printed.get("key", "").partition(".")[0],
        "<a password>": f"A-{secrets.token_urlsafe(12)}",
    }
    for placeholder, value in values.items():
        command = command.replace(placeholder, value)
    assert not re.search(r"<[a-z][^>]*>", command), f"placeholder left in: {command}"
    return command


def assert_answers(demo, command, expected):
    result = demo.run(command)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    if expected is not None:
        assert matches(json.loads(expected), json.loads(result.stdout)), (command, result.stdout)
    if command.startswith("curl "):
        # The README's requests are all ones that succeed.
        assert json.loads(result.stdout)["result"]["code"] == 0, (command, result.stdout)
    return result


def oioi_status(demo, key):
    answer = httpx.post(
        f"{demo.url}/api/v4/request",
        headers={"Authorization": f"key={key}"},
        json={"api-minimum-version-number": {}},
        timeout=30,
    )
    return answer.status_code


def test_readme_commands_run_as_written(demo):
    seeded = demo.output()
    keys = dict(KEY_LINE.findall(seeded))
    assert {"Demo CPO", "Demo EMP"} <= keys.keys(), seeded
    # Every address seed_demo printed follows the ports make run was given.
    printed_urls = set(re.findall(r"http://[\w.]+:\d+", seeded))
    assert printed_urls == {
        demo.url,
        f"http://127.0.0.1:{demo.simulator_port}",
        f"http://127.0.0.1:{demo.provider_port}",
    }, printed_urls

    blocks = readme_blocks()
    assert len(blocks) >= 6
    run, printed = 0, {}
    for block in blocks:
        text = "\n".join(block)
        if any(marker in text for marker in NOT_RUN):
            continue
        for command, expected in commands(block):
            result = assert_answers(demo, substituted(command, demo, keys, printed), expected)
            if " partner issue-key " in command:
                printed["key"] = result.stdout.splitlines()[-1]
                assert oioi_status(demo, printed["key"]) == 200
            run += 1
    # The first request, remote start and stop, onboarding, charging keys, a portal user.
    assert run >= 9
    # "refused from the next request on": the key the onboarding block revoked.
    assert oioi_status(demo, printed["key"]) == 401


def test_seed_demo_hints_run_as_printed(demo):
    seeded = demo.output()
    keys = dict(KEY_LINE.findall(seeded))
    curls = [line.strip() for line in seeded.splitlines() if line.startswith("  curl -s ")]
    assert len(curls) == 3, seeded
    for command in curls:
        assert_answers(demo, command.replace("<Demo EMP key>", keys["Demo EMP"]), None)

    # The demo partner without a key is told how to get one; the command works as printed.
    hint = re.search(r"Demo Fleet \(fleet\): none yet; for the REST API: (.+)$", seeded, re.M)
    issued = demo.run(hint.group(1))
    assert issued.returncode == 0, issued.stderr
    fleet_key = issued.stdout.splitlines()[-1]
    answer = httpx.get(
        f"{demo.url}/api/v1/cdrs/", headers={"Authorization": f"key={fleet_key}"}, timeout=30
    )
    assert answer.status_code == 200
    assert shlex.split(hint.group(1))[0] == ".venv/bin/python"
