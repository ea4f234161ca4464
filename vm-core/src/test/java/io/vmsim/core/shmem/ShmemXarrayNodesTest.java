package io.vmsim.core.shmem;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The xarray nodes a shmem object's page cache needs (lib/xarray.c, 64 slots a node), against
 * a reference that counts them from the definition: for a tree of height H (the levels the
 * largest index needs), one node per level l = 1..H for each distinct {@code index >> 6l};
 * none for a lone entry at index 0 ({@code xa_head}).
 */
final class ShmemXarrayNodesTest {
    private static int reference(Set<Long> indices) {
        if (indices.isEmpty() || indices.equals(Set.of(0L))) {
            return 0;
        }
        long max = Collections.max(indices);
        int h = 1;
        while ((max >>> (6 * h)) != 0) {
            h++;
        }
        int n = 0;
        for (int l = 1; l <= h; l++) {
            Set<Long> prefixes = new HashSet<>();
            for (long i : indices) {
                prefixes.add(i >>> (6 * l));
            }
            n += prefixes.size();
        }
        return n;
    }

    private static void insertAll(List<Long> order) {
        ShmemPages p = new ShmemPages(0);
        Set<Long> held = new TreeSet<>();
        int nodes = 0;
        for (long i : order) {
            int added = p.xaNewNodes(i);
            p.xaInsert(i);
            p.put(i, 1);
            held.add(i);
            nodes += added;
            assertThat(nodes).as("nodes after inserting %d (of %s)", i, order).isEqualTo(reference(held));
            assertThat(p.xaNodes()).isEqualTo(nodes);
        }
    }

    @Test
    void sequentialPages_needALeafEach64_andTheLevelsAbove() {
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 8154; i++) {
            order.add(i);
        }
        insertAll(order);
        ShmemPages p = new ShmemPages(0);
        int nodes = 0;
        for (long i = 0; i < 4096; i++) {
            nodes += p.xaNewNodes(i);
            p.xaInsert(i);
            p.put(i, 1);
        }
        assertThat(nodes).isEqualTo(64 + 1); // 16 MiB: 64 leaves under one root
    }

    @Test
    void aLoneEntryAtZero_needsNoNode_andAnIndexAlreadyHeld_none() {
        ShmemPages p = new ShmemPages(0);
        assertThat(p.xaNewNodes(0)).isZero();
        p.xaInsert(0);
        p.put(0, 1);
        assertThat(p.xaNewNodes(0)).isZero();
        assertThat(p.xaNewNodes(1)).isEqualTo(1);
        assertThat(p.xaNewNodes(64)).isEqualTo(3);
    }

    @Test
    void randomOrders_matchTheReference() {
        Random r = new Random(9);
        for (int round = 0; round < 40; round++) {
            List<Long> order = new ArrayList<>();
            int n = 1 + r.nextInt(300);
            long span = 1L << (1 + r.nextInt(20));
            Set<Long> seen = new HashSet<>();
            for (int j = 0; j < n; j++) {
                long i = (long) (r.nextDouble() * span);
                if (seen.add(i)) {
                    order.add(i);
                }
            }
            insertAll(order);
        }
    }
}
