#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (docs/fuzzing.md) in their input layouts.

Seeds come from the unit tests' examples, the public RFC 6962/9162 test vectors
(../shared/testdata/rfc6962-vectors), the demo load file, and real outputs of a server
loaded with that demo: a signed checkpoint and page tokens. The real outputs are
committed as they are (common/fuzz/real/); to take them again, start a server,
`agreements load deploy/demo/state-visit-2009.jsonl`, then run
`agreements audit checkpoint -o json` and `agreements list --page-size 1 -o json`.
(The audit bundle target's seeds are bundles from `agreements audit export`, committed
in common/fuzz/audit_bundle_corpus/.)

Running it again writes the same files, but for the PEM seeds (fresh keys from the
openssl tool each time); the inputs the fuzzers found (regression-*) are kept. Needs the
`cryptography` package (Ed25519 and AES-GCM, for seeds signed or sealed with the
targets' fixed keys) and the openssl tool.

  common/fuzz/make_corpora.py [--vectors DIR]
"""

import argparse
import base64
import glob
import hashlib
import json
import os
import subprocess
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REAL = os.path.join(ROOT, "common", "fuzz", "real")

# The fixed keys of the targets (signed_note_fuzz.cc, proofs_fuzz.cc, page_token_fuzz.cc).
FIXED_NAME = "agreements.fuzz"
FIXED_SEED = b"agreements fuzz signing key 0001"
PAGE_TOKEN_KEY = b"fuzz\x01\x02\x03\x04" + bytes(24)
EM_DASH = "\u2014".encode()


def pseudo_random(label, size):
    """Deterministic bytes for binary seeds."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{label}/{counter}".encode()).digest()
        counter += 1
    return out[:size]


class Corpus:
    """One corpus folder; file names are the seeds' descriptions. Its seeds are written
    again; the inputs the fuzzers found ("regression-*", committed with their fixes) are
    kept."""

    def __init__(self, *path):
        self.dir = os.path.join(ROOT, *path)
        os.makedirs(self.dir, exist_ok=True)
        for name in os.listdir(self.dir):
            if not name.startswith("regression-"):
                os.remove(os.path.join(self.dir, name))
        self.count = 0

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(self.dir, name), "wb") as out:
            out.write(data)
        self.count += 1


# ---- signed notes ----


def public_key(seed):
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name, seed):
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key(seed)).digest()[:4]


def verifier_key(name, seed):
    encoded = base64.b64encode(b"\x01" + public_key(seed)).decode()
    return f"{name}+{key_id(name, seed).hex()}+{encoded}"


def signature_line(name, seed, body):
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(body)
    blob = base64.b64encode(key_id(name, seed) + signature)
    return EM_DASH + b" " + name.encode() + b" " + blob + b"\n"


def checkpoint_body(origin, size, root, streams=None):
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    if streams is not None:
        body += f"streams {streams[0]} {base64.b64encode(streams[1]).decode()}\n"
    return body.encode()


def signed(body, *signers):
    return body + b"\n" + b"".join(signature_line(n, s, body) for n, s in signers)


