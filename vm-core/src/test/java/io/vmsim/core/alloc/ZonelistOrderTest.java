package io.vmsim.core.alloc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code build_zonelists()} / {@code find_next_best_node()} (mm/page_alloc.c, Linux 6.18): the
 * fallback order of nodes, checked against a brute-force search and against orders worked by
 * hand from the kernel's rules.
 */
final class ZonelistOrderTest {

    /** Every order of the nodes other than {@code local}, after it. */
    private static List<int[]> permutationsAfter(int local, int n) {
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i != local) {
                rest.add(i);
            }
        }
        List<int[]> out = new ArrayList<>();
        permute(rest, new ArrayList<>(List.of(local)), out);
        return out;
    }

    private static void permute(List<Integer> rest, List<Integer> prefix, List<int[]> out) {
        if (rest.isEmpty()) {
            out.add(prefix.stream().mapToInt(Integer::intValue).toArray());
            return;
        }
        for (int i = 0; i < rest.size(); i++) {
            List<Integer> r = new ArrayList<>(rest);
            int x = r.remove(i);
            List<Integer> p = new ArrayList<>(prefix);
            p.add(x);
            permute(r, p, out);
        }
    }

    /** Brute force: of all orders, the one whose sequence of distances is smallest, nearest first. */
    private static int[] bruteForceNearestFirst(int[] slit, int n, int local) {
        int[] best = null;
        int[] bestKey = null;
        for (int[] p : permutationsAfter(local, n)) {
            int[] key = new int[n];
            for (int i = 0; i < n; i++) {
                key[i] = slit[local * n + p[i]];
            }
            if (bestKey == null || Arrays.compare(key, bestKey) < 0) {
                best = p;
                bestKey = key;
            }
        }
        return best;
    }

    /** An asymmetric SLIT whose rows hold distinct remote distances at least 3 apart, so no penalty reorders them. */
    private static int[] asymmetricSlit(int n, Random rnd) {
        int[] d = new int[n * n];
        for (int i = 0; i < n; i++) {
            List<Integer> values = new ArrayList<>();
            for (int k = 0; k < n - 1; k++) {
                values.add(12 + 3 * k + 3 * rnd.nextInt(4) * n);
            }
            java.util.Collections.shuffle(values, rnd);
            int k = 0;
            for (int j = 0; j < n; j++) {
                d[i * n + j] = i == j ? 10 : values.get(k++);
            }
        }
        return d;
    }

    @Test
    void asymmetricSlit_ordersEveryNodesFallbackNearestFirst_asABruteForceSearchDoes() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 2 + trial % 5;
            int[] slit = asymmetricSlit(n, rnd);
            boolean[] cpus = new boolean[n];
            Arrays.fill(cpus, true);
            int[][] order = PageAllocator.buildNodeOrder(slit, cpus);
            for (int local = 0; local < n; local++) {
                assertThat(order[local]).as("node %d of %s", local, Arrays.toString(slit))
                        .containsExactly(bruteForceNearestFirst(slit, n, local));
            }
        }
    }

    @Test
    void asymmetricSlit_isNotReadSymmetrically() {
        // node 0 sees node 2 nearer than node 1; node 1 sees node 0 nearer than node 2; node 2 sees 1 nearer than 0
        int[] slit = {10, 40, 15,
                      15, 10, 40,
                      40, 15, 10};
        int[][] order = PageAllocator.buildNodeOrder(slit, new boolean[] {true, true, true});
        assertThat(order[0]).containsExactly(0, 2, 1);
        assertThat(order[1]).containsExactly(1, 0, 2);
        assertThat(order[2]).containsExactly(2, 1, 0);
    }

    @Test
    void equalDistances_fallBackRoundRobinFromTheNextNode() {
        // find_next_best_node(): "(n < node)" penalises lower nodes and node_load spreads the first
        // pick of each distance group, so with one remote distance node k falls back to k+1, k+2, ...
        for (int n = 2; n <= 6; n++) {
            boolean[] cpus = new boolean[n];
            Arrays.fill(cpus, true);
            int[][] order = PageAllocator.buildNodeOrder(PageAllocator.uniformDistances(n), cpus);
            for (int local = 0; local < n; local++) {
                int[] expected = new int[n];
                for (int k = 0; k < n; k++) {
                    expected[k] = (local + k) % n;
                }
                assertThat(order[local]).as("%d nodes, node %d", n, local).containsExactly(expected);
            }
        }
    }

    @Test
    void atEqualDistance_aMemoryOnlyNodeComesBeforeANodeWithCpus() {
        // PENALTY_FOR_NODE_WITH_CPUS: "give preference to headless and unused nodes". Worked by hand:
        // node 0: 1 scores (20+0+1), 2 scores (20+0+0): 2 first, node_load[2] = 1.
        // node 1: 0 scores (20+1+1), 2 scores (20): 2 first, node_load[2] = 2.
        // node 2: 0 and 1 both score (20+1+1) with node_load 0: the lower id, 0.
        int[][] order = PageAllocator.buildNodeOrder(PageAllocator.uniformDistances(3), new boolean[] {true, true, false});
        assertThat(order[0]).containsExactly(0, 2, 1);
        assertThat(order[1]).containsExactly(1, 2, 0);
        assertThat(order[2]).containsExactly(2, 0, 1);
    }

    @Test
    void zonelist_listsTheNodesZonesInNodeOrder_eachHighestZoneFirst() {
        // three nodes of 1536 frames, DMA32 below PFN 2048: node 0 DMA32, node 1 DMA32+Normal, node 2 Normal
        PageFrames f = new PageFrames(4608, new int[] {0, 1536, 3072});
        int[] slit = {10, 30, 20,
                      30, 10, 20,
                      20, 30, 10};
        int[][] order = PageAllocator.buildNodeOrder(slit, new boolean[] {true, true, true});
        PageAllocator a = new PageAllocator(f, 1, 0, 10, 8, 2048, order);
        List<Zone> zones = a.zones();
        List<Integer> nodesSeen = new ArrayList<>();
        int[] zl = a.zonelistOf(0);
        for (int i = 0; i < zl.length; i++) {
            Zone z = zones.get(zl[i]);
            if (nodesSeen.isEmpty() || nodesSeen.get(nodesSeen.size() - 1) != z.node()) {
                nodesSeen.add(z.node());
            } else {
                assertThat(z.type()).as("zones of a node from highest to lowest").isLessThan(zones.get(zl[i - 1]).type());
            }
        }
        assertThat(nodesSeen).containsExactly(0, 2, 1);
        assertThat(zl).hasSize(zones.size());
    }
}
