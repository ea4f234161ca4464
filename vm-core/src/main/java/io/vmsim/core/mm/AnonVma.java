package io.vmsim.core.mm;

import io.vmsim.core.shmem.ShmemPages;

import java.util.ArrayList;
import java.util.List;

/**
 * The reverse-map root of anonymous pages ({@code struct anon_vma}, {@code mm/rmap.c}): every
 * VMA that may map a page of this anon_vma is on its list, so a page's mappings can be found
 * from the frame alone. An anonymous frame's {@code mapping} field holds the id of its anon_vma
 * and its {@code index} the linear page index; each VMA's address for it follows as
 * {@code vma.start + ((index - vma.pgoff) << 12)} ({@code vma_address()}).
 *
 * <p>Simplification: a forked child's VMA joins the parent's anon_vma instead of getting its
 * own linked through an anon_vma_chain; the set of VMAs an rmap walk visits is the same.
 */
public final class AnonVma {
    private final int id;
    private final List<Vma> vmas = new ArrayList<>(2);
    /**
     * For shared anonymous memory, the shmem object its areas map ({@code shmem_zero_setup()});
     * null for private memory. vmsim keeps the object's pages on this anon_vma's reverse map.
     */
    ShmemPages shmem;

    AnonVma(int id) {
        this.id = id;
    }

    /** The id stored in an anonymous frame's {@code mapping} field. */
    public int id() {
        return id;
    }

    /** The shmem object of a shared anonymous area, or null. */
    public ShmemPages shmem() {
        return shmem;
    }

    /** The VMAs that may map pages of this anon_vma. */
    public List<Vma> vmas() {
        return vmas;
    }

    void link(Vma vma) {
        vmas.add(vma);
    }

    void unlink(Vma vma) {
        vmas.remove(vma);
    }
}
