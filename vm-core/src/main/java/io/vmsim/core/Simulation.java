package io.vmsim.core;

import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;

import java.io.IOException;
import java.nio.file.Path;

/**
 * STUB for the cli worktree only: the lead's engine replaces this class at merge. The
 * signatures are the agreed entry points; the bodies only say the engine is missing.
 */
public final class Simulation {
    private Simulation() {
    }

    public static RunResult runScenario(CoreConfig config, PolicyCatalog catalog, io.vmsim.core.scenario.Scenario scenario,
                                        Progress progress) throws IOException {
        throw new UnsupportedOperationException("the simulation engine is not part of this build yet");
    }

    public static RunResult runTrace(CoreConfig config, PolicyCatalog catalog, Path trace, Progress progress)
            throws IOException {
        throw new UnsupportedOperationException("the simulation engine is not part of this build yet");
    }
}
