#!/usr/bin/env python3
"""bench/report.py: turns the raw output of the benchmarks into tables,
the summary of ratios, bench/results/latest.md and gnuplot plots.

Inputs (each optional):
  --virtfun RAW    bench/virtfun.sh --raw: RUN/INFO lines of bench/virtfun
  --offload RAW    bench/offload.sh --raw: RES/FLAG lines
  --memif MD       bench/memif_rate.sh --out: its markdown table
  --pvswitch MD    bench/pvswitch.sh --out: its markdown table
  --accel RAW      bench/accel.sh --raw: PAIR/INPROC lines
  --isolation RAW  bench/hostile_ratio.sh --raw: PAIR lines
  --vfalloc RAW    bench/vf/alloc.sh --raw: ROUND/SHARE/BENEFIT/SCALE lines
  --idle RAW       bench/idle.sh --raw: PAIR lines
  --meta FILE      key=value lines from bench/run (machine, date, rev, ...)

--section virtfun prints and writes the VirtFun table alone (virtfun.sh),
--section vfalloc the VF allocator's tables (bench/vf/alloc.sh);
--section all (the default) writes the whole report (--md), prints the
summary, draws the plots into --plots DIR, writes the summary block
docs/performance.md includes (--summary FILE) and replaces that block in a
file between its markers (--splice FILE); with --check it exits 1 when a
benchmark named in --want (comma-separated) is missing a figure. A run of
a tree with uncommitted changes (rev ending in +dirty) or a quick run is
marked loudly in every output.
"""
import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

PAPER_TOTAL = 500e6
FN_ARG = {"factorial": 51, "fibonacci": 93}


def stats(v):
    """(min, median, max) of a list, or None."""
    v = [x for x in v if x is not None and not math.isnan(x)]
    if not v:
        return None
    return (min(v), statistics.median(v), max(v))


def fmt(x, prec=3):
    if x is None:
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}".replace(",", " ")
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{prec}f}"


def fmt_s(s, prec=3):
    """'median (min–max)' of a stats triple."""
    if s is None:
        return "–"
    return f"{fmt(s[1], prec)} ({fmt(s[0], prec)}–{fmt(s[2], prec)})"


