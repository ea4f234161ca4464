package io.vmsim.core.mmu;

/**
 * The translation hardware of a CPU model: L1 data TLBs per page size, the shared second-level
 * TLB (STLB), and the paging-structure ("page-walk") caches.
 *
 * @param name        the profile's name, the value of {@code cpu.profile}
 * @param l1d4k       L1 DTLB for 4 KiB pages
 * @param l1d2m       L1 DTLB for 2 MiB pages
 * @param l1d1g       L1 DTLB for 1 GiB pages
 * @param stlb        the unified second-level TLB
 * @param stlbHolds2m true if the STLB also caches 2 MiB translations
 * @param pwcPml4     entries of the PML4E cache (skips the top level), 0 for none
 * @param pwcPdpte    entries of the PDPTE cache (skips two levels)
 * @param pwcPde      entries of the PDE cache (leaves only the PTE to read)
 */
public record CpuProfile(String name, TlbGeometry l1d4k, TlbGeometry l1d2m, TlbGeometry l1d1g,
                         TlbGeometry stlb, boolean stlbHolds2m, int pwcPml4, int pwcPdpte, int pwcPde) {

    /**
     * The size and associativity of one TLB.
     *
     * @param entries number of entries
     * @param ways    associativity; {@code ways == entries} is fully associative
     */
    public record TlbGeometry(int entries, int ways) {
        public TlbGeometry {
            if (entries <= 0 || ways <= 0 || entries % ways != 0 || Integer.bitCount(entries / ways) != 1) {
                throw new IllegalArgumentException("TLB of " + entries + " entries, " + ways
                        + " ways: sets must be a power of two");
            }
        }

        public int sets() {
            return entries / ways;
        }
    }

    /**
     * Intel Haswell: L1 DTLB 64 x 4K (4-way), 32 x 2M (4-way), 4 x 1G (fully associative); a
     * 1024-entry 8-way STLB shared by 4K and 2M pages (the sizes {@code seeds/003_*} quotes,
     * from Intel's optimization manual). Page-walk cache sizes are not documented by Intel;
     * these are the usual estimates from the literature.
     */
    public static final CpuProfile HASWELL = new CpuProfile("haswell",
            new TlbGeometry(64, 4), new TlbGeometry(32, 4), new TlbGeometry(4, 4),
            new TlbGeometry(1024, 8), true, 2, 4, 32);

    /**
     * A 2010-era Intel server core (Nehalem/Westmere, the class of machine the THP commit in
     * {@code seeds/004_*} was measured on): L1 DTLB 64 x 4K and 32 x 2M (4-way), a 512-entry
     * 4-way STLB for 4K pages only.
     */
    public static final CpuProfile REFERENCE_2010 = new CpuProfile("reference-2010",
            new TlbGeometry(64, 4), new TlbGeometry(32, 4), new TlbGeometry(4, 4),
            new TlbGeometry(512, 4), false, 2, 4, 32);

    /**
     * The machine {@code conformance/calibration/} measured (an AMD EPYC, CPU family 26, in a VM):
     * L1 DTLB 96 x 4K and 96 x 2M, fully associative (CPUID 0x80000005); a shared L2 TLB of 4096
     * entries for 4K and 2M pages, 8-way (CPUID 0x80000006 gives the ways but reports 128
     * entries in this VM; the pointer-chase sweep of {@code microbench.json} shows 4 KiB and
     * 2 MiB pages costing the same up to 4096 pages and parting at 8192, so 4096 is used).
     * CPUID gives no 1 GiB L1 entries; 4 is assumed. Page-walk cache sizes are not published;
     * haswell's estimates are assumed.
     */
    public static final CpuProfile HOST = new CpuProfile("host",
            new TlbGeometry(96, 96), new TlbGeometry(96, 96), new TlbGeometry(4, 4),
            new TlbGeometry(4096, 8), true, 2, 4, 32);

    /** The profile of a {@code cpu.profile} value. */
    public static CpuProfile byName(String name) {
        return switch (name) {
            case "haswell" -> HASWELL;
            case "reference-2010" -> REFERENCE_2010;
            case "host" -> HOST;
            default -> throw new IllegalArgumentException("cpu.profile '" + name
                    + "': expected haswell, reference-2010 or host");
        };
    }

    /** TLB reach with 4 KiB pages: (L1 4K + STLB entries) x 4 KiB. */
    public long reach4k() {
        return (long) (l1d4k.entries() + stlb.entries()) << 12;
    }

    /** TLB reach with 2 MiB pages. */
    public long reach2m() {
        return (long) (l1d2m.entries() + (stlbHolds2m ? stlb.entries() : 0)) << 21;
    }
}
