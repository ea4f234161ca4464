package io.vmsim.core.alloc;

/** TEMPORARY STUB replaced at merge. */
public final class Gfp {
    private Gfp() {
    }

    public static final int GFP_PGTABLE_USER = 1;
    public static final int GFP_HIGHUSER_MOVABLE = 2;
    public static final int GFP_TRANSHUGE = 4;
    public static final int GFP_TRANSHUGE_LIGHT = 8;
    public static final int GFP_KERNEL = 16;
    public static final int __GFP_ZERO = 32;
    public static final int __GFP_MOVABLE = 64;
    public static final int __GFP_KSWAPD_RECLAIM = 128;
    public static final int __GFP_NORETRY = 256;
    public static final int __GFP_COMP = 512;
}
