"""The final verification of a winner, in a plain process.

The candidate is loaded by sandbox/plain_run.py, a script run as `python -I -c` that imports
nothing of kopt: no kopt frame is on its stack, no kopt module in sys.modules, no kopt name in
its environment, working directory or sandbox labels. A candidate that behaves only while it can
see the judge (its frames, its modules, its names) is therefore seen as it behaves for users.
It runs at the judged configuration and at a new unseen one, each with new weights, on fresh and
probed inputs; the reference worker compares as in every check. Outputs only: inputs, timing and
the rest were established by the check this follows.
"""
from __future__ import annotations

import os

from kopt.sandbox.isolation import Limits, Worker
from kopt.sandbox.variation import PROBES

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sandbox", "plain_run.py")


def plain_verify(c) -> None:
    """Raise Stop (through the check's own failure mapping) unless the plain process matches."""
    with open(SCRIPT) as f:
        text = f.read()
    memory = None if c.device.startswith("cuda") else int(c.opts.memory_gb * (1 << 30))
    env = {"TRITON_INTERPRET": "1", "OMP_NUM_THREADS": "1"} if c.device == "cpu" else {}
    record = {"process": "python -I -c (sandbox/plain_run.py): no kopt module, frame or name", "configs": []}
    c.v.final = record
    with c.phase("plain process"):
        w = Worker(["-c", text], Limits(timeout_s=c.opts.timeout, memory_bytes=memory), env, "plain",
                   hide=[c.prob_path], plain=True)
        try:
            tried: list = []
            configs = [(dict(c.judged_values), c.judged_label)]
            drawn = c.draw(c.rng.random() < 0.5, tried, c.max_config_ms()) if c.symbols else None
            if drawn:
                configs.append((drawn[0], drawn[1]))
            for values, desc in configs:
                _at(c, w, values, desc)
                record["configs"].append(desc)
        finally:
            w.close()


def _at(c, w, values: dict, desc: str) -> None:
    seeds = [c.rng.randrange(1, 1 << 31) for _ in range(2)]
    f = c.ask(c.ref, {"op": "config", "values": values, "seed": c.rng.randrange(1 << 31),
                      "perturb": c.rng.randrange(1, 1 << 31), "input_seeds": seeds, "max_ms": None},
              what=f"loading the problem at {desc} for the plain process")
    if not f.header.get("usable"):
        c.v.warnings.append(f"the plain-process verification skipped {desc}: {f.header.get('why')}")
        return
    source, _ = c.candidate_for(values)
    c.config_label, c.config_kind = desc, "unseen" if desc != c.judged_label else "judged"
    c.ask(w, {"op": "load", "path": c.cand_path, "source": source, "device": c.device,
              "seed": c.rng.randrange(1 << 31), "spec": f.header["spec"]}, f.payload,
          what="loading in a plain process")
    probe = c.rng.choice(PROBES)
    for slot, seed, kind in ((0, seeds[0], None), (1, seeds[1], probe)):
        g = c.ask(c.ref, {"op": "gen", "slot": slot, "seed": seed, "probe": kind}, what="making inputs")
        if g.header.get("skip"):
            g = c.ask(c.ref, {"op": "gen", "slot": slot, "seed": seed}, what="making inputs")
            kind = None
        r = c.ask(w, {"op": "call", "spec": g.header["spec"]}, g.payload, what="running forward in a plain process",
                  max_payload=c.reply_cap())
        label = "plain process: " + (f"probe: {kind}" if kind else "fresh inputs")
        c.verify(r, slot, 0, label, require_inputs=False)
