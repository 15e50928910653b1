"""Pull one candidate file (defining `class ModelNew`) out of an LLM reply.

Replies are messy: reasoning models wrap drafts in <think> blocks, models show a
"before" snippet and then the real file, and replies get cut off at the token
limit.  The rules here are deliberately simple and deterministic so that a bad
reply leads to a precise repair prompt (see `explain_missing`) instead of a
guess: we never stitch fragments together and never "fix" code.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["extract_code", "explain_missing"]

# `class ModelNew` as a real statement at the start of a line, so that prose
# such as "I will write class ModelNew next" does not count.
_MODELNEW = re.compile(r"^[ \t]*class[ \t]+ModelNew\b", re.MULTILINE)
# Closed reasoning blocks anywhere.  Some models spell the tag differently.
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"^\s*<(think|thinking|reasoning)>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(think|thinking|reasoning)>", re.IGNORECASE)
# Opening fence: 3+ backticks or tildes, then an optional info string.  Any
# indentation is allowed because models put code blocks inside list items.
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
# Info-string languages we treat as Python; an empty tag counts too.
_PY_TAGS = {"", "python", "python3", "py", "py3", "ipython", "python-triton", "triton"}
_CODE_START = re.compile(r"^(import|from)[ \t]", re.MULTILINE)


@dataclass
class _Block:
    code: str
    lang: str
    closed: bool


@dataclass
class _Result:
    code: str | None
    reason: str  # empty when `code` is usable and parses


def extract_code(reply: str) -> str | None:
    """The candidate source from `reply`, or None when nothing usable is there.

    A complete code block is returned even if it does not parse: the caller's
    compile step reports the error to the model with full detail.  A cut-off
    block is returned only if it parses, since truncated code is otherwise
    certain to be garbage.
    """
    return _analyse(reply).code


def explain_missing(reply: str) -> str:
    """One sentence saying why `extract_code` found nothing usable in `reply`
    (or why the extracted code does not parse), for the repair prompt.
    Returns "" when the reply holds a code block that parses."""
    return _analyse(reply).reason


def _analyse(reply: str | None) -> _Result:
    text = (reply or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return _Result(None, "your reply was empty")
    text, ended_in_thought = _strip_thinking(text)
    if ended_in_thought:
        return _Result(None, "your reply ended inside a <think> block before any "
                             "```python code block defining class ModelNew")
    blocks = _fenced_blocks(text)
    if not blocks:
        return _unfenced(text)

    candidates = [b for b in blocks if _MODELNEW.search(b.code) and _looks_python(b)]
    if not candidates:
        if blocks[-1].closed is False and not _MODELNEW.search(blocks[-1].code):
            # A cut-off block may simply not have reached the class yet.
            return _Result(None, "the code block was cut off before it defined class ModelNew; "
                                 "reply with the complete file in one ```python block")
        return _Result(None, "your reply had no ```python code block defining class ModelNew")
    best = candidates[-1]  # later blocks are revisions of earlier drafts
    code = _tidy(best.code)
    err = _syntax_error(code)
    if not best.closed:
        if err is not None:
            return _Result(None, "the code block was cut off before its closing fence "
                                 "(the reply was probably too long); reply with a shorter, complete file")
        return _Result(code, "")
    return _Result(code, "" if err is None else f"the code does not parse: {err}")


def _strip_thinking(text: str) -> tuple[str, bool]:
    """Remove reasoning; the bool is True when the reply is all unfinished reasoning."""
    text = _THINK_BLOCK.sub("", text)
    if _THINK_OPEN.match(text):
        # Unclosed <think> at the start: the reasoning never ended, so the
        # best guess for where the answer starts is the first code fence.
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if _FENCE_OPEN.match(line):
                return "\n".join(lines[i:]), False
        return "", True
    close = _THINK_CLOSE.search(text)
    if close:
        # A stray closing tag with no opening one: some chat templates put
        # `<think>` in the prompt, so the reply starts mid-thought.
        text = text[close.end():]
    return text, False


def _fenced_blocks(text: str) -> list[_Block]:
    """CommonMark-style fenced blocks; an unclosed final one runs to the end."""
    blocks: list[_Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], len(m["indent"].expandtabs(4))
        lang = (m["info"].split() or [""])[0].lower()
        close = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
        body: list[str] = []
        i += 1
        while i < len(lines) and not close.match(lines[i]):
            body.append(_dedent_line(lines[i], indent))
            i += 1
        closed = i < len(lines)
        blocks.append(_Block("\n".join(body), lang, closed))
        i += 1
    return blocks


def _dedent_line(line: str, n: int) -> str:
    # Remove up to the fence's own indentation, as CommonMark does, so code
    # inside an indented list item comes out at column 0.
    k = 0
    while k < n and k < len(line) and line[k] == " ":
        k += 1
    return line[k:]


def _looks_python(b: _Block) -> bool:
    # An unusual tag (```diff, ```text) only counts when the body is real Python.
    return b.lang in _PY_TAGS or b.lang.startswith("python") or _syntax_error(_tidy(b.code)) is None


def _unfenced(text: str) -> _Result:
    """No fences at all: accept raw code only if it parses from its first import."""
    if not _MODELNEW.search(text):
        return _Result(None, "your reply had no ```python code block defining class ModelNew")
    start = _CODE_START.search(text)
    if start is None or start.start() > _MODELNEW.search(text).start():
        return _Result(None, "your reply had no ```python code block defining class ModelNew")
    code = _tidy(text[start.start():])
    err = _syntax_error(code)
    if err is not None:
        return _Result(None, "your reply had no ```python code block defining class ModelNew "
                             f"(the unfenced code does not parse: {err})")
    return _Result(code, "")


def _tidy(code: str) -> str:
    # Leading blank lines and trailing whitespace only; indentation is meaning.
    return code.lstrip("\n").rstrip()


def _syntax_error(code: str) -> str | None:
    try:
        ast.parse(code)
    except SyntaxError as e:
        return f"{e.msg} at line {e.lineno}"
    except (ValueError, RecursionError) as e:  # null bytes, absurd nesting
        return str(e) or type(e).__name__
    return None
