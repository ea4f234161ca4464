package io.vmsim.core.scenario;

import java.util.List;

/**
 * One phase of a scenario. Fields that an op does not use keep their defaults.
 *
 * @param name          the phase's name as reported ({@code memset page fault})
 * @param op            what it does
 * @param process       index of the process in {@link Scenario#processes()}
 * @param thread        index of the thread within the process
 * @param vma           index of the VMA within the process's {@link ProcessSpec#vmas()}, or -1 for none
 * @param offset        start of the range within the VMA, in bytes
 * @param length        length of the range in bytes; -1 means to the end of the VMA (FTRUNCATE: the file's new size)
 * @param stride        bytes between consecutive references (SEQUENTIAL, STRIDED, MEMSET)
 * @param count         number of references (RANDOM, ZIPF)
 * @param writeFraction fraction of references that are writes, 0..1 (SEQUENTIAL, STRIDED, RANDOM, ZIPF)
 * @param zipfS         Zipf exponent (ZIPF)
 * @param repeat        how many times the phase's pattern is repeated
 * @param advice        madvise advice (MADVISE): dontneed, hugepage, nohugepage, mergeable, unmergeable; fadvise
 *                      advice (FADVISE); msync flags joined by {@code |} (MSYNC)
 * @param prot          new protection (MPROTECT)
 * @param durationNs    simulated time to pass (SLEEP)
 * @param line          line of the phase in its YAML source, for error messages (0 if unknown)
 * @param file          index of the file in {@link Scenario#files()} (READ, WRITE, FADVISE, FTRUNCATE, FSYNC), or -1 (reclaim, issue 3)
 * @param numa          the arguments of SET_MEMPOLICY, MBIND, MIGRATE_PAGES, MOVE_PAGES, or null (mempolicy, issue 10)
 * @param allThreads    SET_MEMPOLICY without {@code thread}: every thread of the process
 * @param phases        the access phases a PARALLEL phase runs at once, each by its own thread (issue 10); empty otherwise
 * @param fill          what writes store (KSM, issue 11): {@code zero}, {@code same:K}, {@code image:K}, {@code unique}, {@code random},
 *                      or null for writes whose contents are not modelled
 */
public record PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                        long stride, long count, double writeFraction, double zipfS, int repeat,
                        String advice, String prot, long durationNs, int line, int file, NumaOpSpec numa,
                        boolean allThreads, List<PhaseSpec> phases, String fill) {
    public PhaseSpec {
        phases = List.copyOf(phases);
    }

    /** A phase whose writes' contents are not modelled. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file, NumaOpSpec numa,
                     boolean allThreads, List<PhaseSpec> phases) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, numa, allThreads, phases, null);
    }

    /** A memory-policy phase (or any phase with {@code numa} null), running no phases of its own. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file, NumaOpSpec numa,
                     boolean allThreads) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, numa, allThreads, List.of(), null);
    }

    /** A phase without memory-policy arguments that runs {@code phases} at once (PARALLEL). */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file, List<PhaseSpec> phases) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, null, false, phases, null);
    }

    /** A phase without memory-policy arguments or phases of its own whose writes store {@code fill} (KSM, issue 11). */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file, String fill) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, null, false, List.of(), fill);
    }

    /** A phase without memory-policy arguments, phases of its own, or modelled write contents. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, null, false, List.of(), null);
    }

    /** A phase that names no file. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, -1);
    }
}
