"""Static checks of script and expression code against the RestrictedPython sandbox (DESIGN §4.8).

Compiling under the sandbox's policy catches what RestrictedPython refuses. What it lets through but the
sandbox refuses while a case runs is found here too, from the runtime's own tables and guards, so the two
cannot drift: builtins the sandbox does not offer (``open``, ``getattr``, ``type``, ``print``), text methods its
attribute guard refuses (``'{0.__class__}'.format``), and written-out work its guards refuse
(``'a' * 999999999``, ``[0] * 10**9``, ``range(10**9)``). At run time these only tell staff that the case
"has no value for open".
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from engine.sandbox import MAX_ITEMS, SandboxError, base_globals, compile_errors

_GLOBALS: Final = base_globals()
#: Builtins model code can call: the sandbox's own (underscore names are its guards).
OFFERED_BUILTINS: Final = frozenset(n for n in _GLOBALS["__builtins__"] if not n.startswith("_"))
#: The platform's calendar functions, which the runtime adds to what model code sees.
PLATFORM_FUNCTIONS: Final = frozenset({"workdays", "workhours"})
#: Python builtins the sandbox leaves out: calling one stops a case with "no value for …".
REFUSED_BUILTINS: Final = frozenset(
    n for n in dir(builtins) if not n.startswith("_") and n not in OFFERED_BUILTINS | PLATFORM_FUNCTIONS
)


def _refused_text_methods() -> frozenset[str]:
    # Ask the runtime's own attribute guard which text methods it refuses.
    guard = _GLOBALS["_getattr_"]
    refused = set()
    for name in dir(str):
        if name.startswith("_"):
            continue
        try:
            guard("", name)
        except SandboxError:
            refused.add(name)
    return frozenset(refused)


#: Text methods the runtime's attribute guard refuses.
REFUSED_TEXT_METHODS: Final = _refused_text_methods()
# Attributes only text has: case data is JSON, so ``x.format`` can only ever be a refused text method.
_TEXT_ONLY: Final = REFUSED_TEXT_METHODS - frozenset().union(
    *(dir(t) for t in (dict, list, tuple, set, frozenset, int, float, bool, complex, type(None)))
)

# Why a builtin is missing, for the sentence that names it.
_IO_NAMES: Final = frozenset({"open", "input", "print", "exec", "eval", "compile", "breakpoint", "help", "exit",
                              "quit", "copyright", "credits", "license"})
_INTROSPECTION: Final = frozenset({"getattr", "setattr", "delattr", "hasattr", "vars", "dir", "globals", "locals",
                                   "type", "object", "super", "id", "property", "classmethod", "staticmethod",
                                   "memoryview"})

# ---- explaining RestrictedPython's and Python's own complaints -----------------------------------------

_LINE_PREFIX = re.compile(r"^Line (\d+): ")
_SYNTAX = re.compile(r"^SyntaxError: (?P<msg>.*?)(?: at statement: (?P<stmt>.*))?$", re.DOTALL)
_UNDERSCORE = re.compile(r'"([^"]+)" is an invalid (?:attribute |variable )?name because it starts with "_"')
_ROLES = re.compile(r'"([^"]+)" is an invalid (?:attribute |variable )?name because it ends with "__roles__"')
_RESERVED = re.compile(r'"([^"]+)" is (?:a reserved name|a restricted name)')
_STATEMENT = re.compile(r"^(\w+) statements are not allowed")
_WIDTH_LIMIT = re.compile(r"a format width may not exceed (\d+)")

# (pattern over Python's SyntaxError message, zh, en); {0} is the first group.
_SYNTAX_WORDS: Final = (
    (re.compile(r"invalid character '(.)'"), "含有不能用在代码里的字符“{0}”（可能是中文标点，请改用英文标点）",
     "contains the character '{0}', which cannot be used in code (a Chinese punctuation mark? use the ASCII one)"),
    (re.compile(r"invalid non-printable character (U\+\w+)"), "含有看不见的字符（{0}），请删除后重写这一行",
     "contains an invisible character ({0}); delete it and type the line again"),
    (re.compile(r"unterminated (?:triple-quoted )?string literal"), "引号没有闭合", "a quote is not closed"),
    (re.compile(r"'(.)' was never closed"), "括号“{0}”没有闭合", "the bracket '{0}' is never closed"),
    (re.compile(r"unmatched '(.)'"), "多了一个“{0}”", "there is an extra '{0}'"),
    (re.compile(r"closing parenthesis '(.)' does not match"), "括号不配对（“{0}”）", "brackets do not match ('{0}')"),
    (re.compile(r"too many nested parentheses"), "括号嵌套太深", "brackets are nested too deeply"),
    (re.compile(r"expected ':'"), "缺少冒号“:”", "a colon ':' is missing"),
    (re.compile(r"indent"), "缩进不正确", "the indentation is wrong"),
    (re.compile(r"invalid (?:decimal|hexadecimal|octal|binary) literal"), "数字写法有误（数字后紧跟了字母？）",
     "a number is written wrongly (a letter right after digits?)"),
    (re.compile(r"leading zeros"), "整数不能以 0 开头（如 08）", "whole numbers cannot start with 0 (like 08)"),
    (re.compile(r"cannot assign to|Maybe you meant '=='"), "这里不能赋值（比较是否相等请用 ==）",
     "nothing can be assigned here (compare with ==)"),
    (re.compile(r"Perhaps you forgot a comma"), "可能少了逗号", "a comma may be missing"),
    (re.compile(r"unexpected EOF|EOF while"), "代码不完整", "the code is incomplete"),
)
_STATEMENT_NAMES: Final = {"Nonlocal": "nonlocal", "AsyncFunctionDef": "async def", "Await": "await",
                           "AsyncFor": "async for", "AsyncWith": "async with", "Match": "match"}


def _zh(lang: str) -> bool:
    return lang == "zh"


def _one(text: str, lang: str) -> str:
    """One RestrictedPython complaint (without its line prefix) in the reader's words."""
    zh = _zh(lang)
    if match := _UNDERSCORE.search(text):
        name = match.group(1)
        return f"不允许使用以下划线开头的名称 {name}" if zh else \
            f"names starting with an underscore are not allowed ({name})"
    if (match := _ROLES.search(text)) or (match := _RESERVED.search(text)):
        name = match.group(1)
        return f"不允许使用名称 {name}" if zh else f"the name {name} is not allowed"
    if "is not allowed in model code" in text and text.startswith(("import", "try")):
        what = "import" if text.startswith("import") else "try/except"
        return f"不允许使用 {what}" if zh else f"{what} is not allowed"
    if "imports are not allowed" in text or "import statements are not allowed" in text.lower():
        return "不允许使用 import" if zh else "import is not allowed"
    if match := _STATEMENT.match(text):
        what = _STATEMENT_NAMES.get(match.group(1), match.group(1))
        return f"不允许使用 {what} 语句" if zh else f"{what} statements are not allowed"
    if text.startswith(("Exec calls", "Eval calls")):
        what = "exec()" if text.startswith("Exec") else "eval()"
        return f"不允许使用 {what}" if zh else f"{what} is not allowed"
    if "Unpacking in comprehensions" in text:
        return "推导式中不允许用 * 解包" if zh else "unpacking with * is not allowed in comprehensions"
    if "Augmented assignment" in text:
        return ("不允许对属性、列表元素或切片使用 += 等复合赋值（请写成 a[i] = a[i] + 1）" if zh
                else "+= and the like are not allowed on attributes, items or slices (write a[i] = a[i] + 1)")
    if "metaclass" in text:
        return "不允许使用 metaclass" if zh else "metaclass is not allowed"
    if "format width must be written out" in text:
        return "格式宽度必须直接写出数字" if zh else "a format width must be written out as a number"
    if match := _WIDTH_LIMIT.search(text):
        return f"格式宽度不能超过 {match.group(1)}" if zh else f"a format width may not exceed {match.group(1)}"
    if match := _SYNTAX.match(text):
        return _syntax(match.group("msg"), match.group("stmt"), lang)
    return "这段代码不能在平台上运行" if zh else "this code cannot run on the platform"


