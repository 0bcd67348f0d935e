"""`crm-bridge sandbox` as an operator meets it: what it prints, the config it writes, tokens
that survive a restart, a restricted Perfex token, and `crm-bridge check` against it."""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from bridge import cli
from bridge.config import load_config
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.serve import serve_sandbox

TODAY = date(2026, 11, 21)


@contextlib.contextmanager
def running(**options: object) -> Iterator[list[str]]:
    """`serve_sandbox` on free ports in a thread; yields what it printed once it serves."""
    lines: list[str] = []
    stop = threading.Event()
    started = threading.Event()

    def out(line: str) -> None:
        lines.append(line)
        if line.startswith("Serving"):
            started.set()

    kwargs = {"perfex_port": 0, "onlyoffice_port": 0, "today": TODAY, "invoices": 20}
    kwargs.update(options)
    thread = threading.Thread(
        target=serve_sandbox, kwargs={**kwargs, "stop": stop, "out": out, "err": out}
    )
    thread.start()
    try:
        assert started.wait(20), "\n".join(lines)
        yield lines
    finally:
        stop.set()
        thread.join(10)


def _site(lines: list[str], name: str) -> str:
    match = re.search(rf"^{name} +(http://127\.0\.0\.1:\d+) ", "\n".join(lines), re.MULTILINE)
    assert match, lines
    return match.group(1)


def _exports(lines: list[str]) -> dict[str, str]:
    found = re.findall(r"export (\w+)=(\S+)", "\n".join(lines))
    return dict(found)


def test_it_prints_sites_exports_a_config_and_what_it_seeded():
    with running(seed=4) as lines:
        text = "\n".join(lines)
        perfex, office = _site(lines, "Perfex"), _site(lines, "ONLYOFFICE")
        tokens = _exports(lines)
        assert requests.get(
            f"{perfex}/api/invoices", headers={"authtoken": tokens["PERFEX_API_TOKEN"]}, timeout=5
        ).ok
        assert requests.get(
            f"{office}/api/2.0/crm/invoice/filter",
            headers={"Authorization": tokens["ONLYOFFICE_API_TOKEN"]},
            timeout=5,
        ).ok
    assert f'url = "{perfex}"' in text and f'url = "{office}"' in text
    assert "currencies = { EUR = 1, USD = 2, GBP = 3, CHF = 4 }" in text
    assert "Perfex      20 invoices" in text and "realistic mix" in text
    assert re.search(r"ONLYOFFICE  \d+ invoices with the same numbers", text)
    assert "crm-bridge sandbox edit perfex INV-" in text


def test_the_written_config_is_one_the_bridge_loads_and_check_accepts(tmp_path: Path, monkeypatch):
    path = tmp_path / "sandbox" / "config.toml"
    with running(seed=2, write_config=path) as lines:
        tokens = _exports(lines)
        config = load_config(path, tokens)
        assert config.perfex.url == _site(lines, "Perfex")
        ids = {code: int(ident) for code, ident in config.perfex.currencies.items()}
        assert ids == {"EUR": 1, "USD": 2, "GBP": 3, "CHF": 4}
        for name, value in tokens.items():
            monkeypatch.setenv(name, value)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(["--config", str(path), "check"])
    assert code == 0, out.getvalue()
    assert f"Config written to {path}" in "\n".join(lines)


def test_tokens_derive_from_the_seed_so_a_config_survives_a_restart():
    options = {"today": TODAY, "token_seed": 7}
    with Sandbox(SandboxOptions(**options)) as first:
        tokens = (first.perfex_token, first.onlyoffice_token, first.onlyoffice_app.password)
    with Sandbox(SandboxOptions(**options)) as again:
        assert (again.perfex_token, again.onlyoffice_token, again.onlyoffice_app.password) == tokens
        answer = requests.get(
            f"{again.perfex_url}/api/invoices", headers={"authtoken": tokens[0]}, timeout=5
        )
        assert answer.status_code == 404 and answer.json()["message"] == "No data were found"
    with Sandbox(SandboxOptions(today=TODAY, token_seed=8)) as other:
        assert other.perfex_token != tokens[0] and other.onlyoffice_token != tokens[1]
    with Sandbox(SandboxOptions(today=TODAY)) as random_one:
        assert random_one.onlyoffice_token != tokens[1]


def test_a_restricted_perfex_token_is_refused_what_it_lacks(tmp_path: Path, monkeypatch):
    path = tmp_path / "config.toml"
    rights = [("customers", "get"), ("invoices", "search_get")]
    with running(seed=3, write_config=path, perfex_permissions=rights) as lines:
        perfex, tokens = _site(lines, "Perfex"), _exports(lines)
        headers = {"authtoken": tokens["PERFEX_API_TOKEN"]}
        assert requests.get(f"{perfex}/api/customers", headers=headers, timeout=5).ok
        refused = requests.get(f"{perfex}/api/invoices", headers=headers, timeout=5)
        for name, value in tokens.items():
            monkeypatch.setenv(name, value)
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = cli.main(["--config", str(path), "check"])
    assert refused.status_code == 403 and "necessay" in refused.json()["message"]
    assert "the Perfex token may only: customers:get, invoices:search_get" in "\n".join(lines)
    assert code != 0 and err.getvalue()


def test_only_one_side_may_be_seeded():
    with running(seed=5, sides="perfex") as lines:
        office, tokens = _site(lines, "ONLYOFFICE"), _exports(lines)
        rows = requests.get(
            f"{office}/api/2.0/crm/invoice/filter",
            headers={"Authorization": tokens["ONLYOFFICE_API_TOKEN"]},
            timeout=5,
        ).json()
    assert rows["response"] == [] and "ONLYOFFICE  empty" in "\n".join(lines)


def test_a_port_in_use_is_one_sentence_and_exit_2():
    with Sandbox(SandboxOptions(today=TODAY)) as busy:
        said: list[str] = []
        code = serve_sandbox(
            perfex_port=busy.perfex.port,
            onlyoffice_port=0,
            today=TODAY,
            out=said.append,
            err=said.append,
            stop=threading.Event(),
        )
    assert code == 2 and len(said) == 1 and "--perfex-port" in said[0]


def test_the_command_line_defaults_and_refusals():
    parser = cli.build_parser()
    args = parser.parse_args(["sandbox"])
    assert (args.perfex_port, args.onlyoffice_port, args.mix, args.seed_sides) == (
        8081,
        8082,
        "realistic",
        "both",
    )
    args = parser.parse_args(["sandbox", "--perfex-port", "0", "--mix", "simple"])
    assert (args.perfex_port, args.mix, args.sandbox_action) == (0, "simple", None)
    rights = parser.parse_args(["sandbox", "--perfex-permissions", "invoices:get,items:get"])
    assert rights.perfex_permissions == (("invoices", "get"), ("items", "get"))
    for bad in (["--perfex-permissions", "invoices:read"], ["--mix", "wild"]):
        with pytest.raises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            parser.parse_args(["sandbox", *bad])
