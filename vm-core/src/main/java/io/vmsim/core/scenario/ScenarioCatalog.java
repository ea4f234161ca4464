package io.vmsim.core.scenario;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * STUB for the cli worktree only, so that vm-cli compiles: the scenario engineer's real
 * catalog (built-in YAML scenarios and user files) replaces this at merge. It knows one empty
 * scenario, {@code largepages3}, and reads no files.
 */
public final class ScenarioCatalog {
    /** The scenario {@code vmsim run} uses when given no workload. */
    public static final String DEFAULT = "largepages3";

    private ScenarioCatalog() {
    }

    public static List<String> names() {
        return List.of(DEFAULT);
    }

    public static List<Scenario> all() throws ScenarioException {
        return List.of(builtin(DEFAULT));
    }

    public static Scenario builtin(String name) throws ScenarioException {
        if (!DEFAULT.equals(name)) {
            throw new ScenarioException(null, 0, "unknown scenario '" + name + "'; built-in: " + String.join(", ", names()));
        }
        return new Scenario(DEFAULT, "Stub of the THP commit's benchmark.", "builtin:" + DEFAULT, Map.of(), List.of(), List.of());
    }

    public static Scenario load(Path file) throws ScenarioException {
        throw new ScenarioException(file.toString(), 0, "scenario files are not supported by this stub");
    }

    public static Scenario resolve(String nameOrPath) throws ScenarioException {
        String n = nameOrPath;
        boolean path = n.contains("/") || n.endsWith(".yaml") || n.endsWith(".yml") || java.nio.file.Files.exists(Path.of(n));
        return path ? load(Path.of(n)) : builtin(n);
    }
}
