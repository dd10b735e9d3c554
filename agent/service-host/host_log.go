package main

import (
	"encoding/json"
	"io"
	"time"
)

// hostLog writes the host's own events as JSON lines into the same log as the agent's, so one file tells the story.
type hostLog struct{ out io.Writer }

func (h hostLog) event(level, msg string, fields map[string]any) {
	line := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "source": "service-host", "msg": msg}
	for k, v := range fields {
		line[k] = v
	}
	b, err := json.Marshal(line)
	if err != nil {
		return
	}
	h.out.Write(append(b, '\n'))
}
