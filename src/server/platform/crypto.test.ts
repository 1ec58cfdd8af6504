import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import {
  EncryptionKeyError,
  KEY_FILE_NAME,
  decryptText,
  encryptText,
  parseEncryptionKey,
  resolveEncryptionKey,
} from './crypto.js';

const KEY = randomBytes(32);

describe('ENCRYPTION_KEY', () => {
  it('reads 32 bytes as 64 hex characters or as base64', () => {
    expect(parseEncryptionKey(KEY.toString('hex'))?.equals(KEY)).toBe(true);
    expect(parseEncryptionKey(KEY.toString('base64'))?.equals(KEY)).toBe(true);
    expect(parseEncryptionKey(` ${KEY.toString('base64url')}\n`)?.equals(KEY)).toBe(true);
  });

  it('refuses keys of another length and anything that is not hex or base64', () => {
    expect(parseEncryptionKey(randomBytes(16).toString('hex'))).toBeNull();
    expect(parseEncryptionKey(randomBytes(31).toString('base64'))).toBeNull();
    expect(parseEncryptionKey(`${KEY.toString('hex').slice(0, 63)}g`)).toBeNull();
    expect(parseEncryptionKey('correct horse battery staple')).toBeNull();
  });

  it('is parsed by the configuration, and an invalid one stops the start with a clear message', () => {
    const base = { DATA_DIR: 'memory://' };
    expect(loadConfig(base).encryptionKey).toBeUndefined();
    expect(loadConfig({ ...base, ENCRYPTION_KEY: '' }).encryptionKey).toBeUndefined();
    expect(
      loadConfig({ ...base, ENCRYPTION_KEY: KEY.toString('hex') }).encryptionKey?.equals(KEY),
    ).toBe(true);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEY: 'too-short' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEY: 'too-short' })).toThrow(
      /ENCRYPTION_KEY: Use a 32-byte key written as base64 or as 64 hex characters/,
    );
  });
});

describe('AES-256-GCM envelopes', () => {
  it('round-trips text as a versioned string with a fresh IV each time', () => {
    const first = encryptText(KEY, '2014-05-06');
    const second = encryptText(KEY, '2014-05-06');
    expect(first).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('2014');
    expect(decryptText(KEY, first)).toBe('2014-05-06');
    expect(decryptText(KEY, encryptText(KEY, 'Zoë ✓'))).toBe('Zoë ✓');
  });

  it('refuses a wrong key, tampered data and unknown versions', () => {
    const sealed = encryptText(KEY, 'secret');
    expect(() => decryptText(randomBytes(32), sealed)).toThrow();
    const [version, iv, tag, data] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(data, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() =>
      decryptText(KEY, [version, iv, tag, flipped.toString('base64')].join(':')),
    ).toThrow();
    expect(() => decryptText(KEY, sealed.replace(/^v1/, 'v9'))).toThrow(EncryptionKeyError);
  });
});

describe('resolveEncryptionKey', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lk-key-'));
    dirs.push(dir);
    return dir;
  };

  it('uses ENCRYPTION_KEY when it is set', () => {
    const resolved = resolveEncryptionKey({
      encryptionKey: KEY,
      databaseUrl: undefined,
      dataDir: tempDir(),
    });
    expect(resolved.source).toBe('env');
    expect(resolved.key?.equals(KEY)).toBe(true);
  });

  it('creates a key file in the data directory once and reuses it', () => {
    const dataDir = path.join(tempDir(), 'data');
    const config = { encryptionKey: undefined, databaseUrl: undefined, dataDir };
    const first = resolveEncryptionKey(config);
    expect(first.source).toBe('key_file');
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file, 'utf8');
    const second = resolveEncryptionKey(config);
    expect(second.key?.equals(first.key!)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(written);
  });

  it('refuses a damaged key file instead of making a new key', () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, KEY_FILE_NAME), 'not a key\n');
    expect(() =>
      resolveEncryptionKey({ encryptionKey: undefined, databaseUrl: undefined, dataDir }),
    ).toThrow(EncryptionKeyError);
  });

  it('makes a throwaway key for memory:// and has none for PostgreSQL without ENCRYPTION_KEY', () => {
    const memory = { encryptionKey: undefined, databaseUrl: undefined, dataDir: 'memory://' };
    const a = resolveEncryptionKey(memory);
    expect(a.source).toBe('ephemeral');
    expect(a.key).toHaveLength(32);
    expect(resolveEncryptionKey(memory).key?.equals(a.key!)).toBe(false);
    expect(
      resolveEncryptionKey({
        encryptionKey: undefined,
        databaseUrl: 'postgres://db/leadkeeper',
        dataDir: tempDir(),
      }),
    ).toEqual({ key: undefined, source: 'none' });
  });
});
