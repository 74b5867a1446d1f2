# Tests: Check unit tests, test programs, and the runner (tests/run.sh).
TB := $(B)/tests
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)
UNIT_SRCS := $(wildcard tests/unit/*.c)
TEST_PROGS := $(TB)/fsops $(TB)/rawcat $(TB)/vfs-stress $(TB)/faultfs $(TB)/regs $(TB)/straddle $(TB)/sitestore $(TB)/rewriteafter $(TB)/rewritehot $(TB)/cancel $(TB)/contexts $(TB)/signals $(TB)/sigchld-wait $(TB)/efault $(TB)/static-true $(TB)/fsops-static $(TB)/inprocess-fakeroot $(TB)/inprocess-overlap $(TB)/fdguard $(TB)/inprocess-thread
TEST_LIBS := $(TB)/libhooks.so $(TB)/libhandleall.so

.PHONY: tests-build
tests-build: $(TB)/unit $(TB)/unit-vfs $(TEST_PROGS) $(TEST_LIBS) $(TB)/loops

$(TB):
	mkdir -p $@

# The runtime as an archive: unit tests link its internals directly.
$(B)/liblazypoline.a: $(RT_OBJS)
	rm -f $@ && ar rcs $@ $^

$(TB)/unit: $(UNIT_SRCS) tests/unit/unit.h $(B)/liblazypoline.a | $(TB)
	$(CC) $(CFLAGS_BASE) -Iinterposer $(CHECK_CFLAGS) -o $@ $(UNIT_SRCS) \
		$(B)/liblazypoline.a -lcapstone -ldl $(CHECK_LIBS) -lpthread

# The view's internals, linked directly (they run before lp_start too).
UNIT_VFS_SRCS := $(wildcard tests/unit-vfs/*.c)
$(TB)/unit-vfs: $(UNIT_VFS_SRCS) $(VFS_OBJS) $(B)/liblazypoline.a | $(TB)
	$(CC) $(CFLAGS_BASE) -Iinterposer $(CHECK_CFLAGS) -o $@ $(UNIT_VFS_SRCS) $(VFS_OBJS) \
		$(B)/liblazypoline.a -lcapstone -ldl $(CHECK_LIBS) -lpthread

$(TB)/regs: tests/progs/regs.c tests/progs/regs_site.S | $(TB)
	$(CC) $(CFLAGS_BASE) -o $@ $^ -lpthread
$(TB)/straddle: tests/progs/straddle.c tests/progs/straddle_site.S | $(TB)
	$(CC) $(CFLAGS_BASE) -o $@ $^ -lpthread
$(TB)/static-true: | $(TB)
	printf 'int main(void){return 0;}\n' | $(CC) -static -x c -o $@ -
$(TB)/inprocess-fakeroot $(TB)/inprocess-overlap: $(TB)/%: tests/progs/%.c vfs/vfs.h $(B)/libvfs.so | $(TB)
	$(CC) $(CFLAGS_BASE) -Iinterposer -Ivfs -o $@ $< -L$(B) -lvfs -llazypoline -Wl,-rpath,'$$ORIGIN/..'
$(TB)/inprocess-thread: tests/progs/inprocess-thread.c interposer/lazypoline.h $(B)/liblazypoline.so | $(TB)
	$(CC) $(CFLAGS_BASE) -Iinterposer -o $@ $< -L$(B) -llazypoline -lpthread -Wl,-rpath,'$$ORIGIN/..'
$(TB)/%: tests/progs/%.c tests/progs/site.h | $(TB)
	$(CC) $(CFLAGS_BASE) -o $@ $< -lpthread
$(TB)/rawcat: tests/progs/rawcat.c | $(TB)
	$(CC) $(CFLAGS_BASE) -nostdlib -fno-stack-protector -pie -fPIE -o $@ $<
$(TB)/fsops: tests/vfs/fsops.c | $(TB)
	$(CC) $(CFLAGS_BASE) -o $@ $<
# the same, statically linked: a program LD_PRELOAD cannot reach
$(TB)/fsops-static: tests/vfs/fsops.c | $(TB)
	$(CC) $(CFLAGS_BASE) -static -o $@ $<
$(TB)/loops: tests/bench/loops.c | $(TB)
	$(CC) $(CFLAGS_BASE) -o $@ $<
$(TB)/libhandleall.so: tests/bench/handleall.c interposer/lazypoline.h $(B)/liblazypoline.so | $(TB)
	$(CC) $(CFLAGS_BASE) -mgeneral-regs-only -fPIC -Iinterposer $(LIB_LDFLAGS) -o $@ $< \
		-L$(B) -llazypoline -Wl,-rpath,'$$ORIGIN/..'
$(TB)/lib%.so: tests/progs/%.c interposer/lazypoline.h $(B)/liblazypoline.so | $(TB)
	$(CC) $(CFLAGS_BASE) -fPIC -Iinterposer $(LIB_LDFLAGS) -o $@ $< \
		-L$(B) -llazypoline -Wl,-rpath,'$$ORIGIN/..'

check:
	@tests/deps.sh
	$(MAKE) all tests-build
	tests/run.sh

bench:
	@tests/deps.sh bench
	$(MAKE) all tests-build
	tests/bench/run.sh

# The fault-injecting FUSE file system (libfuse3) under overlay tests.
$(TB)/faultfs: tests/fuse/faultfs.c | $(TB)
	$(CC) $(CFLAGS_BASE) $(shell pkg-config --cflags fuse3) -o $@ $< $(shell pkg-config --libs fuse3)

