/* pma_avl.c — the AVL-tree PMA: free frames as a balanced tree of maximal free ranges.
 *
 * The algorithm the paper measures (L4Re's and Genode's allocators keep their free memory the
 * same way).  Keys are range starts (offsets into the span); a node's range never overlaps or
 * touches another's, so the tree is also ordered by range end.  Allocation takes the lowest
 * free frame (shrinking, or removing, the leftmost node); a free merges with the neighbour
 * ranges on either side, so a node is added only when the frame touches neither.  Every
 * operation walks one or two root-to-leaf paths: O(log r) for r free ranges — the cost the
 * paper sees grow with outstanding pages (Figure 11).  Recursion depth is the tree height,
 * at most 1.44 log2(2^31) ≈ 45.  Context: single-threaded, pure (see pma.h).
 */
#include "pma.h"

static uint32_t height(const struct pma_avl *t, uint32_t i)
{
    return i == PMA_AVL_NIL ? 0 : t->node[i].height;
}

static void fix_height(struct pma_avl *t, uint32_t i)
{
    uint32_t l = height(t, t->node[i].left), r = height(t, t->node[i].right);
    t->node[i].height = 1 + (l > r ? l : r);
}

static uint32_t rotate_right(struct pma_avl *t, uint32_t i)
{
    uint32_t l = t->node[i].left;
    t->node[i].left = t->node[l].right;
    t->node[l].right = i;
    fix_height(t, i);
    fix_height(t, l);
    return l;
}

static uint32_t rotate_left(struct pma_avl *t, uint32_t i)
{
    uint32_t r = t->node[i].right;
    t->node[i].right = t->node[r].left;
    t->node[r].left = i;
    fix_height(t, i);
    fix_height(t, r);
    return r;
}

/* Restore the AVL property at i (its subtrees are AVL trees whose heights differ by <= 2);
 * returns the subtree's new root. */
static uint32_t rebalance(struct pma_avl *t, uint32_t i)
{
    struct pma_avl_node *n = &t->node[i];
    fix_height(t, i);
    int64_t bf = (int64_t)height(t, n->left) - (int64_t)height(t, n->right);
    if (bf > 1) {
        uint32_t l = n->left;
        if (height(t, t->node[l].left) < height(t, t->node[l].right))
            n->left = rotate_left(t, l);
        return rotate_right(t, i);
    }
    if (bf < -1) {
        uint32_t r = n->right;
        if (height(t, t->node[r].right) < height(t, t->node[r].left))
            n->right = rotate_right(t, r);
        return rotate_left(t, i);
    }
    return i;
}

static uint32_t insert(struct pma_avl *t, uint32_t i, uint32_t n)
{
    if (i == PMA_AVL_NIL)
        return n;
    if (t->node[n].start < t->node[i].start)
        t->node[i].left = insert(t, t->node[i].left, n);
    else
        t->node[i].right = insert(t, t->node[i].right, n);
    return rebalance(t, i);
}

/* Detach the leftmost node of subtree i into *min; returns the subtree's new root. */
static uint32_t remove_min(struct pma_avl *t, uint32_t i, uint32_t *min)
{
    if (t->node[i].left == PMA_AVL_NIL) {
        *min = i;
        return t->node[i].right;
    }
    t->node[i].left = remove_min(t, t->node[i].left, min);
    return rebalance(t, i);
}

static void release(struct pma_avl *t, uint32_t i)
{
    t->node[i].left = t->unused;
    t->unused = i;
    t->nranges--;
}

/* Remove (and release) the node whose range starts at `key`; returns the new subtree root. */
static uint32_t remove_key(struct pma_avl *t, uint32_t i, uint32_t key)
{
    if (i == PMA_AVL_NIL)
        return PMA_AVL_NIL;
    struct pma_avl_node *n = &t->node[i];
    if (key < n->start) {
        n->left = remove_key(t, n->left, key);
    } else if (key > n->start) {
        n->right = remove_key(t, n->right, key);
    } else {
        uint32_t l = n->left, r = n->right, m;
        release(t, i);
        if (r == PMA_AVL_NIL)
            return l;
        r = remove_min(t, r, &m);
        t->node[m].left = l;
        t->node[m].right = r;
        return rebalance(t, m);
    }
    return rebalance(t, i);
}

/* The node with the largest start <= key, or PMA_AVL_NIL. */
static uint32_t floor_node(const struct pma_avl *t, uint64_t key)
{
    uint32_t i = t->root, best = PMA_AVL_NIL;
    while (i != PMA_AVL_NIL) {
        if (t->node[i].start <= key) {
            best = i;
            i = t->node[i].right;
        } else {
            i = t->node[i].left;
        }
    }
    return best;
}

/* The node with the smallest start >= key, or PMA_AVL_NIL. */
static uint32_t ceil_node(const struct pma_avl *t, uint64_t key)
{
    uint32_t i = t->root, best = PMA_AVL_NIL;
    while (i != PMA_AVL_NIL) {
        if (t->node[i].start >= key) {
            best = i;
            i = t->node[i].left;
        } else {
            i = t->node[i].right;
        }
    }
    return best;
}

static uint32_t extreme(const struct pma_avl *t, int right)
{
    uint32_t i = t->root;
    while (i != PMA_AVL_NIL && (right ? t->node[i].right : t->node[i].left) != PMA_AVL_NIL)
        i = right ? t->node[i].right : t->node[i].left;
    return i;
}

static uint64_t end_of(const struct pma_avl *t, uint32_t i)
{
    return (uint64_t)t->node[i].start + t->node[i].len;
}

