"""Turning a pydantic `ValidationError` into the one sentence an operator reads.

Owns the wording of configuration problems: file, `[section].key`, what is wrong, what to do,
with a "did you mean" suggestion for misspelt keys, sections and choices. Every problem of the
file is named at once, so an operator fixes them in one go rather than one run at a time.

Must not: show pydantic's own rendering (it quotes input values, which may be secrets) or any
input value except the misspelt choice of an enum key, which is never a secret.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from bridge.config.sections import PROBLEM_TYPE


def explain(exc: ValidationError, source: str, root: type[BaseModel]) -> str:
    """One sentence for a single problem; for several, a sentence and one line per problem.
    pydantic's own text never reaches the operator raw."""
    problems = list(dict.fromkeys(_sentence(e, root) for e in exc.errors(include_url=False)))
    if len(problems) == 1:
        return f"{source}: {_closed(problems[0])}"
    listed = "\n".join(f"  - {_closed(problem)}" for problem in problems)
    return f"{source} has {len(problems)} problems; fix them all and run again:\n{listed}"


def _closed(sentence: str) -> str:
    return sentence if sentence.endswith(("?", ".")) else sentence + "."


def _sentence(error: Any, root: type[BaseModel]) -> str:
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(loc, root)
    if kind == "missing":
        if len(loc) == 1:
            return (
                f"section [{loc[0]}] is missing; add it (`crm-bridge init -` prints every section)"
            )
        return (
            f"required key {_where(loc)} is missing; add it (`crm-bridge init -` prints every key)"
        )
    if kind in ("model_type", "model_attributes_type") and len(loc) == 1:
        return f"[{loc[0]}] must be a section of keys, not a single value"
    if kind == PROBLEM_TYPE:
        return f"{_where(loc)} {error['ctx']['text']}"
    if kind == "literal_error":
        return _bad_choice(loc, error)
    # "Input should be a valid number, unable to parse string as a number": keep the first part.
    message = str(error["msg"]).replace("Input should be", "must be").split(", ")[0]
    return f"{_where(loc)} {message}; fix that value"


def _unknown_key(loc: tuple[Any, ...], root: type[BaseModel]) -> str:
    *parent, key = loc
    known = _known_keys(tuple(parent), root)
    match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    if not parent:
        hint = f"did you mean [{match[0]}]?" if match else f"the sections are {', '.join(known)}"
        return f"unknown section [{key}]; {hint}"
    hint = (
        f"did you mean {match[0]}?"
        if match
        else "remove it (`crm-bridge init -` prints the known keys)"
    )
    return f"unknown key {_where(loc)}; {hint}"


def _known_keys(parent: tuple[Any, ...], root: type[BaseModel]) -> list[str]:
    model: Any = root
    for name in parent:
        model = model.model_fields[name].annotation
    return list(model.model_fields)


def _bad_choice(loc: tuple[Any, ...], error: Any) -> str:
    expected = str(error["ctx"]["expected"])
    choices = re.findall(r"'([^']*)'", expected)
    given = error.get("input")
    match = difflib.get_close_matches(str(given), choices, n=1) if isinstance(given, str) else []
    hint = f"; did you mean {match[0]}?" if match else ""
    return f"{_where(loc)} must be {expected}{hint}"


def _where(loc: tuple[Any, ...]) -> str:
    """`("perfex", "currencies", "EUR")` -> `[perfex].currencies.EUR`."""
    text = f"[{loc[0]}]"
    for part in loc[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text
