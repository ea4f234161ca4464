/* What read() and write() leave in a page-cache page's flags (PG_referenced, PG_active), as
 * /proc/kpageflags shows them: after one read() of a page not cached, after a second read(),
 * and after a full-page write() of a page not cached. The PFN comes from /proc/self/pagemap of
 * a MAP_POPULATE read-only mapping made after the reads (run as root). Prints one JSON object. */
#include "kpageflags.h"

int main(void) {
    char path[] = "/var/tmp/pcmarksXXXXXX";
    int fd = mkstemp(path);
    char buf[PAGE];
    memset(buf, 0x5a, PAGE);
    for (int i = 0; i < 4; i++) write(fd, buf, PAGE);
    fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* no readahead: one page per read */
    pread(fd, buf, PAGE, 0);
    uint64_t once = flags_of(fd, 0);
    pread(fd, buf, PAGE, 1 * PAGE);
    pread(fd, buf, PAGE, 1 * PAGE);
    uint64_t twice = flags_of(fd, PAGE);
    /* a full-page write() of a page that is not cached */
    ftruncate(fd, 4 * PAGE);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    pwrite(fd, buf, PAGE, 2 * PAGE);
    uint64_t written = flags_of(fd, 2 * PAGE);
    /* the measuring mapping alone, on a page not cached, then read once with the read first */
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    uint64_t mapped_only = flags_of(fd, 3 * PAGE);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    pread(fd, buf, PAGE, 3 * PAGE);
    pread(fd, buf, PAGE, 3 * PAGE);
    pread(fd, buf, PAGE, 3 * PAGE);
    uint64_t thrice = flags_of(fd, 3 * PAGE);
    printf("{\n");
    show("read_once", once, 0);
    show("read_twice", twice, 0);
    show("write_miss", written, 0);
    show("mapping_only", mapped_only, 0);
    show("read_thrice", thrice, 1);
    printf("}\n");
    unlink(path);
    return 0;
}
