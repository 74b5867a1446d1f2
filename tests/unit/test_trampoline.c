/* The page-0 sled: entered at any syscall number it must slide to the
 * jump without executing anything but NOPs, and numbers past it must
 * fault rather than run something. */
#include <capstone/capstone.h>
#include <string.h>

#include "lp_internal.h"
#include "unit.h"

static uint8_t page0[4096], page1[4096];
static csh cs;
static cs_insn *insn;

static void setup(void)
{
	lp_trampoline_fill(page0, page1, 0x7f0000001234);
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	insn = cs_malloc(cs);
}

static void teardown(void)
{
	cs_free(insn, 1);
	cs_close(&cs);
}

START_TEST(every_entry_slides_to_the_jump)
{
	for (uint64_t k = 0; k < LP_SLED_LEN; k++) {
		const uint8_t *p = page0 + k;
		size_t left = sizeof page0 - k;
		uint64_t a = k;
		while (a < LP_SLED_LEN) {
			ck_assert_msg(cs_disasm_iter(cs, &p, &left, &a, insn), "undecodable at %lu", a);
			ck_assert_msg(insn->id == X86_INS_NOP, "entry %lu runs %s", k, insn->mnemonic);
			ck_assert_msg(insn->size <= 8, "instruction of %u bytes", insn->size);
		}
		ck_assert_msg(a == LP_SLED_LEN, "entry %lu overshoots to %lu", k, a);
	}
}
END_TEST

START_TEST(jump_reads_the_target_from_page_one)
{
	const uint8_t *p = page0 + LP_SLED_LEN;
	size_t left = 16;
	uint64_t a = LP_SLED_LEN;
	ck_assert(cs_disasm_iter(cs, &p, &left, &a, insn));
	ck_assert_int_eq(insn->id, X86_INS_JMP);
	int32_t disp;
	memcpy(&disp, page0 + LP_SLED_LEN + 2, 4);
	ck_assert_int_eq(LP_SLED_LEN + 6 + disp, LP_TRAMP_TARGET);
	uintptr_t target;
	memcpy(&target, page1, sizeof target);
	ck_assert_uint_eq(target, 0x7f0000001234);
}
END_TEST

/* Entered past the sled (an invalid syscall number), the bytes must fault:
 * either a privileged instruction or a write to the read-only page. */
START_TEST(past_the_sled_faults)
{
	/* (at 4095 the fetch itself runs into page 1, which is not executable) */
	for (uint64_t k = LP_SLED_LEN + 1; k < 4095; k++) {
		const uint8_t *p = page0 + k;
		size_t left = sizeof page0 - k;
		uint64_t a = k;
		bool faulted = false;
		for (int step = 0; step < 3 && !faulted; step++) {
			ck_assert(cs_disasm_iter(cs, &p, &left, &a, insn));
			/* cli, or any memory write through rax (page 0 is r-x) */
			faulted = insn->id == X86_INS_CLI ||
				  (insn->id == X86_INS_ADD && strstr(insn->op_str, "[rax]"));
			ck_assert_msg(insn->id != X86_INS_SYSCALL && insn->id != X86_INS_JMP &&
					      insn->id != X86_INS_CALL && insn->id != X86_INS_RET,
				      "entry %lu reaches %s", k, insn->mnemonic);
		}
		ck_assert_msg(faulted, "entry %lu does not fault", k);
	}
}
END_TEST

Suite *suite_trampoline(void)
{
	Suite *s = suite_create("trampoline");
	TCase *tc = tcase_create("sled");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_entry_slides_to_the_jump);
	tcase_add_test(tc, jump_reads_the_target_from_page_one);
	tcase_add_test(tc, past_the_sled_faults);
	suite_add_tcase(s, tc);
	return s;
}
