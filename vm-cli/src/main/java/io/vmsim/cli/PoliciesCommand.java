package io.vmsim.cli;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vmsim policies}: every policy found, its kind, origin, description and keys; a plugin
 * that could not be loaded is listed too, marked {@value #BROKEN} with the reason.
 */
@Command(name = "policies", mixinStandardHelpOptions = true,
        description = "Lists every policy found (built-in and plugins) with its kind, origin, keys and defaults.")
final class PoliciesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars (default: ./plugins if present).")
    Path plugins;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // the plugins that could not be loaded are listed with the others, marked, not warned about
        try (PolicyRegistry catalog = Inputs.catalog(plugins, List.of(), spec.commandLine().getErr(), false)) {
            if (json) {
                out.print(JsonWriter.render(tree(catalog)));
                return Main.OK;
            }
            Table t = new Table().row("KIND", "NAME", "ORIGIN", "VERSION", "DESCRIPTION");
            for (PolicyProvider p : catalog.all()) {
                t.row(p.kind().configName(), p.name(), catalog.origin(p), p.version(), p.description());
            }
            for (PolicyRegistry.Problem q : catalog.problems()) {
                t.row(q.kind() == null ? "?" : q.kind().configName(), q.name() == null ? "?" : q.name(), q.origin(),
                        BROKEN, q.reason());
            }
            t.print(out, "");
            Table keys = new Table();
            for (PolicyProvider p : catalog.all()) {
                for (ConfigKey k : p.configKeys()) {
                    keys.row("policy." + p.kind().configName() + "." + p.name() + "." + k.name(),
                            k.defaultValue(), k.rule(), k.doc());
                }
            }
            out.println();
            out.println("Policy keys (KEY  DEFAULT  RULE  DOC), set with --set KEY=VALUE:");
            keys.print(out, "  ");
        }
        return Main.OK;
    }

    /** What the VERSION column says of a plugin or provider that could not be loaded. */
    static final String BROKEN = "NOT LOADED";

    /** Each policy, then each plugin or provider that could not be loaded, with its {@code error}. */
    private static List<Object> tree(PolicyRegistry catalog) {
        List<Object> list = new ArrayList<>();
        for (PolicyProvider p : catalog.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", p.kind().configName());
            m.put("name", p.name());
            m.put("origin", catalog.origin(p));
            m.put("version", p.version());
            m.put("description", p.description());
            List<Object> keys = new ArrayList<>();
            for (ConfigKey k : p.configKeys()) {
                Map<String, Object> km = new LinkedHashMap<>();
                km.put("key", "policy." + p.kind().configName() + "." + p.name() + "." + k.name());
                km.put("type", k.type().name().toLowerCase(java.util.Locale.ROOT));
                km.put("default", k.defaultValue());
                km.put("rule", k.rule());
                km.put("doc", k.doc());
                keys.add(km);
            }
            m.put("keys", keys);
            list.add(m);
        }
        for (PolicyRegistry.Problem q : catalog.problems()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", q.kind() == null ? null : q.kind().configName());
            m.put("name", q.name());
            m.put("origin", q.origin());
            m.put("error", q.reason());
            list.add(m);
        }
        return list;
    }
}
