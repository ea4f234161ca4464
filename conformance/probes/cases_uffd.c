/* userfaultfd (issue 12): MISSING, WP and MINOR modes, the SIGBUS feature, hugetlb, events.
 * The case's monitor thread (harness.c) resolves every fault at once; the probes record what
 * the kernel counts and reports, not timing. */
#include "probe.h"

#define N (16 * PG)
#define H (2 * MiB)

static void uffd_missing_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_uffd_open("");
    op_uffd_api("");                       /* a second UFFDIO_API */
    op_uffd_register("a", 0, N, "missing");
    op_uffd_copy("a", 0, 4 * PG, "");
    op_uffd_zeropage("a", 4 * PG, 4 * PG);
    op_observe("after_fill");
    op_uffd_copy("a", 0, PG, "");          /* already there */
    op_uffd_zeropage("a", 4 * PG, PG);
    op_uffd_copy("a", 100, PG, "");        /* unaligned */
    op_read("a", 0, 8 * PG);
    op_write("a", 4 * PG, 4 * PG, 0x11);   /* over the zero-filled pages */
    op_read("a", 8 * PG, 8 * PG);          /* missing: the monitor copies each page */
    op_uffd_events("a");
    op_observe("after_faults");
}

static void uffd_sigbus(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_uffd_open("sigbus");
    op_uffd_register("a", 0, N, "missing");
    op_read("a", 0, 4 * PG);
    op_write("a", 4 * PG, 4 * PG, 0x22);
    op_uffd_events("a");
    op_uffd_copy("a", 0, PG, "");
    op_read("a", 0, PG);
    op_observe("after");
}

static void uffd_wp_anon(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x33);
    op_uffd_open("pagefault_flag_wp|thread_id");
    op_uffd_register("a", 0, N, "wp");
    op_uffd_writeprotect("a", 0, N, "wp");
    op_read("a", 0, N);                    /* reads are not write-protect faults */
    op_write("a", 0, 4 * PG, 0x44);        /* each write faults to the monitor, which un-protects the page */
    op_uffd_events("a");
    op_uffd_writeprotect("a", 4 * PG, 12 * PG, "");
    op_write("a", 0, N, 0x55);             /* all writable again */
    op_uffd_events("a");
    op_uffd_writeprotect("a", 0, N, "wp|dontwake");
    op_observe("after");
}

static void uffd_missing_hugetlb(void) {
    op_sysctl("nr_hugepages", "4");
    MMAP(.label = "a", .len = 2 * H, .prot = "rw", .flags = "private|anonymous|hugetlb");
    op_uffd_open("missing_hugetlbfs");
    op_uffd_register("a", 0, 2 * H, "missing");
    op_uffd_unit(H);
    op_uffd_copy("a", 0, PG, "");          /* not a whole huge page */
    op_uffd_zeropage("a", 0, H);           /* no UFFDIO_ZEROPAGE on hugetlb */
    op_uffd_copy("a", 0, H, "");
    op_read("a", 0, H);                    /* no fault: the whole huge page is there */
    op_write("a", H + 5 * PG, 4 * PG, 0x66); /* one fault, filled 2 MiB at once */
    op_read("a", H, H);
    op_uffd_events("a");
    op_uffd_copy("a", H, H, "");
}

static void uffd_events_remove_unmap(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private|anonymous");
    op_write("a", 0, N, 0x77);
    op_uffd_open("event_remove|event_unmap");
    op_uffd_register("a", 0, N, "missing");
    op_madvise("a", 0, 4 * PG, "dontneed");
    op_uffd_events("a");
    op_munmap("a", 8 * PG, 8 * PG);
    op_uffd_events("a");
    op_read("a", 0, 8 * PG);               /* the removed pages are missing again */
    op_uffd_events("a");
    op_observe("after");
}

static void uffd_minor_shmem(void) {
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared|anonymous");
    op_write("a", 0, N, 0x5a);
    op_madvise("a", 0, N, "dontneed");     /* the pages stay in the shmem object */
    op_uffd_open("minor_shmem");
    op_uffd_register("a", 0, N, "minor");
    op_read("a", 0, N);                    /* a minor fault a page: no fault-around */
    op_uffd_events("a");
    op_observe("after");
}

const struct probe_case cases_uffd[] = {
    {"uffd-missing-anon", "userfaultfd MISSING on private anonymous memory: UFFDIO_COPY and UFFDIO_ZEROPAGE fill pages (EEXIST when present), a second UFFDIO_API is refused, missing faults go to the monitor.", uffd_missing_anon, 3},
    {"uffd-sigbus", "UFFD_FEATURE_SIGBUS: a missing fault raises SIGBUS and queues nothing; UFFDIO_COPY still fills the page.", uffd_sigbus, 3},
    {"uffd-wp-anon", "userfaultfd WP mode: a write to a write-protected page is a WP fault for the monitor; after UFFDIO_WRITEPROTECT clears it the writes proceed.", uffd_wp_anon, 3},
    {"uffd-missing-hugetlb", "userfaultfd MISSING on a hugetlb mapping: UFFDIO_COPY takes whole 2 MiB pages, one fault fills 2 MiB.", uffd_missing_hugetlb, 3},
    {"uffd-events-remove-unmap", "UFFD_FEATURE_EVENT_REMOVE and EVENT_UNMAP: MADV_DONTNEED and munmap of a registered range send REMOVE and UNMAP; removed pages fault as missing.", uffd_events_remove_unmap, 3},
    {"uffd-minor-shmem", "userfaultfd MINOR on shared anonymous memory: pages in the shmem object but not mapped fault to the monitor, one a page, and UFFDIO_CONTINUE maps them.", uffd_minor_shmem, 3},
};
const int cases_uffd_n = sizeof cases_uffd / sizeof cases_uffd[0];
