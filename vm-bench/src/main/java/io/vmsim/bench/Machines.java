package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.plugin.PolicyRegistry;

/** Builds machines for benchmarks with the built-in policies and a few settings. */
final class Machines {
    private Machines() {
    }

    static Machine create(String... keyValues) {
        ConfigLoader loader = new ConfigLoader(PolicyRegistry.builtIn());
        for (int i = 0; i < keyValues.length; i += 2) {
            loader.set(keyValues[i], keyValues[i + 1]);
        }
        return Machine.create(loader.load(), PolicyRegistry.builtIn());
    }
}
