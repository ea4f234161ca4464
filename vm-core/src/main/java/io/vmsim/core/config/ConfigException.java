package io.vmsim.core.config;

import io.vmsim.core.error.UserError;

import java.util.List;

/**
 * Invalid configuration: every problem found, one sentence each, gathered so that the user can
 * fix them all at once (as Kafka's {@code ConfigDef} and Airlift's config report them).
 */
public final class ConfigException extends RuntimeException implements UserError {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems, one sentence each, in the order they were found. */
    public List<String> problems() {
        return problems;
    }
}
