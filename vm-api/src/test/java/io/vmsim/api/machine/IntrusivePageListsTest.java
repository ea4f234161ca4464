package io.vmsim.api.machine;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class IntrusivePageListsTest {
    private static List<Integer> walk(PageLists l, int list) {
        List<Integer> out = new ArrayList<>();
        for (int p = l.head(list); p != PageLists.NIL; p = l.next(p)) {
            out.add(p);
        }
        return out;
    }

    @Test
    void randomOperations_matchADequeModel_forTwoListsSharingTheLinks() {
        int n = 64;
        PageLists l = IntrusivePageLists.standalone(n);
        int[] ids = {l.newList(), l.newList()};
        List<Deque<Integer>> model = List.of(new ArrayDeque<>(), new ArrayDeque<>());
        int[] on = new int[n];
        java.util.Arrays.fill(on, -1);
        Random rnd = new Random(7);
        for (int step = 0; step < 20_000; step++) {
            int pfn = rnd.nextInt(n);
            int which = rnd.nextInt(2);
            if (on[pfn] < 0) {
                if (rnd.nextBoolean()) {
                    l.addHead(ids[which], pfn);
                    model.get(which).addFirst(pfn);
                } else {
                    l.addTail(ids[which], pfn);
                    model.get(which).addLast(pfn);
                }
                on[pfn] = which;
            } else if (rnd.nextBoolean()) {
                l.remove(ids[on[pfn]], pfn);
                model.get(on[pfn]).remove(pfn);
                on[pfn] = -1;
            } else {
                l.moveToHead(ids[on[pfn]], pfn);
                model.get(on[pfn]).remove(pfn);
                model.get(on[pfn]).addFirst(pfn);
            }
            if (step % 97 == 0) {
                for (int i = 0; i < 2; i++) {
                    assertThat(walk(l, ids[i])).containsExactlyElementsOf(model.get(i));
                    List<Integer> back = new ArrayList<>();
                    for (int p = l.tail(ids[i]); p != PageLists.NIL; p = l.prev(p)) {
                        back.add(0, p);
                    }
                    assertThat(back).containsExactlyElementsOf(model.get(i));
                    assertThat(l.size(ids[i])).isEqualTo(model.get(i).size());
                    assertThat(l.tail(ids[i])).isEqualTo(model.get(i).isEmpty() ? PageLists.NIL : model.get(i).peekLast());
                }
            }
        }
    }

    @Test
    void policyBits_holdEightBits_andLeaveTheLinksAlone() {
        IntrusivePageLists l = IntrusivePageLists.standalone(3);
        int list = l.newList();
        l.addHead(list, 0);
        l.addHead(list, 1);
        l.addHead(list, 2);
        l.setBits(1, 0x5a);
        assertThat(l.bits(1)).isEqualTo(0x5a);
        l.setBits(1, 0x1ff);
        assertThat(l.bits(1)).isEqualTo(0xff);
        assertThat(l.bits(0)).isZero();
        assertThat(l.bits(2)).isZero();
        assertThat(l.prev(1)).isEqualTo(2);
        assertThat(l.next(1)).isEqualTo(0);
    }
}
