package io.vmsim.core.mm;

/**
 * The kernel objects vmsim charges to a memory cgroup as slab objects ({@code SLAB_ACCOUNT}
 * caches, or {@code __GFP_ACCOUNT} allocations): each is charged {@code obj_full_size()}
 * (mm/memcontrol.c) bytes, the cache's slot size ({@code s->size}, the {@code objsize} column
 * of {@code /proc/slabinfo}) plus the {@code struct obj_cgroup *} the slab keeps for it.
 *
 * <p>The sizes are those of Linux 6.18.44 on x86_64, the conformance machine, read from
 * {@code /proc/slabinfo}. Which objects are charged, and at these sizes, was measured there with
 * {@code memory.kmem.usage_in_bytes} of a cgroup v1 group (conformance/README.md, "Kernel memory
 * of a memory cgroup"): 2000 areas charged 200 bytes each and the maple tree nodes nothing; 1000
 * first anonymous faults, each in an area of its own, 184 bytes each (an anon_vma and its
 * anon_vma_chain).
 */
public final class AccountedSlabs {
    private AccountedSlabs() {
    }

    /** {@code sizeof(struct obj_cgroup *)}: what the slab's {@code obj_exts} keeps per object. */
    public static final int OBJCG_POINTER = 8;

    /** {@code vm_area_struct} (kernel/fork.c, {@code vm_area_cachep}, SLAB_ACCOUNT): slot 192 bytes. */
    public static final int VM_AREA_STRUCT = 192 + OBJCG_POINTER;
    /** {@code anon_vma} (mm/rmap.c, {@code anon_vma_cachep}, SLAB_ACCOUNT): slot 104 bytes. */
    public static final int ANON_VMA = 104 + OBJCG_POINTER;
    /** {@code anon_vma_chain} (mm/rmap.c, {@code anon_vma_chain_cachep}, SLAB_ACCOUNT): slot 64 bytes. */
    public static final int ANON_VMA_CHAIN = 64 + OBJCG_POINTER;
    /** {@code shmem_inode_cache} (mm/shmem.c, SLAB_ACCOUNT): slot 752 bytes. */
    public static final int SHMEM_INODE = 752 + OBJCG_POINTER;
    /** {@code dentry} (fs/dcache.c, SLAB_ACCOUNT): slot 192 bytes. */
    public static final int DENTRY = 192 + OBJCG_POINTER;
    /** {@code filp}, a {@code struct file} (fs/file_table.c, SLAB_ACCOUNT): slot 192 bytes. */
    public static final int FILP = 192 + OBJCG_POINTER;
    /**
     * {@code proc_inode_cache} (fs/proc/inode.c, SLAB_ACCOUNT): slot 696 bytes. A lookup of a
     * {@code /proc/<pid>} entry allocates one with its dentry; both stay in the dcache after the
     * file is closed, until the task is reaped ({@code proc_flush_pid()}). 37 first lookups of
     * entries of {@code /proc/self} charged 8 pages, and opening them again nothing
     * (conformance/kmem/observe-reads.c, {@code lookups}).
     */
    public static final int PROC_INODE = 696 + OBJCG_POINTER;
    /**
     * {@code inode_cache} (fs/inode.c, SLAB_ACCOUNT): slot 624 bytes; the inode of a file system
     * without its own inode cache, as kernfs (a cgroup's files) is.
     */
    public static final int INODE = 624 + OBJCG_POINTER;
    /**
     * {@code pde_opener} (fs/proc/inode.c, SLAB_ACCOUNT): slot 40 bytes; {@code proc_reg_open()}
     * allocates one for a {@code /proc} entry with a release method, as every seq_file entry
     * ({@code /proc/vmstat}) has, and {@code close()} frees it.
     */
    public static final int PDE_OPENER = 40 + OBJCG_POINTER;
    /** {@code seq_file} (fs/seq_file.c, {@code seq_file_cache}, SLAB_ACCOUNT): slot 120 bytes, allocated at {@code seq_open()}. */
    public static final int SEQ_FILE = 120 + OBJCG_POINTER;
    /**
     * A {@code seq_file}'s buffer, allocated at the first {@code read()} of the file
     * ({@code seq_buf_alloc()}: {@code kvmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT)}, fs/seq_file.c),
     * from {@code kmalloc-cg-4k}, and freed at its {@code close()}: 4104 bytes, which
     * {@code obj_cgroup_charge_account()} charges as 2 pages when the object stock cannot hold
     * them (conformance/writeback/memcg-swap-end-kmem.c).
     */
    public static final int SEQ_FILE_BUF = 4096 + OBJCG_POINTER;
    /**
     * {@code radix_tree_node}, an xarray node (lib/radix-tree.c): slot 584 bytes; charged when the
     * xarray has {@code XA_FLAGS_ACCOUNT}, as every page cache's {@code i_pages} has
     * ({@code address_space_init_once()}).
     */
    public static final int RADIX_TREE_NODE = 584 + OBJCG_POINTER;
    /**
     * {@code buffer_head} (fs/buffer.c, {@code bh_cachep}): slot 104 bytes. A file system with
     * 4 KiB blocks (ext4 here) attaches one to a page-cache page the first time {@code write()}
     * fills it ({@code block_write_begin()} -> {@code create_empty_buffers()}), allocated with
     * {@code __GFP_ACCOUNT} and charged to the page's group ({@code folio_alloc_buffers()}
     * sets the active memcg to {@code folio_memcg()}); reclaim frees it with the page
     * ({@code filemap_release_folio()} -> {@code try_to_free_buffers()}), as does truncation.
     * conformance/writeback/memcg-failcnt-per-page.json measured 122 bytes of kernel memory a
     * page written to an ext4 file, this plus the page cache's xarray nodes (592 / 64 a page).
     */
    public static final int BUFFER_HEAD = 104 + OBJCG_POINTER;
    /**
     * {@code mm_struct} (kernel/fork.c, {@code mm_cachep}, SLAB_ACCOUNT): slot 1600 bytes. A fork
     * allocates the child's ({@code dup_mm()} -> {@code allocate_mm()}), charged to the forking
     * task's group; it is freed after the child's {@code exit_mmap()}, by the last
     * {@code mmdrop()} on the CPU the child exited on ({@code finish_task_switch()}).
     */
    public static final int MM_STRUCT = 1600 + OBJCG_POINTER;
    /**
     * What {@code shmem_zero_setup()} allocates for a shared anonymous mapping
     * ({@code shmem_kernel_file_setup()}): the inode, its dentry and the file.
     */
    public static final int SHMEM_ZERO_SETUP = SHMEM_INODE + DENTRY + FILP;
}
