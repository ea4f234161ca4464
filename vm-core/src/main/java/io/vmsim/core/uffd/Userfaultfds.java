package io.vmsim.core.uffd;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.UffdHooks;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The machine's userfaultfds (issue 12): {@code userfaultfd(2)} ({@link #open}), and the hooks
 * through which the fault handler and the memory system calls reach them ({@code handle_userfault()},
 * {@code dup_userfaultfd()}, {@code mremap_userfaultfd_prep()}, {@code userfaultfd_remove()},
 * {@code userfaultfd_unmap_prep()} in {@code fs/userfaultfd.c}). Installed into the kernel on
 * first use; until then no area can be registered and the fault path pays nothing.
 */
public final class Userfaultfds implements UffdHooks {
    private final Kernel k;
    private final MmSyscalls sys;
    private final List<Userfaultfd> open = new ArrayList<>();
    private int nextId = 1;

    private Userfaultfds(Kernel k, MmSyscalls sys) {
        this.k = k;
        this.sys = sys;
    }

    /** The userfaultfds of the machine whose kernel is {@code k} and system calls {@code sys}, installed on first use. */
    public static Userfaultfds of(Kernel k, MmSyscalls sys) {
        if (k.uffd instanceof Userfaultfds u) {
            return u;
        }
        Userfaultfds u = new Userfaultfds(k, sys);
        k.uffd = u;
        return u;
    }

    /** {@code userfaultfd(2)} by a task of {@code mm}: a new userfaultfd, to be set up with {@link Userfaultfd#api}. */
    public Userfaultfd open(Mm mm) {
        Userfaultfd u = new Userfaultfd(this, k, mm, nextId++);
        open.add(u);
        return u;
    }

    /** The userfaultfds not closed, in order of creation (a fork with EVENT_FORK adds the child's). */
    public List<Userfaultfd> all() {
        return List.copyOf(open);
    }

    MmSyscalls syscalls() {
        return sys;
    }

    void closed(Userfaultfd u) {
        open.remove(u);
    }

    private long nowNs() {
        return (k.clock.picoTime() - k.threadSkewPs) / 1000;
    }

    @Override
    public void fault(Task task, Vma vma, long va, boolean write, long reason) {
        Object ctx = vma.userfaultfdCtx();
        if (!(ctx instanceof Userfaultfd u)) {
            throw new IllegalStateException("area " + vma + " has userfaultfd flags and no userfaultfd");
        }
        u.fault(task, vma, va, write, reason);
    }

    /**
     * {@code dup_userfaultfd()}: a child area of a userfaultfd with {@code UFFD_FEATURE_EVENT_FORK}
     * is registered with a new userfaultfd of the child (one per parent userfaultfd), announced
     * by a FORK message; without it the child's areas are not registered and lose the uffd-wp
     * bits fork copied ({@code copy_present_pte()}: {@code pte_clear_uffd_wp()}).
     */
    @Override
    public void forked(Mm parent, Mm child, int cpu) {
        java.util.Map<Userfaultfd, Userfaultfd> made = new java.util.LinkedHashMap<>();
        for (Vma v : sys.vmasIn(child, 0, Long.MAX_VALUE)) {
            if (!(v.userfaultfdCtx() instanceof Userfaultfd u)) {
                continue;
            }
            if (u.wants(Uffd.UFFD_FEATURE_EVENT_FORK)) {
                Userfaultfd c = made.computeIfAbsent(u, p -> {
                    Userfaultfd n = open(child);
                    n.inherit(p);
                    return n;
                });
                v.setUserfaultfd(c, v.flags() & Uffd.VM_UFFD_FLAGS, Uffd.VM_UFFD_FLAGS);
            } else {
                if (v.has(Uffd.VM_UFFD_WP)) {
                    clearWpBits(child, v);
                }
                v.setUserfaultfd(null, 0, Uffd.VM_UFFD_FLAGS);
            }
        }
        sys.mergeRange(child, 0, Long.MAX_VALUE);
        for (java.util.Map.Entry<Userfaultfd, Userfaultfd> e : made.entrySet()) {
            e.getKey().event(new UffdMsg(Uffd.UFFD_EVENT_FORK, 0, 0, 0, 0, 0, e.getValue(), nowNs()));
        }
    }

    private void clearWpBits(Mm mm, Vma v) {
        for (long a = v.start(); a < v.end(); a += 4096) {
            int t = k.walkNoAlloc(mm, a, 1);
            if (t < 0) {
                continue;
            }
            long[] ptes = k.tables.table(t);
            int i = Pte.index(a, 1);
            if (Pte.present(ptes[i]) || Pte.isSwap(ptes[i])) {
                // copy_present_pte() / copy_nonpresent_pte(): pte_clear_uffd_wp(),
                // pte_swp_clear_uffd_wp() when the child's area is not userfaultfd_wp()
                ptes[i] &= ~Pte.UFFD_WP;
            }
        }
    }

    /**
     * {@code mremap_userfaultfd_prep()}: the moved area stays registered only if its userfaultfd
     * asked for {@code UFFD_FEATURE_EVENT_REMAP}, which then gets a REMAP message
     * ({@code mremap_userfaultfd_complete()}).
     */
    @Override
    public void remapped(Mm mm, long from, long to, long oldLen, long newLen) {
        Set<Userfaultfd> tell = new LinkedHashSet<>();
        for (Vma v : sys.vmasIn(mm, to, to + newLen)) {
            if (!(v.userfaultfdCtx() instanceof Userfaultfd u)) {
                continue;
            }
            if (u.wants(Uffd.UFFD_FEATURE_EVENT_REMAP)) {
                tell.add(u);
            } else {
                u.clearVma(v);
            }
        }
        for (Userfaultfd u : tell) {
            u.event(new UffdMsg(Uffd.UFFD_EVENT_REMAP, from, 0, 0, to, newLen, null, nowNs()));
        }
    }

    /** {@code userfaultfd_remove()}: a REMOVE message for each area of the range whose userfaultfd asked for {@code UFFD_FEATURE_EVENT_REMOVE}. */
    @Override
    public void removed(Mm mm, long start, long end) {
        for (Vma v : sys.vmasIn(mm, start, end)) {
            if (v.userfaultfdCtx() instanceof Userfaultfd u && u.wants(Uffd.UFFD_FEATURE_EVENT_REMOVE)) {
                u.event(new UffdMsg(Uffd.UFFD_EVENT_REMOVE, Math.max(start, v.start()), 0, 0,
                        Math.min(end, v.end()), 0, null, nowNs()));
            }
        }
    }

    /** {@code userfaultfd_unmap_prep()}: one UNMAP message of the whole range to each userfaultfd with {@code UFFD_FEATURE_EVENT_UNMAP} that has an area in it. */
    @Override
    public void unmapped(Mm mm, long start, long end) {
        Set<Userfaultfd> tell = new LinkedHashSet<>();
        for (Vma v : sys.vmasIn(mm, start, end)) {
            if (v.userfaultfdCtx() instanceof Userfaultfd u && u.wants(Uffd.UFFD_FEATURE_EVENT_UNMAP)) {
                tell.add(u);
            }
        }
        for (Userfaultfd u : tell) {
            u.event(new UffdMsg(Uffd.UFFD_EVENT_UNMAP, start, 0, 0, end, 0, null, nowNs()));
        }
    }
}
