#!/usr/bin/env python3
"""Summarises one run of memcg-swap-trace.c: its JSON (stdin or the first argument) and its raw
trace (the second argument) become one JSON object with the samples and one entry a limit reclaim:
the page the child had written when it began (the last trace_marker; "end" after the last page), nr_reclaimed
(mm_vmscan_memcg_reclaim_end), the pages written (mm_vmscan_write_folio), the swap requests issued
and completed meanwhile (block_rq_issue by the child, block_rq_complete), its wall time, and per
priority the pages scanned and reclaimed (mm_vmscan_lru_shrink_inactive, summed over its batches)
with the batches as [scanned, reclaimed, ref_keep] lists. Over the whole run: the median spacing of
mm_vmscan_write_folio within a batch (write_gap_us_median) and the swap writes' latency from
block_rq_issue to block_rq_complete by request size (rq_latency_us: pages -> [requests, median us]).

usage: memcg-swap-trace.py RUN.json TRACE.txt > memcg-swap-trace.runN.json
"""
import json
import re
import sys

EVENT = re.compile(r'\[(\d+)\]\s+\S+\s+(\d+\.\d+): (\w+): (.*)$')


def median(v):
    v = sorted(v)
    return None if not v else round((v[len(v) // 2] + v[(len(v) - 1) // 2]) / 2, 1)


def timings(path):
    """write_gap_us_median and rq_latency_us, see the module comment"""
    gaps, last, issued, lat = [], None, {}, {}
    for line in open(path):
        m = EVENT.search(line)
        if not m:
            continue
        ts, ev, rest = float(m.group(2)), m.group(3), m.group(4)
        if ev == 'mm_vmscan_write_folio':
            if last is not None:
                gaps.append((ts - last) * 1e6)
            last = ts
        elif ev in ('mm_vmscan_lru_shrink_inactive', 'mm_vmscan_memcg_reclaim_end'):
            last = None
        elif ev in ('block_rq_issue', 'block_rq_complete') and ' W ' in rest:
            r = re.search(r' (\d+) \+ (\d+)', rest)
            if not r:
                continue
            if ev == 'block_rq_issue':
                issued[r.group(1)] = ts
            elif r.group(1) in issued:
                n = int(r.group(2)) // 8
                size = '1-31' if n < 32 else '32-127' if n < 128 else '128-253' if n < 254 else '254'
                lat.setdefault(size, []).append((ts - issued.pop(r.group(1))) * 1e6)
    return median(gaps), {k: [len(v), median(v)] for k, v in sorted(lat.items())}


def reclaims(path, child):
    out, cur, page = [], None, 0
    for line in open(path):
        if line.startswith('#'):
            continue
        m = EVENT.search(line)
        if not m:
            continue
        cpu, ts, ev, rest = int(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
        if ev == 'tracing_mark_write':
            words = rest.split()
            if words and words[0] == 'end':  # the child's last page is written: what follows is its observation
                page = 'end'
            elif len(words) > 1:
                page = int(words[1])
            continue
        kv = dict(re.findall(r'(\w+)=(\S+)', rest))
        if ev == 'mm_vmscan_memcg_reclaim_begin':
            cur = {'page': page, 'cpu': cpu, 't0': ts, 'writes': 0, 'rq_issued': 0, 'rq_completed': 0,
                   'rq_completed_cpus': [], 'priorities': {}}
        elif cur is None:
            continue
        elif ev == 'mm_vmscan_lru_shrink_inactive':
            p = cur['priorities'].setdefault(kv['priority'], {'scanned': 0, 'reclaimed': 0, 'batches': []})
            s, r, k = int(kv['nr_scanned']), int(kv['nr_reclaimed']), int(kv['nr_ref_keep'])
            p['scanned'] += s
            p['reclaimed'] += r
            p['batches'].append([s, r, k])
        elif ev == 'mm_vmscan_write_folio':
            cur['writes'] += 1
        elif ev == 'block_rq_issue' and line.split()[0].endswith('-%d' % child):  # issued by the child
            cur['rq_issued'] += 1
        elif ev == 'block_rq_complete' and ' W ' in line:
            cur['rq_completed'] += 1
            cur['rq_completed_cpus'].append(cpu)
        elif ev == 'mm_vmscan_memcg_reclaim_end':
            cur['nr_reclaimed'] = int(kv['nr_reclaimed'])
            cur['wall_us'] = round((ts - cur.pop('t0')) * 1e6, 1)
            out.append(cur)
            cur = None
    return out


def main():
    run = json.load(open(sys.argv[1]))
    recs = reclaims(sys.argv[2], run['child'])
    hist = {}
    for r in recs:
        hist[r['nr_reclaimed']] = hist.get(r['nr_reclaimed'], 0) + 1
    run['reclaims'] = recs
    run['nr_reclaimed_histogram'] = {str(k): hist[k] for k in sorted(hist)}
    run['reclaims_total'] = len(recs)
    run['write_gap_us_median'], run['rq_latency_us'] = timings(sys.argv[2])
    json.dump(run, sys.stdout, separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
