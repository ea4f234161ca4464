/* vmsim conformance probes: the harness.
 *
 *   vmprobe --list            prints every case id, one a line
 *   vmprobe ID                runs case ID (several times, each run in a fresh
 *                             process) and prints ONE JSON object on stdout
 *   vmprobe --once ID         one run, printing the line protocol the merge reads
 *
 * Measurement discipline: no stdio and no malloc while a case runs; every
 * buffer is static and touched before the case starts, and the harness's own
 * mappings are touched again in a forked child, so that the per-process fault
 * counts (getrusage ru_minflt/ru_majflt) taken around each operation count
 * only the faults the operation itself caused. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sched.h>
#include <linux/userfaultfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

/* ------------------------------------------------------------------ output */

static char g_line[8192];

static void out_raw(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            _exit(71);
        }
        s += w;
        n -= (size_t)w;
    }
}

static void emit(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(g_line, sizeof g_line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof g_line) n = sizeof g_line - 1;
    out_raw(g_line, (size_t)n);
}

static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* JSON string escaping into a caller buffer */
static void jesc(char *dst, size_t cap, const char *s) {
    size_t j = 0;
    for (; *s && j + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { dst[j++] = '\\'; dst[j++] = (char)c; }
        else if (c < 0x20) j += (size_t)snprintf(dst + j, cap - j, "\\u%04x", c);
        else dst[j++] = (char)c;
    }
    dst[j] = 0;
}

/* --------------------------------------------------------------- state */

#define MAXMAPS 16
#define MAXFILES 8
#define PFNCAP 16384

struct mapping {
    char label[32];
    char *addr;
    long len;
    int live;
    const char *file;
    pid_t owner;
};
struct pfile {
    char name[32];
    char path[256];
    int fd;
    long len;
};

/* shared between the case's processes (parent and forked children) */
struct shared {
    int next_op;
    int nmaps;
    struct mapping maps[MAXMAPS];
    int have_saved[MAXMAPS];
    unsigned long long saved[MAXMAPS][PFNCAP];
    volatile long progress; /* a child's progress, for cases that get killed */
};
static struct shared *S;

static struct pfile g_files[MAXFILES];
static int g_nfiles;
static const char *g_proc = "parent";
static int g_is_child;
static pid_t g_parent;
static char *g_arena;      /* start of the address range reserved for case mappings */
static char *g_next_slot;
static long g_page;
static char g_tmpdir[128];
static char g_cgroup[512];

/* harness mappings to re-touch in a child */
struct range { char *lo, *hi; int w, shared; };
static struct range g_harness[128];
static int g_nharness;

static long g_base_vmas;
static long long g_base_rollup[8];

static char g_buf[1 << 20];   /* /proc reads */
static char g_buf2[1 << 16];
static unsigned long long g_pm[PFNCAP];
static unsigned long long g_sorted[PFNCAP];

static sigjmp_buf g_jb;
static volatile sig_atomic_t g_guard;

/* ------------------------------------------------------------- settings */

struct setting {
    const char *name, *path;
    int bracketed;
    char orig[64];
    int saved;
};
static struct setting g_settings[] = {
    {"thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled", 1, "", 0},
    {"thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", 1, "", 0},
    {"overcommit_memory", "/proc/sys/vm/overcommit_memory", 0, "", 0},
    {"overcommit_ratio", "/proc/sys/vm/overcommit_ratio", 0, "", 0},
    {"nr_hugepages", "/proc/sys/vm/nr_hugepages", 0, "", 0}, /* userfaultfd (issue 12): hugetlb cases */
};
#define NSETTINGS (int)(sizeof g_settings / sizeof g_settings[0])

static ssize_t read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0) { if (errno == EINTR) continue; close(fd); return -1; }
        if (r == 0) break;
        n += (size_t)r;
        if (n >= cap - 1) break;
    }
    close(fd);
    buf[n] = 0;
    return (ssize_t)n;
}

static int write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t w = write(fd, s, strlen(s));
    int e = w < 0 ? errno : 0;
    close(fd);
    return -e;
}

static void setting_value(struct setting *s, char *out, size_t cap) {
    char b[256];
    out[0] = 0;
    if (read_file(s->path, b, sizeof b) < 0) return;
    if (s->bracketed) {
        char *l = strchr(b, '['), *r = l ? strchr(l, ']') : NULL;
        if (l && r) { *r = 0; copy_str(out, cap, l + 1); }
    } else {
        b[strcspn(b, "\n")] = 0;
        copy_str(out, cap, b);
    }
}

static void restore_settings(void) {
    if (g_is_child) return;
    for (int i = 0; i < NSETTINGS; i++)
        if (g_settings[i].saved) {
            char cur[64];
            setting_value(&g_settings[i], cur, sizeof cur);
            if (strcmp(cur, g_settings[i].orig) != 0) write_file(g_settings[i].path, g_settings[i].orig);
        }
}

static void cleanup(void) {
    if (g_is_child) return;
    restore_settings();
    for (int i = 0; i < g_nfiles; i++)
        if (g_files[i].path[0]) unlink(g_files[i].path);
    if (g_tmpdir[0]) rmdir(g_tmpdir);
    if (g_cgroup[0]) {
        for (int i = 0; i < 50 && rmdir(g_cgroup) != 0 && errno == EBUSY; i++) usleep(20000);
        g_cgroup[0] = 0;
    }
}

static void on_fatal(int sig) {
    if (g_guard) siglongjmp(g_jb, sig);
    cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ------------------------------------------------------------ parsing */

static long long field_ll(const char *buf, const char *name) {
    size_t n = strlen(name);
    for (const char *p = buf; p && *p;) {
        if (strncmp(p, name, n) == 0 && (p[n] == ':' || p[n] == ' ')) return strtoll(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p) p++;
    }
    return -1;
}

long long meminfo_kb(const char *field) {
    if (read_file("/proc/meminfo", g_buf2, sizeof g_buf2) < 0) return -1;
    return field_ll(g_buf2, field);
}

long long sysfs_ll(const char *path) {
    char b[128];
    if (read_file(path, b, sizeof b) < 0) return -1;
    return strtoll(b, NULL, 10);
}

int swap_present(void) {
    return meminfo_kb("SwapTotal") > 0;
}

static const char *VMSTAT_KEYS[] = {"pgfault", "pgmajfault", "thp_fault_alloc", "thp_fault_fallback",
                                    "thp_collapse_alloc", "thp_split_pmd", "thp_zero_page_alloc",
                                    "pswpin", "pswpout", "pgpgin"};
#define NVM (int)(sizeof VMSTAT_KEYS / sizeof VMSTAT_KEYS[0])

static void vmstat_read(long long *v) {
    if (read_file("/proc/vmstat", g_buf2, sizeof g_buf2) < 0) {
        for (int i = 0; i < NVM; i++) v[i] = 0;
        return;
    }
    for (int i = 0; i < NVM; i++) v[i] = field_ll(g_buf2, VMSTAT_KEYS[i]);
}

/* one VMA of /proc/self/smaps */
struct vma {
    unsigned long lo, hi;
    char perms[8];
    const char *body; /* points into g_buf, fields until the next header */
    const char *end;
};
static struct vma g_vmas[4096];
static int g_nvma;

static int is_header(const char *p) {
    /* "hex-hex perms ..." */
    const char *q = p;
    while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')) q++;
    return q > p && *q == '-';
}

static void smaps_read(void) {
    g_nvma = 0;
    if (read_file("/proc/self/smaps", g_buf, sizeof g_buf) < 0) return;
    char *p = g_buf;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (is_header(p)) {
            if (g_nvma > 0) g_vmas[g_nvma - 1].end = p;
            struct vma *v = &g_vmas[g_nvma++];
            v->lo = strtoul(p, &p, 16);
            v->hi = strtoul(p + 1, &p, 16);
            memcpy(v->perms, p + 1, 4);
            v->perms[4] = 0;
            v->body = nl ? nl + 1 : p;
            v->end = NULL;
            if (g_nvma >= 4096) break;
        }
        if (!nl) break;
        p = nl + 1;
    }
    if (g_nvma > 0) g_vmas[g_nvma - 1].end = g_buf + strlen(g_buf);
}

