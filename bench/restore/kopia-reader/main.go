// Command kopia-reader is the floor `npm run bench:restore` measures the agent's engine against (issue 19): kopia's
// own Go library, in-process, reading one snapshot's disk file chunk by chunk with N workers. It does what the
// engine does with the same chunk map: each distinct chunk object is read once and written at every offset that
// holds it, and the most repeated object is probed first and never fetched again when it is all zeros.
//
//	KOPIA_PASSWORD=... kopia-reader --config FILE --snapshot MANIFEST_ID --target PATH --workers 16
//
// The config file comes from `kopia repository connect ... --readonly`. On success it prints one JSON line; on
// failure a message on stderr and a non-zero exit.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/kopia/kopia/repo"
	_ "github.com/kopia/kopia/repo/blob/filesystem" // the storage types the bench's repositories use
	_ "github.com/kopia/kopia/repo/blob/s3"
)

type options struct {
	config   string
	snapshot string
	target   string
	workers  int
}

type result struct {
	Seconds           float64 `json:"seconds"`
	OpenSeconds       float64 `json:"openSeconds"`
	Chunks            int     `json:"chunks"`
	ChunksFetched     int64   `json:"chunksFetched"`
	ChunksSkippedZero int64   `json:"chunksSkippedZero"`
	BytesWritten      int64   `json:"bytesWritten"`
}

func main() {
	opts, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "kopia-reader: %v\n", err)
		os.Exit(2)
	}
	out, err := run(context.Background(), opts, os.Getenv("KOPIA_PASSWORD"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "kopia-reader: %v\n", err)
		os.Exit(1)
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

func parseOptions(args []string) (options, error) {
	var o options
	flags := flag.NewFlagSet("kopia-reader", flag.ContinueOnError)
	flags.StringVar(&o.config, "config", "", "kopia config file of a read-only connection (required)")
	flags.StringVar(&o.snapshot, "snapshot", "", "snapshot manifest id (required)")
	flags.StringVar(&o.target, "target", "", "file to write; created or truncated (required)")
	flags.IntVar(&o.workers, "workers", 16, "chunk objects read at once")
	if err := flags.Parse(args); err != nil {
		return o, err
	}
	if o.config == "" || o.snapshot == "" || o.target == "" {
		return o, errors.New("--config, --snapshot and --target are required")
	}
	if o.workers < 1 {
		return o, fmt.Errorf("--workers must be 1 or more, got %d", o.workers)
	}
	return o, nil
}

func run(ctx context.Context, o options, password string) (result, error) {
	started := time.Now()
	if password == "" {
		return result{}, errors.New("KOPIA_PASSWORD is not set")
	}
	rep, err := repo.Open(ctx, o.config, password, &repo.Options{DisableRepositoryLog: true})
	if err != nil {
		return result{}, fmt.Errorf("cannot open the repository: %w", err)
	}
	defer rep.Close(ctx) //nolint:errcheck // read-only: nothing to flush
	direct, ok := rep.(repo.DirectRepository)
	if !ok {
		return result{}, errors.New("the config connects to a kopia server, not to storage: the index objects cannot be read")
	}
	opened := time.Now()
	file, err := snapshotFile(ctx, rep, o.snapshot)
	if err != nil {
		return result{}, err
	}
	var chunks []chunk
	if err := expand(ctx, direct, file.ObjectID, 0, file.FileSize, 0, &chunks); err != nil {
		return result{}, err
	}
	if err := checkContiguous(chunks, file.FileSize); err != nil {
		return result{}, err
	}
	out := result{Chunks: len(chunks), OpenSeconds: opened.Sub(started).Seconds()}
	if err := restore(ctx, rep, groupByObject(chunks), o, file.FileSize, &out); err != nil {
		return result{}, err
	}
	out.Seconds = time.Since(started).Seconds()
	return out, nil
}