def inv_label(n):
    for div, suf in ((1000000, "M"), (1000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{suf}"
    return str(n)


# ---- VirtFun -----------------------------------------------------------------

# The paper's factorial, 500M repetitions: Host-Host 16.40 → 26.02 s and
# Guest-Host (a VM) 16.41 → 26.54 s from 1 to 2k invocations. What going
# through the host costs per invocation is GH − HH at 2k: 0.52 s / 2000. (Its
# Host-Host slope, (26.02 − 16.40) s / 2000 ≈ 5 ms, is the kernel's own
# per-invocation cost natively, not the price of offloading.)
PAPER_GH_HH_US = (26.54 - 26.02) / 2000 * 1e6

# Domains of bench/virtfun, in table order: key, row title.
VF_DOMAINS = (
    ("HH", "Host-Host: native call, core 1"),
    ("HS", "Host-Host through the sw backend (time slices), core 1"),
    ("GH", "Guest-Host from a process (libhostlane, memif)"),
    ("GV", "Guest-Host from a VM (QEMU, vhost-user)"),
    ("GN", "Guest-Net from a process (TCP loopback)"),
)


def ratio_stats(runs, a, b):
    """Per-run a / b, stats over the runs that timed both."""
    return stats([r[a] / r[b] for r in runs if a in r and b in r and r[b] > 0])


def ovh_stats(runs, a, inv):
    """Per-run (a − HH) / inv in µs."""
    return stats([(r[a] - r["HH"]) / inv * 1e6 for r in runs if a in r and "HH" in r])


class VirtFun:
    def __init__(self, path):
        self.info = {}
        self.placements = []
        self.cells = {}     # (fn, inv) -> list of runs: {dom: secs, "status", "order", "reps"}
        self.reruns = 0
        self.contended = 0
        self.fns = []
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w:
                    continue
                if w[0] == "INFO" and len(w) >= 3 and w[1] == "placement":
                    self.placements.append(" ".join(w[2:]))
                elif w[0] == "INFO" and len(w) >= 3:
                    self.info[w[1]] = " ".join(w[2:])
                elif w[0] == "RUN" and len(w) >= 8:
                    self.add(w)
        # "INFO total N runs N retries N gn MODE"
        t = ("total " + self.info.get("total", "")).split()
        run = dict(zip(t[0::2], t[1::2]))
        self.total = int(run.get("total", 0))
        self.runs = int(run.get("runs", 0))
        self.gn_mode = run.get("gn", "?")
        self.vm = self.info.get("vm", "").split(" ")[0]     # kvm, tcg or ""
        # GV was timed on the VM's TSC at the rate measured at start; the
        # rate over the whole run is the better one.
        h0, h1 = float(self.info.get("vm_tsc_hz_start", 0)), float(self.info.get("vm_tsc_hz", 0))
        if h0 > 0 and h1 > 0:
            for runs in self.cells.values():
                for r in runs:
                    if "GV" in r:
                        r["GV"] *= h0 / h1
        self.doms = [d for d, _ in VF_DOMAINS
                     if any(d in r for runs in self.cells.values() for r in runs)]

    def add(self, w):
        fn, inv, reps, status, order = w[1], int(w[2]), int(w[3]), w[5], w[6]
        if status == "rerun":
            self.reruns += 1
            return
        if status == "contended":
            self.contended += 1
        if fn not in self.fns:
            self.fns.append(fn)
        r = {"status": status, "order": order, "reps": reps, "foreign": 0.0}
        for tok in w[7:]:
            d, s, fr = tok.split(":")
            r[d] = float(s)
            r["foreign"] = max(r["foreign"], float(fr))
        self.cells.setdefault((fn, inv), []).append(r)

    def cols(self, fn):
        return sorted(inv for (f, inv) in self.cells if f == fn)

    def cell(self, fn, inv):
        t = self.cells.get((fn, inv), [])
        c = dict(n=len(t), contended=sum(1 for x in t if x["status"] == "contended"),
                 reps=t[0]["reps"] if t else 0,
                 orders=sorted({x["order"] for x in t}))
        for d in self.doms:
            c[d] = stats([x[d] for x in t if d in x])
        c["HS/HH"] = ratio_stats(t, "HS", "HH")
        c["GH/HH"] = ratio_stats(t, "GH", "HH")
        c["GV/HH"] = ratio_stats(t, "GV", "HH")
        c["GN/GH"] = ratio_stats(t, "GN", "GH")
        c["GH ovh"] = ovh_stats(t, "GH", inv)
        c["GV ovh"] = ovh_stats(t, "GV", inv)
        c["GN ovh"] = ovh_stats(t, "GN", inv)
        return c

    def scale(self):
        return f"1/{PAPER_TOTAL / self.total:g}" if self.total else "?"

    def vm_label(self):
        if self.vm == "kvm":
            return "QEMU with KVM"
        if self.vm == "tcg":
            why = self.info.get("vm_why_tcg")
            return ("QEMU with TCG" + (f" ({why})" if why else "") + ": the guest's code is"
                    " translated, not run natively, so this row's per-call cost is an upper"
                    " bound")
        return None

    def intro(self):
        q = " — **quick mode: fewer runs and columns**" if self.info.get("quick") == "1" else ""
        vm = self.vm_label()
        gv = (f" Guest-Host from a VM: bench/virtfun_vm, a freestanding guest in {vm},"
              " one vCPU on core 0, FN_CALL frames on its vhost-user virtio-net NIC,"
              " polled, one call in flight, timed on its TSC"
              + (f" (up to {inv_label(int(self.info['vm_max_inv']))} invocations)"
                 if "vm_max_inv" in self.info else "") + "." if vm else
              f" **No VM row**: {self.info.get('novm', 'not run')}.")
        return (f"Total work per cell: **{self.total:,} repetitions**".replace(",", " ") +
                f" ({self.scale()} of the paper's 500M), split as repetitions ×"
                f" invocations; median of {self.runs} runs per cell, the domains' order"
                f" rotating from run to run{q}. Every domain's work runs on core 1:"
                " Host-Host calls the kernel there, natively and through the software"
                f" backend in {int(self.info.get('sw_slice_ns', 20000)) // 1000} µs slices"
                " as hostlane does; hostlane's I/O lcore and the RPC server run there."
                " Guest-Host from a process: hl_fn_call_u64() per invocation on core 0,"
                f" HL_WAIT_POLL, functions opened with HL_PLACE_SW ({self.placement()})."
                + gv + f" Guest-Net: TCP loopback, {self.gn_mode} client (core 0) and"
                " server (core 1). The process rows are processes, not VMs.")

    def markdown(self):
        out = [self.intro(), ""]
        for fn in self.fns:
            out.extend(self.fn_tables(fn))
        notes = []
        if self.reruns:
            notes.append(f"{self.reruns} contended run(s) were done again and left out")
        if self.contended:
            notes.append(f"{self.contended} run(s) stayed contended (others used ≥ 10% of"
                         " the CPUs during a domain) and are kept, out of retries: figures"
                         " that include one get no verdict")
        if "vm_tsc_hz" in self.info:
            notes.append(f"the VM's TSC ran at {float(self.info['vm_tsc_hz']) / 1e6:.1f} MHz"
                         " over the run")
        if "waited_for_quiet_s" in self.info:
            notes.append(f"waited {self.info['waited_for_quiet_s']} s in all for a quiet machine")
        if "elapsed_s" in self.info:
            notes.append(f"the table took {self.info['elapsed_s']} s")
        if notes:
            out.append("Notes: " + "; ".join(notes) + ".")
            out.append("")
        out.append("Paper (factorial, 500M repetitions, 1 → 2k invocations, Guest-Host from a"
                   " VM): Host-Host 16.40 → 26.02 s, Guest-Host 16.41 → 26.54 s, Guest-Net"
                   " 15.98 → 114.81 s; what the host path costs per invocation,"
                   f" (26.54 − 26.02) s / 2000 ≈ {PAPER_GH_HH_US:.0f} µs.")
        return "\n".join(out)

    def fn_tables(self, fn):
        cols = self.cols(fn)
        cells = {inv: self.cell(fn, inv) for inv in cols}
        titles = dict(VF_DOMAINS)
        out = [f"**{fn}({FN_ARG.get(fn, '?')})**, seconds (median of runs):", "",
               "| invocations → | " + " | ".join(inv_label(i) for i in cols) + " |",
               "|---|" + "---|" * len(cols),
               "| repetitions per call | " + " | ".join(inv_label(cells[i]["reps"]) for i in cols) + " |"]
        for d in self.doms:
            out.append(f"| {titles[d]} | " + " | ".join(
                fmt(cells[i][d][1] if cells[i][d] else None, 3) for i in cols) + " |")
        for key, prec in (("HS/HH", 3), ("GH/HH", 3), ("GV/HH", 3), ("GN/GH", 2),
                          ("GH ovh", 2), ("GV ovh", 2)):
            if key.startswith("GV") and "GV" not in self.doms:
                continue
            if key.startswith("HS") and "HS" not in self.doms:
                continue
            label = {"GH ovh": "(GH − HH)/inv, µs", "GV ovh": "(GV − HH)/inv, µs"}.get(key, key)
            out.append(f"| {label} | " + " | ".join(
                fmt(cells[i][key][1] if cells[i][key] else None, prec) for i in cols) + " |")
        out += ["", f"{fn}: every figure as median (min–max) over the runs:", "",
                "| invocations | " + " | ".join(f"{d} s" for d in self.doms) +
                " | GH/HH | GV/HH | GN/GH | (GH−HH)/inv µs | (GV−HH)/inv µs | runs (contended) | orders |",
                "|---|" + "---|" * (len(self.doms) + 7)]
        for i in cols:
            c = cells[i]
            out.append(f"| {inv_label(i)} | " + " | ".join(fmt_s(c[d], 4) for d in self.doms) +
                       f" | {fmt_s(c['GH/HH'], 3)} | {fmt_s(c['GV/HH'], 3)} | {fmt_s(c['GN/GH'], 2)}"
                       f" | {fmt_s(c['GH ovh'], 2)} | {fmt_s(c['GV ovh'], 2)}"
                       f" | {c['n']} ({c['contended']}) | {', '.join(c['orders'])} |")
        out.append("")
        out.extend(self.goals(fn, cells, cols))
        out.append("")
        return out

    def placement(self):
        if not self.placements:
            return "placement not reported"
        return ", ".join(self.placements).replace(" software", " activated on software")

    def last_col(self, fn, key):
        """The largest column with a figure for key."""
        cols = [i for i in self.cols(fn) if self.cell(fn, i)[key]]
        return cols[-1] if cols else None

    def goals(self, fn, cells, cols):
        ok = [i for i in cols if cells[i]["GH/HH"] and cells[i]["GH/HH"][1] <= 1.01]
        bad = [i for i in cols if i not in ok]
        res = [f"- GH/HH ≤ 1.01: met in {len(ok)} of {len(cols)} columns"
               + (f"; missed at {', '.join(inv_label(i) for i in bad)} invocations" if bad else "")
               + ("; some runs were contended: no verdict" if any(cells[i]["contended"] for i in cols)
                  else "")]
        if cols and cells[cols[0]]["HS/HH"]:
            res.append(f"- the software backend's time slices alone (HS/HH at"
                       f" {inv_label(cols[0])} invocation): {fmt(cells[cols[0]]['HS/HH'][1], 3)}")
        if cols and cells[cols[-1]]["GN/GH"]:
            v = cells[cols[-1]]["GN/GH"][1]
            res.append(f"- GN/GH at {inv_label(cols[-1])} invocations: {fmt(v, 2)}"
                       f" (goal ≥ 5: {self.verdict(fn, cols[-1], 'GN/GH', 5, 'ge')})")
        for key, what in (("GV ovh", "from the VM, (GV − HH)/inv"),
                          ("GH ovh", "from a process, (GH − HH)/inv")):
            inv = self.last_col(fn, key)
            if inv is None:
                continue
            v = cells[inv][key][1]
            res.append(f"- per-invocation cost of the host path {what} at {inv_label(inv)}"
                       f" invocations: {fmt(v, 2)} µs, against the paper's Guest-Host −"
                       f" Host-Host ≈ {PAPER_GH_HH_US:.0f} µs")
        return res

    def verdict(self, fn, inv, key, goal, op):
        c = self.cell(fn, inv)
        if c["contended"]:
            return f"no verdict ({c['contended']} contended)"
        return verdict(c[key], goal, op)

    def summary_rows(self):
        rows = []
        for fn in self.fns:
            cols = self.cols(fn)
            if not cols:
                continue
            cells = {inv: self.cell(fn, inv) for inv in cols}
            first, last = cols[0], cols[-1]
            name = f"VirtFun {fn}"
            for inv in dict.fromkeys((first, 1000 if 1000 in cols else first, last)):
                s = "s" if inv > 1 else ""
                rows.append((name, f"GH/HH at {inv_label(inv)} invocation{s} (process)",
                             fmt_s(cells[inv]["GH/HH"], 3), "≤ 1.01",
                             self.verdict(fn, inv, "GH/HH", 1.01, "le")))
                if cells[inv]["GV/HH"]:
                    rows.append((name, f"GV/HH at {inv_label(inv)} invocation{s} (VM)",
                                 fmt_s(cells[inv]["GV/HH"], 3), "≤ 1.01",
                                 self.verdict(fn, inv, "GV/HH", 1.01, "le")))
            ok = sum(1 for i in cols if cells[i]["GH/HH"] and cells[i]["GH/HH"][1] <= 1.01)
            nc = sum(cells[i]["contended"] for i in cols)
            rows.append((name, "columns with GH/HH ≤ 1.01", f"{ok} of {len(cols)}", "all",
                         f"no verdict ({nc} contended)" if nc else
                         "meets" if ok == len(cols) else "misses"))
            rows.append((name, f"GN/GH at {inv_label(last)} invocations",
                         fmt_s(cells[last]["GN/GH"], 2), "≥ 5",
                         self.verdict(fn, last, "GN/GH", 5, "ge")))
            for key, who in (("GV ovh", "GV−HH, VM"), ("GH ovh", "GH−HH, process")):
                inv = self.last_col(fn, key)
                if inv is not None:
                    rows.append((name, f"({who})/inv at {inv_label(inv)} inv, µs",
                                 fmt_s(cells[inv][key], 2), f"paper ≈ {PAPER_GH_HH_US:.0f}",
                                 self.verdict(fn, inv, key, PAPER_GH_HH_US, "le")))
            if cells[first]["HS/HH"]:
                rows.append((name, f"HS/HH at {inv_label(first)} invocation (time slices)",
                             fmt_s(cells[first]["HS/HH"], 3), "–", ""))
        return rows

    def missing(self):
        miss = []
        for fn in self.fns or ["factorial", "fibonacci"]:
            for inv in self.cols(fn) or [None]:
                c = self.cell(fn, inv) if inv else None
                if c is None or not all(c.get(k) for k in ("HH", "HS", "GH", "GN", "GH/HH", "GN/GH")):
                    miss.append(f"virtfun {fn} {inv}")
        if set(self.fns) != {"factorial", "fibonacci"}:
            miss.append("virtfun: factorial and fibonacci")
        if self.vm and not any(self.cell(fn, i)["GV"] for fn in self.fns for i in self.cols(fn)):
            miss.append("virtfun: VM row")
        return miss

    def plot_data(self, d):
        files = []
        keys = [k for k, _ in VF_DOMAINS]
        for fn in self.fns:
            p = os.path.join(d, f"virtfun_{fn}.dat")
            with open(p, "w") as f:
                f.write("# inv " + " ".join(f"{k}_med {k}_min {k}_max" for k in keys) +
                        " gh_hh gn_gh gv_hh\n")
                for inv in self.cols(fn):
                    c = self.cell(fn, inv)
                    vals = [inv]
                    for k in keys:
                        s = c.get(k) or (float("nan"),) * 3
                        vals += [s[1], s[0], s[2]]
                    for k in ("GH/HH", "GN/GH", "GV/HH"):
                        vals.append(c[k][1] if c[k] else float("nan"))
                    f.write(" ".join(f"{v:g}" for v in vals) + "\n")
            files.append((fn, p))
        return files


def verdict(s, goal, op):
    if s is None:
        return "no figure"
    ok = s[1] <= goal if op == "le" else s[1] >= goal
    return "meets" if ok else "misses"


# ---- offload -------------------------------------------------------------------

class Offload:
    LABEL = {
        "hostlane": "hostlane (libhostlane, HL_WAIT_POLL, HL_PLACE_SW)",
        "hostlane-hybrid": "hostlane (HL_WAIT_HYBRID)",
        "hostlane-burst": "hostlane, resubmitted with hl_fn_submit_burst()",
        "local": "(a) Host-Host, in-process on hostlane's core",
        "tcp-busy": "(b) Guest-Net, TCP loopback busy-polled (the baseline)",
        "tcp": "(b′) Guest-Net, TCP loopback blocking",
        "pingpong": "(c) cache-line ping-pong (floor)",
        "ring": "(d) memif rings alone, a bare thread echoing (memif's floor)",
    }
    ROWS = ("hostlane:echo64", "hostlane:fact20", "hostlane-hybrid:echo64",
            "hostlane-burst:echo64", "local:echo64",
            "local:fact20", "tcp-busy:echo64", "tcp-busy:fact20", "tcp:echo64", "tcp:fact20",
            "pingpong:line", "ring:echo64")

    def __init__(self, path):
        self.v = {}       # (method, case, metric) -> {round: value}
        self.flags = []
        self.info = {}
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) == 6 and w[0] == "RES":
                    self.v.setdefault((w[2], w[3], w[4]), {})[int(w[1])] = float(w[5])
                elif w and w[0] == "FLAG":
                    self.flags.append(w[1:])
                elif len(w) >= 3 and w[0] == "INFO":
                    self.info[w[1]] = " ".join(w[2:])
        self.rounds = sorted({r for d in self.v.values() for r in d})

    def get(self, m, c, k):
        return stats(list(self.v.get((m, c, k), {}).values()))

    def ratio(self, a, b):
        """Per-round a / b, stats over rounds."""
        da, db = self.v.get(a, {}), self.v.get(b, {})
        return stats([da[r] / db[r] for r in self.rounds if r in da and r in db and db[r] > 0])

    def ratios(self):
        return {
            "hl_pp": self.ratio(("hostlane", "echo64", "p50_us"), ("pingpong", "line", "p50_us")),
            "ring_pp": self.ratio(("ring", "echo64", "p50_us"), ("pingpong", "line", "p50_us")),
            "hl_ring": self.ratio(("hostlane", "echo64", "p50_us"), ("ring", "echo64", "p50_us")),
            "tcp_hl": self.ratio(("tcp", "echo64", "p50_us"), ("hostlane", "echo64", "p50_us")),
            "tcpb_hl": self.ratio(("tcp-busy", "echo64", "p50_us"), ("hostlane", "echo64", "p50_us")),
            "hl_local_f": self.ratio(("hostlane", "fact20", "p50_us"), ("local", "fact20", "p50_us")),
            "hl_rate": self.get("hostlane", "echo64", "rate"),
            "hl_tcpb_rate": self.ratio(("hostlane", "echo64", "rate"), ("tcp-busy", "echo64", "rate")),
            "burst_rate": self.get("hostlane-burst", "echo64", "rate"),
            "burst_ratio": self.ratio(("hostlane-burst", "echo64", "rate"),
                                      ("hostlane", "echo64", "rate")),
        }

    def kept_contended(self):
        return [f for f in self.flags if f and f[0] == "kept"]

    def verdict(self, s, goal, op):
        n = len(self.kept_contended())
        return f"no verdict ({n} contended)" if n else verdict(s, goal, op)

    def markdown(self):
        out = []
        out.append(f"{len(self.rounds)} rounds, methods alternating in each, the order rotating"
                   " from round to round; echo64 = a 64 B echo, fact20 = factorial(20, 1"
                   " repetition) on software (HL_PLACE_SW). The client on core 0; hostlane's"
                   " I/O lcore, the RPC server, the ping-pong peer and the in-process calls on"
                   " core 1. hostlane polls, so its baseline is TCP with both sides polling;"
                   " blocking TCP beside it. Latency: one call in flight; calls/s: pipelined,"
                   " 256 in flight for hostlane and TCP (back-to-back calls for Host-Host)."
                   + (" " + self.info["mode"] if "mode" in self.info else ""))
        out.append("")
        out.append("| method | case | p50 µs | p99 µs | calls/s (M) |")
        out.append("|---|---|---|---|---|")
        for mc in self.ROWS:
            m, c = mc.split(":")
            rate = self.get(m, c, "rate")
            rate = tuple(x / 1e6 for x in rate) if rate else None
            out.append(f"| {self.LABEL[m]} | {c} | {fmt_s(self.get(m, c, 'p50_us'), 3)} | "
                       f"{fmt_s(self.get(m, c, 'p99_us'), 3)} | {fmt_s(rate, 2)} |")
        out.append("")
        r = self.ratios()
        out.append("Per-round ratios, median (min–max):")
        out.append("")
        out.append(f"- hostlane echo p50 / ping-pong p50: {fmt_s(r['hl_pp'], 2)} (goal ≤ 2)")
        out.append(f"- memif rings alone p50 / ping-pong p50 (the layout's floor):"
                   f" {fmt_s(r['ring_pp'], 2)}")
        out.append(f"- hostlane echo p50 / memif rings alone p50 (its software's share):"
                   f" {fmt_s(r['hl_ring'], 2)}")
        out.append(f"- busy-polled TCP p50 / hostlane echo p50: {fmt_s(r['tcpb_hl'], 1)} (goal ≥ 15)")
        out.append(f"- blocking TCP p50 / hostlane echo p50: {fmt_s(r['tcp_hl'], 1)}")
        out.append(f"- hostlane pipelined echo / busy-polled TCP pipelined echo, calls/s:"
                   f" {fmt_s(r['hl_tcpb_rate'], 2)}")
        out.append(f"- hostlane pipelined echo resubmitted in bursts / one call per submit"
                   f" (one process, the order alternating by round): {fmt_s(r['burst_ratio'], 3)}")
        kept = self.kept_contended()
        rerun = [f for f in self.flags if f and f[0] == "rerun"]
        if rerun:
            out.append(f"- {len(rerun)} contended method runs were run again (rounds repeated)")
        if kept:
            out.append(f"- contended method runs kept in the figures (out of retries): "
                       + ", ".join(f"round {f[1]} {f[2]} {f[3]}%" for f in kept))
        return "\n".join(out)

    def summary_rows(self):
        r = self.ratios()
        return [
            ("Offload", "hostlane p50 / ping-pong p50", fmt_s(r["hl_pp"], 2), "≤ 2",
             self.verdict(r["hl_pp"], 2, "le")),
            ("Offload", "memif rings alone p50 / ping-pong p50 (layout floor)",
             fmt_s(r["ring_pp"], 2), "–", ""),
            ("Offload", "hostlane p50 / memif rings alone p50", fmt_s(r["hl_ring"], 2), "–", ""),
            ("Offload", "busy-polled TCP p50 / hostlane p50", fmt_s(r["tcpb_hl"], 1), "≥ 15",
             self.verdict(r["tcpb_hl"], 15, "ge")),
            ("Offload", "blocking TCP p50 / hostlane p50", fmt_s(r["tcp_hl"], 1), "–", ""),
            ("Offload", "hostlane / busy-polled TCP, pipelined calls/s",
             fmt_s(r["hl_tcpb_rate"], 2), "–", ""),
            ("Offload", "pipelined echo, burst / per-call submits", fmt_s(r["burst_ratio"], 3),
             "–", ""),
            ("Offload", "pipelined echo with bursts, M calls/s",
             fmt_s(tuple(x / 1e6 for x in r["burst_rate"]) if r["burst_rate"] else None, 2),
             "≥ 5", self.verdict(tuple(x / 1e6 for x in r["burst_rate"])
                                 if r["burst_rate"] else None, 5, "ge")),
        ]

    def missing(self):
        miss = []
        for k in (("hostlane", "echo64", "p50_us"), ("hostlane", "fact20", "p50_us"),
                  ("hostlane", "echo64", "rate"), ("hostlane-hybrid", "echo64", "p50_us"),
                  ("local", "echo64", "p50_us"), ("local", "fact20", "rate"),
                  ("tcp", "echo64", "p50_us"), ("tcp", "echo64", "rate"),
                  ("tcp-busy", "echo64", "p50_us"), ("tcp-busy", "echo64", "rate"),
                  ("pingpong", "line", "p50_us")):
            if not self.get(*k):
                miss.append("offload " + " ".join(k))
        return miss

    def plot_data(self, d):
        p = os.path.join(d, "offload.dat")
        with open(p, "w") as f:
            f.write("# label p50_med p50_min p50_max p99_med\n")
            for mc in ("pingpong:line", "local:echo64", "hostlane:echo64", "hostlane-hybrid:echo64",
                       "hostlane:fact20", "tcp-busy:echo64", "tcp:echo64"):
                m, c = mc.split(":")
                s, s99 = self.get(m, c, "p50_us"), self.get(m, c, "p99_us")
                if s:
                    f.write(f'"{m}/{c}" {s[1]:g} {s[0]:g} {s[2]:g} {s99[1] if s99 else s[1]:g}\n')
        return p


# ---- markdown tables of memif_rate.sh / pvswitch.sh ----------------------------

def md_table(path):
    """Rows (dicts keyed by header) of the first table in a markdown file."""
    rows, head = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("|"):
                if head is not None and rows:
                    break
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if head is None:
                head = cells
            elif set("".join(cells)) <= set("-: "):
                continue
            else:
                rows.append(dict(zip(head, cells)))
    return rows


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


class Memif:
    def __init__(self, path):
        rows = md_table(path)
        self.all = rows
        self.clean = [r for r in rows if "contended" not in r.get("flags", "")]
        use = self.clean or rows
        self.used_contended = not self.clean and bool(rows)
        self.a = stats([num(r.get("A hostlane Mpps")) for r in use])
        self.b = stats([num(r.get("B DPDK Mpps")) for r in use])
        self.r = stats([num(r.get("A/B")) for r in use])
        self.rows = use

    def markdown(self):
        out = ["64 B ping-pong through testpmd's net_memif client; A = hostlane's echo"
               " guest, B = a testpmd net_memif server echoing, on the same cores; pairs"
               " alternate A B, B A, …; contended pairs are left out.", "",
               "| side | Mpps, median (min–max) |", "|---|---|",
               f"| A hostlane echo | {fmt_s(self.a, 2)} |",
               f"| B DPDK memif pair | {fmt_s(self.b, 2)} |",
               f"| A/B per pair | {fmt_s(self.r, 3)} |", ""]
        out.append(f"{len(self.clean)} clean pair(s) of {len(self.all)} run"
                   + (" — **every pair was contended; the figures above are from contended"
                      " pairs**" if self.used_contended else "") + ".")
        return "\n".join(out)

    def summary_rows(self):
        return [("Channel", "hostlane echo / DPDK memif pair", fmt_s(self.r, 3), "≥ 0.8",
                 "no verdict (every pair contended)" if self.used_contended else
                 verdict(self.r, 0.8, "ge"))]

    def missing(self):
        return [] if self.r else ["memif A/B"]

    def plot_data(self, d):
        p = os.path.join(d, "memif.dat")
        with open(p, "w") as f:
            f.write("# pair A B\n")
            for r in self.rows:
                f.write(f"{r.get('pair')} {r.get('A hostlane Mpps')} {r.get('B DPDK Mpps')}\n")
        return p


class PvSwitch:
    def __init__(self, path):
        rows = md_table(path)
        self.all = rows
        self.clean = [r for r in rows if r.get("status", "kept") == "kept"]
        self.used_contended = not self.clean and bool(rows)
        self.rows = self.clean or rows
        use = self.rows
        self.ab = stats([num(r.get("A/B")) for r in use])
        self.ac = stats([num(r.get("A/C")) for r in use])
        self.a = stats([num(r.get("A hostlane Mpps")) for r in use])
        self.b = stats([num(r.get("B testpmd Mpps")) for r in use])
        self.c = stats([num(r.get("C OVS-DPDK Mpps")) for r in use])
        # The fast halves paragraph (pvswitch.sh): "hostlane / testpmd **X**[,
        # hostlane / OVS-DPDK **Y**]", each forwarder's upper half of runs.
        with open(path) as f:
            text = " ".join(f.read().split())
        m = re.search(r"hostlane / testpmd \*\*([0-9.]+)\*\*", text)
        self.fast_ab = num(m.group(1)) if m else None
        m = re.search(r"hostlane / OVS-DPDK \*\*([0-9.]+)\*\*", text)
        self.fast_ac = num(m.group(1)) if m else None

    def markdown(self):
        out = ["64 B frames from a virtio_user testpmd through a vhost-user port to a"
               " net_null uplink: A = hostlane's PV switch, B = testpmd io forwarding,"
               " C = OVS-DPDK (when installed), on the same cores; rounds alternate, each"
               " starting one forwarder later; contended rounds are left out.", "",
               "| forwarder | Mpps, median (min–max) |", "|---|---|",
               f"| A hostlane PV switch | {fmt_s(self.a, 2)} |",
               f"| B testpmd vhost → null | {fmt_s(self.b, 2)} |",
               f"| C OVS-DPDK | {fmt_s(self.c, 2)} |",
               f"| A/B per round | {fmt_s(self.ab, 3)} |",
               f"| A/C per round | {fmt_s(self.ac, 3)} |",
               f"| A/B, fast halves (each forwarder's upper half of runs) | {fmt(self.fast_ab, 3)} |",
               f"| A/C, fast halves | {fmt(self.fast_ac, 3)} |", "",
               f"{len(self.clean)} clean round(s) of {len(self.all)} run"
               + (" — **every round was contended; the figures above are from contended"
                  " rounds**" if self.used_contended else "") + "."]
        return "\n".join(out)

    def summary_rows(self):
        def v(s, goal):
            return "no verdict (every round contended)" if self.used_contended else verdict(s, goal, "ge")
        rows = [("PV switch", "hostlane / testpmd forwarding", fmt_s(self.ab, 3), "≥ 1.0",
                 v(self.ab, 1.0))]
        if self.ac:
            rows.append(("PV switch", "hostlane / OVS-DPDK", fmt_s(self.ac, 3), "≥ 1.5",
                         v(self.ac, 1.5)))
        if self.fast_ab is not None:
            rows.append(("PV switch", "hostlane / testpmd, fast halves (upper half of each"
                         " forwarder's runs)", fmt(self.fast_ab, 3), "–", ""))
        if self.fast_ac is not None:
            rows.append(("PV switch", "hostlane / OVS-DPDK, fast halves", fmt(self.fast_ac, 3),
                         "–", ""))
        return rows

    def missing(self):
        return [] if self.ab else ["pvswitch A/B"]

    def plot_data(self, d):
        p = os.path.join(d, "pvswitch.dat")
        with open(p, "w") as f:
            f.write("# round A B C\n")
            for r in self.rows:
                c = num(r.get("C OVS-DPDK Mpps"))
                f.write(f"{r.get('round')} {r.get('A hostlane Mpps')} {r.get('B testpmd Mpps')}"
                        f" {c if c is not None else 'NaN'}\n")
        return p


# ---- accel.sh / hostile_ratio.sh raw pairs ------------------------------------

def read_pairs(path):
    """INFO key value lines and PAIR rows (lists of words) of a raw file."""
    info, pairs, extra = {}, [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "INFO":
                info[w[1]] = " ".join(w[2:])
            elif w and w[0] == "PAIR":
                pairs.append(w[1:])
            elif w:
                extra.append(line.rstrip("\n"))
    return info, pairs, extra


class Accel:
    FNS = (("sha256", "sha256 4 KiB"), ("deflate", "deflate 64 KiB"),
           ("inflate", "inflate to 64 KiB"))

    def __init__(self, path):
        self.info, rows, extra = read_pairs(path)
        # fn bytes n order a b ratio others_a others_b status
        self.rows = [dict(fn=w[0], n=w[2], order=w[3], a=num(w[4]), b=num(w[5]),
                          r=num(w[6]), fa=w[7], fb=w[8], status=w[9]) for w in rows if len(w) >= 10]
        self.inproc = [x.split(" ", 1)[1] for x in extra if x.startswith("INPROC ")]

    def kept(self, fn):
        return [r for r in self.rows if r["fn"] == fn and r["status"] != "rerun"]

    def ratio(self, fn):
        return stats([r["r"] for r in self.kept(fn)])

    def contended(self, fn):
        return sum(1 for r in self.kept(fn) if r["status"] == "contended")

    def inproc_ratio(self, i):
        m = re.search(r"zero-copy/direct: ([0-9.]+)", self.inproc[i]) if i < len(self.inproc) else None
        return float(m.group(1)) if m else None

    def summary_rows(self):
        rows = []
        for fn, title in self.FNS:
            r, c = self.ratio(fn), self.contended(fn)
            rows.append(("Accelerators", f"{title}: guest path / PMD in-process, 32 in flight",
                         fmt_s(r, 3), "≥ 0.9",
                         f"no verdict ({c} contended)" if c else verdict(r, 0.9, "ge")))
        for i, (fn, title) in enumerate(self.FNS[:2]):
            v = self.inproc_ratio(i)
            if v is not None:
                rows.append(("Accelerators", f"{title}: in-process backend (zero-copy) / PMD",
                             fmt(v, 3), "≥ 0.9", verdict((v, v, v), 0.9, "ge")))
        return rows

    def missing(self):
        return [f"accel {fn}" for fn, _ in self.FNS if not self.ratio(fn)]


class Isolation:
    def __init__(self, path):
        self.info, rows, _ = read_pairs(path)
        # n order alone attacked cases ratio others_alone others_attacked status
        self.rows = [dict(n=w[0], order=w[1], a=num(w[2]), b=num(w[3]), cases=w[4],
                          r=num(w[5]), status=w[8]) for w in rows if len(w) >= 9]
        self.kept = [r for r in self.rows if r["status"] != "rerun"]
        self.r = stats([r["r"] for r in self.kept])
        self.contended = sum(1 for r in self.kept if r["status"] == "contended")

    def summary_rows(self):
        return [("Isolation", f"a guest's calls/s attacked / alone (attacker at nice"
                 f" {self.info.get('nice', '?')})", fmt_s(self.r, 3), "≥ 0.95",
                 f"no verdict ({self.contended} contended)" if self.contended else
                 verdict(self.r, 0.95, "ge"))]

    def missing(self):
        return [] if self.r else ["isolation ratio"]


# ---- the VF allocator (bench/vf/alloc.sh) ------------------------------------------

class VfAlloc:
    GROUPS = ("20k", "40k", "80k", "100k")

    def __init__(self, path):
        self.info, self.rounds, self.share, self.benefit, self.scale = {}, {}, {}, {}, []
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) >= 3 and w[0] == "INFO":
                    self.info[w[1]] = " ".join(w[2:])
                elif len(w) == 8 and w[0] == "ROUND":
                    self.rounds.setdefault(w[1], []).append([int(x) for x in w[2:]])
                elif len(w) == 4 and w[0] == "SHARE":
                    self.share.setdefault(w[1], []).append(float(w[3]))
                elif len(w) == 4 and w[0] == "BENEFIT":
                    self.benefit[w[1]] = (float(w[2]), int(w[3]))
                elif len(w) == 9 and w[0] == "SCALE":
                    self.scale.append(dict(policy=w[1], guests=int(w[2]), vfs=int(w[3]),
                                           rounds=int(w[4]), med=float(w[5]), p99=float(w[6]),
                                           max=float(w[7]), bytes=int(w[8])))

    def ratio(self):
        f, a = self.benefit.get("fair"), self.benefit.get("activity")
        return a[0] / f[0] if f and a and f[0] > 0 else None

    def round_at(self, n):
        v = [x["med"] for x in self.scale if x["guests"] == n]
        return max(v) if v else None

    def bytes_per_guest(self):
        v = [x["bytes"] for x in self.scale]
        return max(v) if v else None

    def markdown(self):
        vfs = self.info.get("vfs", "?")
        out = [f"FlexVF's experiment in simulation: 100 guests in four groups of 25 at"
               f" 20k/40k/80k/100k pps (±10 % noise), {vfs} VFs, a round every"
               f" {self.info.get('interval_s', '?')} s of simulated time, the mock actuator."
               " Share: each group's fraction of its guests' time on a VF; benefit: the"
               " fraction of all packets carried by VFs.", "",
               "| policy | " + " | ".join(f"{g} pps share" for g in self.GROUPS)
               + " | benefit | VF assigns |", "|---|---|---|---|---|---|---|"]
        for pol in ("fair", "activity"):
            sh = self.share.get(pol, [])
            b = self.benefit.get(pol)
            out.append(f"| {pol} | " + " | ".join(fmt(x, 3) for x in sh)
                       + f" | {fmt(b[0], 3) if b else '–'} | {b[1] if b else '–'} |")
        out += ["", "One round (rates of every guest, the policy, its decisions through the"
                " mock actuator; 64 VFs) and the allocator's memory per guest record:", "",
                "| policy | guests | round µs median | p99 | max | bytes per guest |",
                "|---|---|---|---|---|---|"]
        for x in self.scale:
            out.append(f"| {x['policy']} | {x['guests']} | {fmt(x['med'])} | {fmt(x['p99'])}"
                       f" | {fmt(x['max'])} | {x['bytes']} |")
        return "\n".join(out)

    def summary_rows(self):
        r1k, mem, ratio = self.round_at(1000), self.bytes_per_guest(), self.ratio()
        rows = []
        if r1k is not None:
            rows.append(("VF allocator", "one round at 1 000 guests (µs, median, worse policy)",
                         fmt(r1k), "≤ 1000", verdict((r1k, r1k, r1k), 1000, "le")))
        r10k = self.round_at(10000)
        if r10k is not None:
            rows.append(("VF allocator", "one round at 10 000 guests (µs)", fmt(r10k), "–", ""))
        if mem is not None:
            rows.append(("VF allocator", "memory per guest (bytes)", str(mem), "≤ 4096",
                         verdict((mem, mem, mem), 4096, "le")))
        if ratio is not None:
            rows.append(("VF allocator", "FlexVF 4 groups: benefit activity / fair",
                         fmt(ratio, 3), "> 1", verdict((ratio, ratio, ratio), 1.0, "ge")))
        return rows

    def missing(self):
        miss = []
        if set(self.rounds) != {"fair", "activity"}:
            miss.append("vfalloc rounds")
        if self.ratio() is None:
            miss.append("vfalloc benefit")
        if self.round_at(1000) is None or self.round_at(10000) is None:
            miss.append("vfalloc scale")
        return miss

    def plot_data(self, d):
        p = os.path.join(d, "vf_alloc.dat")
        with open(p, "w") as f:
            f.write("# t_s fair: held20 held40 held80 held100; activity: the same\n")
            fair, act = self.rounds.get("fair", []), self.rounds.get("activity", [])
            for a, b in zip(fair, act):
                f.write(" ".join(str(x) for x in [a[1]] + a[2:] + b[2:]) + "\n")
        return p


class Idle:
    """bench/idle.sh's raw file: adaptive idle against idle = poll."""

    def __init__(self, path):
        self.info, rows, _ = read_pairs(path)
        # n order cpu_a cpu_p p50_a p99_a p50_p p99_p rate_a rate_p ratio
        self.rows = [[num(x) for x in w[2:11]] for w in rows if len(w) >= 11]

    def col(self, i):
        return stats([r[i] for r in self.rows])

    def summary_rows(self):
        cpu, p99, r = self.col(0), self.col(3), self.col(8)
        return [("Idle", "idle CPU, idle = adaptive, nothing connected (% of a core)",
                 fmt_s(cpu, 2), "≤ 5", verdict(cpu, 5, "le")),
                ("Idle", "wake-up p99, first call after 1 s idle, adaptive (µs)",
                 fmt_s(p99, 1), "≤ 50", verdict(p99, 50, "le")),
                ("Idle", "busy pipelined calls/s, adaptive / poll",
                 fmt_s(r, 3), "≥ 0.98", verdict(r, 0.98, "ge"))] + self.floor_rows(p99)

    def floor_rows(self, p99):
        """The kernel's eventfd wake-up floor (bench/wake_floor), if measured."""
        f99 = num(self.info.get("floor_p99", "nan"))
        if p99 is None or not f99 or f99 != f99:
            return []
        return [("Idle", "kernel floor: eventfd wake of a blocked thread after 1 s, p99 (µs)",
                 fmt(f99, 1), "–", ""),
                ("Idle", "wake-up p99, adaptive / kernel floor p99",
                 fmt(p99[1] / f99, 2), "–", "")]

    def missing(self):
        return [] if self.rows else ["idle pairs"]


# ---- plots ---------------------------------------------------------------------

# Plot titles of the VirtFun domains, in plot_data's column order.
VF_PLOT = (("HH", "Host-Host"), ("HS", "Host-Host, sliced"), ("GH", "Guest-Host, process"),
           ("GV", "Guest-Host, VM"), ("GN", "Guest-Net (TCP loopback)"))


def plots(d, vf, off, mem, pvs, vfa=None):
    """Draws PNGs into d with gnuplot; returns their names."""
    if shutil.which("gnuplot") is None:
        print("report: no gnuplot (apt-get install gnuplot-nox): no plots", file=sys.stderr)
        return []
    os.makedirs(d, exist_ok=True)
    data = os.path.join(d, "data")
    os.makedirs(data, exist_ok=True)
    gp = ['set terminal pngcairo size 900,560 font "sans,10"', "set grid", "set key top left"]
    made = []
    if vf:
        for fn, p in vf.plot_data(data):
            png = f"virtfun_{fn}.png"
            gp += [f'set output "{os.path.join(d, png)}"',
                   f'set title "VirtFun {fn}({FN_ARG.get(fn, "")}): {fmt(vf.total)} repetitions split'
                   ' over invocations (median, min–max)"',
                   "set logscale xy", 'set xlabel "invocations"', 'set ylabel "seconds"',
                   "set format x '10^{%L}'",
                   "plot " + ", ".join(
                       f'"{p}" using 1:{2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i} with yerrorlines lw 2'
                       f' title "{title}"' for i, (k, title) in enumerate(VF_PLOT) if k in vf.doms),
                   "unset logscale", "set format x"]
            made.append(png)
        png = "virtfun_ratios.png"
        series = []
        for fn, p in vf.plot_data(data):
            series += [f'"{p}" using 1:17 with linespoints lw 2 title "GH/HH {fn}"',
                       f'"{p}" using 1:18 with linespoints lw 2 title "GN/GH {fn}"']
            if "GV" in vf.doms:
                series.append(f'"{p}" using 1:19 with linespoints lw 2 title "GV/HH {fn}"')
        gp += [f'set output "{os.path.join(d, png)}"',
               'set title "VirtFun ratios per column (median of per-run ratios)"',
               "set logscale xy", 'set xlabel "invocations"', 'set ylabel "ratio"',
               "set format x '10^{%L}'",
               "plot " + ", ".join(series) + ', 1.01 dt 2 lc "gray" title "GH/HH, GV/HH goal 1.01", '
               '5 dt 3 lc "gray" title "GN/GH goal 5"',
               "unset logscale", "set format x"]
        made.append(png)
    if off and off.rounds:
        p = off.plot_data(data)
        png = "offload_latency.png"
        gp += [f'set output "{os.path.join(d, png)}"',
               'set title "Offload round trip, one call in flight (median over rounds, min–max)"',
               "set logscale y", 'set ylabel "µs"', "unset xlabel", "set style fill solid 0.5",
               "set boxwidth 0.35", "set xtics rotate by -25", "set yrange [0.005:*]",
               "set xrange [-0.6:*]", "set bmargin 6",
               f'plot "{p}" using ($0-0.18):2:xtic(1) with boxes title "p50 (median over rounds)", '
               f'"" using ($0-0.18):2:3:4 with yerrorbars lc "black" pt 0 title "p50 min–max", '
               f'"" using ($0+0.18):5 with boxes title "p99 (median over rounds)"',
               "unset logscale", "unset style", "set boxwidth", "set xtics norotate",
               "set yrange [*:*]", "set xrange [*:*]", "set bmargin"]
        made.append(png)
    if mem and mem.rows:
        p = mem.plot_data(data)
        png = "channel_rate.png"
        gp += [f'set output "{os.path.join(d, png)}"',
               'set title "memif channel, 64 B ping-pong: hostlane echo (A) vs DPDK memif pair (B)"',
               'set ylabel "Mpps"', 'set xlabel "pair"', "set style fill solid 0.5", "set boxwidth 0.35",
               "set yrange [0:*]",
               f'plot "{p}" using ($1-0.18):2 with boxes title "A hostlane", '
               f'"" using ($1+0.18):3 with boxes title "B DPDK memif"',
               "unset style", "set boxwidth", "set yrange [*:*]"]
        made.append(png)
    if pvs and pvs.rows:
        p = pvs.plot_data(data)
        png = "pvswitch_rate.png"
        gp += [f'set output "{os.path.join(d, png)}"',
               'set title "PV switch, 64 B vhost-user → null: hostlane (A), testpmd (B), OVS-DPDK (C)"',
               'set ylabel "Mpps"', 'set xlabel "round"', "set style fill solid 0.5", "set boxwidth 0.25",
               "set yrange [0:*]",
               f'plot "{p}" using ($1-0.27):2 with boxes title "A hostlane", '
               f'"" using ($1):3 with boxes title "B testpmd", '
               f'"" using ($1+0.27):4 with boxes title "C OVS-DPDK"',
               "unset style", "set boxwidth", "set yrange [*:*]"]
        made.append(png)
    if vfa and vfa.rounds:
        p = vfa.plot_data(data)
        png = "vf_alloc_holders.png"
        gp += [f'set output "{os.path.join(d, png)}"',
               "set multiplot layout 1,2 title \"FlexVF in simulation: VFs held per group of 25"
               f" guests, {vfa.info.get('vfs', '?')} VFs\"",
               'set xlabel "simulated time (s), one bar per round"',
               'set ylabel "VFs held, stacked by group"',
               f"set yrange [0:{int(vfa.info.get('vfs', '50')) * 1.25:.0f}]",
               "set key top left horizontal", "set style fill solid 0.8 border -1",
               f"set boxwidth {float(vfa.info.get('interval_s', '300')) * 0.9:.0f}"]
        for pol, base in (("fair", 2), ("activity", 6)):
            # Stacked: each group's bar is drawn from 0 to its sum with the
            # busier groups below it, the quietest group first.
            series = []
            for i, g in enumerate(VfAlloc.GROUPS):
                cols = "+".join(f"${base + k}" for k in range(i, 4))
                series.append(f'"{p}" using 1:({cols}) with boxes title "{g} pps"')
            gp += [f'set title "{pol}"', "plot " + ", ".join(series)]
        gp += ["unset multiplot", "set yrange [*:*]", "set title", "unset style",
               "set boxwidth", "set key top left"]
        made.append(png)
    script = os.path.join(data, "plots.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    r = subprocess.run(["gnuplot", script], capture_output=True, text=True)
    if r.returncode != 0:
        print("report: gnuplot failed:\n" + r.stderr, file=sys.stderr)
        return []
    return [m for m in made if os.path.exists(os.path.join(d, m))]


# ---- the report ----------------------------------------------------------------

def summary_table(rows):
    out = ["| benchmark | figure | median (min–max) | goal | |", "|---|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    return "\n".join(out)


def text_table(rows):
    head = ("benchmark", "figure", "median (min–max)", "goal", "")
    allr = [head] + list(rows)
    w = [max(len(r[i]) for r in allr) for i in range(5)]
    return "\n".join("  ".join(r[i].ljust(w[i]) for i in range(5)).rstrip() for r in allr)


def read_meta(path):
    meta = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


SUMMARY_BEGIN = "<!-- bench-summary: begin (written by bench/report.py; do not edit) -->"
SUMMARY_END = "<!-- bench-summary: end -->"


def run_line(meta):
    """One sentence: which run, of what, on what."""
    quick = meta.get("quick") == "1"
    return (f"`bench/run{' --quick' if quick else ''}` of hostlane {meta.get('rev', '?')},"
            f" {meta.get('date', '?')}, on {meta.get('cpus', '?')} CPUs of {meta.get('cpu', '?')};"
            f" kernel {meta.get('kernel', '?')}; DPDK {meta.get('dpdk', '?')};"
            f" {meta.get('elapsed', '?')} in all.")


def warnings(meta):
    """Loud lines for a run whose figures must not be committed."""
    out = []
    if meta.get("rev", "").endswith("+dirty"):
        out.append("**The tree had uncommitted changes (+dirty): these figures are of no"
                   " commit. Do not commit them.**")
    if meta.get("quick") == "1":
        out.append("**Quick mode**: fewer and shorter runs than a default run (VirtFun 2"
                   " runs of 1M repetitions up to 10k invocations; offload, channel,"
                   " accelerators and isolation 1 pair or round), no PV switch. A smoke"
                   " test: no figure to quote.")
    return out


def summary_block(meta, rows):
    """The summary docs/performance.md includes verbatim."""
    out = [SUMMARY_BEGIN, "", run_line(meta), ""]
    for w in warnings(meta):
        out += [w, ""]
    if meta.get("load"):
        out += [f"Machine load: {meta['load']}", ""]
    out += ["Every figure is a ratio against a baseline run side by side on the same"
            " cores (median, with min–max over the runs or pairs); a figure that includes"
            " a run others contended gets no verdict. Details: `bench/results/latest.md`.",
            "", summary_table(rows), ""]
    skipped = [x for x in meta.get("skipped", "").split("|") if x.strip()]
    if skipped:
        out += ["Not in the summary: " + "; ".join(skipped) + ".", ""]
    out.append(SUMMARY_END)
    return "\n".join(out) + "\n"


def splice(path, block):
    """Replace what lies between the markers in path (markers included)."""
    with open(path) as f:
        text = f.read()
    i, j = text.find(SUMMARY_BEGIN), text.find(SUMMARY_END)
    if i < 0 or j < i:
        sys.exit(f"report: {path} has no summary markers")
    with open(path, "w") as f:
        f.write(text[:i] + block.rstrip("\n") + text[j + len(SUMMARY_END):])


def load(cls, p):
    return cls(p) if p and os.path.exists(p) and os.path.getsize(p) > 0 else None


def full_report(a, vf):
    off, mem, pvs = load(Offload, a.offload), load(Memif, a.memif), load(PvSwitch, a.pvswitch)
    acc, iso = load(Accel, a.accel), load(Isolation, a.isolation)
    vfa = load(VfAlloc, a.vfalloc)
    idle = load(Idle, a.idle)
    meta = read_meta(a.meta)
    rows = []
    for b in (vf, off, mem, pvs, acc, iso, vfa, idle):
        if b:
            rows += b.summary_rows()
    made = plots(a.plots, vf, off, mem, pvs, vfa) if a.plots else []

    md = [f"# hostlane benchmarks — {meta.get('date', '')}", "", run_line(meta)]
    for w in warnings(meta):
        md += ["", w]
    if meta.get("load"):
        md += ["", f"Machine load: {meta['load']}"]
    md += ["", "## Summary", "", summary_table(rows), ""]
    if made:
        md += ["Plots: " + ", ".join(f"[{m}]({m})" for m in made) + ".", ""]
    sections = (("VirtFun table", vf), ("Offload latency and throughput", off),
                ("Channel rate", mem), ("PV switch rate", pvs), ("VF allocator", vfa))
    for title, b in sections:
        md += [f"## {title}", ""]
        md.append(b.markdown() if b else "Not run (or it produced nothing): see the run's output.")
        md.append("")
        if title.startswith("VirtFun") and b:
            md += [f"![{m}]({m})" for m in made if m.startswith("virtfun")] + [""]
        if title.startswith("Offload") and "offload_latency.png" in made:
            md += ["![offload_latency.png](offload_latency.png)", ""]
        if title.startswith("Channel") and "channel_rate.png" in made:
            md += ["![channel_rate.png](channel_rate.png)", ""]
        if title.startswith("PV") and "pvswitch_rate.png" in made:
            md += ["![pvswitch_rate.png](pvswitch_rate.png)", ""]
        if title.startswith("VF") and "vf_alloc_holders.png" in made:
            md += ["![vf_alloc_holders.png](vf_alloc_holders.png)", ""]
    md += ["## Accelerators and isolation", "",
           "Pairs, orders and contention of each: `accel.md` and `hostile_ratio.md` beside"
           " this report." if acc or iso else "Not run.", ""]
    md += ["## Adaptive idle", "", "Pairs and orders: `idle.md` beside this report."
           if idle else "Not run.", ""]
    if meta.get("skipped"):
        md += ["## Not in the summary", ""]
        md += [f"- {x}" for x in meta["skipped"].split("|") if x.strip()] + [""]
    if a.md:
        with open(a.md, "w") as f:
            f.write("\n".join(md))
    if a.summary:
        with open(a.summary, "w") as f:
            f.write(summary_block(meta, rows))
    if a.splice:
        splice(a.splice, summary_block(meta, rows))
    print(text_table(rows))
    if made:
        print(f"plots: {', '.join(made)}")
    if a.check:
        check(a, made, dict(virtfun=vf, offload=off, memif=mem, pvswitch=pvs, accel=acc,
                            isolation=iso, vfalloc=vfa, idle=idle))


def check(a, made, got):
    """Exit 1 unless every benchmark asked for produced every figure."""
    miss = []
    for name in filter(None, (a.want or "").split(",")):
        b = got.get(name)
        miss += b.missing() if b else [f"{name}: no results"]
    if shutil.which("gnuplot") and len(made) < 2:
        miss.append("plots")
    if miss:
        print("report: check failed, missing: " + "; ".join(miss), file=sys.stderr)
        sys.exit(1)
    print("report: check passed: every benchmark produced its figures")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--virtfun")
    ap.add_argument("--offload")
    ap.add_argument("--memif")
    ap.add_argument("--pvswitch")
    ap.add_argument("--accel")
    ap.add_argument("--isolation")
    ap.add_argument("--vfalloc")
    ap.add_argument("--idle")
    ap.add_argument("--meta")
    ap.add_argument("--section", choices=("virtfun", "vfalloc", "all"), default="all")
    ap.add_argument("--md")
    ap.add_argument("--summary")
    ap.add_argument("--splice")
    ap.add_argument("--plots")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--want")
    a = ap.parse_args()

    if a.section == "vfalloc":
        vfa = load(VfAlloc, a.vfalloc)
        if vfa is None or vfa.missing():
            sys.exit("report: no VF allocator results" if vfa is None else
                     "report: VF allocator results lack " + ", ".join(vfa.missing()))
        text = vfa.markdown()
        print(text)
        print(text_table(vfa.summary_rows()))
        if a.md:
            with open(a.md, "w") as f:
                f.write("# VF allocator\n\n" + text + "\n")
        sys.exit(0)
    vf = load(VirtFun, a.virtfun)
    if a.section == "virtfun":
        if vf is None:
            sys.exit("report: no VirtFun results")
        text = vf.markdown()
        print(text)
        if a.md:
            with open(a.md, "w") as f:
                f.write("# VirtFun table\n\n" + text + "\n")
        sys.exit(0)
    full_report(a, vf)


if __name__ == "__main__":
    main()
