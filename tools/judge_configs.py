"""Unseen configurations: the candidate is checked at sizes and argument values that neither it
nor the proposer saw, drawn at check time from the judge's unpredictable randomness.

Values come from kopt.tools.sizing.propose around the judged ones: one configuration with smaller
sizes, then elongated ones in which one size (a different one each time) grows several times over
while the others shrink (within a few times the judged tensors on CPU), all odd and
non-power-of-two, and every scalar constructor argument moved. The reference worker loads each
one, perturbs its weights like a checkpoint, and keeps it only if the reference runs there, is
finite, depends on its inputs and stays within the time budget; otherwise the next strategy is
tried. The candidate is then reloaded there (its copies of the problem's constants get the same
values, see sizing.candidate_source) and checked on fresh inputs, with its buffers compared after
the first call, a probe, and the sanitizer on. Checked, not timed.
"""
from __future__ import annotations

import time

from kopt.sandbox.variation import COLUMNS, COLUMNS_STRIDED, GENERAL_PROBES
from kopt.tools import sizing
from kopt.tools.judge_session import Stop



class Configs:
    """Mixed into the Check (tools/judge.py)."""

    def judged_config(self, header: dict):
        """Remember the judged configuration the reference chose (values, label)."""
        with open(self.prob_path) as f:
            self.prob_source = f.read()
        with open(self.cand_path) as f:
            self.cand_source = f.read()
        self.symbols = sizing.scan(self.prob_source)
        self.judged_values = dict(header.get("values") or {})
        note = header.get("size_note") or "as written"
        shown = sizing.show(self.symbols, self.judged_values)
        self.judged_label = f"the judged sizes ({note}{': ' + shown if shown else ''})"
        self.config_label, self.config_kind = self.judged_label, "judged"
        self.v.configs.append({"kind": "judged", "description": self.judged_label, "note": note,
                               "values": self._shown(self.judged_values), "match": None})

    def _shown(self, values: dict) -> dict:
        return {s.label: values.get(s.key, s.value) for s in self.symbols if s.key in values}

    def candidate_for(self, values: dict) -> tuple[str | None, list[str]]:
        source, names = sizing.candidate_source(self.cand_source, self.symbols, values)
        return (source if names else None), names

    def unseen_configs(self):
        wanted = self.opts.unseen
        if wanted is None:
            wanted = 1 + min(3, len([x for x in self.symbols if x.kind == "size"]))
        if wanted <= 0:
            self._only_judged("unseen configurations were turned off (--unseen 0)")
            return
        if not self.symbols:
            self._only_judged("the problem has no size constant or scalar argument to vary")
            return
        max_ms = self.max_config_ms()
        made, tried = 0, []
        with self.phase("unseen configurations"):
            # One smaller configuration, then elongated ones, each growing a different size.
            # Widest named sizes first: rows and feature dims, where fixed blocks and loop counts break.
            longs = [x.key for x in sorted((x for x in self.symbols if x.kind == "size"),
                                           key=lambda x: (x.name is None, -self.judged_values.get(x.key, x.value)))]
            for i in range(wanted):
                # The first elongated configuration grows the widest size the most (toward the
                # size as written); the later ones grow theirs 1.3-2x (sizing.MODEST).
                drawn = self.draw(i > 0, tried, max_ms, longs[(i - 1) % len(longs)] if i > 0 and longs else None,
                                  modest=i > 1)
                if drawn is None:
                    continue
                self._check_at(*drawn, layout={0: COLUMNS_STRIDED, 1: COLUMNS}.get(made))
                made += 1
                if made == 1:
                    # A second call where the first was (right away: a later draw that is refused
                    # leaves the reference elsewhere): same buffers, new contents, the sanitizer on.
                    # A kernel that masks or combines atomically only on its first call at a shape
                    # is caught here, at a shape no earlier call had.
                    try:
                        self.call(0, self.rng.randrange(1, 1 << 30), "second call there (same buffers, new contents)",
                                  fresh=False, sanitize=True)
                    except Stop as s:
                        self.v.configs[-1].update(match=False, reason=s.reason)
                        raise
        if made == 0 and "out of time" in tried:
            # Not a warning: a candidate that spends the budget at load (or is just slow) would
            # otherwise skip every unseen configuration and be called correct at the judged one.
            raise Stop("timeout", f"the check ran out of its {self.opts.timeout:g} s budget before verifying at any "
                       "unseen configuration (a verdict at the judged sizes only is not given); raise --timeout")
        if made == 0:
            self._only_judged("no other configuration could be made (" + "; ".join(tried[:4]) + ")")
        elif made < wanted:
            self.v.warnings.append(f"verified at the judged configuration and only {made} of {wanted} unseen ones: "
                                   + "; ".join(tried[:3]))
        self.v.coverage = {"unseen_configs": made, "tried": tried[:10]}

    def draw(self, larger: bool, tried: list, max_ms: float | None, long: str | None = None, modest: bool = False):
        """An unseen configuration the reference worker has loaded and found usable:
        (values, description, strategy, its reply, input seeds), or None."""
        for attempt in range(len(sizing.STRATEGIES)):
            if self.deadline - time.monotonic() < 0.3 * self.opts.timeout:
                tried.append("out of time")
                return None
            values, strategy = sizing.propose(self.symbols, self.judged_values, self.rng, attempt, larger, long,
                                              modest)
            if not values:
                continue
            full = {**self.judged_values, **values}
            desc = sizing.describe(self.symbols, full, self.judged_values)
            seeds = [self.rng.randrange(1, 1 << 31) for _ in range(2)]
            f = self.ask(self.ref, {"op": "config", "values": full, "seed": self.rng.randrange(1 << 31),
                                    "perturb": self.rng.randrange(1, 1 << 31), "input_seeds": seeds,
                                    "max_ms": max_ms, "max_input_bytes": self.shm.per_region if self.shm else None},
                          what=f"loading the problem at {desc}")
            if f.header.get("usable"):
                return full, desc, strategy, f, seeds
            tried.append(f"{desc}: {f.header.get('why')}")
        return None

    def max_config_ms(self) -> float | None:
        ref_ms = (self.v.timing.get("reference") or {}).get("median") or 1.0
        return None if self.device.startswith("cuda") else max(250.0, 4 * ref_ms)

    def _only_judged(self, why: str):
        self.v.warnings.append(f"verified at the judged configuration only: {why}")
        self.v.coverage = {"unseen_configs": 0, "why": why}

    def _check_at(self, values: dict, desc: str, strategy: str, f, seeds: list[int], layout: str | None = None):
        self.config_label, self.config_kind = desc, "unseen"
        record = {"kind": "unseen", "description": desc, "values": self._shown(values), "strategy": strategy,
                  "match": False}
        self.v.configs.append(record)
        source, names = self.candidate_for(values)
        with self.phase("candidate load"):
            c = self.ask(self.cand, {"op": "load_cand", "path": self.cand_path, "source": source,
                                     "device": self.device, "seed": self.rng.randrange(1 << 31),
                                     "spec": f.header["spec"]}, f.payload, what=f"loading at {desc}")
        if names:
            record["candidate_constants"] = names
        self.findings(c.header.get("findings"), f"loading at {desc}")
        self.slot_specs = {}
        try:
            # One call per unseen configuration, on probed inputs (plain ones where the reference is
            # not finite on the probe): the buffers after it, and the sanitizer, come with it.
            # The first two also store the inputs columns first (variation.COLUMNS*), falling
            # back to the plain layout where the reference does not take it (a .view() of its input).
            probe = GENERAL_PROBES[len(self.v.configs) % len(GENERAL_PROBES)]
            stored = (f"fresh inputs stored columns first (the last two dims transposed in memory, padded"
                      f"{', every other element' if layout == COLUMNS_STRIDED else ''})")
            tries = [(f"{layout}, {probe}", f"{stored}, probe: {probe}"), (layout, stored)] if layout else []
            # Plain inputs (no probe) are never skipped, so the last try always takes.
            for kind, label in tries + [(probe, f"fresh inputs, probe: {probe}"), (None, "fresh inputs")]:
                if not self.new_slot(0, seeds[0], probe=kind):
                    break
            self.call(0, 0, label, fresh=True, sanitize=True, buffers=True)
        except Stop as s:
            record["reason"] = s.reason
            raise
        record["match"] = True
