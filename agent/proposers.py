"""Proposers: where candidate files come from. One small interface, chosen with `--proposer`.

- `replay`: candidate files read from a directory, in name order (re-evaluation, and tests).
- `llm`: an OpenAI-compatible chat model. Each lane refines its own line: its prompt carries the
  problem, the best verified candidate so far with its time, the lane's own last attempt with its
  verdict (compiler output and mismatches clipped), and a table of recent attempts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from kopt.agent.extract import explain_missing, extract_code
from kopt.prompts import render
from kopt.tools.analysis import prompt_view

CLIP = 1500  # characters of an error shown back to the model: enough to act on, not a flood


@dataclass
class Proposal:
    lane: int
    source: str | None
    origin: str                     # "replay:<file>", "llm", ...
    error: str | None = None        # why no source (the model gave no usable code)
    parent: int | None = None       # candidate id this lane refined


@dataclass
class ProposeContext:
    round: int
    n: int                          # lanes wanted this round
    problem_name: str
    problem_source: str
    device: str
    interpreted: bool
    reference_ms: float | None
    best: dict | None = None        # candidate row + "source"
    inputs: list = field(default_factory=list)         # input descriptions as the judge made them
    outputs: str = ""
    last_by_lane: dict = field(default_factory=dict)   # lane -> candidate row + "source"
    recent: list = field(default_factory=list)         # candidate rows, newest last
    analysis: dict | None = None                       # roofline of the problem (kopt.tools.analysis)


@runtime_checkable
class Proposer(Protocol):
    """What the loop asks of every proposer (kopt.agent.factory makes them)."""
    name: str
    done_reason: str | None   # why it has nothing more, when that is worth telling

    def propose(self, ctx: ProposeContext) -> list[Proposal]:
        """Up to ctx.n proposals for this round; an empty list means it has nothing more."""
        ...


class ReplayProposer:
    name = "replay"
    done_reason = None

    def __init__(self, directory: str | Path):
        self.files = sorted(p for p in Path(directory).glob("*.py"))
        if not self.files:
            raise ValueError(f"the replay directory {directory} holds no .py files")

    def propose(self, ctx: ProposeContext) -> list[Proposal]:
        start = ctx.round * ctx.n
        return [Proposal(lane=i, source=f.read_text(), origin=f"replay:{f.name}")
                for i, f in enumerate(self.files[start:start + ctx.n])]


def clip(text: str | None, limit: int = CLIP) -> str:
    if not text:
        return ""
    text = text.strip()
    return text if len(text) <= limit else text[: limit // 3] + "\n[...]\n" + text[-(2 * limit) // 3:]


def attempt_note(row: dict) -> str:
    """One table-cell summary of a verdict."""
    v = row.get("verdict") or {}
    note = v.get("reason") or ""
    return clip(note, 120).replace("|", "/").replace("\n", " ")


class LLMProposer:
    """Asks the model for one candidate per lane; replies are stored, so a resumed run never pays twice."""

    name = "llm"
    done_reason = None

    def __init__(self, client, store, max_repairs: int = 1, on_event=None):
        self.client, self.store, self.max_repairs = client, store, max_repairs
        self.on_event = on_event or (lambda kind, **kw: None)

    def messages_for(self, ctx: ProposeContext, lane: int) -> list[dict]:
        last = ctx.last_by_lane.get(lane)
        last_view = None
        if last:
            v = last.get("verdict") or {}
            err = v.get("error") or {}
            last_view = {"id": last["id"], "status": v.get("status", "?"), "reason": clip(v.get("reason"), 600),
                         "error": clip((err.get("traceback") or "") + "\n" + (err.get("output") or "")) or None}
        best = ctx.best
        best_view = ({"id": best["id"], "speedup": best.get("speedup"), "candidate_ms": best.get("candidate_ms"),
                      "source": best["source"]} if best else None)
        recent = [{"id": r["id"], "lane": r["lane"], "status": r.get("status") or "?", "speedup": r.get("speedup"),
                   "note": attempt_note(r)} for r in ctx.recent[-8:]]
        user = render("propose", problem_name=ctx.problem_name, problem_source=ctx.problem_source.strip(),
                      reference_ms=ctx.reference_ms, device=ctx.device, interpreted=ctx.interpreted,
                      inputs=ctx.inputs, outputs=ctx.outputs,
                      best=best_view, last=last_view, recent=recent,
                      analysis=prompt_view(ctx.analysis, ctx.reference_ms, ctx.best, last, ctx.device))
        return [{"role": "system", "content": render("system")}, {"role": "user", "content": user}]

    def propose(self, ctx: ProposeContext) -> list[Proposal]:
        out = []
        for lane in range(ctx.n):
            messages = self.messages_for(ctx, lane)
            parent = (ctx.last_by_lane.get(lane) or {}).get("id")
            source, error = None, None
            for attempt in range(self.max_repairs + 1):
                reply = self._ask(ctx.round, lane, attempt, messages)
                source = extract_code(reply["reply_text"])
                if source:
                    break
                error = explain_missing(reply["reply_text"])
                truncated = reply["finish_reason"] == "length"
                self.on_event("repair", lane=lane, reason=error, truncated=truncated)
                messages = messages + [{"role": "assistant", "content": reply["reply_text"]},
                                       {"role": "user", "content": render("repair", reason=error, truncated=truncated)}]
            out.append(Proposal(lane=lane, source=source, origin="llm", error=None if source else error, parent=parent))
        return out

    def _ask(self, rnd: int, lane: int, attempt: int, messages: list[dict]) -> dict:
        stored = self.store.llm_call(rnd, lane, attempt)
        if stored is not None:  # resumed run: this reply was paid for already
            return stored
        self.on_event("llm_start", lane=lane, attempt=attempt)
        r = self.client.chat(messages)
        self.store.record_llm_call(rnd, lane, messages, r.text, r.finish_reason, r.prompt_tokens,
                                   r.completion_tokens, r.model, r.elapsed_s,
                                   usage_estimated=getattr(r, "usage_estimated", False))
        self.on_event("llm_done", lane=lane, tokens=r.prompt_tokens + r.completion_tokens,
                      prompt_tokens=r.prompt_tokens, completion_tokens=r.completion_tokens,
                      finish_reason=r.finish_reason)
        return {"reply_text": r.text, "finish_reason": r.finish_reason}
