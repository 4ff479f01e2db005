#!/usr/bin/env python3
"""Summarises bench-compare.sh: the raw results (.jsonl) of each side's runs, medians per measurement, ratios."""
import argparse
import glob
import json
import os
import statistics
import sys


def rows(directory, side):
    out = []
    for path in sorted(glob.glob(os.path.join(directory, side + "-*", "*.jsonl"))):
        with open(path) as f:
            out.extend(json.loads(line) for line in f if line.strip())
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


def collect(kind, data):
    table = {}
    order = []
    for name, higher, value in measurements(kind, data):
        if name not in table:
            order.append(name)
            table[name] = (higher, [])
        table[name][1].append(value)
    return order, table


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
    print("Rounds: %s, alternating the order; raw runs under `%s`. Medians over the rounds; the ratio is"
          " current / reference for rates (≥ 1: as fast or faster) and for CPU per unit (≤ 1: as cheap or"
          " cheaper).\n" % (a.rounds, os.path.relpath(a.dir)))
    if a.command:
        print("Command: `%s`\n" % a.command)
    print("| measurement | %s | %s | ratio | verdict |" % (a.base, a.head))
    print("| --- | ---: | ---: | ---: | --- |")
    worst = None
    for name in border:
        if name not in htable:
            continue
        higher, bvals = btable[name]
        hvals = htable[name][1]
        b, h = statistics.median(bvals), statistics.median(hvals)
        if b <= 0 or h <= 0:  # too small to measure (e.g. PostgreSQL CPU of cached reads)
            print("| %s | %.3f | %.3f | – | not measurable |" % (name, b, h))
            continue
        ratio = h / b if b else float("nan")
        # "speed" ratio: >= 1 good, whatever the direction of the measurement
        speed = ratio if higher else (b / h if h else float("nan"))
        verdict = "ok" if speed >= 0.95 else "slower"
        if worst is None or speed < worst[1]:
            worst = (name, speed)
        fmt = (lambda v: "%.0f" % v) if higher and b > 100 else (lambda v: "%.3f" % v)
        print("| %s | %s | %s | %.2f | %s |" % (name, fmt(b), fmt(h), ratio, verdict))
    if worst:
        print("\nWorst speed ratio (rates current/reference, CPU reference/current): %.2f (%s)." % (worst[1], worst[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
