package main

import (
	"fmt"
	"os"
	"sync"
)

// rollingLog is an append-only file that is renamed to NAME.1 (NAME.1 to NAME.2, ...) before a write would take it
// past maxBytes; keep files are kept besides the current one. Writes from the agent's stdout, its stderr and the
// host itself are serialized, so each lands whole in one file.
type rollingLog struct {
	mu       sync.Mutex
	path     string
	maxBytes int64
	keep     int
	file     *os.File
	size     int64
}

func openRollingLog(path string, maxBytes int64, keep int) (*rollingLog, error) {
	l := &rollingLog{path: path, maxBytes: maxBytes, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *rollingLog) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.file, l.size = f, info.Size()
	return nil
}

func (l *rollingLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.size > 0 && l.size+int64(len(p)) > l.maxBytes {
		if err := l.roll(); err != nil {
			return 0, err
		}
	}
	n, err := l.file.Write(p)
	l.size += int64(n)
	return n, err
}

func (l *rollingLog) roll() error {
	if err := l.file.Close(); err != nil {
		return err
	}
	os.Remove(l.numbered(l.keep))
	for i := l.keep - 1; i >= 1; i-- {
		os.Rename(l.numbered(i), l.numbered(i+1))
	}
	if l.keep > 0 {
		if err := os.Rename(l.path, l.numbered(1)); err != nil {
			return err
		}
	} else if err := os.Remove(l.path); err != nil {
		return err
	}
	return l.open()
}

func (l *rollingLog) numbered(i int) string { return fmt.Sprintf("%s.%d", l.path, i) }

func (l *rollingLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.file.Close()
}
