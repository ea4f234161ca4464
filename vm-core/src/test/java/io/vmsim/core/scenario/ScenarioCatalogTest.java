package io.vmsim.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ScenarioCatalogTest {

    @Test
    void everyBuiltin_parses_andHasADescription() throws ScenarioException {
        assertThat(ScenarioCatalog.names()).containsExactly("largepages3", "fragmentation", "nested-walk", "thp-sparse", "sample", "workingset", "overcommit-oom",
                "numa01", "numa01-bind", "numa01-inverse-bind", "numa02", "numa02-bind", "tiering", "ksm-identical", "ksm-vms", "ksm-volatile",
                "migration-precopy", "migration-postcopy", "migration-hybrid");
        assertThat(ScenarioCatalog.names()).contains(ScenarioCatalog.DEFAULT);
        for (Scenario s : ScenarioCatalog.all()) {
            assertThat(s.description()).as(s.name()).isNotBlank();
            assertThat(s.source()).isEqualTo("builtin:" + s.name());
        }
    }

    @Test
    void largepages3_followsTheCommitsProgram() throws ScenarioException {
        Scenario s = ScenarioCatalog.builtin("largepages3");
        assertThat(s.config()).containsEntry("mm.transparent_hugepage.enabled", "always")
                .containsEntry("machine.memory", "4G").containsEntry("cpu.profile", "reference-2010");
        assertThat(s.processes()).hasSize(1);
        VmaSpec heap = s.processes().get(0).vmas().get(0);
        assertThat(heap).isEqualTo(new VmaSpec("heap", 3L << 30, 2L << 20, "rw", false, List.of()));
        assertThat(s.phases()).extracting(PhaseSpec::name).containsExactly("memset page fault", "memset tlb miss",
                "memset second tlb miss", "random access tlb miss", "random access second tlb miss");
        for (PhaseSpec p : s.phases().subList(0, 3)) {
            assertThat(p.op()).isEqualTo(PhaseOp.MEMSET);
            assertThat(p.stride()).isEqualTo(64);
            assertThat(p.writeFraction()).isEqualTo(1.0);
            assertThat(p.length()).isEqualTo(-1);
        }
        for (PhaseSpec p : s.phases().subList(3, 5)) {
            assertThat(p.op()).isEqualTo(PhaseOp.STRIDED);
            assertThat(p.stride()).isEqualTo(4096);
            assertThat(p.writeFraction()).isEqualTo(1.0);
        }
    }

    @Test
    void nestedWalk_isOnePhase() throws ScenarioException {
        Scenario s = ScenarioCatalog.builtin("nested-walk");
        assertThat(s.phases()).extracting(PhaseSpec::op).containsExactly(PhaseOp.NESTED_WALK);
        assertThat(s.description()).contains("24", "19", "15");
    }

    @Test
    void sample_exercisesTheLanguage() throws ScenarioException {
        Scenario s = ScenarioCatalog.builtin("sample");
        assertThat(EnumSet.copyOf(s.phases().stream().map(PhaseSpec::op).toList())).containsAll(EnumSet.of(
                PhaseOp.SEQUENTIAL, PhaseOp.RANDOM, PhaseOp.ZIPF, PhaseOp.FORK, PhaseOp.MADVISE, PhaseOp.MPROTECT,
                PhaseOp.MUNMAP, PhaseOp.EXIT));
        PhaseSpec childWrites = s.phases().get(4);
        assertThat(childWrites.process()).isEqualTo(s.processes().size()); // the first fork's child
    }

    @Test
    void unknownBuiltin_suggestsTheClosest() {
        assertThatThrownBy(() -> ScenarioCatalog.builtin("largepage3")).isInstanceOf(ScenarioException.class)
                .hasMessage("unknown scenario 'largepage3'; built-in scenarios are largepages3, fragmentation, nested-walk, thp-sparse, sample, workingset, overcommit-oom, numa01, numa01-bind, numa01-inverse-bind, numa02, numa02-bind, tiering, ksm-identical, ksm-vms, ksm-volatile, migration-precopy, migration-postcopy, migration-hybrid"
                        + " (did you mean 'largepages3'?)");
    }

    @Test
    void resolve_takesANameOrAPath() throws ScenarioException {
        assertThat(ScenarioCatalog.resolve("sample").name()).isEqualTo("sample");
        assertThatThrownBy(() -> ScenarioCatalog.resolve("nowhere/x.yaml")).hasMessageContaining("not found");
    }
}
