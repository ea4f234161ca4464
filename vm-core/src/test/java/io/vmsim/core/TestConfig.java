package io.vmsim.core;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** A CoreConfig for engine tests: the declared defaults of {@link CoreKeys} plus overrides. */
final class TestConfig implements CoreConfig {
    private final Map<String, String> values = new HashMap<>();

    TestConfig(Map<String, String> overrides) {
        for (ConfigKey k : CoreKeys.ALL) {
            values.put(k.name(), k.defaultValue());
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!values.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown key " + e.getKey());
            }
            values.put(e.getKey(), e.getValue());
        }
    }

    static TestConfig of(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new TestConfig(m);
    }

    @Override
    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(get(key));
    }

    @Override
    public long getLong(String key) {
        String v = get(key).trim().toUpperCase();
        long mul = 1;
        char last = v.charAt(v.length() - 1);
        if (last == 'K' || last == 'M' || last == 'G' || last == 'T') {
            mul = 1L << (10 * ("KMGT".indexOf(last) + 1));
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * mul;
    }

    @Override
    public double getDouble(String key) {
        return Double.parseDouble(get(key));
    }

    @Override
    public String getString(String key) {
        return get(key);
    }

    @Override
    public Settings policySettings(PolicyKind kind, String policyName) {
        return new Settings() {
            @Override
            public Set<String> keys() {
                return Set.of();
            }

            @Override
            public boolean getBoolean(String key) {
                throw new IllegalArgumentException(key);
            }

            @Override
            public long getLong(String key) {
                throw new IllegalArgumentException(key);
            }

            @Override
            public double getDouble(String key) {
                throw new IllegalArgumentException(key);
            }

            @Override
            public String getString(String key) {
                throw new IllegalArgumentException(key);
            }
        };
    }

    private String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("undeclared key " + key);
        }
        return v;
    }
}
