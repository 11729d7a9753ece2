"""A small, safe formula language for indicator numerators and denominators.

    victims_identified[age:child] / victims_identified
    (cases_served[spm:health] + cases_served[spm:social_rehab]) / 2
    budget_allocated[programme:prevention] - 1000

Grammar (recursive descent; nothing is ever handed to `eval`):

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | ref | "(" expr ")"
    ref     := NAME ("[" NAME ":" NAME "]")?
    NAME    := [a-z][a-z0-9_]*          (a data-element or indicator code; a category and option)

Evaluation: a reference resolves to a number or None ("no data / not applicable"); None
propagates, and dividing by zero gives None, so a formula never raises at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_TOKENS = 200
MAX_DEPTH = 40


class FormulaError(ValueError):
    def __init__(self, message: str, position: int | None = None):
        self.position = position
        if position is not None:
            message = f"{message} (posisi {position + 1})"
        super().__init__(message)


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str
    category: str = ""
    option: str = ""

    @property
    def disagg(self) -> str:
        return f"{self.category}:{self.option}" if self.category else ""

    def __str__(self) -> str:
        return f"{self.code}[{self.disagg}]" if self.category else self.code


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object
    position: int = 0


Node = Num | Ref | Neg | BinOp

_TOKEN_RE = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()\[\]:]))")


def tokenize(text: str) -> list[tuple[str, str, int]]:
    if text is None:
        raise FormulaError("Rumus kosong.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"Rumus terlalu panjang (maksimal {MAX_LENGTH} karakter).")
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()[:1]
            at = len(text) - len(text[pos:].lstrip())
            raise FormulaError(f"Karakter '{bad}' tidak dikenal dalam rumus", at)
        kind = m.lastgroup
        value = m.group(kind)
        start = m.start(kind)
        if kind == "name" and (value != value.lower() or value.startswith("_")):
            raise FormulaError(f"Kode '{value}' harus huruf kecil, angka dan garis bawah, diawali huruf", start)
        tokens.append((kind, value, start))
        pos = m.end()
        if len(tokens) > MAX_TOKENS:
            raise FormulaError(f"Rumus terlalu panjang (maksimal {MAX_TOKENS} unsur).")
    if not tokens:
        raise FormulaError("Rumus kosong.")
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, value: str):
        tok = self.peek()
        if tok is None:
            raise FormulaError(f"Rumus berakhir terlalu cepat; diharapkan '{value}'", len(self.text))
        if tok[1] != value:
            raise FormulaError(f"Diharapkan '{value}', ditemukan '{tok[1]}'", tok[2])
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        tok = self.peek()
        if tok is not None:
            raise FormulaError(f"Unsur '{tok[1]}' tidak diharapkan", tok[2])
        return node

    def _enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("Rumus terlalu dalam bersarang.")

    def expr(self) -> Node:
        self._enter()
        node = self.term()
        while (tok := self.peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            self.take()
            node = BinOp(tok[1], node, self.term(), tok[2])
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in "*/":
            self.take()
            node = BinOp(tok[1], node, self.unary(), tok[2])
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] == "-":
            self.take()
            self._enter()
            node = Neg(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok is None:
            raise FormulaError("Rumus berakhir terlalu cepat; diharapkan angka, kode atau '('", len(self.text))
        kind, value, pos = tok
        if kind == "num":
            return Num(float(value))
        if kind == "name":
            nxt = self.peek()
            if nxt is not None and nxt[1] == "[":
                self.take()
                cat = self.take()
                if cat is None or cat[0] != "name":
                    raise FormulaError("Diharapkan nama kategori setelah '['", cat[2] if cat else len(self.text))
                self.expect(":")
                opt = self.take()
                if opt is None or opt[0] != "name":
                    raise FormulaError("Diharapkan nama opsi setelah ':'", opt[2] if opt else len(self.text))
                self.expect("]")
                return Ref(value, cat[1], opt[1])
            return Ref(value)
        if value == "(":
            node = self.expr()
            self.expect(")")
            return node
        raise FormulaError(f"Unsur '{value}' tidak diharapkan", pos)


def parse(text: str) -> Node:
    return _Parser(text).parse()


def references(node: Node) -> list[Ref]:
    out: list[Ref] = []

    def walk(n):
        if isinstance(n, Ref):
            if n not in out:
                out.append(n)
        elif isinstance(n, Neg):
            walk(n.operand)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)

    walk(node)
    return out


def evaluate(node: Node, resolve) -> float | None:
    """The value, with `resolve(ref) -> float | None`. None (no data) propagates; x/0 is None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        v = resolve(node)
        return None if v is None else float(v)
    if isinstance(node, Neg):
        v = evaluate(node.operand, resolve)
        return None if v is None else -v
    left = evaluate(node.left, resolve)
    right = evaluate(node.right, resolve)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None
    return left / right


def constant_value(node: Node) -> float | None:
    """The value when the node holds no reference (a constant), else None."""
    if references(node):
        return None
    return evaluate(node, lambda ref: None)


def zero_divisions(node: Node) -> list[int]:
    """Positions of '/' whose divisor is a constant zero (an error at definition time)."""
    found: list[int] = []

    def walk(n):
        if isinstance(n, Neg):
            walk(n.operand)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)
            if n.op == "/" and not references(n.right):
                v = _const(n.right)
                if v is not None and v == 0:
                    found.append(n.position)

    walk(node)
    return found


def _const(node: Node) -> float | None:
    """Constant folding that also reports 0 for constant sub-expressions like (1-1)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        v = _const(node.operand)
        return None if v is None else -v
    if isinstance(node, BinOp):
        a, b = _const(node.left), _const(node.right)
        if a is None or b is None:
            return None
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return None if b == 0 else a / b
    return None


def to_text(node: Node) -> str:
    """A canonical rendering (for display and round-trip tests)."""
    if isinstance(node, Num):
        v = node.value
        return str(int(v)) if v == int(v) else repr(v)
    if isinstance(node, Ref):
        return str(node)
    if isinstance(node, Neg):
        return f"-({to_text(node.operand)})"
    return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
