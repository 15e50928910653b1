"""The `kopt` command line."""
from __future__ import annotations

import argparse
import json
import sys

from kopt import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kopt",
        description="kopt: an LLM-agent kernel optimizer whose judge treats every candidate as an adversary.")
    p.add_argument("--version", action="version", version=f"kopt {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser(
        "check", help="verify and time a candidate (ModelNew) against a problem (Model)",
        description="Verify CANDIDATE (a file defining ModelNew) against PROBLEM (a KernelBench-format "
                    "file defining Model, get_inputs, get_init_inputs) and time both. The candidate runs "
                    "in a sandboxed process and is treated as an adversary. Exit code: 0 if correct, "
                    "1 for any other verdict, 2 for bad usage or an unusable problem.",
        epilog="On CPU, Triton kernels run through the Triton interpreter (kopt sets TRITON_INTERPRET=1 "
               "in the workers); the times then say nothing about a GPU.")
    c.add_argument("candidate", metavar="CANDIDATE", help="candidate file defining class ModelNew")
    c.add_argument("--ref", required=True, metavar="PROBLEM", help="problem file defining Model, get_inputs, get_init_inputs")
    c.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where to run (default: auto = cuda when a GPU is present)")
    c.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="wall-clock budget for the whole check; the candidate is killed past it (default 60)")
    c.add_argument("--memory-gb", type=float, default=8.0, metavar="GB",
                   help="address-space limit of each CPU worker (default 8)")
    c.add_argument("--sizes", choices=("auto", "full"), default="auto",
                   help="auto: on CPU, shrink problems with big inputs (CPU_SIZES or a generic cap); full: as written")
    c.add_argument("--seed", type=int, default=None, help="fix the judge's randomness (default: unpredictable)")
    c.add_argument("--target", default="sm_90", metavar="T",
                   help="on CPU, also compile the candidate's Triton kernels for this GPU (sm_80, sm_89, sm_90, sm_100 "
                        "or a device name; default sm_90): a kernel that cannot compile there is a compile_error")
    c.add_argument("--no-xcompile", action="store_true", help="skip that cross-compilation step")
    c.add_argument("--unseen", type=int, default=None, metavar="N",
                   help="also check at N configurations (sizes, constructor arguments) drawn at random, which "
                        "neither the candidate nor the proposer saw: one smaller, the others each with one size "
                        "several times larger (default: one smaller plus one per size, up to 4 in all; 0 = the "
                        "judged sizes only, and the verdict says so)")
    c.add_argument("--final", action="store_true",
                   help="also verify in a plain process with no kopt module, frame or name in it, as kopt "
                        "optimize does before it writes a winner")
    c.add_argument("--json", action="store_true", help="print one JSON object as the last line of stdout")

    from kopt.cli_optimize import add_parsers
    add_parsers(sub)
    from kopt.cli_analyze import add_parser
    add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "analyze":
        from kopt.cli_analyze import run
        return run(args)
    if args.command in ("optimize", "show"):
        from kopt.cli_optimize import run_optimize, run_show
        return run_optimize(args) if args.command == "optimize" else run_show(args)
    _parser().print_help()
    return EXIT_USAGE


def problem_error(as_json: bool, message: str) -> int:
    """An unusable problem: one paragraph (or one JSON line), exit code 2."""
    if as_json:
        print(json.dumps({"status": "error", "reason": message, "exit_code": EXIT_USAGE}))
    else:
        from kopt.report import print_problem_error
        print_problem_error(message)
    return EXIT_USAGE


def _check(args) -> int:
    from kopt.tools.judge import CheckOptions, check
    from kopt.tools.verdict import ProblemError

    if args.timeout <= 0:
        print("kopt check: --timeout must be positive", file=sys.stderr)
        return EXIT_USAGE
    from kopt.tools.devices import TargetError, parse_target
    try:
        parse_target(args.target)
    except TargetError as e:
        print(f"kopt check: {e}", file=sys.stderr)
        return EXIT_USAGE
    opts = CheckOptions(device=args.device, timeout=args.timeout, seed=args.seed, sizes=args.sizes,
                        memory_gb=args.memory_gb, xcompile=None if args.no_xcompile else args.target,
                        unseen=None if args.unseen is None else max(0, args.unseen), final=args.final)
    try:
        if args.json:  # scripts want the verdict fast: no rich import, no spinner
            verdict = check(args.candidate, args.ref, opts)
        else:
            from kopt.report import progress_printer
            with progress_printer() as progress:
                verdict = check(args.candidate, args.ref, opts, progress)
    except ProblemError as e:
        return problem_error(args.json, str(e))
    except KeyboardInterrupt:
        print("kopt check: interrupted; workers were stopped", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(verdict.to_json(), default=str))
    else:
        from kopt.report import print_verdict
        print_verdict(verdict)
    return EXIT_OK if verdict.status == "correct" else EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
