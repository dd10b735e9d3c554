// Where a page's links, API calls and assets point. The same templates serve three audiences:
// - direct (demo mode): the browser talks to the sidecar itself: /pages/..., /api/..., /assets/...
// - bridge (WHMCS client area): the browser only talks to WHMCS, whose addon proxies fixed names to the sidecar:
//   index.php?m=hypervrestore&view=<view>, &api=<name>, &asset=<path>. The mapping is documented in docs/pages.md.
// - admin (WHMCS admin area, the wizard an admin runs for a client): the same proxying through the module's admin
//   page, addonmodules.php?module=hypervrestore&action=<page>, &api=<name>, &asset=<path> (docs/admin-api.md).

export type LinkMode = 'direct' | 'bridge' | 'admin';
export type PageName = 'hyperv' | 'hyperv-restore' | 'live';

/** The admin pages' links, relative to WHMCS's admin folder (addonmodules.php). */
export const ADMIN_MODULE_LINK = 'addonmodules.php?module=hypervrestore';

/** Relative on purpose: it resolves against the WHMCS page the fragment is shown in, wherever WHMCS is installed. */
export const BRIDGE_BASE = 'index.php?m=hypervrestore';

const PAGES: Record<PageName, { path: string; view: string }> = {
  hyperv: { path: '/pages/hyperv', view: 'hyperv' },
  'hyperv-restore': { path: '/pages/hyperv-restore', view: 'restore' },
  live: { path: '/pages/live', view: 'live' },
};

/** The admin area's pages for the same names: the VM search, the wizard, and the run page as the live view. */
const ADMIN_PAGES: Record<PageName, { action: string }> = {
  hyperv: { action: 'vms' },
  'hyperv-restore': { action: 'restore' },
  live: { action: 'run' },
};

export interface Links {
  /** How the browser's calls travel: 'bridge' for both WHMCS areas (the browser script needs nothing more). */
  mode: 'direct' | 'bridge';
  /** Value of data-hvr-api-base: '' (direct: /api/... on this origin) or the bridge base. */
  apiBase: string;
  page(name: PageName, params?: Record<string, string | number>): string;
  asset(path: string): string;
}

function query(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

export function createLinks(mode: LinkMode): Links {
  if (mode === 'admin') {
    return {
      mode: 'bridge',
      apiBase: ADMIN_MODULE_LINK,
      page: (name, params = {}) => `${ADMIN_MODULE_LINK}&${query({ action: ADMIN_PAGES[name].action, ...params })}`,
      asset: (path) => `${ADMIN_MODULE_LINK}&${query({ asset: path })}`,
    };
  }
  if (mode === 'bridge') {
    return {
      mode,
      apiBase: BRIDGE_BASE,
      page: (name, params = {}) => `${BRIDGE_BASE}&${query({ view: PAGES[name].view, ...params })}`,
      asset: (path) => `${BRIDGE_BASE}&${query({ asset: path })}`,
    };
  }
  return {
    mode,
    apiBase: '',
    page: (name, params = {}) => {
      const q = query(params);
      return q ? `${PAGES[name].path}?${q}` : PAGES[name].path;
    },
    asset: (path) => `/assets/${path}`,
  };
}
