package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link IdGhosts} against a brute-force model (two insertion-ordered sets), with positions of
 * 8 bits so that they wrap every 256 additions and the clearing pass runs every 64, and with the
 * default 30 bits.
 */
final class IdGhostsTest {

    @Test
    void randomOperations_matchTwoOrderedSets_acrossPositionWraps() {
        Random rnd = new Random(5);
        for (int posBits : new int[] {8, 9, IdGhosts.POS_BITS}) {
            for (int c = 1; c <= 8; c++) {
                IdGhosts g = new IdGhosts(c, posBits);
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

    @Test
    void aCapacityTooLargeForThePositions_isRefused() {
        assertThat(IdGhosts.fits(1 << 25)).isTrue();
        assertThat(IdGhosts.fits((1 << 25) + 1)).isFalse();
        assertThat(IdGhosts.fits(8, 8)).isTrue();
        assertThat(IdGhosts.fits(9, 8)).isFalse();
    }
}
