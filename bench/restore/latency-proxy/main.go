// Command latency-proxy puts a round trip of 2 x one-way milliseconds in front of the bench's local S3 server, as
// remote object storage would, while spending as little as it can of the two cores it shares with what it measures.
//
//	latency-proxy --target 127.0.0.1:7070 --one-way-ms 25
//
// It prints one JSON line, {"endpoint":"127.0.0.1:PORT"}, and runs until it is killed or its standard input closes.
//
// S3 over HTTP/1.1 is request then answer on each connection, so delaying what the client sends by the whole round
// trip gives every request the same time to its first answer byte as delaying each direction by one way. The answers
// (nearly all the bytes: the disk's chunks) then pass straight through: TCPConn.ReadFrom splices socket to socket in
// the kernel on Linux, where a copy through user space cost the proxy a third of a 25 ms restore's CPU.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	flags := flag.NewFlagSet("latency-proxy", flag.ContinueOnError)
	target := flags.String("target", "", "host:port of the storage")
	oneWayMs := flags.Int("one-way-ms", 0, "delay of each direction in milliseconds (1-10000)")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if _, _, err := net.SplitHostPort(*target); err != nil || *oneWayMs < 1 || *oneWayMs > 10000 {
		fmt.Fprintln(os.Stderr, "latency-proxy: --target host:port and --one-way-ms 1-10000 are required")
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "latency-proxy: %v\n", err)
		os.Exit(1)
	}
	line, _ := json.Marshal(map[string]string{"endpoint": listener.Addr().String()})
	fmt.Println(string(line))
	// The bench holds our standard input: when it goes, so do we, even if it could not kill us.
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(0) }()
	roundTrip := 2 * time.Duration(*oneWayMs) * time.Millisecond
	for {
		client, err := listener.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "latency-proxy: %v\n", err)
			os.Exit(1)
		}
		go relay(client.(*net.TCPConn), *target, roundTrip)
	}
}

func relay(client *net.TCPConn, target string, roundTrip time.Duration) {
	upstreamConn, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	upstream := upstreamConn.(*net.TCPConn)
	_ = client.SetNoDelay(true)
	_ = upstream.SetNoDelay(true)
	done := make(chan struct{}, 2)
	go func() {
		// Answers: kernel splice, no delay (see the package comment).
		_, err := client.ReadFrom(upstream)
		if err == nil {
			_ = client.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		delayed(client, upstream, roundTrip)
		done <- struct{}{}
	}()
	<-done
	<-done
	client.Close()
	upstream.Close()
}

type piece struct {
	due  time.Time
	data []byte // nil: the client closed its side
}

// delayed copies from to to, each piece written roundTrip after it was read. Pieces stay in order: one writer takes
// them from a queue in the order they were read, and every piece waits the same time.
func delayed(from, to *net.TCPConn, roundTrip time.Duration) {
	queue := make(chan piece, 4096)
	go func() {
		defer close(queue)
		for {
			buffer := make([]byte, 64*1024)
			n, err := from.Read(buffer)
			if n > 0 {
				queue <- piece{due: time.Now().Add(roundTrip), data: buffer[:n]}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					queue <- piece{due: time.Now().Add(roundTrip)}
				} else {
					// A reset client: end the answers too, so the relay ends.
					to.Close()
				}
				return
			}
		}
	}()
	for p := range queue {
		if wait := time.Until(p.due); wait > 0 {
			time.Sleep(wait)
		}
		if p.data == nil {
			_ = to.CloseWrite()
			continue
		}
		if _, err := to.Write(p.data); err != nil {
			from.Close()
			to.Close()
		}
	}
}
