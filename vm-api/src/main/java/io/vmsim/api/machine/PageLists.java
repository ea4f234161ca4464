package io.vmsim.api.machine;

/**
 * Intrusive doubly-linked lists threaded through the frames' own list links, the {@code lru}
 * field of Linux's {@code struct page}, so a policy's LRU lists cost no memory of their own.
 * Each frame also carries eight bits for the policy's use, as Linux keeps {@code PG_active},
 * {@code PG_referenced} and {@code PG_workingset} in the page flags.
 *
 * <p>Links and bits are the policy's only while the core has handed it the page (between
 * {@code pageAdded} and the page's removal or eviction); a frame is on at most one list at a time.
 * All operations are O(1) and allocate nothing.
 */
public interface PageLists {
    /** Marks the end of a list. */
    int NIL = -1;

    /** Creates an empty list and returns its handle. */
    int newList();

    /** Puts {@code pfn}, which must be on no list, at the head of {@code list}. */
    void addHead(int list, int pfn);

    /** Puts {@code pfn}, which must be on no list, at the tail of {@code list}. */
    void addTail(int list, int pfn);

    /** Takes {@code pfn} off {@code list}, which it must be on. */
    void remove(int list, int pfn);

    /** Moves {@code pfn}, which must be on {@code list}, to its head. */
    default void moveToHead(int list, int pfn) {
        if (head(list) != pfn) {
            remove(list, pfn);
            addHead(list, pfn);
        }
    }

    /**
     * Puts {@code to}, which must be on no list, in the place of {@code from} on {@code list},
     * with {@code from}'s bits; {@code from} leaves the list with its bits cleared. What a policy
     * does in {@code ReclaimPolicy.pageMigrated} to keep a page's place and history.
     */
    void replace(int list, int from, int to);

    /** The first frame of the list, or {@link #NIL}. */
    int head(int list);

    /** The last frame of the list, or {@link #NIL}. */
    int tail(int list);

    /** The frame after {@code pfn} (towards the tail), or {@link #NIL}. */
    int next(int pfn);

    /** The frame before {@code pfn} (towards the head), or {@link #NIL}. */
    int prev(int pfn);

    /** Number of frames on the list. */
    int size(int list);

    /** The policy's eight bits of the frame, 0..255; 0 when the page is handed over. */
    int bits(int pfn);

    /** Sets the policy's eight bits of the frame. */
    void setBits(int pfn, int bits);
}
