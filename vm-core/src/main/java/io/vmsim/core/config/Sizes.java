package io.vmsim.core.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as users write them: {@code 4096}, {@code 64K}, {@code 2M}, {@code 16G}, {@code 1T};
 * binary units, case-insensitive, with an optional {@code B} or {@code iB} suffix
 * ({@code 64KiB}, {@code 2mb}, {@code 4096B}).
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([KMGTP])(?:I?B)?|B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTP";

    private Sizes() {
    }

    /**
     * Parses a size into bytes.
     *
     * @throws NumberFormatException if the text is not a size or does not fit a long
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new NumberFormatException("not a size: " + text);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            return n;
        }
        int shift = 10 * (UNITS.indexOf(unit.toUpperCase(Locale.ROOT)) + 1);
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new NumberFormatException("size too large: " + text);
        }
        return n << shift;
    }

    /** Formats bytes with the largest binary unit that divides them exactly: {@code 4G}, {@code 1536K}, {@code 100}. */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (int i = UNITS.length() - 1; i >= 0; i--) {
            int shift = 10 * (i + 1);
            if (bytes % (1L << shift) == 0) {
                return (bytes >> shift) + String.valueOf(UNITS.charAt(i));
            }
        }
        return Long.toString(bytes);
    }
}
