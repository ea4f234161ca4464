package io.vmsim.core.alloc;

/** TEMPORARY STUB replaced at merge by the real buddy allocator. */
public final class PageAllocator {
    private final PageFrames frames;
    private final int[] freeStack;
    private int top;

    public PageAllocator(PageFrames frames) {
        this.frames = frames;
        freeStack = new int[frames.nrFrames()];
        for (int p = frames.nrFrames() - 1; p >= 0; p--) {
            freeStack[top++] = p;
            frames.flags[p] = PageFrames.PG_BUDDY;
        }
    }

    public int allocPages(int gfp, int order, int cpu, int preferredNode) {
        if (order != 0 || top == 0) {
            return -1;
        }
        int p = freeStack[--top];
        frames.flags[p] = 0;
        frames.refcount[p] = 1;
        return p;
    }

    public void freePages(int pfn, int order, int cpu) {
        frames.flags[pfn] = PageFrames.PG_BUDDY;
        freeStack[top++] = pfn;
    }

    public long freePages() {
        return top;
    }

    public long nodeFreePages(int node) {
        return top;
    }

    public java.util.Map<String, Long> vmstat() {
        return new java.util.LinkedHashMap<>(java.util.Map.of("nr_free_pages", (long) top));
    }

    public String buddyinfo() {
        return "";
    }
}
