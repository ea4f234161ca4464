package io.vmsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** The top-level {@code vmsim} command: only subcommands do anything. */
@Command(name = "vmsim", mixinStandardHelpOptions = true, version = "vmsim 0.1.0",
        description = "Simulates the Linux virtual-memory subsystem with pluggable policies.")
final class VmsimCommand implements Callable<Integer> {
    /**
     * The subcommands, in the order {@code vmsim --help} lists them. They are added by
     * {@link #commandLine(String)}, not by the annotation, so that a command line naming one
     * builds only that one's model (picocli reads every option of every subcommand by
     * reflection as it builds them: about 0.1 s of the start of every run).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, TraceCommand.class, PoliciesCommand.class,
            ScenariosCommand.class, ConfigCommand.class, MrcCommand.class, SweepCommand.class, ConformanceCommand.class);

    /**
     * The {@code vmsim} command line: with only the subcommand {@code first} names when it names
     * one exactly, else with all of them (the top-level help, and picocli's suggestions for a
     * misspelt name, need them all).
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new VmsimCommand());
        Class<?> only = null;
        for (Class<?> c : SUBCOMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (a.name().equals(first) || java.util.Arrays.asList(a.aliases()).contains(first)) {
                only = c;
            }
        }
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }
}
