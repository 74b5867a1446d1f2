# make -j2 building several objects
for i in 1 2 3 4 5 6; do printf 'int f%s(void) { return %s; }\n' $i $i > f$i.c; done
printf 'int f1(void);int f2(void);int f3(void);int f4(void);int f5(void);int f6(void);\n#include <stdio.h>\nint main(void){printf("%%d\\n",f1()+f2()+f3()+f4()+f5()+f6());return 0;}\n' > main.c
printf 'OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' > Makefile
make -s -j2 && ./prog
make -s -j2 && echo "up to date"
