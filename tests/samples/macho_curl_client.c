/* Test sample (Mach-O): a macOS program using libcurl, built with clang + lld. */
extern void *curl_easy_init(void);
extern int curl_easy_setopt(void *, int, ...);
extern int curl_easy_perform(void *);

int main(void) {
    void *c = curl_easy_init();
    curl_easy_setopt(c, 10002, "https://example.invalid/update.pkg");
    return curl_easy_perform(c);
}
