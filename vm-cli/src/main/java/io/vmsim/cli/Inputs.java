package io.vmsim.cli;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.core.Simulation;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.scenario.ScenarioException;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What several commands read the same way: the policy catalog, a scenario, the configuration. */
final class Inputs {
    private Inputs() {
    }

    /**
     * The built-in policies and the plugin jars of {@code --plugins DIR}, else of
     * {@code --set vmsim.plugins.dir=DIR}, else of the default folder if it exists. (The
     * catalog must exist before the config file is validated, so the file cannot choose it.)
     */
    static PolicyRegistry catalog(Path plugins, List<String> sets) {
        if (plugins != null) {
            if (!Files.isDirectory(plugins)) {
                throw new IllegalArgumentException("plugin folder '" + plugins + "' does not exist");
            }
            return PolicyRegistry.load(plugins);
        }
        String dir = defaultOf(CoreKeys.PLUGINS_DIR);
        for (String s : sets) {
            if (s.startsWith(CoreKeys.PLUGINS_DIR + "=")) {
                dir = s.substring(CoreKeys.PLUGINS_DIR.length() + 1).trim();
            }
        }
        return PolicyRegistry.load(Path.of(dir));
    }

    /**
     * As above, and prints one {@code vmsim: warning:} line on {@code err} for each
     * file of the plugin folder that is neither a jar nor a plugin folder, and, if
     * {@code withProblems}, for each plugin or provider that could not be loaded.
     */
    static PolicyRegistry catalog(Path plugins, List<String> sets, PrintWriter err, boolean withProblems) {
        PolicyRegistry r = catalog(plugins, sets);
        List<String> warnings = r.warnings();
        // warnings() lists the ignored files first, then the problems
        for (String w : withProblems ? warnings : warnings.subList(0, r.ignored().size())) {
            err.println("vmsim: warning: " + w);
        }
        err.flush();
        return r;
    }

    private static String defaultOf(String key) {
        for (ConfigKey k : CoreKeys.ALL) {
            if (k.name().equals(key)) {
                return k.defaultValue();
            }
        }
        throw new IllegalStateException("no core key " + key);
    }

    /**
     * Checks before a run that {@code --json FILE} can be written: an existing file must be a
     * writable regular file, a new one needs an existing, writable folder. {@code -} and null
     * (stdout, no JSON) pass.
     *
     * @throws IllegalArgumentException naming the path and what is wrong
     */
    static void checkWritable(String json) {
        checkWritable("--json", json);
    }

    /** The file an output option names can be written (its folder exists and is writable); {@code -} is stdout. */
    static void checkWritable(String option, String json) {
        if (json == null || json.equals("-")) {
            return;
        }
        Path p = Path.of(json).toAbsolutePath();
        String head = option + " '" + json + "': ";
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException(head + "is a folder; name a file in it");
        }
        if (Files.exists(p)) {
            if (!Files.isWritable(p)) {
                throw new IllegalArgumentException(head + "the file is not writable");
            }
            return;
        }
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException(head + "folder '" + parent + "' does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new IllegalArgumentException(head + "folder '" + parent + "' is not writable");
        }
    }

    /** {@code --scenario X}: a scenario file if X looks like a path, else a built-in. */
    static Scenario scenario(String nameOrPath) throws ScenarioException {
        return ScenarioCatalog.resolve(nameOrPath);
    }

    /** The layered configuration: declared defaults < scenario < file < --set (and --plugins). */
    static EffectiveConfig config(PolicyRegistry catalog, Scenario scenario, Path file, List<String> sets, Path plugins) {
        return config(catalog, scenario, false, file, sets, plugins);
    }

    /** As above; a trace replay layers {@link Simulation#TRACE_DEFAULTS} where a scenario's defaults go. */
    static EffectiveConfig config(PolicyRegistry catalog, Scenario scenario, boolean traceRun, Path file, List<String> sets,
                                  Path plugins) {
        ConfigLoader loader = new ConfigLoader(catalog);
        if (scenario != null) {
            loader.scenarioDefaults(scenario.name(), scenario.config());
        } else if (traceRun) {
            loader.scenarioDefaults("trace replay", Simulation.TRACE_DEFAULTS);
        }
        List<String> all = new ArrayList<>(sets);
        if (plugins != null) {
            all.add(CoreKeys.PLUGINS_DIR + "=" + plugins);
        }
        return loader.file(file).assignments(all).load();
    }
}
