package io.vmsim.core.config;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.plugin.PolicyCatalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated configuration of one run, built by {@link ConfigLoader}. Immutable. Keys are
 * ordered as {@code vmsim config show} prints them: the core's keys in {@link CoreKeys#ALL}
 * order, then the selected policies' keys, then settings of policies that are not selected.
 */
public final class EffectiveConfig implements CoreConfig {

    /**
     * One effective key for {@code vmsim config show}.
     *
     * @param key    the full key
     * @param value  its value as written
     * @param origin where it came from: {@code default}, {@code scenario NAME}, a file path or {@code command line}
     * @param doc    the declaration's documentation
     */
    public record Source(String key, String value, String origin, String doc) {
    }

    private final TypedSettings all;
    private final Map<String, ConfigKey> declared;
    private final Map<String, String> text;
    private final Map<String, String> origin;
    private final Map<PolicyKind, PolicyProvider> selected;
    private final PolicyCatalog catalog;

    EffectiveConfig(Map<String, ConfigKey> declared, Map<String, Object> typed, Map<String, String> text,
                    Map<String, String> origin, Map<PolicyKind, PolicyProvider> selected, PolicyCatalog catalog) {
        this.declared = Collections.unmodifiableMap(new LinkedHashMap<>(declared));
        Map<String, Object> ordered = new LinkedHashMap<>();
        Map<String, String> orderedText = new LinkedHashMap<>();
        Map<String, String> orderedOrigin = new LinkedHashMap<>();
        for (String k : declared.keySet()) {
            ordered.put(k, typed.get(k));
            orderedText.put(k, text.get(k));
            orderedOrigin.put(k, origin.get(k));
        }
        this.all = new TypedSettings(declared, ordered);
        this.text = Collections.unmodifiableMap(orderedText);
        this.origin = Collections.unmodifiableMap(orderedOrigin);
        this.selected = Collections.unmodifiableMap(new LinkedHashMap<>(selected));
        this.catalog = catalog;
    }

    /** Only the declared defaults (and the default policies), for commands that need no input. */
    public static EffectiveConfig defaults(PolicyCatalog catalog) {
        return new ConfigLoader(catalog).load();
    }

    @Override
    public boolean getBoolean(String key) {
        return all.getBoolean(key);
    }

    @Override
    public long getLong(String key) {
        return all.getLong(key);
    }

    @Override
    public double getDouble(String key) {
        return all.getDouble(key);
    }

    @Override
    public String getString(String key) {
        return all.getString(key);
    }

    /** The provider selected for a kind ({@code policy.<kind>}). */
    public PolicyProvider selectedPolicy(PolicyKind kind) {
        return selected.get(kind);
    }

    /**
     * The settings of a policy: the keys its provider declared, relative to
     * {@code policy.<kind>.<name>.}, with supplied values or defaults.
     *
     * @throws IllegalArgumentException if no provider of that kind has that name
     */
    @Override
    public Settings policySettings(PolicyKind kind, String policyName) {
        PolicyProvider p = selected.get(kind);
        if (p == null || !p.name().equals(policyName)) {
            p = catalog.all().stream().filter(c -> c.kind() == kind && c.name().equals(policyName)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no " + kind.configName() + " policy '" + policyName + "'"));
        }
        String prefix = ConfigLoader.policyPrefix(kind, p.name());
        Map<String, ConfigKey> keys = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey k : p.configKeys()) {
            keys.put(k.name(), k);
            String full = prefix + k.name();
            if (declared.containsKey(full)) {
                values.put(k.name(), valueOf(full));
            } else {
                // Neither selected nor configured: its defaults, which ConfigLoader did not check.
                ValueRules.Checked c = ValueRules.check(full, k, k.defaultValue(), "default");
                if (!c.ok()) {
                    throw new IllegalArgumentException(c.problem());
                }
                values.put(k.name(), c.value());
            }
        }
        return new TypedSettings(keys, values);
    }

    private Object valueOf(String key) {
        ConfigKey k = declared.get(key);
        return switch (k.type()) {
            case BOOLEAN -> all.getBoolean(key);
            case LONG, SIZE -> all.getLong(key);
            case DOUBLE -> all.getDouble(key);
            case STRING, ENUM -> all.getString(key);
        };
    }

    /** Every effective key and its value as written, in {@code config show} order. */
    @Override
    public Map<String, String> asMap() {
        return values();
    }

    public Map<String, String> values() {
        return text;
    }

    /** Every effective key with its value, origin and documentation, in {@code config show} order. */
    public List<Source> sources() {
        List<Source> out = new ArrayList<>();
        for (Map.Entry<String, String> e : text.entrySet()) {
            out.add(new Source(e.getKey(), e.getValue(), origin.get(e.getKey()), declared.get(e.getKey()).doc()));
        }
        return out;
    }

    @Override
    public String where(String key) {
        String o = origin.get(key);
        if (o == null || o.equals(ConfigLoader.DEFAULT)) {
            return o;
        }
        return o.equals(ConfigLoader.COMMAND_LINE) ? "in --set" : "in " + o;
    }

    /** The declaration of an effective key, or null. */
    public ConfigKey declaration(String key) {
        return declared.get(key);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
