/** A config the agent cannot start with; its message names the field and never echoes a secret. */
export class AgentConfigError extends Error {}
