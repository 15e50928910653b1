"""The judge's correctness trials at one configuration. Each trial is a guarantee:

* fresh inputs from unpredictable seeds (trials 1-2): the kernel computes, it does not remember;
* the same input buffers (same addresses) with new contents (trial 3): no cache by address;
* input probes (large magnitudes, zero rows, negative values; kopt.sandbox.variation): no
  numerical shortcut that only unit-scale data hides;
* new parameter values loaded like a checkpoint (load_state_dict): no ignored affine, no weight
  copied in __init__; before the late trial, four entries of one parameter are updated the same
  way: no weight cache keyed on a few sampled entries;
* buffers after the first call of each configuration (running statistics in training mode);
* outputs of successive calls never share storage, and a kept output is rechecked at the end of
  the check (after every later call and a wait): no output that changes after it was returned;
* the sanitizer (out-of-bounds accesses, conflicts between programs) on the first call of each
  configuration, on the late trial after the timed calls and on a second call at the first unseen
  one: a kernel cannot turn bad later;
* on CPU the inputs are read back by the reference from shared memory after each call, bitwise.
Timed calls (tools/judge_timing.py) and the unseen configurations (tools/judge_configs.py) reuse
these steps.
"""
from __future__ import annotations

from kopt.sandbox.protocol import Frame, describe
from kopt.sandbox.variation import HALF_ONLY, LAYOUT, LAYOUT_ZERO_NEGATIVE, PARTS, PROBES, ZERO_NEGATIVE
from kopt.tools.judge_session import Stop


def has_subclass(spec) -> bool:
    """Whether an encoded reply's output holds a tensor that was not a plain torch.Tensor."""
    if not isinstance(spec, dict):
        return False
    if spec.get("t") == "tensor":
        return spec.get("plain") is False
    items = spec.get("items") or []
    if spec.get("t") == "dict":
        return any(has_subclass(v) for k, v in items if k == "out")
    return any(has_subclass(x) for x in items)


