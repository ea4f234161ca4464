package io.vmsim.core.scenario;

import io.vmsim.core.error.ClosestName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in scenarios, YAML resources {@code scenarios/NAME.yaml} listed in
 * {@code scenarios/index.txt} (one name a line, {@code #} comments), and user scenario files.
 */
public final class ScenarioCatalog {
    /** The scenario {@code vmsim run} uses when given no workload. */
    public static final String DEFAULT = "largepages3";

    private static final String DIR = "/scenarios/";

    private ScenarioCatalog() {
    }

    /** The names of the built-in scenarios, in index order. */
    public static List<String> names() {
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream(DIR + "index.txt")) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DIR + "index.txt");
            }
            List<String> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                l = l.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every built-in scenario, parsed, in index order (for {@code vmsim scenarios}: name and description). */
    public static List<Scenario> all() throws ScenarioException {
        List<Scenario> out = new ArrayList<>();
        for (String n : names()) {
            out.add(builtin(n));
        }
        return out;
    }

    /**
     * A built-in scenario by name; its source is {@code builtin:NAME}.
     *
     * @throws ScenarioException for an unknown name (listing the built-ins and suggesting the
     *                           closest) or a broken resource
     */
    public static Scenario builtin(String name) throws ScenarioException {
        List<String> names = names();
        if (!names.contains(name)) {
            String near = ClosestName.among(name, names).orElse(null);
            throw new ScenarioException(null, 0, "unknown scenario '" + name + "'; built-in scenarios are "
                    + String.join(", ", names) + (near == null ? "" : " (did you mean '" + near + "'?)"));
        }
        String file = "scenarios/" + name + ".yaml";
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream("/" + file)) {
            if (in == null) {
                throw new ScenarioException(file, 0, "listed in scenarios/index.txt but missing");
            }
            Scenario s = ScenarioParser.parse(new InputStreamReader(in, StandardCharsets.UTF_8), file, "builtin:" + name);
            if (!s.name().equals(name)) {
                throw new ScenarioException(file, 0, "its name is '" + s.name() + "', expected '" + name + "'");
            }
            return s;
        } catch (IOException e) {
            throw new ScenarioException(file, 0, "cannot read: " + e.getMessage(), e);
        }
    }

    /** A user's scenario file. */
    public static Scenario load(Path file) throws ScenarioException {
        return ScenarioParser.parse(file);
    }

    /**
     * What {@code --scenario X} means: the file {@code X} if it exists or looks like a path
     * (contains a separator or ends in {@code .yaml}/{@code .yml}), else the built-in {@code X}.
     */
    public static Scenario resolve(String nameOrPath) throws ScenarioException {
        Path p = Path.of(nameOrPath);
        if (Files.exists(p) || nameOrPath.contains("/") || nameOrPath.contains(java.io.File.separator)
                || nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml")) {
            return load(p);
        }
        return builtin(nameOrPath);
    }
}
