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

  // Which wizard field a server message belongs to (messages come from the API's fixed table).
  function fieldOf(message) {
    if (/^target_path|target folder/i.test(message)) return 'target';
    if (/disk/i.test(message)) return 'disks';
    return 'general';
  }

  window.Alpine.data('hvrRestoreWizard', function () {
    return {
      fmt: window.HvrApi.format,
      config: null,
      api: null,
      rules: null,
      step: 1,
      typeFilter: '',
      points: [],
      total: 0,
      limit: PAGE_SIZE,
      offset: 0,
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
      generalError: '',
      starting: false,

      async init() {
        this.api = window.HvrApi.client(this.$el);
        this.config = window.HvrApi.readConfig(this.$el);
        this.targetPath = this.config.defaultTargetPath || '';
        this.vmDisks = this.config.disks || [];
        this.api.libs().then((libs) => { this.rules = libs; }, () => {
          this.generalError = 'Part of this page did not load. Reload the page to try again.';
        });
        await this.load();
      },

      get pageLabel() {
        if (!this.total) return '';
        var last = Math.min(this.offset + this.points.length, this.total);
        return 'Points ' + (this.offset + 1) + '–' + last + ' of ' + this.total;
      },

      get pointDisks() {
        if (!this.selected) return [];
        var sizes = {};
        this.vmDisks.forEach(function (d) { sizes[d.path] = d.sizeBytes; });
        var fmt = this.fmt;
        return Object.keys(this.selected.disk_manifests || {}).map(function (path) {
          return { path: path, name: diskName(path), sizeText: sizes[path] ? fmt.bytes(sizes[path]) : '' };
        });
      },

      get chosenDiskNames() {
        return this.diskPaths.map(diskName).join(', ');
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
        try {
          var data = await this.api.get('backup-points', { vm_id: this.config.vmId, limit: this.limit, offset: this.offset, type: this.typeFilter });
          var fmt = this.fmt;
          this.points = (data.backup_points || []).map(function (p) {
            return Object.assign({}, p, {
              created_iso: fmt.iso(p.created_at),
              warningTexts: (p.warnings || []).map(function (w) { return typeof w === 'string' ? w : (w && (w.message || w.code)) || ''; })
                .filter(Boolean).concat(p.has_warnings && !(p.warnings || []).length ? [p.warning_code || 'The backup finished with warnings'] : []),
            });
          });
          this.total = Number(data.total) || 0;
          if (data.disks) this.vmDisks = data.disks.map(function (d) { return { path: d.disk_path, sizeBytes: d.size_bytes }; });
        } catch (e) {
          this.points = [];
          this.loadError = 'Restore points could not be loaded: ' + e.message;
        } finally {
          this.loading = false;
        }
      },

      applyFilter() {
        this.offset = 0;
        return this.load();
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

      validatePath() {
        if (!this.rules) return true;
        var result = this.rules.validateTargetPath(this.targetPath.trim());
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

      goTo(step) {
        this.generalError = '';
        if (step >= 2 && !this.selected) return;
        if (step === 3 && !this.validateStep2()) {
          this.focusFirstError();
          return;
        }
        this.step = step;
        this.$nextTick(function () {
          var heading = document.getElementById('hvr-step' + step + '-title');
          if (heading) heading.focus();
        });
      },

      focusFirstError() {
        this.$nextTick(function () {
          var target = document.querySelector('.hvr [aria-invalid="true"], .hvr input[type="checkbox"]');
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
          var data = await this.api.post('restores', {}, {
            backup_point_id: this.selected.id,
            target_path: this.targetPath.trim(),
            disk_filter: this.diskPaths.slice(),
          });
          var runId = data.restore_run_id;
          window.location.assign(this.config.liveUrl.replace('__RUN__', encodeURIComponent(String(runId))));
        } catch (e) {
          this.starting = false;
          this.showServerError(e.message);
        }
      },

      showServerError(message) {
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
