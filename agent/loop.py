"""The optimization loop as a LangGraph graph: analyse -> propose -> evaluate -> decide -> (repeat | end).

Decisions are plain code, never the LLM: which verified candidate is best, and when to stop
(candidate budget, wall-time budget, token budget, target speedup, or no improvement for K rounds).
Every candidate goes through the judge (`kopt.tools.judge.check`); checks of one round run in a
small thread pool (each check is its own pair of sandboxed processes), and everything is recorded
in the run store as it happens, so a run killed at any moment resumes without losing or re-paying
anything.

Ranking: kopt.ranking, the one definition of "best" (a speedup on a GPU, a documented proxy on
the CPU) that the re-verification, the run store, `kopt show` and the written header share.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from kopt import ranking
from kopt.agent.proposers import ProposeContext


@dataclass
class Budget:
    candidates: int = 8
    seconds: float | None = None
    tokens: int | None = None
    target_speedup: float | None = None
    patience: int = 3          # rounds without improvement before stopping


class LoopState(TypedDict, total=False):
    round: int
    best_id: int | None
    no_improve: int
    stop_reason: str | None


class Loop:
    def __init__(self, *, problem: Path, store, proposer, check_fn, budget: Budget, lanes: int, device: str,
                 jobs: int = 1, on_event=None):
        self.problem, self.store, self.proposer, self.check_fn = problem, store, proposer, check_fn
        self.budget, self.lanes, self.device, self.jobs = budget, lanes, device, jobs
        self.on_event = on_event or (lambda kind, **kw: None)
        self.t0 = time.monotonic() - float(store.meta().get("elapsed_s", 0.0))
        self.cpu = device == "cpu"

    # ------------------------------------------------------------------ graph
    def graph(self):
        from langgraph.graph import END, StateGraph
        g = StateGraph(LoopState)
        g.add_node("analyse", self.analyse)
        g.add_node("propose_and_evaluate", self.propose_and_evaluate)
        g.add_node("decide", self.decide)
        g.set_entry_point("analyse")
        g.add_edge("analyse", "propose_and_evaluate")
        g.add_edge("propose_and_evaluate", "decide")
        g.add_conditional_edges("decide", lambda s: END if s.get("stop_reason") else "propose_and_evaluate")
        return g.compile()

    def run(self) -> LoopState:
        meta = self.store.meta()
        state: LoopState = {"round": int(meta.get("round", 0)), "best_id": meta.get("best_id"),
                            "no_improve": int(meta.get("no_improve", 0)), "stop_reason": None}
        return self.graph().invoke(state, {"recursion_limit": 10_000})

    # ------------------------------------------------------------------ nodes
    def analyse(self, state: LoopState) -> LoopState:
        meta = self.store.meta()
        counting = None
        if meta.get("analysis") is None:  # once per run (a resumed run has it): FLOPs, bytes, roofline,
            from kopt.tools.analysis import loop_analysis  # counted in a worker of its own meanwhile
            counting = ThreadPoolExecutor(max_workers=1)
            analysis = counting.submit(loop_analysis, self.problem)
        try:
            if meta.get("reference_ms") is None:
                self.on_event("phase", text="measuring the reference")
                v = self.check_fn(None)  # the problem's own Model as a candidate: reference time, sanity
                if v["status"] != "correct":
                    raise RuntimeError(f"the reference does not check against itself: {v['reason']}")
                self.store.update_meta(reference_ms=v["reference_ms"], interpreted=bool(v.get("isolation", {}).get("interpreted")),
                                       versions=v.get("versions"), device=v.get("device"), inputs=v.get("inputs"),
                                       outputs=v.get("outputs"), sizes=(v.get("sizes") or {}).get("note"))
        finally:
            if counting is not None:
                self.store.update_meta(analysis=analysis.result())
                counting.shutdown()
        # Anything added but never judged (the previous process was killed mid-check) is judged first.
        pending = self.store.pending()
        if pending:
            self.on_event("phase", text=f"resuming: judging {len(pending)} unjudged candidate(s)")
            self._evaluate([(row["id"], Path(row["path"])) for row in pending])
        return {}

    def propose_and_evaluate(self, state: LoopState) -> LoopState:
        rnd = state["round"]
        left = self.budget.candidates - len(self.store.candidates())
        n = max(0, min(self.lanes, left))
        ctx = self._context(rnd, n)
        self.on_event("round", round=rnd + 1, lanes=n)
        proposals = self.proposer.propose(ctx) if n else []
        todo = []
        for p in proposals:
            if p.source is None:
                self.on_event("no_code", lane=p.lane, reason=p.error)
                continue
            cid, new = self.store.add_candidate(rnd, p.lane, p.source, p.origin, p.parent)
            if new:
                todo.append((cid, Path(self.store.candidate(cid)["path"])))
            else:
                self.on_event("duplicate", lane=p.lane, cid=cid)
        self._evaluate(todo)
        self.store.update_meta(round=rnd + 1, elapsed_s=time.monotonic() - self.t0)
        exhausted = n > 0 and not proposals
        reason = getattr(self.proposer, "done_reason", None) or "the proposer has nothing more"
        return {"round": rnd + 1, "stop_reason": reason if exhausted else None}

    def decide(self, state: LoopState) -> LoopState:
        best = ranking.best(self.store.candidates(), self.cpu)
        best_id = best["id"] if best else None
        improved = best_id is not None and best_id != state.get("best_id")
        no_improve = 0 if improved else state.get("no_improve", 0) + 1
        self.store.update_meta(best_id=best_id, no_improve=no_improve)
        if best:
            self.on_event("best", row=best)
        stop = state.get("stop_reason")
        usage = self.store.usage()
        tokens = usage["prompt_tokens"] + usage["completion_tokens"]
        if stop:
            pass
        elif len(self.store.candidates()) >= self.budget.candidates:
            stop = f"candidate budget of {self.budget.candidates} reached"
        elif self.budget.seconds is not None and time.monotonic() - self.t0 >= self.budget.seconds:
            stop = f"time budget of {self.budget.seconds:g} s reached"
        elif self.budget.tokens is not None and tokens >= self.budget.tokens:
            stop = f"token budget of {self.budget.tokens} reached ({tokens} used)"
        elif (self.budget.target_speedup and best and not self.cpu
              and (best.get("speedup") or 0) >= self.budget.target_speedup):
            stop = f"target speedup {self.budget.target_speedup:g}x reached"
        elif no_improve >= self.budget.patience:
            stop = f"no improvement for {no_improve} rounds"
        return {"best_id": best_id, "no_improve": no_improve, "stop_reason": stop}

    # ------------------------------------------------------------------ helpers
    def _evaluate(self, todo: list[tuple[int, Path]]):
        if not todo:
            return

        def one(item):
            cid, path = item
            self.on_event("checking", cid=cid)
            v = self.check_fn(path)
            self.store.record_verdict(cid, v)
            self.on_event("verdict", cid=cid, verdict=v)

        with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as pool:
            list(pool.map(one, todo))

    def _context(self, rnd: int, n: int) -> ProposeContext:
        meta = self.store.meta()
        rows = self.store.candidates()
        with_src = lambda r: {**r, "source": Path(r["path"]).read_text()} if r else None
        best = next((r for r in rows if r["id"] == meta.get("best_id")), None)
        last_by_lane = {}
        for r in rows:
            last_by_lane[r["lane"]] = r
        return ProposeContext(round=rnd, n=n, problem_name=self.problem.name, problem_source=self.problem.read_text(),
                              device=self.device, interpreted=bool(meta.get("interpreted")),
                              reference_ms=meta.get("reference_ms"), best=with_src(best),
                              inputs=meta.get("inputs") or [], outputs=meta.get("outputs") or "",
                              last_by_lane={k: with_src(v) for k, v in last_by_lane.items()}, recent=rows[-8:],
                              analysis=meta.get("analysis"))
