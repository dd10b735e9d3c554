// HvrApi: how the pages talk to the restore API, in either of the two places they are shown.
// The root element (.hvr[data-hvr-root]) says where calls go:
//   data-hvr-mode="direct": demo mode, the browser calls the sidecar itself (/api/..., /assets/...);
//   data-hvr-mode="bridge": inside WHMCS, every call goes to <data-hvr-api-base>&api=<name>&... and the
//   WHMCS addon signs and forwards it (docs/pages.md lists the names).
// Formatting and the target path rules come from the sidecar's own compiled modules (/assets/lib/...), so the
// browser applies exactly the rules the server applies.
(function () {
  'use strict';

  var ROUTES = {
    vms: { path: '/api/hyperv/vms' },
    'backup-points': { path: '/api/hyperv/backup-points' },
    restores: { path: '/api/hyperv/restores' },
    run: { path: '/api/runs/{run}' },
    'run-events': { path: '/api/runs/{run}/events' },
    'run-cancel': { path: '/api/runs/{run}/cancel' },
  };

  // `details`: the failure body's other fields (e.g. restore_run_id of the restore that is in the way).
  function ApiError(status, message, details) {
    this.name = 'ApiError';
    this.status = status;
    this.message = message;
    this.details = details || {};
  }
  ApiError.prototype = Object.create(Error.prototype);

  function rootOf(el) {
    var root = el && el.closest ? el.closest('[data-hvr-root]') : null;
    if (!root) throw new Error('HvrApi: element is not inside [data-hvr-root]');
    return root;
  }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== '') q.set(k, String(params[k]));
    });
    return q.toString();
  }

  // The bridge's page template may wrap the fragment in an element carrying its own module link (data-hvr-base)
  // and the session's CSRF token (data-hvr-csrf); both win over the defaults.
  function bridgeWrapper(root) {
    return root.parentElement ? root.parentElement.closest('[data-hvr-base], [data-hvr-csrf]') : null;
  }

  function bridgeBase(root) {
    var wrapper = bridgeWrapper(root);
    return (wrapper && wrapper.dataset.hvrBase) || root.dataset.hvrApiBase;
  }

  function urlFor(root, name, params) {
    var route = ROUTES[name];
    if (!route) throw new Error('HvrApi: unknown API ' + name);
    params = Object.assign({}, params);
    if (root.dataset.hvrMode === 'bridge') {
      var q = query(Object.assign({ api: name }, params));
      return bridgeBase(root) + '&' + q;
    }
    var path = route.path.replace(/\{(\w+)\}/g, function (_m, key) {
      var value = params[key];
      delete params[key];
      return encodeURIComponent(String(value));
    });
    var rest = query(params);
    return (root.dataset.hvrApiBase || '') + path + (rest ? '?' + rest : '');
  }

  function assetUrl(root, path) {
    if (root.dataset.hvrMode === 'bridge') return bridgeBase(root) + '&' + query({ asset: path });
    return '/assets/' + path;
  }

  // The session's CSRF token: from the bridge's wrapper, else the global `csrfToken` WHMCS client-area themes
  // define, else a form's input[name=token]. The bridge checks it on every POST before forwarding.
  function csrfToken(root) {
    var wrapper = bridgeWrapper(root);
    if (wrapper && wrapper.dataset.hvrCsrf) return wrapper.dataset.hvrCsrf;
    if (typeof window.csrfToken === 'string' && window.csrfToken) return window.csrfToken;
    var input = document.querySelector('input[name="token"]');
    return input ? input.value : '';
  }

  async function request(root, method, name, params, body) {
    var headers = { Accept: 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && root.dataset.hvrMode === 'bridge') headers['X-CSRF-Token'] = csrfToken(root);
    var res;
    try {
      res = await fetch(urlFor(root, name, params), init);
    } catch {
      throw new ApiError(0, 'The restore service could not be reached. Check your connection and try again.');
    }
    var data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok || !data || data.status !== 'success') {
      var message = data && typeof data.message === 'string' ? data.message : 'The restore service answered with an error (HTTP ' + res.status + ').';
      throw new ApiError(res.status, message, data);
    }
    return data;
  }

  var libs = null;
  function loadLibs(root) {
    libs = libs || Promise.all([
      import(new window.URL(assetUrl(root, 'lib/target-path.js'), document.baseURI).href),
      import(new window.URL(assetUrl(root, 'lib/format-bytes.js'), document.baseURI).href),
      import(new window.URL(assetUrl(root, 'lib/target-key.js'), document.baseURI).href),
    ]).then(function (mods) {
      format.bytesImpl = mods[1].formatBytes;
      // Two folders are one when their keys are equal: the server's duplicate check uses the same key.
      var sameFolder = function (a, b) { return mods[2].targetKey(String(a).trim()) === mods[2].targetKey(String(b).trim()); };
      return { validateTargetPath: mods[0].validateTargetPath, sameFolder: sameFolder, formatBytes: mods[1].formatBytes };
    });
    return libs;
  }

  var dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

  function toDate(value) {
    if (!value) return null;
    var d = new Date(String(value).indexOf('T') >= 0 ? value : String(value).replace(' ', 'T') + 'Z');
    return isNaN(d.getTime()) ? null : d;
  }

  var format = {
    bytesImpl: null,
    bytes: function (n) {
      if (n === null || n === undefined || n === '' || !isFinite(Number(n))) return '—';
      return format.bytesImpl ? format.bytesImpl(Number(n)) : Number(n) + ' B';
    },
    /** "1.5 GiB of 3 GiB"; a dash while the total is not known yet. */
    progress: function (done, total) {
      if (!total) return '—';
      return format.bytes(done || 0) + ' of ' + format.bytes(total);
    },
    percent: function (p) {
      if (p === null || p === undefined || !isFinite(Number(p))) return '—';
      var v = Number(p);
      return (v > 0 && v < 10 ? v.toFixed(1) : Math.floor(v).toString()) + '%';
    },
    duration: function (seconds) {
      if (seconds === null || seconds === undefined || !isFinite(Number(seconds))) return '—';
      var s = Math.max(0, Math.round(Number(seconds)));
      var h = Math.floor(s / 3600);
      var m = Math.floor((s % 3600) / 60);
      if (h) return h + ' h ' + String(m).padStart(2, '0') + ' min';
      if (m) return m + ' min ' + String(s % 60).padStart(2, '0') + ' s';
      return s + ' s';
    },
    iso: function (value) {
      var d = toDate(value);
      return d ? d.toISOString() : '';
    },
    date: function (value) {
      var d = toDate(value);
      return d ? dateFmt.format(d) : '—';
    },
    time: function (value) {
      var d = toDate(value);
      return d ? timeFmt.format(d) : '';
    },
  };

  function localizeTimes(scope) {
    scope.querySelectorAll('time[data-hvr-local]').forEach(function (el) {
      var d = toDate(el.getAttribute('datetime'));
      if (d) el.textContent = dateFmt.format(d);
    });
  }

  function readConfig(el) {
    var script = rootOf(el).querySelector('script[data-hvr-config]');
    return script ? JSON.parse(script.textContent || 'null') : null;
  }

  // The theme's classes per part (sidecar/views/theme-classes.ts, printed into the root): what the components add to
  // the classes they compute (badge tones, bar states). Every part is named in it; each is '' in the pages' own look.
  function uiClasses(el) {
    var root = el ? rootOf(el) : document.querySelector('[data-hvr-root]');
    var script = root ? root.querySelector('script[data-hvr-ui]') : null;
    return script ? JSON.parse(script.textContent || '{}') : {};
  }

  function client(el) {
    var root = rootOf(el);
    return {
      get: function (name, params) { return request(root, 'GET', name, params); },
      post: function (name, params, body) { return request(root, 'POST', name, params, body || {}); },
      libs: function () { return loadLibs(root); },
    };
  }

  window.HvrApi = { client: client, format: format, readConfig: readConfig, uiClasses: uiClasses, ApiError: ApiError, urlFor: urlFor };

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-hvr-root]').forEach(function (root) {
      localizeTimes(root);
      loadLibs(root).catch(function () { /* the wizard reports it when it needs the rules */ });
    });
  });
})();
