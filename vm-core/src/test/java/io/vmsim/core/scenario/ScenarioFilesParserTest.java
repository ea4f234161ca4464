package io.vmsim.core.scenario;

import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reclaim additions to the scenario language: files, file VMAs, read/write/mlock, oom_score_adj. */
final class ScenarioFilesParserTest {
    private static Scenario parse(String yaml) throws ScenarioException {
        return ScenarioParser.parse(new StringReader(yaml), "my.yaml", "test");
    }

    private static final String HEAD = """
            files:
              - { name: data, size: 8M }
              - { name: hot, size: 1M, fadvise: random }
            processes:
              - name: app
                oom_score_adj: -1000
                vmas:
                  - { name: heap, size: 4M }
                  - { name: map, size: 8M, file: data, shared: true }
            phases:
            """;

    @Test
    void filesVmasAndFileOps_areResolvedToIndices() throws Exception {
        Scenario s = parse(HEAD + """
                  - { op: read, file: hot, repeat: 2 }
                  - { op: write, file: data, offset: 4M, length: 1M }
                  - { op: mlock, vma: heap }
                """);
        assertThat(s.files()).containsExactly(new FileSpec("data", 8 << 20, false), new FileSpec("hot", 1 << 20, true));
        assertThat(s.processes().get(0).oomScoreAdj()).isEqualTo(-1000);
        assertThat(s.processes().get(0).vmas().get(1).file()).isEqualTo("data");
        assertThat(s.processes().get(0).vmas().get(0).file()).isNull();
        List<PhaseSpec> p = s.phases();
        assertThat(p.get(0).op()).isEqualTo(PhaseOp.READ);
        assertThat(p.get(0).file()).isEqualTo(1);
        assertThat(p.get(0).repeat()).isEqualTo(2);
        assertThat(p.get(1).file()).isZero();
        assertThat(p.get(1).offset()).isEqualTo(4 << 20);
        assertThat(p.get(2).op()).isEqualTo(PhaseOp.MLOCK);
        assertThat(p.get(2).vma()).isZero();
        assertThat(p.get(2).file()).isEqualTo(-1);
    }

    @Test
    void unknownFile_isAnErrorNamingTheLineAndTheClosestName() {
        assertThatThrownBy(() -> parse(HEAD + "  - { op: read, file: dta }\n"))
                .hasMessage("my.yaml:11: phase 'read 1': unknown file 'dta'; expected one of data, hot (did you mean 'data'?)");
    }

    @Test
    void aRangeBeyondTheFile_andAVmaLargerThanItsFile_areErrors() {
        assertThatThrownBy(() -> parse(HEAD + "  - { op: read, file: hot, offset: 512K, length: 1M }\n"))
                .hasMessageContaining("is not a non-empty part of file 'hot' of 1048576 bytes");
        assertThatThrownBy(() -> parse(HEAD.replace("size: 8M, file: data", "size: 16M, file: data") + "  - { op: read, file: hot }\n"))
                .hasMessageContaining("is larger than file 'data'");
    }

    @Test
    void readTakesNoVma_andOomScoreAdjIsBounded() {
        assertThatThrownBy(() -> parse(HEAD + "  - { op: read, file: hot, vma: heap }\n"))
                .hasMessageContaining("key 'vma' does not apply to op 'read'");
        assertThatThrownBy(() -> parse(HEAD.replace("-1000", "-1001") + "  - { op: read, file: hot }\n"))
                .hasMessageContaining("oom_score_adj: expected an integer from -1000 to 1000");
    }
}