def _syntax(message: str, statement: str | None, lang: str) -> str:
    zh = _zh(lang)
    words = "语法错误" if zh else "syntax error"
    for pattern, zh_text, en_text in _SYNTAX_WORDS:
        found = pattern.search(message)
        if found:
            words += ("：" + zh_text.format(*found.groups())) if zh else (" (" + en_text.format(*found.groups()) + ")")
            break
    shown = (statement or "").strip()
    if len(shown) >= 2 and shown[0] == shown[-1] and shown[0] in "'\"":
        shown = shown[1:-1]
    if shown and len(shown) <= 80:
        words += f"（“{shown}”）" if zh else f' in "{shown}"'
    return words


def _located(line: int | None, text: str, lang: str) -> str:
    if line is None:
        return text
    return f"第 {line} 行：{text}" if _zh(lang) else f"line {line}: {text}"


def explain(errors: tuple[str, ...] | list[str], lang: str) -> str:
    """Turn RestrictedPython's English compile errors into short sentences for a clerk."""
    parts: list[str] = []
    for raw in errors:
        line_match = _LINE_PREFIX.match(raw)
        line = int(line_match.group(1)) if line_match else None
        parts.append(_located(line, _one(_LINE_PREFIX.sub("", raw), lang), lang))
    return ("；" if _zh(lang) else "; ").join(parts)


