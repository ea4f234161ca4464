package io.vmsim.core.migration;

import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.MigrationView;
import io.vmsim.core.report.RunResult;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * One live migration of a guest of R pages that writes D MB/s, over a link of bandwidth B and
 * round-trip time RTT, on simulated time in picoseconds from the migration's start (the model and
 * its formulas are in docs/migration.md).
 *
 * <p><b>Precopy</b> (QEMU's {@code migration/ram.c}): dirty logging is on from the start; round 1
 * sends every page, round i+1 the pages the dirty log found written during round i (the log is
 * read and cleared at each round's end, {@code migration_bitmap_sync()}), each page taking
 * {@code 4096 x 10^6 / B} ps on the link. After a round, if the pages still dirty take at most the
 * downtime limit at bandwidth B (QEMU's {@code migration/migration.c} compares the pending size
 * with {@code threshold_size} = bandwidth x {@code downtime-limit}), the guest stops and they are copied: the downtime is
 * their wire time plus the switch cost S = RTT (the device state's latency and the destination's
 * go-ahead; the device state's size is not modelled). Otherwise, after {@code migration.max_rounds}
 * rounds precopy gives up: {@code completed} is false and the guest still runs on the source, as a
 * QEMU precopy that never converges stays active until it is cancelled (no forced stop-and-copy,
 * whose downtime would be unbounded).
 *
 * <p><b>Postcopy</b>: the guest stops, the switch takes S = RTT, and it resumes on the destination,
 * whose RAM is registered with userfaultfd (MISSING) through {@link Destination}. A guest access
 * to a page that has not arrived faults; the request reaches the source after RTT/2 and the page
 * goes next on the link, after the page already on it (QEMU's {@code unqueue_page()} before the
 * background walk), arriving RTT/2 after its wire time; the guest waits for it (one vCPU: its
 * later accesses shift by the wait). In between, the background stream sends the pages the
 * {@link MigrationPolicy} names. A faulted page already on the link is not sent again: the fault
 * waits for it. <b>Hybrid</b> runs precopy rounds and, where precopy would give up, switches to
 * postcopy with the pages dirtied since they were sent discarded on the destination.
 *
 * <p>The guest's writes come every {@code 4096 x 10^6 / D} ps of its run time (write k at k times
 * that in precopy, where nothing stops it), to pages the {@link DirtyPattern} picks. The per-page
 * loop allocates nothing.
 */
public final class LiveMigration {
    /** The kind of migration. */
    public enum Mode {
        PRECOPY, POSTCOPY, HYBRID;

        /** The scenario and JSON spelling. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode of a scenario's {@code mode:} value. */
        public static Mode byName(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final MigrationSettings s;
    private final MigrationPolicy policy;
    private final String policyName;
    private final Destination dest;
    private final DirtyPattern.Stream stream;
    private final int pages;
    private final long tp;
    private final long dt;
    private final long rtt;
    private final long half;
    private final boolean observesFaults;
    private final boolean observesSent;
    private final boolean observesDirtying;

    /** This round's (or postcopy's) pages still to send. */
    private BitSet pending;
    private long pendingCount;
    /** The dirty log of the current round. */
    private BitSet dirty;
    private long dirtyCount;
    /** Pages whose copy on the destination is current: sent, and not written since. */
    private final BitSet received;
    private int round;
    private boolean postcopy;
    /** The source's clock: the end of the last page put on the link, ps. */
    private long t;
    /** Guest time of its next write in precopy. */
    private long nextWrite;

    private final List<Long> roundPages = new ArrayList<>();
    private long pagesSent;
    private long stopCopyPages;
    private long postcopyPages;
    private long remoteFaults;
    private final Histogram latency = new Histogram(4);
    private long maxLatencyPs;
    /** Every remote fault's wait in ps, for tests; grows by doubling. */
    private long[] waits = new long[64];

    private final View view = new View();

    /**
     * @param settings   the guest, link and limits
     * @param policy     the order pages travel in
     * @param policyName its name, for the result
     * @param seed       the seed of the guest's write pattern
     * @param dest       the destination's memory in postcopy
     */
    public LiveMigration(MigrationSettings settings, MigrationPolicy policy, String policyName, long seed, Destination dest) {
        if (settings.pages() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a guest of " + settings.pages() + " pages is too large");
        }
        this.s = settings;
        this.policy = policy;
        this.policyName = policyName;
        this.dest = dest;
        this.pages = (int) settings.pages();
        this.stream = new DirtyPattern.Stream(settings.pattern(), pages, seed);
        this.tp = settings.pageWirePs();
        this.dt = settings.writeIntervalPs();
        this.rtt = settings.rttPs();
        this.half = rtt / 2;
        this.observesFaults = policy.observesRemoteFaults();
        this.observesSent = policy.observesPagesSent();
        this.observesDirtying = policy.observesDirtying();
        this.pending = new BitSet(pages);
        this.dirty = new BitSet(pages);
        this.received = new BitSet(pages);
    }

    /** Runs the migration to its end (or until precopy gives up) and says what happened. */
    public RunResult.MigrationResult run(Mode mode) {
        pending.set(0, pages);
        pendingCount = pages;
        nextWrite = dt;
        if (mode == Mode.POSTCOPY) {
            return postcopy(mode);
        }
        while (true) {
            precopyRound();
            // migration_bitmap_sync(): the log becomes the next round's set, and is cleared
            BitSet swap = pending;
            pending = dirty;
            pendingCount = dirtyCount;
            dirty = swap;
            dirty.clear();
            dirtyCount = 0;
            if (pendingCount * tp <= s.maxDowntimePs()) {
                return stopAndCopy(mode);
            }
            if (round >= s.maxRounds()) {
                if (mode == Mode.HYBRID) {
                    return postcopy(mode);
                }
                return result(mode, false, "max_rounds", t, 0);
            }
        }
    }

    /** One precopy round: sends every pending page in the policy's order while the guest keeps writing. */
    private void precopyRound() {
        round++;
        roundPages.add(pendingCount);
        while (pendingCount > 0) {
            long p = policy.nextPrecopyPage(view);
            send((int) p);
            t += tp;
            guestWritesUntil(t);
        }
    }

    /** The guest's precopy writes up to and including time {@code until}: each marks its page in the dirty log. */
    private void guestWritesUntil(long until) {
        while (nextWrite <= until) {
            int p = (int) stream.nextPage();
            if (!dirty.get(p)) {
                dirty.set(p);
                dirtyCount++;
            }
            received.clear(p);
            if (observesDirtying) {
                policy.pageDirtied(p);
            }
            nextWrite = dt > Long.MAX_VALUE - nextWrite ? Long.MAX_VALUE : nextWrite + dt;
        }
    }

    /** Takes a pending page off the set and counts it sent. */
    private void send(int p) {
        pending.clear(p);
        pendingCount--;
        received.set(p);
        pagesSent++;
        if (observesSent) {
            policy.pageSent(p, postcopy);
        }
    }

    /** The guest stops; the pages still dirty are copied; the destination starts after the switch. */
    private RunResult.MigrationResult stopAndCopy(Mode mode) {
        long n = pendingCount;
        while (pendingCount > 0) {
            send((int) policy.nextPrecopyPage(view));
        }
        stopCopyPages = n;
        long downtime = n * tp + rtt;
        return result(mode, true, "converged", t + downtime, downtime);
    }

    // postcopy's link: pages in the order they were put on it, with their arrival times (ps)
    private int[] ringPage;
    private long[] ringTime;
    private int head;
    private int tail;
    private long[] arrival;
    private long linkFree;
    private long lastArrival;
    /** The policy answered -1: the link idles until the next page request. */
    private boolean idle;
    /** The arrival time of the page the guest waits for, and the monitor's work until then (made once). */
    private long faultArrival;
    private final Runnable serveFault = () -> deliver(faultArrival);

    /** Switches to postcopy at time {@code t} and serves the destination's faults until every page has arrived. */
    private RunResult.MigrationResult postcopy(Mode mode) {
        postcopy = true;
        long resume = t + rtt; // the switch: S = RTT
        dest.register(pages, received);
        pending.clear();
        pending.set(0, pages);
        pending.andNot(received);
        pendingCount = pending.cardinality();
        ringPage = new int[(int) Math.max(1, pendingCount)];
        ringTime = new long[ringPage.length];
        arrival = new long[pages];
        head = 0;
        tail = 0;
        linkFree = t; // the source streams from the switch on; the device state's size is not modelled
        lastArrival = resume;
        idle = false;
        long nextAccess = add(resume, dt);
        long quietAccesses = 0;
        String outcome = "postcopy";
        boolean completed = true;
        while (pendingCount > 0) {
            stream(nextAccess); // the background stream up to the guest's next access
            if (pendingCount == 0) {
                break;
            }
            if (idle && (nextAccess == Long.MAX_VALUE || quietAccesses > pages)) {
                completed = false; // the policy leaves the link idle and the guest asks for nothing more
                outcome = "stalled";
                break;
            }
            long now = nextAccess;
            deliver(now);
            int page = (int) stream.nextPage();
            if (dest.present(page, now)) {
                nextAccess = add(now, dt);
                quietAccesses++;
                continue;
            }
            quietAccesses = 0;
            remoteFaults++;
            long request = now + half;
            stream(request); // the source keeps streaming until the request reaches it
            if (observesFaults) {
                policy.remoteFault(page, request / 1000);
            }
            idle = false; // the request wakes the source
            linkFree = Math.max(linkFree, request);
            long at;
            if (pending.get(page)) {
                at = put(page); // the faulted page jumps the queue: next on the link
            } else {
                at = arrival[page]; // already on the link: wait for it
            }
            faultArrival = at;
            dest.fault(page, now, serveFault);
            recordWait(at - now);
            nextAccess = add(at, dt);
        }
        deliver(Long.MAX_VALUE);
        long end = completed ? lastArrival : Math.max(lastArrival, linkFree);
        return result(mode, completed, outcome, end, rtt);
    }

    /** The background stream: the policy's pages, back to back, while the link frees before {@code until}. */
    private void stream(long until) {
        while (!idle && linkFree < until && pendingCount > 0) {
            long p = policy.nextPostcopyPage(view);
            if (p < 0) {
                idle = true;
                return;
            }
            put((int) p);
        }
    }

    /** Puts page {@code p} on the link when it frees; returns its arrival time. */
    private long put(int p) {
        send(p);
        postcopyPages++;
        long at = linkFree + tp + half;
        arrival[p] = at;
        ringPage[tail] = p;
        ringTime[tail++] = at;
        lastArrival = Math.max(lastArrival, at);
        linkFree += tp;
        return at;
    }

    /** The destination's monitor places every page that has arrived by {@code until} (UFFDIO_COPY), in order. */
    private void deliver(long until) {
        while (head < tail && ringTime[head] <= until) {
            dest.copy(ringPage[head], ringTime[head]);
            head++;
        }
    }

    private void recordWait(long waitPs) {
        if (remoteFaults > waits.length) {
            waits = java.util.Arrays.copyOf(waits, waits.length * 2);
        }
        waits[(int) remoteFaults - 1] = waitPs;
        latency.recordValue(Math.max(0, waitPs / 1000));
        maxLatencyPs = Math.max(maxLatencyPs, waitPs);
    }

    private static long add(long a, long b) {
        return b > Long.MAX_VALUE - a ? Long.MAX_VALUE : a + b;
    }

    /** Every remote fault's wait in ps, in the order of the faults. */
    public long[] remoteFaultWaitsPs() {
        return java.util.Arrays.copyOf(waits, (int) remoteFaults);
    }

    private RunResult.MigrationResult result(Mode mode, boolean completed, String outcome, long endPs, long downtimePs) {
        // HdrHistogram reports the highest value equivalent to the percentile's bucket, which may pass the exact maximum
        long max = maxLatencyPs / 1000;
        long p50 = remoteFaults == 0 ? 0 : Math.min(max, latency.getValueAtPercentile(50.0));
        long p99 = remoteFaults == 0 ? 0 : Math.min(max, latency.getValueAtPercentile(99.0));
        return new RunResult.MigrationResult(mode.configName(), policyName, completed, outcome, endPs / 1000,
                downtimePs / 1000, round, roundPages, stopCopyPages, postcopyPages, pagesSent, remoteFaults, p50, p99,
                maxLatencyPs / 1000);
    }

    /** What the policy sees. */
    private final class View implements MigrationView {
        @Override
        public long pages() {
            return pages;
        }

        @Override
        public boolean postcopy() {
            return postcopy;
        }

        @Override
        public int round() {
            return round;
        }

        @Override
        public boolean pending(long page) {
            return page >= 0 && page < pages && pending.get((int) page);
        }

        @Override
        public long pendingCount() {
            return pendingCount;
        }

        @Override
        public long nextPending(long from) {
            if (from >= pages) {
                return -1;
            }
            return pending.nextSetBit((int) Math.max(0, from));
        }

        @Override
        public long previousPending(long from) {
            if (from < 0) {
                return -1;
            }
            return pending.previousSetBit((int) Math.min(from, pages - 1L));
        }
    }
}
