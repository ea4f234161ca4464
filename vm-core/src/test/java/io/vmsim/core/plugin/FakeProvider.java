package io.vmsim.core.plugin;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** A provider that declares keys but creates nothing, for catalog and config tests. */
public record FakeProvider(String name, PolicyKind kind, List<ConfigKey> configKeys) implements PolicyProvider {

    @Override
    public String description() {
        return "Fake " + name + ".";
    }

    @Override
    public Policy create(PolicyContext context) {
        throw new UnsupportedOperationException();
    }

    /** The built-in names, with THP linux's khugepaged key, as a registry with built-in origins. */
    public static PolicyRegistry builtInLike() {
        return PolicyRegistry.of(List.of(
                reg("lru", PolicyKind.RECLAIM, "policies-lru"),
                reg("linux-2list", PolicyKind.RECLAIM, "policies-lru"),
                reg("fifo", PolicyKind.RECLAIM, "policies-lru"),
                new PolicyRegistry.Registration(new FakeProvider("linux", PolicyKind.THP, List.of(
                        ConfigKey.integer("max_ptes_none", 511, 0, 511, "Empty PTEs khugepaged tolerates."),
                        ConfigKey.bool("defer_collapse", false, "A boolean to test booleans."))),
                        "built-in (policies-thp)"),
                reg("never", PolicyKind.THP, "policies-thp"),
                reg("first-touch", PolicyKind.NUMA, "policies-numa"),
                reg("none", PolicyKind.KSM, "policies-ksm"),
                reg("last-fault-first", PolicyKind.MIGRATION, "policies-migration"),
                reg("linear", PolicyKind.MIGRATION, "policies-migration")));
    }

    private static PolicyRegistry.Registration reg(String name, PolicyKind kind, String module) {
        return new PolicyRegistry.Registration(new FakeProvider(name, kind, List.of()), "built-in (" + module + ")");
    }
}
