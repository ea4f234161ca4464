package io.vmsim.cli;

import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code vmsim scenarios}: the built-in scenarios and what each reproduces. */
@Command(name = "scenarios", mixinStandardHelpOptions = true, description = "Lists the built-in scenarios.")
final class ScenariosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        Table t = new Table().row("NAME", "DESCRIPTION");
        for (Scenario s : ScenarioCatalog.all()) {
            t.row(s.name(), ErrorReporter.oneLine(s.description()));
        }
        t.print(spec.commandLine().getOut(), "");
        return Main.OK;
    }
}
