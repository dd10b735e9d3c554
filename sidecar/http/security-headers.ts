// Security headers on every answer, set by helmet. JSON gets a CSP that allows nothing; pages (routes/pages.ts,
// admin pages) replace it with the pages' CSP. The bridge embeds pages by fetching them server-side into WHMCS's own
// page, so nothing ever needs to frame the sidecar: frame-ancestors 'none'.
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

type Directives = Record<string, string[]>;

const API_DIRECTIVES: Directives = {
  defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"],
};
// Alpine (standard build) evaluates its expressions with Function(), hence 'unsafe-eval'; its :style bindings and
// the templates' style attributes need 'unsafe-inline' for styles. Everything else is same-origin only.
const PAGE_DIRECTIVES: Directives = {
  defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-eval'"], styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"],
  baseUri: ["'none'"], formAction: ["'self'"],
};

const helmetHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: API_DIRECTIVES },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  // Whoever terminates TLS in front of the sidecar owns HSTS; the sidecar itself may be plain HTTP on a private link.
  strictTransportSecurity: false,
});
const pageCsp = helmet.contentSecurityPolicy({ useDefaults: false, directives: PAGE_DIRECTIVES });

// helmet has no Permissions-Policy, and caching is not its job: those two stay ours.
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), usb=(), payment=()';

export const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
  // Answers carry one client's data: no shared cache may keep them. Assets set their own policy.
  res.setHeader('Cache-Control', 'no-store');
  helmetHeaders(req, res, next);
};

/** Marks an HTML answer as a page: the pages' CSP instead of the API's. */
export function usePageCsp(res: Response): void {
  // helmet's CSP middleware sets its header at once and calls next; there is nothing after it to run.
  pageCsp(res.req, res, () => undefined);
}
