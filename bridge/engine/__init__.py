"""The sync engine: observe both sides, decide per record, execute, journal.

`plan` holds the pure decision tables and `run` ties a run together (lock, open intents,
journal). Each direction has a pass that observes and decides (`to_onlyoffice`, `to_perfex`,
and `two_way` for both at once) and, per target system, a mirror that carries out one
invoice (`onlyoffice_mirror`, `perfex_mirror`) with its directory of customers, products and
taxes and its writer. What the passes observe of each side (rows, safety stops, number
indexes, deletions, triage) is in `observe`; their options and the hand-off to the thread
pool of `workers`, which isolates records, in `passes`. Every network call goes through the
adapters in `bridge.perfex` and `bridge.onlyoffice`.
"""

from bridge.engine.context import EngineSettings
from bridge.engine.run import Progress, RunRequest, SyncEngine

__all__ = ["EngineSettings", "Progress", "RunRequest", "SyncEngine"]
