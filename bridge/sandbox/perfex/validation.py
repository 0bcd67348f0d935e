"""CodeIgniter 3 `Form_validation`, as far as the invoice and customer endpoints use it.

Owns: rule execution with CodeIgniter's quirks (API notes 2.5): callbacks run first, then
`required`, then the rest in written order; empty non-required values skip the other rules;
array fields (`newitems[]`) are walked element by element, so an empty array passes `required`
and a non-array value is checked as a plain string; `decimal` needs a literal dot; one message
per field; messages joined as `<p>…</p>\\n`. Also the write-back of trimmed values into `$_POST`.

Must not: know what the fields mean; callers pass rules, labels and callbacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from bridge.sandbox.perfex.php import (
    PhpValue,
    is_numeric,
    php_key,
    php_trim,
    to_decimal,
    to_php_string,
)

MESSAGES = {
    "required": "The {field} field is required.",
    "max_length": "The {field} field cannot exceed {param} characters in length.",
    "decimal": "The {field} field must contain a decimal number.",
    "greater_than": "The {field} field must contain a number greater than {param}.",
}
_ALWAYS_RUN = ("required", "isset", "matches")


@dataclass(frozen=True)
class FieldRule:
    """One `set_rules(field, label, rules)` call; `rules` is the pipe-separated rule string."""

    field: str
    label: str
    rules: str

    @property
    def is_array(self) -> bool:
        return "[" in self.field

    @property
    def keys(self) -> list[int | str]:
        base = self.field.split("[", 1)[0]
        inner = [part for part in re.findall(r"\[(.*?)\]", self.field) if part != ""]
        return [php_key(base), *(php_key(part) for part in inner)]

    def ordered_rules(self) -> list[str]:
        """`_prepare_rules`: callbacks first, `required` at the head of the rest."""
        rules = self.rules.split("|")
        callbacks = [rule for rule in rules if rule.startswith("callback_")]
        rest = [rule for rule in rules if not rule.startswith("callback_") and rule != "required"]
        return callbacks + (["required"] if "required" in rules else []) + rest


@dataclass(frozen=True)
class Callback:
    """A `callback_<name>` rule: `check(value)` is False when the value is refused."""

    check: Callable[[PhpValue], bool]
    message: str


@dataclass
class ValidationOutcome:
    errors: dict[str, str] = field(default_factory=dict)
    prepped: dict[str, PhpValue] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def body(self) -> dict[str, object]:
        """The controllers' failure payload: `error` per field and the joined `message`."""
        message = "".join(f"<p>{text}</p>\n" for text in self.errors.values())
        return {"status": False, "error": dict(self.errors), "message": message}


def validate(
    data: Mapping[int | str, PhpValue],
    rules: Sequence[FieldRule],
    callbacks: Mapping[str, Callback] | None = None,
) -> ValidationOutcome:
    outcome = ValidationOutcome()
    for rule in rules:
        runner = _FieldRun(rule, _initial(data, rule), callbacks or {})
        runner.execute(runner.postdata)
        outcome.prepped[rule.field] = runner.postdata
        if runner.error is not None:
            outcome.errors[rule.field] = runner.error
    return outcome


def write_back(post: dict[int | str, PhpValue], outcome: ValidationOutcome) -> None:
    """`_reset_post_array`: with `$_POST` as the source, prepped (trimmed) values replace it."""
    for name, value in outcome.prepped.items():
        if value is None:
            continue
        if "[" not in name:
            if php_key(name) in post:
                post[php_key(name)] = value
            continue
        keys = FieldRule(name, "", "").keys
        node = post
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[keys[-1]] = value


def _initial(data: Mapping[int | str, PhpValue], rule: FieldRule) -> PhpValue:
    if not rule.is_array:
        return data.get(php_key(rule.field))
    node: PhpValue = data
    for key in rule.keys:
        if not isinstance(node, dict) or node.get(key) is None:
            return None
        node = node[key]
    if isinstance(node, dict):
        return dict(node)  # PHP copies arrays on assignment; trimming must not touch the input
    return None if node == "" else node


class _FieldRun:
    def __init__(self, rule: FieldRule, postdata: PhpValue, callbacks: Mapping[str, Callback]):
        self.rule = rule
        self.postdata = postdata
        self.callbacks = callbacks
        self.error: str | None = None

    def execute(self, value: PhpValue, cycles: int | str = 0) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                self.execute(item, key)
            return
        for rule in self.rule.ordered_rules():
            if not self._apply(rule, cycles):
                return

    def _current(self, cycles: int | str) -> tuple[bool, PhpValue, bool]:
        """(present, value, in_array) for this cycle, as `_execute` picks it."""
        if self.rule.is_array and isinstance(self.postdata, dict):
            if self.postdata.get(cycles) is None:
                return False, None, True
            return True, self.postdata[cycles], True
        return True, None if isinstance(self.postdata, dict) else self.postdata, False

    def _apply(self, rule: str, cycles: int | str) -> bool:
        present, value, in_array = self._current(cycles)
        if not present:
            return True
        name, param = _split_rule(rule)
        is_callback = name.startswith("callback_")
        if (value is None or value == "") and not is_callback and name not in _ALWAYS_RUN:
            return True
        if name == "trim":
            self._store(php_trim(value), cycles, in_array)
            return True
        if is_callback:
            callback = self.callbacks[name.removeprefix("callback_")]
            if callback.check(value):
                return True
            return self._fail(callback.message, param)
        if _CHECKS[name](value, param):
            return True
        return self._fail(MESSAGES[name], param)

    def _store(self, value: PhpValue, cycles: int | str, in_array: bool) -> None:
        if in_array and isinstance(self.postdata, dict):
            self.postdata[cycles] = value
        else:
            self.postdata = value

    def _fail(self, template: str, param: str) -> bool:
        self.error = template.replace("{field}", self.rule.label).replace("{param}", param)
        return False


def _split_rule(rule: str) -> tuple[str, str]:
    match = re.fullmatch(r"(.*?)\[(.*)\]", rule)
    return (match.group(1), match.group(2)) if match else (rule, "")


def _required(value: PhpValue, param: str) -> bool:
    if isinstance(value, dict):
        return bool(value)
    return php_trim(value) != ""


def _max_length(value: PhpValue, param: str) -> bool:
    return len(to_php_string(value)) <= int(param)


_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+\n?")


def _decimal(value: PhpValue, param: str) -> bool:
    return _DECIMAL.fullmatch(to_php_string(value)) is not None


def _greater_than(value: PhpValue, param: str) -> bool:
    return is_numeric(value) and to_decimal(value) > Decimal(param)


_CHECKS: dict[str, Callable[[PhpValue, str], bool]] = {
    "required": _required,
    "max_length": _max_length,
    "decimal": _decimal,
    "greater_than": _greater_than,
}
