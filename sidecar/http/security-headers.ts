// Security headers on every answer. JSON gets a CSP that allows nothing; pages (routes/pages.ts, admin pages)
// replace it with PAGE_CSP. The bridge embeds pages by fetching them server-side into WHMCS's own page, so nothing
// ever needs to frame the sidecar: frame-ancestors 'none'.
import type { RequestHandler, Response } from 'express';

// Alpine (standard build) evaluates its expressions with Function(), hence 'unsafe-eval'; its :style bindings and
// the templates' style attributes need 'unsafe-inline' for styles. Everything else is same-origin only.
export const PAGE_CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', API_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), payment=()');
  // Answers carry one client's data: no shared cache may keep them. Assets set their own policy.
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** Marks an HTML answer as a page: the pages' CSP instead of the API's. */
export function usePageCsp(res: Response): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
}
