/* The environment a program started by libbootstrap.so or
 * lazypoline-vfs-loader sees: our variables removed. */
#ifndef LP_BOOTSTRAP_ENVIRON_H
#define LP_BOOTSTRAP_ENVIRON_H

/* LD_PRELOAD without this bootstrap (SELF_AS_GIVEN or a path that
 * resolves to SELF_ABS; all of it when the runtime added it), and no
 * LAZYPOLINE_* or LIBLAZYPOLINE. */
void strip_environment(const char *self_as_given, const char *self_abs);

#endif
