package io.vmsim.core.filemap;

/** A growable FIFO of ints with a parallel long per entry: the writeback queues, without boxing. */
final class IntRing {
    private int[] items = new int[256];
    private long[] stamps = new long[256];
    private int head;
    private int size;

    int size() {
        return size;
    }

    void add(int v, long stamp) {
        if (size == items.length) {
            int[] ni = new int[size * 2];
            long[] ns = new long[size * 2];
            for (int i = 0; i < size; i++) {
                ni[i] = items[(head + i) % items.length];
                ns[i] = stamps[(head + i) % items.length];
            }
            items = ni;
            stamps = ns;
            head = 0;
        }
        int t = (head + size) % items.length;
        items[t] = v;
        stamps[t] = stamp;
        size++;
    }

    int peek() {
        return items[head];
    }

    long peekStamp() {
        return stamps[head];
    }

    /** The stamp of the {@code i}-th entry from the head. */
    long stampAt(int i) {
        return stamps[(head + i) % items.length];
    }

    /** The stamp of the first entry holding {@code v}, or -1 if none does. */
    long stampOf(int v) {
        for (int i = 0; i < size; i++) {
            if (items[(head + i) % items.length] == v) {
                return stamps[(head + i) % items.length];
            }
        }
        return -1;
    }

    int poll() {
        int v = items[head];
        head = (head + 1) % items.length;
        size--;
        return v;
    }
}
