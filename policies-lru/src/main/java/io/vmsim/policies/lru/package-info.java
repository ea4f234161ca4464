/**
 * Built-in reclaim policies. Kernel-like policies that learn of use from accessed bits:
 * {@code linux-2list} (mm/vmscan.c, mm/workingset.c of Linux 6.18 without MGLRU), {@code mglru}
 * (Documentation/mm/multigen_lru.rst), {@code clock}, {@code clock-pro}. Cache-study policies that
 * see every reference: exact {@code lru}, {@code arc}, {@code lirs}, {@code s3fifo}, and the
 * offline {@code opt}; and {@code fifo}. Per-frame state lives in the frames' own links and
 * policy bits ({@link io.vmsim.api.machine.PageLists}); ghost entries of evicted pages live in
 * primitive maps and rings keyed by page.
 */
package io.vmsim.policies.lru;
