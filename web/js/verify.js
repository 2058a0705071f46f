// Checks in the browser that an event is in the log the registry signed (docs/audit.md):
// the event's RFC 9162 leaf hash, its inclusion proof up to the root of the latest
// signed checkpoint, and the checkpoint's Ed25519 signature (C2SP signed note) by the
// pinned verifier key. The key is pinned on first use in this browser (localStorage)
// and shown, so that a later change of key is noticed instead of trusted.
import { get } from './api.js';

const PIN = 'agreements-pinned-verifier-key';

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const sha256 = async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162 section 2.1.3.2.
export async function rootFromInclusionProof(leafIndex, treeSize, leafHash, proof) {
  if (leafIndex >= treeSize) throw new Error('leaf index beyond the tree');
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat(Uint8Array.of(1), p, r));
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await sha256(concat(Uint8Array.of(1), r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

// The signed body of a note (every line up to the blank one, newline included) and its
// signature lines.
function splitNote(note) {
  const end = note.indexOf('\n\n');
  if (end < 0) throw new Error('note without signatures');
  const body = note.slice(0, end + 1);
  const signatures = note.slice(end + 2).split('\n').filter((l) => l.startsWith('— '));
  return { body, lines: body.split('\n'), signatures };
}

async function verifySignature(body, signatures, verifierKey) {
  // "<name>+<key id>+<base64 key>": the base64 may hold '+' too.
  const first = verifierKey.indexOf('+');
  const name = verifierKey.slice(0, first);
  const keyB64 = verifierKey.slice(verifierKey.indexOf('+', first + 1) + 1);
  const key = bytes(keyB64);
  if (key[0] !== 1 || key.length !== 33) throw new Error('not an Ed25519 verifier key');
  const keyId = (await sha256(concat(new TextEncoder().encode(name + '\n'), key))).slice(0, 4);
  const line = signatures.find((s) => s.slice(2).split(' ')[0] === name);
  if (!line) throw new Error(`no signature by ${name}`);
  const signature = bytes(line.slice(2).split(' ')[1]);
  if (!equal(signature.slice(0, 4), keyId)) throw new Error('signature by another key');
  const publicKey = await crypto.subtle.importKey('raw', key.slice(1), { name: 'Ed25519' },
                                                  false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature.slice(4),
                              new TextEncoder().encode(body));
}

// The pinned key (pinning `offered` when none is): { key, firstSeen, changed }.
export function pinnedKey(offered) {
  let pinned = JSON.parse(localStorage.getItem(PIN) || 'null');
  if (!pinned && offered) {
    pinned = { key: offered, firstSeen: new Date().toISOString() };
    localStorage.setItem(PIN, JSON.stringify(pinned));
  }
  return { ...pinned, changed: Boolean(pinned && offered && pinned.key !== offered) };
}

// Verifies the event at `position` against the latest checkpoint:
// { ok, treeSize, key, firstSeen, steps: [text...] } or { ok: false, reason }.
export async function verifyEvent(position) {
  const checkpoint = await get('/v1/checkpoint');
  const pin = pinnedKey(checkpoint.verifier_key);
  const result = { ok: false, treeSize: Number(checkpoint.tree_size), key: pin.key,
                   firstSeen: pin.firstSeen, steps: [] };
  try {
    if (pin.changed) throw new Error(`the registry now signs with ${checkpoint.verifier_key}, not the pinned key`);
    const note = splitNote(checkpoint.note);
    const noteRoot = bytes(note.lines[2]);
    if (Number(note.lines[1]) !== result.treeSize) throw new Error('note and tree size differ');
    if (!(await verifySignature(note.body, note.signatures, pin.key))) {
      throw new Error('the checkpoint signature does not verify');
    }
    result.steps.push(`checkpoint of ${result.treeSize} events signed by the pinned key`);
    const proof = await get('/v1/proofs/inclusion', { position, tree_size: result.treeSize });
    const event = bytes(proof.event);
    const leaf = await sha256(concat(Uint8Array.of(0), event));
    if (!equal(leaf, bytes(proof.leaf_hash))) throw new Error('the event does not hash to its leaf');
    const root = await rootFromInclusionProof(Number(proof.leaf_index), result.treeSize, leaf,
                                              (proof.proof || []).map(bytes));
    if (!equal(root, noteRoot)) throw new Error('the inclusion proof does not lead to the signed root');
    result.steps.push(`event ${position} included (proof of ${(proof.proof || []).length} hashes)`);
    result.ok = true;
  } catch (error) {
    result.reason = error.message;
  }
  return result;
}
