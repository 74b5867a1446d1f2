# lazypoline -- top-level build.  Everything is built into build/.
#   make            build everything
#   make check      build and run every test (installs missing build deps)
#   make bench      run the benchmarks, print a table, save it to build/bench/
#   make demo       build and run the built-in demo
#   make install PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
B := build

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror
# The runtime: position independent, nothing exported but the API, no
# stack protector (its canary lives in %fs, which an application's raw
# threads may point anywhere), and no vector registers: the slow path
# skips saving the program's extended state when only such code runs.
RT_CFLAGS := $(CFLAGS_BASE) -fPIC -fvisibility=hidden -fno-stack-protector -mgeneral-regs-only \
	-Iinterposer
LIB_LDFLAGS := -shared -Wl,-z,defs -Wl,-z,noexecstack

RT_SRCS := $(filter-out interposer/gen-names.c,$(wildcard interposer/*.c))
RT_OBJS := $(patsubst interposer/%.c,$(B)/obj/%.o,$(RT_SRCS)) $(B)/obj/entry.o $(B)/obj/systable.o \
	$(B)/obj/names.o
UNISTD_H := /usr/include/x86_64-linux-gnu/asm/unistd_64.h

DEMOS := $(B)/demos/libtracer.so $(B)/demos/libwriteblock.so $(B)/demos/inprocess \
	$(B)/demos/redirect-config
# The view (libvfs.so): handlers on the public API, compiled like the
# runtime (no vector registers, no stack protector, no libc inside the
# handlers: loops must not become calls to libc's memcpy).
VFS_CFLAGS := $(RT_CFLAGS) -fno-tree-loop-distribute-patterns -mstringop-strategy=libcall -fno-plt
VFS_OBJS := $(patsubst vfs/%.c,$(B)/obj/vfs/%.o,$(wildcard vfs/*.c vfs/*/*.c)) \
	$(patsubst mounts/%.c,$(B)/obj/vfs/mounts-%.o,$(wildcard mounts/*.c))
# vfsrun parses and checks mounts with the same code, on libc.
MOUNTS_HOST_OBJS := $(patsubst mounts/%.c,$(B)/obj/host/mounts-%.o,$(wildcard mounts/*.c))

# lazypoline-vfs-loader: the loader, static, with the runtime and the view
# linked in (two objects built again: no dlopen of Capstone, no dladdr),
# on musl: glibc's static start asks CPUID some fifty times (features,
# cache sizes), each a VM exit on a virtual machine (0.25 ms per exec
# here); musl's asks nothing.  The objects are compiled again against
# musl's headers, with the kernel's, uthash's and Capstone's from the
# system (MUSL_INC) and bootstrap/musl-compat.h for what musl 1.2.3 lacks.
MUSL_CC := musl-gcc
MUSL_LIB := /usr/lib/x86_64-linux-musl
MUSL_INC := $(B)/musl-include
MUSL_FLAGS := -idirafter $(MUSL_INC) -include bootstrap/musl-compat.h
LINKED_OBJS := $(patsubst $(B)/obj/%,$(B)/obj/musl/%,$(filter-out $(B)/obj/redzone.o $(B)/obj/entry.o,$(RT_OBJS)) \
		$(filter-out $(B)/obj/vfs/vfs.o,$(VFS_OBJS))) \
	$(B)/obj/musl/linked/redzone.o $(B)/obj/musl/linked/vfs.o $(B)/obj/entry.o \
	$(B)/obj/musl/loader.o $(B)/obj/musl/environ.o $(B)/obj/musl/command.o

LIBS := $(B)/liblazypoline.so $(B)/libbootstrap.so $(B)/libvfs.so
PROGS := $(B)/vfsrun $(B)/lazypoline-loader $(B)/lazypoline-vfs-loader

.PHONY: all check bench demo install clean deps
all: $(LIBS) $(PROGS) $(DEMOS) $(B)/readme-example $(B)/readme-vfs-example

$(B)/obj/%.o: interposer/%.c interposer/*.h | $(B)/obj
	$(CC) $(RT_CFLAGS) -c $< -o $@
$(B)/obj/entry.o: interposer/entry.S interposer/lp_layout.h | $(B)/obj
	$(CC) -fPIC -Iinterposer -c $< -o $@
$(B)/systable.c: interposer/gen-systable.sh $(UNISTD_H) | $(B)
	interposer/gen-systable.sh $(UNISTD_H) > $@.tmp && mv $@.tmp $@
$(B)/obj/systable.o: $(B)/systable.c interposer/*.h | $(B)/obj
	$(CC) $(RT_CFLAGS) -c $< -o $@
$(B)/gen-names: interposer/gen-names.c interposer/lp_internal.h | $(B)
	$(CC) $(CFLAGS_BASE) -Iinterposer -o $@ $<
$(B)/names.c: $(B)/gen-names
	$(B)/gen-names > $@.tmp && mv $@.tmp $@
$(B)/obj/names.o: $(B)/names.c interposer/*.h | $(B)/obj
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(B)/obj/vfs/%.o: vfs/%.c vfs/*.h mounts/mounts.h interposer/lazypoline.h | $(B)/obj/vfs
	@mkdir -p $(@D)
	$(CC) $(VFS_CFLAGS) -c $< -o $@
$(B)/obj/vfs/mounts-%.o: mounts/%.c mounts/mounts.h | $(B)/obj/vfs
	$(CC) $(VFS_CFLAGS) -c $< -o $@
$(B)/obj/host/mounts-%.o: mounts/%.c mounts/mounts.h | $(B)/obj/host
	$(CC) $(CFLAGS_BASE) -c $< -o $@
$(B)/libvfs.so: $(VFS_OBJS) $(B)/liblazypoline.so
	$(CC) $(LIB_LDFLAGS) -Wl,-soname,libvfs.so -o $@ $(VFS_OBJS) -L$(B) -llazypoline -ldl \
		-Wl,-rpath,'$$ORIGIN'

$(B)/liblazypoline.so: $(RT_OBJS)
	$(CC) $(LIB_LDFLAGS) -Wl,-soname,liblazypoline.so -o $@ $^ -ldl
$(B)/libbootstrap.so: bootstrap/bootstrap.c bootstrap/environ.c bootstrap/environ.h interposer/lp_bootstrap.h | $(B)
	$(CC) $(CFLAGS_BASE) -fPIC $(LIB_LDFLAGS) -o $@ bootstrap/bootstrap.c bootstrap/environ.c -ldl
$(B)/lazypoline-loader: bootstrap/loader.c bootstrap/command.h | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< -Wl,--export-dynamic-symbol=lazypoline_loader_shares_libc
$(MUSL_INC): | $(B)
	mkdir -p $@.tmp && ln -sfn /usr/include/linux /usr/include/x86_64-linux-gnu/asm /usr/include/asm-generic \
		/usr/include/uthash.h /usr/include/capstone $@.tmp/ && mv $@.tmp $@
$(B)/obj/musl/%.o: interposer/%.c interposer/*.h bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(RT_CFLAGS) $(MUSL_FLAGS) -c $< -o $@
$(B)/obj/musl/%.o: $(B)/%.c interposer/*.h bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(RT_CFLAGS) $(MUSL_FLAGS) -c $< -o $@
$(B)/obj/musl/linked/redzone.o: interposer/redzone.c interposer/*.h bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(RT_CFLAGS) $(MUSL_FLAGS) -DLP_CAPSTONE_ELSEWHERE -c $< -o $@
$(B)/obj/musl/vfs/%.o: vfs/%.c vfs/*.h mounts/mounts.h interposer/lazypoline.h bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(VFS_CFLAGS) $(MUSL_FLAGS) -c $< -o $@
$(B)/obj/musl/vfs/mounts-%.o: mounts/%.c mounts/mounts.h bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(VFS_CFLAGS) $(MUSL_FLAGS) -c $< -o $@
$(B)/obj/musl/linked/vfs.o: vfs/vfs.c vfs/*.h mounts/mounts.h interposer/lazypoline.h bootstrap/musl-compat.h \
		| $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(VFS_CFLAGS) $(MUSL_FLAGS) -DVFS_LINKED_IN -c $< -o $@
$(B)/obj/musl/%.o: bootstrap/%.c bootstrap/environ.h bootstrap/command.h interposer/lp_bootstrap.h \
		bootstrap/musl-compat.h | $(MUSL_INC)
	@mkdir -p $(@D)
	$(MUSL_CC) $(CFLAGS_BASE) -fPIE $(MUSL_FLAGS) -Iinterposer -DLOADER_WITH_VFS -c $< -o $@
$(B)/lazypoline-vfs-loader: $(LINKED_OBJS)
	$(CC) -static-pie -nostdlib -Wl,-z,noexecstack -Wl,-e,loader_entry -o $@ \
		$(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $(LINKED_OBJS) $(MUSL_LIB)/libc.a \
		$$($(CC) -print-libgcc-file-name) $(MUSL_LIB)/crtn.o
$(B)/vfsrun: bootstrap/vfsrun.c bootstrap/command.c bootstrap/command.h interposer/lazypoline.h mounts/mounts.h \
		vfs/memdir.h $(MOUNTS_HOST_OBJS) | $(B)
	$(CC) $(CFLAGS_BASE) -o $@ $< bootstrap/command.c $(MOUNTS_HOST_OBJS)

# Interposer libraries built on the public API alone: they link
# liblazypoline.so, found next to them at run time.
$(B)/demos/lib%.so: demos/%.c interposer/lazypoline.h $(B)/liblazypoline.so | $(B)/demos
	$(CC) $(CFLAGS_BASE) -fPIC -Iinterposer $(LIB_LDFLAGS) -o $@ $< \
		-L$(B) -llazypoline -Wl,-rpath,'$$ORIGIN/..'
$(B)/demos/inprocess: demos/inprocess.c interposer/lazypoline.h $(B)/liblazypoline.so | $(B)/demos
	$(CC) $(CFLAGS_BASE) -Iinterposer -o $@ $< -L$(B) -llazypoline -Wl,-rpath,'$$ORIGIN/..'

$(B)/demos/redirect-config: demos/redirect-config.c vfs/vfs.h $(B)/libvfs.so | $(B)/demos
	$(CC) $(CFLAGS_BASE) -Iinterposer -Ivfs -o $@ $< -L$(B) -lvfs -llazypoline -Wl,-rpath,'$$ORIGIN/..'

# The API example in README.md must compile.
$(B)/readme-example.c: README.md | $(B)
	awk '/^```c readme-example/{p=1;next} /^```/{p=0} p' $< > $@
$(B)/readme-example: $(B)/readme-example.c $(B)/liblazypoline.so
	$(CC) $(CFLAGS_BASE) -Iinterposer -o $@ $< -L$(B) -llazypoline -Wl,-rpath,'$$ORIGIN'

$(B)/readme-vfs-example.c: README.md | $(B)
	awk '/^```c readme-vfs-example/{p=1;next} /^```/{p=0} p' $< > $@
$(B)/readme-vfs-example: $(B)/readme-vfs-example.c vfs/vfs.h $(B)/libvfs.so
	$(CC) $(CFLAGS_BASE) -Iinterposer -Ivfs -o $@ $< -L$(B) -lvfs -llazypoline -Wl,-rpath,'$$ORIGIN'

$(B) $(B)/obj $(B)/obj/vfs $(B)/obj/host $(B)/demos:
	mkdir -p $@

include tests/tests.mk

deps:
	@tests/deps.sh

demo:
	@tests/deps.sh
	$(MAKE) all
	$(B)/vfsrun --trace -- sh -c 'echo hello from an interposed shell; ls / > /dev/null'

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(LIBS) $(B)/lazypoline-loader $(B)/lazypoline-vfs-loader $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/vfsrun $(DESTDIR)$(PREFIX)/bin/
	install -m 644 interposer/lazypoline.h vfs/vfs.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|0.1.0|g' lazypoline.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/lazypoline.pc

clean:
	rm -rf $(B)
