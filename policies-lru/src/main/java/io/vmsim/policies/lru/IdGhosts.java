package io.vmsim.policies.lru;

import io.vmsim.api.policy.OfflineStudy;

import java.util.Arrays;

/**
 * {@link ArcGhosts} by dense page id (a replacement study's numbering, {@code
 * OfflineStudy.Study#numbersPages()}). Each list is a ring of page ids in eviction order, addressed
 * by a position that only grows (modulo {@code 2^posBits}); one int per page id holds the list and
 * the position the page was given. A page is in the list while its position is in the ring's
 * window {@code [head, head + count)}, so:
 * <ul>
 *   <li>the incoming page's lookup is one read of its int (no hash map probe per list);</li>
 *   <li>dropping the oldest page only moves the head: the dropped page's int is left as it is and
 *       is out of the window from then on (no read or write of the page's int);</li>
 *   <li>taking a page out of the middle (a ghost hit) clears its int and marks its slot empty;
 *       empty slots are skipped at the head, or dropped when the ring is full and compacts (the
 *       live pages get new positions in order, doubling the ring only if more than half of it is
 *       live).</li>
 * </ul>
 * Positions wrap at {@code 2^posBits}; an int left by a dropped page could come back into the
 * window after that many additions, so every {@code 2^(posBits-2)} additions to a list, the ints
 * of its pages outside the window are cleared (one pass over the ids). Nothing is allocated but
 * the growth of the per-id array (by half, as ids appear) and of a ring.
 *
 * <p>The per-id ints are an array of this class's own, or the study's page words
 * ({@link OfflineStudy.Study#keepsPageWords()}) when it keeps them: then a page's int sits in
 * the cache line of the study's own entry for the page, which the study has just read (the
 * incoming page) or is about to write (the victim), so a lookup or an addition usually costs no
 * cache miss of its own.
 */
final class IdGhosts implements ArcGhosts {
    /** Position bits in a page's int (two more hold the list). */
    static final int POS_BITS = 30;
    private static final int EMPTY = -1;

    private final int posMask;
    private final int sweepPeriod;
    /**
     * Per page id: 0 (in neither list) or {@code position << 2 | list}, valid while the position is
     * in the list's window; unused if {@link #words} keeps them.
     */
    private int[] state = new int[0];
    /** The study that keeps the per-id ints as its page words, or null if {@link #state} does. */
    private final OfflineStudy.Study words;
    /** One more than the highest id ever added (no id at or above it has a non-zero int). */
    private int idLimit;
    private final Ring r1;
    private final Ring r2;

    IdGhosts(int capacity) {
        this(capacity, POS_BITS, null);
    }

    /** Keeping the per-id ints in {@code words}' page words if not null ({@link OfflineStudy.Study#keepsPageWords()} true). */
    IdGhosts(int capacity, OfflineStudy.Study words) {
        this(capacity, POS_BITS, words);
    }

    /** With positions of {@code posBits} bits (small ones let a test wrap them). */
    IdGhosts(int capacity, int posBits) {
        this(capacity, posBits, null);
    }

    IdGhosts(int capacity, int posBits, OfflineStudy.Study words) {
        this.words = words;
        if (!fits(capacity, posBits)) {
            throw new IllegalArgumentException("capacity " + capacity + " needs more than " + posBits + " position bits");
        }
        posMask = (int) ((1L << posBits) - 1);
        sweepPeriod = 1 << (posBits - 2);
        r1 = new Ring(capacity, B1);
        r2 = new Ring(capacity, B2);
    }

    /** True if ids with the default position bits suit a cache of {@code capacity} pages. */
    static boolean fits(long capacity) {
        return fits(capacity, POS_BITS);
    }

    /**
     * A ring of a list of at most 2 {@code capacity} pages stays below 8 {@code capacity} slots;
     * a window that size, plus the additions between two clearing passes, must stay below
     * {@code 2^posBits} so that a dropped page's position cannot come back into the window.
     */
    static boolean fits(long capacity, int posBits) {
        return posBits >= 4 && posBits <= 30 && 8 * Math.max(8, capacity) <= 1L << (posBits - 2);
    }

    private Ring ring(int list) {
        return list == B1 ? r1 : r2;
    }

    /** The int of page id {@code id}. */
    private int get(int id) {
        if (words != null) {
            return id < idLimit ? words.pageWord(id) : 0;
        }
        return id < state.length ? state[id] : 0;
    }

    /** Sets the int of page id {@code id}, below {@link #idLimit} or being added. */
    private void set(int id, int s) {
        if (words != null) {
            words.setPageWord(id, s);
        } else {
            state[id] = s;
        }
    }

