package io.vmsim.core.mrc;

import io.vmsim.core.trace.LongIntHashMap;
import io.vmsim.core.trace.TraceReader;

import java.io.IOException;
import java.util.Arrays;

/**
 * Turns a stream of encoded references into the form a study replays, one chunk at a time:
 * each data reference as {@code id << 1 | write}, ids dense (0 .. distinct-1, in order of
 * first reference), instruction fetches dropped, page = address {@code >> 12}, as
 * {@link MrcTrace#of} does for a trace held whole. Its memory is the page map (one entry per
 * distinct page) and one read buffer, whatever the trace's length.
 */
final class Densifier {
    private final TraceReader reader;
    private final long limit;
    private final long[] buf;
    private int bufPos;
    private int bufLen;
    private boolean eof;
    /** Page numbers below this map to ids through {@link #direct} (at most 16 MiB), larger ones through {@link #ids}. */
    static final long DIRECT_LIMIT = 1 << 22;
    /** id + 1 by page number for small page numbers (0: not seen), grown to the largest seen. */
    private int[] direct = new int[1 << 10];
    private final LongIntHashMap ids = new LongIntHashMap(1 << 12);
    private long[] pages = new long[1 << 10];
    private int distinct;
    private long kept;

    /** Reads {@code reader} (not closed here), keeping at most {@code limit} data references. */
    Densifier(TraceReader reader, long limit, int bufSize) {
        this.reader = reader;
        this.limit = limit;
        this.buf = new long[bufSize];
    }

    /**
     * Fills {@code out[0..)} with up to {@code out.length} references; returns how many, 0 at the
     * end of the trace (or of the limit).
     */
    int fill(int[] out) throws IOException {
        int n = 0;
        while (n < out.length && kept < limit) {
            if (bufPos == bufLen) {
                if (eof) {
                    break;
                }
                bufLen = reader.read(buf);
                bufPos = 0;
                if (bufLen <= 0) {
                    bufLen = 0;
                    eof = true;
                    break;
                }
            }
            long ref = buf[bufPos++];
            if (TraceReader.kind(ref) == TraceReader.INSTR) {
                continue;
            }
            long page = TraceReader.address(ref) >>> 12;
            int id;
            if (page < direct.length) {
                id = direct[(int) page] - 1;
                if (id < 0) {
                    id = newId(page);
                }
            } else if (page < DIRECT_LIMIT) {
                direct = Arrays.copyOf(direct, (int) Math.min(DIRECT_LIMIT, Math.max(page + 1, 2L * direct.length)));
                id = direct[(int) page] - 1;
                if (id < 0) {
                    id = newId(page);
                }
            } else {
                id = ids.get(page);
                if (id == LongIntHashMap.MISSING) {
                    id = newId(page);
                }
            }
            out[n++] = id << 1 | (TraceReader.isWrite(ref) ? 1 : 0);
            kept++;
        }
        return n;
    }

    private int newId(long page) {
        int id = distinct;
        if (id >= (1 << 30)) {
            throw new IllegalArgumentException(reader.source() + ": more than 2^30 distinct pages");
        }
        if (page < direct.length) {
            direct[(int) page] = id + 1;
        } else {
            ids.put(page, id);
        }
        if (id == pages.length) {
            pages = Arrays.copyOf(pages, id * 2); // the old array stays valid for the chunks already handed out
        }
        pages[id] = page;
        distinct = id + 1;
        return id;
    }

    /** Page numbers by id; entries below {@link #distinct()} never change (a larger copy replaces it as it grows). */
    long[] pages() {
        return pages;
    }

    /** Distinct pages so far. */
    int distinct() {
        return distinct;
    }

    /** Data references handed out so far. */
    long refs() {
        return kept;
    }
}
