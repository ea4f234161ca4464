package io.vmsim.core.scenario;

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
 * @param fill          what writes store (KSM, issue 11): {@code zero}, {@code same:K}, {@code image:K}, {@code unique}, {@code random},
 *                      or null for writes whose contents are not modelled
 */
public record PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                        long stride, long count, double writeFraction, double zipfS, int repeat,
                        String advice, String prot, long durationNs, int line, int file, String fill) {
    /** A phase whose writes' contents are not modelled. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line, int file) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, file, null);
    }

    /** A phase that names no file. */
    public PhaseSpec(String name, PhaseOp op, int process, int thread, int vma, long offset, long length,
                     long stride, long count, double writeFraction, double zipfS, int repeat,
                     String advice, String prot, long durationNs, int line) {
        this(name, op, process, thread, vma, offset, length, stride, count, writeFraction, zipfS, repeat, advice, prot,
                durationNs, line, -1);
    }
}
