package io.vmsim.core.error;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the candidate closest to a misspelt name by Levenshtein distance, for the "did you
 * mean" of error messages. A candidate is offered only when it is plausibly what was meant:
 * within a third of the name's length (at least 2 edits), or when one contains the other.
 */
public final class ClosestName {
    private ClosestName() {
    }

    /** The closest candidate, or empty when none is close enough; ties go to the first in iteration order. */
    public static Optional<String> among(String name, Collection<String> candidates) {
        String n = name.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(n, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best == null || bestDistance == 0 && best.equals(name)) {
            return Optional.empty();
        }
        String b = best.toLowerCase(Locale.ROOT);
        boolean close = bestDistance <= Math.max(2, n.length() / 3) || (n.length() >= 3 && (b.contains(n) || n.contains(b)));
        return close ? Optional.of(best) : Optional.empty();
    }

    /** "; did you mean 'x'?" or the empty string. */
    public static String didYouMean(String name, Collection<String> candidates) {
        return among(name, candidates).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    /** The Levenshtein edit distance (insertions, deletions, substitutions). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
