package io.vmsim.core.mrc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every reference's stack distance against a brute-force LRU stack (an array, most recent
 * first, searched and shifted per reference), on random traces with random initial slot
 * capacities, so that the slots are renumbered many times, and with more pages than one block of
 * the bitmap's count levels (4,096 slots), so that the levels of counts above the lines are used;
 * {@link StackDistances#accessAll} in random chunks gives the same curve.
 */
final class StackDistancesProperties {

    /** Distance of each reference by brute force: 1 + position in the LRU stack, 0 if first. */
    static int[] bruteForce(int[] refs, int universe) {
        int[] stack = new int[universe];
        int depth = 0;
        int[] out = new int[refs.length];
        for (int k = 0; k < refs.length; k++) {
            int p = refs[k];
            int at = -1;
            for (int i = 0; i < depth; i++) {
                if (stack[i] == p) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                at = depth++;
                out[k] = 0;
            } else {
                out[k] = at + 1;
            }
            System.arraycopy(stack, 0, stack, 1, at);
            stack[0] = p;
        }
        return out;
    }

    /** A mix of a hot set, uniform picks, loops and immediate repeats. */
    static int[] trace(long seed, int n, int universe) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] out = new int[n];
        int hot = 1 + r.nextInt(Math.max(1, universe / 8));
        int phase = 0;
        int loop = 0;
        for (int i = 0; i < n; i++) {
            if (i % (1 + r.nextInt(200)) == 0) {
                phase = r.nextInt(4);
            }
            out[i] = switch (phase) {
                case 0 -> r.nextInt(hot);
                case 1 -> r.nextInt(universe);
                case 2 -> loop++ % universe;
                default -> i > 0 && r.nextBoolean() ? out[i - 1] : r.nextInt(universe);
            };
        }
        return out;
    }

    private static void check(int[] refs, int universe, int slots) {
        int[] want = bruteForce(refs, universe);
        StackDistances sd = new StackDistances(slots);
        long[] hist = new long[universe + 2];
        long cold = 0;
        for (int k = 0; k < refs.length; k++) {
            sd.ensureIds(refs[k] + 1);
            int d = sd.access(refs[k]);
            assertThat(d).as("reference %d (page %d), %d initial slots", k, refs[k], slots).isEqualTo(want[k]);
            if (d == 0) {
                cold++;
            } else {
                hist[d]++;
            }
        }
        // the batched entry point, in chunks of random lengths, page ids shifted as the engine passes them
        StackDistances all = new StackDistances(slots);
        all.ensureIds(universe);
        SplittableRandom r = new SplittableRandom(slots * 31L + refs.length);
        for (int from = 0; from < refs.length; ) {
            int n = Math.min(refs.length - from, 1 + r.nextInt(700));
            int[] chunk = new int[n];
            for (int i = 0; i < n; i++) {
                chunk[i] = refs[from + i] << 1 | r.nextInt(2);
            }
            all.accessAll(chunk, n, 1);
            from += n;
        }
        assertThat(all.missCurve(universe + 1)).isEqualTo(sd.missCurve(universe + 1));
        assertThat(all.cold()).isEqualTo(cold);
        assertThat(all.refs()).isEqualTo(refs.length);
        // the split entry points (distances written over the ids, counted afterwards), in chunks of random lengths
        StackDistances split = new StackDistances(slots);
        split.ensureIds(universe);
        for (int from = 0; from < refs.length; ) {
            int n = Math.min(refs.length - from, 1 + r.nextInt(700));
            int[] chunk = new int[n + 3]; // longer than n: only the first n are touched
            for (int i = 0; i < n; i++) {
                chunk[i] = refs[from + i] << 1 | r.nextInt(2);
            }
            chunk[n] = -7;
            split.distances(chunk, n, 1);
            for (int i = 0; i < n; i++) {
                assertThat(chunk[i]).as("reference %d, split", from + i).isEqualTo(want[from + i]);
            }
            assertThat(chunk[n]).isEqualTo(-7);
            split.countDistances(chunk, n);
            from += n;
        }
        assertThat(split.missCurve(universe + 1)).isEqualTo(sd.missCurve(universe + 1));
        assertThat(split.cold()).isEqualTo(cold);
        assertThat(split.refs()).isEqualTo(refs.length);
        long[] curve = sd.missCurve(universe + 1);
        long above = 0;
        for (int c = universe + 1; c >= 1; c--) {
            assertThat(curve[c - 1]).as("%d frames", c).isEqualTo(cold + above);
            above += hist[c];
        }
    }

    @Property(tries = 60)
    void distancesEqualBruteForce_acrossRenumberings(@ForAll long seed, @ForAll @IntRange(min = 1, max = 700) int universe,
                                                     @ForAll @IntRange(min = 1, max = 3000) int slots,
                                                     @ForAll @IntRange(min = 1, max = 6000) int refs) {
        check(trace(seed, refs, universe), universe, slots);
    }

    /**
     * Enough pages (300,000 to 400,000, so 600,000 slots or more) for the distance of a reference
     * far down the stack to climb three levels of counts above the lines (nodes of 4,096, 32,768
     * and 262,144 slots): every page once in a random order, then references mostly far down the
     * stack (uniform over all pages) and some near the top, against the brute-force stack, across
     * renumberings.
     */
    @Property(tries = 3)
    void threeLevelsAboveTheLines(@ForAll long seed, @ForAll @IntRange(min = 1, max = 1_200_000) int slots) {
        int universe = 300_000 + new SplittableRandom(seed).nextInt(100_000);
        SplittableRandom r = new SplittableRandom(seed);
        int later = 3_000;
        int[] refs = new int[universe + later];
        for (int i = 0; i < universe; i++) {
            refs[i] = i;
        }
        for (int i = universe - 1; i > 0; i--) { // Fisher-Yates: the first references in a random order
            int j = r.nextInt(i + 1);
            int t = refs[i];
            refs[i] = refs[j];
            refs[j] = t;
        }
        for (int i = universe; i < refs.length; i++) {
            refs[i] = r.nextInt(4) == 0 ? refs[i - 1 - r.nextInt(Math.min(i, 50))] : r.nextInt(universe);
        }
        StackDistances sd = new StackDistances(slots);
        sd.ensureIds(universe);
        // the brute-force stack (the plain loop of bruteForce is too slow here): after the first
        // references, every page once, it is those pages newest first; then searched and shifted
        int[] stack = new int[universe];
        for (int k = 0; k < universe; k++) {
            assertThat(sd.access(refs[k])).as("first reference %d", k).isZero();
            stack[universe - 1 - k] = refs[k];
        }
        for (int k = universe; k < refs.length; k++) {
            int p = refs[k];
            int at = 0;
            while (stack[at] != p) {
                at++;
            }
            System.arraycopy(stack, 0, stack, 1, at);
            stack[0] = p;
            assertThat(sd.access(p)).as("reference %d (page %d), %d initial slots", k, p, slots).isEqualTo(at + 1);
        }
        assertThat(sd.cold()).isEqualTo(universe);
    }

    @Property(tries = 4)
    void moreThanOneBlockOfPages(@ForAll long seed, @ForAll @IntRange(min = 1, max = 9000) int slots) {
        int universe = 4096 * 3 + 1000; // over three nodes of 4,096 slots: the first level of counts above the lines is read
        check(trace(seed, 40_000, universe), universe, slots);
    }
}
