package io.vmsim.core.mrc;

import io.vmsim.api.machine.Clock;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One policy with exactly N frames over one trace: the whole machine of a replacement study.
 * Each reference is a {@code read()} of its page through the page cache, driven by the
 * {@link ReclaimPolicy} contract exactly as the full machine drives it (the {@code --machine}
 * engine, {@link MachineStudy}, proves they agree): a miss calls {@code pageRefaulted} (if the
 * page left a shadow) then {@code pageAdded}, and nothing else reports that reference; a hit
 * calls {@code pageAccessed} if the policy observes every access, else
 * {@code pageMarkedAccessed} if it observes marks, else takes the next of Linux's two steps of
 * {@code folio_mark_accessed()} in the page's flags (PG_referenced, then activation, which
 * {@link #testAndClearYoung} reports and clears with PG_referenced, as for an unmapped page in
 * {@code folio_check_references()}). A miss leaves PG_referenced, as {@code filemap_read()}
 * marks the page it read. A miss with every frame in use asks for one page, from priority 12
 * down to 0 as {@code do_try_to_free_pages()} retries.
 */
final class MrcRun implements ScanControl, FrameView, MachineView {
    private static final int DEF_PRIORITY = 12;
    private static final int PROGRESS_EVERY = 1 << 20;

    private final MrcTrace trace;
    private final int nrFrames;
    private final String name;
    private final String origin;
    private ReclaimPolicy policy;

    private final int[] frameOfId;
    private final int[] idOfFrame;
    private final boolean[] young;
    private final boolean[] referenced;
    private final StudyCursor cursor;
    private final long[] shadow;
    private final boolean[] hasShadow;

    private int remaining;
    private int priority;
    private int freed = -1;

    MrcRun(MrcTrace trace, int nrFrames, String name, String origin) {
        this.trace = trace;
        this.nrFrames = nrFrames;
        this.name = name;
        this.origin = origin;
        this.frameOfId = new int[trace.distinctPages()];
        Arrays.fill(frameOfId, -1);
        this.idOfFrame = new int[nrFrames];
        Arrays.fill(idOfFrame, -1);
        this.young = new boolean[nrFrames];
        this.referenced = new boolean[nrFrames];
        this.cursor = new StudyCursor(trace);
        this.shadow = new long[trace.distinctPages()];
        this.hasShadow = new boolean[trace.distinctPages()];
    }

    /** Replays the trace through {@code p}; returns the number of misses, cold ones included. */
    long run(ReclaimPolicy p, AtomicLong progress) {
        this.policy = p;
        if (p instanceof OfflineStudy os) {
            os.study(cursor);
        }
        final boolean observe = p.observesEveryAccess();
        final boolean marks = !observe && p.observesMarkAccessed();
        final int[] refs = trace.packed();
        final int[] frameOf = frameOfId;
        final boolean[] yng = young;
        final boolean[] ref = referenced;
        long misses = 0;
        int used = 0;
        int reported = 0;
        for (int i = 0; i < refs.length; i++) {
            int r = refs[i];
            int id = r >>> 1;
            int f = frameOf[id];
            if (f >= 0) {
                if (observe) {
                    cursor.pos = i;
                    p.pageAccessed(f, (r & 1) != 0);
                } else if (marks) {
                    cursor.pos = i;
                    p.pageMarkedAccessed(f);
                } else if (ref[f]) {
                    yng[f] = true;
                } else {
                    ref[f] = true;
                }
                continue;
            }
            cursor.pos = i;
            misses++;
            cursor.incoming = trace.page(id);
            if (used < nrFrames) {
                f = used++;
            } else {
                f = reclaimOne();
            }
            frameOf[id] = f;
            idOfFrame[f] = id;
            yng[f] = false;
            ref[f] = !observe && !marks;
            if (hasShadow[id]) {
                hasShadow[id] = false;
                p.pageRefaulted(f, shadow[id]);
            }
            p.pageAdded(f, false);
            cursor.incoming = OfflineStudy.Study.NO_PAGE_KEY;
            if (i - reported >= PROGRESS_EVERY) {
                progress.addAndGet(i - reported);
                reported = i;
            }
        }
        progress.addAndGet(refs.length - reported);
        return misses;
    }

