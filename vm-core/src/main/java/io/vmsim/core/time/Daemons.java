package io.vmsim.core.time;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel threads that run on simulated time (kswapd, kcompactd, khugepaged, ksmd, the NUMA
 * scanner, writeback). A daemon runs when its time comes or when it is woken; the machine polls
 * between references ({@link #poll}), which costs one comparison when nothing is due.
 *
 * <p>A daemon runs on a CPU of its own in parallel with the workload, so what it does is not
 * charged to the workload's clock: the time its step advanced the clock is taken back and
 * added to the daemon's own CPU time ({@link #cpuTimeNs}). Work that makes a task wait (direct
 * reclaim, direct compaction) is done by the task itself and is charged to the clock.
 */
public final class Daemons {
    /** A kernel thread. */
    public interface Daemon {
        /** Its name, as in {@code ps}: {@code kswapd0}, {@code khugepaged}. */
        String name();

        /**
         * Does one step of work at simulated time {@code nowNs}; returns how many simulated
         * nanoseconds to sleep before the next step, or -1 to sleep until woken.
         */
        long run(long nowNs);
    }

    private static final long NEVER = Long.MAX_VALUE;

    private final SimClock clock;
    private final List<Daemon> daemons = new ArrayList<>();
    private long[] dueNs = new long[4];
    private long[] cpuPs = new long[4];
    private long[] runs = new long[4];
    private long nextDueNs = NEVER;
    private boolean running;

    public Daemons(SimClock clock) {
        this.clock = clock;
    }

    /** Registers a daemon that first runs {@code firstRunNs} from now, or only when woken if negative. */
    public int register(Daemon d, long firstRunNs) {
        int id = daemons.size();
        daemons.add(d);
        if (id == dueNs.length) {
            dueNs = java.util.Arrays.copyOf(dueNs, id * 2);
            cpuPs = java.util.Arrays.copyOf(cpuPs, id * 2);
            runs = java.util.Arrays.copyOf(runs, id * 2);
        }
        dueNs[id] = firstRunNs < 0 ? NEVER : clock.nanoTime() + firstRunNs;
        nextDueNs = Math.min(nextDueNs, dueNs[id]);
        return id;
    }

    /** Wakes a daemon: it runs at the next poll ({@code wake_up_interruptible()}). */
    public void wake(int id) {
        long now = clock.nanoTime();
        if (dueNs[id] > now) {
            dueNs[id] = now;
            nextDueNs = now;
        }
    }

    /** True if the daemon is asleep until woken. */
    public boolean sleeping(int id) {
        return dueNs[id] == NEVER;
    }

    /** Runs every daemon whose time has come. Cheap when none is due. */
    public void poll() {
        if (clock.nanoTime() < nextDueNs || running) {
            return;
        }
        running = true;
        try {
            long now = clock.nanoTime();
            long next = NEVER;
            for (int id = 0; id < daemons.size(); id++) {
                if (dueNs[id] <= now) {
                    long before = clock.picoTime();
                    long sleep = daemons.get(id).run(now);
                    long spent = clock.picoTime() - before;
                    clock.rewind(spent);
                    cpuPs[id] += spent;
                    runs[id]++;
                    dueNs[id] = sleep < 0 ? NEVER : now + Math.max(1, sleep);
                }
            }
            // a daemon may have woken another, one earlier in the list among them
            for (int id = 0; id < daemons.size(); id++) {
                next = Math.min(next, dueNs[id]);
            }
            nextDueNs = next;
        } finally {
            running = false;
        }
    }

    /** Simulated CPU time each daemon used, by name, in registration order. */
    public Map<String, Long> cpuTimeNs() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int id = 0; id < daemons.size(); id++) {
            m.put(daemons.get(id).name(), cpuPs[id] / 1000);
        }
        return m;
    }

    /** How many steps each daemon ran, by name. */
    public Map<String, Long> runs() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int id = 0; id < daemons.size(); id++) {
            m.put(daemons.get(id).name(), runs[id]);
        }
        return m;
    }
}
