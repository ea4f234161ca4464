/*
 * Does a userfaultfd write protection survive swap-out? (Recorded for UserfaultfdEventsTest.)
 * Eight anonymous pages are written, registered for WP and write-protected; MADV_PAGEOUT swaps
 * the first four out. /proc/self/pagemap then gives, per page, present (bit 63), swapped (62)
 * and uffd-wp (57: PM_UFFD_WP, set for a protected PTE or swap entry). Page 3 is unprotected
 * while swapped out, page 1 is read back in; then pages 0-3 are written, each from a thread of its
 * own, and the main thread records the WP fault each write raised (-1: none), resolving it by
 * unprotecting the page.
 * Needs root (pagemap's bits) and a swap device. Run:
 *   cc -O2 -pthread -o /tmp/wp-swap conformance/uffd/wp-swap.c && /tmp/wp-swap > conformance/uffd/wp-swap.json
 * (with a swap device on: e.g. fallocate -l 256M F, mkswap F, swapon F; swapoff F after).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PAGE 4096UL
#define N 8
static int uffd;
static char *base;
static long faults[16];
static int nfaults;

static uint64_t pm(int pmfd, int i) {
    uint64_t e = 0;
    if (pread(pmfd, &e, 8, ((uintptr_t)(base + i * PAGE) / PAGE) * 8) != 8) { perror("pagemap"); exit(1); }
    return e;
}

static void bits(const char *name, int pmfd) {
    printf("  \"%s\": [", name);
    for (int i = 0; i < N; i++) {
        uint64_t e = pm(pmfd, i);
        printf("%s{\"present\": %d, \"swapped\": %d, \"uffd_wp\": %d}", i ? ", " : "",
               (int)(e >> 63 & 1), (int)(e >> 62 & 1), (int)(e >> 57 & 1));
    }
    printf("],\n");
}

static int target;
static void *writer(void *arg) {
    (void)arg;
    base[target * PAGE] = (char)(10 + target);
    return NULL;
}

/* Writes page i on a thread of its own; reports the WP fault it raises (resolved by unprotecting
 * the page), or -1 when none comes within 300 ms and the write completes by itself. */
static long write_page(int i) {
    target = i;
    pthread_t th;
    pthread_create(&th, NULL, writer, NULL);
    long got = -1;
    struct pollfd p = {uffd, POLLIN, 0};
    if (poll(&p, 1, 300) > 0) {
        struct uffd_msg msg;
        if (read(uffd, &msg, sizeof msg) == sizeof msg && msg.event == UFFD_EVENT_PAGEFAULT) {
            got = (long)((char *)(uintptr_t)msg.arg.pagefault.address - base) / (long)PAGE;
            if (!(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)) got = -100 - got;
            struct uffdio_writeprotect wp = {{msg.arg.pagefault.address & ~(PAGE - 1), PAGE}, 0};
            if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) perror("unprotect");
        }
    }
    pthread_join(th, NULL);
    return got;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int pmfd = open("/proc/self/pagemap", O_RDONLY);
    base = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < N; i++) base[i * PAGE] = (char)(100 + i);
    uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {UFFD_API, UFFD_FEATURE_PAGEFAULT_FLAG_WP, 0};
    if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) { perror("userfaultfd"); return 1; }
    struct uffdio_register reg = {{(uintptr_t)base, N * PAGE}, UFFDIO_REGISTER_MODE_WP, 0};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg)) { perror("register"); return 1; }
    struct uffdio_writeprotect wp = {{(uintptr_t)base, N * PAGE}, UFFDIO_WRITEPROTECT_MODE_WP};
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) { perror("protect"); return 1; }
    if (madvise(base, 4 * PAGE, MADV_PAGEOUT)) { perror("pageout"); return 1; }
    struct utsname u;
    uname(&u);
    printf("{\n  \"kernel\": \"%s\",\n", u.release);
    bits("after_pageout", pmfd);
    struct uffdio_writeprotect un = {{(uintptr_t)(base + 3 * PAGE), PAGE}, 0};
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &un)) { perror("unprotect 3"); return 1; }
    bits("after_unprotect_3", pmfd);
    int v1 = base[1 * PAGE];
    bits("after_read_1", pmfd);
    for (int i = 0; i < 4; i++) faults[nfaults++] = write_page(i);
    printf("  \"read_1\": %d,\n  \"wp_faults\": [", v1);
    for (int i = 0; i < nfaults; i++) printf("%s%ld", i ? ", " : "", faults[i]);
    printf("],\n  \"values\": [");
    for (int i = 0; i < N; i++) printf("%s%d", i ? ", " : "", base[i * PAGE]);
    printf("]\n}\n");
    return 0;
}
