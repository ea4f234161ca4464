package io.vmsim.policies.lru;

/**
 * ARC's two ghost lists, B1 and B2: the pages last evicted from T1 and from T2, each in order of
 * eviction. A page is named by a {@code long}: its page key ({@link KeyGhosts}), or its dense id
 * when a replacement study numbers the pages ({@link IdGhosts}). Both keep the same lists; only
 * the cost of a lookup differs. A page is in at most one of the two lists.
 */
interface ArcGhosts {
    /** In neither list. */
    int NONE = 0;
    /** Ghost list B1 (evicted from T1). */
    int B1 = 1;
    /** Ghost list B2 (evicted from T2). */
    int B2 = 2;

    /** {@link #B1}, {@link #B2} or {@link #NONE}: the list that holds {@code page}. */
    int where(long page);

    /** Takes {@code page} off the list that holds it, if any. */
    void remove(long page);

    /** Adds {@code page}, which is in neither list, at the young end of {@code list}. */
    void add(long page, int list);

    /** Drops the oldest page of {@code list}, which must not be empty. */
    void removeOldest(int list);

    /** Pages in {@code list}. */
    int size(int list);

    /** Checks the lists' internal consistency. */
    void verify(String owner);
}
