// Live progress of one restore (x-data="hvrLiveRun"): polls the run and its events (after=<last event id>, so
// every event is appended exactly once), offers Cancel while the run is queued or running, and stops polling
// once the run has finished and its last events are shown.
document.addEventListener('alpine:init', function () {
  'use strict';
  // The agent reports every second and at once when a disk starts or ends: polling at that pace shows each report.
  var POLL_MS = 1000;
  var FINISHED = ['success', 'warning', 'failed', 'cancelled'];
  // Status labels and tones come from the server (config.labels, config.tones): the VM list's history uses the same.
  // Disk states as the run read model reports them (progress_json, written by the agent API).
  var DISK_STATES = { pending: 'Waiting', running: 'Restoring', done: 'Restored', failed: 'Failed', cancelled: 'Cancelled' };

  function num(v) {
    return v === null || v === undefined || v === '' || !isFinite(Number(v)) ? null : Number(v);
  }
  function first() {
    for (var i = 0; i < arguments.length; i++) if (arguments[i] !== undefined && arguments[i] !== null) return arguments[i];
    return null;
  }
  function baseName(path) {
    var parts = String(path || '').split(/[\\/]/);
    return parts[parts.length - 1];
  }

  // The event texts are the API's, kept as the spec words them ("(1 disks)"); the page says them as people do.
  function forPeople(message) {
    return String(message).replace(/\b1 disks\b/g, '1 disk').replace(/\b1\/1 disks\b/g, '1/1 disk');
  }

  function normalizeDisk(d, i) {
    var done = num(d.bytes_done);
    // 0 means "not known yet" (a disk the agent has not opened): shown as a dash, not as "0 B".
    var total = num(d.bytes_total) || null;
    var pct = num(d.percent);
    if (pct === null && done !== null && total) pct = Math.min(100, (done / total) * 100);
    var state = String(d.status || '');
    return {
      key: String(first(d.path, d.name, i)),
      name: d.name || baseName(d.path),
      bytesDone: done,
      bytesTotal: total,
      percent: pct,
      state: state,
      stateLabel: DISK_STATES[state] || state || '—',
    };
  }

  function normalizeRun(raw) {
    var p = raw.progress && typeof raw.progress === 'object' ? raw.progress : {};
    var stats = raw.stats && typeof raw.stats === 'object' ? raw.stats : {};
    var finished = FINISHED.indexOf(raw.status) >= 0;
    var disks = (Array.isArray(raw.disks) ? raw.disks : []).map(normalizeDisk).map(function (d) {
      // A disk still waiting or in progress when the run ended was not restored.
      if (finished && (d.state === 'pending' || d.state === 'running')) d.stateLabel = 'Not restored';
      return d;
    });
    var target = stats.target_path || '';
    // Each restored disk keeps its file name, in the target folder.
    var files = target ? disks.filter(function (d) { return d.state === 'done'; }).map(function (d) { return target.replace(/\\$/, '') + '\\' + d.name; }) : [];
    var started = raw.started_at ? Date.parse(raw.started_at) : NaN;
    var ended = raw.finished_at ? Date.parse(raw.finished_at) : NaN;
    var duration = finished && isFinite(started) && isFinite(ended) && ended >= started ? (ended - started) / 1000 : null;
    var restoredBytes = disks.filter(function (d) { return d.state === 'done'; }).reduce(function (sum, d) { return sum + (d.bytesTotal || 0); }, 0);
    return {
      id: raw.id,
      status: raw.status,
      durationSeconds: duration,
      averageSpeed: duration && restoredBytes ? restoredBytes / Math.max(1, duration) : null,
      percent: num(p.percent),
      bytesDone: num(p.bytes_done),
      bytesTotal: num(p.bytes_total) || null,
      speed: num(p.speed_bytes_per_sec),
      etaSeconds: num(p.eta_seconds),
      currentItem: p.current_disk ? 'Restoring ' + p.current_disk : p.current_item || '',
      cancelRequested: !!raw.cancel_requested,
      errorSummary: raw.error_summary || '',
      targetPath: target,
      disks: disks,
      files: files,
    };
  }

  window.Alpine.data('hvrLiveRun', function () {
    return {
      fmt: window.HvrApi.format,
      ui: window.HvrApi.uiClasses(),
      api: null,
      runKey: null,
      run: normalizeRun({ status: 'queued' }),
      events: [],
      lastEventId: 0,
      timer: null,
      inflight: false,
      again: false,
      confirming: false,
      cancelling: false,
      actionError: '',
      pollError: '',

      config: {},

      init() {
        this.api = window.HvrApi.client(this.$el);
        var config = window.HvrApi.readConfig(this.$el);
        this.config = config;
        this.runKey = config.runId;
        this.run = normalizeRun(config.run);
        this.api.libs().catch(() => null).then(() => this.tick());
      },

      destroy() {
        clearTimeout(this.timer);
      },

      get finished() { return FINISHED.indexOf(this.run.status) >= 0; },
      get canCancel() { return !this.finished && !this.run.cancelRequested; },
      get statusLabel() { return (this.config.labels || {})[this.run.status] || this.run.status; },
      get statusTone() { return (this.config.tones || {})[this.run.status] || 'neutral'; },
      /** The agent refused the target folder before restoring anything (a disk is already there, too little space). */
      get targetRefused() {
        return this.events.some(function (e) { return e.messageId === 'HYPERV_RESTORE_FAILED' && e.code === 'TARGET_NOT_USABLE'; });
      },
      get summaryTitle() {
        if (this.run.status === 'success') return 'Restore completed';
        if (this.run.status === 'warning') return 'Restore completed with warnings';
        if (this.run.status === 'cancelled') return 'Restore cancelled';
        return 'Restore failed';
      },

      async tick() {
        clearTimeout(this.timer);
        // One request chain at a time: a tick asked for while one runs (e.g. right after Cancel) runs after it.
        if (this.inflight) {
          this.again = true;
          return;
        }
        this.inflight = true;
        var wasFinished = this.finished;
        try {
          var data = await this.api.get('run', { run: this.runKey });
          this.run = normalizeRun(data.run || data);
          await this.fetchEvents();
          this.pollError = '';
        } catch (e) {
          this.pollError = 'Could not refresh the progress (' + e.message + '). Retrying…';
        }
        this.inflight = false;
        // One last round after the run finishes picks up the final events; then polling stops for good.
        if (this.finished && wasFinished && !this.again) return;
        var delay = this.again || this.finished ? 0 : POLL_MS;
        this.again = false;
        this.timer = setTimeout(() => this.tick(), delay);
      },

      async fetchEvents() {
        for (;;) {
          var data = await this.api.get('run-events', { run: this.runKey, after: this.lastEventId });
          var fresh = (data.events || []).filter(function (e) { return Number(e.id) > this.lastEventId; }, this);
          var fmt = this.fmt;
          fresh.forEach(function (e) {
            this.events.push({
              id: Number(e.id), level: e.level || 'info', message: forPeople(e.message || e.message_id), iso: fmt.iso(e.ts || e.created_at),
              messageId: e.message_id, code: e.params && typeof e.params.code === 'string' ? e.params.code : '',
            });
            this.lastEventId = Math.max(this.lastEventId, Number(e.id));
          }, this);
          if (fresh.length < 500) return;
        }
      },

      askCancel() {
        this.confirming = true;
        this.actionError = '';
        this.$nextTick(() => this.$refs.confirmButton.focus());
      },

      keepRunning() {
        this.confirming = false;
        this.$nextTick(() => this.$refs.cancelButton.focus());
      },

      async confirmCancel() {
        this.cancelling = true;
        try {
          await this.api.post('run-cancel', { run: this.runKey });
          this.confirming = false;
          await this.tick();
        } catch (e) {
          this.actionError = e.message;
        } finally {
          this.cancelling = false;
        }
      },
    };
  });
});
