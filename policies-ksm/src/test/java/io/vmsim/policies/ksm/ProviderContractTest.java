package io.vmsim.policies.ksm;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

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

    /** A context whose settings give each declared key's default; any other use fails the test. */
    private static PolicyContext context(PolicyProvider p) {
        Settings settings = (Settings) Proxy.newProxyInstance(Settings.class.getClassLoader(), new Class<?>[] {Settings.class},
                (proxy, m, a) -> {
                    String key = (String) a[0];
                    String def = p.configKeys().stream().filter(k -> k.name().equals(key)).findFirst().orElseThrow().defaultValue();
                    return switch (m.getName()) {
                        case "getInt" -> Integer.parseInt(def);
                        case "getLong" -> Long.parseLong(def);
                        default -> throw new UnsupportedOperationException("settings." + m.getName());
                    };
                });
        return new PolicyContext() {
            @Override
            public Settings settings() {
                return settings;
            }

            @Override
            public MachineView machine() {
                throw new UnsupportedOperationException("context.machine");
            }

            @Override
            public PageLists pageLists() {
                throw new UnsupportedOperationException("context.pageLists");
            }

            @Override
            public RandomGenerator random() {
                throw new UnsupportedOperationException("context.random");
            }

            @Override
            public int node() {
                return -1;
            }
        };
    }

    @Test
    void serviceLoader_findsTheModulesProviders() {
        assertThat(providers().keySet()).containsExactly("hash-hint", "linux", "none");
    }

    @Test
    void everyProvider_honoursTheContract() {
        for (PolicyProvider p : providers().values()) {
            assertThat(p.name()).matches("[a-z0-9][a-z0-9+-]*");
            assertThat(p.kind()).isEqualTo(PolicyKind.KSM);
            assertThat(p.description()).isNotBlank().endsWith(".");
            assertThat(p.create(context(p))).isInstanceOf(p.kind().policyType());
        }
    }

    @Test
    void none_neverRunsKsmd() {
        NoDedupPolicy p = new NoDedupPolicy();
        assertThat(p.enabled()).isFalse();
        assertThat(p.shouldMerge(1, 2, 0)).isFalse();
    }

    @Test
    void linux_takesTheSysfsPace_andEveryPageAndMerge() {
        DedupPolicy p = new LinuxKsmPolicy();
        assertThat(p.enabled()).isTrue();
        assertThat(p.pagesToScan(100)).isEqualTo(100);
        assertThat(p.sleepMillis(20)).isEqualTo(20);
        assertThat(p.shouldScan(5, 0x1234, 200)).isTrue();
        assertThat(p.shouldMerge(1, 2, 255)).isTrue();
    }

    @Test
    void hashHint_skipsPagesWhoseChecksumWasUniqueInThePreviousScan_exceptEveryRevisitScans() {
        HashHintKsmPolicy p = new HashHintKsmPolicy(4);
        // scans 0 and 1: everything is compared (two sightings are needed to merge at all)
        assertThat(p.shouldScan(1, 7, 0)).isTrue();
        assertThat(p.shouldScan(2, 9, 0)).isTrue();
        assertThat(p.shouldScan(3, 9, 0)).isTrue();
        p.fullScanDone(1);
        p.shouldScan(1, 7, 0);
        p.shouldScan(2, 9, 0);
        p.shouldScan(3, 9, 0);
        p.fullScanDone(2);
        // scan 2: checksum 7 was seen once in scan 1, checksum 9 twice
        assertThat(p.shouldScan(1, 7, 0)).isFalse();
        assertThat(p.shouldScan(2, 9, 0)).isTrue();
        // a second page with checksum 7 in this scan makes it a duplicate again
        assertThat(p.shouldScan(4, 7, 0)).isTrue();
        p.fullScanDone(3);
        p.fullScanDone(4);
        // scan 4 = revisit: everything
        assertThat(p.shouldScan(1, 12345, 0)).isTrue();
        p.verifyInvariants();
    }
}
