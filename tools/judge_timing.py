"""The judge's timing schedule: interleaved rounds of reference and candidate calls, timed with
kopt.tools.timing inside each worker and cross-checked on this process's own clock.

Timed candidate calls are ordinary `run` calls of the candidate worker (the same path as checked
ones) whose inputs are fresh mixes of earlier contents in the same buffers; after each batch the
judge picks, now that the calls have returned, which of their outputs are verified.
"""
from __future__ import annotations

import time

from kopt.tools.judge_session import Stop
from kopt.tools.timing import summarize


class Timing:
    """Mixed into the Check (tools/judge.py)."""

    def timing(self):
        with self.phase("timing"):
            cuda = self.device.startswith("cuda")
            per_call = max(sorted(self.call_ms)[len(self.call_ms) // 2], 1e-3) / 1e3  # median: one slow call is noise
            left = self.deadline - time.monotonic()
            # CPU times (interpreted Triton above all) say little, so they get a small budget;
            # a slow candidate gets few trials, and a third of what is left stays in reserve.
            budget = max(0.0, min(left / 3, 3.0 if cuda else 0.5))
            n_total = int(budget / (2 * per_call)) if per_call > 0 else 0
            # Two interleaved rounds at the least; on the CPU one slow call per round is enough
            # to rank (and the verdict says these times mean nothing for a GPU).
            n_total = max(4 if cuda or per_call < 0.05 else 2, min(n_total, 200 if cuda else 20))
            rounds = 5 if cuda and n_total >= 50 else 2
            per_round = max(1, n_total // rounds)
            ref_ms, cand_ms, charged = [], [], 0
            walls = {"ref": 0.0, "cand": 0.0}
            warm = 1 if cuda else 0
            for r in range(rounds):
                order = ("ref", "cand") if r % 2 == 0 else ("cand", "ref")
                for who in order:
                    # Random batch lengths: no call position is safe to cheat on, since any call
                    # may end its batch (and the last output of every batch is checked).
                    k = self.rng.randint(1, 2 * per_round - 1) if who == "cand" else per_round
                    schedule = [[self.rng.randrange(2), self.rng.randrange(1, 1 << 30)] for _ in range(k)]
                    t = time.monotonic()
                    if who == "ref":
                        h = self.ask(self.ref, {"op": "time", "schedule": schedule}, what="timing").header
                    else:
                        h = self.ask(self.cand, {"op": "run", "schedule": schedule, "send": False, "warmup": warm},
                                     what="timing", max_payload=self.reply_cap()).header
                    walls[who] += (time.monotonic() - t) * 1e3
                    (ref_ms if who == "ref" else cand_ms).extend(h["ms"])
                    if who == "cand":
                        charged += h.get("host_charged", 0)
                        self.findings(h.get("findings"), "timing")
                        self.note_kernels(h.get("kernels") or [], "timing")
                        self._verify_batch(h, len(cand_ms))
            self.v.timing = {"reference": summarize(ref_ms), "candidate": summarize(cand_ms),
                             "reference_trials_ms": ref_ms, "candidate_trials_ms": cand_ms,
                             "rounds": rounds, "host_charged_trials": charged,
                             "clock": "cuda events (host clock where work outlived forward)" if cuda else "host wall clock"}
            if charged:
                self.v.warnings.append(f"{charged} timed call(s) left GPU work running after forward returned; "
                                       "they were charged the full time until the device was idle")
            # Judge-clock cross-checks: nothing the worker reports can exceed what we saw pass.
            for who, ms in (("ref", ref_ms), ("cand", cand_ms)):
                if sum(ms) > walls[who] * 1.02 + 1.0:
                    raise Stop("rejected", f"the {'candidate' if who == 'cand' else 'reference'} worker reported "
                               f"{sum(ms):.1f} ms of timed work in {walls[who]:.1f} ms of judge time")
            self.judge_clock(walls, {"ref": len(ref_ms), "cand": len(cand_ms)})

    def _verify_batch(self, h: dict, done: int):
        """The batch's last call and up to two random earlier ones, chosen after they returned."""
        kept = h.get("kept") or []
        n = len(h["ms"])
        for idx in [-1] + self.rng.sample(kept, min(2, len(kept))):
            got = self.ask(self.cand, {"op": "kept", "index": idx}, what="returning a timed output",
                           max_payload=self.reply_cap())
            slot, mix = got.header["key"]
            self.verify(got, slot, mix, f"timed call {done - n + (idx % n) + 1}", require_inputs=idx == -1)

    def judge_clock(self, walls: dict, counts: dict):
        """Each side's time per call on this process's clock; a faked in-worker timer shows up here.

        Back-to-back calls with one sync at the end; for slow CPU calls the timing batches
        themselves already are such a measurement (their refresh copies are tiny beside them).
        A busy machine only ever makes the judge's clock read *longer*, so a suspicious ratio is
        measured again and the smallest estimate counts: load alone never convicts.
        """
        medians = {"ref": self.v.timing["reference"]["median"] or 1.0,
                   "cand": self.v.timing["candidate"]["median"] or 1.0}
        workers = {"ref": self.ref, "cand": self.cand}
        est, calls = {}, {}
        for who in ("ref", "cand"):
            if not self.device.startswith("cuda") and medians[who] > 20 and counts[who]:
                est[who], calls[who] = walls[who] / counts[who], 0
            else:
                est[who], calls[who] = self._bulk_estimate(workers[who], medians[who])
        ratio = lambda who: medians[who] / est[who] if est[who] > 0 else float("inf")
        suspicious = lambda: ratio("cand") < 0.3 * min(1.0, ratio("ref")) and est["cand"] > 0.05
        for _ in range(2):
            if not suspicious():
                break
            est["cand"] = min(est["cand"], self._bulk_estimate(self.cand, medians["cand"])[0])
        self.v.timing["judge_clock_ms"] = {"reference": est["ref"], "candidate": est["cand"], "calls": calls}
        self.v.timing["judge_clock_ratio"] = {"reference": ratio("ref"), "candidate": ratio("cand")}
        # Flushed single calls are never much faster than back-to-back ones on the same clock.
        if suspicious():
            raise Stop("rejected", f"the candidate's reported time ({medians['cand']:.3f} ms) is far below what "
                       f"the judge's own clock measured ({est['cand']:.3f} ms per call): its timer was faked")

    def _bulk_estimate(self, w, median_ms: float) -> tuple[float, int]:
        # Enough calls that the round trip (~1 ms) is small beside them, capped in time.
        n = max(1, min(500, int(50 / max(median_ms, 1e-3))))
        t = time.monotonic()
        self.ask(w, {"op": "bulk", "slot": 0, "n": 0}, what="timing")
        rpc = time.monotonic() - t
        t = time.monotonic()
        self.ask(w, {"op": "bulk", "slot": 0, "n": n}, what="timing")
        return max(time.monotonic() - t - rpc, 0.0) * 1e3 / n, n