# ---- what compiles but the runtime refuses ------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Something the sandbox would refuse while a case runs, with its line in the code."""

    line: int | None
    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The refusal in the reader's language, with its line."""
        return _located(self.line, self.zh if _zh(lang) else self.en, lang)


class _Refused(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


_NOT_CONSTANT: Final = object()
_MAX_FOLDED = 64  # items in a written-out list worth computing; longer lists are data, not a trick


def _binds(node: ast.AST) -> str | None:
    """The name ``node`` binds, if any: the author's own names are never the missing builtin."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return node.id
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.arg):
        return node.arg
    return None


def _builtin_refusal(name: str) -> _Refused:
    if name == "print":
        return _Refused("不能用 print()：脚本没有输出的地方，要保存结果请赋值给变量",
                        "print() is not available: scripts have nowhere to print; assign the result to a variable")
    if name in _IO_NAMES:
        return _Refused(f"平台的脚本里没有 {name}()：脚本不能读写文件，也不能与外界交互",
                        f"{name}() is not available: scripts cannot read or write files or talk to the outside")
    if name in _INTROSPECTION:
        return _Refused(f"平台的脚本里没有 {name}()：不允许查看或改动程序内部",
                        f"{name}() is not available: scripts may not look into or change the program's insides")
    return _Refused(f"平台的脚本里没有 {name}()，请改用列表推导式、if 判断等基本写法",
                    f"{name}() is not available; use comprehensions, if and the other basic forms instead")


def _text_method_refusal(name: str) -> _Refused:
    formats = name in ("format", "format_map")
    hint = "（拼接文字请用 + 或 f\"…{变量}…\"）" if formats else ""
    return _Refused(f"文字的 .{name}() 方法在平台脚本里不可用{hint}",
                    f"the text method .{name}() is not available in scripts"
                    + (' (join text with + or f"…{name}…")' if formats else ""))


def _size_refusal(what_zh: str, what_en: str, size: int) -> _Refused:
    return _Refused(f"{what_zh}会得到 {size} 项，超过平台上限 {MAX_ITEMS} 项",
                    f"{what_en} would make {size} items, more than the limit of {MAX_ITEMS}")


def _zero() -> _Refused:
    return _Refused("除数为 0", "division by zero")


class _Folder:
    """Computes written-out constant sub-expressions through the runtime's own guards."""

    def __init__(self) -> None:
        self.memo: dict[int, Any] = {}
        self.guards: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
            ast.Pow: _GLOBALS["_pow_"], ast.Mult: _GLOBALS["_mul_"], ast.LShift: _GLOBALS["_lshift_"],
            ast.Mod: _GLOBALS["_mod_"],
        }
        self.plain: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
            ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Div: lambda a, b: a / b,
            ast.FloorDiv: lambda a, b: a // b, ast.RShift: lambda a, b: a >> b,
            ast.BitOr: lambda a, b: a | b, ast.BitAnd: lambda a, b: a & b, ast.BitXor: lambda a, b: a ^ b,
        }

    def value(self, node: ast.AST) -> Any:
        """The node's value when it is written out in full, else ``_NOT_CONSTANT``; raises _Refused."""
        key = id(node)
        if key not in self.memo:
            try:
                self.memo[key] = self._value(node)
            except _Refused as refused:
                self.memo[key] = refused
        found = self.memo[key]
        if isinstance(found, _Refused):
            raise found
        return found

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple) and len(node.elts) <= _MAX_FOLDED:
            items = [self.value(e) for e in node.elts]
            if any(i is _NOT_CONSTANT for i in items):
                return _NOT_CONSTANT
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.value(node.operand)
            if isinstance(operand, int | float) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
            return _NOT_CONSTANT
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node)
        return _NOT_CONSTANT

    def _binop(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if left is _NOT_CONSTANT or right is _NOT_CONSTANT:
            return _NOT_CONSTANT
        guard = self.guards.get(type(node.op))
        if guard is not None:
            return self._guarded(lambda: guard(left, right), type(node.op).__name__, [left, right])
        operation = self.plain.get(type(node.op))
        if operation is None:
            return _NOT_CONSTANT
        return self._guarded(lambda: operation(left, right), "plain", [left, right])

    def _call(self, node: ast.Call) -> Any:
        args = [self.value(a) for a in node.args]
        if any(a is _NOT_CONSTANT for a in args):
            return _NOT_CONSTANT
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("range", "pow"):
            builtin = _GLOBALS["__builtins__"][func.id]
            return self._guarded(lambda: builtin(*args), func.id, args)
        if isinstance(func, ast.Attribute) and func.attr not in REFUSED_TEXT_METHODS:
            receiver = self.value(func.value)
            if isinstance(receiver, str):  # 'x'.center(10**9) goes through the runtime's text-method guard
                return self._guarded(lambda: _GLOBALS["_getattr_"](receiver, func.attr)(*args), f".{func.attr}()",
                                     args)
        return _NOT_CONSTANT

    def _guarded(self, run: Callable[[], Any], what: str, args: list[Any]) -> Any:
        try:
            return run()
        except SandboxError:
            raise self._why(what, args) from None
        except ZeroDivisionError:
            raise _zero() from None
        except (TypeError, ValueError, OverflowError, AttributeError, IndexError, KeyError):
            return _NOT_CONSTANT  # a clash the runtime words itself; not this check's business

    @staticmethod
    def _why(what: str, args: list[Any]) -> _Refused:
        if what == "Mult":
            seq, times = (args[0], args[1]) if isinstance(args[1], int) else (args[1], args[0])
            if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
                return _size_refusal("重复（*）", "repeating with *", len(seq) * times)
            return _Refused("相乘的结果是一个大到平台不允许的整数",
                            "the product is a larger integer than the platform allows")
        if what == "range":
            try:
                size = len(range(*args))
            except (OverflowError, TypeError, ValueError):
                size = MAX_ITEMS + 1
            return _size_refusal("range()", "range()", size)
        if what.startswith("."):
            return _Refused(f"文字方法 {what} 的结果超过平台上限 {MAX_ITEMS} 个字符",
                            f"the text method {what} would make more than {MAX_ITEMS} characters")
        if what == "Mod":
            return _Refused("% 格式化的宽度超过平台上限", "the % format width is larger than the platform allows")
        return _Refused("乘方或移位的结果是一个大到平台不允许的数",
                        "the power or shift gives a larger number than the platform allows")


def runtime_refusals(source: str, mode: str) -> list[Refusal]:
    """What in ``source`` compiles but the sandbox refuses while a case runs, once per line and kind."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the compiler's own complaint says it better
    nodes = list(ast.walk(tree))
    bound = {name for node in nodes if (name := _binds(node)) is not None}
    folder = _Folder()
    found: list[Refusal] = []
    seen: set[tuple[int | None, str]] = set()

    def add(node: ast.AST, refused: _Refused) -> None:
        line = getattr(node, "lineno", None)
        if (line, refused.en) not in seen:
            seen.add((line, refused.en))
            found.append(Refusal(line, refused.zh, refused.en))

    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSED_BUILTINS \
                and node.func.id not in bound:
            # Only calls: a form field may well be called "type" or "input", but case data is never callable.
            add(node, _builtin_refusal(node.func.id))
        elif isinstance(node, ast.Attribute):
            receiver = node.value
            literal_text = isinstance(receiver, ast.JoinedStr) or (
                isinstance(receiver, ast.Constant) and isinstance(receiver.value, str))
            if (literal_text and node.attr in REFUSED_TEXT_METHODS) or node.attr in _TEXT_ONLY:
                add(node, _text_method_refusal(node.attr))
            elif isinstance(receiver, ast.Constant) and isinstance(receiver.value, bytes):
                add(node, _Refused("bytes 的方法在平台脚本里不可用", "methods of bytes are not available in scripts"))
        if isinstance(node, ast.BinOp | ast.Call):
            try:
                folder.value(node)
            except _Refused as refused:
                add(node, refused)
    return found


# ---- the checks the rules call -----------------------------------------------------------------------


_CACHED_CHARS = 2_000  # short code is what repeats; long scripts are not kept in a long-lived worker's memory


def _check(source: str, mode: str, lang: str) -> str | None:
    if len(source) <= _CACHED_CHARS:
        return _check_cached(source, mode, lang)
    return _check_now(source, mode, lang)


@lru_cache(maxsize=1024)
def _check_cached(source: str, mode: str, lang: str) -> str | None:
    # A flowchart repeats the same condition or script on many arrows and steps.
    return _check_now(source, mode, lang)


def _check_now(source: str, mode: str, lang: str) -> str | None:
    try:
        errors = compile_errors(source, mode)
    except (RecursionError, MemoryError):
        return ("代码太长或嵌套太深，平台无法处理，请拆成几步简单的语句" if _zh(lang)
                else "the code is too long or nested too deeply to handle; split it into a few simple steps")
    if errors:
        return explain(errors, lang)
    refusals = runtime_refusals(source, mode)
    if refusals:
        return ("；" if _zh(lang) else "; ").join(r.text(lang) for r in refusals)
    return None


def check_script(source: str, lang: str) -> str | None:
    """Return a plain explanation if ``source`` would not run in the sandbox, else None."""
    return _check(source, "exec", lang)


def check_expression(source: str, lang: str) -> str | None:
    """Return a plain explanation if the expression ``source`` would not compile or run in the sandbox."""
    return _check(source, "eval", lang)


__all__ = [
    "OFFERED_BUILTINS",
    "REFUSED_BUILTINS",
    "REFUSED_TEXT_METHODS",
    "Refusal",
    "check_expression",
    "check_script",
    "explain",
    "runtime_refusals",
]