static long long vma_field(const struct vma *v, const char *name) {
    size_t n = strlen(name);
    for (const char *p = v->body; p && p < v->end;) {
        if (strncmp(p, name, n) == 0 && p[n] == ':') return strtoll(p + n + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p) p++;
    }
    return 0;
}

static void vma_vmflags(const struct vma *v, char *out, size_t cap) {
    out[0] = 0;
    for (const char *p = v->body; p && p < v->end;) {
        if (strncmp(p, "VmFlags:", 8) == 0) {
            const char *e = strchr(p, '\n');
            size_t n = (size_t)((e ? e : v->end) - (p + 9));
            if (n >= cap) n = cap - 1;
            memcpy(out, p + 9, n);
            out[n] = 0;
            while (n > 0 && out[n - 1] == ' ') out[--n] = 0;
            return;
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
}

static long count_vmas(void) {
    if (read_file("/proc/self/maps", g_buf, sizeof g_buf) < 0) return -1;
    long n = 0;
    for (char *p = g_buf; *p; p++)
        if (*p == '\n') n++;
    return n;
}

static const char *ROLLUP_KEYS[] = {"Rss", "Pss", "Anonymous", "AnonHugePages", "Swap", "Locked", "Shared_Dirty", "Private_Dirty"};
static const char *ROLLUP_NAMES[] = {"rss_kb", "pss_kb", "anonymous_kb", "anon_huge_kb", "swap_kb", "locked_kb", "shared_dirty_kb", "private_dirty_kb"};

static void rollup_read(long long *v) {
    if (read_file("/proc/self/smaps_rollup", g_buf2, sizeof g_buf2) < 0) {
        for (int i = 0; i < 8; i++) v[i] = 0;
        return;
    }
    for (int i = 0; i < 8; i++) v[i] = field_ll(g_buf2, ROLLUP_KEYS[i]);
}

/* ------------------------------------------------------------- facts */

static char g_key[256];

static const char *key(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_key, sizeof g_key, fmt, ap);
    va_end(ap);
    return g_key;
}

void fact_i(const char *k, long long v) { emit("F %s\ti\t%lld\n", k, v); }
void fact_b(const char *k, int v) { emit("F %s\tb\t%s\n", k, v ? "true" : "false"); }
void fact_s(const char *k, const char *v) {
    static char e[2048];
    jesc(e, sizeof e, v);
    emit("F %s\ts\t%s\n", k, e);
}

void skip(const char *reason) {
    static char e[1024];
    jesc(e, sizeof e, reason);
    emit("K %s\n", e);
    cleanup();
    _exit(0);
}

/* ------------------------------------------------------------ op records */

static char g_op[2048];
static size_t g_opn;
static int g_cur;

static void op_begin_rec(const char *name) {
    g_cur = S->next_op++;
    g_opn = (size_t)snprintf(g_op, sizeof g_op, "{\"n\":%d,\"op\":\"%s\",\"proc\":\"%s\"", g_cur, name, g_proc);
}
static void op_s(const char *k, const char *v) {
    char e[512];
    jesc(e, sizeof e, v);
    g_opn += (size_t)snprintf(g_op + g_opn, sizeof g_op - g_opn, ",\"%s\":\"%s\"", k, e);
}
static void op_i(const char *k, long long v) {
    g_opn += (size_t)snprintf(g_op + g_opn, sizeof g_op - g_opn, ",\"%s\":%lld", k, v);
}
static void op_done(void) {
    emit("O %s}\n", g_op);
}

/* the measurement bracket around the system call(s) of one op */
static long long g_vm0[NVM], g_vm1[NVM];
static struct rusage g_ru0, g_ru1;

static void meas_begin(void) {
    vmstat_read(g_vm0);
    getrusage(RUSAGE_SELF, &g_ru0);
}
static void meas_end(void) {
    getrusage(RUSAGE_SELF, &g_ru1);
    vmstat_read(g_vm1);
    fact_i(key("op%d.minflt", g_cur), g_ru1.ru_minflt - g_ru0.ru_minflt);
    fact_i(key("op%d.majflt", g_cur), g_ru1.ru_majflt - g_ru0.ru_majflt);
    for (int i = 0; i < NVM; i++) emit("V op%d\t%s\t%lld\n", g_cur, VMSTAT_KEYS[i], g_vm1[i] - g_vm0[i]);
}

static void fact_errno(int rc_failed, int e) {
    fact_s(key("op%d.errno", g_cur), rc_failed ? strerrorname_np(e) : "ok");
}

/* ------------------------------------------------------------ mappings */

static struct mapping *find_map(const char *label) {
    for (int i = 0; i < S->nmaps; i++)
        if (strcmp(S->maps[i].label, label) == 0) return &S->maps[i];
    fprintf(stderr, "probe: unknown mapping %s\n", label);
    cleanup();
    _exit(72);
}

static struct mapping *add_map(const char *label, char *addr, long len, const char *file) {
    for (int i = 0; i < S->nmaps; i++)
        if (strcmp(S->maps[i].label, label) == 0) {
            S->maps[i].addr = addr, S->maps[i].len = len, S->maps[i].live = 1, S->maps[i].file = file;
            S->maps[i].owner = getpid();
            return &S->maps[i];
        }
    struct mapping *m = &S->maps[S->nmaps++];
    copy_str(m->label, sizeof m->label, label);
    m->addr = addr, m->len = len, m->live = 1, m->file = file;
    m->owner = getpid();
    return m;
}

void *map_addr(const char *label) { return find_map(label)->addr; }

static struct pfile *find_file(const char *name) {
    for (int i = 0; i < g_nfiles; i++)
        if (strcmp(g_files[i].name, name) == 0) return &g_files[i];
    fprintf(stderr, "probe: unknown file %s\n", name);
    cleanup();
    _exit(72);
}

static int parse_prot(const char *p) {
    int r = 0;
    if (strchr(p, 'r')) r |= PROT_READ;
    if (strchr(p, 'w')) r |= PROT_WRITE;
    if (strchr(p, 'x')) r |= PROT_EXEC;
    return r;
}

static int has_tok(const char *flags, const char *tok) {
    size_t n = strlen(tok);
    for (const char *p = flags; p && *p;) {
        if (strncmp(p, tok, n) == 0 && (p[n] == 0 || p[n] == '|')) return 1;
        p = strchr(p, '|');
        if (p) p++;
    }
    return 0;
}

static char *align_up(char *p, long a) { return (char *)(((unsigned long)p + (unsigned long)a - 1) & ~((unsigned long)a - 1)); }

void *op_mmap(struct mm m) {
    int fl = 0, fd = -1;
    if (has_tok(m.flags, "private")) fl |= MAP_PRIVATE;
    if (has_tok(m.flags, "shared")) fl |= MAP_SHARED;
    if (has_tok(m.flags, "anonymous")) fl |= MAP_ANONYMOUS;
    if (has_tok(m.flags, "populate")) fl |= MAP_POPULATE;
    if (has_tok(m.flags, "noreserve")) fl |= MAP_NORESERVE;
    if (has_tok(m.flags, "locked")) fl |= MAP_LOCKED;
    if (has_tok(m.flags, "hugetlb")) fl |= MAP_HUGETLB;
    char *want = NULL;
    if (m.after) { struct mapping *o = find_map(m.after); want = o->addr + o->len; }
    else if (m.before) { struct mapping *o = find_map(m.before); want = o->addr - m.len; }
    else if (!m.anywhere) {
        want = g_next_slot;
        g_next_slot = align_up(g_next_slot + m.len + 2 * MiB, 2 * MiB);
    }
    if (want) fl |= MAP_FIXED_NOREPLACE;
    if (m.file) fd = find_file(m.file)->fd;

    op_begin_rec("mmap");
    op_s("map", m.label);
    op_i("len", m.len);
    op_s("prot", m.prot);
    op_s("flags", m.flags);
    if (m.file) { op_s("file", m.file); op_i("file_offset", m.file_offset); }
    if (m.after) op_s("after", m.after);
    if (m.before) op_s("before", m.before);
    if (m.anywhere) op_i("anywhere", 1);
    op_done();
    meas_begin();
    void *p = mmap(want, (size_t)m.len, parse_prot(m.prot), fl, fd, m.file_offset);
    int e = errno;
    meas_end();
    fact_errno(p == MAP_FAILED, e);
    if (p == MAP_FAILED) return NULL;
    add_map(m.label, p, m.len, m.file);
    return p;
}

static int simple_op(const char *name, const char *label, long off, long len, int rc, int e) {
    (void)name; (void)label; (void)off; (void)len;
    meas_end();
    fact_errno(rc != 0, e);
    return rc;
}

int op_munmap(const char *label, long off, long len) {
    struct mapping *m = find_map(label);
    op_begin_rec("munmap"); op_s("map", label); op_i("offset", off); op_i("len", len); op_done();
    meas_begin();
    int rc = munmap(m->addr + off, (size_t)len);
    int e = errno;
    if (rc == 0 && off == 0 && len >= m->len) m->live = 0;
    return simple_op("munmap", label, off, len, rc, e);
}

/* include/uapi/linux/mempolicy.h, without libnuma */
static int mpol_mode_of(const char *m) {
    static const char *t[] = {"default", "preferred", "bind", "interleave", "local", "preferred-many",
                              "weighted-interleave"};
    for (int i = 0; i < (int)(sizeof t / sizeof t[0]); i++)
        if (strcmp(t[i], m) == 0) return i;
    return 99; /* no such mode: EINVAL */
}

int op_mbind(const char *label, long off, long len, const char *mode, long nodes) {
    struct mapping *m = find_map(label);
    op_begin_rec("mbind"); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("mode", mode);
    op_i("nodes", nodes); op_done();
    unsigned long mask = (unsigned long)nodes;
    meas_begin();
    /* maxnode 65: the kernel reads 64 bits of mask (get_nodes() drops one) */
    long rc = syscall(SYS_mbind, m->addr + off, (unsigned long)len, (unsigned long)mpol_mode_of(mode), &mask, 65UL, 0U);
    int e = errno;
    return simple_op("mbind", label, off, len, rc != 0 ? -1 : 0, e);
}

int op_set_mempolicy(const char *mode, long nodes) {
    op_begin_rec("set_mempolicy"); op_s("mode", mode); op_i("nodes", nodes); op_done();
    unsigned long mask = (unsigned long)nodes;
    meas_begin();
    long rc = syscall(SYS_set_mempolicy, mpol_mode_of(mode), &mask, 65UL);
    int e = errno;
    return simple_op("set_mempolicy", "", 0, 0, rc != 0 ? -1 : 0, e);
}

int op_mprotect(const char *label, long off, long len, const char *prot) {
    struct mapping *m = find_map(label);
    op_begin_rec("mprotect"); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("prot", prot); op_done();
    meas_begin();
    int rc = mprotect(m->addr + off, (size_t)len, parse_prot(prot));
    int e = errno;
    return simple_op("mprotect", label, off, len, rc, e);
}

static int advice_of(const char *a) {
    static const struct { const char *n; int v; } t[] = {
        {"dontneed", MADV_DONTNEED}, {"free", MADV_FREE}, {"cold", MADV_COLD}, {"pageout", MADV_PAGEOUT},
        {"hugepage", MADV_HUGEPAGE}, {"nohugepage", MADV_NOHUGEPAGE}, {"collapse", MADV_COLLAPSE},
        {"willneed", MADV_WILLNEED}, {"populate_read", MADV_POPULATE_READ}, {"populate_write", MADV_POPULATE_WRITE},
        {"remove", MADV_REMOVE}, {"dontfork", MADV_DONTFORK}, {"wipeonfork", MADV_WIPEONFORK}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].n, a) == 0) return t[i].v;
    return -1;
}

