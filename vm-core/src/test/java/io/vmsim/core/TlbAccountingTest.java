package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TextReport;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reference that faults is translated again once the fault is handled; the retry is the same
 * reference, counted in {@code fault_retries}, so TLB misses never outnumber references.
 */
final class TlbAccountingTest {
    private static final int PAGES = 256;

    @Test
    void firstTouchOfEveryPage_countsOneAccessOneMissAndOneRetryPerReference_andTwoWalks() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "mm.transparent_hugepage.enabled", "never"),
                new TestCatalog());
        SimProcess p = m.spawn("t", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, PAGES * 4096L, "rw", false, 4096);
        for (int i = 0; i < PAGES; i++) {
            m.access(p.threads().get(0), a + i * 4096L, true);
        }
        Map<String, Long> tlb = m.tlb();
        // each reference: a walk that finds no PTE, the fault, and a retry whose walk succeeds
        assertThat(m.vmstat().get("pgfault")).isEqualTo(PAGES);
        assertThat(tlb.get("accesses")).isEqualTo(PAGES);
        assertThat(tlb.get("l1_misses")).isEqualTo(PAGES);
        assertThat(tlb.get("stlb_misses")).isEqualTo(PAGES);
        assertThat(tlb.get("fault_retries")).isEqualTo(PAGES);
        assertThat(tlb.get("walks")).isEqualTo(2L * PAGES);
    }

    @Test
    void writesAfterReadsOfTheZeroPage_retryEachProtectionFault_withoutCountingASecondMiss() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "mm.transparent_hugepage.enabled", "never"),
                new TestCatalog());
        SimProcess p = m.spawn("t", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, PAGES * 4096L, "rw", false, 4096);
        for (boolean write : new boolean[] {false, true}) {
            for (int i = 0; i < PAGES; i++) {
                m.access(p.threads().get(0), a + i * 4096L, write);
            }
        }
        Map<String, Long> tlb = m.tlb();
        // a read fault maps the zero page, a write fault replaces it: two faults per page
        assertThat(m.vmstat().get("pgfault")).isEqualTo(2L * PAGES);
        assertThat(tlb.get("fault_retries")).isEqualTo(2L * PAGES);
        assertThat(tlb.get("accesses")).isEqualTo(m.refs()).isEqualTo(2L * PAGES);
        assertThat(tlb.get("l1_misses")).isLessThanOrEqualTo(m.refs());
        assertThat(tlb.get("stlb_misses")).isLessThanOrEqualTo(tlb.get("l1_misses"));
    }

    @Test
    void summaryOfARunWhereEveryReferenceFaults_showsAtMost1000MissesPer1000Refs() throws Exception {
        String yaml = String.join("\n",
                "name: t", "description: every reference is a first touch",
                "processes:", "  - name: p", "    vmas:", "      - { name: a, size: 4M }",
                "phases:", "  - { name: touch, op: sequential, vma: a, stride: 4096, write: true }", "");
        Scenario s = ScenarioParser.parse(new StringReader(yaml), "t.yaml", "t.yaml");
        RunResult r = Simulation.runScenario(TestConfig.of("mm.transparent_hugepage.enabled", "never"), new TestCatalog(),
                s, Progress.NONE);
        assertThat(r.refs()).isEqualTo(1024);
        assertThat(r.counters().get("pgfault")).isEqualTo(1024);
        String text = TextReport.render(r);
        Matcher l1 = Pattern.compile("l1_misses\\s+([\\d,]+)\\s+([\\d.]+) per 1000 refs").matcher(text);
        Matcher stlb = Pattern.compile("stlb_misses\\s+([\\d,]+)\\s+([\\d.]+) per 1000 refs").matcher(text);
        assertThat(l1.find()).as(text).isTrue();
        assertThat(stlb.find()).as(text).isTrue();
        assertThat(l1.group(2)).isEqualTo("1000.000");
        assertThat(stlb.group(2)).isEqualTo("1000.000");
        assertThat(text).containsPattern("fault_retries\\s+1,024");
    }
}
