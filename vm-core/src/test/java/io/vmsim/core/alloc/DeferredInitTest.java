package io.vmsim.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** Frame metadata in sections allocated on first use, and free memory never initialised. */
final class DeferredInitTest {
    private static final long TIB = 1L << 40;

    /**
     * Bytes per frame, counted from the arrays themselves: every per-section table of
     * {@link PageFrames} (a field holding an array of primitive arrays), the size of one element
     * of its section's array.
     */
    private static long bytesPerTouchedFrame(PageFrames f, int section) throws IllegalAccessException {
        long bytes = 0;
        int tables = 0;
        for (Field fld : PageFrames.class.getDeclaredFields()) {
            if (Modifier.isStatic(fld.getModifiers()) || !fld.getType().isArray()
                    || !fld.getType().getComponentType().isArray()) {
                continue;
            }
            fld.setAccessible(true);
            Object[] table = (Object[]) fld.get(f);
            Object sec = table[section];
            Class<?> c = sec.getClass().getComponentType();
            assertThat(c.isPrimitive()).as(fld.getName() + " holds primitive arrays").isTrue();
            int elem = c == long.class || c == double.class ? 8 : c == int.class || c == float.class ? 4
                    : c == short.class || c == char.class ? 2 : 1;
            assertThat(java.lang.reflect.Array.getLength(sec)).isEqualTo(PageFrames.PAGES_PER_SECTION);
            bytes += elem;
            tables++;
        }
        assertThat(tables).isEqualTo(PageFrames.INT_ARRAYS_PER_SECTION);
        return bytes;
    }

    @Test
    void metadataPerTouchedFrame_isAtMost32Bytes_countedFromTheArraysOfASection() throws Exception {
        PageFrames f = new PageFrames(4 * PageFrames.PAGES_PER_SECTION, new int[] {0});
        assertThat(f.presentSections()).isZero();
        assertThat(f.metadataBytes()).isZero();
        f.setMapping(PageFrames.PAGES_PER_SECTION + 7, 42); // one write to section 1
        assertThat(f.presentSections()).isEqualTo(1);
        assertThat(f.sectionPresent(PageFrames.PAGES_PER_SECTION)).isTrue();
        assertThat(f.sectionPresent(0)).isFalse();
        long perFrame = bytesPerTouchedFrame(f, 1);
        assertThat(perFrame).isLessThanOrEqualTo(32).isEqualTo(PageFrames.BYTES_PER_FRAME);
        assertThat(f.metadataBytes()).isEqualTo(perFrame * PageFrames.PAGES_PER_SECTION);
        // reads of a section never written see a clean frame, and allocate nothing
        assertThat(f.flags(3)).isZero();
        assertThat(f.mapping(PageFrames.PAGES_PER_SECTION + 7)).isEqualTo(42);
        assertThat(f.presentSections()).isEqualTo(1);
    }

    @Test
    void aFourTibMachine_bootsWithNoFrameInitialised_andTheFirstAllocationInitialisesOneBlockOfOneSection() {
        int nrFrames = (int) ((4 * TIB) >>> 12);
        PageFrames f = new PageFrames(nrFrames, new int[] {0, nrFrames / 2});
        PageAllocator a = new PageAllocator(f, 2, -1, 10, 31);
        assertThat(f.presentSections()).isZero();
        assertThat(a.managedPages()).isEqualTo(nrFrames);
        assertThat(a.nrFreePages()).isEqualTo(nrFrames);
        // three zones (DMA32 and Normal on node 0, Normal on node 1), all in MAX_ORDER blocks
        long blocks = 0;
        for (Zone z : a.zones()) {
            blocks += z.nrFree(Zone.MAX_ORDER);
            assertThat(z.uninitialisedPages()).isEqualTo(z.managedPages());
        }
        assertThat(blocks).isEqualTo(nrFrames >>> Zone.MAX_ORDER);

        int pfn = a.allocPages(Gfp.GFP_KERNEL, 0, 0, 1);
        // node 1's zone hands out from its top (the head of its MAX_ORDER list after memblock_free_all())
        assertThat(a.zoneOf(pfn).node()).isEqualTo(1);
        assertThat(pfn).isBetween(nrFrames - Zone.MAX_ORDER_NR_PAGES, nrFrames - 1);
        assertThat(f.presentSections()).isEqualTo(1);
        assertThat(a.freePages()).isEqualTo(nrFrames - 1L);
        assertThat(a.isFreeFrame(0)).isTrue();
        assertThat(a.isFreeFrame(pfn)).isFalse();
        a.verify();
    }

    @Test
    void aSectionBeyondTheBudget_stopsTheRunWithTheHeapItNeeds_insteadOfOutOfMemoryError() {
        PageFrames f = new PageFrames(1 << 30, new int[] {0});
        f.setSectionBudget(2);
        f.setHeapIfAllTouched(60L << 30);
        f.setFlags(0, 1);
        f.setFlags(PageFrames.PAGES_PER_SECTION, 1);
        assertThat(f.presentSections()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.setRefcount(5 * PageFrames.PAGES_PER_SECTION + 1, 1))
                .isInstanceOf(PageFrames.HeapExhaustedException.class)
                .isInstanceOf(io.vmsim.core.error.UserError.class)
                .hasMessageContaining("it has touched 256 MiB of simulated memory (2 sections of 128 MiB) and section 5")
                // 60 GiB with a quarter to spare
                .hasMessageContaining("needs about 60 GiB (e.g. VMSIM_JAVA_OPTS=-Xmx75g)");
        assertThat(f.presentSections()).isEqualTo(2);
        assertThat(f.refcount(5 * PageFrames.PAGES_PER_SECTION + 1)).isZero();
    }
}