int op_madvise(const char *label, long off, long len, const char *advice) {
    struct mapping *m = find_map(label);
    op_begin_rec("madvise"); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("advice", advice); op_done();
    meas_begin();
    int rc = madvise(m->addr + off, (size_t)len, advice_of(advice));
    int e = errno;
    return simple_op("madvise", label, off, len, rc, e);
}

int op_mremap(const char *label, long new_len, const char *flags, const char *old_as) {
    struct mapping *m = find_map(label);
    op_begin_rec("mremap"); op_s("map", label); op_i("old_len", m->len); op_i("new_len", new_len); op_s("flags", flags);
    op_done();
    int fl = has_tok(flags, "maymove") ? MREMAP_MAYMOVE : 0;
    meas_begin();
    void *p = mremap(m->addr, (size_t)m->len, (size_t)new_len, fl);
    int e = errno;
    meas_end();
    fact_errno(p == MAP_FAILED, e);
    if (p == MAP_FAILED) return -1;
    fact_b(key("op%d.moved", g_cur), (char *)p != m->addr);
    char *old = m->addr;
    long oldlen = m->len;
    m->addr = p;
    m->len = new_len;
    if (old_as && (char *)p != old) add_map(old_as, old, oldlen, NULL)->live = 0;
    return 0;
}

int op_mlock(const char *label, long off, long len, const char *flags) {
    struct mapping *m = find_map(label);
    op_begin_rec("mlock"); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("flags", flags); op_done();
    meas_begin();
    int rc = (int)syscall(SYS_mlock2, m->addr + off, (size_t)len, has_tok(flags, "onfault") ? MLOCK_ONFAULT : 0);
    int e = errno;
    return simple_op("mlock", label, off, len, rc, e);
}

int op_munlock(const char *label, long off, long len) {
    struct mapping *m = find_map(label);
    op_begin_rec("munlock"); op_s("map", label); op_i("offset", off); op_i("len", len); op_done();
    meas_begin();
    int rc = munlock(m->addr + off, (size_t)len);
    int e = errno;
    return simple_op("munlock", label, off, len, rc, e);
}

int op_msync(const char *label, long off, long len, const char *flags) {
    struct mapping *m = find_map(label);
    op_begin_rec("msync"); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("flags", flags); op_done();
    meas_begin();
    int rc = msync(m->addr + off, (size_t)len, has_tok(flags, "async") ? MS_ASYNC : MS_SYNC);
    int e = errno;
    return simple_op("msync", label, off, len, rc, e);
}

/* run-length encoding of the first byte of each page: "0x5a*16,0x00*4" */
static unsigned char g_vals[PFNCAP * 8];

static void emit_values(const char *k, const unsigned char *v, long n) {
    static char s[1024];
    size_t j = 0;
    s[0] = 0;
    for (long i = 0; i < n && j < sizeof s - 32;) {
        long r = i;
        while (r < n && v[r] == v[i]) r++;
        j += (size_t)snprintf(s + j, sizeof s - j, "%s0x%02x*%ld", j ? "," : "", v[i], r - i);
        i = r;
    }
    fact_s(k, s);
}

static int guarded_access(struct mapping *m, long off, long len, int write, int value) {
    long n = len / g_page, done = 0;
    volatile char *base = (volatile char *)(m->addr + off);
    volatile long i = 0;
    int sig;
    meas_begin();
    g_guard = 1;
    sig = sigsetjmp(g_jb, 1);
    if (sig == 0) {
        for (i = 0; i < n; i++) {
            if (write) base[i * g_page] = (char)value;
            else g_vals[i] = (unsigned char)base[i * g_page];
        }
    }
    g_guard = 0;
    done = i;
    meas_end();
    fact_s(key("op%d.signal", g_cur), sig == 0 ? "none" : sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "other");
    fact_i(key("op%d.pages_done", g_cur), done);
    if (!write && done > 0) emit_values(key("op%d.values", g_cur), g_vals, done);
    return sig;
}

