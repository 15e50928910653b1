"""`kopt analyze` on the command line: arguments, the rich view, exit codes."""
from __future__ import annotations

import json
import os
import sys

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parser(sub) -> None:
    a = sub.add_parser(
        "analyze", help="roofline of a problem; with --candidate, its kernels' GPU resource usage (no GPU needed)",
        description="Count the FLOPs and compulsory bytes of PROBLEM's forward (on the meta device, at the sizes as "
                    "written), give its roofline lower bound and bound kind on each GPU of kopt's table, and with "
                    "--candidate check the candidate and compile its Triton kernels for --target: registers, "
                    "spills, shared memory, tensor-core instructions and occupancy. Exit code: 0, or 1 if the "
                    "candidate is not correct, 2 for bad usage or an unusable problem.")
    a.add_argument("problem", metavar="PROBLEM", help="problem file defining Model, get_inputs, get_init_inputs")
    a.add_argument("--candidate", metavar="FILE", help="candidate file defining ModelNew")
    a.add_argument("--target", default="sm_90", metavar="T",
                   help="GPU architecture to compile for: sm_80, sm_89, sm_90, sm_100 or a device name (default sm_90)")
    a.add_argument("--device-name", metavar="D", help="device for the roofline verdict, e.g. 'H100 SXM', 'A100 SXM' "
                   "(default: this machine's GPU if known, else H100 SXM)")
    a.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="where the candidate runs")
    a.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS", help="budget of the candidate's check")
    a.add_argument("--ncu", action="store_true", help="on a GPU with Nsight Compute, profile the candidate too")
    a.add_argument("--json", action="store_true", help="print one JSON object as the last line of stdout")


def _usage(args, message: str) -> int:
    if args.json:
        print(json.dumps({"status": "error", "reason": message, "exit_code": EXIT_USAGE}))
    else:
        print(f"kopt analyze: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args) -> int:
    from kopt.tools.analysis import analyze
    from kopt.tools.devices import TargetError, device_names, find_device, parse_target
    from kopt.tools.verdict import ProblemError

    try:
        parse_target(args.target)
    except TargetError as e:
        return _usage(args, str(e))
    if args.device_name and find_device(args.device_name) is None:
        return _usage(args, f"unknown device {args.device_name!r}: use one of {', '.join(device_names())}")
    if args.candidate and not os.path.isfile(args.candidate):
        return _usage(args, f"the candidate file {args.candidate} does not exist")
    try:
        if args.json:
            result = analyze(args.problem, args.candidate, args.target, args.device_name, args.device, args.timeout,
                             ncu=args.ncu)
        else:
            from kopt.report import progress_printer
            with progress_printer() as progress:
                result = analyze(args.problem, args.candidate, args.target, args.device_name, args.device,
                                 args.timeout, ncu=args.ncu, progress=progress)
    except ProblemError as e:
        from kopt.cli import problem_error
        return problem_error(args.json, str(e))
    except KeyboardInterrupt:
        print("kopt analyze: interrupted; workers were stopped", file=sys.stderr)
        return 130
    cand = result.get("candidate")
    code = EXIT_OK if not cand or cand["status"] == "correct" else EXIT_FAIL
    if args.json:
        print(json.dumps({"status": "ok" if code == EXIT_OK else cand["status"], **result}, default=str))
    else:
        print_analysis(result)
    return code


def print_analysis(r: dict) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    from kopt.report import STYLE, print_resources
    from kopt.tools.roofline import fmt_count, fmt_ms

    c = Console()
    n = r["counts"]
    where = ("meta device, sizes as written" if n.get("counted_on") == "meta"
             else f"CPU at {n.get('sizes')} (the meta device failed: {n.get('meta_error')})")
    roof = r["roofline"]
    lines = [f"[bold]{r['problem']}[/]: {fmt_count(r['flops'], 'FLOP')} ({fmt_count(n['matmul_flops'], 'FLOP')} in "
             f"matmul/conv/attention), {fmt_count(r['bytes'], 'B')} compulsory traffic "
             f"(inputs {fmt_count(n['bytes_inputs'], 'B')}, weights {fmt_count(n['bytes_params'], 'B')}, "
             f"outputs {fmt_count(n['bytes_outputs'], 'B')})",
             f"arithmetic intensity {roof['intensity']:.3g} FLOP/B; on {r['device']} the ridge point is "
             f"{roof['ridge']:.3g} FLOP/B, so the problem is [bold]{r['bound']}-bound[/] with a lower bound of "
             f"[bold]{fmt_ms(r['t_min_ms'])}[/]",
             f"[dim]counted on the {where}; model: {n['model']}[/]"]
    c.print(Panel("\n".join(lines), title="kopt analyze", expand=False))
    t = Table(title="roofline lower bound per device")
    for col in ("device", "t_min", "bound", "compute", "memory", "peak TFLOP/s", "GB/s"):
        t.add_column(col)
    for d in r["devices"]:
        mark = "[bold]" if d["device"] == r["device"] else ""
        t.add_row(mark + d["device"], fmt_ms(d["t_min_ms"]), d["bound"], fmt_ms(d["compute_ms"]), fmt_ms(d["memory_ms"]),
                  f"{d['peak_tflops']:g}", f"{d['bandwidth_gbs']:g}")
    c.print(t)
    cand = r.get("candidate")
    if not cand:
        return
    c.print(f"candidate {cand['path']}: [{STYLE.get(cand['status'], 'bold')}]{cand['status']}[/] {cand['reason']}")
    m = cand["measured"]
    for who in ("reference", "candidate"):
        a = m.get(who)
        if a:
            c.print(f"{who}: {fmt_ms(a['ms'])}, {a['gb_s']:.4g} GB/s, {a['tflop_s']:.4g} TFLOP/s, "
                    f"[bold]{a['pct_of_roofline']:.1f}% of the roofline[/] on {r['device']}")
    if m.get("note"):
        c.print(f"[dim]{m['note']}[/]")
    x = cand.get("xcompile") or {}
    if x.get("kernels"):
        print_resources(x, c)
    elif cand["status"] == "correct" and not cand["launches"]:
        c.print("[dim]the candidate launches no Triton kernel: nothing to compile[/]")
    if cand.get("ncu"):
        nc = cand["ncu"]
        c.print(f"Nsight Compute: {len(nc.get('kernels', []))} kernel(s) profiled" if nc.get("available")
                else f"[dim]Nsight Compute: not available: {nc.get('reason')}[/]")
