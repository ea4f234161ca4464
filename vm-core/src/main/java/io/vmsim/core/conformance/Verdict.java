package io.vmsim.core.conformance;

/** The outcome of one compared field, and of one case. */
public enum Verdict {
    PASS("pass"), FAIL("FAIL"), UNSUPPORTED("unsupported"), SKIPPED("skipped");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** As the table prints it: {@code pass}, {@code FAIL}, {@code unsupported}, {@code skipped}. */
    public String label() {
        return label;
    }
}
