package io.vmsim.api.config;

import java.util.List;
import java.util.Objects;

/**
 * A configuration key that a policy (or the core) declares: its name, type, default, the
 * rule a value must follow, and one sentence of documentation. The simulator validates every
 * supplied value against the declaration before the policy sees it.
 *
 * @param name     the key relative to its owner's prefix (e.g. {@code nr_gens} for
 *                 {@code policy.reclaim.mglru.nr_gens}), lower-case with dots or underscores
 * @param type     the value type
 * @param defaultValue the default, written as it would be in a config file
 * @param min      inclusive lower bound for {@link ConfigType#LONG}, {@link ConfigType#DOUBLE}
 *                 and {@link ConfigType#SIZE}, or {@code null}
 * @param max      inclusive upper bound, or {@code null}
 * @param allowed  the allowed values of an {@link ConfigType#ENUM}, empty otherwise
 * @param doc      one sentence saying what the key does
 */
public record ConfigKey(String name, ConfigType type, String defaultValue, Double min, Double max,
                        List<String> allowed, String doc) {

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(doc, "doc");
        allowed = List.copyOf(allowed == null ? List.of() : allowed);
        if (type == ConfigType.ENUM && allowed.isEmpty()) {
            throw new IllegalArgumentException("enum key " + name + " declares no allowed values");
        }
    }

    /** A boolean key. */
    public static ConfigKey bool(String name, boolean dflt, String doc) {
        return new ConfigKey(name, ConfigType.BOOLEAN, Boolean.toString(dflt), null, null, List.of(), doc);
    }

    /** An integer key with an inclusive range. */
    public static ConfigKey integer(String name, long dflt, long min, long max, String doc) {
        return new ConfigKey(name, ConfigType.LONG, Long.toString(dflt), (double) min, (double) max, List.of(), doc);
    }

    /** A floating-point key with an inclusive range. */
    public static ConfigKey real(String name, double dflt, double min, double max, String doc) {
        return new ConfigKey(name, ConfigType.DOUBLE, Double.toString(dflt), min, max, List.of(), doc);
    }

    /** A byte-size key ({@code 4K}, {@code 2M}, {@code 16G} or a plain number of bytes). */
    public static ConfigKey size(String name, String dflt, long min, long max, String doc) {
        return new ConfigKey(name, ConfigType.SIZE, dflt, (double) min, (double) max, List.of(), doc);
    }

    /** A string key. */
    public static ConfigKey string(String name, String dflt, String doc) {
        return new ConfigKey(name, ConfigType.STRING, dflt, null, null, List.of(), doc);
    }

    /** An enumerated key; the default must be one of the allowed values. */
    public static ConfigKey oneOf(String name, String dflt, List<String> allowed, String doc) {
        if (!allowed.contains(dflt)) {
            throw new IllegalArgumentException("default '" + dflt + "' of " + name + " is not in " + allowed);
        }
        return new ConfigKey(name, ConfigType.ENUM, dflt, null, null, allowed, doc);
    }

    /** Describes the rule a value must follow, for error messages and {@code vmsim policies}. */
    public String rule() {
        return switch (type) {
            case BOOLEAN -> "true or false";
            case ENUM -> "one of " + String.join(", ", allowed);
            case STRING -> "a string";
            case LONG -> "an integer" + range();
            case DOUBLE -> "a number" + range();
            case SIZE -> "a size in bytes (e.g. 4096, 64K, 2M, 16G)" + range();
        };
    }

    private String range() {
        boolean noMin = min == null || min <= -9.2e18;
        boolean noMax = max == null || max >= 9.2e18;
        if (noMin && noMax) {
            return "";
        }
        if (noMax) {
            return " >= " + fmt(min);
        }
        if (noMin) {
            return " <= " + fmt(max);
        }
        return " in [" + fmt(min) + ", " + fmt(max) + "]";
    }

    private String fmt(Double d) {
        if (d != Math.rint(d) || Math.abs(d) >= 9.2e18) {
            return d.toString();
        }
        long v = d.longValue();
        if (type == ConfigType.SIZE && v > 0) {
            String[] units = {"", "K", "M", "G", "T", "P"};
            int u = 0;
            while (u < units.length - 1 && v % 1024 == 0) {
                v /= 1024;
                u++;
            }
            return v + units[u];
        }
        return Long.toString(v);
    }
}
