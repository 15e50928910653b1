"""Making the proposer `--proposer` names: one factory that returns a Proposer or raises ProposerError.

`auto` is the LLM seeded with the built-in compiler's best guess when a model is configured, and
the built-in compiler alone (offline, no key) when none is. `check_setup` runs the same decisions
without building anything, so a misconfigured run fails before its run directory exists.
"""
from __future__ import annotations

from kopt.agent.proposers import Proposer


class ProposerError(Exception):
    """The named proposer cannot be made; the message says what to set."""


def check_setup(opts: dict) -> None:
    """Resolve `auto` in opts (to `builtin` when no model is configured) and check the chosen
    proposer's setup; raises ProposerError."""
    _decide(opts, build=False)


def make_proposer(opts: dict, store, on_event=None) -> Proposer:
    return _decide(opts, build=True, store=store, on_event=on_event)


def _decide(opts: dict, build: bool, store=None, on_event=None):
    from kopt.agent.llm import LLMClient, LLMError, resolve_config
    from kopt.agent.proposers import LLMProposer, ReplayProposer
    kind = opts["proposer"]
    if kind == "auto":
        try:
            _config(opts, resolve_config)
        except LLMError:
            kind = opts["proposer"] = "builtin"  # no model configured: the compiler works alone, offline
    if kind == "builtin":
        from kopt.agent.fusion.proposer import BuiltinProposer
        return BuiltinProposer(opts["problem"], opts["device"], on_event=on_event) if build else None
    if kind == "replay":
        if not opts.get("replay_dir"):
            raise ProposerError("--proposer replay needs --replay-dir DIR")
        try:
            proposer = ReplayProposer(opts["replay_dir"])
        except ValueError as e:
            raise ProposerError(str(e)) from None
        return proposer if build else None
    try:
        cfg = _config(opts, resolve_config)
    except LLMError as e:
        raise ProposerError(str(e)) from None
    if not build:
        return None
    llm = LLMProposer(LLMClient(cfg), store, on_event=on_event)
    if kind == "auto":
        from kopt.agent.fusion.proposer import BuiltinProposer, SeededProposer
        return SeededProposer(BuiltinProposer(opts["problem"], opts["device"], on_event=on_event), llm)
    return llm


def _config(opts: dict, resolve_config):
    return resolve_config(model=opts.get("model"), base_url=opts.get("base_url"), config_path=opts.get("config"))
