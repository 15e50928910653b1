"""Extracting the one candidate file from messy LLM replies, and saying why when we cannot."""
from __future__ import annotations

import textwrap

from kopt.agent.extract import explain_missing, extract_code

GOOD = textwrap.dedent('''\
    import torch
    import torch.nn as nn

    class ModelNew(nn.Module):
        def forward(self, x):
            return torch.relu(x) * 2.0
    ''').rstrip()

FAKE = textwrap.dedent('''\
    import torch
    class ModelNew:
        FAKE = True
    ''').rstrip()


def fenced(code: str, tag: str = "python", fence: str = "```") -> str:
    return f"{fence}{tag}\n{code}\n{fence}"


def test_single_python_block():
    reply = f"Here is the kernel.\n\n{fenced(GOOD)}\n\nIt fuses relu and scale."
    assert extract_code(reply) == GOOD
    assert explain_missing(reply) == ""


def test_py_plain_and_tilde_fences():
    for tag, fence in (("py", "```"), ("", "```"), ("python", "~~~"), ("", "~~~~"), ("python3", "````")):
        reply = f"Sure:\n{fenced(GOOD, tag, fence)}\n"
        assert extract_code(reply) == GOOD, (tag, fence)


def test_info_string_after_language_and_crlf():
    reply = ("```python title=model_new.py\n" + GOOD + "\n```\n").replace("\n", "\r\n")
    assert extract_code(reply) == GOOD


def test_strips_trailing_whitespace_and_leading_blank_lines():
    reply = f"```python\n\n\n{GOOD}   \n\n   \n```"
    assert extract_code(reply) == GOOD


def test_think_block_with_fake_code_is_ignored():
    reply = (f"<think>\nLet me draft.\n{fenced(FAKE)}\nHmm, and a later draft:\n{fenced(FAKE)}\n</think>\n"
             f"Final answer:\n{fenced(GOOD)}")
    assert extract_code(reply) == GOOD


def test_think_block_only_fake_code_gives_none():
    reply = f"<think>\n{fenced(FAKE)}\n</think>\nI could not find a faster kernel."
    assert extract_code(reply) is None
    assert "no ```python code block defining class ModelNew" in explain_missing(reply)


def test_unclosed_think_at_start_runs_until_code_fence():
    reply = f"<think>\nThe user wants class ModelNew; I will write it.\nimport torch is needed.\n{fenced(GOOD)}"
    assert extract_code(reply) == GOOD


def test_unclosed_think_without_any_code():
    reply = "<think>\nclass ModelNew should use a fused kernel, let me think about tiling..."
    assert extract_code(reply) is None
    assert "<think>" in explain_missing(reply)


def test_stray_closing_think_tag_drops_the_reasoning_before_it():
    # Templates that put <think> in the prompt give replies starting mid-thought.
    reply = f"draft:\n{fenced(FAKE)}\n</think>\n\n{fenced(GOOD)}"
    assert extract_code(reply) == GOOD
    assert extract_code(f"reasoning, no code\n</think>\n{fenced(GOOD)}") == GOOD


def test_two_blocks_only_second_has_modelnew():
    original = fenced("def forward(x):\n    return x")
    reply = f"The original:\n{original}\nOptimized:\n{fenced(GOOD)}"
    assert extract_code(reply) == GOOD


def test_two_blocks_only_first_has_modelnew():
    reply = f"{fenced(GOOD)}\nRun it with:\n{fenced('python bench.py', 'bash')}"
    assert extract_code(reply) == GOOD


def test_last_modelnew_block_wins():
    reply = f"Draft:\n{fenced(FAKE)}\nImproved:\n{fenced(GOOD)}\nDone."
    assert extract_code(reply) == GOOD


def test_non_python_tag_counts_only_if_it_parses():
    diff = "--- a\n+++ b\n class ModelNew:\n-    pass"
    assert extract_code(fenced(diff, "diff")) is None
    assert extract_code(fenced(GOOD, "text")) == GOOD


def test_blocks_without_modelnew_give_none():
    model = fenced("import torch\nclass Model:\n    pass")
    reply = f"{model}\nclass ModelNew is above."
    assert extract_code(reply) is None
    assert explain_missing(reply) == "your reply had no ```python code block defining class ModelNew"


def test_unclosed_final_fence_that_parses():
    reply = f"Here you go:\n```python\n{GOOD}\n"
    assert extract_code(reply) == GOOD
    assert explain_missing(reply) == ""


def test_unclosed_final_fence_that_does_not_parse():
    cut = GOOD[: GOOD.index("relu(") + 5]  # cut off inside a call: "relu("
    reply = f"Here you go:\n```python\n{cut}"
    assert extract_code(reply) is None
    assert "cut off" in explain_missing(reply)


def test_unclosed_final_block_before_modelnew_after_complete_one():
    # The complete earlier block is used when the cut-off one never reached ModelNew.
    reply = f"{fenced(GOOD)}\nAnd a test:\n```python\nimport torch\nx = torch.randn(4"
    assert extract_code(reply) == GOOD


def test_unclosed_block_that_never_reached_modelnew():
    reply = "```python\nimport torch\nimport triton\n\n@triton.jit\ndef kernel(x_ptr"
    assert extract_code(reply) is None
    assert "cut off" in explain_missing(reply)


def test_plain_text_no_code():
    reply = "I think the existing implementation is already optimal."
    assert extract_code(reply) is None
    assert explain_missing(reply) == "your reply had no ```python code block defining class ModelNew"


def test_empty_reply():
    for reply in ("", "   \n", None):
        assert extract_code(reply) is None
        assert explain_missing(reply) == "your reply was empty"


def test_no_fences_raw_code():
    reply = f"Here is the code:\n{GOOD}\n"
    assert extract_code(reply) == GOOD


def test_no_fences_raw_code_that_does_not_parse():
    reply = f"Here is the code:\n{GOOD}\nThis fuses the two ops."
    assert extract_code(reply) is None
    assert "does not parse" in explain_missing(reply)


def test_no_fences_mention_only():
    reply = "import statements aside, class ModelNew would subclass nn.Module."
    assert extract_code(reply) is None


def test_closed_block_that_does_not_parse_is_returned_with_reason():
    bad = GOOD.replace("def forward(self, x):", "def forward(self, x)")
    reply = fenced(bad)
    assert extract_code(reply) == bad  # the compile step reports it in full
    msg = explain_missing(reply)
    assert msg.startswith("the code does not parse: ") and "at line 5" in msg


def test_indented_block_in_list_item_is_dedented():
    body = textwrap.indent(GOOD, "   ")
    reply = f"1. Write the file:\n   ```python\n{body}\n   ```\n2. Run it."
    assert extract_code(reply) == GOOD


def test_backticks_inside_code_do_not_end_block_early():
    code = GOOD + '\n\nDOC = """use ``` fences"""'
    assert extract_code(fenced(code)) == code
