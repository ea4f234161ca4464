package io.vmsim.core.mrc;

import io.vmsim.api.machine.Clock;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.IntrusivePageLists;
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
    /** {@link #frameOfId} of a page that is not resident and left no shadow. */
    private static final int ABSENT = -1;
    /** {@link #frameOfId} of a page that is not resident and left a shadow (0 unless {@link #shadow} says more). */
    private static final int SHADOWED = -2;

    private final int nrFrames;
    private final String name;
    private final String origin;
    private ReclaimPolicy policy;
    private boolean observe;
    private boolean marks;

    /**
     * Per page id: its frame, or {@link #ABSENT} or {@link #SHADOWED}, at {@code id << idShift};
     * grows with the ids a chunk brings. If the policy keeps page words
     * ({@link OfflineStudy.Study#keepsPageWords()}), {@code idShift} is 1 and each id's word sits
     * right after its frame, at {@code id << 1 | 1}, in the cache line the reference reads anyway.
     */
    private int[] frameOfId = new int[0];
    /** 0, or 1 if every page id has a policy word beside its frame in {@link #frameOfId}. */
    private int idShift;
    /** Page ids {@link #frameOfId} has room for. */
    private int idCapacity;
    /** Per page id: the shadow its eviction left; allocated at the first non-zero shadow (many policies leave none). */
    private long[] shadow;
    /** Page ids to page numbers, as of the chunk being replayed (shared, read-only here). */
    private long[] pageOfId;
    /**
     * The frames' nodes of the policy's lists: each frame's owner word is 1 + the id of the page
     * in it, 0 if free, in the cache line of the links the policy touched to choose the frame.
     */
    private final IntrusivePageLists nodes;
    /** Frames used so far; the per-frame arrays below grow with it, so a large N costs only what it uses. */
    private int framesGrown;
    private boolean[] young = new boolean[0];
    private boolean[] referenced = new boolean[0];
    private final StudyCursor cursor = new StudyCursor();

    private int used;
    private long misses;
    private int remaining;
    private int priority;
    private int freed = -1;

    /** A run of {@code nrFrames} frames whose policy keeps its lists in {@code nodes} (over as many frames). */
    MrcRun(int nrFrames, String name, String origin, IntrusivePageLists nodes) {
        this.nrFrames = nrFrames;
        this.nodes = nodes;
        this.name = name;
        this.origin = origin;
        cursor.run = this;
        cursor.numbersPages = true;
        cursor.offersPageWords = true;
    }

    /**
     * Offers no page ids ({@link OfflineStudy.Study#numbersPages()} false), as the
     * {@code --machine} engine: for the test that every policy counts the same misses either way.
     * Before {@link #start}.
     */
    void withholdPageIds() {
        cursor.numbersPages = false;
    }

    /**
     * Offers page ids but no page words ({@link OfflineStudy.Study#keepsPageWords()} false): for
     * the test that every policy counts the same misses either way. Before {@link #start}.
     */
    void withholdPageWords() {
        cursor.offersPageWords = false;
    }

    /** Hands the policy to the run, and tells an {@link OfflineStudy} policy what the study knows. */
    void start(ReclaimPolicy p) {
        this.policy = p;
        this.observe = p.observesEveryAccess();
        this.marks = !observe && p.observesMarkAccessed();
        if (p instanceof OfflineStudy os) {
            cursor.studying = true;
            try {
                os.study(cursor);
            } finally {
                cursor.studying = false;
            }
            idShift = cursor.pageWordsGiven ? 1 : 0;
        }
    }

    /** True if the policy asked, in {@code study()}, whether the future is known. */
    boolean wantsFuture() {
        return cursor.futureAsked;
    }

    /** Misses so far, cold ones included. */
    long misses() {
        return misses;
    }

    /** Replays a whole trace held in memory (one chunk); returns the misses, cold ones included. */
    long run(ReclaimPolicy p, MrcTrace trace) {
        cursor.whole = trace;
        start(p);
        int[] refs = trace.packed();
        replay(refs, 0, refs.length, 0, trace.pages(), trace.distinctPages(), trace.nextUse(false));
        return misses;
    }

    /**
     * Replays {@code refs[from..to)}, the references at trace positions {@code base..}; each is
     * {@code id << 1 | write}, every id below {@code distinct}, {@code pages[id]} its page number.
     * {@code next}, if not null, holds at the same indices the position of the next reference to the
     * same page ({@link OfflineStudy.Study#NEVER} if none), for {@link OfflineStudy.Study#nextUseOfCurrent()}.
     */
    void replay(int[] refs, int from, int to, long base, long[] pages, int distinct, long[] next) {
        if (distinct > idCapacity) {
            int old = idCapacity;
            int cap = Math.max(distinct, old + (old >> 1));
            frameOfId = Arrays.copyOf(frameOfId, Math.multiplyExact(cap, 1 << idShift));
            if (idShift == 0) {
                Arrays.fill(frameOfId, old, cap, ABSENT);
            } else {
                for (int i = old; i < cap; i++) {
                    frameOfId[i << 1] = ABSENT; // the word stays 0
                }
            }
            idCapacity = cap;
            if (shadow != null) {
                shadow = Arrays.copyOf(shadow, cap);
            }
        }
        this.pageOfId = pages;
        cursor.next = next;
        cursor.base = base - from;
        final ReclaimPolicy p = policy;
        final boolean observe = this.observe;
        final boolean marks = this.marks;
        final int[] frameOf = frameOfId;
        final int sh = idShift;
        boolean[] yng = young;
        boolean[] ref = referenced;
        for (int i = from; i < to; i++) {
            int r = refs[i];
            int id = r >>> 1;
            int f = frameOf[id << sh];
            if (f >= 0) {
                if (observe) {
                    cursor.at = i;
                    p.pageAccessed(f, (r & 1) != 0);
                } else if (marks) {
                    cursor.at = i;
                    p.pageMarkedAccessed(f);
                } else if (ref[f]) {
                    yng[f] = true;
                } else {
                    ref[f] = true;
                }
                continue;
            }
            final boolean refault = f == SHADOWED;
            cursor.at = i;
            misses++;
            cursor.incomingId = id;
            if (used < nrFrames) {
                f = used++;
                if (f == framesGrown) {
                    growFrames();
                    yng = young;
                    ref = referenced;
                }
            } else {
                f = reclaimOne();
            }
            frameOf[id << sh] = f;
            nodes.setOwnerWord(f, id + 1);
            yng[f] = false;
            ref[f] = !observe && !marks;
            if (refault) {
                p.pageRefaulted(f, shadow == null ? 0L : shadow[id]);
            }
            p.pageAdded(f, false);
            cursor.incomingId = OfflineStudy.Study.NO_PAGE_ID;
        }
    }

    /** Frame arrays grow by half as frames are first used, up to N. */
    private void growFrames() {
        int old = framesGrown;
        int cap = (int) Math.min(nrFrames, Math.max(1024L, old + (old >> 1)));
        framesGrown = cap;
        young = Arrays.copyOf(young, cap);
        referenced = Arrays.copyOf(referenced, cap);
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
        if (pfn < 0 || pfn >= nrFrames || idAt(pfn) < 0) {
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
        int id = nodes.ownerWord(pfn) - 1;
        long s = policy.pageEvicted(pfn);
        if (s != 0 && shadow == null) {
            shadow = new long[idCapacity];
        }
        if (shadow != null) {
            shadow[id] = s;
        }
        frameOfId[id << idShift] = SHADOWED;
        nodes.setOwnerWord(pfn, 0);
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
        return cursor::position;
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
        return idAt(pfn) < 0;
    }

    @Override
    public int refcount(int pfn) {
        return idAt(pfn) < 0 ? 0 : 1;
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
        return idAt(pfn) >= 0;
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
        int id = idAt(pfn);
        return id < 0 ? -1 : pageOfId[id];
    }

    /** The policy's word for page id {@code id} (only if it keeps page words). */
    int pageWord(int id) {
        return frameOfId[id << 1 | 1];
    }

    void setPageWord(int id, int word) {
        frameOfId[id << 1 | 1] = word;
    }

    /** The page number of page id {@code id} of the chunk being replayed. */
    long pageKeyOfId(int id) {
        return pageOfId[id];
    }

    /** The page id in frame {@code pfn}, or -1 if it is free (frames beyond those used so far are free). */
    int idAt(int pfn) {
        return pfn < framesGrown ? nodes.ownerWord(pfn) - 1 : -1;
    }
}
