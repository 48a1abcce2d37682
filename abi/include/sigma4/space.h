/* space.h — sigma4's extension of the SpaceControl control word: kernel-memory quotas.
 *
 * control = SPACE_CONTROL_QUOTA | pages: the space named by SpaceSpecifier gets a kernel-
 * memory account of its own with a limit of `pages` × 4 KiB (SPACE_QUOTA_UNLIMITED: no
 * limit), and everything it holds is charged there; the KIP area, UTCB area and redirector
 * arguments are ignored by such a call.  docs/abi/space_control.md, docs/design/kmem-accounts.md.
 */
#pragma once

#define SPACE_CONTROL_QUOTA     (1ULL << 62)            /* set the space's quota */
#define SPACE_QUOTA_PAGES_MASK  ((1ULL << 40) - 1)      /* bits 39..0: the limit, 4 KiB units */
#define SPACE_QUOTA_UNLIMITED   SPACE_QUOTA_PAGES_MASK  /* an account without a limit */
