"""The sync engine: observe both sides, decide per record, execute, journal.

`plan` holds the pure decision tables; `to_onlyoffice` the Perfex → ONLYOFFICE pass;
`onlyoffice_directory` and `onlyoffice_writer` what that pass needs on the ONLYOFFICE side;
`run` ties a run together (lock, intents, journal). Every network call goes through the
adapters in `bridge.perfex` and `bridge.onlyoffice`.
"""

from bridge.engine.context import EngineSettings
from bridge.engine.run import Progress, RunRequest, SyncEngine

__all__ = ["EngineSettings", "Progress", "RunRequest", "SyncEngine"]
