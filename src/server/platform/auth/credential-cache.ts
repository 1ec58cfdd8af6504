// API tokens resolved to who they act for, kept in process for a few seconds so that a Bearer
// request does not read four tables before its own query (docs/decisions/015). A change that
// alters what a token resolves to (revoking it, a member's role or activity, the workspace's
// own-leads rule) clears the cache after its commit, so this instance sees it at once; another
// instance sees it within CREDENTIALS_TTL_MS. Sessions are not cached: they are read every request.
import type { Clock } from '../clock.js';
import { createExpiringCache, type ExpiringCache } from '../expiring-cache.js';
import type { Role } from '../db/schema.js';

export const CREDENTIALS_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** What a live token row says about its caller; undefined = no live token with that hash. */
export interface ResolvedToken {
  id: string;
  workspaceId: string;
  userId: string;
  /** The token's role, capped by the member's role when actors are built. */
  role: Role;
  memberRole: Role;
  isInstanceAdmin: boolean;
  agentsOwnLeadsOnly: boolean;
  /** Updated in place when the token is touched, so the touch is not repeated every request. */
  lastUsedAt: Date | null;
}

export type CredentialCache = ExpiringCache<ResolvedToken | undefined>;

export function createCredentialCache(clock: Clock): CredentialCache {
  return createExpiringCache<ResolvedToken | undefined>(clock, {
    ttlMs: CREDENTIALS_TTL_MS,
    maxEntries: MAX_ENTRIES,
  });
}