int op_write(const char *label, long off, long len, int value) {
    struct mapping *m = find_map(label);
    op_begin_rec("write"); op_s("map", label); op_i("offset", off); op_i("len", len); op_i("value", value); op_done();
    return guarded_access(m, off, len, 1, value);
}

int op_read(const char *label, long off, long len) {
    struct mapping *m = find_map(label);
    op_begin_rec("read"); op_s("map", label); op_i("offset", off); op_i("len", len); op_done();
    return guarded_access(m, off, len, 0, 0);
}

/* ------------------------------------------------------------ files */

static void fill_file(int fd, long off, long len, int value) {
    static char page[4096];
    memset(page, value, sizeof page);
    for (long o = 0; o < len; o += (long)sizeof page) {
        long n = len - o < (long)sizeof page ? len - o : (long)sizeof page;
        if (pwrite(fd, page, (size_t)n, off + o) != n) { perror("pwrite"); cleanup(); _exit(73); }
    }
}

void op_file(const char *name, long len, int value) {
    struct pfile *f = &g_files[g_nfiles++];
    copy_str(f->name, sizeof f->name, name);
    snprintf(f->path, sizeof f->path, "%s/%s", g_tmpdir, name);
    op_begin_rec("file"); op_s("file", name); op_s("kind", "disk"); op_i("len", len); op_i("value", value); op_done();
    f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (f->fd < 0) skip("cannot create a file in the probe's temporary directory");
    fill_file(f->fd, 0, len, value);
    fsync(f->fd);
    f->len = len;
}

void op_memfd(const char *name, long len, int value) {
    struct pfile *f = &g_files[g_nfiles++];
    copy_str(f->name, sizeof f->name, name);
    f->path[0] = 0;
    op_begin_rec("file"); op_s("file", name); op_s("kind", "memfd"); op_i("len", len); op_i("value", value); op_done();
    f->fd = (int)syscall(SYS_memfd_create, name, 0);
    if (f->fd < 0) skip("memfd_create failed");
    if (value) fill_file(f->fd, 0, len, value);
    else if (ftruncate(f->fd, len) != 0) skip("ftruncate on memfd failed");
    f->len = len;
}

void op_reopen_rdonly(const char *name, const char *of) {
    struct pfile *o = find_file(of);
    struct pfile *f = &g_files[g_nfiles++];
    copy_str(f->name, sizeof f->name, name);
    f->path[0] = 0; /* o owns the path */
    op_begin_rec("file"); op_s("file", name); op_s("kind", "reopen_rdonly"); op_s("of", of); op_done();
    f->fd = open(o->path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) skip("cannot reopen the file read-only");
    f->len = o->len;
}

int op_pread(const char *name, long off, long len) {
    struct pfile *f = find_file(name);
    op_begin_rec("pread"); op_s("file", name); op_i("offset", off); op_i("len", len); op_done();
    static char page[4096];
    long n = len / g_page, i;
    ssize_t r = 0;
    meas_begin();
    for (i = 0; i < n; i++) {
        r = pread(f->fd, page, (size_t)g_page, off + i * g_page);
        if (r <= 0) break;
        g_vals[i] = (unsigned char)page[0];
    }
    int e = errno;
    meas_end();
    fact_errno(r < 0, e);
    fact_i(key("op%d.pages_done", g_cur), i);
    if (i > 0) emit_values(key("op%d.values", g_cur), g_vals, i);
    return 0;
}

int op_pwrite(const char *name, long off, long len, int value) {
    struct pfile *f = find_file(name);
    op_begin_rec("pwrite"); op_s("file", name); op_i("offset", off); op_i("len", len); op_i("value", value); op_done();
    meas_begin();
    fill_file(f->fd, off, len, value);
    meas_end();
    fact_errno(0, 0);
    return 0;
}

int op_fsync(const char *name) {
    struct pfile *f = find_file(name);
    op_begin_rec("fsync"); op_s("file", name); op_done();
    meas_begin();
    int rc = fsync(f->fd);
    int e = errno;
    return simple_op("fsync", name, 0, 0, rc, e);
}

int op_fadvise(const char *name, long off, long len, const char *advice) {
    struct pfile *f = find_file(name);
    op_begin_rec("fadvise"); op_s("file", name); op_i("offset", off); op_i("len", len); op_s("advice", advice); op_done();
    int a = strcmp(advice, "dontneed") == 0 ? POSIX_FADV_DONTNEED : strcmp(advice, "willneed") == 0 ? POSIX_FADV_WILLNEED : POSIX_FADV_NORMAL;
    meas_begin();
    int rc = posix_fadvise(f->fd, off, len, a);
    return simple_op("fadvise", name, off, len, rc, rc);
}

int op_ftruncate(const char *name, long len) {
    struct pfile *f = find_file(name);
    op_begin_rec("ftruncate"); op_s("file", name); op_i("len", len); op_done();
    meas_begin();
    int rc = ftruncate(f->fd, len);
    int e = errno;
    f->len = len;
    return simple_op("ftruncate", name, 0, len, rc, e);
}

/* ------------------------------------------------------------ processes */

static void touch_harness(void) {
    for (int i = 0; i < g_nharness; i++) {
        struct range *r = &g_harness[i];
        for (volatile char *p = r->lo; p < r->hi; p += g_page) {
            char c = *p;
            if (r->w && !r->shared) *p = c;
        }
    }
}

pid_t op_fork(void) {
    op_begin_rec("fork"); op_done();
    fflush(NULL);
    g_parent = getpid();
    pid_t pid = fork();
    if (pid < 0) skip("fork failed");
    if (pid == 0) {
        g_is_child = 1;
        g_proc = "child";
    }
    /* both sides: break the copy-on-write sharing of the harness's own pages */
    touch_harness();
    return pid;
}

void op_exit(void) {
    op_begin_rec("exit"); op_done();
    _exit(0);
}

void op_wait(pid_t pid) {
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    op_begin_rec("wait"); op_done();
    char b[64];
    if (WIFEXITED(st)) snprintf(b, sizeof b, "exit:%d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) snprintf(b, sizeof b, "signal:SIG%s", sigabbrev_np(WTERMSIG(st)));
    else snprintf(b, sizeof b, "unknown");
    fact_s(key("op%d.child", g_cur), b);
}

/* ------------------------------------------------------------ settings op */

void op_sysctl(const char *name, const char *value) {
    struct setting *s = NULL;
    for (int i = 0; i < NSETTINGS; i++)
        if (strcmp(g_settings[i].name, name) == 0) s = &g_settings[i];
    if (!s) skip("unknown setting");
    if (!s->saved) {
        setting_value(s, s->orig, sizeof s->orig);
        s->saved = 1;
    }
    op_begin_rec("sysctl"); op_s("name", name); op_s("value", value); op_done();
    int rc = write_file(s->path, value);
    if (rc != 0) {
        char r[160];
        snprintf(r, sizeof r, "cannot write %s: %s", s->path, strerror(-rc));
        skip(r);
    }
}

/* ------------------------------------------------------------ cgroup */

int op_cgroup_create(long limit) {
    /* v1 memory controller, below the cgroup this process is in */
    char self[256] = "";
    if (read_file("/proc/self/cgroup", g_buf2, sizeof g_buf2) > 0) {
        for (char *p = g_buf2; p && *p;) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = 0;
            char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            if (c1 && c2 && strncmp(c1 + 1, "memory:", 7) == 0) copy_str(self, sizeof self, c2 + 1);
            p = nl ? nl + 1 : NULL;
        }
    }
    struct stat st;
    if (stat("/sys/fs/cgroup/memory/memory.limit_in_bytes", &st) != 0) skip("no cgroup v1 memory controller at /sys/fs/cgroup/memory");
    if (strcmp(self, "/") == 0) self[0] = 0;
    snprintf(g_cgroup, sizeof g_cgroup, "/sys/fs/cgroup/memory%s/vmsim-probe-%d", self, (int)getpid());
    if (mkdir(g_cgroup, 0755) != 0) {
        char r[600];
        snprintf(r, sizeof r, "cannot create memory cgroup %s: %s", g_cgroup, strerror(errno));
        g_cgroup[0] = 0;
        skip(r);
    }
    char p[600], v[64];
    snprintf(p, sizeof p, "%s/memory.limit_in_bytes", g_cgroup);
    snprintf(v, sizeof v, "%ld", limit);
    if (write_file(p, v) != 0) skip("cannot set memory.limit_in_bytes");
    op_begin_rec("cgroup_create"); op_s("controller", "memory-v1"); op_i("limit", limit); op_done();
    return 0;
}

