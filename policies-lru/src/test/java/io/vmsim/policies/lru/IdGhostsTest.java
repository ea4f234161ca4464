package io.vmsim.policies.lru;

import io.vmsim.api.policy.OfflineStudy;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IdGhosts} against a brute-force model (two insertion-ordered sets), with positions of
 * 8 bits so that they wrap every 256 additions and the clearing pass runs every 64, and with the
 * default 30 bits; the per-id ints in its own array and in a study's page words.
 */
final class IdGhostsTest {

    @Test
    void randomOperations_matchTwoOrderedSets_acrossPositionWraps() {
        Random rnd = new Random(5);
        for (int posBits : new int[] {8, 9, IdGhosts.POS_BITS}) {
            for (int k = 2; k <= 17; k++) {
                int c = k / 2;
                // the ints in the class's own array (odd k), or in a study's page words (even k)
                IdGhosts g = new IdGhosts(c, posBits, k % 2 == 0 ? new Words() : null);
                List<LinkedHashSet<Integer>> model = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(),
                        new LinkedHashSet<>());
                int ids = 3 * c + 5;
                for (int step = 0; step < 50_000; step++) {
                    // mostly a few ids, sometimes one of many, so that some pages stay away for
                    // longer than the positions take to wrap
                    int id = rnd.nextInt(8) > 0 ? rnd.nextInt(ids) : ids + rnd.nextInt(300);
                    int in = model.get(1).contains(id) ? ArcGhosts.B1 : model.get(2).contains(id) ? ArcGhosts.B2
                            : ArcGhosts.NONE;
                    assertThat(g.where(id)).as("step %d, id %d", step, id).isEqualTo(in);
                    int list = 1 + rnd.nextInt(2);
                    int op = rnd.nextInt(10);
                    if (op < 2 && in != ArcGhosts.NONE) {
                        g.remove(id);
                        model.get(in).remove(id);
                    } else if (op < 5 && !model.get(list).isEmpty()) {
                        g.removeOldest(list);
                        Integer oldest = model.get(list).iterator().next();
                        model.get(list).remove(oldest);
                    } else if (in == ArcGhosts.NONE && model.get(list).size() < 2 * c) {
                        g.add(id, list);
                        model.get(list).add(id);
                    }
                    assertThat(g.size(ArcGhosts.B1)).isEqualTo(model.get(1).size());
                    assertThat(g.size(ArcGhosts.B2)).isEqualTo(model.get(2).size());
                    if (step % 1000 == 0) {
                        g.verify("ghosts");
                    }
                }
                g.verify("ghosts");
            }
        }
    }

    /** A study that keeps page words, in a map (every id's word 0 until set). */
    private static final class Words implements OfflineStudy.Study {
        private final Map<Integer, Integer> words = new HashMap<>();

        @Override
        public boolean keepsPageWords() {
            return true;
        }

        @Override
        public int pageWord(int id) {
            return words.getOrDefault(id, 0);
        }

        @Override
        public void setPageWord(int id, int word) {
            words.put(id, word);
        }

        @Override
        public long incomingPageKey() {
            return NO_PAGE_KEY;
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        public boolean knowsFuture() {
            return false;
        }

        @Override
        public long nextUseOfCurrent() {
            return NEVER;
        }
    }

    @Test
    void aCapacityTooLargeForThePositions_isRefused() {
        assertThat(IdGhosts.fits(1 << 25)).isTrue();
        assertThat(IdGhosts.fits((1 << 25) + 1)).isFalse();
        assertThat(IdGhosts.fits(8, 8)).isTrue();
        assertThat(IdGhosts.fits(9, 8)).isFalse();
    }
}
