"""`kopt optimize` and `kopt show` on the command line: arguments, progress, exit codes."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from kopt import ranking
from kopt.agent.factory import ProposerError, check_setup, make_proposer

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parsers(sub) -> None:
    o = sub.add_parser(
        "optimize", help="search for a faster verified replacement of a problem's Model",
        description="Propose candidates (built-in fusion compiler, LLM or replay), verify and time each with the "
                    "judge, keep the fastest "
                    "verified one and write it to --out with its evidence. The API key comes from OPENAI_API_KEY or "
                    "the config file (~/.config/kopt/config.toml), never from the command line.")
    o.add_argument("problem", nargs="?", metavar="PROBLEM", help="KernelBench-format problem file (not needed with --resume)")
    o.add_argument("--proposer", choices=("auto", "builtin", "llm", "replay"), default="auto",
                   help="where candidates come from: builtin = kopt's fusion compiler (no LLM, no network); "
                        "llm = an OpenAI-compatible model; replay = files from --replay-dir; auto (default) = "
                        "the LLM seeded with the compiler's best guess when a model is configured, else builtin")
    o.add_argument("--replay-dir", metavar="DIR", help="with --proposer replay: the candidate files to evaluate")
    o.add_argument("--model", help="model name (or KOPT_MODEL / config file)")
    o.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (or OPENAI_BASE_URL)")
    o.add_argument("--config", metavar="FILE", help="config file (default ~/.config/kopt/config.toml)")
    o.add_argument("-n", "--lanes", type=int, default=None,
                   help="candidates per round, one per lane (default 1 with an LLM; --jobs with the built-in compiler)")
    o.add_argument("--budget", type=int, default=8, help="maximum candidates to evaluate (default 8)")
    o.add_argument("--time-budget", type=float, default=None, metavar="S", help="stop after this many seconds")
    o.add_argument("--token-budget", type=int, default=None, metavar="N", help="stop after this many LLM tokens")
    o.add_argument("--price", type=float, nargs=2, default=None, metavar=("IN", "OUT"),
                   help="USD per million prompt and completion tokens, to show the run's cost")
    o.add_argument("--target", type=float, default=None, metavar="X", help="stop at this speedup (GPU only)")
    o.add_argument("--patience", type=int, default=3, metavar="K", help="stop after K rounds without improvement")
    o.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    o.add_argument("--timeout", type=float, default=60.0, metavar="S", help="per-check timeout (default 60)")
    o.add_argument("--jobs", type=int, default=None,
                   help="checks run at once (default: 2 on CPU, where times only rank; 1 on a GPU, where timing "
                        "is serialized per device)")
    o.add_argument("--out", metavar="FILE", help="where to write the winner (default <problem>_kopt.py)")
    o.add_argument("--run-dir", metavar="DIR", help="run directory (default ./kopt-runs/<problem>-<time>)")
    o.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped or killed run")
    o.add_argument("--json", action="store_true", help="print one JSON object as the last line of stdout")

    s = sub.add_parser("show", help="summarize a run directory")
    s.add_argument("run_dir", metavar="RUN_DIR")
    s.add_argument("--json", action="store_true")


def _err(args, message: str, code: int) -> int:
    if args.json:
        from kopt.optimize import dumps
        print(dumps({"status": "error", "message": message, "exit_code": code}))
    else:
        print(f"kopt optimize: {message}", file=sys.stderr)
    return code


def run_optimize(args) -> int:
    from kopt.agent.llm import LLMError
    from kopt.agent.loop import Budget, Loop
    from kopt.optimize import describe_usage, finish, make_check_fn, outcome_json, dumps
    from kopt.store import RunStore, StoreError
    from kopt.tools.judge import resolve_device
    from kopt.tools.verdict import ProblemError

    try:
        if args.resume:
            store = RunStore.open(Path(args.resume))
            meta = store.meta()
            problem = Path(meta["problem"])
            opts = meta["options"]
        else:
            if not args.problem:
                return _err(args, "give a PROBLEM file (or --resume RUN_DIR)", EXIT_USAGE)
            problem = Path(args.problem).resolve()
            if not problem.is_file():
                return _err(args, f"the problem file {args.problem} does not exist", EXIT_USAGE)
            opts = {k: getattr(args, k) for k in ("proposer", "replay_dir", "model", "base_url", "config", "lanes",
                                                  "budget", "time_budget", "token_budget", "target", "patience", "price",
                                                  "timeout", "jobs")}
            opts["device"] = resolve_device(args.device)
            if opts["jobs"] is None:
                opts["jobs"] = 2 if opts["device"] == "cpu" else 1
            opts["out"] = str(Path(args.out).resolve() if args.out else problem.with_name(problem.stem + "_kopt.py"))
            run_dir = Path(args.run_dir or Path("kopt-runs") / f"{problem.stem}-{time.strftime('%Y%m%d-%H%M%S')}")
            opts["problem"] = str(problem)
            try:
                check_setup(opts)  # fail before creating a run dir
            except ProposerError as e:
                return _err(args, str(e), EXIT_USAGE)
            if opts["lanes"] is None:
                opts["lanes"] = opts["jobs"] if opts["proposer"] == "builtin" else 1
            store = RunStore.create(run_dir, {"problem": str(problem), "options": opts, "status": "running",
                                              "started": time.strftime("%Y-%m-%d %H:%M:%S")})
    except StoreError as e:
        return _err(args, str(e), EXIT_USAGE)

    progress = Progress(enabled=not args.json, budget=opts["budget"], seconds=opts["time_budget"],
                        price=opts.get("price"), cpu=opts["device"] == "cpu")
    try:
        proposer = make_proposer(opts, store, on_event=progress.event)
    except ProposerError as e:
        store.close()
        return _err(args, str(e), EXIT_USAGE)
    device = opts["device"]
    check_fn = make_check_fn(problem, store.run_dir, device, opts["timeout"], opts["jobs"])
    budget = Budget(candidates=opts["budget"], seconds=opts["time_budget"], tokens=opts["token_budget"],
                    target_speedup=opts["target"], patience=opts["patience"])
    loop = Loop(problem=problem, store=store, proposer=proposer, check_fn=check_fn, budget=budget,
                lanes=opts["lanes"], device=device, jobs=opts["jobs"], on_event=progress.event)
    error, stop_reason, code = None, None, EXIT_OK
    try:
        with progress:
            state = loop.run()
            stop_reason = state.get("stop_reason")
    except LLMError as e:
        error, code = f"the LLM endpoint failed ({e.kind}): {e}", EXIT_FAIL
    except ProblemError as e:
        store.update_meta(status="failed")
        store.close()
        return _err(args, str(e), EXIT_USAGE)
    except KeyboardInterrupt:
        error, code = "interrupted; resume with --resume " + str(store.run_dir), 130
    except RuntimeError as e:
        error, code = str(e), EXIT_FAIL
    outcome = finish(store, problem, Path(opts["out"]), check_fn, device == "cpu", progress.event)
    outcome.stop_reason, outcome.error = stop_reason, error
    store.update_meta(status="failed" if error else "finished", stop_reason=stop_reason, error=error,
                      finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    result = outcome_json(outcome, store)
    if opts.get("price"):
        u = store.usage()
        result["cost_usd"] = (u["prompt_tokens"] * opts["price"][0] + u["completion_tokens"] * opts["price"][1]) / 1e6
    if args.json:
        print(dumps(result))
    else:
        progress.final(outcome, describe_usage(store))
    store.close()
    if code == EXIT_OK and outcome.status in ("nothing_verified", "error"):
        code = EXIT_FAIL
    return code


class Progress:
    """Live progress on stderr: round, each candidate's verdict, best so far, tokens, time."""

    def __init__(self, enabled: bool, budget: int, seconds: float | None = None, price=None, cpu: bool = False):
        self.enabled, self.budget, self.seconds, self.t0 = enabled, budget, seconds, time.monotonic()
        self.cpu = cpu  # on the CPU a verdict's standing is the ranking proxy, not an interpreted-time ratio
        self.price, self.cost = price, 0.0
        self.judged = 0
        self.console = None
        self.status = None
        self.tokens = 0
        self.best = "none yet"

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            self.console = Console(stderr=True)
            if self.console.is_terminal:
                self.status = self.console.status("starting")
                self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status:
            self.status.__exit__(*exc)

    def _line(self, text: str):
        if self.console:
            self.console.print(f"[dim]{time.monotonic() - self.t0:6.1f}s[/] {text}")

    def event(self, kind: str, **kw):
        if kind == "round":
            self._line(f"[bold]round {kw['round']}[/]: asking for {kw['lanes']} candidate(s)")
        elif kind == "verdict":
            self.judged += 1
            v = kw["verdict"]
            sp = f" {ranking.shown(v, self.cpu)}" if v["status"] == "correct" else ""
            self._line(f"  #{kw['cid']}: [{'green' if v['status'] == 'correct' else 'red'}]{v['status']}[/]{sp}  {v['reason'][:110]}")
        elif kind == "best":
            r = kw["row"]
            self.best = f"#{r['id']} {ranking.shown(r, self.cpu)}".rstrip()
        elif kind == "llm_done":
            self.tokens += kw.get("tokens", 0)
            if self.price:
                self.cost += (kw.get("prompt_tokens", 0) * self.price[0] + kw.get("completion_tokens", 0) * self.price[1]) / 1e6
        elif kind in ("no_code", "repair"):
            self._line(f"  lane {kw['lane']}: {kind.replace('_', ' ')}: {kw.get('reason')}")
        elif kind == "phase":
            self._line(kw["text"])
        if self.status:
            spent = time.monotonic() - self.t0
            left = f" | {max(0.0, self.seconds - spent):.0f}s left" if self.seconds else ""
            cost = f" (${self.cost:.4f})" if self.price else ""
            self.status.update(f"{self.judged}/{self.budget} judged | best {self.best} | {self.tokens} tokens{cost} | "
                               f"{spent:.0f}s{left}")

    def final(self, outcome, usage: str):
        from rich.console import Console
        c = Console()
        style = {"improved": "green", "verified_cpu": "green", "no_improvement": "yellow"}.get(outcome.status, "red")
        c.print(f"[bold {style}]{outcome.status}[/]: {outcome.message}")
        if outcome.stop_reason:
            c.print(f"stopped: {outcome.stop_reason}")
        if outcome.error:
            c.print(f"[red]error[/]: {outcome.error}")
        c.print(f"[dim]{usage}[/]")


def run_show(args) -> int:
    from kopt.optimize import dumps, show
    from kopt.store import StoreError
    try:
        data = show(Path(args.run_dir))
    except StoreError as e:
        print(f"kopt show: {e}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(dumps(data))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table
    s = data["summary"]
    cpu = ranking.cpu_run(s.get("meta"))
    c = Console()
    best = s.get("best")
    written = best is not None and best["id"] == (s.get("meta") or {}).get("winner")
    c.print(f"run {args.run_dir}: {s['candidates']} candidate(s) {s['counts']}, best "
            + (f"#{best['id']} ({ranking.shown(best, cpu)}){' written' if written else ''}" if best else "none"))
    t = Table()
    for col in ("#", "round", "lane", "origin", "status", "CPU proxy" if cpu else "speedup", "reason"):
        t.add_column(col)
    for r in data["candidates"]:
        v = r.get("verdict") or {}
        t.add_row(str(r["id"]), str(r["round"]), str(r["lane"]), str(r["origin"]), str(r.get("status") or "pending"),
                  ranking.shown(r, cpu) if r.get("status") == "correct" else "", (v.get("reason") or "")[:80])
    c.print(t)
    return EXIT_OK
