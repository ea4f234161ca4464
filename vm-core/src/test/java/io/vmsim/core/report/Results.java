package io.vmsim.core.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small RunResults for report tests. */
final class Results {
    private Results() {
    }

    static RunResult sample(boolean nested) {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("pgfault", 1234L);
        counters.put("thp_fault_alloc", 5L);
        Map<String, Long> meminfo = new LinkedHashMap<>();
        meminfo.put("MemTotal", 4194304L);
        Map<String, Long> tlb = new LinkedHashMap<>();
        tlb.put("l1_misses", 100L);
        tlb.put("walk_refs", 400L);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("seed", "42");
        config.put("note", "a \"quoted\"\\path\twith\nnewline\u0001");
        List<RunResult.NestedWalkRow> rows = nested
                ? List.of(new RunResult.NestedWalkRow("native", 4, "4K", null, 4),
                new RunResult.NestedWalkRow("nested", 4, "4K", "4K", 24))
                : List.of();
        return new RunResult("scenario:largepages3", counters, meminfo, tlb, 2_500_000_000L, 1_000_000L,
                List.of(new RunResult.PhaseResult("memset", 2_000_000_000L, 600_000L),
                        new RunResult.PhaseResult("read", 500_000_000L, 400_000L)),
                rows, "Node 0, zone Normal 1 2\n", config);
    }
}
