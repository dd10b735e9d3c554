// Secrets the agent knows (its token, a claimed job's S3 keys and repository password) for what the logger does not
// write: request bodies sent to the sidecar and the last words the agent writes to stderr.
const REDACTED = '[redacted]';
// Shorter values would mask ordinary words (the logger ignores them for the same reason).
const MIN_SECRET_LENGTH = 6;

export class SecretList {
  private readonly values = new Set<string>();
  private ordered: readonly string[] = [];

  add(...values: readonly (string | null | undefined)[]): void {
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      this.values.add(value);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.ordered = [...this.values].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret replaced; keys and structure are left alone. */
  scrub(text: string): string {
    return this.ordered.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  }
}
