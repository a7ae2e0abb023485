/* What the four files of libsea_preload.so share: the mapped clock page, the lookup of the
 * real libc functions behind the ones we interpose, and the one-line warnings.
 *
 * init.c maps the clock in the library's constructor (single-threaded, before CMD's main);
 * clock.c, random.c and urandom_fd.c read it from any thread. Everything here is internal: the
 * library is built with hidden visibility and exports only the libc names it interposes
 * (SEA_EXPORT). */
#pragma once

/* Meson defines _FILE_OFFSET_BITS=64, under which <fcntl.h> and <stdio.h> rename open and fopen
 * to open64 and fopen64; this library defines both names itself (64-bit targets, where the
 * pairs are the same functions). */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "preload/sea_preload.h"

#define SEA_EXPORT __attribute__((visibility("default")))

/* The clock page, or NULL when SEA_PRELOAD_CLOCK is unset or its file was unusable: every
 * interposed function then passes straight through to libc. */
extern const struct sea_clock* sea_clock_page;

/* A consistent copy of the current publication; false when there is no clock page (or the
 * controller left it locked, which disables it for the rest of the process). */
bool sea_clock_values(struct sea_clock_values* out);

/* The next definition of NAME after ours (libc's), cached in *SLOT. Called eagerly by the
 * constructor and lazily by the wrappers, since another library's constructor may run CMD code
 * before ours. Aborts with a message if libc lacks NAME: no wrapper can work without it. */
void* sea_next(void** slot, const char* name);
/* Calls go through file-scope slots named real_NAME: `static void* real_read;` then
 * `SEA_REAL(read)(fd, buf, n)`. */
#define SEA_REAL(name) ((__typeof__(&name))sea_next(&real_##name, #name))

/* One line "sea-preload: ..." on stderr, written with write(2) (no stdio: stdout's buffer mode
 * may be ours to set, and this runs in constructors). */
void sea_warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills BUF with LEN bytes of the (seed, feed) PRNG; false (nothing written) without a clock. */
bool sea_random_fill(void* buf, size_t len);

/* Resolves every real function of random.c / clock.c, so wrappers called from signal handlers
 * never reach dlsym. */
void sea_random_init(void);
void sea_urandom_init(void);
void sea_clock_init_real(void);
