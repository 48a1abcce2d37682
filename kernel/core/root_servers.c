/* root_servers.c — loading sigma0, sigma1 and the root task from boot modules and starting
 * them, as X.2 describes (fact sheet §8 "Boot chain"): each in its own space, KIP at
 * ROOT_KIP_AREA, UTCB area at ROOT_UTCB_AREA, first thread's UTCB at the area's start.
 *
 * Like kickstart, the kernel places each program's segments at the physical addresses equal to
 * their link addresses (sigma0 maps physical memory 1:1), so those ranges must be free
 * conventional memory; the KIP records them in the sigma0/sigma1/root-server fields.  Placing
 * (parsing, checking the range) and loading (copying) are separate steps, so that boot can
 * refuse root servers whose ranges overlap before it copies any of them.
 */
#include "core/root_servers.h"
#include "core/elf.h"
#include "core/space.h"
#include "core/thread.h"
#include "core/sched.h"
#include "lib/string.h"
#include "debug/console.h"
#include "debug/panic.h"
#include "arch.h"
#include <sigma4/kip.h>

static bool range_is(const struct memmap *m, uint64_t base, uint64_t end, uint8_t type)
{
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].base <= base && end <= m->r[i].end)
            return m->r[i].type == type;
    return false;
}

int root_server_place(struct root_server *rs, const void *image, size_t len,
                      const struct memmap *m)
{
    int err = elf_parse(image, len, &rs->elf);
    if (err) {
        kprintf("sigma4: %s: bad ELF image: %s\n", rs->name, elf_strerror(err));
        return -1;
    }
    if (!range_is(m, rs->elf.lowest, rs->elf.highest, MDESC_CONVENTIONAL)) {
        kprintf("sigma4: %s: link range 0x%lx-0x%lx is not free conventional memory\n",
                rs->name, rs->elf.lowest, rs->elf.highest);
        return -1;
    }
    rs->image = image;
    rs->low = rs->elf.lowest;
    rs->high = rs->elf.highest;
    return 0;
}

void root_server_load(const struct root_server *rs)
{
    for (unsigned i = 0; i < rs->elf.nseg; i++) {
        const struct elf_segment *s = &rs->elf.seg[i];
        char *dst = phys_to_virt(s->vaddr);
        memcpy(dst, (const char *)rs->image + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
}

static unsigned seg_rights(uint32_t f)
{
    return ((f & ELF_SEG_R) ? PT_R : 0) | ((f & ELF_SEG_W) ? PT_W : 0) | ((f & ELF_SEG_X) ? PT_X : 0);
}

struct tcb *root_server_start(struct root_server *rs, uint32_t thread_no, uint64_t pager)
{
    struct space *s = space_create(NULL);      /* an unlimited account of its own */
    if (!s || space_set_areas(s, ROOT_KIP_AREA, ROOT_UTCB_AREA, ROOT_UTCB_AREA_LOG2) < 0)
        panic("%s: out of kernel memory", rs->name);
    s->privileged = true;
    for (unsigned i = 0; i < rs->elf.nseg; i++) {
        const struct elf_segment *seg = &rs->elf.seg[i];
        uint64_t start = seg->vaddr & ~(PAGE_SIZE - 1);
        for (uint64_t va = start; va < seg->vaddr + seg->memsz; va += PAGE_SIZE)
            if (space_map_page(s, va, va, seg_rights(seg->flags)) < 0)
                panic("%s: out of kernel memory", rs->name);
    }
    struct tcb *t = thread_create(tid_make(thread_no, 1), s);
    if (!t)
        panic("%s: out of kernel memory", rs->name);
    t->name = rs->name;
    t->pager = pager;
    t->scheduler = tid_make(THREAD_ROOT_NO, 1);
    t->prio = SCHED_ROOT_PRIO;
    t->flags |= TF_ROOT_SERVER;
    uint64_t *u = space_utcb(s, ROOT_UTCB_AREA);
    if (!u)
        panic("%s: out of kernel memory", rs->name);
    thread_setup_utcb(t, ROOT_UTCB_AREA, u);
    arch_thread_init_user(t, rs->elf.entry, 0);
    thread_start(t, rs->elf.entry, 0);
    kprintf("sigma4: started %s: thread %lx, entry 0x%lx, memory 0x%lx-0x%lx\n", rs->name,
            t->tid, rs->elf.entry, rs->low, rs->high - 1);
    return t;
}