int op_cgroup_enter(void) {
    char p[600], v[32];
    snprintf(p, sizeof p, "%s/cgroup.procs", g_cgroup);
    snprintf(v, sizeof v, "%d", (int)getpid());
    op_begin_rec("cgroup_enter"); op_done();
    int rc = write_file(p, v);
    fact_errno(rc != 0, -rc);
    return rc;
}

/* ------------------------------------------------------------ observe */

static int cmp_sort(long n) {
    /* heapsort g_sorted[0..n) and count distinct values */
    unsigned long long *a = g_sorted;
    for (long start = n / 2 - 1, end = n;; ) {
        long root;
        if (start >= 0) root = start--;
        else {
            if (--end <= 0) break;
            unsigned long long t = a[0]; a[0] = a[end]; a[end] = t;
            root = 0;
        }
        for (;;) {
            long c = 2 * root + 1;
            if (c >= end) break;
            if (c + 1 < end && a[c + 1] > a[c]) c++;
            if (a[root] >= a[c]) break;
            unsigned long long t = a[root]; a[root] = a[c]; a[c] = t;
            root = c;
        }
    }
    int d = 0;
    for (long i = 0; i < n; i++)
        if (i == 0 || a[i] != a[i - 1]) d++;
    return d;
}

static void observe_map(const char *L, int mi, int save) {
    struct mapping *m = &S->maps[mi];
    unsigned long lo = (unsigned long)m->addr, hi = lo + (unsigned long)m->len;
    static const char *F[] = {"Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Anonymous",
                              "LazyFree", "AnonHugePages", "ShmemPmdMapped", "Swap", "Locked"};
    static const char *N[] = {"rss_kb", "pss_kb", "shared_clean_kb", "shared_dirty_kb", "private_clean_kb", "private_dirty_kb",
                              "anonymous_kb", "lazyfree_kb", "anon_huge_kb", "shmem_pmd_kb", "swap_kb", "locked_kb"};
    long long sum[12] = {0};
    int nv = 0;
    char perms[256] = "", vmflags[128] = "";
    size_t pj = 0;
    for (int i = 0; i < g_nvma; i++) {
        struct vma *v = &g_vmas[i];
        if (v->hi <= lo || v->lo >= hi) continue;
        if (nv == 0) vma_vmflags(v, vmflags, sizeof vmflags);
        nv++;
        for (int k = 0; k < 12; k++) sum[k] += vma_field(v, F[k]);
        pj += (size_t)snprintf(perms + pj, sizeof perms - pj, "%s%s", pj ? "," : "", v->perms);
    }
    const char *lb = m->label;
    fact_i(key("%s.%s.vmas", L, lb), nv);
    fact_s(key("%s.%s.perms", L, lb), perms);
    fact_s(key("%s.%s.vmflags", L, lb), vmflags);
    for (int k = 0; k < 12; k++) fact_i(key("%s.%s.%s", L, lb, N[k]), sum[k]);

    /* mincore, per VMA piece; pages outside any VMA are '-' */
    long np = m->len / g_page;
    static unsigned char mc[PFNCAP];
    static char mcs[PFNCAP + 1];
    long resident = 0;
    int have_mc = np <= PFNCAP;
    if (have_mc) {
        for (long i = 0; i < np; i++) mcs[i] = '-';
        mcs[np] = 0;
        for (int i = 0; i < g_nvma; i++) {
            struct vma *v = &g_vmas[i];
            if (v->hi <= lo || v->lo >= hi) continue;
            unsigned long a = v->lo > lo ? v->lo : lo, b = v->hi < hi ? v->hi : hi;
            if (mincore((void *)a, b - a, mc) != 0) continue;
            for (unsigned long k = 0; k < (b - a) / (unsigned long)g_page; k++) {
                mcs[(a - lo) / (unsigned long)g_page + k] = (mc[k] & 1) ? '1' : '0';
                if (mc[k] & 1) resident++;
            }
        }
        fact_i(key("%s.%s.mincore_resident", L, lb), resident);
        if (np <= 64) fact_s(key("%s.%s.mincore", L, lb), mcs);
    }

    /* pagemap (frame numbers are readable as root) */
    if (np > PFNCAP) return;
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pm < 0) return;
    ssize_t r = pread(pm, g_pm, (size_t)np * 8, (off_t)(lo / (unsigned long)g_page) * 8);
    close(pm);
    if (r != np * 8) return;
    int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
    int kc = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
    long present = 0, swapped = 0, fileshared = 0, excl = 0, zero = 0, thp = 0, multi = 0, same = 0, nsorted = 0, pfn_known = 0;
    for (long i = 0; i < np; i++) {
        unsigned long long e = g_pm[i];
        unsigned long long pfn = e & ((1ULL << 55) - 1);
        if (e >> 63 & 1) {
            present++;
            if (pfn) pfn_known++;
            g_sorted[nsorted++] = pfn;
            if (kf >= 0 && pfn) {
                unsigned long long f = 0;
                if (pread(kf, &f, 8, (off_t)pfn * 8) == 8) {
                    if (f >> 24 & 1) zero++;
                    if (f >> 22 & 1) thp++;
                }
            }
            if (kc >= 0 && pfn) {
                unsigned long long c = 0;
                if (pread(kc, &c, 8, (off_t)pfn * 8) == 8 && c > 1) multi++;
            }
            if (S->have_saved[mi] && (S->saved[mi][i] >> 63 & 1) && (S->saved[mi][i] & ((1ULL << 55) - 1)) == pfn) same++;
        }
        if (e >> 62 & 1) swapped++;
        if (e >> 61 & 1) fileshared++;
        if (e >> 56 & 1) excl++;
    }
    if (kf >= 0) close(kf);
    if (kc >= 0) close(kc);
    fact_i(key("%s.%s.pm_present", L, lb), present);
    fact_i(key("%s.%s.pm_swapped", L, lb), swapped);
    fact_i(key("%s.%s.pm_file_or_shared", L, lb), fileshared);
    fact_i(key("%s.%s.pm_exclusive", L, lb), excl);
    fact_i(key("%s.%s.pm_zero_page", L, lb), zero);
    fact_i(key("%s.%s.pm_thp", L, lb), thp);
    fact_i(key("%s.%s.pm_mapcount_gt1", L, lb), multi);
    fact_i(key("%s.%s.pm_distinct_frames", L, lb), pfn_known ? cmp_sort(nsorted) : -1);
    if (S->have_saved[mi]) fact_i(key("%s.%s.pm_same_frame_as_saved", L, lb), same);
    if (save) {
        memcpy(S->saved[mi], g_pm, (size_t)np * 8);
        S->have_saved[mi] = 1;
    }
}

