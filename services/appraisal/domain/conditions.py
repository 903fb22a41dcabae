"""Conditions of auto rules over an event's facts: a small, safe expression language.

`overdue`, `not reason_detailed`, `verified and ground in ('attitude', 'quality')`,
`working_days_late > 3` — names are the trigger's facts (rulebook.TRIGGERS), literals are
strings, numbers, booleans and tuples of them; `and`, `or`, `not`, comparisons (`==`, `!=`, `<`,
`<=`, `>`, `>=`, `in`, `not in`). Nothing else parses: no calls, attributes or subscripts, so a
county's rulebook cannot run code. Checked when the rulebook loads (`check`), evaluated on each
event (`evaluate`) — the facts an event fired on are kept with its score event (the snapshot)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

MAX_LENGTH = 500
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Name,
            ast.Load, ast.Constant, ast.Tuple, ast.List, *_COMPARE)  # fmt: skip


@lru_cache(maxsize=512)
def _parse(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise ValueError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not a condition ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ValueError(f"{type(node).__name__} is not allowed in a condition")
    return tree


def names(text: str) -> set[str]:
    return {n.id for n in ast.walk(_parse(text)) if isinstance(n, ast.Name)}


def check(text: str, facts: Mapping[str, type]) -> None:
    """Raise ValueError when `text` does not parse or names what the facts lack."""
    unknown = sorted(names(text) - set(facts))
    if unknown:
        raise ValueError(f"unknown fact(s) {', '.join(unknown)} (known: {', '.join(facts)})")


def evaluate(text: str, facts: Mapping[str, Any]) -> bool:
    """The condition's truth for these facts (an empty condition is true)."""
    if not text:
        return True
    return bool(_eval(_parse(text).body, facts))


def _eval(node: ast.AST, facts: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return facts.get(node.id)
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_eval(e, facts) for e in node.elts)
    if isinstance(node, ast.UnaryOp):  # only `not` parses
        return not _eval(node.operand, facts)
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, facts) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, facts)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, facts)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:  # a missing fact compared with a number: not met
                return False
            left = right
        return True
    raise ValueError(f"{type(node).__name__} is not allowed in a condition")  # unreachable after _parse
