package io.vmsim.core.conformance;

import java.util.List;

/**
 * One replayed case: its verdict ({@link Verdict#FAIL} if any field failed; unsupported or
 * skipped with the reason), and every compared field.
 */
public record CaseResult(String id, Verdict verdict, String reason, List<Check> checks) {
    public CaseResult {
        checks = List.copyOf(checks);
    }

    /**
     * One field: its key in the case file, the kernel's figure (a range {@code [min,max]} or a
     * bound {@code <=max} where the file gives one), vmsim's figure, the verdict.
     */
    public record Check(String field, String expected, String got, Verdict verdict) {
    }

    /** The failed fields. */
    public List<Check> failures() {
        return checks.stream().filter(c -> c.verdict() == Verdict.FAIL).toList();
    }
}