static void observe(const char *L, int save) {
    op_begin_rec("observe"); op_s("label", L); if (save) op_i("save_frames", 1); op_done();
    long vm = count_vmas();
    long long ru[8];
    rollup_read(ru);
    smaps_read();
    fact_i(key("%s.vmas_delta", L), vm - g_base_vmas);
    for (int i = 0; i < 8; i++) fact_i(key("%s.rollup.%s_delta", L, ROLLUP_NAMES[i]), ru[i] - g_base_rollup[i]);
    for (int i = 0; i < S->nmaps; i++)
        if (S->maps[i].live && (S->maps[i].owner == getpid() || (g_is_child && S->maps[i].owner == g_parent)))
            observe_map(L, i, save);
    /* page-cache residency of each file (a transient mapping; no faults) */
    for (int i = 0; i < g_nfiles; i++) {
        struct pfile *f = &g_files[i];
        long np = (f->len + g_page - 1) / g_page;
        if (np == 0 || np > PFNCAP) continue;
        void *p = mmap(NULL, (size_t)np * g_page, PROT_NONE, MAP_SHARED, f->fd, 0);
        if (p == MAP_FAILED) continue;
        static unsigned char mc[PFNCAP];
        long c = 0;
        if (mincore(p, (size_t)np * g_page, mc) == 0)
            for (long k = 0; k < np; k++) c += mc[k] & 1;
        munmap(p, (size_t)np * g_page);
        fact_i(key("%s.file.%s.cached_pages", L, f->name), c);
    }
    if (g_cgroup[0]) {
        char p[600];
        snprintf(p, sizeof p, "%s/memory.usage_in_bytes", g_cgroup);
        fact_i(key("%s.cgroup.usage_kb", L), sysfs_ll(p) / 1024);
        snprintf(p, sizeof p, "%s/memory.max_usage_in_bytes", g_cgroup);
        fact_i(key("%s.cgroup.max_usage_kb", L), sysfs_ll(p) / 1024);
        snprintf(p, sizeof p, "%s/memory.failcnt", g_cgroup);
        fact_i(key("%s.cgroup.failcnt", L), sysfs_ll(p));
        snprintf(p, sizeof p, "%s/memory.oom_control", g_cgroup);
        if (read_file(p, g_buf2, sizeof g_buf2) > 0) fact_i(key("%s.cgroup.oom_kill", L), field_ll(g_buf2, "oom_kill"));
    }
}

void op_observe(const char *L) { observe(L, 0); }
void op_observe_save(const char *L) { observe(L, 1); }

/* ------------------------------------------------------------ userfaultfd (issue 12) */

/* One userfaultfd per case, read by a monitor thread (clone() on a static stack, so that it
 * allocates nothing and its stack is among the harness's pre-touched pages). The monitor
 * resolves each page fault at once: a WP fault by clearing the protection of its page, a minor
 * one with UFFDIO_CONTINUE, a missing one with UFFDIO_COPY of the unit (4 KiB, or the huge page
 * of a hugetlb mapping). It logs every message; op_uffd_events reports the log. */
static int g_uffd = -1;
static long g_uffd_unit = 4096;
static pid_t g_main_tid;
static char g_src[2 * 1024 * 1024] __attribute__((aligned(4096)));
static char g_mon_stack[256 * 1024] __attribute__((aligned(16)));
#define UFFD_LOG 64
static struct uffd_msg g_log[UFFD_LOG];
static volatile int g_nlog;

static int uffd_feature_bits(const char *f, unsigned long long *out) {
    static const struct { const char *n; unsigned long long v; } t[] = {
        {"pagefault_flag_wp", UFFD_FEATURE_PAGEFAULT_FLAG_WP}, {"event_fork", UFFD_FEATURE_EVENT_FORK},
        {"event_remap", UFFD_FEATURE_EVENT_REMAP}, {"event_remove", UFFD_FEATURE_EVENT_REMOVE},
        {"missing_hugetlbfs", UFFD_FEATURE_MISSING_HUGETLBFS}, {"missing_shmem", UFFD_FEATURE_MISSING_SHMEM},
        {"event_unmap", UFFD_FEATURE_EVENT_UNMAP}, {"sigbus", UFFD_FEATURE_SIGBUS}, {"thread_id", UFFD_FEATURE_THREAD_ID},
        {"minor_hugetlbfs", UFFD_FEATURE_MINOR_HUGETLBFS}, {"minor_shmem", UFFD_FEATURE_MINOR_SHMEM},
        {"exact_address", UFFD_FEATURE_EXACT_ADDRESS}, {"wp_hugetlbfs_shmem", UFFD_FEATURE_WP_HUGETLBFS_SHMEM}};
    *out = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (has_tok(f, t[i].n)) *out |= t[i].v;
    return 0;
}

static int uffd_monitor(void *arg) {
    (void)arg;
    for (;;) {
        struct pollfd pf = {g_uffd, POLLIN, 0};
        if (poll(&pf, 1, -1) <= 0) continue;
        struct uffd_msg msg;
        if (read(g_uffd, &msg, sizeof msg) != (ssize_t)sizeof msg) continue;
        if (g_nlog < UFFD_LOG) { g_log[g_nlog] = msg; __atomic_add_fetch(&g_nlog, 1, __ATOMIC_SEQ_CST); }
        if (msg.event != UFFD_EVENT_PAGEFAULT) continue;
        unsigned long long a = msg.arg.pagefault.address & ~(unsigned long long)(g_uffd_unit - 1);
        if (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
            struct uffdio_writeprotect wp = {{a, (unsigned long long)g_uffd_unit}, 0};
            ioctl(g_uffd, UFFDIO_WRITEPROTECT, &wp);
        } else if (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
            struct uffdio_continue c = {{a, (unsigned long long)g_uffd_unit}, 0, 0};
            ioctl(g_uffd, UFFDIO_CONTINUE, &c);
        } else {
            struct uffdio_copy c = {a, (unsigned long long)(unsigned long)g_src, (unsigned long long)g_uffd_unit, 0, 0};
            ioctl(g_uffd, UFFDIO_COPY, &c);
        }
    }
    return 0;
}

static int uffd_api(const char *features) {
    unsigned long long f;
    uffd_feature_bits(features, &f);
    struct uffdio_api api = {UFFD_API, f, 0};
    meas_begin();
    int rc = ioctl(g_uffd, UFFDIO_API, &api);
    int e = errno;
    meas_end();
    fact_errno(rc != 0, e);
    return rc;
}

int op_uffd_open(const char *features) {
    op_begin_rec("uffd_open"); op_s("features", features); op_done();
    g_main_tid = (pid_t)syscall(SYS_gettid);
    g_uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (g_uffd < 0) skip("userfaultfd() failed (needs root or vm.unprivileged_userfaultfd=1)");
    int rc = uffd_api(features);
    if (rc == 0 && clone(uffd_monitor, g_mon_stack + sizeof g_mon_stack,
                         CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM, NULL) < 0)
        skip("clone() of the monitor thread failed");
    return rc;
}

int op_uffd_api(const char *features) {
    op_begin_rec("uffd_api"); op_s("features", features); op_done();
    return uffd_api(features);
}

static int uffd_range_op(const char *name, const char *label, long off, long len, const char *mode, unsigned long req) {
    struct mapping *m = find_map(label);
    op_begin_rec(name); op_s("map", label); op_i("offset", off); op_i("len", len); op_s("mode", mode); op_done();
    unsigned long long s = (unsigned long long)(unsigned long)(m->addr + off), l = (unsigned long long)len;
    int rc;
    meas_begin();
    if (req == UFFDIO_REGISTER) {
        struct uffdio_register r = {{s, l}, (has_tok(mode, "missing") ? UFFDIO_REGISTER_MODE_MISSING : 0)
                                            | (has_tok(mode, "wp") ? UFFDIO_REGISTER_MODE_WP : 0)
                                            | (has_tok(mode, "minor") ? UFFDIO_REGISTER_MODE_MINOR : 0), 0};
        rc = ioctl(g_uffd, UFFDIO_REGISTER, &r);
    } else if (req == UFFDIO_UNREGISTER) {
        struct uffdio_range r = {s, l};
        rc = ioctl(g_uffd, UFFDIO_UNREGISTER, &r);
    } else if (req == UFFDIO_COPY) {
        struct uffdio_copy c = {s, (unsigned long long)(unsigned long)g_src, l,
                                (has_tok(mode, "dontwake") ? UFFDIO_COPY_MODE_DONTWAKE : 0)
                                | (has_tok(mode, "wp") ? UFFDIO_COPY_MODE_WP : 0), 0};
        rc = ioctl(g_uffd, UFFDIO_COPY, &c);
    } else if (req == UFFDIO_ZEROPAGE) {
        struct uffdio_zeropage z = {{s, l}, has_tok(mode, "dontwake") ? UFFDIO_ZEROPAGE_MODE_DONTWAKE : 0, 0};
        rc = ioctl(g_uffd, UFFDIO_ZEROPAGE, &z);
    } else {
        struct uffdio_writeprotect w = {{s, l}, (has_tok(mode, "wp") ? UFFDIO_WRITEPROTECT_MODE_WP : 0)
                                                | (has_tok(mode, "dontwake") ? UFFDIO_WRITEPROTECT_MODE_DONTWAKE : 0)};
        rc = ioctl(g_uffd, UFFDIO_WRITEPROTECT, &w);
    }
    int e = errno;
    return simple_op(name, label, off, len, rc, e);
}