/* A new tree node for [start, start + len), not yet linked; PMA_AVL_NIL if none is left. */
static uint32_t new_node(struct pma_avl *t, uint32_t start, uint32_t len)
{
    uint32_t i = t->unused;
    if (i == PMA_AVL_NIL)
        return PMA_AVL_NIL;
    t->unused = t->node[i].left;
    t->node[i] = (struct pma_avl_node){ start, len, PMA_AVL_NIL, PMA_AVL_NIL, 1 };
    t->nranges++;
    return i;
}

size_t pma_avl_meta_bytes(uint64_t n)
{
    size_t bytes = (size_t)(n / 2 + 2) * sizeof(struct pma_avl_node);
    return (bytes + 7) & ~(size_t)7;
}

void pma_avl_init(struct pma_avl *t, uint64_t n, void *meta)
{
    t->node = meta;
    t->cap = (uint32_t)(n / 2 + 2);
    t->root = PMA_AVL_NIL;
    t->nranges = 0;
    t->unused = PMA_AVL_NIL;
    for (uint32_t i = t->cap; i-- > 0;) {
        t->node[i].left = t->unused;
        t->unused = i;
    }
}

int pma_avl_is_free(const struct pma_avl *t, uint32_t off)
{
    uint32_t f = floor_node(t, off);
    return f != PMA_AVL_NIL && off < end_of(t, f);
}

int pma_avl_add(struct pma_avl *t, uint32_t off, uint32_t len)
{
    uint64_t end = (uint64_t)off + len;
    uint32_t f = floor_node(t, end - 1);
    if (f != PMA_AVL_NIL && end_of(t, f) > off)
        return PMA_E_DOUBLE;                    /* the only range that could overlap */
    uint32_t p = off > 0 ? floor_node(t, off - 1u) : PMA_AVL_NIL;
    uint32_t s = ceil_node(t, off);
    int left = p != PMA_AVL_NIL && end_of(t, p) == off;
    int right = s != PMA_AVL_NIL && t->node[s].start == end;
    if (left && right) {
        t->node[p].len += len + t->node[s].len;
        t->root = remove_key(t, t->root, t->node[s].start);
    } else if (left) {
        t->node[p].len += len;
    } else if (right) {
        t->node[s].start = off;                 /* still above p's end: order kept */
        t->node[s].len += len;
    } else {
        uint32_t n = new_node(t, off, len);
        if (n == PMA_AVL_NIL)
            return PMA_E_NOMETA;
        t->root = insert(t, t->root, n);
    }
    return PMA_OK;
}

int pma_avl_alloc(struct pma_avl *t, uint32_t *off)
{
    uint32_t i = extreme(t, 0);
    if (i == PMA_AVL_NIL)
        return PMA_E_EMPTY;
    *off = t->node[i].start;
    if (t->node[i].len > 1) {
        t->node[i].start++;                     /* the lowest range stays the lowest */
        t->node[i].len--;
    } else {
        uint32_t m;
        t->root = remove_min(t, t->root, &m);
        release(t, m);
    }
    return PMA_OK;
}

uint64_t pma_avl_take(struct pma_avl *t, uint64_t max, struct pma_range *out, unsigned nout,
                      unsigned *used)
{
    uint64_t got = 0;
    while (got < max && t->root != PMA_AVL_NIL) {
        uint32_t i = extreme(t, 1);
        struct pma_avl_node *n = &t->node[i];
        uint64_t want = max - got;
        if (n->len <= want) {
            uint32_t len = n->len;
            if (!pma_range_emit(out, nout, used, n->start, len))
                break;
            t->root = remove_key(t, t->root, n->start);
            got += len;
        } else {
            if (!pma_range_emit(out, nout, used, n->start + n->len - want, want))
                break;
            n->len -= (uint32_t)want;
            got += want;
        }
    }
    return got;
}

uint64_t pma_avl_take_within(struct pma_avl *t, uint32_t lo, uint32_t hi, uint64_t max,
                             struct pma_range *out, unsigned nout, unsigned *used)
{
    uint64_t got = 0;
    while (hi > lo && got < max) {
        uint32_t i = floor_node(t, hi - 1u);
        if (i == PMA_AVL_NIL || end_of(t, i) <= lo)
            break;
        struct pma_avl_node *n = &t->node[i];
        uint32_t s0 = n->start, e0 = (uint32_t)end_of(t, i);
        uint32_t a = s0 > lo ? s0 : lo, b = e0 < hi ? e0 : hi;
        if (b - a > max - got)
            a = b - (uint32_t)(max - got);      /* only the top of the range */
        if (s0 < a && e0 > b && t->unused == PMA_AVL_NIL)
            break;                              /* the split needs a node (cannot happen) */
        if (!pma_range_emit(out, nout, used, a, b - a))
            break;
        got += b - a;
        if (s0 < a && e0 > b) {
            n->len = a - s0;
            t->root = insert(t, t->root, new_node(t, b, e0 - b));
        } else if (s0 < a) {
            n->len = a - s0;
        } else if (e0 > b) {
            n->start = b;                       /* moves up inside its own old range */
            n->len = e0 - b;
        } else {
            t->root = remove_key(t, t->root, s0);
        }
        hi = a;
    }
    return got;
}

static void walk(const struct pma_avl *t, uint32_t i,
                 void (*fn)(void *ctx, uint64_t off, uint64_t len), void *ctx)
{
    if (i == PMA_AVL_NIL)
        return;
    walk(t, t->node[i].left, fn, ctx);
    fn(ctx, t->node[i].start, t->node[i].len);
    walk(t, t->node[i].right, fn, ctx);
}

void pma_avl_foreach(const struct pma_avl *t, void (*fn)(void *ctx, uint64_t off, uint64_t len),
                     void *ctx)
{
    walk(t, t->root, fn, ctx);
}
