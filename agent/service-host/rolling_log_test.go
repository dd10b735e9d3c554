package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRollingLogKeepsTheNewestFilesUnderTheSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.log")
	l, err := openRollingLog(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := l.Write([]byte(strings.Repeat(string(rune('a'+i)), 39) + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	want := map[string]string{"agent.log": "ij", "agent.log.1": "gh", "agent.log.2": "ef"}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != len(want) {
		t.Fatalf("files %v, want %d", entries, len(want))
	}
	for name, letters := range want {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 100 || b[0] != letters[0] || b[len(b)-2] != letters[1] {
			t.Fatalf("%s holds %q, want lines %s", name, b, letters)
		}
	}
}

func TestRollingLogAppendsToTheFileOfAnEarlierRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.log")
	os.WriteFile(path, []byte("earlier\n"), 0o640)
	l, err := openRollingLog(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	l.Write([]byte("later\n"))
	l.Close()
	if b, _ := os.ReadFile(path); string(b) != "earlier\nlater\n" {
		t.Fatalf("log holds %q", b)
	}
}
