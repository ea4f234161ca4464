package io.vmsim.cli;

import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmsim config}: inspecting configuration. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Inspects the configuration.",
        subcommands = ConfigCommand.Show.class)
final class ConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** {@code vmsim config show}: every effective key, its value and where the value came from. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Shows every effective key, its value, its source (default, scenario, file or command line) and its rule.",
                    "Without --scenario, the default scenario's settings are included, as a plain 'vmsim run' uses them."})
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (.yaml, .yml or .properties).")
        Path config;

        @Option(names = "--scenario", paramLabel = "NAME",
                description = "Include this scenario's settings (default: " + ScenarioCatalog.DEFAULT + ", as 'vmsim run').")
        String scenario;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides one configuration key; repeatable.")
        List<String> sets = new ArrayList<>();

        @Option(names = "--plugins", paramLabel = "DIR", description = "Folder of plugin jars.")
        Path plugins;

        @Option(names = "--debug", description = "Print stack traces of errors.")
        boolean debug;

        @Override
        public Integer call() throws Exception {
            try (PolicyRegistry catalog = Inputs.catalog(plugins, sets)) {
                // what a plain `vmsim run` uses: the default scenario's settings are part of it
                Scenario sc = Inputs.scenario(scenario == null ? ScenarioCatalog.DEFAULT : scenario);
                EffectiveConfig cfg = Inputs.config(catalog, sc, config, sets, plugins);
                Table t = new Table().row("KEY", "VALUE", "SOURCE", "RULE");
                for (EffectiveConfig.Source s : cfg.sources()) {
                    t.row(s.key(), s.value(), s.origin(), KeyRules.describe(s.key(), cfg.declaration(s.key())));
                }
                t.print(spec.commandLine().getOut(), "");
            }
            return Main.OK;
        }
    }
}
