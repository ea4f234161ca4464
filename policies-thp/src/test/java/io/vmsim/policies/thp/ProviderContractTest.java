package io.vmsim.policies.thp;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
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

    /** A context whose settings are the provider's declared defaults. */
    private static PolicyContext defaults(PolicyProvider p) {
        Map<String, String> values = new HashMap<>();
        for (ConfigKey k : p.configKeys()) {
            values.put(k.name(), k.defaultValue());
        }
        Settings s = new Settings() {
            @Override
            public Set<String> keys() {
                return values.keySet();
            }

            @Override
            public boolean getBoolean(String key) {
                return Boolean.parseBoolean(get(key));
            }

            @Override
            public long getLong(String key) {
                return Long.parseLong(get(key));
            }

            @Override
            public double getDouble(String key) {
                return Double.parseDouble(get(key));
            }

            @Override
            public String getString(String key) {
                return get(key);
            }

            private String get(String key) {
                String v = values.get(key);
                if (v == null) {
                    throw new IllegalArgumentException("undeclared key " + key);
                }
                return v;
            }
        };
        return new PolicyContext() {
            @Override
            public Settings settings() {
                return s;
            }

            @Override
            public MachineView machine() {
                throw new UnsupportedOperationException("THP policies need no machine view to be created");
            }

            @Override
            public RandomGenerator random() {
                return RandomGenerator.of("L64X128MixRandom");
            }

            @Override
            public io.vmsim.api.machine.PageLists pageLists() {
                return io.vmsim.api.machine.IntrusivePageLists.standalone(16);
            }

            @Override
            public int node() {
                return -1;
            }
        };
    }

    @Test
    void serviceLoader_findsLinuxNeverAndCoverage() {
        assertThat(providers().keySet()).containsExactlyInAnyOrder("linux", "never", "coverage");
    }

    @Test
    void everyProvider_honoursTheContract() {
        for (PolicyProvider p : providers().values()) {
            assertThat(p.name()).matches("[a-z0-9][a-z0-9+-]*");
            assertThat(p.kind()).isEqualTo(PolicyKind.THP);
            assertThat(p.description()).isNotBlank().endsWith(".");
            for (ConfigKey k : p.configKeys()) {
                assertThat(k.name()).matches("[a-z0-9_.]+");
                assertThat(k.doc()).isNotBlank();
            }
            assertThat(p.create(defaults(p))).isInstanceOf(p.kind().policyType());
        }
    }

    @Test
    void linux_declaresKhugepagedLimitsWithKernelDefaults() {
        Map<String, String> dflt = new TreeMap<>();
        providers().get("linux").configKeys().forEach(k -> dflt.put(k.name(), k.defaultValue()));
        assertThat(dflt).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "max_ptes_none", "511", "max_ptes_shared", "256", "max_ptes_swap", "64")));
    }
}
