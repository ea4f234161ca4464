package io.vmsim.policies.lru;

import java.util.Arrays;

/**
 * {@link ArcGhosts} by dense page id (a replacement study's numbering, {@code
 * OfflineStudy.Study#numbersPages()}): one int per page id says which list holds the page and
 * with which sequence number, so the incoming page's lookup is one array read instead of a
 * probe of each list's hash map; each list is a ring of (id, sequence) slots in eviction order.
 * Taking a page off a list clears its int and leaves its slot stale; a stale slot is skipped when
 * it reaches the old end, or dropped when the ring is full and compacts (doubling only if more
 * than half of it is live), as {@link GhostList} does. Nothing is allocated but the growth of
 * the per-id array (by half, as ids appear) and of a ring.
 */
final class IdGhosts implements ArcGhosts {
    /** Sequence numbers run from 1 below this and wrap; {@code seq << 2 | list} fits an int. */
    private static final int SEQ_LIMIT = 1 << 29;

    /** Per page id: 0 if in neither list, else {@code seq << 2 | list}. */
    private int[] state = new int[0];
    private final Ring r1;
    private final Ring r2;
    private int size1;
    private int size2;
    /** Each list's own sequence, so that a stale slot of one list never waits out the other's evictions. */
    private int seq1;
    private int seq2;

    IdGhosts(int capacity) {
        r1 = new Ring(capacity);
        r2 = new Ring(capacity);
    }

    /**
     * True if ids are safe for a cache of {@code capacity} pages: a slot is dropped or
     * compacted away within one ring's worth of its own list's additions (a ring of a list of at
     * most 2 {@code capacity} pages stays below 8 {@code capacity} slots), far fewer than the
     * {@value #SEQ_LIMIT} after which that list's sequence number repeats, so a stale slot never
     * matches a page's newer entry.
     */
    static boolean fits(long capacity) {
        return capacity <= SEQ_LIMIT >> 4;
    }

    @Override
    public int where(long page) {
        int id = (int) page;
        return id < state.length ? state[id] & 3 : NONE;
    }

    @Override
    public void remove(long page) {
        int id = (int) page;
        if (id < state.length) {
            int s = state[id];
            if (s != 0) {
                if ((s & 3) == B1) {
                    size1--;
                } else {
                    size2--;
                }
                state[id] = 0;
            }
        }
    }

    @Override
    public void add(long page, int list) {
        int id = (int) page;
        if (id >= state.length) {
            grow(id);
        }
        remove(id);
        if (list == B1) {
            if (++seq1 == SEQ_LIMIT) {
                seq1 = 1;
            }
            int v = seq1 << 2 | B1;
            state[id] = v;
            r1.push(id, v, state);
            size1++;
        } else {
            if (++seq2 == SEQ_LIMIT) {
                seq2 = 1;
            }
            int v = seq2 << 2 | B2;
            state[id] = v;
            r2.push(id, v, state);
            size2++;
        }
    }

    private void grow(int id) {
        int old = state.length;
        state = Arrays.copyOf(state, Math.max(id + 1, Math.max(1024, old + (old >> 1))));
    }

    @Override
    public void removeOldest(int list) {
        Ring r = list == B1 ? r1 : r2;
        final int[] st = state;
        while (true) {
            if (r.count == 0) {
                throw new IllegalStateException("ghost list is empty");
            }
            int slot = r.head << 1;
            int id = r.slots[slot];
            int v = r.slots[slot + 1];
            r.head = (r.head + 1) & r.mask;
            r.count--;
            if (st[id] == v) {
                st[id] = 0;
                if (list == B1) {
                    size1--;
                } else {
                    size2--;
                }
                return;
            }
        }
    }

    @Override
    public int size(int list) {
        return list == B1 ? size1 : size2;
    }

    @Override
    public void verify(String owner) {
        int[] inState = new int[3];
        for (int s : state) {
            inState[s & 3]++;
        }
        if (inState[B1] != size1 || inState[B2] != size2 || r1.live(state) != size1 || r2.live(state) != size2) {
            throw new IllegalStateException(owner + ": ghost sizes " + size1 + "/" + size2 + ", ids " + inState[B1]
                    + "/" + inState[B2] + ", live slots " + r1.live(state) + "/" + r2.live(state));
        }
    }

    /** One list's slots, oldest at {@code head}: id and sequence side by side. */
    private static final class Ring {
        int[] slots;
        int mask;
        int head;
        int count;

        Ring(int expected) {
            int cap = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
            slots = new int[2 * cap];
            mask = cap - 1;
        }

        void push(int id, int v, int[] state) {
            if (count == mask + 1) {
                compact(state);
            }
            int slot = ((head + count) & mask) << 1;
            slots[slot] = id;
            slots[slot + 1] = v;
            count++;
        }

        /** Drops stale slots, and doubles the ring if it is still more than half full. */
        private void compact(int[] state) {
            int cap = mask + 1;
            int live = live(state);
            int newCap = live * 2 > cap ? cap * 2 : cap;
            int[] s = new int[2 * newCap];
            int n = 0;
            for (int i = 0; i < count; i++) {
                int slot = ((head + i) & mask) << 1;
                if (state[slots[slot]] == slots[slot + 1]) {
                    s[2 * n] = slots[slot];
                    s[2 * n + 1] = slots[slot + 1];
                    n++;
                }
            }
            slots = s;
            mask = newCap - 1;
            head = 0;
            count = n;
        }

        int live(int[] state) {
            int live = 0;
            for (int i = 0; i < count; i++) {
                int slot = ((head + i) & mask) << 1;
                if (state[slots[slot]] == slots[slot + 1]) {
                    live++;
                }
            }
            return live;
        }
    }
}
