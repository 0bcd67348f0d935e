"""The sections of the configuration file as validated pydantic models, one per TOML table.

Owns every key's type, default and allowed values, and the checks that need more than a type
(URLs, variable names, status tables, the invoice number format). Each check fails with one
plain phrase naming what is allowed; `bridge.config.messages` puts file, section and key in front.

Must not: read files or the environment, resolve secrets, or put an input value into a message
(a value may be a secret pasted into the wrong key).
"""

from __future__ import annotations

import difflib
import re
import string
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

Direction = Literal["perfex_to_onlyoffice", "onlyoffice_to_perfex", "both"]
ConflictPolicy = Literal["report", "perfex_wins", "onlyoffice_wins"]
LockedPolicy = Literal["reopen", "report"]
PerfexVersion = Literal["auto", "2", "3"]
MoneyMismatchPolicy = Literal["fail", "warn"]
UncertainTaxesPolicy = Literal["warn", "fail"]
MirrorEditPolicy = Literal["restore", "report"]
PerfexDraftPolicy = Literal["sync", "skip"]

PERFEX_STATUSES = ("unpaid", "paid", "partially_paid", "overdue", "cancelled", "draft")
ONLYOFFICE_STATUSES = ("Draft", "Sent", "Rejected", "Paid", "Archived")
DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE = {
    "unpaid": "Sent",
    "paid": "Paid",
    "partially_paid": "Sent",
    "overdue": "Sent",
    "cancelled": "Rejected",
    "draft": "Draft",
}
DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX = {
    "Draft": "draft",
    "Sent": "unpaid",
    "Rejected": "cancelled",
    "Paid": "unpaid",  # Perfex derives paid/partially paid from payments, not from a status field
}
NUMBER_FIELDS = ("prefix", "number", "year")

# A variable *name*. The length cap also stops a pasted token from being taken for a name and
# then echoed back in the "variable is not set" message.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# ONLYOFFICE rejects an unknown culture only after it has saved the invoice
# (docs/onlyoffice-api.md 3.3 and 9.2), so a malformed one is caught here, before any create.
_CULTURE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_ISO_CURRENCY = re.compile(r"[A-Z]{3}")


PROBLEM_TYPE = "config_value"


def _problem(text: str) -> PydanticCustomError:
    """A validation error whose message is exactly `text` (braces in it are kept literally)."""
    return PydanticCustomError(PROBLEM_TYPE, "{text}", {"text": text})


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise _problem(
            "must be the name of an environment variable (letters, digits and _), "
            "not the secret itself"
        )
    return value


