/* What a full-page write() of a tmpfs page not yet allocated (a hole) leaves in its flags
 * (PG_referenced, PG_active), as /proc/kpageflags shows them through a MAP_POPULATE read-only
 * mapping, whose fault adds one mark of its own (pagecache-marks.c: "mapping_only"). The same
 * question as pagecache-marks.c's "write_miss" for a disk file, on shmem's write path. A tmpfs
 * page cannot be dropped from the cache, so every case writes into a hole. Run as root; prints
 * one JSON object. */
#include "kpageflags.h"

int main(void) {
    char path[] = "/dev/shm/pcmarksXXXXXX";
    int fd = mkstemp(path);
    char buf[PAGE];
    memset(buf, 0x5a, PAGE);
    ftruncate(fd, 8 * PAGE); /* holes: no page cached */
    pwrite(fd, buf, PAGE, 0); /* a full-page write() into a hole: a new page */
    uint64_t written = flags_of(fd, 0);
    pwrite(fd, buf, PAGE, 1 * PAGE);
    pread(fd, buf, PAGE, 1 * PAGE); /* write miss, then one read */
    uint64_t written_read = flags_of(fd, PAGE);
    pwrite(fd, buf, PAGE, 2 * PAGE);
    pwrite(fd, buf, PAGE, 2 * PAGE); /* write miss, then a write hit */
    uint64_t written_twice = flags_of(fd, 2 * PAGE);
    printf("{\n");
    show("write_miss", written, 0);
    show("write_miss_then_read", written_read, 0);
    show("write_miss_then_write", written_twice, 1);
    printf("}\n");
    unlink(path);
    return 0;
}
