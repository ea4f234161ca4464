package io.vmsim.core.conformance;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** Cases the runner cannot replay, or the kernel did not record, get a verdict rather than a crash. */
final class ConformanceRunnerClassifyTest {
    private final ConformanceRunner runner = new ConformanceRunner(null); // no machine is built for these

    @Test
    void aCaseWithAnOpVmsimLacksIsUnsupported_namingTheOp() {
        // synthetic cases: every recorded op may become replayable
        CaseResult r = runner.run(ConformanceRunner.parse("""
                {"id": "uffd-case", "ops": [{"n": 0, "op": "mmap", "map": "a", "len": 4096, "prot": "rw",
                 "flags": "private|anonymous"}, {"n": 1, "op": "userfaultfd", "map": "a"}]}
                """), "fallback");
        assertThat(r.id()).isEqualTo("uffd-case");
        assertThat(r.verdict()).isEqualTo(Verdict.UNSUPPORTED);
        assertThat(r.reason()).isEqualTo("unsupported: userfaultfd"); // mbind is replayed since mempolicy (issue 10)
        assertThat(r.checks()).isEmpty();
        assertThat(runner.run(ConformanceRunner.parse("""
                {"ops": [{"n": 0, "op": "madvise", "map": "a", "advice": "wipeonfork"},
                         {"n": 1, "op": "mremap", "map": "a", "flags": "fixed"}]}
                """), "x").reason()).isEqualTo("unsupported: madvise wipeonfork");
        assertThat(runner.run(ConformanceRunner.parse("""
                {"ops": [{"n": 0, "op": "mremap", "map": "a", "flags": "maymove|fixed"}]}
                """), "x").reason()).isEqualTo("unsupported: mremap maymove|fixed");
    }

    @Test
    void aCaseTheKernelSkippedIsSkipped_withItsReason() {
        // synthetic: conformance/record writes {"id", "skipped": reason} when a probe cannot run
        CaseResult r = runner.run(ConformanceRunner.parse("""
                {"id": "needs-swap", "skipped": "no swap configured (/proc/swaps is empty)"}
                """), "fallback");
        assertThat(r.verdict()).isEqualTo(Verdict.SKIPPED);
        assertThat(r.reason()).contains("no swap configured");
    }
}
