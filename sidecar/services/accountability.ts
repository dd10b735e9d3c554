// Who is acting (Directus's "accountability"): set once per request by the authentication middleware and passed to
// every service as the first argument after the database. Services scope their own queries from it, so a route never
// hands a bare client id around.
//   client — a signed-in customer; actingAdminId when a WHMCS admin works in the client area as that client
//   admin  — a WHMCS admin in the admin area (sees every client)
//   agent  — a Hyper-V host agent (sees only runs it claimed)
//   bridge — the WHMCS module itself, signed with neither id (its cron pass that e-mails restore notices)
//   system — the sidecar itself (the watchdog)
export type ClientAccountability = { kind: 'client'; clientId: number; actingAdminId?: number };
export type AdminAccountability = { kind: 'admin'; adminId: number };
export type AgentAccountability = { kind: 'agent'; agentId: number };
export type BridgeAccountability = { kind: 'bridge' };
export type SystemAccountability = { kind: 'system'; job: 'watchdog' };

export type Accountability = ClientAccountability | AdminAccountability | AgentAccountability | BridgeAccountability;
/** Who ended a run: any request's accountability, or the sidecar's own watchdog. */
export type Actor = Accountability | SystemAccountability;

/** Who may start a restore: a client (perhaps an admin working as them) or an admin for any client. */
export type RestoreActor = ClientAccountability | AdminAccountability;

/** Whose data a read is scoped to: the client themself, or the client an admin is looking at. */
export type ClientScope = Pick<ClientAccountability, 'clientId'>;

export const WATCHDOG: SystemAccountability = Object.freeze({ kind: 'system', job: 'watchdog' });
export const BRIDGE: BridgeAccountability = Object.freeze({ kind: 'bridge' });

export function clientAccountability(clientId: number, actingAdminId?: number): ClientAccountability {
  return actingAdminId === undefined ? { kind: 'client', clientId } : { kind: 'client', clientId, actingAdminId };
}

/** The admin id an event or stats document records for this actor (null for anyone but an admin). */
export function adminIdOf(who: Actor): number | null {
  if (who.kind === 'admin') return who.adminId;
  if (who.kind === 'client') return who.actingAdminId ?? null;
  return null;
}
