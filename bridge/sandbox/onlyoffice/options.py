"""Settings of one simulated ONLYOFFICE portal: time zone, currencies, numbering and quirks.

Owns the option values and the portal's currency catalogue. It must not hold anything that
changes while the simulator runs; that is the store's job.

Options (all documented in docs/simulator-onlyoffice.md):

    timezone             portal time zone (IANA name); ApiDateTime output is local to it and
                         naive input is read in it (API notes §2.4)
    default_currency     portal default currency; shown on items and `invoice/sample` (§8)
    updated_since_quirk  `updatedSince` on a list empties the result (§2.7); off: ignored
    create_on_quirk      the `POST invoice` reply carries `createOn` 0001-01-01 (§3.3)
    invoice_prefix       prefix of proposed invoice numbers (§3.10)
    settings_number      first number and zero-padding width of proposals (§3.10)
    default_terms        the portal's default invoice terms (`invoice/settings`, `sample`)
    company_name         seller name in `invoice/settings` and the print data
    currencies           the `crm_currency_info` table (§8)
    username, password   the admin's login for `POST authentication`; password None means a
                         random one per simulator (read it from `OnlyofficeSimulator.password`)
    admin_display_name   the admin's display name in `createBy`
    token_lifetime       lifetime of issued tokens (default one year, §1.1)
    fixed_token          the admin's token (`OnlyofficeSimulator.token`); None means a random
                         one per simulator
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class CurrencyInfo:
    """One row of the portal's currency table, as `settings/currency` lists it."""

    abbreviation: str
    title: str
    symbol: str
    culture_name: str
    is_convertable: bool = True
    is_basic: bool = False


DEFAULT_CURRENCIES: tuple[CurrencyInfo, ...] = (
    CurrencyInfo("EUR", "Euro", "€", "EU", True, True),
    CurrencyInfo("USD", "US Dollar", "$", "US", True, True),
    CurrencyInfo("GBP", "Pound Sterling", "£", "GB", True, True),
    CurrencyInfo("CHF", "Swiss Franc", "Fr.", "CH", True, False),
    CurrencyInfo("PLN", "Polish Zloty", "zł", "PL", True, False),
    CurrencyInfo("CZK", "Czech Koruna", "Kč", "CZ", True, False),
    CurrencyInfo("DKK", "Danish Krone", "kr", "DK", True, False),
    CurrencyInfo("SEK", "Swedish Krona", "kr", "SE", True, False),
    CurrencyInfo("NOK", "Norwegian Krone", "kr", "NO", True, False),
    CurrencyInfo("JPY", "Japanese Yen", "¥", "JP", True, False),
    CurrencyInfo("CAD", "Canadian Dollar", "$", "CA", True, False),
    CurrencyInfo("AUD", "Australian Dollar", "$", "AU", True, False),
)


@dataclass(frozen=True)
class OnlyofficeOptions:
    """How the simulated portal is configured; see the module docstring for each field."""

    timezone: str = "UTC"
    default_currency: str = "EUR"
    updated_since_quirk: bool = True
    create_on_quirk: bool = True
    invoice_prefix: str = "INV-"
    settings_number: str = "000001"
    default_terms: str = ""
    company_name: str = ""
    currencies: tuple[CurrencyInfo, ...] = DEFAULT_CURRENCIES
    username: str = "admin@sandbox.example"
    password: str | None = field(default=None, repr=False)
    admin_display_name: str = "Sandbox Administrator"
    token_lifetime: timedelta = timedelta(days=365)
    fixed_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fails early on an unknown zone name
        known = {c.abbreviation for c in self.currencies}
        if self.default_currency.upper() not in known:
            raise ValueError(f"default currency {self.default_currency!r} is not in currencies")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
