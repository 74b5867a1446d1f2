# gcc compiling and linking a program, which then runs
cat > hello.c <<'C'
#include <stdio.h>
#include <pthread.h>
static void *run(void *a) { return a; }
int main(void) { pthread_t t; void *r; pthread_create(&t, 0, run, (void *)42); pthread_join(t, &r);
  printf("hello %ld\n", (long)r); return 0; }
C
gcc -O2 -Wall -o hello hello.c -lpthread && ./hello
gcc -c -O0 -g hello.c -o hello.o && ls hello.o
