package io.vmsim.core.mrc;

import io.vmsim.api.policy.OfflineStudy;

/**
 * What a replacement study knows while it replays one reference, the same in both engines:
 * the reference's position, the page that missed (while its miss is handled) and, from the
 * next-use positions of the chunk being replayed, the future.
 */
final class StudyCursor implements OfflineStudy.Study {
    /** Next-use positions of the chunk being replayed, indexed like its references; null if not computed. */
    long[] next;
    /** Trace position of index 0 of the chunk's arrays. */
    long base;
    /** Index, in the chunk's arrays, of the reference being handled. */
    int at;
    /** A trace held whole in memory, whose next-use table is computed when first asked for; else null. */
    MrcTrace whole;
    /** True once the policy asked {@link #knowsFuture()}: the streaming engine then runs the next-use pre-pass. */
    boolean futureAsked;
    /**
     * Page key of the page whose miss is being handled, as the {@code --machine} engine sets it,
     * else {@link #NO_PAGE_KEY}; the per-size engine sets {@link #incomingId} only, and the key is
     * looked up from the id when asked (a policy that does not ask costs no read of the page map).
     */
    long incoming = NO_PAGE_KEY;
    /** Dense id of the page whose miss is being handled, else {@link #NO_PAGE_ID} (set by {@link MrcRun}). */
    int incomingId = NO_PAGE_ID;
    /** The run whose frames {@link #pageIdOf} reads, if it offers page ids. */
    MrcRun run;
    /** True if {@link #numbersPages()} (the per-size engine offers ids unless told not to; --machine does not). */
    boolean numbersPages;
    /** True if {@link #keepsPageWords()} may answer true (with {@link #numbersPages}; a test withholds them). */
    boolean offersPageWords;
    /** True while the policy's {@code study()} runs: the only time page words can be given. */
    boolean studying;
    /** True once the policy asked {@link #keepsPageWords()} in {@code study()} and was given them. */
    boolean pageWordsGiven;

    @Override
    public long incomingPageKey() {
        if (incoming != NO_PAGE_KEY || incomingId == NO_PAGE_ID) {
            return incoming;
        }
        return run.pageKeyOfId(incomingId);
    }

    @Override
    public boolean numbersPages() {
        return numbersPages;
    }

    @Override
    public int incomingPageId() {
        return numbersPages ? incomingId : NO_PAGE_ID;
    }

    @Override
    public int pageIdOf(int pfn) {
        return numbersPages ? run.idAt(pfn) : NO_PAGE_ID;
    }

    @Override
    public boolean keepsPageWords() {
        if (studying && numbersPages && offersPageWords) {
            pageWordsGiven = true;
        }
        return pageWordsGiven;
    }

    @Override
    public int pageWord(int id) {
        if (pageWordsGiven) {
            return run.pageWord(id);
        }
        return OfflineStudy.Study.super.pageWord(id);
    }

    @Override
    public void setPageWord(int id, int word) {
        if (pageWordsGiven) {
            run.setPageWord(id, word);
        } else {
            OfflineStudy.Study.super.setPageWord(id, word);
        }
    }

    @Override
    public long position() {
        return base + at;
    }

    @Override
    public boolean knowsFuture() {
        futureAsked = true;
        return true;
    }

    @Override
    public long nextUseOfCurrent() {
        if (next == null) {
            if (whole == null) {
                throw new IllegalStateException("nextUseOfCurrent() without knowsFuture() asked in study(): vmsim mrc"
                        + " computes next-use positions only for a policy that asks knowsFuture() when study() is called");
            }
            next = whole.nextUse(true);
        }
        return next[at];
    }
}
