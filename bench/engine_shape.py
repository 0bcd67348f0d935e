"""Prints the shape of the sync engine: its size, and the path one update takes through the code.

    python3 bench/engine_shape.py

1. Lines of `bridge/engine/*.py` (all lines, and lines of code: not blank, not comments).
2. One due-date edit of a paid invoice, Perfex → ONLYOFFICE: a sandbox is seeded with a few
   invoices, backfilled, the due date of a paid invoice is changed in Perfex as a person would,
   and the next `sync` is traced. It prints how many first-party modules (`bridge`, `mappings`,
   `state`; the simulators excluded, they play the servers) the run passes through, and how
   many times execution switches from one module to another.

Run it on any checkout of the project; the figures describe that checkout.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

FIRST_PARTY = ("bridge", "mappings", "state")


def engine_lines() -> tuple[int, int]:
    total = code = 0
    for path in sorted((ROOT / "bridge" / "engine").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            total += 1
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                code += 1
    return total, code


def _module_of(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    parts = relative.with_suffix("").parts
    if not parts or parts[0] not in FIRST_PARTY or parts[:2] == ("bridge", "sandbox"):
        return None
    return ".".join(parts)


class Tracer:
    """Counts first-party modules entered and switches between them, in every thread."""

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self.switches = 0
        self._last: dict[int, str] = {}
        self._lock = threading.Lock()

    def __call__(self, frame, event, arg):  # type: ignore[no-untyped-def]
        if event != "call":
            return
        module = _module_of(frame.f_code.co_filename)
        if module is None:
            return
        thread = threading.get_ident()
        with self._lock:
            self.modules.add(module)
            if self._last.get(thread) not in (None, module):
                self.switches += 1
            self._last[thread] = module


def traced_update() -> Tracer:
    from rigs import TODAY, rig_factory

    from bridge.sandbox.seed import generate

    with (
        tempfile.TemporaryDirectory() as folder,
        rig_factory(Path(folder), "perfex_to_onlyoffice") as make,
    ):
        data = generate(seed=5, invoices=6, today=TODAY, **_simple())
        rig = make(perfex=data, sync='locked_invoices = "reopen"')
        rig.run("backfill")
        paid = next(i for i in rig.perfex.store.invoices.values() if int(i.row["status"]) == 2)
        due = paid.row["duedate"] or paid.row["date"]
        rig.perfex_admin.set_due_date(paid.id, _as_date(due) + timedelta(days=14))
        tracer = Tracer()
        threading.setprofile(tracer)
        sys.setprofile(tracer)
        try:
            record = rig.run("sync")
        finally:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
        updated = [o for o in record.outcomes if o.action == "updated"]
        if len(updated) != 1:
            raise SystemExit(f"expected one updated invoice, got {record.run.counts}")
        return tracer


def _simple() -> dict[str, str]:
    """The polite seed mix where the generator has one: this measures code paths, not data."""
    import inspect

    from bridge.sandbox.seed import generate

    return {"mix": "simple"} if "mix" in inspect.signature(generate).parameters else {}


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def main() -> None:
    total, code = engine_lines()
    print(f"bridge/engine: {total} lines, {code} lines of code")
    tracer = traced_update()
    print(
        "one due-date edit of a paid invoice, Perfex -> ONLYOFFICE: "
        f"{len(tracer.modules)} first-party modules, {tracer.switches} module switches"
    )


if __name__ == "__main__":
    main()
