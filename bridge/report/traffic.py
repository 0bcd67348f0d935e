"""What a run asked of each system, in words: requests, retries and why, the slowest request.

Owns the sentence every format shows once per system ("Perfex: 2,041 requests, 37 retried
(31 × 503, 6 timeouts), slowest GET /api/invoices/58 2.3 s") and the words for retry causes,
so the text report, the HTML page and the daemon's log line say the same thing.

Must not: know any format's markup, or show more of a request than its method, path and
seconds (that is all `state.records.RequestStats` holds).
"""

from __future__ import annotations

from collections.abc import Mapping

from bridge.errors import system_name
from state.records import RequestStats, SlowRequest

SYSTEM_ORDER = ("perfex", "onlyoffice")
# Retry causes that are not an HTTP status: (one, several).
_CAUSE_NOUNS = {
    "timeout": ("timeout", "timeouts"),
    "reset": ("dropped connection", "dropped connections"),
    "connect": ("failed connection", "failed connections"),
    "transport": ("transport error", "transport errors"),
}


def systems_in_order(requests: Mapping[str, RequestStats]) -> list[str]:
    known = [system for system in SYSTEM_ORDER if system in requests]
    return known + sorted(system for system in requests if system not in SYSTEM_ORDER)


def request_lines(requests: Mapping[str, RequestStats]) -> list[str]:
    """One line per system the run recorded, Perfex first."""
    return [
        f"{system_name(system)}: {request_summary(requests[system])}"
        for system in systems_in_order(requests)
    ]


def request_summary(stats: RequestStats) -> str:
    """`2,041 requests, 37 retried (31 × 503, 6 timeouts), slowest GET /x 2.3 s`."""
    if not stats.requests:
        return "no requests"
    parts = [f"{stats.requests:,} request{'s' if stats.requests != 1 else ''}"]
    if stats.retries:
        parts.append(f"{stats.retries:,} retried ({retry_causes(stats)})")
        if stats.retry_wait_seconds >= 0.05:
            parts.append(f"{seconds_label(stats.retry_wait_seconds)} waiting to retry")
    else:
        parts.append("none retried")
    if stats.gave_up:
        parts.append(f"{stats.gave_up:,} given up")
    if stats.slowest:
        parts.append(f"slowest {slow_label(stats.slowest[0])}")
    return ", ".join(parts)


def retry_causes(stats: RequestStats) -> str:
    """`31 × 503, 6 timeouts`: the most frequent cause first."""
    ordered = sorted(stats.retried_because.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(cause_label(cause, number) for cause, number in ordered)


def cause_label(cause: str, number: int) -> str:
    if cause in _CAUSE_NOUNS:
        one, several = _CAUSE_NOUNS[cause]
        return f"{number:,} {one if number == 1 else several}"
    return f"{number:,} × {cause}"  # an HTTP status


def slow_label(slow: SlowRequest) -> str:
    return f"{slow.method} {slow.path} {seconds_label(slow.seconds)}"


def seconds_label(seconds: float) -> str:
    """`2.3 s`; `0.04 s` and `< 0.01 s` for what would otherwise read as nothing."""
    if seconds >= 0.1:
        return f"{seconds:.1f} s"
    return f"{seconds:.2f} s" if seconds >= 0.01 else "< 0.01 s"
