package io.vmsim.core;

import io.vmsim.core.report.RunResult.NestedWalkRow;
import io.vmsim.core.time.CostModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class NestedWalkLabTest {
    private static List<NestedWalkRow> rows;

    @BeforeAll
    static void measure() {
        TestConfig c = TestConfig.of();
        rows = new NestedWalkLab(c, new CostModel(c)).measure();
    }

    private static long refs(String mode, int levels, String guest, String host) {
        return rows.stream()
                .filter(r -> r.mode().equals(mode) && r.levels() == levels && r.guestPage().equals(guest)
                        && java.util.Objects.equals(r.hostPage(), host))
                .findFirst().orElseThrow().walkRefs();
    }

    @Test
    void nativeWalk_readsOneEntryPerLevelDownToTheLeaf() {
        assertThat(refs("native", 4, "4K", null)).isEqualTo(4);
        assertThat(refs("native", 4, "2M", null)).isEqualTo(3);
        assertThat(refs("native", 4, "1G", null)).isEqualTo(2);
        assertThat(refs("native", 5, "4K", null)).isEqualTo(5);
    }

    @Test
    void nestedWalk_reproducesTheThpCommitFigures_24_19_15() {
        // seeds/004: "decrease the tlb-miss cacheline accesses from 24 to 19 [...] from 19 to 15"
        assertThat(refs("nested", 4, "4K", "4K")).isEqualTo(24);
        assertThat(refs("nested", 4, "4K", "2M")).isEqualTo(19);
        assertThat(refs("nested", 4, "2M", "2M")).isEqualTo(15);
    }

    @Test
    void nestedWalk_withFiveLevels_makes35References() {
        assertThat(refs("nested", 5, "4K", "4K")).isEqualTo(35);
    }

    @Test
    void everyRow_matchesTheTwoDimensionalWalkFormula() {
        // g guest levels to the leaf, h host levels: each guest entry costs a host walk plus
        // its own read, and the data's guest-physical address one more host walk.
        assertThat(rows).hasSize(2 * (3 + 3 * 2));
        for (NestedWalkRow r : rows) {
            int g = r.levels() - levelsSaved(r.guestPage());
            if (r.mode().equals("native")) {
                assertThat(r.walkRefs()).as(r.toString()).isEqualTo(g);
            } else {
                int h = r.levels() - levelsSaved(r.hostPage());
                assertThat(r.walkRefs()).as(r.toString()).isEqualTo((long) g * (h + 1) + h);
            }
        }
    }

    private static int levelsSaved(String page) {
        return switch (page) {
            case "4K" -> 0;
            case "2M" -> 1;
            default -> 2;
        };
    }
}
