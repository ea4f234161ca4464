#!/usr/bin/env python3
"""Combines several runs of `measure` (each written with OUT=DIR) into microbench.json and
largepages3.json: each microbenchmark event's median is the median of the runs' medians, its
min and max the extremes over all runs (runs_median lists the runs' medians; a check microbench
recorded with an event, such as anon_huge_kb, timed_minflt or settle_passes, is kept as the list of
the runs' values); the chase sweep
takes the median of each point; largepages3.json holds every run of the C port (predict takes
the median over all of them). The header (kernel, CPU, THP settings) is the first run's.

  combine.py [--port-only DIR]... DIR...   writes microbench.json and largepages3.json next to
                                           this script; a --port-only run adds its largepages3
                                           runs only (e.g. one whose microbenchmarks timed
                                           another way)
"""
import json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
dirs, port_only = [], []
while args:
    a = args.pop(0)
    (port_only if a == "--port-only" else dirs).append(args.pop(0) if a == "--port-only" else a)
if not dirs:
    sys.exit("usage: combine.py DIR...  (each holding one measure run's microbench.json and largepages3.json)")
med = lambda xs: sorted(xs)[len(xs) // 2]
mbs = [json.load(open(os.path.join(d, "microbench.json"))) for d in dirs]
lps = [json.load(open(os.path.join(d, "largepages3.json"))) for d in dirs + port_only]
out = {k: v for k, v in mbs[0].items() if k not in ("events", "chase_sweep_ns")}
out["measure_runs"] = len(mbs)
out["chase_sweep_ns"] = {n: [med([mb["chase_sweep_ns"][n][i] for mb in mbs]) for i in (0, 1)]
                         for n in mbs[0]["chase_sweep_ns"]}
out["events"] = {e: {"median": med([mb["events"][e]["median"] for mb in mbs]),
                     "min": min(mb["events"][e]["min"] for mb in mbs),
                     "max": max(mb["events"][e]["max"] for mb in mbs),
                     "runs_median": [mb["events"][e]["median"] for mb in mbs],
                     **{c: [mb["events"][e][c] for mb in mbs] for c in mbs[0]["events"][e]
                        if c not in ("median", "min", "max")}}
                 for e in mbs[0]["events"]}
json.dump(out, open(os.path.join(here, "microbench.json"), "w"), indent=1)
lp = {k: v for k, v in lps[0].items() if k != "runs"}
lp["measure_runs"] = len(lps)
lp["runs"] = [r for l in lps for r in l["runs"]]
json.dump(lp, open(os.path.join(here, "largepages3.json"), "w"), indent=1)
print("combined %d runs: %d largepages3 runs" % (len(dirs), len(lp["runs"])))
