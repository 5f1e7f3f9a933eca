"""Runs model-written programs: a small whitelisted subset of Python, walked node by node, never exec'd.

    result = run_program("apples = 3 + 5\\nanswer = apples * 2")
    result.answer, result.error   # 16, None

Program-of-thought models write a short program that sets `answer`. Their text is data: it is parsed with
`ast` and evaluated here by walking the tree, and only these constructs run:
- literals: numbers, strings, True/False/None, lists and tuples of them;
- names that are not dunder-like; assignment (also `a, b = ...`), augmented assignment;
- arithmetic (+ - * / // % ** and unary + -), comparisons, `and`/`or`/`not`, `x if c else y`;
- `if`/`elif`/`else`, `for NAME in range(...)` with a bounded range, `break`, `continue`, `pass`;
- indexing a list, tuple or string with an integer; calls to BUILTINS only.
Everything else (imports, attributes, `def`, `lambda`, `while`, comprehensions, `with`, `try`, any other
call) is refused before anything runs. Running is bounded in steps, wall time, integer size and string
and list length; a bound is checked before an operation that would break it, so `10**10**10` or
`'x' * 10**10` never start. Any refusal or failure is a `Result` with `error` set: graded wrong, the reason
kept.
"""

import ast
import math
import time
from dataclasses import dataclass

MAX_SOURCE_CHARS = 4_000  # a grade-school solution takes a few hundred
MAX_STEPS = 20_000  # node evaluations
MAX_SECONDS = 0.5
MAX_INT_BITS = 128
MAX_SEQUENCE = 1_000  # string characters or list items
MAX_RANGE = 1_000  # iterations of one for loop
MAX_DEPTH = 50  # nesting of the syntax tree
ANSWER = "answer"


@dataclass(frozen=True)
class Result:
    answer: object = None  # the value the program gave `answer`
    error: str | None = None  # why it was refused or failed; None when it ran


class ProgramError(Exception):
    """A rule the program broke, or an error it ran into: the message says which."""


def _sum(items, start=0):
    # Numbers only: sum() over lists concatenates them, quadratic in time.
    if not isinstance(items, (list, tuple)) or not all(isinstance(v, (int, float)) for v in (*items, start)):
        raise ProgramError("sum() takes a list of numbers")
    return sum(items, start)


def _round(x, ndigits=None):
    if ndigits is not None and not (isinstance(ndigits, int) and abs(ndigits) <= 20):
        raise ProgramError("round() takes at most 20 digits")
    return round(x, ndigits)


BUILTINS = {"abs": abs, "min": min, "max": max, "round": _round, "int": int, "float": float, "sum": _sum,
            "len": len}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
           ast.Pow: lambda a, b: a ** b}
_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a, ast.Not: lambda a: not a}
_ALLOWED = (ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.Break, ast.Continue, ast.Pass, ast.Expr,
            ast.Constant, ast.Name, ast.Load, ast.Store, ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.BoolOp,
            ast.And, ast.Or, ast.Compare, ast.IfExp, ast.Subscript, ast.Call, *_BINARY, *_COMPARE, *_UNARY)


def run_program(source: str) -> Result:
    """Check the program against the whitelist, then run it within the bounds; never raises for bad programs."""
    try:
        tree = _parse(source)
        env = _Run().module(tree)
    except ProgramError as e:
        return Result(error=str(e))
    except (ArithmeticError, ValueError, TypeError, IndexError) as e:  # the program's own error, e.g. 1 / 0
        return Result(error=f"{type(e).__name__}: {e}")
    if ANSWER not in env:
        return Result(error="the program never sets `answer`")
    return Result(answer=env[ANSWER])


def _parse(source: str) -> ast.Module:
    if len(source) > MAX_SOURCE_CHARS:
        raise ProgramError(f"the program is longer than {MAX_SOURCE_CHARS} characters")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise ProgramError(f"not valid Python: {type(e).__name__}") from None
    _check(tree, 0)
    return tree


def _check(node: ast.AST, depth: int) -> None:
    """Refuse, before anything runs, every construct outside the whitelist."""
    if depth > MAX_DEPTH:
        raise ProgramError(f"the program nests deeper than {MAX_DEPTH} levels")
    if not isinstance(node, _ALLOWED):
        raise ProgramError(f"{type(node).__name__} is not allowed (line {getattr(node, 'lineno', '?')})")
    if isinstance(node, ast.Name) and node.id.startswith("__"):
        raise ProgramError(f"the name {node.id} is not allowed")
    allowed_call = isinstance(getattr(node, "func", None), ast.Name) and node.func.id in BUILTINS
    if isinstance(node, ast.Call) and (not allowed_call or node.keywords):
        raise ProgramError(f"only calls to {', '.join(BUILTINS)} are allowed (line {node.lineno})")
    if isinstance(node, ast.For) and not _is_range_loop(node):
        raise ProgramError(f"only `for NAME in range(...)` loops are allowed (line {node.lineno})")
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.For) and child is node.iter:  # range(...) itself: check only its arguments
            for arg in child.args:
                _check(arg, depth + 1)
            continue
        _check(child, depth + 1)


