// Writing the disk: one probe of the most repeated object, then N workers that each read a whole chunk object
// into a buffer of their own and write it at its offsets.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/kopia/kopia/repo"
)

// restore writes every group into a target of the file's size: the zero probe first, then N workers.
func restore(ctx context.Context, rep repo.Repository, groups []group, o options, size int64, out *result) error {
	target, err := os.OpenFile(o.target, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("cannot create the target: %w", err)
	}
	defer target.Close() //nolint:errcheck // closed explicitly below on success
	if err := target.Truncate(size); err != nil {
		return err
	}
	w := &writer{rep: rep, target: target}
	rest, err := w.probeMostRepeated(ctx, groups)
	if err != nil {
		return err
	}
	if err := w.readAll(ctx, rest, o.workers); err != nil {
		return err
	}
	if err := target.Sync(); err != nil {
		return err
	}
	if err := target.Close(); err != nil {
		return err
	}
	out.ChunksFetched, out.ChunksSkippedZero, out.BytesWritten = w.fetched.Load(), w.skippedZero.Load(), w.written.Load()
	return nil
}

type writer struct {
	rep         repo.Repository
	target      *os.File
	fetched     atomic.Int64
	skippedZero atomic.Int64
	written     atomic.Int64
}

// probeMostRepeated reads the object that fills the most places once (large zero regions share one object id), as
// the engine does before it starts, and returns the groups still to read. Unlike the engine, which reads a probed
// object that is not all zeros again later, it writes it at once: a floor should not pay for a second read.
func (w *writer) probeMostRepeated(ctx context.Context, groups []group) ([]group, error) {
	most := -1
	for i, g := range groups {
		if len(g.places) > 1 && (most < 0 || len(g.places) > len(groups[most].places)) {
			most = i
		}
	}
	if most < 0 {
		return groups, nil
	}
	if err := w.fetchAndWrite(ctx, groups[most], make([]byte, groups[most].places[0].length)); err != nil {
		return nil, err
	}
	rest := make([]group, 0, len(groups)-1)
	rest = append(rest, groups[:most]...)
	return append(rest, groups[most+1:]...), nil
}

// readAll hands the groups to `workers` goroutines, each with a buffer of its own; the first error stops them all.
func (w *writer) readAll(ctx context.Context, groups []group, workers int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var longest int64
	for _, g := range groups {
		longest = max(longest, g.places[0].length)
	}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buffer := make([]byte, longest)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(groups)) {
					return
				}
				if err := w.fetchAndWrite(ctx, groups[i], buffer); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// fetchAndWrite reads one chunk object whole into buffer and writes it at each of its places, unless it is all
// zeros: the target already reads as zeros there (and stays a hole).
func (w *writer) fetchAndWrite(ctx context.Context, g group, buffer []byte) error {
	length := g.places[0].length
	data := buffer[:length]
	r, err := w.rep.OpenObject(ctx, g.id)
	if err != nil {
		return fmt.Errorf("cannot open object %v: %w", g.id, err)
	}
	defer r.Close() //nolint:errcheck // a reader holds no resource to release
	if r.Length() != length {
		return fmt.Errorf("object %v has %d bytes, the chunk map says %d", g.id, r.Length(), length)
	}
	if _, err := io.ReadFull(r, data); err != nil {
		return fmt.Errorf("cannot read object %v: %w", g.id, err)
	}
	w.fetched.Add(1)
	if isAllZero(data) {
		w.skippedZero.Add(int64(len(g.places)))
		return nil
	}
	for _, place := range g.places {
		if _, err := w.target.WriteAt(data, place.offset); err != nil {
			return err
		}
		w.written.Add(length)
	}
	return nil
}

var zeroBlock = make([]byte, 64*1024)

func isAllZero(data []byte) bool {
	for len(data) > 0 {
		n := min(len(data), len(zeroBlock))
		if !bytes.Equal(data[:n], zeroBlock[:n]) {
			return false
		}
		data = data[n:]
	}
	return true
}
