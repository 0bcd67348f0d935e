"""The bridge's error tree, named by what the caller should do about each error.

    BridgeError                      anything the bridge reports to its operator
    ├── ConfigError                  the configuration file is wrong (exit 3)
    ├── SafetyStop                   the run refused to continue (exit 6)
    ├── RunInterrupted               SIGTERM/SIGINT arrived; the run stopped between records
    └── RemoteError                  a remote system answered in a way we did not want
        ├── CredentialsRejected      fix the credentials (exit 4)
        ├── Unreachable              nothing could be reached at all (exit 4)
        ├── RetryableError           try again later: timeouts, resets, 429, 5xx
        │   ├── RateLimited          refused before anything was done (429, quota): safe to repeat
        │   └── AnswerLost           a write may have been applied but its answer never came
        ├── UnreadableAnswer         an answer came, but nothing in it can be read; asking
        │                            again gets the same (a record on the server must be fixed)
        └── RecordRejected           skip this record: validation, not found, conflict
            ├── NotFound             the record does not exist (or is not editable: ONLYOFFICE)
            └── NumberInUse          the invoice number is already taken on the target

Ledger errors live in `state.errors` (state may not import bridge); the CLI maps them to exit 5.
No message built here may contain a secret: adapters pass only method, path and the remote
system's own message, never headers or request bodies.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error the bridge reports to its operator."""

    exit_code = 1


class ConfigError(BridgeError):
    exit_code = 3


class SafetyStop(BridgeError):
    exit_code = 6


class RunInterrupted(BridgeError):
    exit_code = 1


class RemoteError(BridgeError):
    """An answer (or a missing answer) from Perfex or ONLYOFFICE.

    `system` is "perfex" or "onlyoffice"; `status` the HTTP status when there was one;
    `remote_message` the server's own one-line message, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        system: str,
        status: int | None = None,
        remote_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.system = system
        self.status = status
        self.remote_message = remote_message


class CredentialsRejected(RemoteError):
    exit_code = 4


class Unreachable(RemoteError):
    exit_code = 4


class RetryableError(RemoteError):
    """Transient: the same request may succeed later.

    `retry_after` is the server's `Retry-After` in seconds when it sent one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class RateLimited(RetryableError):
    """The server refused the request before doing anything (429, a quota answer).

    Unlike other transient errors this one is safe to repeat even for a create: nothing was applied.
    """


class AnswerLost(RetryableError):
    """A write went out and no answer came back: it may or may not have been applied."""


class UnreadableAnswer(RemoteError):
    """The server answered with a body that cannot be read, and would answer the same again:
    the record (or list) asked for fails, the run goes on where it can."""


class RecordRejected(RemoteError):
    """The remote system refused this one record; the run goes on with the others."""


class NotFound(RecordRejected):
    pass


class NumberInUse(RecordRejected):
    pass


SYSTEM_NAMES = {"perfex": "Perfex", "onlyoffice": "ONLYOFFICE"}


def system_name(system: str) -> str:
    """The name an operator knows a system by."""
    return SYSTEM_NAMES.get(system, system)