int op_uffd_register(const char *label, long off, long len, const char *mode) {
    return uffd_range_op("uffd_register", label, off, len, mode, UFFDIO_REGISTER);
}
int op_uffd_unregister(const char *label, long off, long len) {
    return uffd_range_op("uffd_unregister", label, off, len, "", UFFDIO_UNREGISTER);
}
int op_uffd_copy(const char *label, long off, long len, const char *mode) {
    return uffd_range_op("uffd_copy", label, off, len, mode, UFFDIO_COPY);
}
int op_uffd_zeropage(const char *label, long off, long len) {
    return uffd_range_op("uffd_zeropage", label, off, len, "", UFFDIO_ZEROPAGE);
}
int op_uffd_writeprotect(const char *label, long off, long len, const char *mode) {
    return uffd_range_op("uffd_writeprotect", label, off, len, mode, UFFDIO_WRITEPROTECT);
}

void op_uffd_unit(long bytes) {
    op_begin_rec("uffd_unit"); op_i("len", bytes); op_done();
    g_uffd_unit = bytes;
}

/* the messages the monitor read since the last call, addresses relative to mapping `label`:
 * PAGEFAULT:0x3000:W (W write, P wp, M minor, T the faulting thread's id), REMOVE:0x0-0x10000,
 * UNMAP:0x0-0x10000, REMAP:0x0->0x... (relative), FORK */
static int g_log_seen;
void op_uffd_events(const char *label) {
    struct mapping *m = find_map(label);
    op_begin_rec("uffd_events"); op_s("map", label); op_done();
    usleep(50000); /* a blocking event completes when the monitor read it: let it log it */
    static char s[2048];
    size_t j = 0;
    s[0] = 0;
    unsigned long long b = (unsigned long long)(unsigned long)m->addr;
    int n = __atomic_load_n(&g_nlog, __ATOMIC_SEQ_CST);
    for (int i = g_log_seen; i < n && j < sizeof s - 96; i++) {
        struct uffd_msg *g = &g_log[i];
        const char *sep = j ? "," : "";
        if (g->event == UFFD_EVENT_PAGEFAULT) {
            unsigned long long f = g->arg.pagefault.flags;
            j += (size_t)snprintf(s + j, sizeof s - j, "%sPAGEFAULT:0x%llx:%s%s%s%s", sep, g->arg.pagefault.address - b,
                                  f & UFFD_PAGEFAULT_FLAG_WRITE ? "W" : "", f & UFFD_PAGEFAULT_FLAG_WP ? "P" : "",
                                  f & UFFD_PAGEFAULT_FLAG_MINOR ? "M" : "",
                                  g->arg.pagefault.feat.ptid == (unsigned)g_main_tid ? "T" : "");
        } else if (g->event == UFFD_EVENT_REMOVE || g->event == UFFD_EVENT_UNMAP) {
            j += (size_t)snprintf(s + j, sizeof s - j, "%s%s:0x%llx-0x%llx", sep,
                                  g->event == UFFD_EVENT_REMOVE ? "REMOVE" : "UNMAP", g->arg.remove.start - b,
                                  g->arg.remove.end - b);
        } else if (g->event == UFFD_EVENT_FORK) {
            j += (size_t)snprintf(s + j, sizeof s - j, "%sFORK", sep);
        } else {
            j += (size_t)snprintf(s + j, sizeof s - j, "%sEVENT%d", sep, g->event);
        }
    }
    g_log_seen = n;
    fact_s(key("op%d.events", g_cur), s);
}

/* ------------------------------------------------------------ run one */

static void __attribute__((noinline)) grow_stack(void) {
    volatile char big[256 * 1024];
    for (size_t i = 0; i < sizeof big; i += 512) big[i] = 1;
}

static void harness_init(void) {
    g_page = sysconf(_SC_PAGESIZE);
    /* warm malloc and stdio once, before anything is measured */
    void *x = malloc(64);
    free(x);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%d %s %lld", 1, "x", 2LL);
    (void)strerrorname_np(ENOMEM);
    (void)sigabbrev_np(SIGKILL);

    S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S == MAP_FAILED) { perror("mmap"); _exit(74); }
    memset(S, 0, sizeof *S);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    atexit(cleanup);

    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/vmsim-probe-%d", (int)getpid());
    if (mkdir(g_tmpdir, 0700) != 0) g_tmpdir[0] = 0;

    /* the arena: an address range far from everything, case mappings go there */
    long span = 512L * 1024 * MiB;
    char *r = mmap(NULL, (size_t)span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) { perror("arena"); _exit(74); }
    munmap(r, (size_t)span);
    g_arena = align_up(r + 1024 * MiB, 1024 * MiB);
    g_next_slot = g_arena;

    grow_stack();
    /* record the harness's mappings and touch them all */
    if (read_file("/proc/self/maps", g_buf, sizeof g_buf) > 0) {
        for (char *p = g_buf; *p && g_nharness < 128;) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = 0;
            unsigned long lo = strtoul(p, &p, 16), hi = strtoul(p + 1, &p, 16);
            char perms[5];
            memcpy(perms, p + 1, 4);
            perms[4] = 0;
            int special = strstr(p, "[vvar") || strstr(p, "[vsyscall]");
            if (perms[0] == 'r' && !special) {
                struct range *h = &g_harness[g_nharness++];
                h->lo = (char *)lo, h->hi = (char *)hi, h->w = perms[1] == 'w', h->shared = perms[3] == 's';
            }
            p = nl ? nl + 1 : p + strlen(p);
        }
    }
    touch_harness();
    static struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    g_base_vmas = count_vmas();
    rollup_read(g_base_rollup);
}

static void emit_settings(void) {
    for (int i = 0; i < NSETTINGS; i++) {
        char v[64];
        setting_value(&g_settings[i], v, sizeof v);
        emit("S %s\ts\t%s\n", g_settings[i].name, v);
    }
    emit("S swap_total_kb\ti\t%lld\n", meminfo_kb("SwapTotal"));
    emit("S page_size\ti\t%ld\n", g_page);
}

static int run_once(const struct probe_case *c) {
    harness_init();
    c->run();
    if (g_is_child) _exit(0);
    emit_settings();
    cleanup();
    emit("E\n");
    return 0;
}

/* ------------------------------------------------------------ merge */

#define MAXFACTS 6000
struct fact {
    char key[96];
    char type;
    char val[600];
    long long lo, hi;
    int differs;
};
static struct fact g_facts[MAXFACTS];
static int g_nfacts;
struct vmrec {
    char key[64];
    long long lo, hi;
};
static struct vmrec g_vm[MAXFACTS];
static int g_nvm;
static char *g_ops[2000];
static int g_nops;
static char g_settings_json[2048];
static char g_skip[1100];

static struct fact *fact_find(const char *k) {
    for (int i = 0; i < g_nfacts; i++)
        if (strcmp(g_facts[i].key, k) == 0) return &g_facts[i];
    return NULL;
}

