package io.vmsim.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** The top-level {@code vmsim} command: only subcommands do anything. */
@Command(name = "vmsim", mixinStandardHelpOptions = true, version = "vmsim 0.1.0",
        description = "Simulates the Linux virtual-memory subsystem with pluggable policies.",
        subcommands = {RunCommand.class, TraceCommand.class, PoliciesCommand.class, ScenariosCommand.class, ConfigCommand.class, MrcCommand.class, SweepCommand.class, ConformanceCommand.class})
final class VmsimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }
}
