// /agent/*: the API the Hyper-V host agent calls (docs/agent-api.md). Every call is authenticated as one agent and
// scoped to it: a run is reachable only through a command this agent claimed.
import express, { Router, type Request } from 'express';
import type { Deps } from '../deps.js';
import { agentAuth, agentOf } from '../http/agent-auth.js';
import { enforceLimit, FixedWindowLimiter, rateLimit } from '../http/rate-limit.js';
import { requestLog } from '../http/request-log.js';
import { respond } from '../http/respond.js';
import { errors } from '../lib/errors.js';
import { loneSurrogateProblem } from '../lib/text-input.js';
import type { Validator } from '../lib/validator.js';
import { RUN_ID_PATTERN, validateEvents, validateFinish, validateHeartbeat } from '../schemas/agent.js';
import { assertRoomForEvents, storeAgentEvents } from '../services/agent-events.js';
import { finishAgentRun, readOwnRun, recordHeartbeat, runFinishedError } from '../services/agent-runs.js';
import { isTerminal } from '../services/run-status.js';
import { claimNextCommand, resumableCommands } from '../services/commands.js';

const RUN_ID = new RegExp(RUN_ID_PATTERN);

function runIdOf(req: Request): number {
  const raw = String(req.params.run ?? '');
  if (!RUN_ID.test(raw)) throw errors.runNotFound();
  return Number(raw);
}

function bodyOf<T>(req: Request, validate: Validator<T>): T {
  if (req.body === undefined || req.body === null || typeof req.body !== 'object') throw errors.invalid('body must be a JSON object');
  // Not text, and MariaDB's JSON columns refuse it: a 400 here instead of a failed write later.
  const broken = loneSurrogateProblem(req.body);
  if (broken) throw errors.invalid(broken);
  const result = validate(req.body);
  if (!result.ok) throw errors.invalid(result.message);
  return result.value;
}

export function agentApiRouter({ config, db, log, runFinished }: Deps): Router {
  const router = Router();
  const limitPolls = rateLimit(new FixedWindowLimiter(config.agentPollsPerMinute, 60_000), (_req, res) => String(agentOf(res).agentId));
  const eventLimiter = new FixedWindowLimiter(config.agentEventsPerMinute, 60_000);
  // Authenticate before parsing: an unauthenticated caller learns nothing from a body error.
  router.use('/agent', agentAuth(db), express.json({ limit: '512kb' }));

  router.post('/agent/commands/claim', limitPolls, async (_req, res) => {
    const agent = agentOf(res);
    const command = await claimNextCommand(db, agent, { log: requestLog(res, log), runFinished });
    if (command) requestLog(res, log).info('command claimed', { agentId: agent.agentId, commandId: command.command_id, runId: command.run_id });
    respond(res, { command });
  });

  // An agent that restarted (crash, reboot) asks once for what it had in hand; claim never hands those out again.
  router.post('/agent/commands/resume', async (_req, res) => {
    const agent = agentOf(res);
    const commands = await resumableCommands(db, agent, { log, runFinished });
    if (commands.length) log.info('commands resumed', { agentId: agent.agentId, runIds: commands.map((c) => c.run_id) });
    respond(res, { commands });
  });

  router.post('/agent/runs/:run/heartbeat', async (req, res) => {
    const agent = agentOf(res);
    const runId = runIdOf(req);
    const beat = bodyOf(req, validateHeartbeat);
    respond(res, { ...(await recordHeartbeat(db, agent, runId, beat)) });
  });

  router.get('/agent/runs/:run', async (req, res) => {
    const run = await readOwnRun(db, agentOf(res), runIdOf(req));
    respond(res, { run_status: run.status, cancel_requested: run.cancelRequested });
  });

  router.post('/agent/runs/:run/events', async (req, res) => {
    const agent = agentOf(res);
    const runId = runIdOf(req);
    const { events } = bodyOf(req, validateEvents);
    const run = await readOwnRun(db, agent, runId);
    if (isTerminal(run.status)) throw runFinishedError(run.status);
    // Counted per event, not per request: a batch of 100 is 100.
    enforceLimit(eventLimiter, String(agent.agentId), res, events.length);
    await assertRoomForEvents(db, runId, events.length);
    respond(res, { ...(await storeAgentEvents(db, agent, runId, events)) });
  });

  router.post('/agent/runs/:run/finish', async (req, res) => {
    const agent = agentOf(res);
    const runId = runIdOf(req);
    const finish = bodyOf(req, validateFinish);
    const result = await finishAgentRun(db, agent, runId, finish, runFinished);
    requestLog(res, log).info('run finished', { agentId: agent.agentId, runId, status: result.run_status, reported: finish.status });
    respond(res, { ...result });
  });

  return router;
}