def _is_range_loop(node: ast.For) -> bool:
    it = node.iter
    return (isinstance(node.target, ast.Name) and not node.orelse and isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name) and it.func.id == "range" and not it.keywords and 1 <= len(it.args) <= 3)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Run:
    """One run of a checked program: its variables, and the step and time budgets it is using up."""

    def __init__(self):
        self.env: dict = {}
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise ProgramError(f"the program ran more than {MAX_STEPS} steps")
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise ProgramError(f"the program ran longer than {MAX_SECONDS} s")

    def module(self, tree: ast.Module) -> dict:
        try:
            self.block(tree.body)
        except (_Break, _Continue):
            raise ProgramError("break or continue outside a loop") from None
        return self.env

    def block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        self.step()
        if isinstance(node, ast.Assign):
            value = self.expr(node.value)
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name):
                raise ProgramError("only a name can be updated in place")
            self.env[node.target.id] = self.binary(node.op, self.lookup(node.target.id), self.expr(node.value))
        elif isinstance(node, ast.If):
            self.block(node.body if self.expr(node.test) else node.orelse)
        elif isinstance(node, ast.For):
            self.loop(node)
        elif isinstance(node, ast.Break):
            raise _Break
        elif isinstance(node, ast.Continue):
            raise _Continue
        elif isinstance(node, ast.Expr):
            self.expr(node.value)  # a bare string or number: a comment in effect
        # ast.Pass: nothing to do

    def loop(self, node: ast.For) -> None:
        bounds = [self.expr(a) for a in node.iter.args]
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            raise ProgramError("range() takes integers")
        steps = range(*bounds)
        if len(steps) > MAX_RANGE:
            raise ProgramError(f"a loop of more than {MAX_RANGE} iterations")
        for value in steps:
            self.env[node.target.id] = value
            try:
                self.block(node.body)
            except _Break:
                break
            except _Continue:
                continue

    def assign(self, target: ast.expr, value) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)):
            if len(target.elts) != len(value):
                raise ProgramError("unpacking: the counts differ")
            for t, v in zip(target.elts, value):
                self.assign(t, v)
        else:
            raise ProgramError("only names (or a tuple of names) can be assigned")

    def lookup(self, name: str):
        if name not in self.env:
            raise ProgramError(f"the name {name} is not defined")
        return self.env[name]

    def expr(self, node: ast.expr):
        self.step()
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str, bool, type(None))):
                raise ProgramError(f"a {type(node.value).__name__} literal is not allowed")
            return _bounded(node.value)
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.expr(e) for e in node.elts]
            return _bounded(items if isinstance(node, ast.List) else tuple(items))
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.UnaryOp):
            return _bounded(_UNARY[type(node.op)](_operand(self.expr(node.operand))))
        if isinstance(node, ast.BoolOp):
            value = self.expr(node.values[0])
            for operand in node.values[1:]:
                if (not value) if isinstance(node.op, ast.And) else value:
                    break
                value = self.expr(operand)
            return value
        if isinstance(node, ast.Compare):
            left = self.expr(node.left)
            for op, right_node in zip(node.ops, node.comparators):
                right = self.expr(right_node)
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.expr(node.body if self.expr(node.test) else node.orelse)
        if isinstance(node, ast.Subscript):
            container, index = self.expr(node.value), self.expr(node.slice)
            if not isinstance(container, (list, tuple, str)) or not isinstance(index, int):
                raise ProgramError("only a list, tuple or string can be indexed, and only by an integer")
            return container[index]
        if isinstance(node, ast.Call):
            args = [self.expr(a) for a in node.args]
            return _bounded(BUILTINS[node.func.id](*args))
        raise ProgramError(f"{type(node).__name__} is not allowed")

    def binary(self, op: ast.operator, a, b):
        _check_size(op, a, b)
        return _bounded(_BINARY[type(op)](a, b))


def _operand(value):
    if not isinstance(value, (int, float, bool)):
        raise ProgramError(f"arithmetic on a {type(value).__name__}")
    return value


def _check_size(op: ast.operator, a, b) -> None:
    """Refuse an operation whose result would break a bound, before computing it."""
    if isinstance(op, ast.Mult) and isinstance(a, int) and isinstance(b, (str, list, tuple)):
        a, b = b, a
    if isinstance(op, ast.Mult) and isinstance(a, (str, list, tuple)):
        if not isinstance(b, int) or len(a) * max(b, 0) > MAX_SEQUENCE:
            raise ProgramError(f"a string or list longer than {MAX_SEQUENCE}")
        return
    if isinstance(a, (str, list, tuple)) or isinstance(b, (str, list, tuple)):
        if not (isinstance(op, ast.Add) and type(a) is type(b)):
            raise ProgramError(f"{type(op).__name__} of {type(a).__name__} and {type(b).__name__}")
        return
    a, b = _operand(a), _operand(b)
    huge_power = isinstance(op, ast.Pow) and isinstance(a, int) and isinstance(b, int) and abs(a) > 1 and (
        b > MAX_INT_BITS or b * math.log2(abs(a)) > MAX_INT_BITS)
    if huge_power:
        raise ProgramError(f"a number larger than 2**{MAX_INT_BITS}")


def _bounded(value):
    """The value, if it is within the bounds on number size and sequence length."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise ProgramError(f"a number larger than 2**{MAX_INT_BITS}")
    if isinstance(value, float) and not math.isfinite(value) or isinstance(value, complex):
        raise ProgramError("a number that is not finite and real")
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SEQUENCE:
        raise ProgramError(f"a string or list longer than {MAX_SEQUENCE}")
    return value
