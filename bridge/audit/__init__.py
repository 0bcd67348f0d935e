"""`crm-bridge audit`: both systems read in full and compared, every disagreement reported.

`view` looks at both sides the way the sync engine does (without writing anything), `check`
sorts every pair and lone invoice into agreements and differences, `compare` says in which
fields a pair disagrees under the mapping, `findings` holds what was found, `acceptance` the
differences a person accepted, `repair` the writes that would make the pairs agree (carried out
through the engine), `render` and `html` the reports, and `command` the command itself.
"""

from bridge.audit.check import run_audit
from bridge.audit.command import AuditOptions, audit_command
from bridge.audit.findings import AuditResult, Difference

__all__ = ["AuditOptions", "AuditResult", "Difference", "audit_command", "run_audit"]
