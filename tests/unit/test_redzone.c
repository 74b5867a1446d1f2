/* The red-zone rule on small functions, as bytes. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp_internal.h"
#include "unit.h"

#define SYSCALL 0x0f, 0x05
#define RET 0xc3

static enum lp_site_verdict check_bytes(const uint8_t *b, size_t n, size_t *sites)
{
	uintptr_t found[4];
	return lp_function_analyze(b, n, 0x1000, found, 4, sites);
}

START_TEST(plain_wrapper_ok)
{
	/* mov $110,%eax; syscall; ret -- glibc's getppid */
	const uint8_t f[] = { 0xb8, 0x6e, 0, 0, 0, SYSCALL, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_OK);
	ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(local_passed_by_pointer_ok)
{
	/* sub $24,%rsp; mov %rsp,%rsi; syscall; add $24,%rsp; ret */
	const uint8_t f[] = { 0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0xe6, SYSCALL,
			      0x48, 0x83, 0xc4, 0x18, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_OK);
}
END_TEST

START_TEST(leaf_red_zone_refused)
{
	/* mov %rdi,-8(%rsp); syscall; mov -8(%rsp),%rax; ret */
	const uint8_t f[] = { 0x48, 0x89, 0x7c, 0x24, 0xf8, SYSCALL, 0x48, 0x8b, 0x44, 0x24, 0xf8, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(red_zone_pointer_refused)
{
	/* lea -16(%rsp),%rsi; syscall; ret -- the kernel writes below rsp */
	const uint8_t f[] = { 0x48, 0x8d, 0x74, 0x24, 0xf0, SYSCALL, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(indexed_rsp_refused)
{
	/* mov (%rsp,%rcx,8),%rax; syscall; ret */
	const uint8_t f[] = { 0x48, 0x8b, 0x04, 0xcc, SYSCALL, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(unoptimized_leaf_frame_refused)
{
	/* push %rbp; mov %rsp,%rbp; mov %edi,-4(%rbp); syscall; pop %rbp; ret */
	const uint8_t f[] = { 0x55, 0x48, 0x89, 0xe5, 0x89, 0x7d, 0xfc, SYSCALL, 0x5d, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(unoptimized_frame_with_allocation_ok)
{
	/* push %rbp; mov %rsp,%rbp; sub $16,%rsp; mov %edi,-4(%rbp);
	 * syscall; leave; ret */
	const uint8_t f[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0x89, 0x7d, 0xfc,
			      SYSCALL, 0xc9, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_OK);
}
END_TEST

START_TEST(frame_deeper_than_allocation_refused)
{
	/* same, but -24(%rbp) is below the 16 bytes allocated */
	const uint8_t f[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0x89, 0x7d, 0xe8,
			      SYSCALL, 0xc9, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(stack_switch_refused)
{
	/* xchg %rax,%rsp; syscall; ret */
	const uint8_t f[] = { 0x48, 0x94, SYSCALL, RET };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_REDZONE);
}
END_TEST

START_TEST(undecodable_refused)
{
	const uint8_t f[] = { SYSCALL, 0x0f, 0x0b, 0xff, 0xff, 0x06 };
	size_t n;
	ck_assert_int_eq(check_bytes(f, sizeof f, &n), LP_SITE_UNDECODABLE);
}
END_TEST

START_TEST(lists_every_site)
{
	const uint8_t f[] = { 0xb8, 0x27, 0, 0, 0, SYSCALL, 0xb8, 0x6e, 0, 0, 0, SYSCALL, RET };
	uintptr_t sites[4];
	size_t n;
	ck_assert_int_eq(lp_function_analyze(f, sizeof f, 0x2000, sites, 4, &n), LP_SITE_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(sites[0], 0x2005);
	ck_assert_uint_eq(sites[1], 0x200c);
}
END_TEST

static void load_capstone(void)
{
	ck_assert_int_eq(lp_redzone_init(), 0);
}

/* ---- verdicts kept for a run (sitestore.c) ---- */

START_TEST(keys_name_bytes_and_offset)
{
	uint8_t f[40], g[48];
	for (size_t i = 0; i < sizeof f; i++)
		f[i] = (uint8_t)(i * 7 + 1);
	memcpy(g + 5, f, sizeof f);  /* the same function elsewhere */
	uint64_t a1, a2, b1, b2;
	lp_sites_hash(f, sizeof f, 9, NULL, 0, &a1, &a2);
	lp_sites_hash(g + 5, sizeof f, 9, NULL, 0, &b1, &b2);
	ck_assert(a1 == b1 && a2 == b2);
	lp_sites_hash(f, sizeof f, 11, NULL, 0, &b1, &b2);  /* another site of it */
	ck_assert(a1 != b1 && a2 != b2);
	lp_sites_hash(f, sizeof f - 1, 9, NULL, 0, &b1, &b2);  /* shorter by its last byte */
	ck_assert(a1 != b1 && a2 != b2);
	for (size_t i = 0; i < sizeof f; i++) {  /* any one byte changed */
		f[i] ^= 0x40;
		lp_sites_hash(f, sizeof f, 9, NULL, 0, &b1, &b2);
		ck_assert_msg(a1 != b1 && a2 != b2, "byte %zu", i);
		f[i] ^= 0x40;
	}
}
END_TEST

/* A rewritten site anywhere, across word boundaries too, hashes as its
 * original `0f 05`: every process gets the same key. */
START_TEST(rewritten_sites_hash_as_original)
{
	uint8_t f[37], g[37];
	for (size_t i = 0; i < sizeof f; i++)
		f[i] = (uint8_t)(i * 13 + 3);
	for (uint32_t at = 0; at + 1 < sizeof f; at++) {
		memcpy(g, f, sizeof f);
		g[at] = 0x0f, g[at + 1] = 0x05;
		uint64_t a1, a2, b1, b2;
		lp_sites_hash(g, sizeof g, 30, NULL, 0, &a1, &a2);
		g[at] = 0xff, g[at + 1] = 0xd0;
		lp_sites_hash(g, sizeof g, 30, &at, 1, &b1, &b2);
		ck_assert_msg(a1 == b1 && a2 == b2, "site at %u", at);
		lp_sites_hash(g, sizeof g, 30, NULL, 0, &b1, &b2);  /* unknown to be ours */
		ck_assert_msg(a1 != b1, "site at %u", at);
	}
	/* two of them, adjacent words */
	memcpy(g, f, sizeof f);
	g[7] = 0x0f, g[8] = 0x05, g[15] = 0x0f, g[16] = 0x05;
	uint64_t a1, a2, b1, b2;
	lp_sites_hash(g, sizeof g, 3, NULL, 0, &a1, &a2);
	g[7] = 0xff, g[8] = 0xd0, g[15] = 0xff, g[16] = 0xd0;
	const uint32_t both[] = { 7, 15 };
	lp_sites_hash(g, sizeof g, 3, both, 2, &b1, &b2);
	ck_assert(a1 == b1 && a2 == b2);
}
END_TEST

START_TEST(store_keeps_verdicts)
{
	unsetenv("LAZYPOLINE_SITES_FD");
	lp_sites_attach(false);
	ck_assert(lp_sites_want_capstone(42));  /* a new program: Capstone decides */
	ck_assert(!lp_sites_want_capstone(42));  /* the same again, nothing missed */
	ck_assert_int_eq(lp_sites_lookup(12345, 678), -1);
	lp_sites_record(12345, 678, LP_SITE_REDZONE);
	ck_assert_int_eq(lp_sites_lookup(12345, 678), LP_SITE_REDZONE);
	ck_assert_int_eq(lp_sites_lookup(12345, 679), -1);  /* same first hash, another function */
	lp_sites_record(12345, 679, LP_SITE_OK);            /* cannot take its slot */
	ck_assert_int_eq(lp_sites_lookup(12345, 678), LP_SITE_REDZONE);
	/* warm and hot marks: per program, beside the verdict; a mark only rises */
	ck_assert_int_eq(lp_sites_heat(12345, 678, 1), LP_SITE_COLD);
	lp_sites_mark(12345, 678, 1, LP_SITE_WARM);
	ck_assert_int_eq(lp_sites_heat(12345, 678, 1), LP_SITE_WARM);
	lp_sites_mark(12345, 678, 1, LP_SITE_HOT);
	ck_assert_int_eq(lp_sites_heat(12345, 678, 1), LP_SITE_HOT);
	lp_sites_mark(12345, 678, 1, LP_SITE_WARM);
	ck_assert_int_eq(lp_sites_heat(12345, 678, 1), LP_SITE_HOT);
	ck_assert_int_eq(lp_sites_heat(12345, 678, 2), LP_SITE_COLD);
	ck_assert_int_eq(lp_sites_heat(12345, 679, 1), LP_SITE_COLD);
	lp_sites_mark(12345, 679, 1, LP_SITE_HOT);  /* hot at once */
	ck_assert_int_eq(lp_sites_heat(12345, 679, 1), LP_SITE_HOT);
	ck_assert_int_eq(lp_sites_lookup(12345, 678), LP_SITE_REDZONE);
	/* keys that all probe from one slot: 64 are kept, then nothing, no harm */
	for (uint64_t k = 1; k <= 70; k++)
		lp_sites_record(k * 32768 + 7, k, LP_SITE_OK);
	for (uint64_t k = 1; k <= 70; k++)
		ck_assert_int_eq(lp_sites_lookup(k * 32768 + 7, k), k <= 64 ? LP_SITE_OK : -1);
}
END_TEST

/* mov $110,%eax; syscall; ret -- and a leaf that keeps data below rsp */
static const uint8_t wrapper[] = { 0xb8, 0x6e, 0, 0, 0, SYSCALL, RET };
static const uint8_t leaf[] = { 0x48, 0x89, 0x7c, 0x24, 0xf8, SYSCALL, 0x48, 0x8b, 0x44, 0x24, 0xf8, RET };

static int kept(const uint8_t *f, size_t len, size_t site)
{
	uint64_t h1, h2;
	lp_sites_hash(f, len, site, NULL, 0, &h1, &h2);
	return lp_sites_lookup(h1, h2);
}

START_TEST(store_shared_with_children)
{
	unsetenv("LAZYPOLINE_SITES_FD");
	lp_sites_attach(false);
	pid_t p = fork();
	if (p == 0) {
		lp_sites_record(99, 1, LP_SITE_OK);
		lp_sites_missed(wrapper, sizeof wrapper, NULL, 0);
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	ck_assert_int_eq(lp_sites_lookup(99, 1), LP_SITE_OK);
}
END_TEST

/* Functions missed by processes without Capstone are decided by the next
 * that loads it, from the bytes kept -- as they were before a rewrite. */
START_TEST(missed_functions_decided_later)
{
	unsetenv("LAZYPOLINE_SITES_FD");
	lp_sites_attach(false);
	uint8_t patched[sizeof leaf];
	memcpy(patched, leaf, sizeof leaf);
	patched[5] = 0xff, patched[6] = 0xd0;  /* a site this process rewrote */
	const uint32_t fix = 5;
	pid_t p = fork();
	if (p == 0) {  /* no Capstone here */
		lp_sites_missed(wrapper, sizeof wrapper, NULL, 0);
		lp_sites_missed(wrapper, sizeof wrapper, NULL, 0);  /* kept once */
		lp_sites_missed(patched, sizeof patched, &fix, 1);
		lp_sites_missed(leaf, sizeof leaf, NULL, 0);  /* the same function */
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(p, &st, 0), p);
	ck_assert_int_eq(kept(wrapper, sizeof wrapper, 5), -1);
	ck_assert(lp_sites_want_capstone(7));   /* a program new to the run */
	ck_assert(lp_sites_want_capstone(7));   /* known, but others missed sites */
	ck_assert(!lp_sites_want_capstone(7));  /* known, nothing missed since */
	ck_assert_int_eq(lp_redzone_init(), 0);
	ck_assert_int_eq(lp_sites_decide_wanted(), 2);
	ck_assert_int_eq(kept(wrapper, sizeof wrapper, 5), LP_SITE_OK);
	ck_assert_int_eq(kept(leaf, sizeof leaf, 5), LP_SITE_REDZONE);
	/* a function longer than what is kept is only counted */
	static uint8_t big[8192];
	lp_sites_missed(big, sizeof big, NULL, 0);
	ck_assert_int_eq(lp_sites_decide_wanted(), 0);
	ck_assert(lp_sites_want_capstone(7));  /* but counted */
}
END_TEST

Suite *suite_redzone(void)
{
	Suite *s = suite_create("redzone");
	TCase *tc = tcase_create("rule");
	tcase_add_checked_fixture(tc, load_capstone, NULL);
	tcase_add_test(tc, plain_wrapper_ok);
	tcase_add_test(tc, local_passed_by_pointer_ok);
	tcase_add_test(tc, leaf_red_zone_refused);
	tcase_add_test(tc, red_zone_pointer_refused);
	tcase_add_test(tc, indexed_rsp_refused);
	tcase_add_test(tc, unoptimized_leaf_frame_refused);
	tcase_add_test(tc, unoptimized_frame_with_allocation_ok);
	tcase_add_test(tc, frame_deeper_than_allocation_refused);
	tcase_add_test(tc, stack_switch_refused);
	tcase_add_test(tc, undecodable_refused);
	tcase_add_test(tc, lists_every_site);
	suite_add_tcase(s, tc);
	TCase *kept = tcase_create("kept verdicts");
	tcase_add_test(kept, keys_name_bytes_and_offset);
	tcase_add_test(kept, rewritten_sites_hash_as_original);
	tcase_add_test(kept, store_keeps_verdicts);
	tcase_add_test(kept, store_shared_with_children);
	tcase_add_test(kept, missed_functions_decided_later);
	suite_add_tcase(s, kept);
	return s;
}
