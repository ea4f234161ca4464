package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClockPolicy} against a brute-force CLOCK written from the paper's description (a
 * circle of pages with one reference bit each; the hand clears set bits and evicts the first
 * page found clear; a new page enters just behind the hand, its bit set or clear; a hit sets the
 * bit), on caches large enough that frame numbers run past the policy's first array of
 * reference bits.
 */
final class ClockReferenceModelTest {

    /** The misses of CLOCK with {@code frames} frames over {@code seq}, by brute force. */
    private static long modelMisses(int frames, boolean insertReferenced, int[] seq) {
        ArrayDeque<Integer> circle = new ArrayDeque<>(); // head of the deque is under the hand
        Map<Integer, Boolean> bit = new HashMap<>();
        long misses = 0;
        for (int page : seq) {
            if (bit.containsKey(page)) {
                bit.put(page, true);
                continue;
            }
            misses++;
            if (circle.size() == frames) {
                while (true) {
                    int p = circle.pollFirst();
                    if (bit.get(p)) {
                        bit.put(p, false);
                        circle.addLast(p);
                    } else {
                        bit.remove(p);
                        break;
                    }
                }
            }
            circle.addLast(page);
            bit.put(page, insertReferenced);
        }
        return misses;
    }

    @Test
    void largeCaches_countTheMissesOfABruteForceClock() {
        Random rnd = new Random(17);
        for (boolean ins : new boolean[] {true, false}) {
            for (int frames : new int[] {1000, 3000, 5000}) {
                int universe = frames * 3;
                int[] seq = new int[60_000];
                for (int i = 0; i < seq.length; i++) {
                    // a hot set that fits, and uniform references over three times the frames
                    seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(universe) : rnd.nextInt(frames / 2);
                }
                CacheHarness h = new CacheHarness(frames, (l, f) -> new ClockPolicy(l, ins));
                assertThat(h.run(seq)).as("%d frames, insert_referenced=%s", frames, ins)
                        .isEqualTo(modelMisses(frames, ins, seq));
            }
        }
    }
}
