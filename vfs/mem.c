/* Memory and string functions for libvfs.so.  They replace libc's inside
 * this library -- also where the compiler calls them on its own -- because
 * libc's use vector registers, which the handlers must not touch (the
 * program's are not saved around them). */
#include "vfs_internal.h"

/* Paths are short: words for them, rep movsb (slow to start) for the rest. */
void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	if (n < 128) {
		unsigned char *x = d;
		const unsigned char *y = s;
		for (; n >= 8; n -= 8, x += 8, y += 8) {
			uint64_t w;
			__builtin_memcpy(&w, y, 8);
			__builtin_memcpy(x, &w, 8);
		}
		while (n--)
			*x++ = *y++;
		return r;
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return r;
}

void *memmove(void *d, const void *s, size_t n)
{
	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(d, s, n);
	unsigned char *x = d;
	const unsigned char *y = s;
	while (n--)
		x[n] = y[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *r = d;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return r;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n >= 8; n -= 8, x += 8, y += 8) {  /* equal words: skip them */
		uint64_t u, v;
		__builtin_memcpy(&u, x, 8);
		__builtin_memcpy(&v, y, 8);
		if (u != v)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
