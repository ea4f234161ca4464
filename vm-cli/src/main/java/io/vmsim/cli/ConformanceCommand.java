package io.vmsim.cli;

import io.vmsim.core.conformance.CaseResult;
import io.vmsim.core.conformance.ConformanceRunner;
import io.vmsim.core.conformance.Verdict;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code vmsim conformance}: replays the kernel recordings of {@code conformance/expected} in
 * vmsim and compares (issue 9). Exit status 0 when no case failed, 1 when one did, 2 for bad
 * input (no such folder or case).
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Replays the recorded kernel cases (conformance/expected/<case>.json) in vmsim and compares field by field.",
                "Prints case | field | expected | got | verdict and a summary; exit 0 if no case FAILed, 1 otherwise."})
final class ConformanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder of case files (default: conformance/expected of the repository, found from the working directory or the jar).")
    Path dir;

    @Option(names = "--json", description = "Print the results as JSON instead of the table.")
    boolean json;

    @Option(names = "--all", description = "Print every compared field, not only the failed ones.")
    boolean all;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Overrides one configuration key after the runner's own settings; repeatable (e.g. vm.zero_page=true).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Parameters(paramLabel = "CASE", arity = "0..*", description = "Cases to run, by id (default: every case of DIR).")
    List<String> cases = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path d = dir != null ? dir : defaultDir();
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException("conformance folder '" + d + "' does not exist");
        }
        List<Path> files = files(d, cases);
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set '" + kv + "': expected KEY=VALUE");
            }
            overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        List<CaseResult> results = run(files, overrides);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(JsonWriter.render(toTree(results)));
        } else {
            Table t = new Table().row("CASE", "FIELD", "EXPECTED", "GOT", "VERDICT");
            for (CaseResult r : results) {
                if (r.checks().isEmpty() || r.verdict() != Verdict.FAIL && !all) {
                    t.row(r.id(), "-", r.verdict() == Verdict.PASS ? r.checks().size() + " fields" : "-", "-",
                            r.verdict().label() + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
                    if (!all) {
                        continue;
                    }
                }
                for (CaseResult.Check c : r.checks()) {
                    if (all || c.verdict() == Verdict.FAIL) {
                        t.row(r.id(), c.field(), c.expected(), c.got(), c.verdict().label());
                    }
                }
            }
            t.print(out, "");
            out.println(summary(results));
        }
        out.flush();
        return results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL) ? Main.SOFTWARE : Main.OK;
    }

    /** Runs the cases in order, each in a fresh machine with the built-in policies. */
    static List<CaseResult> run(List<Path> files) throws IOException {
        return run(files, Map.of());
    }

    /** As above, with configuration keys set after the runner's own. */
    static List<CaseResult> run(List<Path> files, Map<String, String> overrides) throws IOException {
        ConformanceRunner runner = new ConformanceRunner(PolicyRegistry.builtIn(), overrides);
        List<CaseResult> results = new ArrayList<>();
        for (Path f : files) {
            results.add(runner.run(f));
        }
        return results;
    }

    /** {@code N pass, N fail, N unsupported, N skipped}. */
    static String summary(List<CaseResult> results) {
        Map<Verdict, Integer> n = new EnumMap<>(Verdict.class);
        for (CaseResult r : results) {
            n.merge(r.verdict(), 1, Integer::sum);
        }
        return n.getOrDefault(Verdict.PASS, 0) + " pass, " + n.getOrDefault(Verdict.FAIL, 0) + " fail, "
                + n.getOrDefault(Verdict.UNSUPPORTED, 0) + " unsupported, " + n.getOrDefault(Verdict.SKIPPED, 0) + " skipped";
    }

    /** The case files of {@code dir}, sorted, or those named. */
    static List<Path> files(Path dir, List<String> names) throws IOException {
        if (!names.isEmpty()) {
            List<Path> out = new ArrayList<>();
            for (String n : names) {
                Path p = dir.resolve(n.endsWith(".json") ? n : n + ".json");
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("no case '" + n + "' in " + dir);
                }
                out.add(p);
            }
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    /** conformance/expected in the working directory or one above it, else beside the jar's repository. */
    static Path defaultDir() {
        Path rel = Path.of("conformance", "expected");
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(rel))) {
                return p.resolve(rel);
            }
        }
        try {
            Path jar = Path.of(ConformanceCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve(rel))) {
                    return p.resolve(rel);
                }
            }
        } catch (Exception e) {
            // no code source: fall through
        }
        throw new IllegalArgumentException("cannot find conformance/expected from the working directory or the vmsim jar; "
                + "give --dir DIR");
    }

    private static List<Object> toTree(List<CaseResult> results) {
        List<Object> out = new ArrayList<>();
        for (CaseResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("case", r.id());
            c.put("verdict", r.verdict().label());
            c.put("reason", r.reason());
            List<Object> fields = new ArrayList<>();
            for (CaseResult.Check k : r.checks()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("field", k.field());
                f.put("expected", k.expected());
                f.put("got", k.got());
                f.put("verdict", k.verdict().label());
                fields.add(f);
            }
            c.put("fields", fields);
            out.add(c);
        }
        return out;
    }
}
