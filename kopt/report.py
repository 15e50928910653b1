"""Readable rich views of kopt's results (the --json path never comes through here)."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

STYLE = {"correct": "bold green", "incorrect": "bold red", "rejected": "bold magenta",
         "compile_error": "bold yellow", "runtime_error": "bold yellow", "timeout": "bold yellow"}


@contextmanager
def progress_printer(enabled: bool = True):
    """A spinner on stderr naming the current phase; a no-op callback when disabled."""
    if not enabled or not sys.stderr.isatty():
        yield lambda msg: None
        return
    console = Console(stderr=True)
    with console.status("starting") as status:
        yield lambda msg: status.update(f"kopt check: {msg}")


def _ms(x) -> str:
    return "—" if x is None else (f"{x * 1e3:.1f} µs" if x < 1 else f"{x:.3f} ms")


def print_verdict(v, console: Console | None = None) -> None:
    console = console or Console()
    head = f"[{STYLE.get(v.status, 'bold')}]{v.status.upper()}[/]  {v.reason}"
    lines = [head, f"candidate {v.candidate}  vs  problem {v.problem}  on {v.device}"]
    if v.reference_ms is not None:
        t = v.timing
        lines.append(f"reference {_ms(v.reference_ms)}  candidate {_ms(v.candidate_ms)}  "
                     f"speedup [bold]{v.speedup:.3g}x[/]  (median of {t['candidate']['n']} interleaved trials; "
                     f"candidate spread {_ms(t['candidate']['min'])}–{_ms(t['candidate']['max'])})")
    console.print(Panel("\n".join(lines), title="kopt check", expand=False))
    if v.trials:
        table = Table(title="comparisons", show_lines=False)
        for col in ("trial", "match", "max abs err", "rel L2 err", "detail"):
            table.add_column(col)
        for tr in v.trials:
            m = tr.get("metrics") or {}
            table.add_row(tr["trial"], "yes" if tr["match"] else "[red]no[/]",
                          f"{m['max_abs_err']:.2e}" if "max_abs_err" in m else "",
                          f"{m['rel_l2_err']:.2e}" if "rel_l2_err" in m else "",
                          tr.get("reason") or tr.get("inputs_changed") or "")
        console.print(table)
    if v.kernels:
        console.print("Triton kernels per forward: " + ", ".join(
            f"{k['name']} x{k['launches']} (grid {k['grid']})" for k in v.kernels))
    elif v.status == "correct":
        console.print("[dim]the candidate launched no Triton kernel (plain PyTorch)[/]")
    if v.xcompile.get("kernels"):
        print_resources(v.xcompile, console)
    if v.sizes.get("changed"):
        console.print("sizes: " + v.sizes.get("note", "") + " (" + ", ".join(
            f"{k} {a}→{b}" for k, (a, b) in v.sizes["changed"].items()) + ")")
    for f in v.findings:
        console.print(f"[magenta]finding[/] {f.get('code')}: {f.get('message')}"
                      + (f" (line {f['line']})" if f.get("line") else ""))
    for w in v.warnings:
        console.print(f"[yellow]warning[/] {w}")
    if v.error:
        if v.error.get("traceback"):
            console.print(Panel(v.error["traceback"].strip()[-2500:], title="error", expand=False))
        if v.error.get("output"):
            console.print(Panel(v.error["output"].strip()[-1500:], title="candidate output (clipped)", expand=False))
    console.print(f"[dim]{v.elapsed_s:.1f} s; isolation: {v.isolation.get('mode', '?')}; "
                  f"torch {v.versions.get('torch')}, triton {v.versions.get('triton')}[/]")


def print_problem_error(message: str) -> None:
    Console(stderr=True).print(Panel(message, title="[bold red]kopt: the problem cannot be used[/]", expand=False))


def _occ(k: dict) -> str:
    o = k.get("occupancy")
    return f"{o['occupancy']:.0%} ({o['limited_by'].replace('registers', 'regs').replace('shared memory', 'smem')})" if o else ""


def print_resources(x: dict, console: Console) -> None:
    """Per-kernel GPU resource usage (kopt.tools.xcompile) and what it suggests."""
    how = "measured by the JIT" if x.get("target") == "native" else "cross-compiled, no GPU needed"
    table = Table(title=f"kernels on {x.get('device') or x.get('target')} ({how})")
    table.add_column("kernel", overflow="fold")
    for col in ("status", "regs", "spill B", "smem B", "warps", "MMA", "occupancy"):
        table.add_column(col, overflow="fold")
    for k in x["kernels"]:
        spill = (k.get("stack_bytes") or 0) + (k.get("local_bytes") or 0) if "stack_bytes" in k else k.get("spill_count")
        status = k.get("status", "?")
        table.add_row(k.get("name", "?"), status if status == "ok" else f"[red]{status}[/]",
                      str(k.get("registers") if k.get("registers") is not None else ""),
                      f"[red]{spill}[/]" if spill else ("0" if spill == 0 else ""),
                      str(k.get("shared_bytes") if k.get("shared_bytes") is not None else ""),
                      str(k.get("num_warps") or ""), k.get("tensor_cores") or ("none" if status == "ok" else ""), _occ(k))
    console.print(table)
    for k in x["kernels"]:
        if k.get("status") == "skipped":
            console.print(f"[dim]{k.get('name')}: not compiled: {k.get('error')}[/]")
    for a in x.get("advice") or []:
        console.print(f"[yellow]advice[/] {a}")
