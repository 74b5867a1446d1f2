/* Function bounds from unwind tables.
 *
 * The red-zone rule looks at a site's whole function, and eager mode
 * disassembles functions from their real starts; both take the bounds
 * from .eh_frame_hdr (found with _dl_find_object), whose sorted table maps
 * each function start to its FDE, and the FDE gives the length. */
#include <string.h>

#include "lp_internal.h"

enum {
	DW_EH_PE_absptr = 0x00,
	DW_EH_PE_uleb128 = 0x01,
	DW_EH_PE_udata2 = 0x02,
	DW_EH_PE_udata4 = 0x03,
	DW_EH_PE_udata8 = 0x04,
	DW_EH_PE_sleb128 = 0x09,
	DW_EH_PE_sdata2 = 0x0a,
	DW_EH_PE_sdata4 = 0x0b,
	DW_EH_PE_sdata8 = 0x0c,
	DW_EH_PE_pcrel = 0x10,
	DW_EH_PE_datarel = 0x30,
	DW_EH_PE_indirect = 0x80,
	DW_EH_PE_omit = 0xff,
};

static uint64_t uleb(const uint8_t **p)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return v;
}

static int64_t sleb(const uint8_t **p)
{
	int64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		if (shift < 64)
			v |= (int64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

/* Read a pointer in encoding enc; datarel is relative to `data`.
 * Returns 0, or -1 for encodings we do not handle. */
static int read_enc(const uint8_t **p, uint8_t enc, uintptr_t data, uintptr_t *out)
{
	const uint8_t *start = *p;
	uint64_t v;
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		memcpy(&v, *p, 8);
		*p += 8;
		break;
	case DW_EH_PE_udata4: {
		uint32_t x;
		memcpy(&x, *p, 4);
		*p += 4;
		v = x;
		break;
	}
	case DW_EH_PE_sdata4: {
		int32_t x;
		memcpy(&x, *p, 4);
		*p += 4;
		v = (uint64_t)(int64_t)x;
		break;
	}
	case DW_EH_PE_udata2: {
		uint16_t x;
		memcpy(&x, *p, 2);
		*p += 2;
		v = x;
		break;
	}
	case DW_EH_PE_sdata2: {
		int16_t x;
		memcpy(&x, *p, 2);
		*p += 2;
		v = (uint64_t)(int64_t)x;
		break;
	}
	case DW_EH_PE_uleb128:
		v = uleb(p);
		break;
	case DW_EH_PE_sleb128:
		v = (uint64_t)sleb(p);
		break;
	default:
		return -1;
	}
	switch (enc & 0x70) {
	case 0:
		break;
	case DW_EH_PE_pcrel:
		v += (uintptr_t)start;
		break;
	case DW_EH_PE_datarel:
		v += data;
		break;
	default:
		return -1;
	}
	if (enc & DW_EH_PE_indirect)
		return -1;
	*out = (uintptr_t)v;
	return 0;
}

/* The FDE pointer encoding ('R') of a CIE. */
static int cie_fde_encoding(const uint8_t *cie, uint8_t *enc)
{
	const uint8_t *p = cie;
	uint32_t len;
	memcpy(&len, p, 4);
	p += 4;
	if (len == 0xffffffff)
		p += 8;
	p += 4;  /* CIE id */
	uint8_t version = *p++;
	const char *aug = (const char *)p;
	p += strlen(aug) + 1;
	if (aug[0] == 'e' && aug[1] == 'h')
		p += sizeof(void *);
	uleb(&p);  /* code alignment */
	sleb(&p);  /* data alignment */
	if (version == 1)
		p++;
	else
		uleb(&p);  /* return address register */
	*enc = DW_EH_PE_absptr;
	if (aug[0] != 'z')
		return 0;
	uleb(&p);  /* augmentation length */
	for (const char *a = aug + 1; *a; a++) {
		if (*a == 'R') {
			*enc = *p;
			return 0;
		} else if (*a == 'L') {
			p++;
		} else if (*a == 'P') {
			uint8_t penc = *p++;
			uintptr_t dummy;
			if (read_enc(&p, penc & 0x7f, 0, &dummy) < 0)
				return -1;
		} else if (*a != 'S' && *a != 'B' && *a != 'G') {
			return -1;
		}
	}
	return 0;
}

static int fde_range(const uint8_t *fde, struct lp_fde_range *out)
{
	const uint8_t *p = fde;
	uint32_t len;
	memcpy(&len, p, 4);
	p += 4;
	if (len == 0 || len == 0xffffffff)
		return -1;
	uint32_t cie_off;
	memcpy(&cie_off, p, 4);
	const uint8_t *cie = p - cie_off;
	p += 4;
	uint8_t enc;
	if (cie_fde_encoding(cie, &enc) < 0)
		return -1;
	uintptr_t start, range;
	if (read_enc(&p, enc, 0, &start) < 0 || read_enc(&p, enc & 0x0f, 0, &range) < 0)
		return -1;
	out->start = start;
	out->end = start + range;
	return 0;
}

struct hdr_table {
	const uint8_t *tab;
	uint64_t count;
	uint8_t enc;
	size_t entry;  /* bytes per (location, fde) pair */
};

static int parse_hdr(const uint8_t *hdr, struct hdr_table *t)
{
	if (!hdr || hdr[0] != 1)
		return -1;
	uint8_t ptr_enc = hdr[1], count_enc = hdr[2], tab_enc = hdr[3];
	const uint8_t *p = hdr + 4;
	uintptr_t eh_frame, count;
	if (read_enc(&p, ptr_enc, (uintptr_t)hdr, &eh_frame) < 0 || count_enc == DW_EH_PE_omit ||
	    read_enc(&p, count_enc, (uintptr_t)hdr, &count) < 0)
		return -1;
	switch (tab_enc & 0x0f) {
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		t->entry = 8;
		break;
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		t->entry = 16;
		break;
	default:
		return -1;
	}
	t->tab = p;
	t->count = count;
	t->enc = tab_enc;
	return 0;
}

static int table_entry(const uint8_t *hdr, const struct hdr_table *t, uint64_t i, uintptr_t *loc,
		       uintptr_t *fde)
{
	const uint8_t *p = t->tab + i * t->entry;
	if (read_enc(&p, t->enc, (uintptr_t)hdr, loc) < 0 ||
	    read_enc(&p, t->enc, (uintptr_t)hdr, fde) < 0)
		return -1;
	return 0;
}

int lp_ehframe_lookup(const uint8_t *hdr, uintptr_t pc, struct lp_fde_range *out)
{
	struct hdr_table t;
	if (parse_hdr(hdr, &t) < 0 || t.count == 0)
		return -1;
	uint64_t lo = 0, hi = t.count;  /* last entry with loc <= pc */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		uintptr_t loc, fde;
		if (table_entry(hdr, &t, mid, &loc, &fde) < 0)
			return -1;
		if (loc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	uintptr_t loc, fde;
	if (table_entry(hdr, &t, lo, &loc, &fde) < 0 || loc > pc)
		return -1;
	if (fde_range((const uint8_t *)fde, out) < 0 || pc < out->start || pc >= out->end)
		return -1;
	return 0;
}

int lp_ehframe_each(const uint8_t *hdr, void (*fn)(const struct lp_fde_range *, void *), void *arg)
{
	struct hdr_table t;
	if (parse_hdr(hdr, &t) < 0)
		return -1;
	for (uint64_t i = 0; i < t.count; i++) {
		uintptr_t loc, fde;
		struct lp_fde_range r;
		if (table_entry(hdr, &t, i, &loc, &fde) == 0 && fde_range((const uint8_t *)fde, &r) == 0)
			fn(&r, arg);
	}
	return 0;
}
