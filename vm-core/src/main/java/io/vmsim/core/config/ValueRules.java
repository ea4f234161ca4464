package io.vmsim.core.config;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.core.error.ClosestName;

import java.util.Locale;

/** Checks a configuration value against its declaration and converts it to its typed form. */
final class ValueRules {
    private ValueRules() {
    }

    /**
     * The outcome of a check: a typed value ({@link Boolean}, {@link Long}, {@link Double} or
     * {@link String}) with its normalised text, or one sentence saying what is wrong.
     */
    record Checked(Object value, String text, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    /**
     * Checks {@code raw} for the key {@code fullName} declared by {@code key}.
     *
     * @param where where the value came from, for the message ("in --set"), or null
     */
    static Checked check(String fullName, ConfigKey key, String raw, String where) {
        String v = raw == null ? "" : raw.trim();
        String head = "'" + fullName + "' = '" + v + "'" + (where == null ? "" : " (" + where + ")") + ": ";
        switch (key.type()) {
            case BOOLEAN -> {
                String l = v.toLowerCase(Locale.ROOT);
                if (l.equals("true") || l.equals("false")) {
                    return new Checked(Boolean.valueOf(l), l, null);
                }
                return fail(head + "expected true or false");
            }
            case STRING -> {
                return new Checked(v, v, null);
            }
            case ENUM -> {
                for (String a : key.allowed()) {
                    if (a.equalsIgnoreCase(v)) {
                        return new Checked(a, a, null);
                    }
                }
                return fail(head + "expected one of " + String.join(", ", key.allowed())
                        + ClosestName.didYouMean(v, key.allowed()));
            }
            case LONG -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return fail(head + "expected an integer");
                }
                if (outOfRange(n, key)) {
                    return fail(head + "out of range, expected " + key.rule());
                }
                return new Checked(n, v, null);
            }
            case SIZE -> {
                long n;
                try {
                    n = Sizes.parse(v);
                } catch (NumberFormatException e) {
                    return fail(head + "expected a size in bytes (e.g. 4096, 64K, 2M, 16G)");
                }
                if (outOfRange(n, key)) {
                    return fail(head + "out of range, expected a size in ["
                            + (key.min() == null ? "" : Sizes.format(key.min().longValue())) + ", "
                            + (key.max() == null ? "" : Sizes.format(key.max().longValue())) + "]");
                }
                return new Checked(n, v, null);
            }
            case DOUBLE -> {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    return fail(head + "expected a number");
                }
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return fail(head + "expected a finite number");
                }
                if (outOfRange(d, key)) {
                    return fail(head + "out of range, expected " + key.rule());
                }
                return new Checked(d, v, null);
            }
            default -> throw new AssertionError(key.type());
        }
    }

    private static boolean outOfRange(double n, ConfigKey key) {
        return key.min() != null && n < key.min() || key.max() != null && n > key.max();
    }

    private static Checked fail(String problem) {
        return new Checked(null, null, problem);
    }
}
