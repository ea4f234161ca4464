package io.vmsim.core;

import io.vmsim.core.conformance.CaseResult;
import io.vmsim.core.conformance.ConformanceRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance replay runs the probe's own process in a memory cgroup of its own, as the
 * recording machine did ({@code memory:/process_api/<id>} in {@code /proc/self/cgroup}): the
 * forked child's {@code mm_struct} is charged to that group, and freeing it at the child's exit
 * takes the CPU's object stock over from the child's group ({@code drain_obj_stock()}).
 * The figures the group is left with are the kernel's (conformance/expected).
 */
final class ConformanceProbeCgroupTest {
    private static final String USAGE = "parent_after_child.cgroup.usage_kb";

    private static Path expected(String id) {
        return Recordings.path("conformance/expected/" + id + ".json");
    }

    private static String got(String id) throws IOException {
        CaseResult r = new ConformanceRunner(new TestCatalog()).run(expected(id));
        return r.checks().stream().filter(c -> c.field().equals(USAGE)).findFirst().orElseThrow().got();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> recorded(String id) throws IOException {
        return ConformanceRunner.parse(Files.readString(expected(id)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void anOomKilledAnonymousWriter_leavesOnlyItsPageTables_theLeastLinuxRecorded() throws IOException {
        // 18 page tables in the page stock; the object page was drained by the parent's mm_struct
        Map<String, Object> range = (Map<String, Object>) ((Map<String, Object>) recorded("memcg-anon-oom").get("varying")).get(USAGE);
        assertThat(Long.parseLong(got("memcg-anon-oom"))).isEqualTo(((Number) range.get("min")).longValue()).isEqualTo(72);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anOomKilledShmemWriter_leavesWhatLinuxRecordedInEveryRun() throws IOException {
        // the page tables and the pages of the shmem inode and xarray nodes, still charged while
        // their RCU grace period runs
        Map<String, Object> doc = recorded("memcg-shmem-oom");
        assertThat((Map<String, Object>) doc.get("varying")).doesNotContainKey(USAGE);
        assertThat(Long.parseLong(got("memcg-shmem-oom"))).isEqualTo(((Number) ((Map<String, Object>) doc.get("observed")).get(USAGE)).longValue());
    }
}
