// NATS JetStream publisher for Weir's benchmark suite (bench/sections/peers.mjs builds and runs
// it). Node's NATS client tops out far below the server, so the peer is driven by a compiled Go
// client: asynchronous publishes with a bounded number of pending acknowledgements, to a
// file-backed stream that the program creates, purges between runs and deletes at the end (also
// on SIGINT/SIGTERM). Prints one JSON object with the seconds of every run.
//
// Build offline with Debian's packages:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o nats-publisher nats-publisher.go
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	url := flag.String("url", "nats://127.0.0.1:4222", "server URL")
	stream := flag.String("stream", "WEIRBENCH", "stream name (created, purged and deleted)")
	messages := flag.Int("messages", 200000, "messages per run")
	size := flag.Int("size", 1024, "message size in bytes")
	pending := flag.Int("pending", 4096, "most unacknowledged asynchronous publishes")
	runs := flag.Int("runs", 3, "measured runs")
	warmup := flag.Int("warmup", 1, "warm-up runs (not reported)")
	cleanupOnly := flag.Bool("cleanup", false, "only delete the stream, then exit")
	flag.Parse()

	nc, err := nats.Connect(*url)
	if err != nil {
		fail(err)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(*pending))
	if err != nil {
		fail(err)
	}
	// From here on, a failure deletes the stream before exiting.
	fail := func(err error) {
		_ = js.DeleteStream(*stream)
		fail(err)
	}
	if *cleanupOnly {
		_ = js.DeleteStream(*stream)
		return
	}
	subject := strings.ToLower(*stream) + ".data"
	_ = js.DeleteStream(*stream)
	if _, err := js.AddStream(&nats.StreamConfig{
		Name:      *stream,
		Subjects:  []string{subject},
		Storage:   nats.FileStorage,
		Replicas:  1,
		Retention: nats.LimitsPolicy,
	}); err != nil {
		fail(err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		_ = js.DeleteStream(*stream)
		os.Exit(130)
	}()

	payload := make([]byte, *size)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	var seconds []float64
	for run := 0; run < *warmup+*runs; run++ {
		if err := js.PurgeStream(*stream); err != nil {
			fail(err)
		}
		start := time.Now()
		for i := 0; i < *messages; i++ {
			// At most `pending` unacknowledged: a publish waits (up to 30 s) for room.
			if _, err := js.PublishAsync(subject, payload, nats.StallWait(30*time.Second)); err != nil {
				fail(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(5 * time.Minute):
			fail(fmt.Errorf("publish acknowledgements did not arrive"))
		}
		elapsed := time.Since(start).Seconds()
		info, err := js.StreamInfo(*stream)
		if err != nil {
			fail(err)
		}
		if info.State.Msgs != uint64(*messages) {
			fail(fmt.Errorf("stream holds %d messages, expected %d", info.State.Msgs, *messages))
		}
		if run >= *warmup {
			seconds = append(seconds, elapsed)
		}
	}
	_ = js.DeleteStream(*stream)
	out, _ := json.Marshal(map[string]interface{}{"messages": *messages, "size": *size, "seconds": seconds})
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "nats-publisher:", err)
	os.Exit(1)
}
