"""Prompt templates for the LLM proposer (Jinja2, StrictUndefined: a missing field is an error,
never an empty hole in a prompt)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _env():
    import jinja2
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE)), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context) -> str:
    """Render `prompts/<name>.j2` with `context`."""
    return _env().get_template(f"{name}.j2").render(**context)
