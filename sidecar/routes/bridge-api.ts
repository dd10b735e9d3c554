// The WHMCS module's own routes (signed with neither a client nor an admin id): the restore-finished notices its
// cron pass e-mails through WHMCS. POST both: a claim takes a lease, so it changes state.
import { Router } from 'express';
import type { Deps } from '../deps.js';
import { bridgeOf, requireBridge } from '../http/bridge-auth.js';
import { respond } from '../http/respond.js';
import { parseNoticeAck, parseNoticeClaim } from '../schemas/bridge.js';
import { acknowledgeNotices, claimNotices } from '../services/restore-notices.js';

export function bridgeApiRouter({ db, log: rootLog }: Deps): Router {
  const router = Router();
  const log = rootLog.child({ route: 'bridge-api' });
  router.use('/bridge', requireBridge);

  router.post('/bridge/notices/claim', async (req, res) => {
    const claim = parseNoticeClaim(req.body);
    const result = await claimNotices(db, bridgeOf(res), claim);
    if (result.notices.length || result.skipped) {
      log.info('restore notices claimed', { requestId: res.locals.requestId, claimed: result.notices.map((n) => n.id), skipped: result.skipped });
    }
    respond(res, { notify: claim.notify, notices: result.notices, skipped: result.skipped });
  });

  router.post('/bridge/notices/ack', async (req, res) => {
    const ack = parseNoticeAck(req.body);
    const result = await acknowledgeNotices(db, bridgeOf(res), ack);
    log.info('restore notices acknowledged', { requestId: res.locals.requestId, sentIds: ack.sent, failedIds: ack.failed, ...result });
    respond(res, result);
  });
  return router;
}
