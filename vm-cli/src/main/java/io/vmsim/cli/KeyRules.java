package io.vmsim.cli;

import io.vmsim.api.config.ConfigKey;

import java.util.Locale;

/**
 * A key's rule as {@code vmsim config show} prints it, short and with its unit:
 * {@code 0..200}, {@code 1..100 %}, {@code 16 MiB..4 TiB}, {@code 0..1e9 ns},
 * {@code always|madvise|never}. The unit comes from the key's name, which follows Linux's habit
 * of naming it there ({@code min_free_kbytes}, {@code scan_sleep_millisecs}, {@code dirty_ratio}).
 */
final class KeyRules {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private KeyRules() {
    }

    static String describe(String fullName, ConfigKey k) {
        return switch (k.type()) {
            case BOOLEAN -> "true|false";
            case ENUM -> String.join("|", k.allowed());
            case STRING -> fullName.matches("policy\\.[a-z]+") ? "a policy name (vmsim policies)" : "text";
            case SIZE -> range(k, true) + " (bytes; K, M, G, T suffixes)";
            case LONG, DOUBLE -> withUnit(range(k, false), unit(fullName));
        };
    }

    /** The unit a Linux-style key name states, or "". */
    static String unit(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith("_ns")) {
            return "ns";
        }
        if (n.endsWith("kbytes") || n.endsWith("_kb")) {
            return "kB";
        }
        if (n.endsWith("millisecs") || n.endsWith("_ms")) {
            return "ms";
        }
        if (n.endsWith("centisecs")) {
            return "1/100 s";
        }
        if (n.endsWith("_ratio")) {
            return "%";
        }
        if (n.endsWith("watermark_scale_factor")) {
            return "1/10000 of memory";
        }
        return "";
    }

    private static String withUnit(String range, String unit) {
        return unit.isEmpty() ? range : range + " " + unit;
    }

    private static String range(ConfigKey k, boolean size) {
        boolean noMin = k.min() == null || k.min() <= -9.2e18;
        boolean noMax = k.max() == null || k.max() >= 9.2e18;
        if (noMin && noMax) {
            return "any";
        }
        if (noMax) {
            return ">= " + number(k.min(), size);
        }
        if (noMin) {
            return "<= " + number(k.max(), size);
        }
        return number(k.min(), size) + ".." + number(k.max(), size);
    }

    private static String number(double d, boolean size) {
        if (size && d > 0 && d == Math.rint(d)) {
            long v = (long) d;
            int u = 0;
            while (u < BINARY.length - 1 && v % 1024 == 0) {
                v /= 1024;
                u++;
            }
            return v + " " + BINARY[u];
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e6) {
            return Long.toString((long) d);
        }
        if (d == Math.rint(d) && Long.bitCount((long) Math.abs(d)) == 1) {
            return "2^" + Long.numberOfTrailingZeros((long) Math.abs(d)); // 1 << 24, 1 << 31
        }
        int exp = (int) Math.floor(Math.log10(Math.abs(d)));
        double mant = d / Math.pow(10, exp);
        return mant == Math.rint(mant) ? (long) mant + "e" + exp : Double.toString(d);
    }
}