static void merge_line(char *l, int run) {
    if (l[0] == 'K' && l[1] == ' ') { if (!g_skip[0]) copy_str(g_skip, sizeof g_skip, l + 2); return; }
    if (l[0] == 'O' && run == 0) { if (g_nops < 2000) g_ops[g_nops++] = strdup(l + 2); return; }
    if (l[0] == 'S' && run == 0) {
        char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2) return;
        *t1 = 0;
        size_t n = strlen(g_settings_json);
        if (t1[1] == 'i') snprintf(g_settings_json + n, sizeof g_settings_json - n, "%s\"%s\":%s", n ? "," : "", l + 2, t2 + 1);
        else snprintf(g_settings_json + n, sizeof g_settings_json - n, "%s\"%s\":\"%s\"", n ? "," : "", l + 2, t2 + 1);
        return;
    }
    if (l[0] == 'F') {
        char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2) return;
        *t1 = 0;
        struct fact *f = fact_find(l + 2);
        if (!f) {
            if (run != 0 || g_nfacts >= MAXFACTS) return;
            f = &g_facts[g_nfacts++];
            copy_str(f->key, sizeof f->key, l + 2);
            f->type = t1[1];
            copy_str(f->val, sizeof f->val, t2 + 1);
            f->lo = f->hi = strtoll(t2 + 1, NULL, 10);
            return;
        }
        if (strcmp(f->val, t2 + 1) != 0) f->differs = 1;
        if (f->type == 'i') {
            long long v = strtoll(t2 + 1, NULL, 10);
            if (v < f->lo) f->lo = v;
            if (v > f->hi) f->hi = v;
        }
        return;
    }
    if (l[0] == 'V') {
        char *t1 = strchr(l, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2) return;
        *t2 = 0;
        *t1 = '.';
        long long v = strtoll(t2 + 1, NULL, 10);
        for (int i = 0; i < g_nvm; i++)
            if (strcmp(g_vm[i].key, l + 2) == 0) {
                if (v < g_vm[i].lo) g_vm[i].lo = v;
                if (v > g_vm[i].hi) g_vm[i].hi = v;
                return;
            }
        if (g_nvm < MAXFACTS) {
            copy_str(g_vm[g_nvm].key, sizeof g_vm[g_nvm].key, l + 2);
            g_vm[g_nvm].lo = g_vm[g_nvm].hi = v;
            g_nvm++;
        }
    }
}

static void settings_guard_save(char orig[][64]) {
    for (int i = 0; i < NSETTINGS; i++) setting_value(&g_settings[i], orig[i], 64);
}
static void settings_guard_restore(char orig[][64]) {
    for (int i = 0; i < NSETTINGS; i++) {
        char cur[64];
        setting_value(&g_settings[i], cur, sizeof cur);
        if (orig[i][0] && strcmp(cur, orig[i]) != 0) write_file(g_settings[i].path, orig[i]);
    }
}

static int run_case(const struct probe_case *c) {
    int runs = c->runs > 0 ? c->runs : 5;
    const char *override = getenv("VMPROBE_RUNS"); /* e.g. VMPROBE_RUNS=40 conformance/record ID */
    if (override && atoi(override) > 0) runs = atoi(override);
    char orig[NSETTINGS][64];
    settings_guard_save(orig);
    static char rbuf[1 << 22];
    for (int run = 0; run < runs && !g_skip[0]; run++) {
        int pfd[2];
        if (pipe(pfd) != 0) { perror("pipe"); return 1; }
        pid_t pid = fork();
        if (pid == 0) {
            dup2(pfd[1], 1);
            close(pfd[0]);
            close(pfd[1]);
            execl("/proc/self/exe", "vmprobe", "--once", c->id, (char *)NULL);
            _exit(127);
        }
        close(pfd[1]);
        size_t n = 0;
        for (;;) {
            ssize_t r = read(pfd[0], rbuf + n, sizeof rbuf - 1 - n);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            n += (size_t)r;
        }
        rbuf[n] = 0;
        close(pfd[0]);
        int st = 0;
        waitpid(pid, &st, 0);
        settings_guard_restore(orig);
        int ended = 0;
        for (char *l = rbuf; *l;) {
            char *nl = strchr(l, '\n');
            if (nl) *nl = 0;
            if (l[0] == 'E' && l[1] == 0) ended = 1;
            else merge_line(l, run);
            if (!nl) break;
            l = nl + 1;
        }
        if (!ended && !g_skip[0]) {
            snprintf(g_skip, sizeof g_skip, "probe run %d did not finish (status 0x%x)", run + 1, st);
        }
    }
    char did[256], ddesc[1024];
    jesc(did, sizeof did, c->id);
    jesc(ddesc, sizeof ddesc, c->description);
    printf("{\n  \"id\": \"%s\",\n  \"description\": \"%s\",\n", did, ddesc);
    if (g_skip[0]) {
        printf("  \"skipped\": \"%s\"\n}\n", g_skip);
        return 0;
    }
    printf("  \"runs\": %d,\n  \"settings\": {%s},\n  \"ops\": [\n", runs, g_settings_json);
    for (int i = 0; i < g_nops; i++) printf("    %s%s\n", g_ops[i], i + 1 < g_nops ? "," : "");
    printf("  ],\n  \"observed\": {\n");
    for (int i = 0; i < g_nfacts; i++) {
        struct fact *f = &g_facts[i];
        if (f->type == 's') printf("    \"%s\": \"%s\"", f->key, f->val);
        else printf("    \"%s\": %s", f->key, f->val);
        printf("%s\n", i + 1 < g_nfacts ? "," : "");
    }
    printf("  },\n  \"varying\": {");
    int first = 1;
    for (int i = 0; i < g_nfacts; i++) {
        struct fact *f = &g_facts[i];
        if (!f->differs) continue;
        if (f->type == 'i') printf("%s\n    \"%s\": {\"min\": %lld, \"max\": %lld}", first ? "" : ",", f->key, f->lo, f->hi);
        else printf("%s\n    \"%s\": {\"differs\": true}", first ? "" : ",", f->key);
        first = 0;
    }
    printf("%s},\n  \"vmstat\": {", first ? "" : "\n  ");
    /* group by op: "opN.counter" */
    for (int i = 0; i < g_nvm; i++) {
        char op[32];
        const char *dot = strchr(g_vm[i].key, '.');
        size_t ol = (size_t)(dot - g_vm[i].key);
        memcpy(op, g_vm[i].key, ol);
        op[ol] = 0;
        int newop = i == 0 || strncmp(g_vm[i - 1].key, g_vm[i].key, ol + 1) != 0;
        if (newop) printf("%s\n    \"%s\": {", i ? "}," : "", op);
        else printf(", ");
        printf("\"%s\": {\"min\": %lld, \"max\": %lld}", dot + 1, g_vm[i].lo, g_vm[i].hi);
    }
    printf("%s\n  }\n}\n", g_nvm ? "}" : "");
    return 0;
}

static const struct probe_case *find_case(const char *id) {
    for (const struct probe_group *g = probe_groups; g->cases; g++)
        for (int i = 0; i < *g->n; i++)
            if (strcmp(g->cases[i].id, id) == 0) return &g->cases[i];
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const struct probe_group *g = probe_groups; g->cases; g++)
            for (int i = 0; i < *g->n; i++) printf("%s\n", g->cases[i].id);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--once") == 0) {
        const struct probe_case *c = find_case(argv[2]);
        if (!c) return 2;
        return run_once(c);
    }
    if (argc == 2) {
        const struct probe_case *c = find_case(argv[1]);
        if (!c) { fprintf(stderr, "vmprobe: no case %s (see --list)\n", argv[1]); return 2; }
        return run_case(c);
    }
    fprintf(stderr, "usage: vmprobe --list | vmprobe CASE-ID | vmprobe --once CASE-ID\n");
    return 2;
}
