// Test sample: an ordinary Go HTTP server (no client, runs nothing).
package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s\n", r.URL.Path)
	})
	http.ListenAndServe(":8080", nil)
	padding()
}