    private int reclaimOne() {
        freed = -1;
        for (priority = DEF_PRIORITY; priority >= 0 && freed < 0; priority--) {
            remaining = 1;
            policy.shrink(this);
        }
        remaining = 0;
        if (freed < 0) {
            throw failure("shrink() reclaimed nothing at any priority with all " + nrFrames
                    + " frames in use (it tracks " + policy.size() + " pages)");
        }
        return freed;
    }

    private PolicyException failure(String what) {
        return new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, name, origin, what, null);
    }

    private void checkResident(int pfn, String call) {
        if (pfn < 0 || pfn >= nrFrames || idOfFrame[pfn] < 0) {
            throw failure(call + " was given frame " + pfn + ", which "
                    + (pfn < 0 || pfn >= nrFrames ? "does not exist (" + nrFrames + " frames)" : "holds no page"));
        }
    }

    // ScanControl

    @Override
    public int nrToReclaim() {
        return remaining;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public int swappiness() {
        return 60;
    }

    /** Every page is a file page and, as in the --machine engine (swap.size 0), there is no swap. */
    @Override
    public boolean mayReclaimAnon() {
        return false;
    }

    @Override
    public boolean isKswapd() {
        return false;
    }

    @Override
    public boolean testAndClearYoung(int pfn) {
        checkResident(pfn, "testAndClearYoung()");
        boolean y = young[pfn];
        young[pfn] = false;
        referenced[pfn] = false;
        return y;
    }

    /** Every reference is a {@code read()}: no page is mapped, so a page-table walk finds nothing. */
    @Override
    public int walkYoung(boolean anon, YoungVisitor visitor) {
        return 0;
    }

    /** No page is mapped, so there are no neighbouring PTEs: the page's own test only. */
    @Override
    public boolean lookAround(int pfn, YoungVisitor neighbours) {
        return testAndClearYoung(pfn);
    }

    @Override
    public void scanned(int pages) {
        // A study counts misses only.
    }

    @Override
    public boolean reclaim(int pfn) {
        checkResident(pfn, "reclaim()");
        if (remaining <= 0) {
            throw failure("shrink() reclaimed frame " + pfn + " beyond the " + 1 + " page asked for");
        }
        int id = idOfFrame[pfn];
        long s = policy.pageEvicted(pfn);
        shadow[id] = s;
        hasShadow[id] = true;
        frameOfId[id] = -1;
        idOfFrame[pfn] = -1;
        young[pfn] = false;
        referenced[pfn] = false;
        remaining--;
        freed = pfn;
        return true;
    }

    // MachineView

    @Override
    public FrameView frames() {
        return this;
    }

    @Override
    public Topology topology() {
        throw new UnsupportedOperationException("a replacement study has no NUMA topology");
    }

    @Override
    public Clock clock() {
        return () -> cursor.pos;
    }

    @Override
    public long vmstat(String counter) {
        return -1;
    }

    // FrameView

    @Override
    public int nrFrames() {
        return nrFrames;
    }

    @Override
    public int nodeOf(int pfn) {
        return 0;
    }

    @Override
    public boolean isFree(int pfn) {
        return idOfFrame[pfn] < 0;
    }

    @Override
    public int refcount(int pfn) {
        return idOfFrame[pfn] < 0 ? 0 : 1;
    }

    @Override
    public int mapcount(int pfn) {
        return refcount(pfn);
    }

    @Override
    public boolean isAnon(int pfn) {
        return false;
    }

    @Override
    public boolean isFile(int pfn) {
        return idOfFrame[pfn] >= 0;
    }

    @Override
    public boolean isHead(int pfn) {
        return false;
    }

    @Override
    public boolean isDirty(int pfn) {
        return false;
    }

    @Override
    public boolean isUnevictable(int pfn) {
        return false;
    }

    @Override
    public long pageKey(int pfn) {
        int id = idOfFrame[pfn];
        return id < 0 ? -1 : trace.page(id);
    }
}