def _site_url(value: str, api_hint: str) -> str:
    """Normalise a site address; the adapters append the API path themselves."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _problem(f"must be an http:// or https:// address such as {api_hint}")
    if parts.username or parts.password:
        raise _problem("must not contain a user name or password; use the credential keys")
    if parts.query or parts.fragment:
        raise _problem("must be a plain site address without ?query or #fragment")
    path = parts.path.rstrip("/")
    if "api" in path.split("/"):
        raise _problem(f"must be the site address without /api, such as {api_hint}")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _nonempty_secret(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not value.get_secret_value().strip():
        raise _problem("is empty; remove it to use the environment variable instead")
    return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _HttpTuning(Section):
    """How the bridge talks to one system; the same knobs for Perfex and ONLYOFFICE."""

    timeout: float = Field(30.0, gt=0)
    connect_timeout: float = Field(5.0, gt=0)
    max_attempts: int = Field(5, ge=1)
    retry_max_seconds: float = Field(120.0, gt=0)
    concurrency: int = Field(4, ge=1)
    rate_limit: float = Field(0.0, ge=0)  # requests per second; 0 means unlimited
    # requests reads HTTPS_PROXY, NO_PROXY and ~/.netrc unless told not to; a service should
    # talk to exactly the configured address, so the environment is ignored by default.
    use_env_proxies: bool = False


class PerfexConfig(_HttpTuning):
    url: str
    token_env: str = "PERFEX_API_TOKEN"
    token: SecretStr | None = None
    currencies: dict[str, str] = Field(default_factory=dict)
    payment_modes: tuple[str, ...] = ("1",)
    version: PerfexVersion = "auto"
    # Perfex requires a non-blank billing_street on every invoice (docs/perfex-api.md 2.5),
    # so an empty default would fail every contact without an address.
    default_billing_street: str = "Not provided"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _site_url(value, "https://crm.example.com")

    _token_env = field_validator("token_env")(_env_name)
    _token = field_validator("token")(_nonempty_secret)

    @field_validator("default_billing_street")
    @classmethod
    def _billing_street(cls, value: str) -> str:
        if not value.strip():
            raise _problem("must not be empty: Perfex refuses an invoice without a billing street")
        return value

    @field_validator("currencies", mode="before")
    @classmethod
    def _currencies(cls, value: Any) -> Any:
        # Perfex has no currency endpoint (docs/perfex-api.md 4.4), so the ids come
        # from here; TOML lets people write them as numbers or strings, Perfex wants digits.
        if not isinstance(value, dict):
            raise _problem("must be a table such as { EUR = 1, USD = 2 }")
        return {code: _currency_id(code, currency_id) for code, currency_id in value.items()}

    @field_validator("payment_modes", mode="before")
    @classmethod
    def _payment_modes(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise _problem('must be a list of payment mode ids such as ["1"]')
        modes = tuple(str(mode).strip() for mode in value if not isinstance(mode, bool))
        if not modes or not all(modes) or len(modes) != len(value):
            raise _problem('must be a non-empty list of payment mode ids such as ["1"]')
        return modes

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_token_source(self) -> PerfexConfig:
        if self.token is not None and "token_env" in self.model_fields_set:
            raise _problem("sets both token and token_env; keep only token_env")
        return self


def _currency_id(code: Any, currency_id: Any) -> str:
    if not isinstance(code, str) or not _ISO_CURRENCY.fullmatch(code):
        raise _problem(f"has the key {code!r}, which is not an ISO currency code such as EUR")
    text = str(currency_id).strip() if not isinstance(currency_id, bool) else ""
    if not text.isdigit() or int(text) == 0:
        raise _problem(f"maps {code} to something that is not a Perfex currency id such as 1")
    return text


class OnlyofficeConfig(_HttpTuning):
    url: str
    token_env: str = "ONLYOFFICE_API_TOKEN"
    token: SecretStr | None = None
    username: str | None = None
    password_env: str | None = None
    language: str = "en-US"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _site_url(value, "https://office.example.com")

    _token_env = field_validator("token_env")(_env_name)
    _token = field_validator("token")(_nonempty_secret)

    @field_validator("password_env")
    @classmethod
    def _password_env(cls, value: str | None) -> str | None:
        return None if value is None else _env_name(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _CULTURE.fullmatch(value):
            raise _problem("must be a culture name such as en-US or de-DE")
        return value

    @model_validator(mode="after")
    def _one_way_to_sign_in(self) -> OnlyofficeConfig:
        # Either a token (inline or via token_env) or a user whose password is exchanged at
        # api/2.0/authentication (docs/onlyoffice-api.md 1.1); never a mixture.
        by_user = self.username is not None or self.password_env is not None
        if by_user and (self.username is None or self.password_env is None):
            raise _problem("needs both username and password_env to sign in as a user")
        if by_user and self.username is not None and not self.username.strip():
            raise _problem("has an empty username")
        explicit_token_env = "token_env" in self.model_fields_set
        if (self.token is not None) + explicit_token_env + by_user > 1:
            raise _problem(
                "names more than one way to sign in; keep either token_env (or token) "
                "or username with password_env"
            )
        return self


class SyncConfig(Section):
    direction: Direction = "perfex_to_onlyoffice"
    interval: int = Field(300, ge=10)
    ledger: str = Field("state/ledger.db", min_length=1)
    conflict_policy: ConflictPolicy = "report"
    locked_invoices: LockedPolicy = "reopen"
    # A Perfex draft carries a placeholder number until it is sent and ONLYOFFICE numbers never
    # change after create, so placeholder-numbered drafts are always skipped; "sync" carries
    # drafts that already have a real number, "skip" leaves every draft alone.
    perfex_drafts: PerfexDraftPolicy = "sync"
    # A person edited the mirror of a one-way sync: "restore" it from the source (and report
    # that), or "report" the edit and leave it.
    on_mirror_edit: MirrorEditPolicy = "restore"
    # An unlinked invoice on the target already has the wanted number and is plainly another
    # invoice: "conflict" reports it and touches neither, "next_number" creates the source
    # invoice under the next free number where the target allows it.
    deep_pass_every: int = Field(12, ge=0)
    deep_pass_budget: int = Field(200, ge=1)  # full invoice reads per cycle in the deep pass
    retry_backoff_max: int = Field(86400, ge=0)  # seconds; a failed record waits at most this
    safety_stop: bool = True
    # HTML report of every sync, backfill and eventful daemon cycle; "" writes none.
    report_dir: str = "reports"
    keep_runs_days: int = Field(90, ge=1)  # runs older than this are pruned from the ledger


class MappingConfig(Section):
    number_format: str = "{prefix}{number:06d}"
    default_terms: str = "Payment due as invoiced."
    default_due_days: int = Field(30, ge=0)
    money_mismatch: MoneyMismatchPolicy = "warn"  # "fail" refuses inexact invoices
    uncertain_taxes: UncertainTaxesPolicy = "warn"  # several line-tax readings fit: warn or fail
    status_perfex_to_onlyoffice: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE)
    )
    status_onlyoffice_to_perfex: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX)
    )

    def format_number(self, *, prefix: str, number: int, year: int) -> str:
        """The ONLYOFFICE number of a Perfex invoice, e.g. INV-001042."""
        return self.number_format.format(prefix=prefix, number=number, year=year)

    @field_validator("number_format")
    @classmethod
    def _number_format(cls, value: str) -> str:
        _check_number_format(value)
        return value

    @field_validator("default_terms")
    @classmethod
    def _default_terms(cls, value: str) -> str:
        # ONLYOFFICE refuses an invoice without terms (docs/onlyoffice-api.md 3.3).
        if not value.strip():
            raise _problem("must not be empty: ONLYOFFICE requires terms on every invoice")
        return value

    @field_validator("status_perfex_to_onlyoffice", mode="before")
    @classmethod
    def _perfex_to_onlyoffice(cls, value: Any) -> Any:
        return _status_table(
            value,
            DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE,
            PERFEX_STATUSES,
            ONLYOFFICE_STATUSES,
            # docs/onlyoffice-api.md 3.6: no API move reaches or leaves Archived.
            {"Archived": "no ONLYOFFICE API call can move an invoice to Archived"},
        )

    @field_validator("status_onlyoffice_to_perfex", mode="before")
    @classmethod
    def _onlyoffice_to_perfex(cls, value: Any) -> Any:
        # docs/perfex-api.md 3.2: Perfex recomputes paid, partially paid and
        # overdue from payments and the due date after every write; posting them fakes a payment.
        derived = "Perfex sets that status itself from payments and due dates; use unpaid"
        return _status_table(
            value,
            DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX,
            ONLYOFFICE_STATUSES,
            PERFEX_STATUSES,
            dict.fromkeys(("paid", "partially_paid", "overdue"), derived),
        )


def _check_number_format(value: str) -> None:
    # mappings/numbering.py parses numbers back with the same pattern, so each field may appear
    # once and {number} must be there.
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise _problem(f"is not a valid format string ({exc})") from None
    for name in fields:
        if name not in NUMBER_FIELDS:
            raise _problem(
                f"uses {{{name}}}; the only fields are {{prefix}}, {{number}} and {{year}}"
            )
        if fields.count(name) > 1:
            raise _problem(f"uses {{{name}}} twice; each field may appear once")
    if "number" not in fields:
        raise _problem("must contain {number}, or every invoice would get the same number")
    try:
        value.format(prefix="INV-", number=1042, year=2026)
    except (ValueError, TypeError) as exc:
        raise _problem(f"cannot format a sample number ({exc})") from None


def _status_table(
    value: Any,
    defaults: dict[str, str],
    keys: tuple[str, ...],
    targets: tuple[str, ...],
    refused: dict[str, str],
) -> Any:
    """The defaults with the file's entries laid over them; every name must be a known status."""
    if not isinstance(value, dict):
        raise _problem('must be a table such as { paid = "Paid" }')
    for key, target in value.items():
        _known_status(key, keys)
        if target in refused:
            raise _problem(f"maps {key} to {target}, but {refused[target]}")
        _known_status(target, targets)
    return {**defaults, **value}


def _known_status(name: Any, known: tuple[str, ...]) -> None:
    if name in known:
        return
    hint = [status for status in known if str(name).lower() == status.lower()]
    hint = hint or difflib.get_close_matches(str(name), known, n=1)
    suggestion = f"; did you mean {hint[0]}?" if hint else f"; use one of {', '.join(known)}"
    raise _problem(f"names an unknown status {name!r}{suggestion}")
