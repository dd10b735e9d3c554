// Where a page's links, API calls and assets point. The same templates serve two audiences:
// - direct (demo mode): the browser talks to the sidecar itself: /pages/..., /api/..., /assets/...
// - bridge (WHMCS): the browser only talks to WHMCS, whose addon proxies fixed names to the sidecar:
//   index.php?m=hypervrestore&view=<view>, &api=<name>, &asset=<path>. The mapping is documented in docs/pages.md.

export type LinkMode = 'direct' | 'bridge';
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

export interface Links {
  mode: LinkMode;
  /** Value of data-hvr-api-base: '' (direct: /api/... on this origin) or the bridge base. */
  apiBase: string;
  page(name: PageName, params?: Record<string, string | number>): string;
  asset(path: string): string;
}

function query(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

export function createLinks(mode: LinkMode): Links {
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
