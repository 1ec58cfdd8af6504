// Encryption at rest for sensitive field values: AES-256-GCM from node:crypto under one 32-byte
// key (ENCRYPTION_KEY, else a key file in the embedded data directory, else an in-memory key
// for a throwaway database). Ciphertexts are versioned strings "v1:<iv>:<tag>:<data>" (base64).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export const KEY_FILE_NAME = 'encryption.key';

export class EncryptionKeyError extends Error {}

/** A 32-byte key written as 64 hex characters or as base64; null when it is neither. */
export function parseEncryptionKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  return null;
}

export function encryptText(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64'), tag.toString('base64'), data.toString('base64')].join(
    ':',
  );
}

/** The plaintext of a ciphertext made by encryptText; throws when the key or data is wrong. */
export function decryptText(key: Buffer, ciphertext: string): string {
  const [version, iv, tag, data, ...rest] = ciphertext.split(':');
  if (version !== VERSION || !iv || !tag || data === undefined || rest.length > 0) {
    throw new EncryptionKeyError('Unknown ciphertext format.');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString(
    'utf8',
  );
}

export interface ResolvedEncryptionKey {
  key: Buffer | undefined;
  source: 'env' | 'key_file' | 'ephemeral' | 'none';
}

/**
 * The key sensitive values are stored under, resolved once at boot: ENCRYPTION_KEY; else, for an
 * embedded database on disk, DATA_DIR/encryption.key (made on first start, mode 0600); else, for
 * memory://, a random key that lives as long as the process (and the database). PostgreSQL
 * without ENCRYPTION_KEY has none: writing a sensitive value then fails with a clear problem.
 */
export function resolveEncryptionKey(
  config: Pick<Config, 'encryptionKey' | 'databaseUrl' | 'dataDir'>,
): ResolvedEncryptionKey {
  if (config.encryptionKey) return { key: config.encryptionKey, source: 'env' };
  if (config.databaseUrl) return { key: undefined, source: 'none' };
  if (config.dataDir.startsWith('memory://')) {
    return { key: randomBytes(KEY_BYTES), source: 'ephemeral' };
  }
  return { key: readOrCreateKeyFile(config.dataDir), source: 'key_file' };
}

function readOrCreateKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE_NAME);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so a key is never overwritten.
    fs.writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, {
      flag: 'wx',
      mode: 0o600,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = parseEncryptionKey(fs.readFileSync(file, 'utf8'));
  if (!key) {
    throw new EncryptionKeyError(
      `${file} does not hold a 32-byte key (base64 or 64 hex characters). Restore it from a ` +
        'backup, or set ENCRYPTION_KEY; without the key, stored sensitive fields cannot be read.',
    );
  }
  return key;
}
