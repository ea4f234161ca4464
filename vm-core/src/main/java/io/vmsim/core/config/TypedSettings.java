package io.vmsim.core.config;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.ConfigType;
import io.vmsim.api.config.Settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, typed view of validated values, keyed by the names their declarations use.
 * Asking for an undeclared key or with the wrong type is a programming error.
 */
final class TypedSettings implements Settings {
    private final Map<String, ConfigKey> declared;
    private final Map<String, Object> values;

    /** Both maps are keyed by the same names; every value has passed {@link ValueRules}. */
    TypedSettings(Map<String, ConfigKey> declared, Map<String, Object> values) {
        this.declared = Collections.unmodifiableMap(new LinkedHashMap<>(declared));
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        if (!this.declared.keySet().equals(this.values.keySet())) {
            throw new IllegalArgumentException("declared keys " + declared.keySet() + " but values for " + values.keySet());
        }
    }

    @Override
    public Set<String> keys() {
        return declared.keySet();
    }

    @Override
    public boolean getBoolean(String key) {
        return (Boolean) typed(key, ConfigType.BOOLEAN, ConfigType.BOOLEAN);
    }

    @Override
    public long getLong(String key) {
        return (Long) typed(key, ConfigType.LONG, ConfigType.SIZE);
    }

    @Override
    public double getDouble(String key) {
        return (Double) typed(key, ConfigType.DOUBLE, ConfigType.DOUBLE);
    }

    @Override
    public String getString(String key) {
        return (String) typed(key, ConfigType.STRING, ConfigType.ENUM);
    }

    private Object typed(String key, ConfigType a, ConfigType b) {
        ConfigKey k = declared.get(key);
        if (k == null) {
            throw new IllegalArgumentException("key '" + key + "' is not declared; declared keys: " + declared.keySet());
        }
        if (k.type() != a && k.type() != b) {
            throw new IllegalArgumentException("key '" + key + "' is " + k.type() + ", not " + a
                    + (a == b ? "" : " or " + b));
        }
        return values.get(key);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