class Trials:
    """Mixed into the Check (tools/judge.py); uses the Session's workers and verdict."""

    # ------------------------------------------------------------------ slots and calls
    def new_slot(self, slot: int, seed: int | None = None, probe: str | None = None) -> str | None:
        """Inputs for `slot` made by the reference and given to the candidate; the reason when a
        probe is skipped (the reference is not finite on it), else None."""
        seed = self.rng.randrange(1, 1 << 31) if seed is None else seed
        with self.phase("reference"):
            f = self.ask(self.ref, {"op": "gen", "slot": slot, "seed": seed, "probe": probe},
                         what="making inputs" + (f" ({probe} probe)" if probe else ""))
        if f.header.get("skip"):
            return f.header["skip"]
        self.out_bytes = max(self.out_bytes, len(f.payload) + int(f.header.get("out_nbytes") or 0))
        self.slot_specs[slot] = f.header["spec"]
        if not self.v.inputs:
            self.v.inputs = [describe(x) for x in f.header["spec"].get("items", [])]
        with self.phase("candidate"):
            self.ask(self.cand, {"op": "put", "slot": slot, "spec": f.header["spec"]}, f.payload,
                     what="receiving inputs")
        return None

    def _buffers_for(self, slot: int, header: dict) -> None:
        """Fresh input buffers: a new shared region on CPU (the reference reads it back)."""
        if self.shm is None:
            header["fresh"] = True
            return
        spec = self.slot_specs[slot]
        at = self.shm.region(spec)
        if at is None:  # out of room (many configurations): reuse the oldest regions from the start
            self.shm.top = 0
            at = self.shm.region(spec)
        header["region"] = at
        self.region = (at, spec)

    def call(self, slot: int, mix: int, label: str, fresh: bool, keep_as: str | None = None,
             sanitize: bool = False, buffers: bool = False):
        header = {"op": "run", "schedule": [[slot, mix]], "send": True, "keep_as": keep_as,
                  "sanitize": sanitize, "buffers": buffers}
        if fresh:
            self._buffers_for(slot, header)
        with self.phase("candidate"):
            at = f" at {self.config_label}" if self.config_kind == "unseen" else ""
            r = self.ask(self.cand, header, what=f"running forward{at} ({label})", max_payload=self.reply_cap())
        self.findings(r.header.get("findings"), label)
        self.note_kernels(r.header.get("kernels") or [], label)
        self.verify(r, slot, mix, label, buffers=buffers)
        self.call_ms.extend(r.header.get("ms") or [])
        out_spec = next((v for k, v in r.header["spec"].get("items", []) if k == "out"), None)
        if out_spec and not self.v.outputs:
            self.v.outputs = describe(out_spec)

    def note_kernels(self, kernels: list, label: str) -> None:
        if not self.v.kernels and kernels:
            self.v.kernels = kernels
        for k in kernels:
            if k["name"] not in self.kernel_records:
                self.kernel_records[k["name"]] = {**k, "first_seen": label}

    def verify(self, reply: Frame, slot: int, mix: int, label: str, require_inputs: bool = True,
               buffers: bool = False, expect: str | None = None):
        """Have the reference worker compare a candidate reply; stop on any mismatch."""
        if has_subclass(reply.header.get("spec")):
            raise Stop("rejected", f"{label}: the candidate returned a torch.Tensor subclass, not a plain tensor")
        req = {"op": "compare", "slot": slot, "mix": mix, "spec": reply.header["spec"],
               "require_inputs": require_inputs, "buffers": buffers, "expect": expect}
        if self.shm is not None and require_inputs and not expect:
            req["region"], req["input_spec"] = self.region
        with self.phase("comparison"):
            m = self.ask(self.ref, req, reply.payload, what="comparing").header
        self.v.trials.append({"trial": label, "config": self.config_label, "match": m["match"], "reason": m["reason"],
                              "inputs_changed": m.get("inputs_changed"), "metrics": m["metrics"],
                              "buffers": m.get("buffers"), "at_s": self.since_start()})
        where = f"wrong at {self.config_label}: " if self.config_kind == "unseen" else ""
        if not m["match"]:
            raise Stop("incorrect", f"{where}{label}: {m['reason']}")
        if m.get("buffers"):
            raise Stop("incorrect", f"{where}{label}: {m['buffers']}")
        if m.get("inputs_changed"):
            raise Stop("rejected", f"{label}: {m['inputs_changed']}; inputs must be left unchanged")

    # ------------------------------------------------------------------ the judged configuration
    def correctness(self):
        self.call_ms: list[float] = []
        with self.phase("correctness"):
            for slot in range(2):
                self.new_slot(slot)
            d = self.ask(self.ref, {"op": "degenerate", "slots": [0, 1]}, what="checking the problem").header
            if d.get("nondeterministic"):
                from kopt.tools.verdict import ProblemError
                raise ProblemError("The reference is not deterministic: two runs of its forward on the same inputs give "
                                   "different outputs (dropout in training mode, or a random op), so no candidate can "
                                   "be checked against it. Make the problem deterministic (dropout p=0, a seeded "
                                   "generator, or model.eval() in the problem).")
            if d.get("degenerate"):
                self.v.degenerate = d["degenerate"]
                self.v.warnings.append(f"degenerate problem: {d['degenerate']}; a passing check proves little")
            self.call(0, 0, "trial 1 (fresh inputs)", fresh=True, sanitize=True, buffers=True)
            self.xcompile()
            # The same kind of inputs in another layout: padded rows and a storage offset, as a slice
            # of a larger tensor has, carrying the zero-rows-negative probe. A reference that cannot
            # take the probe gets the layout alone (the probe then runs later on its own), one that
            # cannot take the layout gets plain inputs.
            first, *rest = PROBES
            label = "trial 2 (fresh inputs, new seed"
            layout = ", in another layout: padded rows, a storage offset"
            if not self.new_slot(1, probe=LAYOUT_ZERO_NEGATIVE):
                label += f"{layout}; probe: {ZERO_NEGATIVE})"
                rest.remove(ZERO_NEGATIVE)
            elif not self.new_slot(1, probe=LAYOUT):
                label += f"{layout})"
            else:
                self.new_slot(1)
                label += ")"
            self.call(1, 0, label, fresh=True)
            # The reused-buffer trial carries the first probe: same addresses, new (harder) contents.
            label = "trial 3 (same input buffers, new contents)"
            skip = self.new_slot(2, probe=first)
            if skip:
                self.v.trials.append({"trial": f"probe: {first}", "config": self.config_label, "skipped": skip})
                self.new_slot(2)
            self.call(2, 0, label if skip else f"{label}: probe: {first}", fresh=False)
            self.probes(rest, first_slot=4)
            self.checkpoint()
            # Timed calls follow with mixed contents in slots 0-2, in these same buffers, and are verified too.

    def probes(self, kinds, first_slot: int):
        kinds, slot = list(kinds), first_slot
        half = any(isinstance(s, dict) and s.get("dtype") in ("float16", "bfloat16")
                   for s in self.slot_specs.get(0, {}).get("items", []))
        while kinds:
            kind = kinds.pop(0)
            if kind in HALF_ONLY and not half:
                continue  # no half-precision input: nothing for it to show
            label = f"probe: {kind}"
            skip = self.new_slot(slot, probe=kind)
            if skip:
                self.v.trials.append({"trial": label, "config": self.config_label, "skipped": skip})
                kinds[:0] = PARTS.get(kind, ())  # a combined probe: each part on its own
                continue
            self.call(slot, 0, label, fresh=False)
            slot += 1

    def checkpoint(self):
        """Both models get the same new parameter values, the candidate through
        load_state_dict(assign=True), and the same new hyperparameters of the submodules they share."""
        moved = self.new_weights({}, "setting new parameter values",
                                 "loading new parameter values (load_state_dict(assign=True))", assign=True)
        mix = self.rng.randrange(1, 1 << 30)
        extra = f"; {', '.join(f'{k} = {v}' for k, v in moved.items())} in both models" if moved else ""
        self.call(0, mix, f"trial 4 (new parameter values, loaded like a checkpoint with assign=True{extra})", fresh=True,
                  keep_as="kept")
        self.ask(self.ref, {"op": "remember", "slot": 0, "mix": mix, "name": "kept"}, what="keeping an expected output")
        # Eval mode, where it changes the reference's output (running statistics, dropout): a loaded
        # checkpoint is usually run that way.
        if self.ask(self.ref, {"op": "eval", "slot": 0, "mix": mix}, what="switching to eval mode").header["matters"]:
            self.ask(self.cand, {"op": "mode", "train": False}, what="switching to eval mode")
            self.call(0, mix, "trial 5 (eval mode, after the new parameter values)", fresh=False)
            self.ask(self.ref, {"op": "train"}, what="switching back to training mode")
            self.ask(self.cand, {"op": "mode", "train": True}, what="switching back to training mode")

    def new_weights(self, how: dict, ref_what: str, cand_what: str, assign: bool = False) -> dict | None:
        """The reference moves its parameters (`how`: kopt.sandbox.ref_worker.op_perturb) and the
        candidate loads the same values through load_state_dict (`assign`: replacing its tensors);
        returns the hyperparameters set in both ({"bn.momentum": 0.31}), None when nothing moved."""
        with self.phase("reference"):
            f = self.ask(self.ref, {"op": "perturb", **how, "seed": self.rng.randrange(1, 1 << 31)}, what=ref_what)
        if f.header.get("skip"):
            return None
        with self.phase("candidate"):
            c = self.ask(self.cand, {"op": "load_state", "spec": f.header["spec"], "assign": assign,
                                     "attrs": f.header.get("attrs") or {}}, f.payload, what=cand_what)
        attrs = f.header.get("attrs") or {}
        shared = set(c.header.get("attrs") or ())
        return {f"{p}.{a}" if p else a: v for p, d in attrs.items() for a, v in d.items()
                if (f"{p}.{a}" if p else a) in shared}

    def late_check(self):
        with self.phase("late check"):
            # Part of one parameter changes first (loaded like a checkpoint again): a weight cache
            # keyed on a few sampled entries answers with the old weights.
            partial = self.new_weights({"sparse": True}, "updating part of one parameter",
                                       "loading a partly updated parameter (load_state_dict)")
            # A near-duplicate of an earlier input (two positions of each row swapped): same sums,
            # maxima and sorted values, so a cache keyed on any of them answers it wrongly.
            # The sanitizer watches this call too, many calls in: a kernel that turns racy or unmasked
            # only after its first call at a shape is caught here at the judged sizes, and by the
            # sanitized second call at the first unseen configuration (judge_configs) at other ones.
            self.call(0, -self.rng.randrange(1, 1 << 30),
                      "late trial (after timing, same buffers: trial 1's inputs with two columns swapped"
                      + (", four entries of the largest parameter updated)" if partial is not None else ")"),
                      fresh=False,
                      sanitize=True)

    def recheck_kept(self):
        """The output kept since trial 4 must still be what it was when it returned."""
        with self.phase("late check"):
            r = self.ask(self.cand, {"op": "recheck", "name": "kept", "wait": 0.05},
                         what="returning a kept output again", max_payload=self.reply_cap())
            self.findings(r.header.get("findings"), "recheck of a kept output")
            label = "kept output of trial 4, rechecked at the end of the check"
            self.config_label, self.config_kind = self.judged_label, "judged"
            try:
                self.verify(r, 0, 0, label, require_inputs=False, expect="kept")
            except Stop as s:
                raise Stop(s.status, s.reason + " (the output changed after it was returned)") from None
