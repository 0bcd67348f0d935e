"""The culture names the simulated portal can render invoices in (`language`, §3.3).

Owns the list of .NET culture names accepted as an invoice `language` and the
CultureNotFoundException an unknown one raises. The real server knows every culture of the
platform; this list holds the neutral and specific cultures an invoice plausibly uses. It must
not be consulted before an invoice is saved: the server fails only while rendering (§3.3).
"""

from __future__ import annotations

from bridge.sandbox.onlyoffice.failures import bad_argument

_SPECIFIC = (
    "ar-SA bg-BG ca-ES cs-CZ da-DK de-AT de-CH de-DE de-LU el-GR en-AU en-CA en-GB en-IE "
    "en-IN en-NZ en-US en-ZA es-AR es-ES es-MX et-EE fi-FI fr-BE fr-CA fr-CH fr-FR fr-LU "
    "he-IL hr-HR hu-HU hy-AM id-ID is-IS it-CH it-IT ja-JP ka-GE kk-KZ ko-KR lt-LT lv-LV "
    "nb-NO nl-BE nl-NL pl-PL pt-BR pt-PT ro-RO ru-RU sk-SK sl-SI sr-Latn-RS sv-SE th-TH "
    "tr-TR uk-UA vi-VN zh-CN zh-HK zh-TW az-Latn-AZ"
).split()
KNOWN_CULTURES = frozenset(
    name.lower() for name in (*_SPECIFIC, *(n.split("-")[0] for n in _SPECIFIC))
) | {""}  # the empty name is the invariant culture


def check_culture(name: str) -> None:
    """Raises the 400 that `new CultureInfo(name)` gives for an unknown name."""
    if name.lower() not in KNOWN_CULTURES:
        raise bad_argument(
            "Culture is not supported.\r\nParameter name: name\r\n"
            f"{name} is an invalid culture identifier."
        )
