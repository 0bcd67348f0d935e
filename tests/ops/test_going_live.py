"""docs/going-live.md, followed step by step in a fresh virtual environment, reaches a daemon cycle.

A newcomer's path: a virtual environment with crm-bridge installed from this checkout (the way
section 2 installs it), the sandbox of section 1 with a Perfex token that holds exactly the
permissions section 3 lists for the chosen direction, `crm-bridge init` and the edits sections
1 and 2 name (the service's paths included, mapped into a folder of the test), then section 5
in its order (`check`, `backfill --dry-run`, `backfill`, `audit`, `report latest --failed`) and
the daemon under the command line, environment and working directory of the unit section 6
installs, stopped with SIGTERM after its first cycle. Anything the guide does not say is not
done here. The permission table, the config lines and the service's folders are read from the
guide itself, so a wrong row or a missing step fails this test, in each of the three
directions.

The environment is built without reaching the network where the machine allows it: the
project's dependencies come from this interpreter's site-packages, and the project is built
without build isolation when the installed build backend can; otherwise pip fetches the backend
from its configured index, as the `pip install` of the project before the tests did.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "going-live.md").read_text(encoding="utf-8")
# What `pip install /path/to/a/source/checkout` needs of the checkout.
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "bridge", "mappings", "state")
DIRECTION = "perfex_to_onlyoffice"  # what `crm-bridge init` writes
STEP_SECONDS = 120


# -- the guide, read ----------------------------------------------------------------------


def permissions_for(direction: str, perfex_module: str = "2") -> list[tuple[str, str]]:
    """The (feature, capability) pairs section 3's table lists for `direction`: everything
    "always", "optional" or "only check" needs, and what the written side needs. On module
    2.x a `common` feature cannot be granted: its permission screen never offers it."""
    written = {
        "perfex_to_onlyoffice": ("ONLYOFFICE is written",),
        "onlyoffice_to_perfex": ("Perfex is written",),
        "both": ("ONLYOFFICE is written", "Perfex is written"),
    }[direction]
    section = GUIDE.split("## 3.", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 10, "section 3 has no permission table"
    wanted: list[tuple[str, str]] = []
    for row in rows:
        _, _, feature, capability, when = (cell.strip() for cell in row.strip("|").split("|"))
        if not when.startswith(("always", "optional", "only", *written)):
            continue
        feature = _feature_on(feature, perfex_module)
        if feature != "common" and (feature, capability) not in wanted:
            wanted.append((feature, capability))
    return wanted


def _feature_on(cell: str, module: str) -> str:
    """`invoices`, or the module's own name from `module 2.x: `common`; 3.x: `taxes``."""
    found = re.search(rf"{module}\.x: `(\w+)`", cell)
    return found.group(1) if found else cell.strip("`")


def test_the_permissions_example_of_section_1_is_the_table_of_section_3() -> None:
    example = re.search(r"--perfex-permissions (\S+)", GUIDE)
    assert example is not None
    listed = [tuple(pair.split(":")) for pair in example.group(1).split(",")]
    assert sorted(listed) == sorted(permissions_for(DIRECTION))


# -- the environment ------------------------------------------------------------------------


