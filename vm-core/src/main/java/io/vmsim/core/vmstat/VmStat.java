package io.vmsim.core.vmstat;

/** The machine's event counters: one long per {@link VmEvent}, bumped on the fault path without allocation. */
public final class VmStat {
    private final long[] events = new long[VmEvent.values().length];

    public void count(VmEvent e) {
        events[e.ordinal()]++;
    }

    public void add(VmEvent e, long n) {
        events[e.ordinal()] += n;
    }

    public long get(VmEvent e) {
        return events[e.ordinal()];
    }
}
