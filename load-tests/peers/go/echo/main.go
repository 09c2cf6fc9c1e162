// The Go peer of the echo load test: a TCP echo server, one goroutine per connection, io.Copy
// at its heart (the program strand's examples/echo translates). Run with GOMAXPROCS=1.
//
// Usage: echo [addr [cert.pem key.pem]]   (default 127.0.0.1:0); with a certificate and key it
// speaks TLS (crypto/tls). Prints "READY <port>" once listening.
package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 3 {
		cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			// Back off on temporary errors (EMFILE...), as net/http does.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		go func(c net.Conn) {
			defer c.Close()
			io.Copy(c, c)
		}(c)
	}
}
