/* Test sample: WinHTTP download (no process creation: a plain downloader). */
#include <windows.h>
#include <winhttp.h>

int main(void) {
    char buf[4096];
    DWORD n = 0;
    HINTERNET s = WinHttpOpen(L"agent", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, NULL, NULL, 0);
    HINTERNET c = WinHttpConnect(s, L"cdn.example.invalid", INTERNET_DEFAULT_HTTPS_PORT, 0);
    HINTERNET r = WinHttpOpenRequest(c, L"GET", L"/stage2", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    WinHttpSendRequest(r, NULL, 0, NULL, 0, 0, 0);
    WinHttpReceiveResponse(r, NULL);
    while (WinHttpReadData(r, buf, sizeof buf, &n) && n > 0) {
    }
    return 0;
}
