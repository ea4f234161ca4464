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
    /**
     * The nodes of the object's xarray ({@code mapping->i_pages}, 64 slots a node,
     * {@code XA_CHUNK_SHIFT} 6): a set of (level, index prefix) keys, level 1 the leaves, and the
     * tree's height. A lone entry at index 0 needs no node (it sits in {@code xa_head}). Entries
     * are only added until the object is freed, so nodes are never freed one by one here.
     */
    private long[] xaKeys = new long[8];
    private int xaSize;
    private int xaHeight;
    /** Nodes charged to each memory cgroup (by id), for {@link #xaNodesCharged}. */
    private int[] xaCharged;
    /** The memory cgroup charged for the object's inode, dentry and file ({@code shmem_zero_setup()}), and how many of the three were. */
    public int objMemcg;
    public int objs;
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

    // ---------------------------------------------------------------- xarray nodes

    private static final int XA_CHUNK_SHIFT = 6;

    /** Levels an xarray needs to hold {@code index}: 1 below 64, 2 below 4096, ... */
    private static int levelsFor(long index) {
        int h = 1;
        while (h * XA_CHUNK_SHIFT < 63 && (index >>> (h * XA_CHUNK_SHIFT)) != 0) {
            h++;
        }
        return h;
    }

    private static long xaKey(int level, long index) {
        return ((long) level << 56) | (index >>> (level * XA_CHUNK_SHIFT));
    }

    private int xaSlot(long key) {
        int mask = xaKeys.length - 1;
        int h = (int) (key ^ (key >>> 32)) * 0x9E3779B1;
        int s = (h ^ (h >>> 16)) & mask;
        while (xaKeys[s] != 0 && xaKeys[s] != key + 1) {
            s = (s + 1) & mask;
        }
        return s;
    }

    private boolean xaHas(long key) {
        return xaKeys[xaSlot(key)] == key + 1;
    }

    private void xaAdd(long key) {
        int s = xaSlot(key);
        if (xaKeys[s] == key + 1) {
            return;
        }
        xaKeys[s] = key + 1; // 0 marks an empty slot
        if (++xaSize * 4 > xaKeys.length * 3) {
            long[] old = xaKeys;
            xaKeys = new long[old.length * 2];
            for (long k : old) {
                if (k != 0) {
                    xaKeys[xaSlot(k - 1)] = k;
                }
            }
        }
    }

    /**
     * The xarray nodes that storing a new entry at {@code index} allocates ({@code xas_create()}:
     * {@code xas_expand()} adds levels above the root while the index does not fit, then one node
     * a level on the way down where none is yet). 0 if the index is already held.
     */
    public int xaNewNodes(long index) {
        if (get(index) != NONE) {
            return 0;
        }
        if (size == 0) {
            return index == 0 ? 0 : levelsFor(index);
        }
        int h = Math.max(xaHeight, levelsFor(index));
        int n = 0;
        for (int l = 1; l <= h; l++) {
            long k0 = xaKey(l, 0);
            boolean grown = l > xaHeight && !xaHas(k0); // a level xas_expand() adds above the old root
            if (grown) {
                n++;
            }
            long ki = xaKey(l, index);
            if (!xaHas(ki) && !(grown && ki == k0)) {
                n++;
            }
        }
        return n;
    }

    /** Records the nodes of a new entry at {@code index} ({@link #xaNewNodes}); call before {@link #put}. */
    public void xaInsert(long index) {
        if (get(index) != NONE || (size == 0 && index == 0)) {
            return;
        }
        int h = Math.max(xaHeight, levelsFor(index));
        for (int l = 1; l <= h; l++) {
            if (size > 0 && l > xaHeight) {
                xaAdd(xaKey(l, 0)); // the old root (or the lone entry at 0) goes below slot 0
            }
            xaAdd(xaKey(l, index));
        }
        xaHeight = h;
    }

    /** One node of the xarray was charged to memory cgroup {@code memcg} (0: none). */
    public void xaCharged(int memcg) {
        if (xaCharged == null || xaCharged.length <= memcg) {
            xaCharged = java.util.Arrays.copyOf(xaCharged == null ? new int[0] : xaCharged, memcg + 1);
        }
        xaCharged[memcg]++;
    }

    /** Nodes of the xarray. */
    public int xaNodes() {
        return xaSize;
    }

    /** Nodes charged to memory cgroup {@code memcg} ({@link #xaInsert}). */
    public int xaNodesCharged(int memcg) {
        return xaCharged == null || xaCharged.length <= memcg ? 0 : xaCharged[memcg];
    }

    /** Largest memory cgroup id with nodes charged, plus one. */
    public int xaChargedGroups() {
        return xaCharged == null ? 0 : xaCharged.length;
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
