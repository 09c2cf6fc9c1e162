// The Go net/http peer of the http load scenario: GET / answers "hello world\n" as text/plain.
// Listens on 127.0.0.1 (port from the first argument, 0 = any) and prints "READY <port>".
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body := []byte("hello world\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)
	http.Serve(ln, mux)
}