def environment_with_the_bridge(folder: Path) -> Path:
    """`python3 -m venv` and `pip install` of this checkout; returns the venv's bin folder."""
    venv = folder / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        check=True,
        timeout=STEP_SECONDS,
    )
    bin_folder = venv / "bin"
    _see_this_interpreters_packages(bin_folder / "python")
    source = folder / "checkout"  # a copy: building writes `build/` and egg-info beside it
    source.mkdir()
    for name in PACKAGE_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [str(bin_folder / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    pip += ["--ignore-installed", "--disable-pip-version-check"]
    offline = subprocess.run(
        [*pip, "--no-index", "--no-build-isolation", str(source)],
        capture_output=True,
        text=True,
        timeout=STEP_SECONDS,
        env=_clean_environment(),
    )
    if offline.returncode != 0:  # the installed build backend cannot build it: fetch one
        shutil.rmtree(source / "build", ignore_errors=True)
        fetched = subprocess.run(
            [*pip, str(source)],
            capture_output=True,
            text=True,
            timeout=STEP_SECONDS,
            env=_clean_environment(),
        )
        assert fetched.returncode == 0, offline.stderr + fetched.stderr
    return bin_folder


def _see_this_interpreters_packages(python: Path) -> None:
    """Dependencies come from where this interpreter found them, even when it runs in a venv
    of its own (which `--system-site-packages` alone would not see). Plain paths: the `.pth`
    files there (an editable install of crm-bridge) are not run, so only the copy installed
    in the new environment is importable as `bridge`."""
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_environment(),
    )
    ours = [path for path in sys.path if path.endswith(("site-packages", "dist-packages"))]
    Path(found.stdout.strip(), "parent-packages.pth").write_text("\n".join(ours) + "\n")


def _clean_environment(**extra: str) -> dict[str, str]:
    """The caller's environment without what would put this checkout on the path."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return {**environment, **extra}


# -- running the commands -------------------------------------------------------------------


class SandboxProcess:
    """`crm-bridge sandbox` as a process, with what it printed."""

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**environment, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def printed(self) -> str:
        """Everything up to `Serving until Ctrl-C.`"""
        seen: list[str] = []
        deadline = time.monotonic() + STEP_SECONDS
        while not seen or seen[-1] != "Serving until Ctrl-C.":
            try:
                seen.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail("the sandbox did not start:\n" + "\n".join(seen))
        return "\n".join(seen)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C, as section 1 says
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run(bridge: Path, *args: str, environment: dict[str, str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(
        [str(bridge), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=STEP_SECONDS,
    )
    return done.returncode, done.stdout + done.stderr


def set_key(text: str, section: str, key: str, value: str) -> str:
    """Sets `key = value` in `[section]` of the starter config: its line, or its commented
    example (`# key = ...`), must be there for a user to find."""
    head = f"[{section}]\n"
    start = text.index(head) + len(head)
    end = text.find("\n[", start)
    body = text[start : end if end >= 0 else len(text)]
    line = re.compile(rf"^(# )?{key} = .*$", re.M)
    assert line.search(body), f"the starter config has no [{section}].{key} line"
    body = line.sub(lambda _: f"{key} = {value}", body, count=1)
    return text[:start] + body + (text[end:] if end >= 0 else "")


class Places:
    """Where the guide's machine paths are in the rehearsal: `/var/lib/crm-bridge/x` is
    `<rehearsal>/var-lib-crm-bridge/x`."""

    def __init__(self, mapping: dict[str, Path]) -> None:
        self._mapping = sorted(mapping.items(), key=lambda item: -len(item[0]))

    def local(self, text: str) -> str:
        for machine, rehearsal in self._mapping:
            text = re.sub(rf"{re.escape(machine)}(?=/|\b|$)", str(rehearsal), text)
        return text


def guide_section(number: str) -> str:
    return GUIDE.split(f"\n## {number}.", 1)[1].split("\n## ", 1)[0]


def guide_config_lines(section: str) -> list[tuple[str, str, str]]:
    """`(section, key, value)` of the config lines a guide section shows as comments,
    `#   [sync]  ledger = "/var/lib/crm-bridge/ledger.db"   report_dir = "..."`."""
    found = []
    for table, pairs in re.findall(r"^#\s+\[(\w+)\]\s+(.+)$", section, re.M):
        found += [(table, key, value) for key, value in re.findall(r'(\w+) = ("[^"]*")', pairs)]
    assert found, "the section shows no config lines"
    return found


def unit_settings(name: str) -> dict[str, list[str]]:
    """`Key=value` lines of a systemd unit in deploy/, every value of a key in order."""
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def log_entries(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def count_lines(report: str) -> list[str]:
    """`Invoices: 46 linked, ...` lines of a report's header, dry-run words taken out."""
    header = report.split("\n\n", 1)[0]
    kinds = r"^(Invoices|Customers|Products|Taxes): +\d"
    counted = [line for line in header.splitlines() if re.match(kinds, line)]
    return [line.replace("to be ", "") for line in counted]


# -- the walk -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crm-bridge in its own virtual environment: the path of its `crm-bridge` program."""
    folder = tmp_path_factory.mktemp("install")
    bin_folder = environment_with_the_bridge(folder)
    where = subprocess.run(
        [str(bin_folder / "python"), "-c", "import bridge; print(bridge.__file__)"],
        capture_output=True,
        text=True,
        env=_clean_environment(),
        cwd=folder,
    )
    assert where.stdout.startswith(str(folder / "venv")), where.stdout + where.stderr
    return bin_folder / "crm-bridge"


@pytest.mark.parametrize("direction", [DIRECTION, "both", "onlyoffice_to_perfex"])
def test_a_newcomer_follows_the_guide_from_install_to_a_daemon_cycle(
    installed: Path, tmp_path: Path, direction: str
) -> None:
    # Section 1: the sandbox, its Perfex token limited to what section 3 lists.
    granted = ",".join(
        f"{feature}:{capability}" for feature, capability in permissions_for(direction)
    )
    command = [
        str(installed),
        *"sandbox --invoices 100 --perfex-port 0 --onlyoffice-port 0".split(),
    ]
    sandbox = SandboxProcess([*command, "--perfex-permissions", granted], _clean_environment())
    try:
        walk_the_guide(installed, sandbox.printed(), tmp_path, direction)
    finally:
        sandbox.stop()


def walk_the_guide(bridge: Path, printed: str, folder: Path, direction: str) -> None:
    perfex_url = re.search(r"^Perfex +(http://\S+)", printed, re.M).group(1)
    onlyoffice_url = re.search(r"^ONLYOFFICE +(http://\S+)", printed, re.M).group(1)
    tokens = dict(re.findall(r"export (\w+)=(\S+)", printed))
    currencies = re.search(r"^ +currencies = (\{.*\})$", printed, re.M).group(1)
    environment = _clean_environment(**tokens)
    config = folder / "rehearsal.toml"
    places = Places(
        {
            "/opt/crm-bridge": bridge.parent.parent,
            "/etc/crm-bridge/config.toml": config,
            "/var/lib/crm-bridge": folder / "var-lib-crm-bridge",
            "/var/log/crm-bridge": folder / "var-log-crm-bridge",
        }
    )
    guide_install = guide_section("2")

    # Sections 1 and 2: the starter config, and the keys they say to set.
    code, said = run(bridge, "init", config.name, environment=environment, cwd=folder)
    assert code == 0, said
    text = config.read_text(encoding="utf-8")
    text = set_key(text, "perfex", "url", f'"{perfex_url}"')
    text = set_key(text, "onlyoffice", "url", f'"{onlyoffice_url}"')
    text = set_key(text, "perfex", "currencies", currencies)
    text = set_key(text, "sync", "direction", f'"{direction}"')
    # Section 2, "Decide now where the ledger lives": the service's folders and paths.
    (folders,) = re.findall(r"^install -d .*$", guide_install, re.M)
    for path in folders.split()[2:]:
        if path.startswith("/"):
            Path(places.local(path)).mkdir(parents=True)
    for section, key, value in guide_config_lines(guide_install):
        text = set_key(text, section, key, places.local(value))
    config.write_text(text, encoding="utf-8")
    cli = ("--config", str(config))
    ledger = Path(places.local("/var/lib/crm-bridge/ledger.db"))

    # Section 5, step 2: check passes, the ledger is not created yet.
    code, said = run(bridge, *cli, "check", environment=environment, cwd=folder)
    assert code == 0, said
    assert not ledger.exists()

    # Step 3: the dry run writes nothing anywhere, the ledger included.
    code, planned = run(bridge, *cli, "backfill", "--dry-run", environment=environment, cwd=folder)
    assert code in (0, 1), planned
    assert "(dry run: nothing was written)" in planned
    assert not ledger.exists()

    # Step 4: the backfill does what the dry run said it would.
    code, done = run(bridge, *cli, "backfill", environment=environment, cwd=folder)
    assert code in (0, 1), done
    assert count_lines(done) == count_lines(planned) != []
    assert ledger.exists()
    code, shown = run(
        bridge, *cli, "report", "latest", "--format", "json", environment=environment, cwd=folder
    )
    backfill = json.loads(shown)
    assert backfill["run"]["command"] == "backfill"
    assert backfill["counts"]["linked"] > 0  # the sandbox's two sides were kept in step by hand
    assert backfill["requests"]["perfex"]["requests"] > 0

    # Steps 5 and 6: the audit compares every pair; the failed records are listed.
    code, audited = run(bridge, *cli, "audit", environment=environment, cwd=folder)
    assert code in (0, 1), audited
    assert re.search(r"^\d+ pairs compared", audited, re.M), audited
    code, failed = run(
        bridge, *cli, "report", "latest", "--failed", environment=environment, cwd=folder
    )
    assert code == 0, failed

    # Section 6: the unit's command line, environment and working directory.
    unit = unit_settings("crm-bridge.service")
    (exec_start,) = unit["ExecStart"]
    command = [places.local(word) for word in shlex.split(exec_start)]
    assert command[0] == str(bridge), exec_start  # where section 2 installed it
    service_environment = dict(places.local(line).split("=", 1) for line in unit["Environment"])
    (working_directory,) = unit["WorkingDirectory"]
    log_file = Path(places.local("/var/log/crm-bridge/crm-bridge.log"))
    daemon = subprocess.Popen(
        command,
        env={**environment, **service_environment},
        cwd=places.local(working_directory),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + STEP_SECONDS
        while not any(e.get("cycle") == 1 for e in log_entries(log_file)):
            assert daemon.poll() is None, daemon.communicate()
            assert time.monotonic() < deadline, "no cycle was logged"
            time.sleep(0.1)
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=STEP_SECONDS)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    assert daemon.returncode == 0, err
    assert out == "" and "Traceback" not in err
    entries = log_entries(log_file)
    cycle = next(e for e in entries if e.get("cycle") == 1)
    assert cycle["status"] in ("ok", "partial") and cycle["counts"]["created"] == 0
    assert entries[-1]["message"] == "daemon stopped after 1 cycles"

    # Nothing a newcomer reads or keeps holds a token.
    kept = [log_file, *Path(places.local("/var/lib/crm-bridge")).glob("reports/*.html")]
    assert len(kept) > 2  # the log, the backfill's page and the cycle's
    for token in tokens.values():
        assert all(token not in path.read_text(encoding="utf-8") for path in kept)
        assert token not in planned + done + audited + failed
