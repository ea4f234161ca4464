package io.vmsim.core.trace;

import java.util.Collection;

/** Closest-name suggestions for error messages. */
final class Names {
    private Names() {
    }

    /** The candidate closest to {@code name} by edit distance, or null if none is plausibly meant. */
    static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = levenshtein(name, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        // A suggestion that needs rewriting most of the word helps nobody.
        return best != null && bestD <= Math.max(2, name.length() / 2) ? best : null;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
