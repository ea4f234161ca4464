package io.vmsim.core;

import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.uffd.Uffd;
import io.vmsim.core.uffd.UffdMsg;
import io.vmsim.core.uffd.Userfaultfd;
import io.vmsim.core.uffd.Userfaultfds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * userfaultfd (issue 12): the ioctls' refusals, DONTWAKE, shmem fills, and the non-cooperative
 * events of fork and mremap, against {@code fs/userfaultfd.c} and {@code mm/userfaultfd.c} of
 * Linux 6.18 (the refusals the conformance cases recorded are in {@code conformance/expected/uffd-*}).
 */
final class UserfaultfdEventsTest {
    private static final long PAGE = 4096;

    private static Userfaultfd open(Machine m, SimProcess p) {
        return Userfaultfds.of(m.kernel(), m.syscalls()).open(p.mm());
    }

    @Test
    void refusals_asTheKernelGivesThem() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        long s = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", true, PAGE);
        Userfaultfd u = open(m, p);
        // every call but UFFDIO_API is EINVAL before it
        assertThat(u.register(a, PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.api(Uffd.UFFD_API, 1L << 13)).isEqualTo(-Uffd.EINVAL); // WP_UNPOPULATED: not offered
        assertThat(u.api(0xAB, 0)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.api(Uffd.UFFD_API, 0)).isEqualTo(Uffd.UFFD_API_FEATURES);
        assertThat(u.api(Uffd.UFFD_API, 0)).isEqualTo(-Uffd.EINVAL); // once only
        assertThat(u.register(a, PAGE, 0)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.register(a + 1, PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.register(a, PAGE, Uffd.UFFDIO_REGISTER_MODE_MINOR)).isEqualTo(-Uffd.EINVAL); // not on private anon
        assertThat(u.register(0x1000_0000L, PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isEqualTo(-Uffd.ENOMEM);
        assertThat(u.register(s, 16 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MINOR))
                .isEqualTo(Uffd.UFFDIO_WAKE_BIT | Uffd.UFFDIO_COPY_BIT | Uffd.UFFDIO_ZEROPAGE_BIT | Uffd.UFFDIO_CONTINUE_BIT);
        assertThat(u.register(a, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isPositive();
        Userfaultfd other = open(m, p);
        other.api(Uffd.UFFD_API, 0);
        assertThat(other.register(a, 8 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING)).isEqualTo(-Uffd.EBUSY);
        // the registration split the area at the range's end
        assertThat(p.mm().findVma(a).end()).isEqualTo(a + 4 * PAGE);
        // copies: outside a registered area ENOENT, WP mode without WP registration EINVAL
        assertThat(u.copy(a + 4 * PAGE, PAGE, 0)).isEqualTo(-Uffd.ENOENT);
        assertThat(u.copy(a, PAGE, Uffd.UFFDIO_COPY_MODE_WP)).isEqualTo(-Uffd.EINVAL);
        assertThat(u.cont(a, PAGE, 0)).isEqualTo(-Uffd.EINVAL); // CONTINUE on private anonymous memory
        assertThat(u.cont(s, PAGE, 0)).isEqualTo(-Uffd.EFAULT); // nothing in the shmem object yet
        assertThat(u.writeProtect(a, PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP)).isEqualTo(-Uffd.ENOENT);
        // unregistering merges the area back
        assertThat(u.unregister(a, 4 * PAGE)).isZero();
        assertThat(p.mm().findVma(a).end()).isEqualTo(a + 16 * PAGE);
        assertThat(p.mm().findVma(a).userfaultfdCtx()).isNull();
    }

    @Test
    void dontwake_leavesTheThreadWaitingUntilAWake() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        Userfaultfd u = open(m, p);
        u.api(Uffd.UFFD_API, 0);
        u.register(a, 16 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        // filled without a wake: the thread would wait forever
        u.setMonitor((uf, msg) -> uf.copy(msg.address(), PAGE, Uffd.UFFDIO_COPY_MODE_DONTWAKE));
        assertThatThrownBy(() -> m.access(t, a, true)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("forever");
        // filled without a wake, then a batch of two more pages, then one wake: the wake's time counts
        u.setMonitor((uf, msg) -> {
            uf.monitorSleep(1_000);
            uf.copy(msg.address(), 2 * PAGE, Uffd.UFFDIO_COPY_MODE_DONTWAKE);
            uf.monitorSleep(5_000);
            uf.wake(msg.address(), 2 * PAGE);
        });
        m.access(t, a + 4 * PAGE, true);
        assertThat(u.latenciesNs()).containsExactly(6_000L);
        m.access(t, a + 5 * PAGE, true); // filled by the batch
        assertThat(u.faults()).isEqualTo(2);
    }

    @Test
    void shmem_missingFaultsAreFilledIntoTheObject_andMinorFaultsMapWhatItHolds() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        Task t = p.threads().get(0);
        long s = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", true, PAGE);
        Userfaultfd u = open(m, p);
        u.api(Uffd.UFFD_API, Uffd.UFFD_FEATURE_MISSING_SHMEM | Uffd.UFFD_FEATURE_MINOR_SHMEM);
        u.register(s, 16 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING | Uffd.UFFDIO_REGISTER_MODE_MINOR);
        List<UffdMsg> msgs = new ArrayList<>();
        u.setMonitor((uf, msg) -> {
            msgs.add(msg);
            if ((msg.flags() & Uffd.UFFD_PAGEFAULT_FLAG_MINOR) != 0) {
                uf.cont(msg.address(), PAGE, 0);
            } else {
                uf.copy(msg.address(), PAGE, 0);
            }
        });
        for (int i = 0; i < 4; i++) {
            m.access(t, s + i * PAGE, true);
        }
        assertThat(msgs).extracting(UffdMsg::flags).containsOnly(Uffd.UFFD_PAGEFAULT_FLAG_WRITE);
        assertThat(u.copy(s, PAGE, 0)).isEqualTo(-Uffd.EEXIST);
        // MADV_DONTNEED drops the PTEs; the object keeps the pages: minor faults now, one a page
        m.syscalls().madvise(p.mm(), s, 4 * PAGE, "dontneed", 0);
        assertThat(u.copy(s, PAGE, 0)).isEqualTo(-Uffd.EEXIST); // the page cache has it
        msgs.clear();
        for (int i = 0; i < 4; i++) {
            m.access(t, s + i * PAGE, false);
        }
        assertThat(msgs).hasSize(4).extracting(UffdMsg::flags).containsOnly(Uffd.UFFD_PAGEFAULT_FLAG_MINOR);
        assertThat(u.pagesContinued()).isEqualTo(4);
        assertThat(Pte.present(m.kernel().lookupLeaf(p.mm(), s + 3 * PAGE))).isTrue();
    }

    @Test
    void unregister_ofAWpArea_clearsItsUffdWpBits_andWritesNoLongerFault() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 8; i++) {
            m.access(t, a + i * PAGE, true);
        }
        Userfaultfd u = open(m, p);
        u.api(Uffd.UFFD_API, Uffd.UFFD_FEATURE_PAGEFAULT_FLAG_WP);
        u.register(a, 8 * PAGE, Uffd.UFFDIO_REGISTER_MODE_WP);
        assertThat(u.writeProtect(a, 8 * PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP | Uffd.UFFDIO_WRITEPROTECT_MODE_DONTWAKE))
                .isEqualTo(-Uffd.EINVAL);
        assertThat(u.writeProtect(a, 8 * PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP)).isZero();
        long e = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(e & Pte.UFFD_WP).isNotZero();
        assertThat(Pte.writable(e)).isFalse();
        assertThat(u.unregister(a, 8 * PAGE)).isZero(); // userfaultfd_clear_vma(): uffd_wp_range(..., false)
        for (int i = 0; i < 8; i++) {
            assertThat(m.kernel().lookupLeaf(p.mm(), a + i * PAGE) & Pte.UFFD_WP).isZero();
        }
        for (int i = 0; i < 8; i++) {
            m.access(t, a + i * PAGE, true);
        }
        assertThat(u.faults()).isZero();
    }

    @Test
    void fork_withEventFork_registersTheChildWithANewUserfaultfd_withoutIt_unregistersAndClearsWp() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        long b = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        for (int i = 0; i < 4; i++) {
            m.access(p.threads().get(0), a + i * PAGE, true);
            m.access(p.threads().get(0), b + i * PAGE, true);
        }
        Userfaultfd forking = open(m, p);
        forking.api(Uffd.UFFD_API, Uffd.UFFD_FEATURE_EVENT_FORK);
        forking.register(a, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        Userfaultfd plain = open(m, p);
        plain.api(Uffd.UFFD_API, 0);
        plain.register(b, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_WP);
        plain.writeProtect(b, 4 * PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP);
        List<UffdMsg> msgs = new ArrayList<>();
        forking.setMonitor((uf, msg) -> msgs.add(msg));
        SimProcess child = m.fork(p, 0);
        assertThat(msgs).hasSize(1);
        assertThat(msgs.get(0).event()).isEqualTo(Uffd.UFFD_EVENT_FORK);
        Userfaultfd childUffd = msgs.get(0).child();
        assertThat(childUffd.mm()).isSameAs(child.mm());
        assertThat(childUffd.features()).isEqualTo(Uffd.UFFD_FEATURE_EVENT_FORK);
        Vma ca = child.mm().findVma(a);
        assertThat(ca.userfaultfdCtx()).isSameAs(childUffd);
        assertThat(ca.has(Uffd.VM_UFFD_MISSING)).isTrue();
        Vma cb = child.mm().findVma(b);
        assertThat(cb.userfaultfdCtx()).isNull();
        assertThat(cb.flags() & Uffd.VM_UFFD_FLAGS).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(m.kernel().lookupLeaf(child.mm(), b + i * PAGE) & Pte.UFFD_WP).isZero();
            assertThat(m.kernel().lookupLeaf(p.mm(), b + i * PAGE) & Pte.UFFD_WP).isNotZero();
        }
        // the child writes its unprotected copy without a userfault (a COW fault)
        m.access(child.threads().get(0), b, true);
        assertThat(plain.faults()).isZero();
    }

    @Test
    void mremap_withEventRemap_keepsTheRegistrationAndTells_withoutIt_unregisters() {
        Machine m = SplitTest.machine("machine.memory", "256M");
        SimProcess p = m.spawn("a", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        long b = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        // read-only neighbours above both: growing them must move them
        m.syscalls().mmapAnonFixed(p.mm(), a + 4 * PAGE, PAGE, "r", false);
        m.syscalls().mmapAnonFixed(p.mm(), b + 4 * PAGE, PAGE, "r", false);
        Userfaultfd remap = open(m, p);
        remap.api(Uffd.UFFD_API, Uffd.UFFD_FEATURE_EVENT_REMAP);
        remap.register(a, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        Userfaultfd plain = open(m, p);
        plain.api(Uffd.UFFD_API, 0);
        plain.register(b, 4 * PAGE, Uffd.UFFDIO_REGISTER_MODE_MISSING);
        List<UffdMsg> msgs = new ArrayList<>();
        remap.setMonitor((uf, msg) -> msgs.add(msg));
        long na = m.syscalls().mremap(p.mm(), a, 4 * PAGE, 8 * PAGE, "maymove", 0, 0);
        long nb = m.syscalls().mremap(p.mm(), b, 4 * PAGE, 8 * PAGE, "maymove", 0, 0);
        assertThat(na).isNotEqualTo(a);
        assertThat(nb).isNotEqualTo(b);
        assertThat(msgs).hasSize(1);
        UffdMsg r = msgs.get(0);
        assertThat(r.event()).isEqualTo(Uffd.UFFD_EVENT_REMAP);
        assertThat(r.address()).isEqualTo(a);
        assertThat(r.address2()).isEqualTo(na);
        assertThat(r.length()).isEqualTo(8 * PAGE);
        assertThat(p.mm().findVma(na).userfaultfdCtx()).isSameAs(remap);
        assertThat(p.mm().findVma(nb).userfaultfdCtx()).isNull();
        // an ordinary fault in the unregistered moved area
        m.access(p.threads().get(0), nb, true);
        assertThat(plain.faults()).isZero();
    }

    /**
     * Writes {@code first + i} to each of the 8 pages at {@code a}, registers and write-protects
     * them, and pages the first 4 out (MADV_PAGEOUT): the userfaultfd, no monitor set yet.
     */
    private static Userfaultfd protectAndPageOut(Machine m, SimProcess p, long a, long first) {
        Task t = p.threads().get(0);
        for (int i = 0; i < 8; i++) {
            m.store(t, a + i * PAGE, first + i);
        }
        Userfaultfd u = open(m, p);
        u.api(Uffd.UFFD_API, Uffd.UFFD_FEATURE_PAGEFAULT_FLAG_WP);
        u.register(a, 8 * PAGE, Uffd.UFFDIO_REGISTER_MODE_WP);
        assertThat(u.writeProtect(a, 8 * PAGE, Uffd.UFFDIO_WRITEPROTECT_MODE_WP)).isZero();
        m.syscalls().madvise(p.mm(), a, 4 * PAGE, "pageout", 0);
        return u;
    }

    @Test
    void aWriteProtectedPageSwappedOut_keepsItsProtectionInTheSwapEntry() {
        // try_to_unmap_one(): pte_swp_mkuffd_wp(); do_swap_page(): pte_mkuffd_wp(), not writable;
        // change_pte_range() sets and clears the bit on swap entries too. Recorded on Linux 6.18.44
        // (conformance/uffd/wp-swap.json, pagemap's PM_UFFD_WP): pages 0-3 swapped out keep the
        // bit, unprotecting page 3 while swapped clears it, a read of page 1 brings it back
        // present and protected, and writes to pages 0-3 raise WP faults for 0, 1 and 2 only
        Machine m = SplitTest.machine("machine.memory", "256M", "swap.size", "64M");
        SimProcess p = m.spawn("a", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8 * PAGE, "rw", false, PAGE);
        Userfaultfd u = protectAndPageOut(m, p, a, 100);
        for (int i = 0; i < 4; i++) {
            long e = m.kernel().lookupLeaf(p.mm(), a + i * PAGE);
            assertThat(Pte.isSwap(e)).as("page %d swapped", i).isTrue();
            assertThat(e & Pte.UFFD_WP).as("page %d keeps uffd-wp", i).isNotZero();
        }
        // unprotecting a swapped page clears the bit in its swap entry
        assertThat(u.writeProtect(a + 3 * PAGE, PAGE, 0)).isZero();
        assertThat(m.kernel().lookupLeaf(p.mm(), a + 3 * PAGE) & Pte.UFFD_WP).isZero();
        List<Long> wpFaults = new ArrayList<>();
        u.setMonitor((uf, msg) -> {
            assertThat(msg.flags()).isEqualTo(Uffd.UFFD_PAGEFAULT_FLAG_WRITE | Uffd.UFFD_PAGEFAULT_FLAG_WP);
            wpFaults.add(msg.address());
            assertThat(uf.writeProtect(msg.address(), PAGE, 0)).isZero();
        });
        // a read swaps page 1 in read-only and still protected
        assertThat(m.load(t, a + PAGE)).isEqualTo(101);
        long in = m.kernel().lookupLeaf(p.mm(), a + PAGE);
        assertThat(Pte.present(in)).isTrue();
        assertThat(Pte.writable(in)).isFalse();
        assertThat(in & Pte.UFFD_WP).isNotZero();
        assertThat(wpFaults).isEmpty();
        // writes to the swapped pages 0 and 2 and the swapped-in page 1 go to the monitor first
        m.store(t, a, 7);
        m.store(t, a + PAGE, 8);
        m.store(t, a + 2 * PAGE, 9);
        assertThat(wpFaults).containsExactly(a, a + PAGE, a + 2 * PAGE);
        // page 3 was unprotected while swapped out: no WP fault
        m.store(t, a + 3 * PAGE, 10);
        assertThat(wpFaults).hasSize(3);
        assertThat(m.load(t, a)).isEqualTo(7);
        assertThat(m.load(t, a + 2 * PAGE)).isEqualTo(9);
        assertThat(Simulation.warnings(m)).isEmpty();
    }

    @Test
    void aWriteProtectedShmemPageSwappedOut_staysProtected() {
        // Linux leaves PTE_MARKER_UFFD_WP where a shmem page was (shmem's PTEs hold no swap
        // entry there); vmsim's shmem PTEs hold the swap entry, which keeps the bit instead
        Machine m = SplitTest.machine("machine.memory", "256M", "swap.size", "64M");
        SimProcess p = m.spawn("a", List.of(0));
        Task t = p.threads().get(0);
        long s = m.syscalls().mmapAnon(p.mm(), 0, 8 * PAGE, "rw", true, PAGE);
        Userfaultfd u = protectAndPageOut(m, p, s, 200);
        assertThat(Pte.present(m.kernel().lookupLeaf(p.mm(), s))).as("paged out").isFalse();
        List<Long> wpFaults = new ArrayList<>();
        u.setMonitor((uf, msg) -> {
            wpFaults.add(msg.address());
            assertThat(uf.writeProtect(msg.address(), PAGE, 0)).isZero();
        });
        m.store(t, s, 7);
        m.store(t, s + 5 * PAGE, 8); // resident, protected
        assertThat(wpFaults).containsExactly(s, s + 5 * PAGE);
        assertThat(m.load(t, s)).isEqualTo(7);
        assertThat(m.load(t, s + PAGE)).isEqualTo(201);
        assertThat(Simulation.warnings(m)).isEmpty();
    }
}