    @Override
    public int where(long page) {
        int s = get((int) page);
        if (s == 0) {
            return NONE;
        }
        int list = s & 3;
        return ring(list).holds(s >>> 2) ? list : NONE;
    }

    @Override
    public void remove(long page) {
        int id = (int) page;
        int s = get(id);
        if (s != 0) {
            Ring r = ring(s & 3);
            int pos = s >>> 2;
            if (r.holds(pos)) {
                r.slots[pos & r.mask] = EMPTY;
                r.size--;
            }
            set(id, 0);
        }
    }

    @Override
    public void add(long page, int list) {
        int id = (int) page;
        if (id >= idLimit) {
            if (words == null && id >= state.length) {
                grow(id);
            }
            idLimit = id + 1;
        }
        remove(id);
        Ring r = ring(list);
        if (r.count == r.mask + 1) {
            r.compact();
        }
        int pos = (r.head + r.count) & posMask;
        r.slots[pos & r.mask] = id;
        r.count++;
        r.size++;
        set(id, pos << 2 | list);
        if (++r.added == sweepPeriod) {
            r.added = 0;
            r.sweep();
        }
    }

    private void grow(int id) {
        int old = state.length;
        state = Arrays.copyOf(state, Math.max(id + 1, Math.max(1024, old + (old >> 1))));
    }

    @Override
    public void removeOldest(int list) {
        Ring r = ring(list);
        while (true) {
            if (r.count == 0) {
                throw new IllegalStateException("ghost list is empty");
            }
            int id = r.slots[r.head & r.mask];
            r.head = (r.head + 1) & posMask;
            r.count--;
            if (id != EMPTY) {
                r.size--;
                return;
            }
        }
    }

    @Override
    public int size(int list) {
        return ring(list).size;
    }

    @Override
    public void verify(String owner) {
        for (Ring r : new Ring[] {r1, r2}) {
            int live = 0;
            for (int i = 0; i < r.count; i++) {
                int pos = (r.head + i) & posMask;
                int id = r.slots[pos & r.mask];
                if (id != EMPTY) {
                    live++;
                    if (get(id) != (pos << 2 | r.list)) {
                        throw new IllegalStateException(owner + ": ghost id " + id + " at position " + pos
                                + " of list " + r.list + " has state " + get(id));
                    }
                }
            }
            int members = 0;
            for (int id = 0; id < idLimit; id++) {
                if (where(id) == r.list) {
                    members++;
                }
            }
            if (live != r.size || members != r.size) {
                throw new IllegalStateException(owner + ": ghost list " + r.list + " has size " + r.size + ", "
                        + live + " live slots and " + members + " members");
            }
        }
    }

    /** One list: slots by position modulo the ring's size, the window {@code [head, head + count)}. */
    private final class Ring {
        final int list;
        int[] slots;
        int mask;
        /** Position of the oldest slot. */
        int head;
        /** Slots in the window, empty ones included. */
        int count;
        /** Pages in the list. */
        int size;
        /** Additions since the last clearing pass. */
        int added;
        /** The slots before the last compaction that kept the capacity, reused by the next one. */
        int[] spare;

        Ring(int expected, int list) {
            this.list = list;
            int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
            slots = new int[cap];
            mask = cap - 1;
        }

        boolean holds(int pos) {
            return ((pos - head) & posMask) < count;
        }

        /** Drops empty slots, giving the live pages new positions from the head on, in order. */
        void compact() {
            int cap = mask + 1;
            int newCap = size * 2 > cap ? cap * 2 : cap;
            // the same capacity reuses the spare array of the last compaction: a ring that keeps its
            // size compacts without allocating (the mrc hot path allocates nothing once warm)
            int[] s = spare != null && spare.length == newCap ? spare : new int[newCap];
            int n = 0;
            for (int i = 0; i < count; i++) {
                int id = slots[(head + i) & mask];
                if (id != EMPTY) {
                    int pos = (head + n) & posMask;
                    s[pos & (newCap - 1)] = id;
                    set(id, pos << 2 | list);
                    n++;
                }
            }
            spare = newCap == cap ? slots : null;
            slots = s;
            mask = newCap - 1;
            count = n;
        }

        /** Clears the ints of this list's dropped pages, before their positions can come round again. */
        void sweep() {
            for (int id = 0; id < idLimit; id++) {
                int s = get(id);
                if (s != 0 && (s & 3) == list && !holds(s >>> 2)) {
                    set(id, 0);
                }
            }
        }
    }
}
