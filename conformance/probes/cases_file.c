/* File mappings and the page cache (files live in /tmp, on the root file system). */
#include "probe.h"

#define N (16 * PG)

static void fork_private_file_cow(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private", .file = "f");
    op_read("a", 0, N);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_read("a", 0, N);
        op_write("a", 0, N, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_pread("f", 0, N);
    op_observe("parent_after_child");
}

static void private_file_write(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private", .file = "f");
    op_write("a", 0, 4 * PG, 0x5a);
    op_pread("f", 0, N);
    op_observe("after_write");
}

static void fork_shared_file(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared", .file = "f");
    op_read("a", 0, N);
    op_observe_save("parent_before_fork");
    pid_t pid = op_fork();
    if (pid == 0) {
        op_write("a", 0, N, 0x22);
        op_observe("child_after_write");
        op_exit();
    }
    op_wait(pid);
    op_read("a", 0, N);
    op_pread("f", 0, N);
    op_observe("parent_after_child");
}

static void shared_file_write_msync(void) {
    op_file("f", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "shared", .file = "f");
    op_write("a", 0, N, 0x5a);
    op_observe("after_write");
    op_msync("a", 0, N, "sync");
    op_observe("after_msync");
    op_write("a", 0, N, 0x6b);
    op_pread("f", 0, N);
}

static void file_read_cache(void) {
    op_file("f", 64 * PG, 0x41);
    op_fadvise("f", 0, 0, "dontneed");
    op_observe("after_dontneed");
    op_pread("f", 0, 64 * PG);
    op_observe("after_read");
    op_fadvise("f", 0, 0, "dontneed");
    op_observe("after_dontneed2");
}

static void file_mmap_cold(void) {
    op_file("f", 64 * PG, 0x41);
    op_fadvise("f", 0, 0, "dontneed");
    MMAP(.label = "a", .len = 64 * PG, .prot = "r", .flags = "private", .file = "f");
    op_read("a", 0, 64 * PG);
    op_observe("after_read");
}

static void file_mmap_warm(void) {
    op_file("f", 64 * PG, 0x41);
    op_pread("f", 0, 64 * PG);
    MMAP(.label = "a", .len = 64 * PG, .prot = "r", .flags = "private", .file = "f");
    op_read("a", 0, 64 * PG);
    op_observe("after_read");
}

static void file_beyond_eof_sigbus(void) {
    op_file("f", PG, 0x41);
    MMAP(.label = "a", .len = 4 * PG, .prot = "r", .flags = "shared", .file = "f");
    op_read("a", 0, PG);
    op_read("a", PG, PG);
    op_observe("after_read");
}

static void file_truncate_sigbus(void) {
    op_file("f", 4 * PG, 0x41);
    MMAP(.label = "a", .len = 4 * PG, .prot = "r", .flags = "shared", .file = "f");
    op_read("a", 0, 4 * PG);
    op_ftruncate("f", PG);
    op_observe("after_truncate");
    op_read("a", 0, PG);
    op_read("a", 2 * PG, PG);
}

static void file_shared_write_on_rdonly_fd(void) {
    op_file("f", N, 0x41);
    op_reopen_rdonly("r", "f");
    MMAP(.label = "w", .len = N, .prot = "rw", .flags = "shared", .file = "r");
    MMAP(.label = "a", .len = N, .prot = "r", .flags = "shared", .file = "r");
    op_mprotect("a", 0, N, "rw");
    MMAP(.label = "p", .len = N, .prot = "rw", .flags = "private", .file = "r");
    op_write("p", 0, PG, 0x5a);
    op_pread("f", 0, PG);
}

static void memfd_cow_private(void) {
    op_memfd("m", N, 0x41);
    MMAP(.label = "a", .len = N, .prot = "rw", .flags = "private", .file = "m");
    MMAP(.label = "b", .len = N, .prot = "r", .flags = "shared", .file = "m");
    op_write("a", 0, 4 * PG, 0x5a);
    op_read("b", 0, N);
    op_read("a", 0, N);
    op_observe("after_access");
}

const struct probe_case cases_file[] = {
    {"fork-private-file-cow", "A private file mapping read, then fork: the child's writes copy; the file and the parent see the original bytes.", fork_private_file_cow, 5},
    {"private-file-write", "Writes to a private file mapping create anonymous copies; the file is unchanged.", private_file_write, 5},
    {"fork-shared-file", "A shared file mapping across fork: the child's writes reach the parent and the file.", fork_shared_file, 5},
    {"shared-file-write-msync", "Writes to a shared file mapping dirty the pages; msync(MS_SYNC) writes them back (dirty -> clean in smaps); pread sees later writes at once.", shared_file_write_msync, 5},
    {"file-read-page-cache", "read() of a 64-page file brings it into the page cache (mincore); POSIX_FADV_DONTNEED drops it.", file_read_cache, 5},
    {"file-mmap-read-cold", "Reading a mapped file that is not cached: major faults, read-around, fault-around.", file_mmap_cold, 5},
    {"file-mmap-read-warm", "Reading a mapped file that is fully cached: minor faults only, fault-around maps several pages a fault.", file_mmap_warm, 5},
    {"file-beyond-eof-sigbus", "A 4-page shared mapping of a 1-page file: the page past EOF raises SIGBUS.", file_beyond_eof_sigbus, 5},
    {"file-truncate-sigbus", "Truncating a mapped file to 1 page: access to the truncated pages raises SIGBUS, the first page still reads.", file_truncate_sigbus, 5},
    {"file-rdonly-fd-shared-write", "A file opened O_RDONLY: MAP_SHARED PROT_WRITE fails EACCES, a read-only shared mapping cannot be mprotect'ed to rw (EACCES), a MAP_PRIVATE rw mapping works and leaves the file unchanged.", file_shared_write_on_rdonly_fd, 5},
    {"memfd-private-cow", "A private and a shared mapping of one memfd: private writes copy, the shared mapping keeps the original.", memfd_cow_private, 5},
};
const int cases_file_n = sizeof cases_file / sizeof cases_file[0];