def signed_note_corpus():
    corpus = Corpus("common", "fuzz", "signed_note_corpus")
    fixed = (FIXED_NAME, FIXED_SEED)
    other = ("agreements.other", b"\x11" * 32)
    third = ("witness.example", b"\x12" * 32)
    root = hashlib.sha256(b"root").digest()
    plain = checkpoint_body("agreements.example/log", 42, root)
    with_map = checkpoint_body("agreements-registry", 26, root, (13, b"\x07" * 32))
    corpus.add("fixed-plain", b"0" + signed(plain, fixed))
    corpus.add("fixed-stream-map", b"0" + signed(with_map, fixed))
    corpus.add("fixed-after-other", b"0" + signed(with_map, other, fixed))
    corpus.add("fixed-extension-line",
               b"0" + signed(with_map + b"extension a b\n", fixed))
    corpus.add("fixed-size-0", b"0" + signed(checkpoint_body("o", 0, bytes(32)), fixed))
    corpus.add("fixed-unicode-origin",
               b"0" + signed(checkpoint_body("реестр.example", 7, root), fixed))
    corpus.add("fixed-unsigned", b"0" + plain + b"\n")
    corpus.add("fixed-no-blank-line", b"0no blank line")
    corpus.add("fixed-other-only", b"0" + signed(plain, other))
    # RFC 8032 section 7.1, test 1 (common/signed_note_test.cc).
    rfc = ("test", bytes.fromhex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    corpus.add("given-rfc8032", "1" + verifier_key(*rfc) + "\n" +
               signed(plain, rfc).decode())
    with open(os.path.join(REAL, "key")) as key, \
            open(os.path.join(REAL, "note-26.txt"), "rb") as note:
        real_key = key.read().strip()
        real_note = note.read()
    corpus.add("given-real-server", b"1" + real_key.encode() + b"\n" + real_note)
    corpus.add("given-garbage-key", b"1garbage\n" + signed(plain, fixed))
    name, _, encoded = verifier_key(*fixed).split("+", 2)
    corpus.add("given-wrong-id", f"1{name}+00000000+{encoded}\n".encode() +
               signed(plain, fixed))
    two = signed(with_map, fixed, other)
    corpus.add("cosigned-2-of-2",
               b"22*\n" + verifier_key(*other).encode() + b"\n2" + two)
    corpus.add("cosigned-2-of-3", b"23*\n" + verifier_key(*other).encode() + b"\n" +
               verifier_key(*third).encode() + b"\n2" + two)
    corpus.add("cosigned-literal-keys", b"22" + verifier_key(*fixed).encode() + b"\n" +
               verifier_key(*other).encode() + b"\n2" + two)
    corpus.add("cosigned-same-key-twice", b"22*\n*\n1" + two)
    corpus.add("cosigned-real", b"21" + real_key.encode() + b"\n1" + real_note)
    for i in range(6):
        corpus.add(f"round-trip-{i}", b"3" + pseudo_random(f"note-{i}", 40 + 30 * i))
    return corpus


# ---- proofs ----


def number(value):
    return b"\x08" + (value % 2**64).to_bytes(8, "big")


def hash_bytes(value):
    if len(value) == 32:
        return b"\x00" + value
    return b"\xff" + bytes([len(value)]) + value


def b64(text):
    return base64.b64decode(text or "")


def proof_bytes(proof):
    proof = proof or []
    return bytes([len(proof)]) + b"".join(hash_bytes(b64(h)) for h in proof)


def vector_files(vectors, kind):
    # Sizes 0 to 3 and the additional cases; of size 4 only the happy path, to keep the
    # corpus under 200 files.
    files = []
    for path in sorted(glob.glob(os.path.join(vectors, kind, "**", "*.json"),
                                 recursive=True)):
        relative = os.path.relpath(path, os.path.join(vectors, kind))
        if relative.startswith("4/") and not relative.endswith("happy-path.json"):
            continue
        files.append((relative, path))
    return files


def proofs_corpus(vectors):
    corpus = Corpus("common", "fuzz", "proofs_corpus")
    for relative, path in vector_files(vectors, "inclusion"):
        with open(path) as f:
            v = json.load(f)
        corpus.add("rfc6962-inclusion-" + relative.replace("/", "-")[:-5],
                   b"0" + number(v["leafIdx"]) + number(v["treeSize"]) +
                   hash_bytes(b64(v["leafHash"])) + hash_bytes(b64(v["root"])) +
                   proof_bytes(v["proof"]))
    for relative, path in vector_files(vectors, "consistency"):
        with open(path) as f:
            v = json.load(f)
        corpus.add("rfc6962-consistency-" + relative.replace("/", "-")[:-5],
                   b"1" + number(v["size1"]) + number(v["size2"]) +
                   hash_bytes(b64(v["root1"])) + hash_bytes(b64(v["root2"])) +
                   proof_bytes(v["proof"]))
    for i, size in enumerate([1, 2, 3, 7, 8, 13, 64, 255]):
        corpus.add(f"built-tree-{size}",
                   b"2" + bytes([size - 1]) + pseudo_random(f"tree-{i}", 60 + 4 * size))
    for i in range(6):
        corpus.add(f"built-completeness-{i}",
                   b"3" + pseudo_random(f"completeness-{i}", 80 + 40 * i))
    return corpus


# ---- page tokens ----


def varint(value):
    out = b""
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def page_token(principal, clearance, sector, after, nonce):
    sectors = "*" if clearance == "*" else ",".join(
        sorted(set(s for s in clearance.split(",") if s and s != "*")))
    owner = f"{principal}\n{sectors}".encode()
    filters = b"\x0a" + varint(len(sector)) + sector.encode() if sector else b""
    binding = hashlib.sha256(str(len(owner)).encode() + b":" + owner + b"\n" +
                             b"agreements.v1.ListAgreementsRequest\n" + filters).digest()
    padded = bytes([len(after)]) + after.encode() + bytes(191 - len(after))
    sealed = AESGCM(PAGE_TOKEN_KEY).encrypt(nonce, padded, binding)
    return base64.urlsafe_b64encode(b"3" + nonce + sealed).rstrip(b"=").decode()


def page_token_corpus():
    corpus = Corpus("services", "fuzz", "page_token_corpus")
    cases = [
        ("reader-1", "", "energy", "secret-agreement-id"),
        ("reader-1", "", "", "kz-kr-2024"),
        ("registrar-1", "energy,transport", "energy", "a" * 191),
        ("admin", "*", "", ""),
        ("anonymous", "", "telecom", "2009-05-13\x1fkz-kr-forum-2009-energy"),
    ]
    for i, (principal, clearance, sector, after) in enumerate(cases):
        token = page_token(principal, clearance, sector, after,
                           pseudo_random(f"nonce-{i}", 12))
        corpus.add(f"decode-fixed-key-{i}",
                   f"0{principal}\n{clearance}\n{sector}\n{token}")
    corpus.add("decode-empty", "0reader-1\n\nenergy\n")
    corpus.add("decode-not-a-token", "0reader-1\n\nenergy\nnot a token")
    corpus.add("decode-wrong-owner",
               "0reader-2\n\nenergy\n" +
               page_token("reader-1", "", "energy", "x", bytes(12)))
    for name in sorted(os.listdir(REAL)):
        if name.startswith("token-"):
            with open(os.path.join(REAL, name)) as f:
                corpus.add("decode-real-" + name[:-4], "0anonymous\n*\n\n" + f.read().strip())
    corpus.add("raw-version-3", b"2reader-1\n\n\n3" + pseudo_random("raw", 220))
    corpus.add("raw-version-2", b"2reader-1\n\n\n2" + pseudo_random("raw", 220))
    corpus.add("raw-short", b"2reader-1\n\n\n3" + pseudo_random("raw", 30))
    for i in range(5):
        corpus.add(f"round-trip-{i}", b"1" + pseudo_random(f"page-{i}", 40 + 50 * i))
    corpus.add("round-trip-text", b"1\x08reader-1\x06energy\x08\x0a\x06energy\x05a-100")
    return corpus


# ---- token, policy and PEM files ----


def pem_seeds(corpus):
    with tempfile.TemporaryDirectory() as tmp:
        def openssl(*args):
            subprocess.run(["openssl", *args], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def read(name):
            with open(os.path.join(tmp, name), "rb") as f:
                return f.read()

        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "ec.key", "-out", "ec.crt", "-days", "365",
                "-subj", "/CN=registry.example")
        openssl("req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "ed.key",
                "-out", "ed.crt", "-days", "30", "-subj", "/CN=ca.example")
        openssl("pkey", "-in", "ec.key", "-aes256", "-passout", "pass:secret",
                "-out", "ec-encrypted.key")
        corpus.add("pem-ec-key-and-cert", b"3" + read("ec.key") + read("ec.crt"))
        corpus.add("pem-ed25519-key-and-cert", b"3" + read("ed.key") + read("ed.crt"))
        corpus.add("pem-chain", b"3" + read("ec.crt") + read("ed.crt"))
        corpus.add("pem-key-mismatch", b"3" + read("ed.key") + read("ec.crt"))
        corpus.add("pem-encrypted-key", b"3" + read("ec-encrypted.key") + read("ec.crt"))
        broken = read("ec.crt").replace(b"\n", b"\n!", 3)
        corpus.add("pem-broken-second", b"3" + read("ec.crt") + broken)
        corpus.add("pem-none", b"3no certificate here\n")


def security_files_corpus():
    corpus = Corpus("security", "fuzz", "security_files_corpus")
    digest = hashlib.sha256(b"s3cret-token-value").hexdigest()
    other = hashlib.sha256(b"t").hexdigest()
    tokens = {
        "tokens-test": f"# loaders\n\nsha256:{digest}  \"Energy Desk\"  registrar:energy"
                       "  # comment\n",
        "tokens-several": f"sha256:{digest} auditor-1 auditor\nsha256:{other} reader-1 "
                          "reader\n",
        "tokens-grants": f"sha256:{digest} desk registrar:transport,energy,energy admin\r\n",
        "tokens-quoted-hash": f"sha256:{digest} \"desk #2\" reader\n",
        "tokens-duplicate": f"sha256:{digest} a reader\nsha256:{digest} b reader\n",
        "tokens-plain-token": "\nplain-token alice reader\n",
        "tokens-reserved": f"sha256:{digest} anonymous admin\nsha256:{other} * admin\n",
        "tokens-unterminated": f"sha256:{digest} \"alice reader\n",
        "tokens-no-principal": f"sha256:{digest}\n",
        "tokens-unicode": f"sha256:{digest} \"Министерство энергетики\" registrar:energy\n",
    }
    for name, text in tokens.items():
        corpus.add(name, "0" + text)
    policies = {
        "policy-test": "treaty-office admin\n* reader\nanonymous reader\n"
                       "alice registrar:energy auditor\n",
        "policy-no-role": "bob\n",
        "policy-twice": "bob reader\nbob auditor\n",
        "policy-comments": "# who may do what\n\"CN=desk, O=Ministry\" registrar:energy,"
                           "telecom # desk\n\t\n* reader\n",
        "policy-quote-in-name": "a\"b reader\n",
        "policy-bad-sector": "carol registrar:mining\n",
    }
    for name, text in policies.items():
        corpus.add(name, "1" + text)
    grants = ["registrar:transport,energy,energy", "auditor", "admin", "reader",
              "registrar", "reader:energy", "superuser", "registrar:",
              "registrar:trade_and_investment,governance,other"]
    for i, text in enumerate(grants):
        corpus.add(f"grant-{i}", "2" + text)
    pem_seeds(corpus)
    return corpus


# ---- CLI values and load lines ----


def values_corpus():
    corpus = Corpus("clients", "fuzz", "values_corpus")
    seeds = {
        "a": ["2009", "2009-05", "2009-05-13", "2008-02-29", "2009-02-29", "0000",
              "2009-13", "12345", "2009-5-1"],
        "b": ["AgreementStatus\nin_force", "AgreementStatus\nIN-FORCE",
              "ConsentMeans\nratification", "ConsentMeans\nCONSENT_MEANS_RATIFICATION",
              "ParticipantRole\nparty", "ParticipantRole\nunspecified",
              "StreamType\nagreement", "NoticeCounting\nend_of_calendar_year",
              "SuccessionKind\ncontinuation", "x\nx"],
        "c": ["usd\n4500000000", "EUR\n-12.75", "USD\n1e9", "USD\n1.0000000001",
              "KZT\n999999999999999999.999999999", "USD\n-0.5", "\n0", "USD\n.5",
              "USD\n1,000"],
        "d": ["en:Joint Statement", "kk:Бірлескен мәлімдеме", ":x", "en"],
        "e": ["energy", "oecd_dac:23010", "isic:D35", "registry-sector:energy", "x:y"],
        "f": ["kz", "kepco:party,contractor", "kz:", ":party", "kz:observer,party"],
        "g": ["UNTS:I-4739", "urn:lex:kz:2009", "UNTS:", ":x"],
        "h": ["1y", "6m", "60d", "1y6m", "2y3m10d", "0d", "6m1y", "1Y6M", "99999999999y",
              "1y1y", "y"],
        "i": ["6m", "1y:end_of_calendar_year", "6m:Day-After-Expiry", "1y:whenever",
              "year:after_receipt", "1y:"],
        "j": ["suhh:1991-12-25:continuation", "cshh", "cshh::dissolution", "x:2009",
              "a:b:c:d", ""],
        "k": ["in_force", "provisionally_applying", "ratified", "signed", "withdrew",
              "in-force-for", "party"],
        "l": ["0", "18446744073709551615", "18446744073709551616", "-1", "007", "1e3"],
        "m": ["100", "2147483647", "2147483648", "-5", "+5"],
        "n": ["500ms", "10s", "1h30m", "0s", "-1s", "inf", "1.5us", "10"],
    }
    for letter, texts in seeds.items():
        for i, text in enumerate(texts):
            corpus.add(f"{letter}-{i}", letter + text)
    return corpus


def jsonl_import_corpus():
    corpus = Corpus("clients", "fuzz", "jsonl_import_corpus")
    with open(os.path.join(ROOT, "deploy", "demo", "state-visit-2009.jsonl")) as f:
        lines = [line for line in f.read().split("\n") if line.strip()]
    for i, line in enumerate(lines, 1):
        corpus.add(f"demo-line-{i}", line + "\n")
    first = json.loads(lines[0])
    del first["context"]["requestId"]
    corpus.add("no-request-id", "  " + json.dumps(first) + "  \r\n")
    corpus.add("two-lines", lines[0] + "\n\n" + lines[1] + "\n")
    corpus.add("update-mask",
               '{"context":{"requestId":"r1"},"commands":[{"streamType":'
               '"STREAM_TYPE_PARTY","streamId":"kz","change":{"partyUpdated":{"party":'
               '{"id":"kz","countryCode":"KZ"},"updateMask":"countryCode,names"}}}]}\n')
    corpus.add("unknown-field", '{"context":{"requestId":"r2"},"nope":1}\n')
    corpus.add("not-json", "{\"commands\":[\n")
    corpus.add("escapes", '{"context":{"requestId":"\\u0072\\ud83d\\ude00",'
               '"reason":"tab\\tand \\"quotes\\""}}\n')
    return corpus


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", default=os.path.join(
        ROOT, "..", "shared", "testdata", "rfc6962-vectors"))
    args = parser.parse_args()
    for corpus in [signed_note_corpus(), proofs_corpus(args.vectors),
                   page_token_corpus(), security_files_corpus(), values_corpus(),
                   jsonl_import_corpus()]:
        print(f"{os.path.relpath(corpus.dir, ROOT)}: {corpus.count} seeds")


if __name__ == "__main__":
    main()
