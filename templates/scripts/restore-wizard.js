// The restore wizard (x-data="hvrRestoreWizard"): 1. pick a restorable point, 2. target folder + disks,
// 3. review and start. The target path is checked with the sidecar's own validator before anything is sent;
// errors the server still returns are shown next to the field they concern.
document.addEventListener('alpine:init', function () {
  'use strict';
  var PAGE_SIZE = 10;

  function diskName(path) {
    var parts = String(path).split(/[\\/]/);
    return parts[parts.length - 1] || String(path);
  }

  // The validator speaks in API field names ("target_path is too long"); the page says what the user sees.
  function forPeople(message) {
    return String(message).replace(/^target_path\b/, 'The target folder');
  }

  // Why a point cannot be restored, in words a customer knows (the API's reason names point ids and internals).
  function reasonForPeople(reason) {
    if (/chain is broken/i.test(String(reason || ''))) return 'a backup it builds on is missing or did not finish';
    return 'its backup is incomplete';
  }

  // Warning codes the backup module stores without a text.
  var WARNING_TEXTS = {
    CrashNoCheckpoint: 'No checkpoint could be taken; the disks were copied while the VM was running (crash-consistent)',
    CHECKPOINT_FALLBACK: 'Production checkpoint failed; a crash-consistent one was used',
  };
  function warningForPeople(code) {
    return WARNING_TEXTS[code] || 'The backup finished with warnings';
  }

  // Which wizard field a server message belongs to (messages come from the API's fixed table).
  function fieldOf(message) {
    if (/^target_path|target folder/i.test(message)) return 'target';
    if (/disk/i.test(message)) return 'disks';
    return 'general';
  }

  function addressWithStep(step) {
    var url = new window.URL(window.location.href);
    if (step > 1) url.searchParams.set('step', String(step));
    else url.searchParams.delete('step');
    return url.pathname + url.search + url.hash;
  }

  window.Alpine.data('hvrRestoreWizard', function () {
    return {
      fmt: window.HvrApi.format,
      ui: window.HvrApi.uiClasses(),
      config: null,
      api: null,
      rules: null,
      step: 1,
      typeFilter: '',
      points: [],
      total: 0,
      limit: PAGE_SIZE,
      offset: 0,
      // The offset of the rows on screen: the label follows them, not the page being asked for.
      shownOffset: 0,
      loadSeq: 0,
      loading: false,
      loadError: '',
      selected: null,
      selectedId: null,
      vmDisks: [],
      targetPath: '',
      pathTouched: false,
      pathError: '',
      diskPaths: [],
      diskError: '',
      /** The Hyper-V hosts offered (the job's agent first) and the one chosen; null when none is offered. */
      hosts: [],
      agentId: null,
      generalError: '',
      /** A link that goes with generalError: { url, text } (the restore that is in the way). */
      generalLink: null,
      starting: false,

      async init() {
        this.api = window.HvrApi.client(this.$el);
        this.config = window.HvrApi.readConfig(this.$el);
        this.targetPath = this.config.defaultTargetPath || '';
        this.vmDisks = this.config.disks || [];
        this.hosts = this.config.hosts || [];
        this.agentId = this.config.defaultAgentId === undefined ? null : this.config.defaultAgentId;
        this.api.libs().then((libs) => { this.rules = libs; }, () => {
          this.generalError = 'Part of this page did not load. Reload the page to try again.';
        });
        // The step lives in the address (?step=2), so the browser's Back and Forward move between steps instead of
        // leaving the wizard. A reload starts at step 1: the choices made so far are not in the address.
        window.history.replaceState({ hvrStep: 1 }, '', addressWithStep(1));
        window.addEventListener('popstate', (event) => {
          var wanted = event.state && event.state.hvrStep ? Number(event.state.hvrStep) : 1;
          this.show(this.selected ? wanted : 1);
        });
        await this.load();
      },

      get pageLabel() {
        if (!this.total) return '';
        var last = Math.min(this.shownOffset + this.points.length, this.total);
        return 'Points ' + (this.shownOffset + 1) + '–' + last + ' of ' + this.total;
      },

      get pointDisks() {
        if (!this.selected) return [];
        var sizes = {};
        this.vmDisks.forEach(function (d) { sizes[d.path] = d.sizeBytes; });
        var fmt = this.fmt;
        return Object.keys(this.selected.disk_manifests || {}).map(function (path) {
          return { path: path, name: diskName(path), sizeText: sizes[path] ? 'virtual size ' + fmt.bytes(sizes[path]) : '' };
        });
      },

      /** The point's size for the chosen disks only: its share of the disks, as the server estimates it. */
      get estimatedBytes() {
        var p = this.selected;
        if (!p || p.total_size_bytes === null || p.total_size_bytes === undefined || !this.pointDisks.length) return null;
        return Math.round((Number(p.total_size_bytes) * this.diskPaths.length) / this.pointDisks.length);
      },

      get chosenDiskNames() {
        return this.diskPaths.map(diskName).join(', ');
      },

      get chosenHost() {
        var id = this.agentId;
        return this.hosts.filter(function (h) { return h.agentId === id; })[0] || null;
      },

      hostSeenText(host) {
        if (host.online) return 'Connected now';
        return host.lastSeenAt ? 'Last seen ' + this.fmt.date(host.lastSeenAt) : 'Never connected';
      },

      /** An earlier or running restore on the chosen host (a folder of another host is another folder). */
      onChosenHost(entry) {
        return entry.agentId === null || entry.agentId === undefined || this.agentId === null || entry.agentId === this.agentId;
      },

      /** The folder as typed, once the rules are loaded (folders compare with the server's own rule). */
      isChosenFolder(path) {
        return !!this.rules && this.rules.sameFolder(path, this.targetPath);
      },

      /**
       * The newest finished restore to this host that put one of the chosen disks' files into the chosen folder:
       * they may still be there, and a restore never overwrites them. Null when there is none.
       */
      get earlierHere() {
        var chosen = this.diskPaths.map(function (p) { return diskName(p).toLowerCase(); });
        var earlier = (this.config.earlier || []).filter((e) => this.onChosenHost(e) && this.isChosenFolder(e.targetPath));
        for (var i = 0; i < earlier.length; i++) {
          var files = earlier[i].files.filter(function (f) { return chosen.indexOf(String(f).toLowerCase()) >= 0; });
          if (files.length) return { files: files.join(', '), count: files.length, finishedIso: this.fmt.iso(earlier[i].finishedAt), liveUrl: earlier[i].liveUrl };
        }
        return null;
      },

      /** A restore of this VM to the chosen folder that is queued or running now (the server refuses a second). */
      get activeHere() {
        return (this.config.active || []).filter((a) => this.onChosenHost(a) && this.isChosenFolder(a.targetPath))[0] || null;
      },

      chooseAnotherFolder() {
        this.goTo(2, 'hvr-target');
        this.$nextTick(function () {
          var field = document.getElementById('hvr-target');
          if (field) field.select();
        });
      },

      get chain() {
        var p = this.selected;
        if (!p) return [];
        var fmt = this.fmt;
        return (p.restore_chain || []).map(function (member, i, all) {
          var m = typeof member === 'object' && member ? member : { manifest_id: member };
          var type = m.backup_type || (i === 0 ? 'Full' : 'Incremental');
          var when = m.created_at ? fmt.date(m.created_at) : 'point ' + (m.backup_point_id || m.manifest_id);
          return { key: String(m.backup_point_id || m.manifest_id || i), type: type, label: when + (i === all.length - 1 ? ' (selected)' : '') };
        });
      },

      async load() {
        this.loading = true;
        this.loadError = '';
        var asked = this.offset;
        var seq = ++this.loadSeq;
        try {
          var data = await this.api.get('backup-points', { vm_id: this.config.vmId, limit: this.limit, offset: asked, type: this.typeFilter });
          // A later click asked for another page meanwhile: its answer is the one to show.
          if (seq !== this.loadSeq) return;
          this.shownOffset = asked;
          var fmt = this.fmt;
          this.points = (data.backup_points || []).map(function (p) {
            return Object.assign({}, p, {
              created_iso: fmt.iso(p.created_at),
              warningTexts: (p.warnings || []).map(function (w) { return typeof w === 'string' ? w : (w && (w.message || warningForPeople(w.code))) || ''; })
                .filter(Boolean).concat(p.has_warnings && !(p.warnings || []).length ? [warningForPeople(p.warning_code)] : []),
              reasonText: reasonForPeople(p.not_restorable_reason),
            });
          });
          this.total = Number(data.total) || 0;
          if (data.disks) this.vmDisks = data.disks.map(function (d) { return { path: d.disk_path, sizeBytes: d.size_bytes }; });
        } catch (e) {
          if (seq !== this.loadSeq) return;
          this.points = [];
          this.loadError = 'Restore points could not be loaded: ' + e.message;
        } finally {
          if (seq === this.loadSeq) this.loading = false;
        }
      },

      /** A filter that hides the chosen point drops the choice, so Continue cannot go on with a point not shown. */
      async applyFilter() {
        this.offset = 0;
        if (this.selected && this.typeFilter && this.selected.backup_type !== this.typeFilter) {
          this.selected = null;
          this.selectedId = null;
          this.diskPaths = [];
        }
        var focused = document.activeElement;
        await this.load();
        // The list is redrawn: keep the keyboard where it was.
        this.$nextTick(function () {
          if (focused && document.activeElement !== focused && document.body.contains(focused)) focused.focus();
        });
      },

      page(direction) {
        this.offset = Math.max(0, this.offset + direction * this.limit);
        return this.load();
      },

      choose(point) {
        if (!point.is_restorable) return;
        if (this.selectedId !== point.id) {
          this.selected = point;
          this.selectedId = point.id;
          this.diskPaths = Object.keys(point.disk_manifests || {});
          this.diskError = '';
        }
      },

      /**
       * Focus leaving the field for one of the wizard's buttons: that button checks the path itself. Checking on blur
       * would show the message between its mousedown and mouseup, move the button away and lose the click.
       */
      leavingForButton(event) {
        var next = event && event.relatedTarget;
        return !!next && next.tagName === 'BUTTON' && this.$root.contains(next);
      },

      validatePath() {
        if (!this.rules) return true;
        var result = this.rules.validateTargetPath(this.targetPath.trim(), { vmName: this.config.vmName });
        this.pathError = result.ok ? '' : forPeople(result.message);
        return result.ok;
      },

      validateStep2() {
        this.pathTouched = true;
        var pathOk = this.validatePath();
        this.diskError = this.diskPaths.length ? '' : 'No disks selected';
        if (!this.rules) this.generalError = 'Part of this page did not load. Reload the page to try again.';
        return pathOk && !this.diskError && !!this.rules;
      },

      /** Shows a step and moves the focus to its heading, or to the element `focusId` names. */
      goTo(step, focusId) {
        this.generalError = '';
        this.generalLink = null;
        if (step >= 2 && !this.selected) return;
        if (step === 3 && !this.validateStep2()) {
          this.focusFirstError();
          return;
        }
        if (step !== this.step) window.history.pushState({ hvrStep: step }, '', addressWithStep(step));
        this.show(step, focusId);
      },

      /** Shows a step that may be shown; focus goes to its heading once it is visible (x-show needs a frame). */
      show(step, focusId) {
        this.step = step;
        var root = this.$root;
        this.$nextTick(function () {
          window.requestAnimationFrame(function () {
            var target = root.querySelector('#' + (focusId || 'hvr-step' + step + '-title'));
            if (target) target.focus();
          });
        });
      },

      /** The field named by the first error, not whatever aria-invalid says yet (Alpine updates it on the same tick). */
      focusFirstError() {
        var root = this.$root;
        var selector = this.pathError ? '#hvr-target' : this.diskError ? 'input[type="checkbox"]' : null;
        if (!selector) return;
        this.$nextTick(function () {
          var target = root.querySelector(selector);
          if (target) target.focus();
        });
      },

      async start() {
        if (!this.validateStep2()) {
          this.step = 2;
          this.focusFirstError();
          return;
        }
        this.starting = true;
        this.generalError = '';
        try {
          var body = { backup_point_id: this.selected.id, target_path: this.targetPath.trim(), disk_filter: this.diskPaths.slice() };
          if (this.agentId !== null) body.agent_id = this.agentId;
          var data = await this.api.post('restores', {}, body);
          var runId = data.restore_run_id;
          window.location.assign(this.config.liveUrl.replace('__RUN__', encodeURIComponent(String(runId))));
        } catch (e) {
          this.starting = false;
          this.showServerError(e.message, e.details);
        }
      },

      showServerError(message, details) {
        var running = details && details.restore_run_id;
        if (running) {
          this.generalError = message + '.';
          this.generalLink = { url: this.config.liveUrl.replace('__RUN__', encodeURIComponent(String(running))), text: 'See the restore that is running' };
          this.$nextTick(function () {
            var link = document.querySelector('.hvr [data-hvr-general-link]');
            if (link) link.focus();
          });
          return;
        }
        var field = fieldOf(message);
        if (field === 'target') {
          this.pathError = forPeople(message);
          this.step = 2;
        } else if (field === 'disks') {
          this.diskError = message;
          this.step = 2;
        } else {
          this.generalError = message;
        }
        if (field !== 'general') this.focusFirstError();
      },
    };
  });
});
