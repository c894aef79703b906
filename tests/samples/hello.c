/* Test sample: a benign program that only mentions wget in a string. */
#include <stdio.h>

int main(void) {
    puts("hello from a benign program; it does not use wget or curl");
    return 0;
}
