/* vmsim conformance probes: the harness API the cases use.
 * Every operation a case performs goes through an op_* function, which
 * records the operation (so the vmsim side can replay it) and what the
 * kernel did (errno, faults of this process, signals, values read).
 * See ../README.md for the output format. */
#ifndef VMSIM_PROBE_H
#define VMSIM_PROBE_H

#define _GNU_SOURCE
#include <stddef.h>
#include <sys/types.h>

#define KiB 1024L
#define MiB (1024L * 1024L)
#define PG 4096L

struct mm {
    const char *label;  /* name the later ops use for this mapping */
    long len;           /* bytes */
    const char *prot;   /* "none", "r", "rw" */
    const char *flags;  /* "private|anonymous", "shared|anonymous", "private" (file), "shared" (file); also |populate |noreserve |locked */
    const char *file;   /* name of a file created by op_file / op_memfd, or NULL */
    long file_offset;
    const char *after;  /* place the mapping immediately after this mapping */
    const char *before; /* place the mapping immediately before this mapping */
    int anywhere;       /* let the kernel choose the address (huge sizes) */
};

void *op_mmap(struct mm m);
#define MMAP(...) op_mmap((struct mm){__VA_ARGS__})

int op_munmap(const char *label, long off, long len);
int op_mprotect(const char *label, long off, long len, const char *prot);
int op_madvise(const char *label, long off, long len, const char *advice);
int op_mremap(const char *label, long new_len, const char *flags, const char *old_as);
int op_mlock(const char *label, long off, long len, const char *flags);
int op_munlock(const char *label, long off, long len);
int op_msync(const char *label, long off, long len, const char *flags);
/* mempolicy (issue 10): mode default local bind preferred preferred-many interleave weighted-interleave,
   or anything else for an invalid mode number; nodes is the node mask, bit n for node n */
int op_mbind(const char *label, long off, long len, const char *mode, long nodes);
int op_set_mempolicy(const char *mode, long nodes);
int op_write(const char *label, long off, long len, int value);
int op_read(const char *label, long off, long len);

void op_file(const char *name, long len, int value);
void op_memfd(const char *name, long len, int value);
void op_reopen_rdonly(const char *name, const char *of); /* the same file opened O_RDONLY */
int op_pread(const char *name, long off, long len);
int op_pwrite(const char *name, long off, long len, int value);
int op_fsync(const char *name);
int op_fadvise(const char *name, long off, long len, const char *advice);
int op_ftruncate(const char *name, long len);

pid_t op_fork(void);
void op_exit(void) __attribute__((noreturn));
void op_wait(pid_t pid);

void op_sysctl(const char *name, const char *value);

/* userfaultfd (issue 12): one userfaultfd per case, with a monitor thread that resolves faults
   (see harness.c); mode words: missing wp minor (register), wp dontwake (copy, writeprotect) */
int op_uffd_open(const char *features); /* features: sigbus|thread_id|event_unmap|... */
int op_uffd_api(const char *features);  /* UFFDIO_API again on the same userfaultfd */
int op_uffd_register(const char *label, long off, long len, const char *mode);
int op_uffd_unregister(const char *label, long off, long len);
int op_uffd_copy(const char *label, long off, long len, const char *mode);
int op_uffd_zeropage(const char *label, long off, long len);
int op_uffd_writeprotect(const char *label, long off, long len, const char *mode);
void op_uffd_unit(long bytes);           /* what the monitor fills a missing fault with: 4 KiB or a huge page */
void op_uffd_events(const char *label);  /* the messages the monitor read since the last call */
int op_cgroup_create(long limit_bytes); /* 0 ok, else skipped (reason already emitted) */
int op_cgroup_enter(void);              /* in a child: move this process into the cgroup */

void op_observe(const char *label);
void op_observe_save(const char *label); /* observe, and keep each mapping's frame numbers to compare later */

/* facts computed by a case itself */
void fact_i(const char *key, long long v);
void fact_b(const char *key, int v);
void fact_s(const char *key, const char *v);
long long meminfo_kb(const char *field);
long long sysfs_ll(const char *path);
void *map_addr(const char *label);
int swap_present(void);

void skip(const char *reason) __attribute__((noreturn));

struct probe_case {
    const char *id;
    const char *description;
    void (*run)(void);
    int runs;
};
/* every group of cases (cases.c) */
struct probe_group {
    const struct probe_case *cases;
    const int *n;
};
extern const struct probe_group probe_groups[];

#endif
