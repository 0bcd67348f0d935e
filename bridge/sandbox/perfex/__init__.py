"""A strict in-process simulator of the Perfex CRM REST API module (2.0.8, or 3.0.3 deltas).

The simulator follows the Perfex API notes (sections cited as "contract N"), quirks included,
so a bridge that works here has met the real module's rules. Serve it with `SimulatorServer`:

    sim = PerfexSimulator(version="2", today=date(2026, 11, 21))
    sim.load(generate(seed=1, invoices=50))
    with SimulatorServer(sim, name="perfex") as server:
        requests.get(f"{server.base_url}/api/invoices", headers={"authtoken": sim.token})

This package only simulates; it must not be imported by the bridge's production code.
"""

from bridge.sandbox.perfex.app import PerfexSimulator
from bridge.sandbox.perfex.options import PerfexOptions
from bridge.sandbox.perfex.store import PerfexStore, StoredInvoice, StoredLine

__all__ = ["PerfexOptions", "PerfexSimulator", "PerfexStore", "StoredInvoice", "StoredLine"]
