#!/usr/bin/env python3
"""Summarises bench-compare.sh: the raw results (.jsonl) of each side's runs, medians per measurement, ratios."""
import argparse
import glob
import json
import math
import os
import statistics
import sys


def rows(directory, side):
    """The result rows of each round of one side: {round: [rows]}."""
    out = {}
    for path in sorted(glob.glob(os.path.join(directory, side + "-*", "*.jsonl"))):
        rnd = int(os.path.basename(os.path.dirname(path)).rsplit("-", 1)[1])
        with open(path) as f:
            out.setdefault(rnd, []).extend(json.loads(line) for line in f if line.strip())
    return out


def size_label(n):
    for unit, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d%siB" % (n // div, unit)
    return str(n)


def measurements(kind, data):
    """(name, higher_is_better, value) per result row."""
    for r in data:
        if kind == "metadata":
            name = "%s c=%d" % (r["test"], r["c"])
            yield name + " req/s" if r["test"] != "create_delete" else name + " pairs/s", True, r["rate"]
            if r.get("glint_ms_per_unit") is not None:
                yield name + " Glint core-ms/unit", False, r["glint_ms_per_unit"]
            if r.get("pg_ms_per_unit") is not None:
                yield name + " PostgreSQL core-ms/unit", False, r["pg_ms_per_unit"]
        elif r.get("kind") == "download" and r.get("server") == "glint":
            name = "download %s c=%d" % (size_label(r["size"]), r["c"])
            yield name + " MB/s", True, r["mbps"]
            if r.get("server_cost") is not None:
                yield name + " core-s/GB", False, r["server_cost"]
        elif r.get("kind") == "upload":
            name = "upload %s c=%d fsync=%s" % (size_label(r["size"]), r["c"], r["fsync"])
            if r.get("label"):
                name = "upload %s %s c=%d" % (size_label(r["size"]), r["label"], r["c"])
            yield name + " MB/s", True, r["mbps"]
            if r.get("server_cost") is not None:
                yield name + " core-s/GB", False, r["server_cost"]


def collect(kind, rounds):
    """name -> (higher_is_better, {round: value}), in first-seen order."""
    table = {}
    order = []
    for rnd, data in sorted(rounds.items()):
        for name, higher, value in measurements(kind, data):
            if name not in table:
                order.append(name)
                table[name] = (higher, {})
            table[name][1].setdefault(rnd, []).append(value)
    return order, {n: (h, {r: statistics.median(v) for r, v in by.items()}) for n, (h, by) in table.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--command", default="")
    ap.add_argument("--rounds", default="")
    a = ap.parse_args()
    border, btable = collect(a.kind, rows(a.dir, "base"))
    horder, htable = collect(a.kind, rows(a.dir, "head"))
    print("# Same-run comparison: %s, %s (reference) vs %s (current)\n" % (a.kind, a.base, a.head))
    print("Rounds: %s, alternating the order; raw runs under `%s`. Each round runs both Glints back to back, so"
          " the ratio current / reference is taken per round and the rounds' ratios are combined by their"
          " geometric mean (load from other processes drifts between rounds far more than within one). Rates:"
          " ≥ 1 means as fast or faster; CPU per unit: ≤ 1 means as cheap or cheaper. The medians of each side"
          " are shown for scale.\n" % (a.rounds, os.path.relpath(a.dir)))
    if a.command:
        print("Command: `%s`\n" % a.command)
    print("| measurement | %s (median) | %s (median) | ratio per round | ratio (geo. mean) | verdict |"
          % (a.base, a.head))
    print("| --- | ---: | ---: | --- | ---: | --- |")
    worst = None
    for name in border:
        if name not in htable:
            continue
        higher, bvals = btable[name]
        hvals = htable[name][1]
        b, h = statistics.median(bvals.values()), statistics.median(hvals.values())
        paired = [(hvals[r] / bvals[r]) for r in sorted(bvals) if r in hvals and bvals[r] > 0 and hvals[r] > 0]
        if not paired:  # too small to measure (e.g. PostgreSQL CPU of cached reads)
            print("| %s | %.3f | %.3f | – | – | not measurable |" % (name, b, h))
            continue
        ratio = math.exp(sum(math.log(x) for x in paired) / len(paired))
        speed = ratio if higher else 1 / ratio  # >= 1 good, whatever the direction of the measurement
        verdict = "ok" if speed >= 0.95 else "slower"
        if worst is None or speed < worst[1]:
            worst = (name, speed)
        fmt = (lambda v: "%.0f" % v) if higher and b > 100 else (lambda v: "%.3f" % v)
        print("| %s | %s | %s | %s | %.2f | %s |" % (name, fmt(b), fmt(h), " ".join("%.2f" % x for x in paired),
                                                     ratio, verdict))
    if worst:
        print("\nWorst speed ratio (rates current/reference, CPU reference/current): %.2f (%s)." % (worst[1], worst[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
