/* Our variables out of the environment a program sees (environ.h). */
#define _GNU_SOURCE
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "environ.h"

/* The environment is edited in place: some programs (bash) define their
 * own setenv/unsetenv, which do not touch environ before their main. */
static void env_remove(size_t i)
{
	for (; environ[i]; i++)
		environ[i] = environ[i + 1];
}

static char **env_find(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return e;
	return NULL;
}

/* LD_PRELOAD without the entries naming this library. */
static void drop_self_from_preload(char **entry, const char *self_as_given, const char *self_abs)
{
	const char *pre = *entry + 11;
	size_t len = strlen(pre);
	char *out = malloc(len + 12), *o = out;
	if (!out)
		return;
	o += sprintf(o, "LD_PRELOAD=");
	char *first = o;
	for (const char *p = pre; *p;) {
		size_t n = strcspn(p, ": ");
		char item[PATH_MAX], abs[PATH_MAX];
		bool self = false;
		if (n > 0 && n < sizeof item) {
			memcpy(item, p, n);
			item[n] = 0;
			self = !strcmp(item, self_as_given) ||
			       (realpath(item, abs) && !strcmp(abs, self_abs));
		}
		if (n > 0 && !self) {
			if (o != first)
				*o++ = ':';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		if (*p)
			p++;
	}
	*o = 0;
	if (o == first) {
		env_remove((size_t)(entry - environ));
		free(out);
	} else {
		*entry = out;  /* the old string belongs to the kernel's stack */
	}
}

void strip_environment(const char *self_as_given, const char *self_abs)
{
	char **pre = env_find("LD_PRELOAD");
	if (pre) {
		if (env_find("LAZYPOLINE_PRELOAD_ADDED"))
			env_remove((size_t)(pre - environ));
		else
			drop_self_from_preload(pre, self_as_given, self_abs);
	}
	for (size_t i = 0; environ && environ[i];) {
		if (!strncmp(environ[i], "LAZYPOLINE_", 11) || !strncmp(environ[i], "LIBLAZYPOLINE=", 14))
			env_remove(i);
		else
			i++;
	}
}

