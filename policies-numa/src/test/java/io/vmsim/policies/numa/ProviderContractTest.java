package io.vmsim.policies.numa;

import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Loads this module's providers the way the simulator does, through ServiceLoader. */
final class ProviderContractTest {

    private static Map<String, PolicyProvider> providers() {
        Map<String, PolicyProvider> byName = new TreeMap<>();
        for (PolicyProvider p : ServiceLoader.load(PolicyProvider.class)) {
            assertThat(byName.put(p.name(), p)).as("duplicate provider %s", p.name()).isNull();
        }
        return byName;
    }

    /**
     * These policies read nothing from their context but the topology's sizes and tiers (two nodes
     * of 1024 frames, node 1 memory-only in tier 1) and their declared keys at their defaults;
     * any other use fails the test.
     */
    private static PolicyContext unusedContext(PolicyProvider provider) {
        Topology topology = (Topology) Proxy.newProxyInstance(Topology.class.getClassLoader(),
                new Class<?>[] {Topology.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "nrNodes":
                            return 2;
                        case "nodeFrames":
                            return 1024;
                        case "hasCpus":
                            return (int) a[0] == 0;
                        case "memoryTier":
                            return (int) a[0];
                        default:
                            throw new UnsupportedOperationException("topology." + m.getName());
                    }
                });
        io.vmsim.api.config.Settings settings = (io.vmsim.api.config.Settings) Proxy.newProxyInstance(
                io.vmsim.api.config.Settings.class.getClassLoader(), new Class<?>[] {io.vmsim.api.config.Settings.class},
                (p, m, a) -> {
                    if (m.getName().equals("getLong")) {
                        for (io.vmsim.api.config.ConfigKey k : provider.configKeys()) {
                            if (k.name().equals(a[0])) {
                                return Long.parseLong(k.defaultValue());
                            }
                        }
                    }
                    throw new UnsupportedOperationException("settings." + m.getName() + " " + java.util.Arrays.toString(a));
                });
        MachineView machine = (MachineView) Proxy.newProxyInstance(MachineView.class.getClassLoader(),
                new Class<?>[] {MachineView.class}, (p, m, a) -> {
                    if (m.getName().equals("topology")) {
                        return topology;
                    }
                    throw new UnsupportedOperationException("machine." + m.getName());
                });
        return (PolicyContext) Proxy.newProxyInstance(PolicyContext.class.getClassLoader(),
                new Class<?>[] {PolicyContext.class}, (p, m, a) -> {
                    if (m.getName().equals("machine")) {
                        return machine;
                    }
                    if (m.getName().equals("settings")) {
                        return settings;
                    }
                    throw new UnsupportedOperationException("context." + m.getName());
                });
    }

    @Test
    void serviceLoader_findsTheModulesProviders() {
        assertThat(providers().keySet()).containsExactly("first-touch", "interleave", "linux", "memtis", "tpp");
    }

    @Test
    void everyProvider_honoursTheContract() {
        for (PolicyProvider p : providers().values()) {
            assertThat(p.name()).matches("[a-z0-9][a-z0-9+-]*");
            assertThat(p.kind()).isEqualTo(PolicyKind.NUMA);
            assertThat(p.description()).isNotBlank().endsWith(".");
            assertThat(p.configKeys()).hasSize(p.name().equals("tpp") || p.name().equals("memtis") ? 1 : 0);
            PolicyContext context = p.name().equals("interleave") ? InterleavePolicyTest.context(2, 100, 100) : unusedContext(p);
            assertThat(p.create(context)).isInstanceOf(p.kind().policyType());
        }
    }

    @Test
    void firstTouch_allocatesOnTheFaultingCpusNode() {
        FirstTouchPolicy p = new FirstTouchPolicy();
        assertThat(p.allocationNode(null, null, 0x1000, 3)).isEqualTo(3);
        assertThat(p.wantsHintingFaults()).isFalse();
        assertThat(p.hintingFault(null, 7, 0, 1)).isEqualTo(-1);
    }
}
