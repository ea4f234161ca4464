package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code vmsim mrc} in-process, with captured streams. */
final class MrcCommandTest {
    @TempDir
    Path dir;



    private Path trace() throws IOException {
        Path t = dir.resolve("t.pages");
        Files.writeString(t, "1\n2\n3\n1\n4\n1\n2\n5\n");
        return t;
    }

    @Test
    void jsonToStdout_listsEveryPolicyAndSize_tableGoesToStderr() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru,fifo,opt", "--frames", "2,3", "--json", "-");
        assertThat(o.code()).isEqualTo(0);
        assertThat(o.out()).contains("\"refs\": 8", "\"distinct_pages\": 5", "\"policy\": \"opt\"", "\"frames\": 3");
        assertThat(o.err()).contains("POLICY", "lru");
    }

    @Test
    void aTraceWhoseFormatCannotBeDetected_isReportedAsBadInput_inOneLineWithoutAnExceptionsName() throws IOException {
        Path t = Files.writeString(dir.resolve("t.xz"), "not xz\n");
        Cli.Outcome o = run("mrc", "--trace", t.toString(), "--policy", "lru", "--frames", "4");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).startsWith("vmsim: " + t + ": cannot detect the trace format from 'not xz'")
                .doesNotContain("Exception");
    }

    @Test
    void unknownPolicy_listsTheAvailableOnes() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lruu", "--frames", "4");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).hasSize(1);
        assertThat(o.err()).contains("lruu", "available", "arc", "s3fifo");
    }

    @Test
    void frameCountThatIsNotAPositiveInteger_isRejectedShowingTheValue() throws IOException {
        for (String bad : new String[] {"0", "-3", "12k", "1.5"}) {
            Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "4," + bad);
            assertThat(o.code()).as(bad).isEqualTo(2);
            assertThat(o.err().strip()).isEqualTo("vmsim: --frames: '" + bad + "' is not a positive integer");
        }
    }

    @Test
    void svgHtmlAndPngPlots_areWritten() throws IOException {
        Path svg = dir.resolve("c.svg");
        Path html = dir.resolve("c.html");
        assertThat(run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "1,2,4", "--plot",
                svg.toString()).code()).isZero();
        assertThat(Files.readString(svg)).startsWith("<svg");
        assertThat(run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "2", "--plot",
                html.toString()).code()).isZero();
        assertThat(Files.readString(html)).contains("<svg");
        Path pngFile = dir.resolve("c.png");
        Cli.Outcome png = run("mrc", "--trace", trace().toString(), "--policy", "lru,fifo", "--frames", "1,2,4", "--plot",
                pngFile.toString());
        assertThat(png.code()).as(png.err()).isZero();
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(pngFile.toFile());
        assertThat(img).as("a PNG image").isNotNull();
        assertThat(img.getWidth()).isEqualTo(io.vmsim.cli.report.MrcPng.WIDTH);
        assertThat(img.getHeight()).isEqualTo(io.vmsim.cli.report.MrcPng.HEIGHT);
        Cli.Outcome gif = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "2", "--plot",
                dir.resolve("c.gif").toString());
        assertThat(gif.code()).isEqualTo(2);
        assertThat(gif.err()).contains("must end in .svg, .html or .png");
    }

    @Test
    void policySetting_forAnUnknownKey_isAConfigurationError() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "clock", "--frames", "2",
                "--set", "policy.reclaim.clock.insert_refrenced=false");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("insert_referenced");
    }

    private static long misses(String json, String label, int frames) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"policy\": \"" + java.util.regex.Pattern.quote(label)
                + "\", \"frames\": " + frames + ", \"misses\": (\\d+)").matcher(json);
        assertThat(m.find()).as(label + "@" + frames + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private Path longerTrace() throws IOException {
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 3000; i++) {
            sb.append(r.nextInt(4) == 0 ? r.nextInt(200) : r.nextInt(12)).append('\n');
        }
        return Files.writeString(dir.resolve("longer.pages"), sb.toString());
    }

    @Test
    void twoVariantsOfOnePolicy_runSideBySide_eachAsItsOwnSettingsWouldAlone() throws IOException {
        String t = longerTrace().toString();
        Cli.Outcome both = run("mrc", "--trace", t, "--policy", "clock[insert_referenced=true],clock[insert_referenced=false]",
                "--frames", "8,32", "--json", "-");
        assertThat(both.code()).as(both.err()).isZero();
        for (String v : new String[] {"true", "false"}) {
            Cli.Outcome alone = run("mrc", "--trace", t, "--policy", "clock", "--frames", "8,32", "--json", "-",
                    "--set", "policy.reclaim.clock.insert_referenced=" + v);
            for (int f : new int[] {8, 32}) {
                assertThat(misses(both.out(), "clock[insert_referenced=" + v + "]", f))
                        .isEqualTo(misses(alone.out(), "clock", f));
            }
        }
        assertThat(misses(both.out(), "clock[insert_referenced=true]", 8))
                .as("the variants differ on this trace").isNotEqualTo(misses(both.out(), "clock[insert_referenced=false]", 8));
        // the record: engine, seed and each policy's provider, version, origin and effective settings
        assertThat(both.out()).contains("\"engine\": \"direct\"", "\"seed\": 42",
                "\"label\": \"clock[insert_referenced=false]\"", "\"name\": \"clock\"", "\"version\": ",
                "\"origin\": \"built-in", "\"insert_referenced\": false", "\"insert_referenced\": true");
    }

    @Test
    void limit_replaysTheFirstNReferences_asATruncatedFileWould() throws IOException {
        Path t = longerTrace();
        List<String> lines = Files.readAllLines(t);
        Path head = Files.write(dir.resolve("head.pages"), lines.subList(0, 1000));
        Cli.Outcome limited = run("mrc", "--trace", t.toString(), "--limit", "1000", "--policy", "lru,arc", "--frames", "10", "--json", "-");
        Cli.Outcome truncated = run("mrc", "--trace", head.toString(), "--policy", "lru,arc", "--frames", "10", "--json", "-");
        assertThat(limited.code()).as(limited.err()).isZero();
        assertThat(limited.out()).contains("\"refs\": 1000");
        for (String p : new String[] {"lru", "arc"}) {
            assertThat(misses(limited.out(), p, 10)).isEqualTo(misses(truncated.out(), p, 10));
        }
        assertThat(run("mrc", "--trace", t.toString(), "--limit", "0", "--policy", "lru", "--frames", "4").code()).isEqualTo(2);
    }

    @Test
    void framesBeyondTheDistinctPages_areCappedAndSaid_andLargeNumbersParse() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "1000000000,99999999999999999999",
                "--json", "-");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.err()).contains("--frames 1000000000 is more than the trace's 5 distinct pages; running 5 frames instead");
        assertThat(misses(o.out(), "lru", 5)).isEqualTo(5); // only cold misses with room for every page
    }

    @Test
    void machineEngine_countsTheSameMisses_andSaysSo() throws IOException {
        String t = longerTrace().toString();
        Cli.Outcome d = run("mrc", "--trace", t, "--policy", "lru,arc,linux-2list,clock", "--frames", "4,16", "--json", "-");
        Cli.Outcome m = run("mrc", "--trace", t, "--policy", "lru,arc,linux-2list,clock", "--frames", "4,16", "--json", "-", "--machine");
        assertThat(m.code()).as(m.err()).isZero();
        assertThat(m.out()).contains("\"engine\": \"machine\"");
        for (String p : new String[] {"lru", "arc", "linux-2list", "clock"}) {
            for (int f : new int[] {4, 16}) {
                assertThat(misses(m.out(), p, f)).as(p + "@" + f).isEqualTo(misses(d.out(), p, f));
            }
        }
    }

    @Test
    void aBillionFrames_isCappedToTheDistinctPages_saidOnStderrAndInTheJson() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru,opt", "--frames", "2,1000000000",
                "--json", "-");
        assertThat(o.code()).isEqualTo(0);
        assertThat(o.err()).contains("--frames 1000000000 is more than the trace's 5 distinct pages; running 5 frames instead");
        assertThat(o.out()).contains("\"frames_capped\": [\n    {\"asked\": 1000000000, \"frames\": 5}\n  ]");
        assertThat(misses(o.out(), "lru", 5)).isEqualTo(5); // only cold misses
        assertThat(misses(o.out(), "opt", 5)).isEqualTo(5);
    }

    /** LRU by brute force over page numbers. */
    private static long naiveLru(long[] refs, int c) {
        java.util.LinkedList<Long> list = new java.util.LinkedList<>();
        long misses = 0;
        for (long p : refs) {
            if (list.remove((Long) p)) {
                list.addFirst(p);
                continue;
            }
            misses++;
            if (list.size() == c) {
                list.removeLast();
            }
            list.addFirst(p);
        }
        return misses;
    }

    @Test
    void framesAll_givesLruAtEverySize_fromOneToTheDistinctPages() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru", "--frames", "all", "--json", "-");
        assertThat(o.code()).as(o.err()).isEqualTo(0);
        assertThat(o.out()).contains("\"engine\": \"stack\"");
        long[] refs = {1, 2, 3, 1, 4, 1, 2, 5};
        for (int n = 1; n <= 5; n++) {
            assertThat(misses(o.out(), "lru", n)).as("%d frames", n).isEqualTo(naiveLru(refs, n));
        }
        assertThat(o.out()).doesNotContain("\"frames\": 6,");
    }

    @Test
    void framesAll_json_streamed_isByteForByteTheTreeRenderedWhole() throws IOException {
        // the document as it was built before it was streamed: the whole tree (every row a map in a
        // list), then rendered to one string; the misses from brute-force LRU
        long[] refs = {1, 2, 3, 1, 4, 1, 2, 5};
        String t = trace().toString();
        java.util.Map<String, Object> root = new java.util.LinkedHashMap<>();
        root.put("trace", t);
        root.put("refs", (long) refs.length);
        root.put("distinct_pages", 5);
        root.put("engine", "stack");
        root.put("seed", 0L);
        root.put("policies", new java.util.ArrayList<>());
        List<Object> rows = new java.util.ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("policy", "lru");
            m.put("frames", n);
            m.put("misses", naiveLru(refs, n));
            m.put("miss_ratio", (double) naiveLru(refs, n) / refs.length);
            rows.add(m);
        }
        root.put("results", rows);
        String whole = io.vmsim.core.report.JsonWriter.render(root);

        Path json = dir.resolve("all.json");
        Cli.Outcome file = run("mrc", "--trace", t, "--policy", "lru", "--frames", "all", "--json", json.toString());
        assertThat(file.code()).as(file.err()).isEqualTo(0);
        assertThat(Files.readString(json)).isEqualTo(whole);
        Cli.Outcome out = run("mrc", "--trace", t, "--policy", "lru", "--frames", "all", "--json", "-");
        assertThat(out.code()).as(out.err()).isEqualTo(0);
        assertThat(out.out()).isEqualTo(whole);
    }

    @Test
    void framesAll_orSample_withAnotherPolicy_isRefused() throws IOException {
        Cli.Outcome o = run("mrc", "--trace", trace().toString(), "--policy", "lru,fifo", "--frames", "all");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--frames all", "--policy lru alone");
        Cli.Outcome s = run("mrc", "--trace", trace().toString(), "--policy", "clock", "--frames", "2", "--sample", "0.5");
        assertThat(s.code()).isEqualTo(2);
        assertThat(s.err()).contains("--sample", "--policy lru alone");
    }

    @Test
    void sampleWithExact_printsTheMeanAbsoluteError_andRecordsItInTheJson() throws IOException {
        Path json = dir.resolve("s.json");
        Cli.Outcome o = run("mrc", "--trace", "zipf:pages=3000,alpha=0.9,refs=200000,seed=3", "--policy", "lru",
                "--frames", "10,100,1000", "--sample", "0.1", "--exact", "--json", json.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(0);
        assertThat(o.out()).contains("lru[sample=0.1]", "mean absolute error of the sampled miss ratio");
        String j = Files.readString(json);
        assertThat(j).contains("\"sample\": {\n    \"rate\": 0.1", "\"sampled_refs\": ", "\"mean_absolute_error\": ");
    }

    @Test
    void generatedTraces_needNoFile_andBehaveAsTheirDefinitionSays() throws IOException {
        // seq: a loop over 10 pages; LRU with fewer frames misses every reference, with 10 only the first 10
        Cli.Outcome o = run("mrc", "--trace", "seq:pages=10,refs=1000", "--policy", "lru,fifo", "--frames", "9,10",
                "--json", "-");
        assertThat(o.code()).as(o.err()).isEqualTo(0);
        assertThat(o.out()).contains("\"refs\": 1000", "\"distinct_pages\": 10");
        assertThat(misses(o.out(), "lru", 9)).isEqualTo(1000);
        assertThat(misses(o.out(), "lru", 10)).isEqualTo(10);
        assertThat(misses(o.out(), "fifo", 9)).isEqualTo(1000);
        Cli.Outcome bad = run("mrc", "--trace", "zipf:pages=10,refs=5,skew=2", "--policy", "lru", "--frames", "2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown key 'skew'", "alpha");
    }
}
