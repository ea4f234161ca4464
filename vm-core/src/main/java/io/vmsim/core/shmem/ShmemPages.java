package io.vmsim.core.shmem;

/**
 * The page cache of one shmem object ({@code struct address_space} of a shmem inode,
 * {@code mm/shmem.c}): for each page index the page (its frame number) or, once reclaim swapped
 * it out, its swap entry ({@code shmem_writeout()} stores the entry in the slot), so that the
 * object keeps its data when no page table maps it. The object holds one reference on each page
 * it stores. An open-addressing map of primitive longs: lookups allocate nothing.
 *
 * <p>Values are whatever the caller stores (a frame number, or a swap entry with its marker
 * bit); {@link #NONE} means an empty slot.
 */
public final class ShmemPages {
    /** No page and no swap entry at this index. */
    public static final long NONE = -1;

    private final long acctPages;
    private long[] keys;
    private long[] values;
    private int size;

    /** @param acctPages pages this object charged to {@code Committed_AS} ({@code shmem_acct_size()}), 0 if none */
    public ShmemPages(long acctPages) {
        this.acctPages = acctPages;
        keys = new long[16];
        values = new long[16];
        java.util.Arrays.fill(keys, -1);
    }

    /** Pages charged to {@code Committed_AS} when the object was made, uncharged when it goes ({@code shmem_unacct_size()}). */
    public long acctPages() {
        return acctPages;
    }

    /** Slots in use (pages and swap entries). */
    public int size() {
        return size;
    }

    private int slot(long index) {
        int mask = keys.length - 1;
        int h = (int) (index ^ (index >>> 32)) * 0x9E3779B1;
        int s = (h ^ (h >>> 16)) & mask;
        while (keys[s] != -1 && keys[s] != index) {
            s = (s + 1) & mask;
        }
        return s;
    }

    /** The value at {@code index}, or {@link #NONE}. */
    public long get(long index) {
        int s = slot(index);
        return keys[s] == index ? values[s] : NONE;
    }

    /** Stores {@code value} at {@code index} (a non-negative page index). */
    public void put(long index, long value) {
        if (index < 0 || value == NONE) {
            throw new IllegalArgumentException("shmem slot " + index + " := " + value);
        }
        int s = slot(index);
        if (keys[s] != index) {
            if ((size + 1) * 4 > keys.length * 3) {
                grow();
                s = slot(index);
            }
            keys[s] = index;
            size++;
        }
        values[s] = value;
    }

    /** Empties the slot of {@code index}; returns what it held, or {@link #NONE}. */
    public long remove(long index) {
        int s = slot(index);
        if (keys[s] != index) {
            return NONE;
        }
        long old = values[s];
        int mask = keys.length - 1;
        // backward-shift deletion keeps every probe chain unbroken
        int hole = s;
        int next = (s + 1) & mask;
        while (keys[next] != -1) {
            long k = keys[next];
            int h = (int) (k ^ (k >>> 32)) * 0x9E3779B1;
            int home = (h ^ (h >>> 16)) & mask;
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                keys[hole] = k;
                values[hole] = values[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        keys[hole] = -1;
        size--;
        return old;
    }

    /** Number of slots of the table, for {@link #indexAt} and {@link #valueAt}. */
    public int capacity() {
        return keys.length;
    }

    /** The page index stored in table slot {@code s}, or -1 if it is empty. */
    public long indexAt(int s) {
        return keys[s];
    }

    /** The value stored in table slot {@code s} (meaningful when {@link #indexAt} is not -1). */
    public long valueAt(int s) {
        return values[s];
    }

    private void grow() {
        long[] ok = keys;
        long[] ov = values;
        keys = new long[ok.length * 2];
        values = new long[ok.length * 2];
        java.util.Arrays.fill(keys, -1);
        size = 0;
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] != -1) {
                int s = slot(ok[i]);
                keys[s] = ok[i];
                values[s] = ov[i];
                size++;
            }
        }
    }
}
