package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
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

    @Test
    void serviceLoader_findsEveryBuiltInReclaimPolicy() {
        assertThat(providers().keySet()).containsExactly("arc", "clock", "clock-pro", "fifo", "linux-2list", "lirs", "lru", "mglru", "opt", "s3fifo");
    }

    @Test
    void everyProvider_honoursTheContract() {
        for (PolicyProvider p : providers().values()) {
            assertThat(p.name()).matches("[a-z0-9][a-z0-9+-]*");
            assertThat(p.kind()).isEqualTo(PolicyKind.RECLAIM);
            assertThat(p.description()).isNotBlank().endsWith(".");
            List<ConfigKey> keys = p.configKeys();
            assertThat(keys).isNotNull();
            assertThat(keys).extracting(ConfigKey::name).doesNotHaveDuplicates()
                    .allMatch(n -> n.matches("[a-z][a-z0-9_.]*"));
            assertThat(p.create(TestContexts.withFrames(16, keys))).isInstanceOf(p.kind().policyType());
        }
    }
}
