package io.vmsim.core.trace;

import java.io.IOException;

/**
 * A source of memory references. References are delivered in batches of encoded longs so that
 * reading costs no allocation per reference: {@code ref = (address << 2) | kind}, where kind
 * is {@link #LOAD}, {@link #STORE}, {@link #MODIFY} or {@link #INSTR}.
 */
public interface TraceReader extends AutoCloseable {
    int LOAD = 0;
    int STORE = 1;
    /** Load then store to the same address; counts as ONE reference, a write. */
    int MODIFY = 2;
    int INSTR = 3;

    /** Decodes the address of an encoded reference. */
    static long address(long ref) {
        return ref >>> 2;
    }

    /** Decodes the kind of an encoded reference. */
    static int kind(long ref) {
        return (int) (ref & 3);
    }

    /** True if the reference writes (STORE or MODIFY). */
    static boolean isWrite(long ref) {
        int k = (int) (ref & 3);
        return k == STORE || k == MODIFY;
    }

    /** Encodes a reference. */
    static long encode(long address, int kind) {
        return (address << 2) | kind;
    }

    /**
     * Fills {@code buf} with up to {@code buf.length} references; returns how many, 0 at the end.
     *
     * @throws TraceFormatException for a malformed line or a truncated/corrupt compressed stream
     */
    int read(long[] buf) throws IOException;

    /** A description of the source for messages: its path. */
    String source();

    @Override
    void close() throws IOException;
}
