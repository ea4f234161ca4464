package io.vmsim.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ScenarioParserTest {
    @TempDir
    Path dir;

    private static Scenario parse(String yaml) throws ScenarioException {
        return ScenarioParser.parse(new StringReader(yaml), "my.yaml", "test");
    }

    private static AbstractThrowableAssert<?, ?> fails(String yaml, int line) {
        return assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ScenarioException.class)
                .hasMessageStartingWith("my.yaml:" + line + ": ")
                .satisfies(e -> assertThat(((ScenarioException) e).line()).isEqualTo(line));
    }

    private static final String HEAD = """
            name: t
            processes:
              - name: app
                threads: [3, 5]
                vmas:
                  - { name: heap, size: 64M }
                  - { name: buf, size: 2M, align: 2M, prot: wr, shared: true, advice: [hugepage, mergeable] }
            phases:
            """; // phases start on line 9

    @Test
    void defaults_areFilledIn() throws ScenarioException {
        Scenario s = parse(HEAD + """
                  - { op: sequential, vma: heap }
                  - { name: m, op: memset, vma: buf }
                  - { op: random, vma: heap, write: true }
                  - { op: zipf, vma: heap, process: app, thread: 1, write_fraction: 0.25, count: 7 }
                """);
        assertThat(s.name()).isEqualTo("t");
        assertThat(s.description()).isEmpty();
        assertThat(s.config()).isEmpty();
        assertThat(s.source()).isEqualTo("test");
        assertThat(s.processes()).containsExactly(new ProcessSpec("app", List.of(3, 5), List.of(
                new VmaSpec("heap", 64L << 20, 4096, "rw", false, List.of()),
                new VmaSpec("buf", 2L << 20, 2L << 20, "rw", true, List.of("hugepage", "mergeable")))));
        assertThat(s.phases()).containsExactly(
                new PhaseSpec("sequential 1", PhaseOp.SEQUENTIAL, 0, 0, 0, 0, -1, 4096, 0, 0.0, 1.0, 1, null, null, 0, 9),
                new PhaseSpec("m", PhaseOp.MEMSET, 0, 0, 1, 0, -1, 64, 0, 1.0, 1.0, 1, null, null, 0, 10),
                new PhaseSpec("random 3", PhaseOp.RANDOM, 0, 0, 0, 0, -1, 4096, -1, 1.0, 1.0, 1, null, null, 0, 11),
                new PhaseSpec("zipf 4", PhaseOp.ZIPF, 0, 1, 0, 0, -1, 4096, 7, 0.25, 1.0, 1, null, null, 0, 12));
    }

    @Test
    void fillAndPrctl_areParsed_andAFillWithoutWritesIsAnError() throws ScenarioException {
        Scenario s = parse(HEAD + """
                  - { op: memset, vma: heap, fill: "same:7" }
                  - { op: sequential, vma: heap, write: true, fill: zero }
                  - { op: random, vma: heap, write_fraction: 0.5, fill: random }
                  - { op: sequential, vma: heap, write: true, fill: "image:2" }
                  - { op: prctl, memory_merge: true }
                  - { op: sequential, vma: heap }
                """);
        assertThat(s.phases()).extracting(PhaseSpec::fill).containsExactly("same:7", "zero", "random", "image:2", null, null);
        assertThat(s.phases().get(4).op()).isEqualTo(PhaseOp.PRCTL);
        assertThat(s.phases().get(4).advice()).isEqualTo("memory_merge=1");
        fails(HEAD + """
                  - { op: sequential, vma: heap, fill: zero }
                """, 9).hasMessageEndingWith("fill applies to writes; give 'write: true' or a 'write_fraction'");
        fails(HEAD + """
                  - { op: memset, vma: heap, fill: "same:x" }
                """, 9).hasMessageContaining("expected zero, unique, random, same:K or image:K");
        assertThat(parse("""
                processes:
                  - { name: p, memory_merge: true, vmas: [ { name: a, size: 4096 } ] }
                phases:
                  - { op: sleep, duration_ns: 1 }
                """).processes().get(0).memoryMerge()).isTrue();
    }

    @Test
    void sizes_acceptSuffixes() throws ScenarioException {
        Scenario s = parse("""
                processes:
                  - name: p
                    vmas:
                      - { name: a, size: 4096 }
                      - { name: b, size: 64K }
                      - { name: c, size: 2M }
                      - { name: d, size: 3G }
                      - { name: e, size: 1t }
                      - { name: f, size: 2MiB }
                phases:
                  - { op: sequential, vma: d, offset: 1G, length: 512M, stride: 2M, repeat: 3 }
                """);
        assertThat(s.processes().get(0).vmas()).extracting(VmaSpec::size)
                .containsExactly(4096L, 64L << 10, 2L << 20, 3L << 30, 1L << 40, 2L << 20);
        PhaseSpec p = s.phases().get(0);
        assertThat(List.of(p.offset(), p.length(), p.stride(), (long) p.repeat()))
                .containsExactly(1L << 30, 512L << 20, 2L << 20, 3L);
        assertThat(s.name()).isEqualTo("my"); // from the file name
    }

    @Test
    void forkChild_isTheNextProcessIndex_andExitEndsAProcess() throws ScenarioException {
        Scenario s = parse(HEAD + """
                  - { op: fork, child: w }
                  - { op: sequential, process: w, vma: buf }
                  - { op: exit, process: w }
                  - { op: sleep, duration_ns: 1_000 }
                """);
        assertThat(s.phases()).extracting(PhaseSpec::process).containsExactly(0, 1, 1, 0);
        assertThat(s.phases().get(1).vma()).isEqualTo(1);
        assertThat(s.phases().get(3).durationNs()).isEqualTo(1000);
        fails(HEAD + """
                  - { op: fork, child: w }
                  - { op: exit, process: w }
                  - { op: sequential, process: w, vma: buf }
                """, 11).hasMessageEndingWith("phase 'sequential 3': process 'w' has exited (line 10)");
    }

    @Test
    void madviseAndMprotect_carryTheirArguments() throws ScenarioException {
        Scenario s = parse(HEAD + """
                  - { op: madvise, vma: heap, advice: DontNeed, length: 4K }
                  - { op: mprotect, vma: heap, prot: none }
                  - { op: mprotect, vma: heap, prot: xr }
                """);
        assertThat(s.phases()).extracting(PhaseSpec::advice).containsExactly("dontneed", null, null);
        assertThat(s.phases()).extracting(PhaseSpec::prot).containsExactly(null, "", "rx");
    }

    @Test
    void config_isFlattenedToStrings() throws ScenarioException {
        Scenario s = parse("config: { vm.swappiness: 60, mm: { ksm: { run: true } } }\n" + HEAD
                + "  - { op: exit }\n");
        assertThat(s.config()).containsEntry("vm.swappiness", "60").containsEntry("mm.ksm.run", "true").hasSize(2);
    }

    @Test
    void syntaxError_reportsSnakeYamlsLine() {
        fails("name: x\nprocesses:\n  - name: p\n    vmas: [ {name: a, size: 4K }\nphases: []\n", 5)
                .hasMessageContaining("YAML syntax error");
        fails("name: x\ndescription: a: b\n", 2).hasMessageContaining("YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void unknownOp_suggestsTheClosest() {
        fails(HEAD + "  - { op: sequential, vma: heap }\n  - { name: x, op: memsett, vma: heap }\n", 10)
                .hasMessage("my.yaml:10: phase 'x': unknown op 'memsett'; expected one of sequential, random, zipf, "
                        + "strided, memset, fork, madvise, munmap, mprotect, sleep, exit, nested_walk, kernel_alloc, punch_holes, read, write, mlock, stat, fadvise, ftruncate, fsync, msync, munlock, set_mempolicy, mbind, migrate_pages, move_pages, parallel, prctl, userfaultfd, uffd_register, uffd_unregister, uffd_writeprotect, migrate (did you mean 'memset'?)");
    }

    @Test
    void unknownKey_suggestsTheClosest() {
        fails(HEAD.replace("{ name: heap, size: 64M }", "{ name: heap, sise: 64M }"), 6)
                .hasMessage("my.yaml:6: process 'app': a vma: unknown key 'sise'; expected one of name, size, align, prot, "
                        + "shared, advice, hugetlb, file, mempolicy (did you mean 'size'?)");
        fails(HEAD + "  - op: sequential\n    vma: heap\n    strid: 8K\n", 11)
                .hasMessageContaining("unknown key 'strid'").hasMessageEndingWith("(did you mean 'stride'?)");
        fails("nmae: x\n", 1).hasMessageEndingWith("(did you mean 'name'?)");
    }

    @Test
    void keyThatTheOpDoesNotUse_isAnError() {
        fails(HEAD + "  - { op: fork, stride: 4K }\n", 9)
                .hasMessageContaining("phase 'fork 1': key 'stride' does not apply to op 'fork'; it takes name, op, process, thread, child");
    }

    @Test
    void badSize_isAnErrorOnItsLine() {
        fails(HEAD.replace("size: 2M,", "size: 2X,"), 7)
                .hasMessageEndingWith("process 'app': vma 'buf': bad size '2X' for 'size'; expected bytes like 4096, 64K, 2M or 3G");
        fails(HEAD.replace("size: 64M", "size: 5000"), 6).hasMessageContaining("not a positive multiple of the 4K page size");
        fails(HEAD.replace("align: 2M", "align: 3M"), 7).hasMessageContaining("align must be a power of two");
        fails(HEAD + "  - { op: sequential, vma: heap, offset: 60M, length: 8M }\n", 9).hasMessageContaining("is outside vma 'heap'");
    }

    @Test
    void unknownVmaOrProcess_suggestsTheClosest() {
        fails(HEAD + "  - { op: memset, vma: heap }\n  - { op: memset, vma: haep }\n", 10)
                .hasMessageEndingWith("phase 'memset 2': process 'app' has no vma 'haep'; expected one of heap, buf (did you mean 'heap'?)");
        fails(HEAD + "  - { op: memset, vma: heap, process: ap }\n", 9)
                .hasMessageEndingWith("unknown process 'ap'; expected one of app (did you mean 'app'?)");
    }

    @Test
    void missingOrInvalidValues_areReported() {
        fails(HEAD + "  - { op: memset }\n", 9).hasMessageEndingWith("phase 'memset 1': op 'memset' needs a 'vma'");
        fails(HEAD + "  - { op: madvise, vma: heap }\n", 9).hasMessageEndingWith("missing key 'advice'");
        fails(HEAD + "  - { op: madvise, vma: heap, advice: dontned }\n", 9).hasMessageEndingWith("(did you mean 'dontneed'?)");
        fails(HEAD + "  - { op: random, vma: heap, write: yes please }\n", 9).hasMessageContaining("expected true or false");
        fails(HEAD + "  - { op: random, vma: heap, write_fraction: 1.5 }\n", 9).hasMessageContaining("write_fraction: expected a number");
        fails(HEAD + "  - { op: random, vma: heap, thread: 2 }\n", 9).hasMessageContaining("thread: expected an integer from 0 to 1");
        fails(HEAD + "  - { op: random, vma: heap, write: true, write_fraction: 0.5 }\n", 9).hasMessageContaining("not both");
        fails(HEAD.replace("prot: wr", "prot: rwz"), 7).hasMessageContaining("bad prot 'rwz'");
        fails(HEAD, 8).hasMessageEndingWith("phases: expected a list");
        fails(HEAD + "  - { op: exit }\n  - { op: exit }\n", 10).hasMessageContaining("has exited");
        fails("name: x\nname: y\n", 2).hasMessageEndingWith("duplicate key 'name'");
    }

    @Test
    void file_isReadAndNamedInErrors() throws IOException {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "processes: []\nphases: []\n");
        assertThatThrownBy(() -> ScenarioCatalog.load(f)).isInstanceOf(ScenarioException.class)
                .hasMessage(f + ":1: a scenario needs at least one process");
        assertThatThrownBy(() -> ScenarioCatalog.load(dir.resolve("none.yaml")))
                .hasMessage("scenario file not found: " + dir.resolve("none.yaml"));
    }

    @Test
    void parallelPhase_runsAccessPhasesOfSeveralThreads_andCpuAffinityIsParsed() throws ScenarioException {
        Scenario s = parse("""
                processes:
                  - name: a
                    threads: [0, 2]
                    cpus_allowed: [0-1, 2]
                    vmas: [{ name: buf, size: 8M }]
                  - name: b
                    threads: [1]
                    bind_cpus: node
                    vmas: [{ name: buf, size: 8M }]
                phases:
                  - name: together
                    op: parallel
                    phases:
                      - { op: memset, process: a, thread: 1, vma: buf, stride: 4096, repeat: 3 }
                      - { op: random, process: b, vma: buf, count: 10 }
                """);
        assertThat(s.processes().get(0).cpusAllowed()).containsExactly(0, 1, 2);
        assertThat(s.processes().get(0).bindCpusNode()).isFalse();
        assertThat(s.processes().get(1).cpusAllowed()).isEmpty();
        assertThat(s.processes().get(1).bindCpusNode()).isTrue();
        PhaseSpec p = s.phases().get(0);
        assertThat(p.op()).isEqualTo(PhaseOp.PARALLEL);
        assertThat(p.phases()).extracting(PhaseSpec::op).containsExactly(PhaseOp.MEMSET, PhaseOp.RANDOM);
        assertThat(p.phases()).extracting(PhaseSpec::process).containsExactly(0, 1);
        assertThat(p.phases().get(0).thread()).isEqualTo(1);
        assertThat(p.phases().get(0).repeat()).isEqualTo(3);
    }

    @Test
    void parallelPhase_rejectsOpsThatAreNotAccesses_andTwoPhasesOnOneThread() {
        String head = """
                processes:
                  - { name: a, threads: [0, 1], vmas: [{ name: buf, size: 8M }] }
                phases:
                  - name: together
                    op: parallel
                    phases:
                """;
        assertThatThrownBy(() -> parse(head + "      - { op: madvise, vma: buf, advice: dontneed }\n"))
                .hasMessageContaining("op 'madvise' cannot run in parallel");
        assertThatThrownBy(() -> parse(head + "      - { op: memset, vma: buf }\n      - { op: memset, vma: buf }\n"))
                .hasMessageContaining("uses the same thread");
        assertThatThrownBy(() -> parse("""
                processes:
                  - { name: a, threads: [3], cpus_allowed: [0-1], vmas: [{ name: buf, size: 8M }] }
                phases:
                  - { op: memset, vma: buf }
                """)).hasMessageContaining("thread CPU 3 is not in cpus_allowed");
    }
}
