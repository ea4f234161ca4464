package io.vmsim.policies.lru;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.IntrusivePageLists;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A small cache of N frames that drives a policy as {@code vmsim mrc} does, for unit tests:
 * page keys are the page numbers; each reference is a read(): a hit is reported by
 * pageAccessed, pageMarkedAccessed or Linux's two steps of PG_referenced and activation, as the
 * policy opted in; the incoming page and the future are offered to {@link OfflineStudy}
 * policies, and shadows come back on refault before the page is added.
 */
final class CacheHarness implements FrameView, ScanControl, OfflineStudy.Study {
    final int nrFrames;
    final PageLists lists;
    final ReclaimPolicy policy;
    private final long[] pageOf;
    private final boolean[] young;
    private final boolean[] referenced;
    private final Map<Long, Integer> frameOf = new HashMap<>();
    private final Map<Long, Long> shadows = new HashMap<>();
    private int used;
    private int remaining;
    private int freed;
    private long incoming = NO_PAGE_KEY;
    private int[] next;
    private int pos;
    long misses;
    private boolean mapped;
    private int priority = 12;
    /** {@code vm.swappiness} the harness reports. */
    int swappiness = 60;
    /** Dense page ids in order of first reference, when {@link #numbered()}. */
    private Map<Long, Integer> idOf;

    /**
     * Makes each reference a load through a mapping instead of a read(): a hit sets the page's
     * accessed bit (for a policy that does not observe every access), which testAndClearYoung
     * reports; marks are never reported. For testing a policy's accessed-bit path.
     */
    CacheHarness mapped() {
        this.mapped = true;
        return this;
    }

    /** Offers page ids ({@link #numbersPages()}), numbered in order of first reference, as {@code vmsim mrc} does. */
    CacheHarness numbered() {
        this.idOf = new HashMap<>();
        return this;
    }

    /** Page words by id, when {@link #withPageWords()}; asked for in {@code study()} only. */
    private Map<Integer, Integer> words;
    private boolean wordsGiven;

    /** Offers page ids and page words ({@link #keepsPageWords()}), as {@code vmsim mrc}'s per-size engine does. */
    CacheHarness withPageWords() {
        numbered();
        this.words = new HashMap<>();
        return this;
    }

    /** True if the policy asked for page words and was given them. */
    boolean pageWordsGiven() {
        return wordsGiven;
    }

    @Override
    public boolean keepsPageWords() {
        wordsGiven = words != null;
        return wordsGiven;
    }

    @Override
    public int pageWord(int id) {
        return words.getOrDefault(id, 0);
    }

    @Override
    public void setPageWord(int id, int word) {
        words.put(id, word);
    }

    @Override
    public boolean numbersPages() {
        return idOf != null;
    }

    @Override
    public int incomingPageId() {
        return idOf == null || incoming == NO_PAGE_KEY ? NO_PAGE_ID : idOf.get(incoming);
    }

    @Override
    public int pageIdOf(int pfn) {
        return idOf == null || pageOf[pfn] < 0 ? NO_PAGE_ID : idOf.get(pageOf[pfn]);
    }

    CacheHarness(int nrFrames, BiFunction<PageLists, FrameView, ReclaimPolicy> factory) {
        this.nrFrames = nrFrames;
        this.lists = IntrusivePageLists.standalone(nrFrames);
        this.pageOf = new long[nrFrames];
        Arrays.fill(pageOf, -1);
        this.young = new boolean[nrFrames];
        this.referenced = new boolean[nrFrames];
        this.policy = factory.apply(lists, this);
    }

    /** Replays {@code pages} (the whole future is known); returns the misses of this call. */
    long run(int... pages) {
        next = new int[pages.length];
        Map<Integer, Integer> last = new HashMap<>();
        for (int i = pages.length - 1; i >= 0; i--) {
            next[i] = last.getOrDefault(pages[i], -1);
            last.put(pages[i], i);
        }
        if (policy instanceof OfflineStudy os) {
            os.study(this);
        }
        long before = misses;
        for (pos = 0; pos < pages.length; pos++) {
            access(pages[pos]);
        }
        policy.verifyInvariants();
        return misses - before;
    }

    private void access(long page) {
        if (idOf != null) {
            idOf.putIfAbsent(page, idOf.size());
        }
        Integer f = frameOf.get(page);
        if (f != null) {
            if (policy.observesEveryAccess()) {
                policy.pageAccessed(f, false);
            } else if (mapped) {
                young[f] = true;
            } else if (policy.observesMarkAccessed()) {
                policy.pageMarkedAccessed(f);
            } else if (referenced[f]) {
                young[f] = true;
            } else {
                referenced[f] = true;
            }
            return;
        }
        misses++;
        int frame;
        if (used < nrFrames) {
            frame = used++;
        } else {
            freed = -1;
            incoming = page;
            // as do_try_to_free_pages(): from DEF_PRIORITY down while nothing was reclaimed
            for (priority = 12; priority >= 0 && freed < 0; priority--) {
                remaining = 1;
                policy.shrink(this);
            }
            remaining = 0;
            if (freed < 0) {
                throw new AssertionError("shrink freed nothing");
            }
            frame = freed;
        }
        frameOf.put(page, frame);
        pageOf[frame] = page;
        young[frame] = false;
        incoming = page;
        referenced[frame] = !mapped && !policy.observesEveryAccess() && !policy.observesMarkAccessed();
        Long s = shadows.remove(page);
        if (s != null) {
            policy.pageRefaulted(frame, s);
        }
        policy.pageAdded(frame, false);
        incoming = NO_PAGE_KEY;
    }

    /** The frame holding {@code page}, or -1. */
    int frameOf(long page) {
        Integer f = frameOf.get(page);
        return f == null ? -1 : f;
    }

    boolean resident(long page) {
        return frameOf.containsKey(page);
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
        return swappiness;
    }

    @Override
    public boolean mayReclaimAnon() {
        return true;
    }

    @Override
    public boolean isKswapd() {
        return false;
    }

    @Override
    public boolean testAndClearYoung(int pfn) {
        if (pageOf[pfn] < 0) {
            throw new AssertionError("testAndClearYoung on free frame " + pfn);
        }
        boolean y = young[pfn];
        young[pfn] = false;
        referenced[pfn] = false;
        return y;
    }

    @Override
    public void scanned(int pages) {
    }

    @Override
    public boolean reclaim(int pfn) {
        if (remaining <= 0 || pageOf[pfn] < 0) {
            throw new AssertionError("bad victim " + pfn + " (remaining " + remaining + ")");
        }
        long page = pageOf[pfn];
        shadows.put(page, policy.pageEvicted(pfn));
        frameOf.remove(page);
        pageOf[pfn] = -1;
        remaining--;
        freed = pfn;
        return true;
    }

    @Override
    public long incomingPageKey() {
        return incoming;
    }

    @Override
    public boolean knowsFuture() {
        return true;
    }

    @Override
    public long position() {
        return pos;
    }

    @Override
    public long nextUseOfCurrent() {
        return next[pos] < 0 ? NEVER : next[pos];
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
        return pageOf[pfn] < 0;
    }

    @Override
    public int refcount(int pfn) {
        return pageOf[pfn] < 0 ? 0 : 1;
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
        return true;
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
        return pageOf[pfn];
    }
}
